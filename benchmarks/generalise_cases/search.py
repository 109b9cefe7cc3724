"""Search cases: real ``grep -rn`` over a package of the standard library or site-packages, and the
multi-tool turn that follows a search (grep, then ``cat`` of the file that defines the name, and
sometimes a second file of the same package).

Search: an identifier found in a random file of the package is searched for; one match line
(path, line number and text) is the fact, and the question names the identifier and a word of
that match. Multi: the fact is the grep line of the definition plus a line of its body.

A question's words are drawn at random from the fact's line; when the words drawn are held by
other lines of the output too (``self`` and ``name`` on a dozen match lines), no reader could tell
which line is meant, so the line's rarest words in that output are asked about instead, as a user
who had seen the line would ask. No random draw is added or removed, so the same cases are built;
a line whose every word recurs stays ambiguous and ``ambiguous_lines`` counts it.
"""

from __future__ import annotations

import random
from pathlib import Path

from .code import DEF
from .common import (
    Call,
    Case,
    collect,
    files,
    fill,
    holding,
    pick_words,
    python_roots,
    read_text,
    run,
    telling,
    unique_lines,
    valid,
    words,
)

SEARCH_TEMPLATES = (
    "Where in {pkg} is {name} used together with {w1}?",
    "Which file in {pkg} calls {name} with {w1}?",
    "Find the place in {pkg} where {name} meets {w1} and {w2}.",
)
MULTI_TEMPLATES = (
    "Where is {name} defined in {pkg}, and what does it do with {w1}?",
    "Find {name} in {pkg}: how does it handle {w1}?",
)
MAX_OUTPUT = 60_000


def ambiguous_lines(case: Case) -> int:
    """How many lines of the output a search or multi question's own words point to equally: the
    match lines holding the search question's words, or the read file's lines holding the multi
    question's word about the body. Above one, the question does not tell which line it means."""
    own = {w.lower() for w in words(case.question)}
    own -= {w.lower() for w in words(" ".join(SEARCH_TEMPLATES + MULTI_TEMPLATES))}
    name, pkg = case.id.split(":")[2], case.id.split(":")[1]
    own -= {name.lower(), pkg.lower(), pkg.split("/")[0].lower()}
    if case.kind == "search":
        lines = [line.split(":", 2)[-1] for line in case.calls[0].output.split("\n")]
    else:
        lines = case.calls[1].output.split("\n")
    # the question's first own word: some templates ask with it alone
    first = min(own, key=case.question.lower().find) if own else None
    return holding(lines, [first]) if first else len(lines)


def packages() -> list[tuple[Path, Path]]:
    """(parent, package directory) of every Python package with at least five modules."""
    found = []
    for _, root in python_roots():
        for child in sorted(root.iterdir()):
            if child.is_dir() and (child / "__init__.py").exists() and len(files(child, "*.py")) >= 5:
                found.append((root, child))
    return found


def grep(parent: Path, package: Path, name: str) -> tuple[str, str] | None:
    """``grep -rn`` for ``name`` in the package, run from its parent so paths read ``pkg/module.py``."""
    argv = ["grep", "-rn", "--include=*.py", "-w", name, package.name + "/"]
    output = run(argv, cwd=parent)
    if not output or not 8 <= output.count("\n") <= 800 or len(output) > MAX_OUTPUT:
        return None
    return f"grep -rnw --include='*.py' {name} {package.name}/", output


def identifiers(rng: random.Random, package: Path) -> list[tuple[Path, str]]:
    modules = files(package, "*.py")
    picked = rng.sample(modules, min(4, len(modules)))
    names: list[tuple[Path, str]] = []
    for module in picked:
        text = read_text(module, 0, 300_000) or ""
        names += [(module, m.group(3)) for m in map(DEF.match, text.split("\n")) if m and len(m.group(3)) >= 5]
    rng.shuffle(names)
    return names


def search_case(rng: random.Random, parent: Path, package: Path) -> Case | None:
    for _, name in identifiers(rng, package)[:4]:
        found = grep(parent, package, name)
        if found is None:
            continue
        command, output = found
        lines = output.split("\n")
        picks = unique_lines(output, lambda s: len(s.split(":", 2)[-1].strip()) >= 12)
        rng.shuffle(picks)
        for line_no in picks[:5]:
            content = lines[line_no].split(":", 2)[-1]
            chosen = pick_words(rng, content, 2, avoid=[name])
            if not chosen:
                continue
            chosen = telling(chosen, content, [line.split(":", 2)[-1] for line in lines], [name])
            slots = {"pkg": package.name, "name": name, "w1": chosen[0], "w2": chosen[-1] if len(chosen) > 1 else ""}
            case = Case(
                f"search:{package.name}:{name}:{line_no}",
                "search",
                fill(rng, SEARCH_TEMPLATES, **slots),
                [lines[line_no]],
                [Call(command, output)],
            )
            if valid(case):
                return case
    return None


def multi_case(rng: random.Random, parent: Path, package: Path) -> Case | None:
    for module, name in identifiers(rng, package)[:4]:
        found = grep(parent, package, name)
        text = read_text(module, 2_000, 60_000)
        if found is None or text is None:
            continue
        command, output = found
        relative = str(module.relative_to(parent))
        definition = [
            ln for ln in output.split("\n") if ln.startswith(relative + ":") and DEF.match(ln.split(":", 2)[-1])
        ]
        if len(definition) != 1:
            continue
        lines = text.split("\n")
        start = int(definition[0].split(":", 2)[1]) - 1
        match = DEF.match(lines[start])
        if match is None:
            continue
        indent = len(match.group(1))
        body = []
        for j in range(start + 1, min(len(lines), start + 150)):
            if lines[j].strip() and len(lines[j]) - len(lines[j].lstrip()) <= indent:
                break
            body.append(j)
        picks = [
            j for j in unique_lines(text, lambda s: len(s.strip()) >= 16 and not s.strip().startswith("#")) if j in body
        ]
        if not picks:
            continue
        line_no = rng.choice(picks)
        chosen = pick_words(rng, lines[line_no], 1, avoid=[name])
        if not chosen:
            continue
        chosen = telling(chosen, lines[line_no], lines, [name])
        calls = [Call(command, output), Call(f"cat {relative}", text)]
        others = [m for m in files(package, "*.py") if m != module and read_text(m, 2_000, 40_000) is not None]
        if others and rng.random() < 0.5:
            other = rng.choice(others)
            calls.append(Call(f"cat {other.relative_to(parent)}", read_text(other) or ""))
        question = fill(rng, MULTI_TEMPLATES, name=name, pkg=package.name, w1=chosen[0])
        case = Case(
            f"multi:{relative}:{name}:{line_no + 1}", "multi", question, [definition[0], lines[line_no].strip()], calls
        )
        if valid(case):
            return case
    return None


def build(rng: random.Random, want: int) -> tuple[list[Case], list[str]]:
    pool = packages()
    if not pool:
        return [], ["search, multi: no Python package found"]
    cases: list[Case] = []
    skipped: list[str] = []
    for kind, maker in (("search", search_case), ("multi", multi_case)):
        made = (maker(rng, parent, package) for parent, package in rng.sample(pool, len(pool)) * 3)
        cases += collect(kind, made, want, skipped)
    return cases, skipped
