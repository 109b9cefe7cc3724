"""What every case builder shares: the case value, the conversation shape, word picking and fact checks.

A case is built from real output found on this machine. Its facts are exact substrings of a tool
output, each occurring exactly once in it (a fact that repeats elsewhere would count as kept when a
different copy survives), and none of them appears in the untouched parts of the conversation (a
fact quoted by the question would count as kept whatever the compressor did). The question is
filled from a template of the case's kind with words taken from the fact and its neighbourhood,
never written by hand for one case.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import sysconfig
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SYSTEM = "You are a coding agent. Answer the user's question from the tool output; cite exact lines."

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[.:-][A-Za-z_][A-Za-z0-9_]*)*")
# words too common to tell a user's question apart; a question made of them would not name anything
STOP = frozenset(
    """a an and are as at be been but by can do does else for from has have if in into is it its not of on or
    self cls none true false return def class import the then this that to was were will with which what when
    where why how you your all any int str bool list dict set tuple object pass raise elif while try except
    finally lambda yield assert del global nonlocal also may more most must should such than them they there
    these those use used using only one two new old get set out see other some each per via etc""".split()
)

# files the project's own corpus (benchmarks/corpus) was captured from: the compressors were looked at
# against them, so they are left out here
EXCLUDED_SUFFIXES = (
    "/argparse.py",
    "/json/decoder.py",
    "/shlex.py",
    "/tiktoken/core.py",
    "/stdio.h",
    "/bits/regex.h",
    "/bits/stl_tree.h",
    "users-and-groups.html",
)


@dataclass
class Call:
    """One tool call and its real output: the command as the agent would have typed it."""

    command: str
    output: str


@dataclass
class Case:
    id: str
    kind: str
    question: str
    facts: list[str]
    calls: list[Call]
    messages: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.messages:
            self.messages = conversation(self.question, self.calls)


def conversation(question: str, calls: Sequence[Call]) -> list[dict[str, Any]]:
    """The OpenAI chat shape benchmarks/run.py uses, one assistant tool call and tool result per call."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}]
    for index, call in enumerate(calls, 1):
        call_id = f"call_{index}"
        messages.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": "run_shell", "arguments": json.dumps({"cmd": call.command})},
                    }
                ],
            }
        )
        messages.append({"role": "tool", "tool_call_id": call_id, "content": call.output})
    return messages


def valid(case: Case) -> bool:
    """The invariants of a built case: each fact once in one output, none in the untouched parts."""
    if not case.question.strip() or not case.facts:
        return False
    untouched = json.dumps([m for m in case.messages if m["role"] != "tool"])
    outputs = [c.output for c in case.calls]
    for fact in case.facts:
        if not fact.strip() or fact in case.question or json.dumps(fact)[1:-1] in untouched:
            return False
        if sum(o.count(fact) for o in outputs) != 1:
            return False
    return True


def words(text: str, avoid: Iterable[str] = ()) -> list[str]:
    """Distinctive words of ``text`` in order, once each: identifiers and version-like terms, no stop words."""
    seen = {w.lower() for w in avoid}
    out: list[str] = []
    for match in IDENT.finditer(text):
        word = match.group().strip(".:-")
        low = word.lower()
        if len(word) < 3 or low in STOP or low in seen or word.isdigit():
            continue
        seen.add(low)
        out.append(word)
    return out


def pick_words(rng: random.Random, text: str, k: int, avoid: Iterable[str] = ()) -> list[str]:
    """Up to ``k`` distinctive words of ``text``, chosen at random, kept in their order of appearance."""
    found = words(text, avoid)
    if len(found) <= k:
        return found
    chosen = sorted(rng.sample(range(len(found)), k))
    return [found[i] for i in chosen]


def holding(lines: list[str], wanted: list[str]) -> int:
    """How many of ``lines`` hold every word of ``wanted`` as a whole word, in any case."""
    patterns = [re.compile(rf"(?<![A-Za-z0-9_]){re.escape(w)}(?![A-Za-z0-9_])", re.IGNORECASE) for w in wanted]
    return sum(all(p.search(line) for p in patterns) for line in lines)


def telling(chosen: list[str], line: str, lines: list[str], avoid: list[str], alone: int = 1) -> list[str]:
    """The words a question asks about ``line`` with, so that it names that line among ``lines``.

    ``chosen`` (drawn at random) when its first ``alone`` words, those every template asks with,
    are held by one line only; else ``line``'s words held by the fewest of ``lines``, rarest
    first, when those single it out; else ``chosen`` (the line's every word recurs). No random
    draw is made, so a builder's later draws, and so its cases, stay the same."""
    if holding(lines, chosen[:alone]) <= 1:
        return chosen
    found = words(line, avoid)
    rarest = sorted(found, key=lambda w: (holding(lines, [w]), found.index(w)))[: len(chosen)]
    return rarest if len(rarest) == len(chosen) and holding(lines, rarest[:alone]) <= 1 else chosen


def unique_lines(text: str, accept: Callable[[str], bool]) -> list[int]:
    """Indexes of lines that ``accept`` takes and whose stripped text occurs once in ``text``."""
    lines = text.split("\n")
    counts: dict[str, int] = {}
    for line in lines:
        key = line.strip()
        counts[key] = counts.get(key, 0) + 1
    return [
        i
        for i, line in enumerate(lines)
        if accept(line) and counts[line.strip()] == 1 and text.count(line.strip()) == 1
    ]


def read_text(path: Path, low: int = 0, high: int = 1 << 30) -> str | None:
    """The file's text when it is UTF-8 and its size lies in [low, high]; None otherwise."""
    try:
        size = path.stat().st_size
        if not low <= size <= high:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def files(root: Path, pattern: str, exclude: Sequence[str] = ()) -> list[Path]:
    """Files under ``root`` matching ``pattern``, sorted so that the same machine gives the same list."""
    if not root.is_dir():
        return []
    found = []
    for path in root.rglob(pattern):
        text = str(path)
        if any(part in text for part in exclude) or text.endswith(EXCLUDED_SUFFIXES):
            continue
        if path.is_file():
            found.append(path)
    return sorted(found)


def run(
    argv: Sequence[str], cwd: Path | None = None, timeout: float = 30.0, env: dict[str, str] | None = None
) -> str | None:
    """A command's stdout, or None when it is missing or fails: a missing source is skipped, never fatal."""
    full = {**os.environ, "LC_ALL": "C.UTF-8", "MANWIDTH": "80", "MANPAGER": "cat", "PAGER": "cat", **(env or {})}
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=timeout, env=full, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode not in (0, 1):
        return None
    try:
        return done.stdout.decode("utf-8")
    except UnicodeDecodeError:
        return None


def python_roots() -> list[tuple[str, Path]]:
    """(label, directory) of the Python sources present: the standard library and the site-packages directories."""
    base = {"base": sys.base_prefix, "platbase": sys.base_prefix}
    roots = [
        (f"lib/python{sys.version_info.major}.{sys.version_info.minor}", Path(sysconfig.get_paths()["stdlib"])),
        ("site-packages", Path(sysconfig.get_paths(vars=base)["purelib"])),
        ("site-packages", Path(sysconfig.get_paths()["purelib"])),
    ]
    unique: list[tuple[str, Path]] = []
    for label, path in roots:
        if path.is_dir() and all(path.resolve() != p.resolve() for _, p in unique):
            unique.append((label, path))
    return unique


def shown(path: Path) -> str:
    """A path as the agent's command names it: relative to a Python root, else as it is on the system."""
    # the deepest root first: site-packages may sit inside the standard library's directory
    for label, root in sorted(python_roots(), key=lambda item: -len(item[1].parts)):
        try:
            return f"{label}/{path.relative_to(root)}"
        except ValueError:
            continue
    return str(path)


def spread(rng: random.Random, items: Sequence[Any], family: Callable[[Any], str]) -> list[Any]:
    """``items`` in a random order that takes one item per family in turn.

    Sources are uneven (one package ships thousands of JSON files, one command family thousands
    of man pages); drawing families in turn keeps any one of them from filling a kind.
    """
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(family(item), []).append(item)
    order = sorted(groups)
    rng.shuffle(order)
    for name in order:
        rng.shuffle(groups[name])
    out: list[Any] = []
    depth = 0
    while len(out) < len(items):
        out += [groups[name][depth] for name in order if depth < len(groups[name])]
        depth += 1
    return out


def collect(kind: str, made: Iterable[Case | None], want: int, skipped: list[str]) -> list[Case]:
    """The first ``want`` cases ``made`` yields, leaving out ``None`` and repeated ids.

    ``made`` is drawn one case at a time and no further once ``want`` are held, so a builder that
    makes its cases lazily (a generator over its sources) draws its random choices in the same
    order as a loop of its own would. A kind with fewer cases is reported in ``skipped``.
    """
    cases: list[Case] = []
    ids: set[str] = set()
    source = iter(made)
    while len(cases) < want:
        try:
            case = next(source)
        except StopIteration:
            break
        if case is not None and case.id not in ids:
            ids.add(case.id)
            cases.append(case)
    if len(cases) < want:
        skipped.append(f"{kind}: {len(cases)} of {want} cases built")
    return cases


def family_of(path: Path) -> str:
    """A file's family: its Python package, its directory under /usr/include or /usr/share, else its directory."""
    parts = shown(path).split("/")
    if parts[0] == "site-packages":
        return "/".join(parts[:2])
    if parts[0] == "lib":  # lib/python3.X/<package or module>
        return "/".join(parts[:3])
    if path.parts[:3] == ("/", "usr", "include") and len(path.parts) > 4:
        return path.parts[3]  # node, c++, linux, x86_64-linux-gnu...
    if path.parts[:3] == ("/", "usr", "share") and len(path.parts) > 5:
        return "/".join(path.parts[3:5])  # doc/<package>, man/man1...
    return str(path.parent)


def fill(rng: random.Random, templates: Sequence[str], **slots: str) -> str:
    """One template, chosen at random among those whose slots are all filled."""
    usable = [t for t in templates if all(slots.get(name) for name in re.findall(r"{(\w+)}", t))]
    return rng.choice(usable).format(**slots) if usable else ""
