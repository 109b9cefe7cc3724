"""Code cases: a Python module from the standard library or site-packages, a C header from /usr/include.

Python: a ``def``/``class`` picked at random, its signature line and one line of its body are the
facts; the question names the symbol and a word of that body line. C: a prototype or a ``#define``
line is the fact; the question names the symbol and asks for its parameters or value.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from .common import (
    Call,
    Case,
    collect,
    family_of,
    files,
    fill,
    pick_words,
    python_roots,
    read_text,
    shown,
    spread,
    unique_lines,
    valid,
)

DEF = re.compile(r"^(\s*)(?:async\s+)?(def|class)\s+([A-Za-z_]\w*)")
PY_TEMPLATES = (
    "In {file}, what does {name} do when {w1}?",
    "How does {name} in {file} use {w1} and {w2}?",
    "Show me where {name} handles {w1} in {file}.",
    "What happens with {w1} inside {name}? The file is {file}.",
    "I'm reading {file}: how is {w1} computed in {name}?",
)
C_FUNC_TEMPLATES = (
    "In {file}, what arguments does {name} take?",
    "What is the declaration of {name} in {file}?",
    "Which return type and parameters does {file} declare for {name}?",
)
C_DEFINE_TEMPLATES = (
    "What value does {file} give {name}?",
    "How is {name} defined in {file}?",
)
CALLED = re.compile(r"([A-Za-z_]\w{2,})\s*\(")
C_WORDS = frozenset(
    "if while for switch return sizeof void int char short long unsigned signed float double const struct union enum "
    "static extern inline typedef volatile register auto bool".split()
)
C_FUNC = re.compile(r"^\s*(?:extern\s+)?[A-Za-z_][\w\s\*]*?\b([A-Za-z_]\w{2,})\s*\((?!\*)")
C_DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w{2,})\s+\S")


def python_files() -> list[Path]:
    found: set[Path] = set()
    for _, root in python_roots():
        found.update(files(root, "*.py", exclude=("/test/", "/tests/", "/idle_test/")))
    return sorted(found)


def python_case(rng: random.Random, path: Path) -> Case | None:
    text = read_text(path, 3_000, 60_000)
    if text is None:
        return None
    lines = text.split("\n")
    symbols = [i for i, line in enumerate(lines) if DEF.match(line)]
    rng.shuffle(symbols)
    for start in symbols[:6]:
        match = DEF.match(lines[start])
        assert match is not None
        indent, name = len(match.group(1)), match.group(3)
        body = []
        for j in range(start + 1, min(len(lines), start + 200)):
            line = lines[j]
            if line.strip() and len(line) - len(line.lstrip()) <= indent:
                break
            body.append(j)
        picks = [
            j
            for j in unique_lines(text, lambda s: len(s.strip()) >= 16 and not s.strip().startswith("#"))
            if j in set(body)
        ]
        if not picks or lines[start].strip() not in lines[start] or text.count(lines[start].strip()) != 1:
            continue
        line_no = rng.choice(picks)
        chosen = pick_words(rng, lines[line_no], 2, avoid=[name])
        if not chosen:
            continue
        slots = {"file": shown(path), "name": name, "w1": chosen[0], "w2": chosen[-1] if len(chosen) > 1 else ""}
        question = fill(rng, PY_TEMPLATES, **slots)
        facts = [lines[start].strip(), lines[line_no].strip()]
        case = Case(
            f"code_py:{shown(path)}:{start + 1}:{line_no + 1}",
            "code_py",
            question,
            facts,
            [Call(f"cat {shown(path)}", text)],
        )
        if valid(case):
            return case
    return None


def c_case(rng: random.Random, path: Path) -> Case | None:
    text = read_text(path, 3_000, 60_000)
    if text is None:
        return None
    lines = text.split("\n")
    picks = unique_lines(text, lambda s: bool(C_FUNC.match(s) or C_DEFINE.match(s)) and len(s.strip()) >= 16)
    rng.shuffle(picks)
    shown_path = str(path.relative_to("/usr/include")) if str(path).startswith("/usr/include/") else str(path)
    for line_no in picks[:6]:
        line = lines[line_no]
        define = C_DEFINE.match(line)
        match = define or C_FUNC.match(line)
        assert match is not None
        name = match.group(1)
        if not define and not line.rstrip().endswith((";", ",", "(", ")", "{")):
            continue  # prose in a comment that happens to hold "word ("
        if not define:  # the function is the last name before a parenthesis (macros such as LZMA_API(x) come first)
            called = [n for n in CALLED.findall(line) if n not in C_WORDS]
            name = called[-1] if called else ""
        if not name or name in C_WORDS or line.lstrip().startswith(("namespace", "typedef", "return")):
            continue
        if define and re.search(r"_H_*$|_INCLUDED_*$", name):  # an include guard answers no question
            continue
        templates = C_DEFINE_TEMPLATES if define else C_FUNC_TEMPLATES
        question = fill(rng, templates, file=shown_path, name=name)
        case = Case(
            f"code_c:{shown_path}:{line_no + 1}",
            "code_c",
            question,
            [line.strip()],
            [Call(f"cat /usr/include/{shown_path}", text)],
        )
        if valid(case):
            return case
    return None


def build(rng: random.Random, want: int) -> tuple[list[Case], list[str]]:
    """Python cases first half, C header cases second half of ``want``."""
    cases: list[Case] = []
    skipped: list[str] = []
    for kind, pool, maker in (
        ("code_py", python_files(), python_case),
        ("code_c", files(Path("/usr/include"), "*.h"), c_case),
    ):
        if not pool:
            skipped.append(f"{kind}: no source files found")
            continue
        made = (maker(rng, path) for path in spread(rng, pool, family_of)[: want * 6])
        cases += collect(kind, made, want, skipped)
    return cases, skipped
