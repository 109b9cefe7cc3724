"""Encodings of JSON that keep every value: lexical minification and the row table.

Minification works on the text, not on parsed values: whitespace outside
strings goes and every other character stays, so numbers keep their exact
digits and strings their exact escapes.

The row table serves an array of objects, the shape of most API answers and
package listings (docs/compressors/json.md describes it for readers):

    [json rows] {"path":["installed"],"rows":3,"columns":["name","version"],"shapes":{"1":["name","version","dist.url"]},"dotted":true}
    ["pydantic","2.14.3"]
    1["headroom","0.1.0","/src"]
    ["tiktoken","0.14.0"]

The header is JSON after the ``[json rows]`` tag: where the array sits in the
document (keys and indexes from the top), how many rows it has, the columns of
its main shape and, when rows differ in keys, the other shapes by number; a row
line that starts with a number holds that shape's columns. With ``"dotted"``
every column name is a path: ``dist.url`` is the key ``url`` of the object
under ``dist`` (small nested objects are flattened so; a table whose keys hold
dots is never dotted). The rest of the document, when the array is not all of
it, is the header's ``document`` with ``"__headroom_rows__"`` where the array
goes. A line that is a headroom marker stands for rows left out (lossy tables
only) and decodes to the marker text itself, the way the JSON form holds it. A
line that starts with ``{`` is a row written as the object it is (lossy tables
spell so the rows the question asks for, in the input's separators).
"""  # noqa: E501 (the example row header is one line, as the compressor writes it)

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any

from headroom.markers import MARKER_RE

__all__ = [
    "COMPACT",
    "TABLE_TAG",
    "Layout",
    "RowCache",
    "Style",
    "decode_table",
    "dump",
    "encode_table",
    "layout",
    "main_array",
    "minify",
    "string_spans",
    "style_of",
]

TABLE_TAG = "[json rows]"
PLACEHOLDER = "__headroom_rows__"
_MAX_SHAPES = 8
_FLAT_LEAVES = 8  # nested objects up to this many leaves are flattened into dotted columns

Path = list[str | int]

_LEXEME = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s"]+')


@dataclass(frozen=True)
class Style:
    """The separators a document is written with, without its indentation: after an item
    (``","`` or ``", "``) and after a key (``":"``, ``": "``, or ``" : "`` where the input puts a
    space before the colon too, as botocore's Jackson-written waiters do: ``"expected" : "FAILED"``).

    A shrunk or minified document keeps its input's separators (docs/compressors/json.md
    has the measurement): a pretty-printed ``"size": 2048`` line stays findable as written,
    and in cl100k the space mostly merges into the next token.
    """

    item: str = ","
    key: str = ":"
    # keys written with another separator than ``key`` wherever they stand: a file aligning its
    # values (cmake's MSBuild flag tables write ``"name":  "ProjectName"``, two spaces, beside
    # ``"switch": "out:"``), as (key, separator) pairs
    aligned: tuple[tuple[str, str], ...] = ()

    def after(self, key: str) -> str:
        """The separator the input writes after ``key``."""
        return next((sep for name, sep in self.aligned if name == key), self.key)


COMPACT = Style()
# one encoder per pair of separators, built once: ``json.dumps`` with any argument builds a new
# ``JSONEncoder`` per call, and a 1 MB piece dumps tens of thousands of values (the same text)
_ENCODERS: dict[tuple[str, str], json.JSONEncoder] = {}


def _encoder(item: str, key: str) -> json.JSONEncoder:
    found = _ENCODERS.get((item, key))
    if found is None:
        found = _ENCODERS[(item, key)] = json.JSONEncoder(ensure_ascii=False, separators=(item, key))
    return found


_COMPACT_ENCODE = _encoder(",", ":").encode
_AFTER = re.compile(r'"(?:[^"\\]|\\.)*"|([ \t]*)([,:])([ \t]*)(\r?\n)?')


def style_of(text: str) -> Style:
    """The separators ``text`` (JSON) mostly uses, read from its first 20,000 characters: a
    space after the separator (a line break after a comma is indentation, not style)."""
    spaced = {",": 0, ":": 0}
    bare = {",": 0, ":": 0}
    before = 0  # keys followed by a space before their colon (``"key" : value``, as Jackson writes)
    last = ""  # the string literal before the separator: a key, when the separator is a colon
    written: dict[str, Counter[str]] = {}  # a key's literal -> the separators written after it
    for match in _AFTER.finditer(text[:20_000]):
        mark = match[2]
        if mark is None:
            last = match[0]
            continue
        if mark == "," and match[4]:
            continue
        if match[3] or match[4]:
            spaced[mark] += 1
        else:
            bare[mark] += 1
        if mark == ":":
            before += bool(match[1])
            if not match[4]:
                written.setdefault(last, Counter())[match[1] + ":" + match[3]] += 1
    key = ": " if spaced[":"] > bare[":"] else ":"
    key = " " + key if 2 * before > spaced[":"] + bare[":"] else key
    aligned = []
    for literal, seps in written.items():
        sep, count = seps.most_common(1)[0]
        if sep != key and 2 * count > seps.total() and literal.startswith('"'):
            try:
                aligned.append((json.loads(literal), sep))
            except ValueError:  # a literal cut by the scan's end, or an escape JSON refuses
                continue
    return Style(", " if spaced[","] > bare[","] else ",", key, tuple(aligned))


def dump(
    value: Any,
    style: Style = COMPACT,
    spelled: frozenset[int] | None = None,
    named: Callable[[str], bool] | None = None,
    plain: Container[int] = (),
) -> str:
    """``value`` as one line of JSON with ``style``'s separators; with ``spelled``, only the
    containers whose ``id`` it holds use ``style`` between their own entries, the rest is compact;
    with ``named``, every key it accepts (a key the question names) is followed by ``style``'s
    key separator wherever it stands, so its ``"key": value`` reads as the input wrote it.
    ``plain``: the ``id`` of containers the caller knows hold neither (written compact throughout)."""
    if spelled is None and style.aligned:
        return _aligned(value, style)
    if spelled is None or style == COMPACT:
        return _encoder(style.item, style.key).encode(value)
    if (not spelled and named is None) or id(value) in plain:
        # compact throughout: the C encoder writes it in a tenth of the time of the walk below
        return _COMPACT_ENCODE(value)
    own = style if id(value) in spelled else COMPACT
    if isinstance(value, dict):
        entries = (
            _key(k)
            + (style.after(k) if own is style or (named is not None and named(k)) else own.key)
            + dump(v, style, spelled, named, plain)
            for k, v in value.items()
        )
        return "{" + own.item.join(entries) + "}"
    if isinstance(value, list):
        return "[" + own.item.join(dump(v, style, spelled, named, plain) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _aligned(value: Any, style: Style) -> str:
    """``value`` in ``style`` throughout, each key followed by the separator the input writes after it."""
    if isinstance(value, dict):
        return "{" + style.item.join(_key(k) + style.after(k) + _aligned(v, style) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + style.item.join(_aligned(v, style) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _key(key: Any) -> str:
    return json.dumps(key if isinstance(key, str) else str(key), ensure_ascii=False)


def minify(text: str, style: Style = COMPACT) -> str:
    """``text`` without whitespace outside strings (the caller has checked it parses), then
    ``style``'s space after each separator: every other character stays as written."""
    lexemes = _LEXEME.findall(text)
    if style != COMPACT:
        lexemes = [
            lexeme if lexeme.startswith('"') else lexeme.replace(",", style.item).replace(":", style.key)
            for lexeme in lexemes
        ]
    return "".join(lexemes)


def string_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every string literal's content in ``text``, in order (quotes excluded)."""
    spans: list[tuple[int, int]] = []
    index = text.find('"')
    while index >= 0:
        end = index + 1
        while True:
            end = text.find('"', end)
            if end < 0:
                return spans
            slashes = 0
            while text[end - 1 - slashes] == "\\":
                slashes += 1
            if slashes % 2 == 0:
                break
            end += 1
        spans.append((index + 1, end))
        index = text.find('"', end + 1)
    return spans


def main_array(data: Any) -> tuple[Path, list[Any]] | None:
    """The largest array in ``data`` (by item count, then nearest the top), with its path.

    Each container carries its trail as a linked pair (parent's trail, step), so the walk
    costs one tuple per container; copying the path list into every child was a tenth of a
    1 MB piece's lossless forms. The path is spelled out once, for the array found."""
    best: tuple[int, int, Any, list[Any]] | None = None
    stack: list[tuple[Any, Any, int]] = [(None, data, 0)]  # (trail, node, depth)
    while stack:
        trail, node, depth = stack.pop()
        if isinstance(node, list):
            if len(node) >= 2 and (best is None or (len(node), -depth) > (best[0], best[1])):
                best = (len(node), -depth, trail, node)
            below = depth + 1
            stack.extend(((trail, i), child, below) for i, child in enumerate(node) if isinstance(child, (list, dict)))
        elif isinstance(node, dict):
            below = depth + 1
            stack.extend(((trail, k), child, below) for k, child in node.items() if isinstance(child, (list, dict)))
    if best is None:
        return None
    path: Path = []
    trail = best[2]
    while trail is not None:
        trail, step = trail
        path.append(step)
    path.reverse()
    return path, best[3]


@dataclass(frozen=True)
class Layout:
    """The columns of each row shape, most common first; ``dotted`` when nested objects are flattened."""

    shapes: tuple[tuple[str, ...], ...]
    dotted: bool

    def line(self, row: dict[str, Any], known: RowCache | None = None) -> str:
        """``row`` as a table line; ``known`` remembers each row's columns and values across the
        tables of one piece (a fit search renders the same kept rows at every room it tries)."""
        found = None if known is None else known.get((id(row), self.dotted))
        if found is not None and found[0] is row:
            columns, values = found[1], found[2]
        else:
            leaves = _flat(row) if self.dotted else row
            columns, values = tuple(leaves), _COMPACT_ENCODE(list(leaves.values()))
            if known is not None:  # the row itself is held, so its ``id`` names no other row meanwhile
                known[(id(row), self.dotted)] = (row, columns, values)
        number = self.shapes.index(columns)
        return f"{number}{values}" if number else values


# a row's ``(id, dotted)`` -> the row, its columns and its values as a JSON array (``Layout.line``)
RowCache = dict[tuple[int, bool], tuple[dict[str, Any], tuple[str, ...], str]]


def layout(items: list[Any], *, dotted: bool) -> Layout | None:
    """How ``items`` (objects, or marker strings in a lossy table) lay out as rows, or None.

    None when an item is neither, when there are too many shapes for the rows
    to read as one table, or (``dotted``) when a key holds a dot.
    """
    rows = [item for item in items if not (isinstance(item, str) and MARKER_RE.fullmatch(item))]
    if not rows or not all(isinstance(row, dict) for row in rows):
        return None
    if dotted and any("." in key for row in rows for key in row):
        return None
    # before the shapes are counted: the check is a scan, the count flattens every row
    if dotted and not any(isinstance(v, dict) and _flattens(v) for row in rows for v in row.values()):
        return None  # nothing nested to flatten: the plain layout says the same
    counts = Counter(tuple(_flat(row) if dotted else row) for row in rows)
    if len(counts) > min(_MAX_SHAPES, max(2, len(rows) // 2)):
        return None
    return Layout(tuple(shape for shape, _ in counts.most_common()), dotted)


def encode_table(
    data: Any,
    path: Path,
    items: list[Any],
    shape: Layout,
    rows: int,
    *,
    spelled: frozenset[int] = frozenset(),
    style: Style = COMPACT,
    named: Callable[[str], bool] | None = None,
    plain: Container[int] = (),
    known: RowCache | None = None,
) -> str:
    """The table text of ``items`` (rows, and marker strings for rows left out) at ``path`` of ``data``.

    The items whose ``id`` is in ``spelled`` (the rows the question names) are written as the
    objects they are, in ``style``: the answer reads as the input wrote it, keys and all; the
    rest of the document (``header["document"]``) is written as ``dump`` writes it. ``known``:
    see ``Layout.line``."""
    header: dict[str, Any] = {"path": path, "rows": rows, "columns": list(shape.shapes[0])}
    if len(shape.shapes) > 1:
        header["shapes"] = {str(number): list(s) for number, s in enumerate(shape.shapes[1:], 1)}
    if shape.dotted:
        header["dotted"] = True
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))
    if path:  # the rest of the document: what the question asks for in it is spelled as in the JSON form
        document = dump(_with_placeholder(data, path), style, spelled, named, plain)
        head = head[:-1] + ',"document":' + document + "}"
    lines = [
        item if isinstance(item, str) else dump(item, style) if id(item) in spelled else shape.line(item, known)
        for item in items
    ]
    return TABLE_TAG + " " + head + "\n" + "\n".join(lines)


def decode_table(text: str) -> Any:
    """The data a table text holds (a lossy table's markers come back as marker strings)."""
    head, _, body = text.partition("\n")
    if not head.startswith(TABLE_TAG + " "):
        raise ValueError("not a headroom JSON row table")
    header = json.loads(head[len(TABLE_TAG) + 1 :])
    shapes = {0: header["columns"], **{int(k): v for k, v in header.get("shapes", {}).items()}}
    lines = body.split("\n")
    numbers: list[int | None] = []  # each line's shape, None for a marker
    arrays: list[str] = []
    for line in lines:
        if MARKER_RE.fullmatch(line) or line.startswith("{"):  # a marker, or a row spelled as its object
            numbers.append(None)
            arrays.append(line if line.startswith("{") else json.dumps(line))
            continue
        bracket = line.index("[")
        numbers.append(int(line[:bracket] or 0))
        arrays.append(line[bracket:])
    items: list[Any] = []
    for number, values in zip(numbers, json.loads("[" + ",".join(arrays) + "]")):  # one parse for every row
        if number is None:
            items.append(values)
            continue
        columns = shapes[number]
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError(f"a row holds {values!r} for the columns {columns}")
        items.append(_unflat(columns, values) if header.get("dotted") else dict(zip(columns, values)))
    if not header["path"]:
        return items
    document = header["document"]
    _set(document, header["path"], items)
    return document


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with small nested objects (no dotted keys, few leaves) spread into dotted keys."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict) and _flattens(value):
            for sub, leaf in _flat(value).items():
                out[f"{key}.{sub}"] = leaf
        else:
            out[key] = value
    return out


def _flattens(value: dict[str, Any]) -> bool:
    return _flat_leaves(value) is not None


def _flat_leaves(value: dict[str, Any]) -> int | None:
    """How many dotted keys ``_flat`` makes of ``value``, or None when it stays nested; one pass
    (counting with ``_flat`` at each level was exponential in depth: minutes at 20 levels)."""
    if not value or any("." in key for key in value):
        return None
    leaves = 0
    for child in value.values():
        below = _flat_leaves(child) if isinstance(child, dict) else None
        leaves += 1 if below is None else below
        if leaves > _FLAT_LEAVES:
            return None
    return leaves


def _unflat(columns: list[str], values: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column, value in zip(columns, values):
        *parents, last = column.split(".")
        node = out
        for parent in parents:
            node = node.setdefault(parent, {})
        node[last] = value
    return out


def _at(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


def _set(data: Any, path: Path, value: Any) -> None:
    _at(data, path[:-1])[path[-1]] = value


def _with_placeholder(data: Any, path: Path) -> Any:
    """A copy of ``data`` along ``path`` with the array replaced by the placeholder."""
    if not path:
        return PLACEHOLDER
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: (_with_placeholder(v, rest) if k == head else v) for k, v in data.items()}
    return [(_with_placeholder(v, rest) if i == head else v) for i, v in enumerate(data)]
