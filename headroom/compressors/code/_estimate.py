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
        # what the walk reads of each placed cut, in lists by rank: reading a region's fields, and a
        # method call per mark, were most of a walk's time (1 MB Python: 45 walks of 4,500 cuts a call)
        self._chunk = [index for index, _ in self._cuts]
        self._first = [region.first for _, region in self._cuts]
        self._last = [region.last for _, region in self._cuts]
        self._indent = [region.indent for _, region in self._cuts]

    def prefix(self, count: int) -> int:
        """Tokens with the first ``count`` cuts of the order made."""
        if count not in self._prefixes:
            self._prefixes[count] = self._walk(sorted(self._ranks[:count]))
        return self._prefixes[count]

    def of(self, cuts: list[Cut]) -> int:
        """Tokens with ``cuts`` (cuts of the order) made."""
        return self._walk(sorted(self._rank[c] for c in cuts))

    def ranks(self, cuts: list[Cut]) -> list[int]:
        """Each of ``cuts``' place in line order: equal cuts share one, distinct cuts never do, so a
        cut left out of a list is its rank left out of these (``of_ranks``)."""
        rank = self._rank
        return [rank[c] for c in cuts]

    def of_ranks(self, ranks: list[int]) -> int:
        """``of`` for the cuts of these ranks, sorted: the give-back asks for its chosen cuts less one
        (4,500 of them on a 1 MB file) per trial, and looking each cut up (hashing and comparing
        regions) and sorting them again cost more than the walk."""
        return self._walk(ranks)

    def _walk(self, ranks: list[int]) -> int:
        """Tokens with the cuts of these ranks made (in line order, ``ranks`` sorted)."""
        all_sums, all_filled, marks, mark = self._doc.sums, self._doc.filled, self._marks, self._mark
        chunks, firsts, lasts, indents = self._chunk, self._first, self._last, self._indent
        saved = 0
        chunk = -1
        sums: list[int] = []
        filled: list[int] = []
        last = -1  # the last line of the previous cut that no other holds, in this chunk; -1: none yet
        indent = ""
        first_line = last_line = 0  # the run of cuts being merged
        run: list[int] = []  # its ranks
        for rank in ranks:
            index, first = chunks[rank], firsts[rank]
            if index != chunk:
                if last >= 0:
                    saved += (
                        sums[last_line + 1] - sums[first_line] - (marks[run[0]] if len(run) == 1 else mark(chunk, run))
                    )
                chunk, sums, filled = index, all_sums[index], all_filled[index]
                last = -1
            elif last >= 0 and first <= last:
                continue  # held by the cut before it
            if last >= 0 and indent == indents[rank] and filled[first] == filled[last + 1]:
                last_line = lasts[rank]  # only blank lines between: one mark
                run.append(rank)
            else:
                if last >= 0:
                    saved += (
                        sums[last_line + 1] - sums[first_line] - (marks[run[0]] if len(run) == 1 else mark(chunk, run))
                    )
                first_line, last_line, run = first, lasts[rank], [rank]
            last, indent = lasts[rank], indents[rank]
        if last >= 0:
            saved += sums[last_line + 1] - sums[first_line] - (marks[run[0]] if len(run) == 1 else mark(chunk, run))
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
