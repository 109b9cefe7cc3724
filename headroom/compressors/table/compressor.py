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

import itertools
from typing import Any, ClassVar

from headroom.compressors._reach import reach, short_of
from headroom.compressors._rows import Choice, Ranking, Summarizer, choose, priority, ranges, row_text
from headroom.compressors.table._parse import Table, parse_table
from headroom.plugins import Compressed, Compressor, PieceContext, check_span
from headroom.relevance import BM25, matches, terms

__all__ = ["TableCompressor"]


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
        # rooms a few tokens apart often choose the same rows (the fit loop bisects to the largest
        # room that fits): each choice is rendered and counted once
        rendered: dict[tuple[object, ...], tuple[tuple[str, int], int] | None] = {}

        def attempt(room: float) -> tuple[tuple[str, int], int] | None:
            choice = choose(self.ranking, self.costs, room, marker=self.marker, more_range=3.0, least=None)
            key = (tuple(choice.keep.items()), tuple(choice.runs), choice.coalesced)
            if key not in rendered:
                rendered[key] = render(choice)
            return rendered[key]

        def render(choice: Choice) -> tuple[tuple[str, int], int] | None:
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
