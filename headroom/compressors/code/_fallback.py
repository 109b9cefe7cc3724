"""The fallback when no parser fits: brace-aware or indentation-aware, never syntax-checked.

Brace languages (C#, Kotlin, Swift, PHP, ..., or a known language when its
parser is missing) have their function bodies found by matching braces with
strings and comments skipped: a body is cut between a line that ends with
``{`` after a header that looks like a call signature (not ``if``/``for``/...)
and the line that starts with its ``}``. Indentation languages (Ruby, Python
that does not parse, ...) have the lines indented under a ``def``-like header
cut. The output is text, so the compressor reports this as a fallback.
"""

from __future__ import annotations

import re

from headroom.compressors.code._outline import DEFAULT, SHORT, Outline, Region, Symbol, calls_in, indent_of

__all__ = ["outline_fallback"]

_INDENTED = frozenset({"python", "ruby", "elixir", "julia", "lua", "shell"})
_CONTROL = re.compile(
    r"^\s*(\}\s*)?(if|else|for|foreach|while|do|switch|when|match|try|catch|finally|synchronized|using|lock|return)\b"
)
_CONTAINER = re.compile(
    r"\b(class|struct|interface|enum|namespace|object|trait|impl|module|extension|protocol|record)\b"
)
# The identifier before a call-like parenthesis (group 1). Tried only where a run of word characters
# starts (digits ahead of the identifier are skipped by ``\d*``: inside a run the identifier always ends
# at the run's end, so the run's first letter is where the former pattern found it), and one ``\s*``
# before the parenthesis instead of two adjacent ones: trying every start and every split made a
# 5,000-character line take seconds (quadratic). Group 1 is the same on every line.
_NAME = re.compile(r"(?<![\w$])\d*([A-Za-z_$][\w$]*)\s*(?:<[^<>()]*>\s*)?\(")
_KEYWORDS = frozenset("func function fn fun def sub proc if for while switch catch return new".split())
_INDENT_HEADER = re.compile(
    r"^\s*(?:(?:async|export|public|private|protected|static|pub)\s+)*(?:def|function|fn|func|fun|sub|proc|defp?)\s+([\w$.!?]+)"
)


def _comment_line(indent: str, marker: str) -> str:
    return f"{indent}// {marker}"


def _hash_line(indent: str, marker: str) -> str:
    return f"{indent}# {marker}"


def outline_fallback(lines: list[str], language: str, short: int) -> Outline:
    braces = sum(line.rstrip().endswith("{") for line in lines)
    if language in _INDENTED or braces < 2:
        return _indented(lines, short)
    return _braced(lines, short)


def name_of(header: str) -> str | None:
    """The name a signature line declares: the identifier before its first call-like parenthesis."""
    for found in _NAME.finditer(header):
        if found.group(1) not in _KEYWORDS:
            return found.group(1)
    return None


def _region(lines: list[str], first: int, last: int, short: int) -> Region:
    stage = DEFAULT if last - first + 1 > short else SHORT
    calls = calls_in("".join(lines[first : last + 1]))
    label = "calls: " + ", ".join(calls[:4]) + (f" +{len(calls) - 4}" if len(calls) > 4 else "") if calls else ""
    return Region(first, last, stage, label.replace("]", ")"), indent_of(lines[first]))


def _braced(lines: list[str], short: int) -> Outline:
    symbols: list[Symbol] = []
    regions: list[Region] = []
    stack: list[tuple[int, str | None]] = []  # (line it opened on, the name when it opens a function body)
    in_comment = False
    for index, line in enumerate(lines):
        code, in_comment = _code_only(line, in_comment)
        for position, char in enumerate(code):
            if char == "{":
                header = code[:position] if code[:position].strip() else (lines[index - 1] if index else "")
                function = (
                    not code[position + 1 :].strip()
                    and "(" in header
                    and not _CONTROL.match(header)
                    and not _CONTAINER.search(header.split("(")[0])
                )
                stack.append((index, (name_of(header) or "") if function else None))
            elif char == "}" and stack:
                opened, name = stack.pop()
                if name is None or code[:position].strip():
                    continue
                if index - opened >= 3:
                    regions.append(_region(lines, opened + 1, index - 1, short))
                if name:
                    start = _header_start(lines, opened)
                    symbols.append(Symbol(name, "function", start, index, (start, opened)))
    return Outline("fallback", tuple(symbols), tuple(regions), _comment_line)


_TOKEN = re.compile(r"//|/\*|[\"'`]")


def _code_only(line: str, in_comment: bool) -> tuple[str, bool]:
    """``line`` without its comments and string contents, and whether a block comment stays open."""
    out: list[str] = []
    at = 0
    if in_comment:
        end = line.find("*/")
        if end < 0:
            return "", True
        at = end + 2
    while at < len(line):
        found = _TOKEN.search(line, at)
        if not found:
            out.append(line[at:])
            break
        out.append(line[at : found.start()])
        token = found.group()
        if token == "//":
            break
        if token == "/*":
            end = line.find("*/", found.end())
            if end < 0:
                return "".join(out), True
            at = end + 2
            continue
        close = found.end()
        while close < len(line) and line[close] != token:
            close += 2 if line[close] == "\\" else 1
        out.append(token * 2)
        at = close + 1
    return "".join(out), False


def _header_start(lines: list[str], opened: int) -> int:
    """The line a signature starts on: a line that is only ``{`` belongs to the one above."""
    return opened - 1 if opened and lines[opened].strip() == "{" else opened


def _indented(lines: list[str], short: int) -> Outline:
    symbols: list[Symbol] = []
    regions: list[Region] = []
    for index, line in enumerate(lines):
        found = _INDENT_HEADER.match(line)
        if not found:
            continue
        depth = len(indent_of(line))
        last = index
        for later in range(index + 1, len(lines)):
            text = lines[later]
            if text.strip() and len(indent_of(text)) <= depth:
                break
            if text.strip():
                last = later
        symbols.append(Symbol(found.group(1), "function", index, last, (index, index)))
        if last - index >= 2:
            regions.append(_region(lines, index + 1, last, short))
    marker_line = _comment_line if any(line.rstrip().endswith("{") for line in lines) else _hash_line
    return Outline("fallback", tuple(symbols), tuple(regions), marker_line)
