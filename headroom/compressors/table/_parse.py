"""Reading a table: CSV, TSV, markdown or blank-aligned lines (``_aligned``) into a header,
records and each record's cells.

Apart from the compressor because the table detector reads tables too, and a
detector must not import its family's compressor: the compressor module (with
the row ranking and relevance it brings) loads only when a piece is routed to
it (docs/plugins.md, lazy registration).
"""

from __future__ import annotations

import csv
import re

from headroom.compressors.table._aligned import aligned_rows
from headroom.plugins import split_lines

__all__ = ["Table", "is_markdown_rule", "parse_table"]

_RULE_CELL = re.compile(r":?-{3,}:?")


def is_markdown_rule(line: str) -> bool:
    """Whether ``line`` is a Markdown table's rule (``|---|:--:|``): optional outer pipes, cells of
    ``:?-{3,}:?`` between pipes, blanks around each.

    The same lines as the pattern ``^\\s*\\|?\\s*:?-{3,}:?\\s*(\\|\\s*:?-{3,}:?\\s*)*\\|?\\s*$``, tested
    by splitting instead: that pattern's adjacent ``\\s*`` tried every split of a run of blanks, and a
    second line of 20,000 spaces took seconds (quadratic; 80,000 took most of a minute).
    """
    inner = line.strip()
    if inner.startswith("|"):
        inner = inner[1:]
    if inner.endswith("|"):
        inner = inner[:-1]
    return all(_RULE_CELL.fullmatch(cell.strip()) for cell in inner.split("|"))


class Table:
    """A parsed table: the header lines, the other lines in order, and each line's values by column.

    ``lines`` holds every line but the header's: records and comment lines (``#...``, whose
    ``rows`` entry is empty: a comment has no cells). ``at`` is where the header sits among them:
    0, or the number of comment lines above it when a file opens with a comment block.
    """

    def __init__(self, head: list[str], lines: list[str], rows: list[dict[str, str]], at: int = 0) -> None:
        self.head, self.lines, self.rows, self.at = head, lines, rows, at


def parse_table(text: str) -> Table | None:
    """The table in ``text``: every line a record of the header's columns, or a ``#`` comment.

    A record may leave out trailing empty cells, down to half the header's columns (distro-info's
    debian.csv writes 4 to 8 cells under 8 names): they read as empty. Comment lines may stand
    anywhere (numpy's ``## section ##`` lines, the notes that open a tzdata ``.tab`` file), as
    long as records outnumber them; when the last comment before the first record names as many
    columns as the widest record (``#code<TAB>name``), it is the header, else the first record is.

    A delimited table may also open or close with one line that is no record (a title, a warning a
    tool printed first, a count or a prompt after it): read as a note, kept like a comment. A CSV
    file with such a line above it went to the generic compressor.
    """
    lines = split_lines(text)
    body = [line for line in lines if line.strip()]
    if len(body) < 3 or len(body) != len(lines) - (1 if lines and not lines[-1].strip() else 0):
        return None
    if is_markdown_rule(body[1]) and body[0].lstrip().startswith("|"):
        columns = _cells(body[0])
        rows = [_cells(line) for line in body[2:]]
        if len(columns) < 2 or any(len(r) != len(columns) for r in rows):
            return None
        return Table(body[:2], body[2:], [dict(zip(columns, r)) for r in rows])
    records = [line for line in body if not line.startswith("#")]
    if len(records) < 3 or 2 * len(records) <= len(body):
        return None
    for delimiter in ("\t", ",", ";"):
        for notes in _NOTES if len(records) >= 6 else _NOTES[:1]:
            kept = [i % len(body) for i in notes]
            rest = (
                [line for i, line in enumerate(body) if i not in kept and not line.startswith("#")] if kept else records
            )
            if rest[0].count(delimiter) < 1 or (delimiter != "\t" and len(rest) < 5):
                continue
            table = _delimited(body, delimiter, frozenset(kept))
            if table is not None:
                return table
    aligned = aligned_rows(body)  # blanks that pad columns (``ps aux``, ``df``): tried last, a delimiter is surer
    if aligned is None:
        return None
    names, cells, at = aligned
    return Table(body[:at], body[at:], [dict(zip(names, row)) for row in cells])


# lines read as notes, by index, tried in turn: none, then the first, the last, or both
_NOTES: tuple[tuple[int, ...], ...] = ((), (0,), (-1,), (0, -1))


def _delimited(body: list[str], delimiter: str, notes: frozenset[int] = frozenset()) -> Table | None:
    """``body`` as a table of ``delimiter``-separated records and comment lines (``#``, or a line
    whose index is in ``notes``), or None."""
    noted = [line.startswith("#") or i in notes for i, line in enumerate(body)]
    records = [line for line, note in zip(body, noted) if not note]
    if any(line.count('"') % 2 for line in records):  # a quoted cell spans lines: not a record a line
        return None
    try:  # one reader over the records (one per line cost a third of a 1 MB table's parse)
        read = list(csv.reader(records, delimiter=delimiter))
    except csv.Error:
        return None
    if len(read) != len(records):
        return None
    parsed = iter(read)
    cells = [None if note else next(parsed) for note in noted]
    first = next(i for i, c in enumerate(cells) if c is not None)
    widest = max(len(c) for c in cells if c is not None)
    at, header = first, cells[first]
    named = (
        next(csv.reader([body[first - 1][1:]], delimiter=delimiter), [])
        if first and body[first - 1].startswith("#")
        else []
    )
    if delimiter == "\t":  # tabs that align a comment header (zone.tab: ``TZ\t\t\tcomments``) name no column
        named = [name for name in named if name.strip()]
    # a comment names the columns (a tzdata name runs to 49 characters): a longer name is allowed
    if len(named) == widest and _header_like(named, longest=80):
        at, header = first - 1, named
    elif header is None or not _header_like(header):
        return None
    lines = body[:at] + body[at + 1 :]
    rows: list[dict[str, str]] = []
    for record in cells[:at] + cells[at + 1 :]:
        if record is None:
            rows.append({})
        elif not 2 * len(record) >= len(header) or len(record) > len(header) or len(record) < 2:
            return None
        else:
            rows.append(dict(zip(header, record + [""] * (len(header) - len(record)))))
    return Table([body[at]], lines, rows, at)


def _header_like(cells: list[str], longest: int = 40) -> bool:
    """Column names: distinct, non-empty, short, not indented (a traceback is not a table)."""
    names = [c.strip() for c in cells]
    return (
        len(names) >= 2
        and len(set(names)) == len(names)
        and all(0 < len(n) <= longest for n in names)
        and not cells[0][:1].isspace()
    )


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]
