"""Encodings of JSON that keep every value: lexical minification and the row table.

Minification works on the text, not on parsed values: whitespace outside
strings goes and every other character stays, so numbers keep their exact
digits and strings their exact escapes.

The row table serves arrays of objects that all have the same keys in the
same order, the shape of most API answers and package listings:

    [json rows] {"path": ["installed"], "rows": 2, "columns": ["name", "version"]}
    ["pydantic","2.14.3"]
    ["tiktoken","0.14.0"]

The header is JSON after the ``[json rows]`` tag: where the array sits in the
document (a list of keys and indexes from the top), how many rows it has and
the column names. Each following line is one row, its values in column order,
as a JSON array. ``decode_table`` turns it back into the same data.
Everything of the document outside the array is kept in a ``document`` field
of the header when the array is not the whole document.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["TABLE_TAG", "decode_table", "encode_table", "main_array", "minify", "uniform_columns"]

TABLE_TAG = "[json rows]"
_PLACEHOLDER = "__headroom_rows__"

Path = list[str | int]


def minify(text: str) -> str:
    """``text`` without whitespace outside strings (the caller has checked it parses)."""
    out: list[str] = []
    in_string = False
    escaped = False
    start = 0
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in " \t\r\n":
            out.append(text[start:index])
            start = index + 1
    out.append(text[start:])
    return "".join(out)


def main_array(data: Any) -> tuple[Path, list[Any]] | None:
    """The largest array in ``data`` (by item count, then nearest the top), with its path."""
    best: tuple[int, int, Path, list[Any]] | None = None
    stack: list[tuple[Path, Any]] = [([], data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, list):
            if len(node) >= 2 and (best is None or (len(node), -len(path)) > (best[0], best[1])):
                best = (len(node), -len(path), path, node)
            stack.extend((path + [i], child) for i, child in enumerate(node) if isinstance(child, (list, dict)))
        elif isinstance(node, dict):
            stack.extend((path + [k], child) for k, child in node.items() if isinstance(child, (list, dict)))
    return None if best is None else (best[2], best[3])


def uniform_columns(rows: list[Any]) -> list[str] | None:
    """The shared key order when every row is an object with the same keys in the same order."""
    if not rows or not all(isinstance(r, dict) for r in rows):
        return None
    columns = list(rows[0])
    if not columns or any(list(r) != columns for r in rows):
        return None
    return columns


def encode_table(data: Any, path: Path, columns: list[str], rows: list[str]) -> str:
    """The table text: header, then ``rows`` (already-rendered lines: row arrays or markers)."""
    header: dict[str, Any] = {"path": path, "rows": len(_at(data, path)), "columns": columns}
    if path:
        header["document"] = _with_placeholder(data, path)
    return TABLE_TAG + " " + json.dumps(header, ensure_ascii=False, separators=(",", ":")) + "\n" + "\n".join(rows)


def row_line(row: dict[str, Any], columns: list[str]) -> str:
    return json.dumps([row[c] for c in columns], ensure_ascii=False, separators=(",", ":"))


def decode_table(text: str) -> Any:
    """The data a complete (lossless) table text encodes."""
    head, _, body = text.partition("\n")
    if not head.startswith(TABLE_TAG + " "):
        raise ValueError("not a headroom JSON row table")
    header = json.loads(head[len(TABLE_TAG) + 1 :])
    columns = header["columns"]
    rows = [dict(zip(columns, json.loads(line))) for line in body.split("\n") if line]
    if len(rows) != header["rows"]:
        raise ValueError(f"table declares {header['rows']} rows and holds {len(rows)}")
    if not header["path"]:
        return rows
    document = header["document"]
    _set(document, header["path"], rows)
    return document


def _at(data: Any, path: Path) -> Any:
    for step in path:
        data = data[step]
    return data


def _set(data: Any, path: Path, value: Any) -> None:
    _at(data, path[:-1])[path[-1]] = value


def _with_placeholder(data: Any, path: Path) -> Any:
    copy = json.loads(json.dumps(data))
    _set(copy, path, _PLACEHOLDER)
    return copy
