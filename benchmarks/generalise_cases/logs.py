"""Log cases: windows of the system's own logs (dpkg, apt, alternatives, fontconfig and any other
readable text log under /var/log).

A line of the window is the fact: an error-like line half of the time when the window has one (the
vocabulary below is deliberately wider than any compressor's), any line of three words or more
otherwise. The question names words of that line and of its neighbours; when the two words drawn
are held by other lines of the window too (``status unpacked`` among a hundred dpkg lines), the
line's rarest words are asked about instead (``common.telling``), and ``ambiguous_log_lines``
counts the questions that still point to more than one line.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from .common import Call, Case, collect, fill, holding, pick_words, read_text, telling, unique_lines, valid, words

ERRORISH = re.compile(
    r"error|fail|fatal|warn|cannot|can't|unable|denied|not found|no such|abort|E:|W:|refus|invalid|broken|missing",
    re.IGNORECASE,
)
TEMPLATES = (
    "What does {log} say about {w1} {w2}?",
    "When did {w1} {w2} happen according to {log}?",
    "Find the {log} entry for {w1} and {w2}.",
    "What happened to {w1} around {w3} in {log}?",
)
ERROR_TEMPLATES = (
    "Why did {w1} fail? Check {log} near {w2}.",
    "Is there an error about {w1} {w2} in {log}?",
)


def sources() -> list[Path]:
    found: list[Path] = []
    root = Path("/var/log")
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.endswith((".gz", ".xz", ".zst", ".journal")) and path.suffix != ".db":
                if read_text(path, 1_000, 50_000_000) is not None:
                    found.append(path)
    return found


def log_case(rng: random.Random, path: Path) -> Case | None:
    whole = read_text(path, 1_000, 50_000_000)
    if whole is None:
        return None
    all_lines = whole.split("\n")
    if len(all_lines) > 400:
        size = rng.randint(200, 1_200)
        start = rng.randint(0, max(0, len(all_lines) - size))
        lines = all_lines[start : start + size]
        command = f"sed -n '{start + 1},{start + len(lines)}p' {path}"
    else:
        lines = all_lines
        command = f"cat {path}"
    text = "\n".join(lines)
    candidates = unique_lines(text, lambda s: len(s.split()) >= 3 and len(s.strip()) >= 20)
    errors = [i for i in candidates if ERRORISH.search(lines[i])]
    pool = errors if errors and rng.random() < 0.5 else candidates
    rng.shuffle(pool)
    for line_no in pool[:8]:
        line = lines[line_no]
        neighbours = " ".join(lines[max(0, line_no - 2) : line_no] + lines[line_no + 1 : line_no + 3])
        chosen = pick_words(rng, line, 2)
        near = pick_words(rng, neighbours, 1, avoid=chosen)
        if len(chosen) < 2:
            continue
        chosen = telling(chosen, line, lines, [], alone=2)
        templates = ERROR_TEMPLATES if ERRORISH.search(line) else TEMPLATES
        slots = {"log": path.name, "w1": chosen[0], "w2": chosen[1], "w3": near[0] if near else ""}
        case = Case(
            f"log:{path}:{command}:{line_no}",
            "log",
            fill(rng, templates, **slots),
            [line.strip()],
            [Call(command, text)],
        )
        if valid(case):
            return case
    return None


def build(rng: random.Random, want: int) -> tuple[list[Case], list[str]]:
    pool = sources()
    if not pool:
        return [], ["log: no readable text log under /var/log"]
    skipped: list[str] = []
    cases = collect("log", (log_case(rng, rng.choice(pool)) for _ in range(want * 6)), want, skipped)
    return cases, skipped


def ambiguous_log_lines(case: Case) -> int:
    """How many lines of the window hold the first two of the question's own words (those every
    template asks with; not the template's or the log's name): above one, the question does not
    tell which line it means."""
    skeleton = " ".join(TEMPLATES + ERROR_TEMPLATES) + " " + Path(case.id.split(":")[1]).name
    own = [w for w in words(case.question) if w.lower() not in {s.lower() for s in words(skeleton)}]
    return holding(case.calls[0].output.split("\n"), own[:2]) if own else 0
