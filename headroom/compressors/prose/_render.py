"""Writing a choice out: kept headings and units verbatim, one marker per run of what was dropped.

A run of wholly dropped blocks becomes one ``paragraphs`` marker on its own line; a run of
dropped units inside a kept block one ``sentences`` or ``lines`` marker inside the whitespace
around it, its 1-based line range the lines that hold it, so ``retrieve(handle, lines=...)``
returns exactly what it stands for. Kept sentences chosen for widening bring the rest of their
wrapped lines (``Unit.wide_start``/``wide_end``). Rendering decides nothing about what is kept.
"""

from __future__ import annotations

from headroom.compressors.prose._units import Document, Unit
from headroom.plugins import PieceContext

__all__ = ["render"]


class _Marks:
    """Writes markers for one rendering and adds up what they omit."""

    def __init__(self, ctx: PieceContext) -> None:
        self.ctx = ctx
        self.omitted: dict[str, int] = {}

    def __call__(self, unit: str, number: int, first: int, last: int) -> str:
        self.omitted[unit] = self.omitted.get(unit, 0) + number
        return self.ctx.marker(number, unit, f"{first + 1}-{last + 1}")

    def units(self, doc: Document, kind: str, run: list[Unit], gap: str) -> str:
        """The marker for dropped sentences or items, inside the whitespace around ``gap`` (the text it stands for)."""
        body = doc.text[run[-1].start : run[-1].end].rstrip()
        first = doc.line_of(run[0].start)
        last = doc.line_of(run[-1].start + len(body) - 1)
        inner = gap.strip()
        before, after = gap[: gap.index(inner[0])], gap[gap.rindex(inner[-1]) + 1 :]
        if kind == "lines":
            return before + self("lines", last - first + 1, first, last) + after
        return before + self("sentences", len(run), first, last) + after


def render(
    doc: Document, keep: set[int], headings: set[int], wide: set[int], ctx: PieceContext
) -> tuple[str, dict[str, int]]:
    """Kept headings and units verbatim; one marker per run of dropped blocks or of dropped units inside a block."""
    out: list[str] = []
    marks = _Marks(ctx)
    dropped: list[int] = []  # blocks in the current run of wholly dropped ones

    def flush(more: bool) -> None:
        if dropped:
            first, last = doc.blocks[dropped[0]].first, doc.blocks[dropped[-1]].last
            out.append(marks("paragraphs", len(dropped), first, last) + ("\n\n" if more else "\n"))
            dropped.clear()

    # the kept units of each block, in order, gathered once from ``keep``: asking every unit of every
    # block whether it is kept walked the whole text on each of the allocator's targets (issue 14)
    by_block: dict[int, list[int]] = {}
    for u in sorted(keep):
        by_block.setdefault(doc.units[u].block, []).append(u)
    for number, block in enumerate(doc.blocks):
        kept = by_block.get(number, [])
        if (block.units and not kept) or (block.kind == "heading" and number not in headings):
            dropped.append(number)
            continue
        flush(True)
        if len(kept) == len(block.units):
            out.append(doc.text[block.start : block.end])
            continue
        out.append(doc.text[block.start : doc.units[block.units[0]].start])
        # a block's units are numbered in a row, so its units are one slice of the document's
        units = doc.units[block.units[0] : block.units[-1] + 1]
        _partly(doc, block.kind, units, [(doc.units[u], u in wide) for u in kept], out, marks)
    flush(False)
    return "".join(out), marks.omitted


def _partly(
    doc: Document, kind: str, units: list[Unit], kept: list[tuple[Unit, bool]], out: list[str], marks: _Marks
) -> None:
    """A block some of whose units are kept: each kept one (with the rest of its wrapped lines when
    widened, ``Unit.wide_start``/``wide_end``), a marker for each stretch between them that hides a unit.
    ``units`` are the block's units, ``kept`` the kept ones in order, each with whether it is widened."""
    spans: list[list[int]] = []
    for unit, wide in kept:
        start, end = (max(unit.wide_start, units[0].start), unit.wide_end) if wide else (unit.start, unit.end)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    cursor = units[0].start
    first = 0  # units before this one end (their last word) at or before the cursor
    for start, end in [*spans, [units[-1].end, units[-1].end]]:
        gap = doc.text[cursor:start]
        if gap.strip():
            # the units whose words the gap holds any of: a run, found by moving forward (the
            # cursor only grows), not by scanning the block again per gap (quadratic on a list
            # of thousands of items)
            while first < len(units) and _last_word_end(doc, units[first]) <= cursor:
                first += 1
            last = first
            while last < len(units) and units[last].start < start:
                last += 1
            out.append(marks.units(doc, kind, units[first:last], gap))
        else:
            out.append(gap)
        out.append(doc.text[start:end])
        cursor = max(cursor, end)


def _last_word_end(doc: Document, unit: Unit) -> int:
    return unit.start + len(doc.text[unit.start : unit.end].rstrip())
