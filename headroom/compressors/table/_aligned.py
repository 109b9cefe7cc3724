"""Reading a whitespace-aligned table: ``ps aux``, ``df -h``, ``pip list``, ``docker ps``.

A command that prints a table pads its columns with blanks instead of a
delimiter. Such output went to the generic cut, or, when a command line held
a JSON argument (``ps aux``), to the mixed compressor, which cut its long rows
into character marks. Read as a table, its rows are kept whole and chosen by
the question like a CSV's.

What makes it a table, judged on offsets rather than words, so that log lines
do not qualify:

- a header of words: at least two, each opening with a letter or ``%``, none
  holding a ``:`` (a log line's time), the first not indented;
- each header word is a column when most records (4 in 5) agree with it: a
  token starts where the word starts (left-aligned) or ends where it ends
  (right-aligned numbers), or the record ends before it (an empty last cell);
  and at least half the records hold a token there. A word fewer than half
  hold, one blank after the word before it, continues that column's name
  (``Mounted on``, ``Editable project location``);
- at least three columns, or a rule of dashes under the header (``pip list``
  prints ``-------- -------``), whose runs then give the columns.

A record's tokens go to the column whose header span they overlap, else to the
nearest column on their left, so the last column keeps a command line whole.
"""

from __future__ import annotations

import re

__all__ = ["aligned_rows"]

_WORD = re.compile(r"[A-Za-z%][^\s:]*")
_TOKEN = re.compile(r"\S+")
_RULE = re.compile(r"^-+( +-+)+ *$")
_AGREE = 0.8
_PRESENT = 0.5


def aligned_rows(body: list[str]) -> tuple[list[str], list[list[str]], int] | None:
    """The column names, each record's cells and the number of header lines (1, or 2 with a
    dash rule) when ``body`` (non-blank lines, ends of line kept) is an aligned table, else None."""
    head = body[0].rstrip("\r\n")
    if not head or head[0].isspace() or "\t" in head:
        return None
    words = [(m.start(), m.end()) for m in _TOKEN.finditer(head)]
    if len(words) < 2 or not all(_WORD.fullmatch(head[a:b]) for a, b in words):
        return None
    rule = _RULE.match(body[1].rstrip("\r\n")) is not None
    records = [line.rstrip("\r\n") for line in body[(2 if rule else 1) :]]
    if len(records) < 3 or any("\t" in line for line in records):
        return None
    tokens = [[(m.start(), m.end()) for m in _TOKEN.finditer(line)] for line in records]
    if rule:
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(body[1].rstrip("\r\n"))]
        if spans[0][0] != 0 or any(not head[a:b].strip() for a, b in spans):
            return None
        columns = spans
        if not all(_agrees(spans[0], row, line) for row, line in zip(tokens, records)):
            return None
    else:
        found = _columns(words, tokens, records)
        if found is None or len(found) < 3:
            return None
        columns = found
    names = [
        " ".join(head[a : columns[i + 1][0] if i + 1 < len(columns) else None].split())
        for i, (a, _) in enumerate(columns)
    ]
    if len(set(names)) != len(names):
        return None
    cells = [_cells(columns, row, line) for row, line in zip(tokens, records)]
    return names, cells, 2 if rule else 1


def _agrees(span: tuple[int, int], row: list[tuple[int, int]], line: str) -> bool:
    start, end = span
    return len(line) <= start or any(a == start or b == end for a, b in row)


def _present(span: tuple[int, int], row: list[tuple[int, int]]) -> bool:
    start, end = span
    return any(a == start or b == end for a, b in row)


def _columns(
    words: list[tuple[int, int]], tokens: list[list[tuple[int, int]]], records: list[str]
) -> list[tuple[int, int]] | None:
    """The header words records agree with, a word none agrees with joined to the one before it."""
    columns: list[tuple[int, int]] = []
    for span in words:
        agree = sum(_agrees(span, row, line) for row, line in zip(tokens, records))
        present = sum(_present(span, row) for row in tokens)
        if agree >= _AGREE * len(records) and present >= _PRESENT * len(records):
            columns.append(span)
        elif columns and span[0] == columns[-1][1] + 1 and present < _PRESENT * len(records):
            columns[-1] = (columns[-1][0], span[1])
        else:
            return None
    return columns if columns and columns[0][0] == 0 else None


def _cells(columns: list[tuple[int, int]], row: list[tuple[int, int]], line: str) -> list[str]:
    """``line``'s tokens by column: the column whose span a token overlaps, else the nearest on its left."""
    bounds: list[list[int]] = [[] for _ in columns]
    for a, b in row:
        home = 0
        for i, (start, end) in enumerate(columns):
            if a < end and b > start:
                home = i
                break
            if start <= a:
                home = i
        bounds[home] += [a, b]
    return [line[min(spots) : max(spots)] if spots else "" for spots in bounds]
