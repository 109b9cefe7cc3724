"""Tokens of a piece with some of its cuts made, from line costs and mark costs: no render, no count.

The budget search asks this for many prefixes of one order (a binary search
per target, the allocator asks several targets) and the give-back for the
chosen prefix less one cut. Each ask used to sort its cuts by line with a
Python key, then walk them twice (the cuts no other holds, then the runs
parted only by blank lines): for a 1 MB C header that was 6 ms an ask, 91
asks. Here the order's cuts are placed in line order once (chunk, first line,
the longer first, then their place in the order, which is how a stable sort
of any subset of the order breaks ties), so an ask sorts integers and walks
them once; a prefix asked again is answered from memory. The figure is the
one the two-pass walk gave (``_outline.effective`` then ``_outline.groups``
with the non-blank counts): tested against it.

A group of several cuts is charged the mark ``_outline.render`` writes for it
(its range spans the group, its label lists their names), counted once per
group and remembered: charged its largest single mark, the estimates fell
about 9% short on C headers, and a 100 KB one rendered 20 times for 7 targets.
"""

from __future__ import annotations

from headroom.compressors.code._document import Cut, Document
from headroom.compressors.code._order import group_mark_cost
from headroom.plugins import TokenCounter

__all__ = ["Estimates"]


class Estimates:
    """Estimates for subsets of one order (the cuts offered for one query) of one document."""

    def __init__(self, doc: Document, order: list[Cut], total: int, counter: TokenCounter) -> None:
        self._doc = doc
        self._counter = counter
        self._groups: dict[tuple[int, ...], int] = {}  # ranks of a group of several cuts -> its mark's tokens
        self._order = order
        self.total = total  # with no cut made
        placed = sorted(range(len(order)), key=lambda k: (order[k][0], order[k][1].first, -order[k][1].last, k))
        self._rank: dict[Cut, int] = {}
        for rank, k in enumerate(placed):
            self._rank.setdefault(order[k], rank)  # the same cut twice: its first place decides, as in a stable sort
        self._cuts = [order[k] for k in placed]
        self._marks = [doc.mark_costs.get(order[k], 0) for k in placed]
        self._prefixes: dict[int, int] = {}
        self._ranks = [self._rank[cut] for cut in order]  # each cut of the order, by its place in it

    def prefix(self, count: int) -> int:
        """Tokens with the first ``count`` cuts of the order made."""
        if count not in self._prefixes:
            self._prefixes[count] = self._walk(sorted(self._ranks[:count]))
        return self._prefixes[count]

    def of(self, cuts: list[Cut]) -> int:
        """Tokens with ``cuts`` (cuts of the order) made."""
        return self._walk(sorted(self._rank[c] for c in cuts))

    def _walk(self, ranks: list[int]) -> int:
        """Tokens with the cuts of these ranks made (in line order, ``ranks`` sorted)."""
        doc, placed = self._doc, self._cuts
        saved = 0
        chunk = -1
        sums: list[int] = []
        filled: list[int] = []
        last = indent = None  # the previous cut that no other holds, in this chunk
        first_line = last_line = 0  # the run of cuts being merged
        run: list[int] = []  # its ranks
        for rank in ranks:
            index, region = placed[rank]
            if index != chunk:
                if last is not None:
                    saved += sums[last_line + 1] - sums[first_line] - self._mark(chunk, run)
                chunk, sums, filled = index, doc.sums[index], doc.filled[index]
                last = None
            elif last is not None and region.first <= last:
                continue  # held by the cut before it
            if last is not None and indent == region.indent and filled[region.first] == filled[last + 1]:
                last_line = region.last  # only blank lines between: one mark
                run.append(rank)
            else:
                if last is not None:
                    saved += sums[last_line + 1] - sums[first_line] - self._mark(chunk, run)
                first_line, last_line, run = region.first, region.last, [rank]
            last, indent = region.last, region.indent
        if last is not None:
            saved += sums[last_line + 1] - sums[first_line] - self._mark(chunk, run)
        return self.total - saved

    def _mark(self, index: int, run: list[int]) -> int:
        """Tokens of the one mark a run of cuts (their ranks) writes."""
        if len(run) == 1:
            return self._marks[run[0]]
        key = tuple(run)
        cost = self._groups.get(key)
        if cost is None:
            group = tuple(self._cuts[rank][1] for rank in run)
            cost = self._groups[key] = group_mark_cost(self._doc, index, group, self._counter)
        return cost
