"""What every code parser reports about a file, and how a chosen set of cuts is rendered.

A parser (Python's ``ast``, ast-grep, the brace/indentation fallback) turns a
file's lines into an ``Outline``: its symbols (for retrieval by name and for
the query) and its regions, the line ranges that may be replaced by one
marker line, each tagged with the stage at which it goes:

1. the default: bodies of functions that are not short, the values of long
   literals assigned at file or class level, the rest of long docstrings and
   doc comments after their first line;
2. short bodies and short literals;
3. whole docstrings and doc comments;
4. whole items (functions, classes, declarations, statements) at file or
   class level.

Regions nest (an item holds its body) or are disjoint; when a region and one
inside it are both chosen, the outer one stands. Adjacent chosen regions at
the same indentation share one marker.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

__all__ = [
    "Outline",
    "Region",
    "Rendered",
    "Symbol",
    "effective",
    "filled_lines",
    "render",
    "running",
    "short_list",
    "skeleton",
    "value_region",
]

DEFAULT, SHORT, DOC, ITEM = 1, 2, 3, 4
SHORT_CUT_LINES = 3  # a cut of at most this many lines has no label in its mark
_CALL = re.compile(r"(?<![\w$])([A-Za-z_$][\w$]*)\s*(?:!\s*)?\(")
_NOT_CALLS = frozenset(
    "if for while switch catch return sizeof typeof alignof decltype function fn func new delete throw "
    "await yield assert elif and or not in is lambda print super match with case defined static_assert "
    "else do try void int char long float double bool unsafe move let var const in as loop unless until".split()
)


@dataclass(frozen=True)
class Symbol:
    """A named definition; ``first``/``last`` are 0-based inclusive lines, decorators and doc comments included.

    ``signature`` is the declaration proper, first and last line: from its
    decorators or attributes (not the doc comment above) to the line that
    opens its body, or the whole declaration when it has no body.
    """

    name: str
    kind: str
    first: int
    last: int
    signature: tuple[int, int]


@dataclass(frozen=True)
class Region:
    """Lines ``first``..``last`` (0-based, inclusive) that one marker line may stand for.

    ``label`` follows the range in the marker (``calls: a, b``, ``def f``).
    ``host`` is the kept line a comment's or docstring's rest hangs from (its
    first line), split where a marker may go: ``(line, before, after)``. When
    this region is cut, that line becomes ``before + after`` (closed, where the
    comment or string needs it, so the code still parses). With ``rides``, the
    region's marker goes there (``before [marker]after``) when no other cut
    shares it: a line of its own would cost a newline, an indent and a comment
    opener. A function body does not ride on its docstring: its marker stays
    a statement of its own, where the code was.
    """

    first: int
    last: int
    stage: int
    label: str
    indent: str
    host: tuple[int, str, str] | None = None
    rides: bool = False
    comment: bool = False  # comment lines, or a literal's values: a comment may stand for them, no statement needed
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # regions key every table of the budget search (mark costs, cuts found broken) and are looked
        # up tens of thousands of times for a 1 MB file: hashed once here, not on every lookup
        key = (self.first, self.last, self.stage, self.label, self.indent, self.host, self.rides, self.comment)
        object.__setattr__(self, "_hash", hash(key))

    def __hash__(self) -> int:
        return self._hash


@dataclass(frozen=True)
class Outline:
    """A file as its parser saw it. ``marker_line`` formats a marker as a line of this language."""

    parser: str
    symbols: tuple[Symbol, ...]
    regions: tuple[Region, ...]
    marker_line: Callable[[str, str], str]
    comment_line: Callable[[str, str], str] | None = None  # a marker as a plain comment, where that differs
    errors: tuple[tuple[int, int, int, int], ...] = ()  # the parser's error nodes: (line, column, last line, column)


@dataclass(frozen=True)
class Rendered:
    """A file with some regions cut.

    ``origin[i]`` is the file line that output line ``i`` shows, or ``-1 - g``
    for the marker line of ``groups[g]``: how a parser's complaint about the
    output is traced back to the original and to the cut that caused it.
    """

    text: str  # with the line-number prefixes
    code: str  # bare, for a parser
    omitted: int
    origin: tuple[int, ...]
    groups: tuple[tuple[Region, ...], ...]


def skeleton(symbols: tuple[Symbol, ...]) -> list[Symbol]:
    """The symbols that are not inside a function's body: the file's outline, whose signatures stay."""
    out: list[Symbol] = []
    bodies: list[tuple[int, int]] = []  # (after the signature, last line) of the functions around
    for symbol in sorted(symbols, key=lambda s: (s.first, -s.last)):
        while bodies and bodies[-1][1] < symbol.first:
            bodies.pop()
        if any(after < symbol.first for after, _ in bodies):
            continue
        out.append(symbol)
        if symbol.kind in ("def", "function"):
            bodies.append((symbol.signature[1], symbol.last))
    return out


def calls_in(text: str) -> list[str]:
    """Names called in ``text``, in order of first call, language-agnostic."""
    return list(dict.fromkeys(name for name in _CALL.findall(text) if name not in _NOT_CALLS))


def short_list(names: Iterable[str], most: int = 2) -> str:
    """``a, b, c +2``: the first names, then how many more."""
    unique = list(dict.fromkeys(n for n in names if n))
    text = ", ".join(unique[:most]) + (f" +{len(unique) - most}" if len(unique) > most else "")
    return text.replace("]", ")").replace("\n", " ")


def effective(chosen: Iterable[Region]) -> list[Region]:
    """The chosen regions that no other chosen region holds, in line order."""
    out: list[Region] = []
    for region in sorted(chosen, key=lambda r: (r.first, -r.last)):
        if out and region.first <= out[-1].last:
            continue
        out.append(region)
    return out


def groups(regions: list[Region], lines: list[str], filled: list[int] | None = None) -> list[list[Region]]:
    """Effective regions merged where only blank lines part one from the next at the same indentation.

    ``filled[i]``, when given, counts the non-blank lines before line ``i``
    (``filled_lines``): the gap is then checked in constant time, which the
    budget search's estimates need (they group every chosen cut, many times).
    """
    out: list[list[Region]] = []
    for region in regions:
        previous = out[-1][-1] if out else None
        if (
            previous is not None
            and previous.indent == region.indent
            and (
                filled[region.first] == filled[previous.last + 1]
                if filled is not None
                else not any(line.strip() for line in lines[previous.last + 1 : region.first])
            )
        ):
            out[-1].append(region)
        else:
            out.append([region])
    return out


def filled_lines(lines: list[str]) -> list[int]:
    """``out[i]``: how many of the first ``i`` lines are not blank."""
    out = [0]
    for line in lines:
        out.append(out[-1] + (1 if line.strip() else 0))
    return out


def running(costs: list[int]) -> list[int]:
    """``out[i]``: the sum of the first ``i`` costs, so a span's cost is one subtraction."""
    out = [0]
    for cost in costs:
        out.append(out[-1] + cost)
    return out


def render(
    lines: list[str],
    prefixes: list[str],
    chosen: Iterable[Region],
    outline: Outline,
    marker: Callable[[int, str], str],
    offset: int,
) -> Rendered:
    """The file with ``chosen`` cut. ``marker(count, detail)`` renders a marker; ``offset``
    turns the file's line indexes into the piece's 1-based line numbers."""
    cut = groups(effective(chosen), lines)
    rewrites = {r.host[0]: r.host[1] + r.host[2] for group in cut for r in group if r.host}
    hosted: dict[int, int] = {}  # host line -> the group whose marker rides on it
    spans = [(group[0].first, group[-1].last) for group in cut]
    for number, group in enumerate(cut):
        host = group[0].host
        if len(group) == 1 and host and group[0].rides and not any(first <= host[0] <= last for first, last in spans):
            hosted[host[0]] = number
            rewrites[host[0]] = f"{host[1]} {marker(group[0].last - group[0].first + 1, _span(group, offset))}{host[2]}"
    riding = set(hosted.values())
    out: list[str] = []
    code: list[str] = []
    origin: list[int] = []
    omitted = 0
    index = 0

    changed = sorted(rewrites)  # the few lines not kept as they are; the rest are copied in runs
    bare = not any(prefixes)

    def keep(upto: int) -> None:
        at = index
        for i in changed[bisect.bisect_left(changed, at) : bisect.bisect_left(changed, upto)]:
            copy(at, i)
            line = rewrites[i]
            out.append(prefixes[i] + line)
            code.append(line)
            origin.append(-1 - hosted[i] if i in hosted else i)
            at = i + 1
        copy(at, upto)

    def copy(start: int, end: int) -> None:
        if start >= end:
            return
        code.extend(lines[start:end])
        out.extend(lines[start:end] if bare else map(str.__add__, prefixes[start:end], lines[start:end]))
        origin.extend(range(start, end))

    for number, group in enumerate(cut):
        first, last = group[0].first, group[-1].last
        keep(first)
        omitted += last - first + 1
        index = last + 1
        if number in riding:
            continue
        # a few lines are read faster than their call list: a short cut's mark names only its range
        label = short_list(r.label for r in group) if last - first + 1 > SHORT_CUT_LINES else ""
        detail = _span(group, offset) + (f" {label}" if label else "")
        ending = "\n" if lines[last].endswith("\n") else ""
        style = outline.comment_line if outline.comment_line and all(r.comment for r in group) else outline.marker_line
        line = style(group[0].indent, marker(last - first + 1, detail)) + ending
        out.append(line)
        code.append(line)
        origin.append(-1 - number)
    keep(len(lines))
    return Rendered("".join(out), "".join(code), omitted, tuple(origin), tuple(map(tuple, cut)))


def _span(group: list[Region], offset: int) -> str:
    """The piece's 1-based line range a group of cuts stands for."""
    return f"{offset + group[0].first + 1}-{offset + group[-1].last + 1}"


# `x = {`, `T x[] = {`, `X: T = [`: an assignment's `=` on the line of the opening bracket that ends it.
# Found in two linear scans: the former single pattern `(?<![=!<>])=(?![=>]).*[\[{(]\s*$` ran `.*` to
# the end from every `=` (quadratic: 0.7 s on a 20,000-character line of `a=`); the same lines pass.
_ASSIGNS = re.compile(r"(?<![=!<>])=(?![=>])")
_OPENS_AT_END = re.compile(r"[\[{(]\s*$")


def assigned_opener(line: str) -> bool:
    """Whether ``line`` assigns a value whose opening bracket ends it (on the same line as the ``=``)."""
    opener = _OPENS_AT_END.search(line)
    if opener is None:
        return False
    at = opener.start()
    return _ASSIGNS.search(line, line.rfind("\n", 0, at) + 1, at) is not None


_CLOSER = re.compile(r"^\s*[\]})]")


def value_region(lines: list[str], first: int, last: int, short: int) -> Region | None:
    """The lines inside the brackets of a declaration's literal value (``x = [`` to ``]``), which go
    like a body: a long table is data, its declaration line is what says what it is. None unless the
    first line assigns and ends with the opening bracket and the last starts with the closing one."""
    if last - first < 2 or not assigned_opener(lines[first].split("//")[0]) or not _CLOSER.match(lines[last]):
        return None
    inner = (first + 1, last - 1)
    stage = DEFAULT if inner[1] - inner[0] + 1 > short else SHORT
    return Region(inner[0], inner[1], stage, "values", indent_of(lines[inner[0]]), comment=True)


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]
