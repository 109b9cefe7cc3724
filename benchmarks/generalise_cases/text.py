"""Prose cases: man pages rendered as text, HTML documents under /usr/share/doc.

Man pages: an option line and the first line of its description are the facts, the question asks
what the option does (or, in a page without options, a prose line is the fact and the question
names two of its words). HTML: a run of words inside one text node of the raw page is the fact,
the question names the page's title and words of that run.
"""

from __future__ import annotations

import html
import random
import re
from pathlib import Path

from .common import Call, Case, collect, family_of, files, fill, pick_words, read_text, run, spread, unique_lines, valid

OPTION = re.compile(r"^ {3,12}(-{1,2}[A-Za-z0-9?][\w-]*)")
MAN_OPTION_TEMPLATES = (
    "What does the {opt} option of {cmd} do?",
    "How does {cmd} behave with {opt}?",
    "Which option of {cmd} would I use to {w1} {w2}? Is it {opt}?",
)
MAN_PROSE_TEMPLATES = (
    "What does the {cmd} man page say about {w1} and {w2}?",
    "In man {cmd}, how are {w1} and {w2} related?",
)
HTML_TEMPLATES = (
    "What does the {title} page say about {w1} {w2}?",
    "According to {file}, how does {w1} relate to {w2}?",
    "Where does {file} explain {w1}?",
)
MAX_MAN_LINES = 2_000
TEXT_RUN = re.compile(r">([^<>]{50,})<|^([^<>]{60,})$")
TITLE = re.compile(r"<title>\s*([^<]{3,80}?)\s*</title>", re.IGNORECASE | re.DOTALL)


def man_case(rng: random.Random, path: Path) -> Case | None:
    name = path.name.split(".")[0]
    section = path.parent.name.removeprefix("man")
    text = run(["man", "-P", "cat", section, name], timeout=20)
    if not text or text.count("\n") < 60:
        return None
    command = f"man {section} {name}"
    lines = text.split("\n")
    if len(lines) > MAX_MAN_LINES:
        text = "\n".join(lines[:MAX_MAN_LINES])
        lines = text.split("\n")
        command += f" | head -n {MAX_MAN_LINES}"
    options = [i for i in unique_lines(text, lambda s: bool(OPTION.match(s))) if i + 1 < len(lines)]
    rng.shuffle(options)
    for line_no in options[:6]:
        match = OPTION.match(lines[line_no])
        assert match is not None
        # the description: the next non-empty line, indented deeper than the option
        following = next((j for j in range(line_no + 1, min(len(lines), line_no + 4)) if lines[j].strip()), None)
        facts = [lines[line_no].strip()]
        described = ""
        if following is not None and len(lines[following].strip()) >= 20:
            facts.append(lines[following].strip())
            described = lines[following]
        chosen = pick_words(rng, described, 2)
        slots = {
            "opt": match.group(1),
            "cmd": name,
            "w1": chosen[0] if chosen else "",
            "w2": chosen[-1] if chosen else "",
        }
        case = Case(
            f"man:{section}/{name}:{line_no + 1}",
            "man",
            fill(rng, MAN_OPTION_TEMPLATES, **slots),
            facts,
            [Call(command, text)],
        )
        if valid(case):
            return case
        case.facts = facts[:1]
        if valid(case):
            return case
    prose = unique_lines(text, lambda s: len(s.strip()) >= 50 and s.startswith("       "))
    rng.shuffle(prose)
    for line_no in prose[:6]:
        chosen = pick_words(rng, lines[line_no], 2, avoid=[name])
        if len(chosen) < 2:
            continue
        question = fill(rng, MAN_PROSE_TEMPLATES, cmd=name, w1=chosen[0], w2=chosen[1])
        case = Case(
            f"man:{section}/{name}:{line_no + 1}", "man", question, [lines[line_no].strip()], [Call(command, text)]
        )
        if valid(case):
            return case
    return None


def html_case(rng: random.Random, path: Path) -> Case | None:
    text = read_text(path, 2_000, 150_000)
    if text is None:
        return None
    title_match = TITLE.search(text)
    title = html.unescape(" ".join(title_match.group(1).split())) if title_match else path.stem
    runs: list[str] = []
    for line in text.split("\n"):
        for match in TEXT_RUN.finditer(line):
            segment = (match.group(1) or match.group(2) or "").strip()
            if len(segment.split()) >= 8 and "&" not in segment:
                runs.append(segment)
    rng.shuffle(runs)
    for segment in runs[:8]:
        tokens = segment.split(" ")
        size = min(len(tokens), rng.randint(6, 12))
        start = rng.randint(0, len(tokens) - size)
        fact = " ".join(tokens[start : start + size]).strip()
        if len(fact) < 25 or text.count(fact) != 1:
            continue
        # the question's words come from the whole text run around the fact, as a reader paraphrases
        chosen = pick_words(rng, segment, 2, avoid=title.split())
        if len(chosen) < 2:
            continue
        shown_path = str(path)
        question = fill(rng, HTML_TEMPLATES, title=title, file=path.name, w1=chosen[0], w2=chosen[1])
        case = Case(
            f"html:{shown_path}:{text.index(fact)}", "html", question, [fact], [Call(f"cat {shown_path}", text)]
        )
        if valid(case):
            return case
    return None


def build(rng: random.Random, want: int) -> tuple[list[Case], list[str]]:
    cases: list[Case] = []
    skipped: list[str] = []
    pages = [p for s in ("man1", "man5", "man8") for p in files(Path("/usr/share/man") / s, "*")]
    # one page per family of commands (gcloud alone ships thousands of pages), so no family dominates
    families: dict[str, Path] = {}
    for page in pages:
        families.setdefault(re.split(r"[_.-]", page.name)[0], page)
    pages = sorted(families.values())
    docs = files(Path("/usr/share/doc"), "*.html") + files(Path("/usr/share/doc"), "*.htm")
    for kind, pool, maker in (("man", pages, man_case), ("html", docs, html_case)):
        if not pool:
            skipped.append(f"{kind}: no files found")
            continue
        made = (maker(rng, path) for path in spread(rng, pool, family_of)[: want * 6])
        cases += collect(kind, made, want, skipped)
    return cases, skipped
