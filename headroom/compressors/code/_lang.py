"""What a code piece is made of: its files, their line-number prefixes, their languages.

Agents read files in three shapes: plain source, source with line numbers in
front (``cat -n`` puts ``%6d`` and a tab, agent read tools put ``   12→``), and
several files one after the other under header lines (``==> a.py <==`` from
``head``/``tail``, ``=== a.py ===``, ``File: a.py``). ``split_piece`` cuts a
piece into ``Chunk`` values: each file's code with its prefixes set aside (so
a parser sees plain source and the output can put every number back), and the
lines in between (headers, a preamble) that are kept as they are.

The language comes from a file name when one is known (a header, the tool
call's arguments), else from the content.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from headroom.plugins import split_lines

__all__ = ["Chunk", "file_name_in", "guesses", "language_of", "looks_like_code", "split_piece"]

EXTENSIONS = {
    "py": "python",
    "pyi": "python",
    "pyw": "python",
    "js": "javascript",
    "mjs": "javascript",
    "cjs": "javascript",
    "jsx": "javascript",
    "ts": "typescript",
    "mts": "typescript",
    "cts": "typescript",
    "tsx": "tsx",
    "go": "go",
    "rs": "rust",
    "java": "java",
    "c": "c",
    "h": "c",
    "cc": "cpp",
    "cpp": "cpp",
    "cxx": "cpp",
    "c++": "cpp",
    "hpp": "cpp",
    "hh": "cpp",
    "hxx": "cpp",
    "h++": "cpp",
    "ipp": "cpp",
    # no parser here: the brace- or indentation-aware fallback takes them
    "cs": "csharp",
    "kt": "kotlin",
    "kts": "kotlin",
    "scala": "scala",
    "swift": "swift",
    "php": "php",
    "dart": "dart",
    "m": "objc",
    "mm": "objc",
    "rb": "ruby",
    "lua": "lua",
    "pl": "perl",
    "pm": "perl",
    "sh": "shell",
    "bash": "shell",
    "zsh": "shell",
    "ex": "elixir",
    "exs": "elixir",
    "jl": "julia",
}
_PATH = r"[\w.@+~/\\-]*\.(?:" + "|".join(sorted((re.escape(e) for e in EXTENSIONS), key=len, reverse=True)) + r")"
# Tried only where a run of path characters starts: within a run the former ``(?<![\w.])`` start found
# the run's last extension from the run's start or nothing, and trying every '/' or '-' of a long run
# was quadratic (0.4 s on 20,000 characters). The header's leading rule takes all its dashes
# (``(?!-)``): a path never needs the rule's dashes, and giving them back one by one was quadratic too.
# Same results (tests/test_linear_regexes.py).
_PATH_RE = re.compile(r"(?<![\w.@+~/\\-])(" + _PATH + r")(?![\w+])")
_HEADER_RE = re.compile(
    r"^(?:==> (?P<a>.+) <==|(?:={3,}|-{3,}(?!-)|#{2,}) ?(?P<b>" + _PATH + r") ?(?:={3,}|-{3,}|#{2,})?|"
    r"(?:File|FILE|Path): ?(?P<c>" + _PATH + r"))\s*$"
)
_HEADER_FIRST = frozenset("=-#FP")
# cat -n / nl (number, tab), agent read tools (number, arrow), and "12: " / "12 | " styles
_PREFIX_RES = (
    re.compile(r"^ *\d+\t"),
    re.compile(r"^ *\d+→"),
    re.compile(r"^ *\d+ ?\| ?"),
    re.compile(r"^ *\d+: "),
)

# content clues, one weight each; the best total wins
_CLUES: dict[str, tuple[tuple[str, int], ...]] = {
    "python": (
        (r"^\s*def \w+\(.*\)( -> .+)?:\s*$", 3),
        (r"^\s*(from [\w.]+ )?import [\w.]+", 1),
        (r"^\s*class \w+(\(.*\))?:\s*$", 3),
        (r"\bself\.\w", 1),
        (r"^\s*@\w[\w.]*", 1),
        (r'^\s*"""', 1),
        (r"^\s*(elif|except\b.*:|raise) ", 2),
    ),
    "javascript": (
        (r"^\s*(export )?(async )?function\*? ?\w*\s*\(", 3),
        (r"\b(const|let|var) \w+ = ", 1),
        (r"=>", 1),
        (r"\brequire\(['\"]", 3),
        (r"^\s*module\.exports\b", 3),
        (r"^\s*import .* from ['\"]", 2),
        (r"===|!==", 1),
    ),
    "typescript": (
        (r"^\s*(export )?(interface|type|enum|namespace) \w+", 3),
        (r"\w\??: (string|number|boolean|any|unknown|void)\b", 3),
        (r"^\s*(public|private|protected|readonly) \w+", 1),
        (r"^\s*import type ", 3),
    ),
    "go": (
        (r"^package \w+\s*$", 3),
        (r"^func (\(\w+ \*?\w+\) )?\w+\(", 5),
        (r":= ", 2),
        (r"^import \($", 3),
        (r"\berr != nil\b", 3),
    ),
    "rust": (
        (r"^\s*(pub(\(\w+\))? )?fn \w+", 4),
        (r"^\s*use \w+(::\w+)+", 3),
        (r"\blet mut\b", 3),
        (r"^\s*impl\b", 3),
        (r"^\s*#\[\w+", 2),
        (r"&self\b|&mut\b", 2),
        (r"^\s*(pub )?(struct|enum|trait|mod) \w+", 2),
    ),
    "java": (
        (r"^package [\w.]+;", 5),
        (r"^import (static )?[\w.]+(\.\*)?;", 4),
        (r"^\s*(public|private|protected)( static)?( final)? [\w<>\[\], ]+ \w+\(", 3),
        (r"^\s*@(Override|Deprecated|SuppressWarnings)\b", 3),
        (r"\b(public|private) (final )?class \w+", 3),
    ),
    "c": (
        (r"^#include [<\"]", 3),
        (r"^#(define|ifdef|ifndef|endif|if)\b", 2),
        (
            r"^(static |extern )?(const )?(unsigned |signed )?"
            r"(int|void|char|long|short|double|float|size_t|struct \w+) \**\w+\s*\(",
            3,
        ),
        (r"^typedef ", 2),
        (r"->\w", 1),
        (r"\bNULL\b", 1),
    ),
    "cpp": (
        (r"\bstd::", 3),
        (r"^\s*template\s*<", 4),
        (r"^\s*namespace \w*", 3),
        (r"^\s*(public|private|protected):\s*$", 4),
        (r"^\s*class \w+( final)?\s*(:|\{|$)", 3),
        (r"\w::\w+\(", 2),
        (r"^#include <\w+>$", 2),
        (r"\b(nullptr|constexpr|noexcept)\b", 3),
    ),
}
_CLUE_RES = {lang: tuple((re.compile(p, re.M), w) for p, w in clues) for lang, clues in _CLUES.items()}
_SAMPLE = 40_000
_CLUE_SAMPLE = 16_000  # enough lines to tell languages apart; scanning more costs milliseconds


@dataclass(frozen=True)
class Chunk:
    """Lines of a piece: one file's code (``language`` set) or kept text (``language`` None).

    ``start`` is the 0-based index of the chunk's first line in the piece;
    ``prefixes[i]`` is what stood before ``lines[i]`` in the piece (a line number).
    """

    start: int
    lines: list[str]
    prefixes: list[str]
    language: str | None
    name: str | None = None


def split_piece(text: str, file_name: str | None = None) -> list[Chunk]:
    """The piece's files and the text around them, in order."""
    lines = split_lines(text)
    # a header starts with one of these (``_HEADER_RE``'s alternatives): most lines are ruled out by
    # their first character, without the pattern (1 MB: 25,000 lines)
    headers = [i for i, line in enumerate(lines) if line[:1] in _HEADER_FIRST and _HEADER_RE.match(line.rstrip("\r\n"))]
    if not headers:
        return [_code_chunk(0, lines, file_name)]
    chunks: list[Chunk] = []
    if headers[0] > 0:
        chunks.append(Chunk(0, lines[: headers[0]], [""] * headers[0], None))
    for number, at in enumerate(headers):
        end = headers[number + 1] if number + 1 < len(headers) else len(lines)
        found = _HEADER_RE.match(lines[at].rstrip("\r\n"))
        assert found is not None
        name = (found.group("a") or found.group("b") or found.group("c") or "").strip()
        chunks.append(Chunk(at, [lines[at]], [""], None))
        if end > at + 1:
            chunks.append(_code_chunk(at + 1, lines[at + 1 : end], name))
    return chunks


def _code_chunk(start: int, lines: list[str], name: str | None) -> Chunk:
    prefixes, code = strip_numbers(lines)
    return Chunk(start, code, prefixes, language_of("".join(code), name) or "unknown", name)


def strip_numbers(lines: list[str]) -> tuple[list[str], list[str]]:
    """Line-number prefixes and the code after them, when nearly every line is numbered in sequence."""
    sample = [line for line in lines[:400] if line.strip()]
    for pattern in _PREFIX_RES:
        found = [pattern.match(line) for line in sample]
        if len(sample) < 2 or sum(m is not None for m in found) < 0.9 * len(sample):
            continue
        numbers = [int(m.group().strip(" \t→|:")) for m in found if m]
        steps = sum(b == a + 1 for a, b in zip(numbers, numbers[1:]))
        if steps < 0.8 * (len(numbers) - 1):
            continue
        prefixes, code = [], []
        for line in lines:
            m = pattern.match(line)
            cut = m.end() if m else 0
            prefixes.append(line[:cut])
            code.append(line[cut:])
        return prefixes, code
    return [""] * len(lines), lines


def file_name_in(tool_args: str | None) -> str | None:
    """The source file a tool call names: a ``path``-like argument, else the last path in a command."""
    if not tool_args:
        return None
    try:
        args = json.loads(tool_args)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth: read as text
        args = None
    if isinstance(args, dict):
        for key in ("path", "file_path", "filePath", "file", "filename", "target_file", "absolute_path"):
            value = args.get(key)
            if isinstance(value, str) and _PATH_RE.search(value):
                return value
    found = _PATH_RE.findall(tool_args)
    return found[-1] if found else None


def language_of(code: str, file_name: str | None = None) -> str | None:
    """The language of ``code``: by the file name's extension, else by content clues; None if no clue."""
    if file_name:
        extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
        language = EXTENSIONS.get(extension)
        if language == "c" and _score(code, "cpp") >= 6:
            return "cpp"  # a .h file written in C++
        if language:
            return language
    ranked = guesses(code)
    return ranked[0] if ranked else None


def guesses(code: str) -> list[str]:
    """The languages ``code`` has clues of (4 points or more), likeliest first."""
    scores = {lang: _score(code, lang) for lang in _CLUE_RES}
    if scores["typescript"] and scores["javascript"]:
        scores["typescript"] += scores["javascript"]
    if scores["cpp"] and scores["c"]:
        scores["cpp"] += scores["c"]
    return [lang for lang in sorted(scores, key=lambda lang: (scores[lang], lang), reverse=True) if scores[lang] >= 4]


def _score(code: str, language: str) -> int:
    sample = code[:_CLUE_SAMPLE]
    return sum(min(len(pattern.findall(sample)), 5) * weight for pattern, weight in _CLUE_RES[language])


_CODE_LINE = re.compile(
    r"^\s*(def |class |import |from \S+ import |#include |#define |#if|package |func |fn |pub "
    r"|public |private |protected |"
    r"static |const |let |var |function |export |interface |struct |enum |impl |use |using |namespace |template\s*<|"
    r"typedef |@\w|async |return\b|raise |yield |elif |else:|try:|except\b|finally:|with |assert |\};?\s*$|"
    r"(if|for|while|switch) ?\(.*\) ?\{\s*$|(if|for|while) .*:\s*$|[\w.]+(\[.*\])? = \S)"
)


def looks_like_code(text: str) -> bool:
    """The router's cheap check on the first 200 lines, line numbers and file headers set aside."""
    head = split_lines(text[:_SAMPLE])[:200]
    body = [line for line in head if not _HEADER_RE.match(line.rstrip("\r\n"))]
    code = [line for line in strip_numbers(body)[1] if line.strip()]
    if len(code) < 3:
        return False
    return sum(1 for line in code if _CODE_LINE.match(line)) >= 0.1 * len(code)
