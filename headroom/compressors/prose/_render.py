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

    def units(self, doc: Document, kind: str, run: list[Unit], gap: str, since: int | None = None) -> str:
        """The marker for dropped sentences or items, inside the whitespace around ``gap`` (the text it stands for);
        ``since``: the first line of the dropped blocks before them that the marker stands for too (``lines``)."""
        first, last = _lines_of(doc, run)
        before, after = _around(gap)
        if kind == "lines":
            first = first if since is None else since
            return before + self("lines", last - first + 1, first, last) + after
        return before + self("sentences", len(run), first, last) + after


def _lines_of(doc: Document, run: list[Unit]) -> tuple[int, int]:
    """The 0-based lines that hold a run of units (their last word: not the whitespace after it)."""
    body = doc.text[run[-1].start : run[-1].end].rstrip()
    return doc.line_of(run[0].start), doc.line_of(run[-1].start + len(body) - 1)


def _around(gap: str) -> tuple[str, str]:
    """The whitespace before and after the words of ``gap``."""
    inner = gap.strip()
    return gap[: gap.index(inner[0])], gap[gap.rindex(inner[-1]) + 1 :]


class _Tail:
    """A man page's block of lines whose last lines were dropped: one marker, written when the run of
    dropped text it starts ends (``render``), so the dropped blocks after it join it."""

    def __init__(self, slot: int, first: int, last: int, before: str, after: str) -> None:
        self.slot, self.first, self.last, self.before, self.after = slot, first, last, before, after


def render(
    doc: Document, keep: set[int], headings: set[int], wide: set[int], ctx: PieceContext
) -> tuple[str, dict[str, int]]:
    """Kept headings and units verbatim; one marker per run of dropped blocks or of dropped units inside a block.

    In a man page, a run of dropped lines at the edge of a block of lines and the dropped blocks next to
    it are one ``lines`` marker: a line kept from the middle of a section cost four markers (the blocks
    before, the lines before, the lines after, the blocks after), 40 tokens of a 64-token room, and the
    line asked about did not fit beside them (openssl's list of commands, issue 12)."""
    out: list[str] = []
    marks = _Marks(ctx)
    dropped: list[int] = []  # blocks in the current run of wholly dropped ones
    tail: _Tail | None = None  # the dropped lines ending a man page's block of lines, before ``dropped``

    def flush(more: bool) -> None:
        nonlocal tail
        if tail is not None:
            last = doc.blocks[dropped[-1]].last if dropped else tail.last
            after = ("\n\n" if more else "\n") if dropped else tail.after
            out[tail.slot] = tail.before + marks("lines", last - tail.first + 1, tail.first, last) + after
        elif dropped:
            first, last = doc.blocks[dropped[0]].first, doc.blocks[dropped[-1]].last
            out.append(marks("paragraphs", len(dropped), first, last) + ("\n\n" if more else "\n"))
        dropped.clear()
        tail = None

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
        joins = doc.manual and block.kind == "lines"  # its dropped lines at its edges join the dropped blocks
        since: int | None = None
        indented = False  # the text so far ends with the indentation of a line (a kept line's whitespace)
        if joins and kept[0] != block.units[0] and (dropped or tail is not None):
            # the dropped text before this block and its first dropped lines: one marker, in the block
            since = tail.first if tail is not None else doc.blocks[dropped[0]].first
            if tail is not None:  # the kept line before it ends with the next line's indentation
                out[tail.slot] = tail.before
                indented = tail.before == ""
            dropped.clear()
            tail = None
        else:
            flush(True)
        if len(kept) == len(block.units):
            out.append(doc.text[block.start : block.end])
            continue
        if not indented:
            out.append(doc.text[block.start : doc.units[block.units[0]].start])
        # a block's units are numbered in a row, so its units are one slice of the document's
        units = doc.units[block.units[0] : block.units[-1] + 1]
        tail = _partly(doc, block.kind, units, [(doc.units[u], u in wide) for u in kept], out, marks, since, joins)
    flush(False)
    return "".join(out), marks.omitted


def _partly(
    doc: Document,
    kind: str,
    units: list[Unit],
    kept: list[tuple[Unit, bool]],
    out: list[str],
    marks: _Marks,
    since: int | None = None,
    joins: bool = False,
) -> _Tail | None:
    """A block some of whose units are kept: each kept one (with the rest of its wrapped lines when
    widened, ``Unit.wide_start``/``wide_end``), a marker for each stretch between them that hides a unit.
    ``units`` are the block's units, ``kept`` the kept ones in order, each with whether it is widened;
    ``since``: the first line of the dropped text before the block that its first marker stands for too;
    ``joins``: the dropped lines ending the block are left to ``render`` as a ``_Tail``, returned."""
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
            if joins and start == units[-1].end:  # the block's last lines: the run may go on past it
                out.append("")
                return _Tail(len(out) - 1, *_lines_of(doc, units[first:last]), *_around(gap))
            out.append(marks.units(doc, kind, units[first:last], gap, since if cursor == units[0].start else None))
        else:
            out.append(gap)
        out.append(doc.text[start:end])
        cursor = max(cursor, end)
    return None


def _last_word_end(doc: Document, unit: Unit) -> int:
    return unit.start + len(doc.text[unit.start : unit.end].rstrip())
