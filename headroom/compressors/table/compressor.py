"""CSV, TSV and markdown tables: the header stays, rows are chosen by value.

A table is already close to its most compact lossless form, so without budget
pressure it is left as it is. Under a budget the header line (and a markdown
table's separator line) stays, rows are ranked like JSON rows (``_rows``:
named by the query, relevant to it, first and last, failure values, rare
values and outliers) and kept verbatim, in order; each run of dropped rows
becomes one marker line with a summary of what it held. Rows are counted from
1 after the header, and ``retrieve(handle, rows=(a, b))`` returns the header
with exactly those rows.
"""

from __future__ import annotations

import csv
import itertools
import re
from typing import Any, ClassVar

from headroom.compressors._reach import reach, short_of
from headroom.compressors._rows import Choice, Ranking, Summarizer, choose, priority, ranges, row_text
from headroom.plugins import Compressed, Compressor, PieceContext, check_span, split_lines
from headroom.relevance import BM25, matches, terms

__all__ = ["TableCompressor", "is_markdown_rule", "parse_table"]

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
        if records[0].count(delimiter) < 1 or (delimiter != "\t" and len(records) < 5):
            continue
        table = _delimited(body, delimiter)
        if table is not None:
            return table
    return None


def _delimited(body: list[str], delimiter: str) -> Table | None:
    """``body`` as a table of ``delimiter``-separated records and comment lines, or None."""
    records = [line for line in body if not line.startswith("#")]
    if any(line.count('"') % 2 for line in records):  # a quoted cell spans lines: not a record a line
        return None
    try:  # one reader over the records (one per line cost a third of a 1 MB table's parse)
        read = list(csv.reader(records, delimiter=delimiter))
    except csv.Error:
        return None
    if len(read) != len(records):
        return None
    parsed = iter(read)
    cells = [None if line.startswith("#") else next(parsed) for line in body]
    first = next(i for i, c in enumerate(cells) if c is not None)
    widest = max(len(c) for c in cells if c is not None)
    at, header = first, cells[first]
    named = next(csv.reader([body[first - 1][1:]], delimiter=delimiter), []) if first else []
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


class TableCompressor(Compressor):
    content_type = "table"
    name = "table"
    selectors: ClassVar[frozenset[str]] = frozenset({"lines", "chars", "query", "rows"})

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        prepared = self._prepare(text, ctx)
        if prepared is None:  # routed here but not a table after all
            return ctx.compressor("text").compress(text, target, ctx)
        if target is None:
            return None
        return prepared.fit(target, ctx)

    def _prepare(self, text: str, ctx: PieceContext) -> _Prepared | None:
        """The parsed table, its ranking, row costs and summaries, built once per piece:
        the allocator asks for the same piece at many targets in a row."""

        def build() -> _Prepared | None:
            table = parse_table(text)
            return None if table is None else _Prepared(table, ctx)

        return self.once_per_piece((text, ctx.query, id(ctx.counter)), build)

    def describe(self, text: str) -> tuple[int, str]:
        table = parse_table(text)
        return (len(table.lines), "rows") if table else super().describe(text)

    def select(self, original: str, selector: str, value: Any) -> str:
        table = parse_table(original)
        if table is None or selector not in ("rows", "query"):
            return super().select(original, selector, value)
        if selector == "rows":
            first, last = check_span(value, "rows")
            chosen = table.lines[first - 1 : last]
        else:
            scores = BM25([row_text(r) for r in table.rows]).scores(str(value))
            chosen = [line for line, score in zip(table.lines, scores) if score > 0]
        return "".join(table.head) + "".join(chosen)


class _Prepared:
    """One table and what choosing its rows needs, whatever the target."""

    def __init__(self, table: Table, ctx: PieceContext) -> None:
        self.table = table
        self.ranking = _ranking(table, ctx.query)
        # each row's cost at the table's own tokens per character: one count, not one per row
        # (the text is counted exactly once chosen)
        body = "".join(table.lines)
        per_char = ctx.counter.count(body) / max(1, len(body))
        self.costs = [len(line) * per_char for line in table.lines]
        self.head = sum(ctx.counter.count(line) for line in table.head)
        self.summarizer = Summarizer(table.rows)
        self.starts = list(itertools.accumulate((len(line) for line in table.lines), initial=0))
        # a marker line as this table writes it (its widest range and a summary), counted
        widest = [(0, len(table.lines))]
        self.marker = float(
            ctx.counter.count(ctx.marker(len(table.lines), "rows", ranges(widest) + self.summarizer.of(widest)) + "\n")
        )

    def fit(self, target: int, ctx: PieceContext) -> Compressed | None:
        def attempt(room: float) -> tuple[tuple[str, int], int] | None:
            choice = choose(self.ranking, self.costs, room, marker=self.marker, more_range=3.0, least=None)
            text, omitted = self._render(choice, ctx)
            if not omitted:
                return None
            tokens = ctx.counter.count(text)
            if tokens > target:  # the markers' summaries go before the rows chosen do
                bare, _ = self._render(choice, ctx, summaries=False)
                if bare != text:
                    text, tokens = bare, ctx.counter.count(bare)
            return (text, omitted), tokens

        found = reach(attempt, float(target - self.head), target)
        if found is None:
            return None
        (text, omitted), tokens = found
        why = "rows are kept whole and the next one would not fit"
        return Compressed(text, omitted={"rows": omitted}, fallbacks=short_of(tokens, target, why))

    def _summary(self, runs: list[tuple[int, int]]) -> str:
        """What ``runs`` held, when it is at most a tenth of their text: a summary of three
        releases ("codename Buzzx1,Rexx1,Box1; ...") is longer than a row and tells no more."""
        summary = self.summarizer.of(runs)
        dropped = sum(self.starts[end] - self.starts[start] for start, end in runs)
        return summary if 10 * len(summary) <= dropped else ""

    def _render(self, choice: Choice, ctx: PieceContext, summaries: bool = True) -> tuple[str, int]:
        out: list[str] = []
        omitted = 0
        placed = False
        for item in choice.layout():
            # the header stands where it stood: before the first item reaching past the comments above it
            if not placed and (item + 1 if isinstance(item, int) else item[0][1]) > self.table.at:
                out += self.table.head
                placed = True
            if isinstance(item, int):
                out.append(self.table.lines[item])
                continue
            count = sum(end - start for start, end in item)
            omitted += count
            out.append(ctx.marker(count, "rows", ranges(item) + (self._summary(item) if summaries else "")) + "\n")
        return "".join(line if line.endswith("\n") else line + "\n" for line in out), omitted


def _ranking(table: Table, query: str | None) -> Ranking:
    """The records ranked by ``_rows.priority``; comment lines, which have no cells, after them,
    except a comment holding half the question's terms or more (a section title: ``## -ve
    denormals ##``), which follows the rows the question asks for. A comment holding fewer
    (one word of a file's notes: "country") comes before the other comments only."""
    records = [i for i, row in enumerate(table.rows) if row]
    if len(records) == len(table.rows):
        return priority(table.rows, query)
    ranked = priority([table.rows[i] for i in records], query)
    comments = [i for i, row in enumerate(table.rows) if not row]
    asked = set(terms(query or ""))
    held = {i: len(matches(query, table.lines[i])) for i in comments} if asked else {}
    titles = sorted((i for i in comments if 2 * held.get(i, 0) >= len(asked) > 0), key=lambda i: (-held[i], i))
    order = [records[j] for j in ranked.order]
    order[ranked.asked : ranked.asked] = titles
    order += sorted((i for i in comments if i not in set(titles)), key=lambda i: (-held.get(i, 0), i))
    return Ranking(order, ranked.asked, ranked.named)
