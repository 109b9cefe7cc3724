"""Search results (grep, git grep, ripgrep incl. ``--json``): each file's best matches, every file named.

Each line is assigned to its file (``read_results``); lines that are not
results (``Binary file … matches``, warnings, ``--`` separators) belong to no
file and are kept or counted like the rest, never dropped silently. Under a
budget the kept lines are, in this order of priority: the lines of the files
the query names, the twelve lines that best fit the query (BM25 over the text,
plus half a BM25 over the path, with ``/`` split so path parts count; a query
word in most paths is the place searched, not a selector, unless the question
says it twice; among equal matches each file's first comes before any file's
second; a line defining a name the query holds gains half the best score, the
whole when the question asks where it is defined), the best match of every file
(files with better matches first), the context around those, then each file's
second best match, third best and so on, the other query matches, then the
rest in order. Lines the ranking holds equal (the same score, the same round over
the files) are taken cheapest first with their marks, and forms are compared on
how many of them they keep, not on which: the question cannot tell them apart, so
the room holds as many of them as it can. Lines keep their order, so the results
stay grouped by file.
``rg --json`` records are kept as they are, one record per line.

Every omitted stretch becomes a marker with its line range, naming the files
whose lines it holds (up to four) with how many lines of each went:

    [hr1:482913057162345 omitted 57 lines 120-176 email/utils.py:3, http/client.py:54, +2 files]

Where the room drops copies of the best match (the same text after ``path:N:``),
a mark may say where they are, by file and line number, when that costs no
line another form keeps whole (``[…9 lines 14-22 same as line 1: ber/encoder.py
229 291 +5]``): a copy named in place of one kept lost facts whose line was the
copy (docs/compressors/search.md).

Where the line the question ranks first does not fit with a mark on each side
(the 25-40 tokens a multi-tool turn may leave), and every result line starts
with its own path, one summary mark lists every omitted range on the first
gap's line and the kept lines follow it (``[…18 lines 1-6,8-19]``): each
further gap costs its range, not a mark. Where not even that leaves it room (a
grep of 12-42 tokens beside the file it found), the line alone follows one mark
that only counts every other line (``[…20 lines]``, no range: docs/markers.md).
Where every line is a result naming its own file, a form with that one counting
mark and the kept lines after it competes with the others, and is returned where
it keeps more of the lines the query ranks: no mark per gap leaves the 60 tokens
of a small search room two lines where range marks left one.

Files left out entirely and not named in their stretch's marker are listed,
with their number of matches, in one marker at the end (unit ``files``); when
even the names do not fit, it says how many files and matches it stands for:

    [hr1:482913057162345 omitted 12 files 177-840 matches: asyncio/events.py 3, +11 files with 40 matches]
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors._reach import reach, short_of, whole_rooms
from headroom.compressors._rows import ranges
from headroom.compressors.search._parse import NUMBERED, Hit, read_results
from headroom.compressors.search._rank import priority
from headroom.plugins import Compressed, Compressor, PieceContext, split_lines

__all__ = ["SearchCompressor", "file_of"]

_NAMED = 4  # files named in one stretch's marker
_OTHER = "other lines"  # what a stretch's mark calls its lines that are not results
_LISTED = (None, 24, 6, 0)  # how many dropped files the closing marker names, tried in turn
_BARE, _COUNTED, _NAMED_FILES = 0, 1, 2  # what a stretch's mark says besides its range
# one summary mark for every omitted stretch, listing their ranges, on the line of the first gap
# (``[…18 lines 1-17,19-20]``): each further stretch costs its range, not a mark of its own
_SUMMARY = 3
# one mark that only counts the omitted lines, no range (``[…18 lines]``), then the kept lines: where
# every result line names its file and line number, a gap costs nothing (docs/markers.md)
_COUNT = -1
# with copies of the kept best match named, a mark's detail is one of those plus ``_COPIES`` times
# 1 + the index of how many of their line numbers it names in ``_COPIES_NAMED``
_COPIES = 4
_COPIES_NAMED = (4, 32)
_GAPS = re.compile(b"\0+")  # a selection's omitted stretches
_NOT = bytes((1, 0, *range(2, 256)))  # a table that turns 0 into 1 and 1 into 0 (``bytes.translate``)


class SearchOptions(BaseModel):
    """``max_tokens``: without a budget, results above this are cut to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    max_tokens: int = Field(default=4000, ge=64)


def file_of(lines: list[str]) -> list[str | None]:
    """The file each line belongs to, or None for a line that is not a result."""
    return [hit.file for hit in read_results(lines)]


@dataclass(frozen=True)
class _Plan:
    lines: list[str]
    hits: list[Hit]
    costs: list[int]
    order: list[int]
    ranked: int  # how many of ``order`` the query ranks (named files, best matches and their neighbours)
    # how many of ``order`` a richer mark may not cost: those the query ranks and each file's best match
    shown: int
    first_line: dict[str, int]  # where each file's lines start and end, for the closing marker
    last_line: dict[str, int]
    matches: Counter[str]
    files: list[str]  # each line's file, "other lines" for a line that is not a result: counted per stretch
    # which lines (after the first) the counter does not cut before, as bits (``_cost``): kept, such
    # a line shares a token chunk with what precedes it and the rendering is counted, not summed;
    # -1 when the counter has no rule (every rendering is counted)
    joined: int
    marks: dict[tuple[int, int, int], _Mark]  # each stretch's mark, per detail, once per piece
    position: list[int]  # each line's place in ``order``
    before: list[int]  # the cost of the lines before each line (and of all, last)
    # where each run of lines of one file (or of other lines) starts, then the number of lines; and
    # each run's file
    run_starts: list[int]
    run_files: list[str]
    cheapest: list[int]  # the least cost of a line at or after each place of ``order``
    short: dict[str, str]  # the name a mark gives each file: its shortest path tail no other file ends in
    copied: int  # the best match the query ranks, when other lines say the same (-1: none)
    copies: list[tuple[int, str, str]]  # those lines: index, file, line number in the file, in order
    # every result line starts with its own path (``path:12:text``, not ripgrep's heading or
    # ``--json``): its kept lines may follow one summary mark away from their gaps (``_SUMMARY``)
    self_named: bool
    # for each of the places the query ranks, where its run of equally ranked lines ends (``_tied``)
    tied: list[int]


@dataclass(frozen=True)
class _Mark:
    text: str  # with its line ending
    cost: int | None  # tokens, None when the counter does not cut before it
    names: tuple[str, ...]  # the files it names


# per selection (by identity, the selection held beside) and detail: ``_summed``'s stretches, lines
# omitted, summed cost and files dropped
_Seen = dict[tuple[int, int], tuple[bytearray, tuple[list[tuple[int, int, _Mark]], int, int | None, list[str]]]]


@dataclass(frozen=True)
class _Form:
    keep: bytearray
    cost: int  # the rendering as the core will count it
    omitted: dict[str, int]
    listed: int | None
    detail: int


class SearchCompressor(Compressor):
    content_type = "search"
    name = "search"
    lossless_default = False  # its default output is always lossy: skipped under a budget
    Options = SearchOptions

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        plan = self._plan(text, ctx)
        if len(plan.lines) < 3:
            return None
        if target is None:
            if sum(plan.costs) <= self.options.max_tokens:
                return None
            target = self.options.max_tokens
        if sum(plan.costs) <= target:
            return None
        # copies of the best match (the same text elsewhere) are named in their stretch's mark by file
        # and line number when that costs no line the query ranks nor a file's best match: tied with
        # the kept one, they were dropped with nothing but a count of their file's lines
        copies = [_COPIES * (1 + k) for k in range(len(_COPIES_NAMED))] if plan.copies else []
        # the barest form (each mark its range) keeps the most lines; a richer one (marks that
        # count the files of their stretch, then marks that name them with a closing list of the
        # files left out) is taken when it keeps the same lines the query ranks and the same best
        # match of each file, so names cost only lines of lower rank, never a match the query asks
        # for nor a file's best (issue 12: marks were 63-92% of tight outputs; with the best
        # matches kept first, 36% of run.py's search outputs at 10% fell to 18%, facts alike)
        chosen: dict[tuple[int, int, int | None], bytearray] = {}  # forms with the same marks choose alike
        seen: _Seen = {}  # what each selection's stretches cost, per detail (``_summed``)
        forms = [
            _fit(plan, target, ctx, chosen, seen, None, _BARE),
            _fit(plan, target, ctx, chosen, seen, None, _COUNTED),
        ]
        forms += [_fit(plan, target, ctx, chosen, seen, None, _BARE + more) for more in copies]
        forms += [_fit(plan, target, ctx, chosen, seen, listed, _NAMED_FILES) for listed in _LISTED]
        forms += [_fit(plan, target, ctx, chosen, seen, 0, _NAMED_FILES + more) for more in copies]
        best: _Form | None = None
        # a form that names copies competes like the others, on the lines it keeps whole: a copy is
        # named only where the room drops it, never in place of a line kept (a copy named counted
        # as shown lost a fact of the test half at every budget, the asked-for line being a copy)
        for form in forms:
            if form is None or best is None:
                best = best or form
            elif not _ranks_higher(plan, best.keep, form.keep):
                best = form
        if plan.self_named and plan.ranked and best is not None and _OTHER not in plan.run_files:
            counted = _fit(plan, target, ctx, chosen, seen, None, _COUNT)
            if counted is not None and _ranks_higher(plan, counted.keep, best.keep):
                best = counted
        if plan.self_named and plan.ranked and (best is None or not best.keep[plan.order[0]]):
            # the line the question ranks first did not fit with a mark on each side (a definition
            # mid-results in the 25-40 tokens a multi-tool turn leaves the grep): one mark for every
            # gap may leave it room. Only then: as a competitor to every form, it traded one copy
            # of a tied line for another and lost a test-half fact at three budgets of four
            summary = _fit(plan, target, ctx, chosen, seen, None, _SUMMARY)
            if summary is not None and summary.keep[plan.order[0]]:
                best = summary
            elif best is None or not any(best.keep[index] for index in plan.order[: plan.tied[0] if plan.tied else 1]):
                # not even that: the line alone behind a bare count, unless a line tied with it is kept
                tightest = _tightest(plan, target, ctx)
                if tightest is not None:
                    return tightest
        if best is None:
            return None
        why = "whole lines are kept and the next line in rank, with its mark, would not fit"
        text = _render(plan, best.keep, ctx, best.listed, detail=best.detail)  # the one form returned
        return Compressed(text, omitted=best.omitted, fallbacks=short_of(best.cost, target, why))

    def _plan(self, text: str, ctx: PieceContext) -> _Plan:
        """Files, costs and priority of the lines, once per piece (the allocator asks often)."""

        def build() -> _Plan:
            lines = split_lines(text)
            hits = read_results(lines)
            first: dict[str, int] = {}
            last: dict[str, int] = {}
            for index, hit in enumerate(hits):
                if hit.file is not None:
                    first.setdefault(hit.file, index)
                    last[hit.file] = index
            matches = Counter(hit.file for hit in hits if hit.file is not None and hit.match)
            costs = list(map(ctx.counter.count, lines))
            files = [hit.file or _OTHER for hit in hits]
            cuts = ctx.counter.cuts_before_line()
            joined = -1
            if cuts is not None:  # the lines the counter does not cut before, the first aside
                flags = bytearray(map(cuts, lines)).translate(_NOT)  # mapped in C, not a generator
                flags[:1] = b"\0"[: len(flags)]
                joined = int.from_bytes(flags, "little")
            order, ranked, shown, tied = priority(hits, ctx.query, lines)
            position = [0] * len(lines)
            for place, index in enumerate(order):
                position[index] = place
            cheapest = list(accumulate((costs[i] for i in reversed(order)), min))[::-1]
            runs = [(i, name) for i, name in enumerate(files) if i == 0 or files[i - 1] != name]
            run_starts = [i for i, _ in runs] + [len(files)]
            copied, copies = _copies(lines, hits, order[0] if ranked else -1)
            return _Plan(
                lines,
                hits,
                costs,
                order,
                ranked,
                shown,
                first,
                last,
                matches,
                files,
                joined,
                {},
                position,
                [0, *accumulate(costs)],
                run_starts,
                [name for _, name in runs],
                cheapest,
                short_names(first),
                copied,
                copies,
                all(map(str.startswith, lines, [hit.file or "" for hit in hits])),  # in C, not per line in Python
                tied if any(end > place + 1 for place, end in enumerate(tied)) else [],
            )

        return self.once_per_piece((text, ctx.query, id(ctx.counter)), build)


def _fit(
    plan: _Plan,
    target: int,
    ctx: PieceContext,
    chosen: dict[tuple[int, int, int | None], bytearray],
    seen: _Seen,
    listed: int | None,
    detail: int,
) -> _Form | None:
    """The selection whose rendering lands between 0.9 and 1 of ``target`` (``reach``), its marks
    costed by the piece's counter: the room planned with starts from a mark like the ones this form
    writes, and moves by what the renderings really cost, up as well as down (issue 12: a result
    that stayed under 0.9 of its room said nothing).

    A rendering's cost is summed from its lines' and marks' costs (``_cost``), not rendered and
    counted: six forms with a dozen tries each rendered and counted 86 outputs per 1 MB call
    (issue 14). ``chosen`` holds the selections made for each room and mark cost in this call: the
    forms that name files share their marks' estimate and first room."""
    sample = f"{len(plan.lines)}-{len(plan.lines)}" + (
        " " + ", ".join(f"{plan.short[name]}:{count}" for name, count in list(plan.matches.items())[:2])
        if detail % _COPIES == _NAMED_FILES
        else " 9 files"
        if detail % _COPIES == _COUNTED
        else ""
    )
    if detail >= _COPIES:
        sample += "; " + _copies_said(plan, 0, len(plan.lines), detail)[0]
    marker = ctx.counter.count(ctx.marker(len(plan.lines), "lines", sample) + "\n")
    base = None
    if detail == _COUNT:  # the one mark, and nothing per further gap
        base, marker = ctx.counter.count(ctx.marker(len(plan.lines), "lines") + "\n"), 0
    elif detail == _SUMMARY:  # the one mark, then each further gap's range (``,12-19``)
        base, wider = marker, ctx.counter.count(ctx.marker(len(plan.lines), "lines", f"{sample},{sample}") + "\n")
        marker = max(1, wider - marker)

    def attempt(room: float) -> tuple[_Form, int] | None:
        keep = chosen.get((int(room), marker, base))
        if keep is None:
            keep = chosen[int(room), marker, base] = _choose(plan, int(room), marker, base)
        if not keep.count(1) or keep.count(1) == len(plan.lines):
            return None
        cost, omitted = _cost(plan, keep, ctx, listed, detail, seen)
        return _Form(keep, cost, omitted, listed, detail), cost

    found = reach(whole_rooms(attempt), target, target)
    return None if found is None else found[0]


def _cost(
    plan: _Plan, keep: bytearray, ctx: PieceContext, listed: int | None, detail: int, seen: _Seen
) -> tuple[int, dict[str, int]]:
    """What ``_render`` gives for ``keep`` costs as the core will count it, and what it omits.

    The counter cuts its text into chunks before certain lines (``cuts_before_line``), and a
    text's count is the sum of its chunks' counts (exact, docs/tokens.md). Where every kept line
    after the first and every mark starts a chunk, each is a chunk alone and the cost is the sum
    of the kept lines' costs and the marks' costs: no rendering. Otherwise (no rule, an absolute
    path at the start of a line, a blank line kept) the rendering is counted whole."""
    stretches, lines, summed, dropped = _summed(plan, keep, ctx, detail, seen)
    omitted = {"lines": lines}
    closing = (_dropped_files(plan, dropped, ctx, listed), len(dropped)) if dropped else None
    if closing is not None:
        omitted["files"] = closing[1]
    if summed is None:
        return ctx.counter.count(_render(plan, keep, ctx, listed, detail=detail)), omitted
    cost = summed
    if closing is not None:
        # the closing list starts a line of its own, after a newline the last line or mark lacked
        last = plan.lines[-1] if keep[-1] else stretches[-1][2].text
        if not last.endswith("\n"):
            cost += ctx.counter.count(last + "\n") - ctx.counter.count(last)
        cost += ctx.counter.count(closing[0])
    return cost, omitted


def _summed(
    plan: _Plan, keep: bytearray, ctx: PieceContext, detail: int, seen: _Seen
) -> tuple[list[tuple[int, int, _Mark]], int, int | None, list[str]]:
    """What ``_cost`` needs of ``keep`` whatever the closing list names: its stretches, how many
    lines they omit, the summed cost without a closing list (None when the rendering must be
    counted) and the files left out entirely and not named (only for a ``detail`` that names
    files). Made once per selection and detail in a call: the four forms that name files differ
    only in the closing list and try the same rooms, so they shared every stretch walk (issue 14)."""
    key = (id(keep), detail)
    found = seen.get(key)
    if found is not None and found[0] is keep:  # ``seen`` holds ``keep``, so its id is not reused
        return found[1]
    stretches = _stretches(plan, keep, ctx, detail)
    before, lines = plan.before, 0
    summed: int | None = None if plan.joined < 0 or plan.joined & int.from_bytes(keep, "little") else before[-1]
    for start, stop, mark in stretches:  # all lines, less each stretch's, plus its mark
        lines += stop - start
        if summed is not None:
            summed = None if mark.cost is None else summed + mark.cost - before[stop] + before[start]
    dropped = _dropped(plan, stretches) if detail % _COPIES == _NAMED_FILES else []
    made = (stretches, lines, summed, dropped)
    seen[key] = (keep, made)
    return made


def _stretches(plan: _Plan, keep: bytearray, ctx: PieceContext, detail: int) -> list[tuple[int, int, _Mark]]:
    """Each omitted stretch (start, end exclusive) with its mark, made once per piece.

    Unless ``detail`` names files, a stretch's mark says only its range (and with ``_COUNTED``
    how many files its lines belong to): the lines of every dropped file are in some stretch's
    range, so there is no closing list."""
    lines, marks, n = plan.lines, plan.marks, len(plan.lines)
    if detail in (_SUMMARY, _COUNT):
        return _summary(plan, keep, ctx, ranged=detail == _SUMMARY)
    if detail >= _COPIES and not keep[plan.copied]:
        detail %= _COPIES  # copies of a line that is not kept are not copies of anything shown
    found: list[tuple[int, int, _Mark]] = []
    for gap in _GAPS.finditer(keep):  # one scan in C where two ``find`` per stretch were half the walk
        start, stop = gap.span()
        mark = marks.get((detail, start, stop))
        if mark is None:
            names: tuple[str, ...] = ()
            # the stretch's files are counted only for a mark that says them (a slice counted in C)
            if detail % _COPIES == _NAMED_FILES:
                per_file = _per_file(plan, start, stop)
                shown = list(per_file.items())[:_NAMED]
                names = tuple(name for name, _ in shown)
                said = f"{start + 1}-{stop} " + ", ".join(
                    f"{plan.short.get(name, name)}:{count}" for name, count in shown
                )
                if len(per_file) > _NAMED:
                    said += f", +{len(per_file) - _NAMED} files"
            elif detail % _COPIES == _COUNTED:
                in_stretch = set(_per_file(plan, start, stop))
                files = len(in_stretch) - (_OTHER in in_stretch)
                said = f"{start + 1}-{stop}" + (f" {files} files" if files else "")
            else:
                said = f"{start + 1}-{stop}"
            if detail >= _COPIES:
                copied, in_copies = _copies_said(plan, start, stop, detail)
                said += ("; " if " " in said else " ") + copied if copied else ""
                names += tuple(name for name in in_copies if name not in names)
            ending = "" if stop == n and not lines[-1].endswith("\n") else "\n"
            text = ctx.marker(stop - start, "lines", said) + ending
            cuts = ctx.counter.cuts_before_line()
            cost = ctx.counter.count(text) if cuts is not None and cuts(text) else None
            mark = marks[detail, start, stop] = _Mark(text, cost, names)
        found.append((start, stop, mark))
    return found


def _tightest(plan: _Plan, target: int, ctx: PieceContext) -> Compressed | None:
    """The line the question ranks first alone, after one mark that says only how many lines went,
    or None when even that is over ``target``.

    A multi-tool turn leaves the grep 12-42 tokens (tenth round): the definition's line needs its
    own 14-32 and a mark on each side, or one summary mark that lists both ranges (``[…20 lines
    1-24,26-391]``, 8 tokens more than the count alone), so no whole result line fitted and the
    core cut the grep by characters. Every result line names its own file and line number, so a
    mark that stands for every line but the one shown needs no range (docs/markers.md: the code
    excerpt's tightest form writes the same mark), and ``retrieve(handle)`` gives the rest back.
    Among lines the ranking holds equal the cheapest is shown."""
    n = len(plan.lines)
    end = plan.tied[0] if plan.tied else 1
    shown = min(plan.order[:end], key=lambda index: (plan.costs[index], plan.position[index]))
    text = ctx.marker(n - 1, "lines") + "\n" + plan.lines[shown]
    if ctx.counter.count(text) > target:
        return None
    why = "one result line kept, after a mark standing for every other line"
    return Compressed(text, omitted={"lines": n - 1}, fallbacks=short_of(ctx.counter.count(text), target, why))


def _summary(plan: _Plan, keep: bytearray, ctx: PieceContext, *, ranged: bool) -> list[tuple[int, int, _Mark]]:
    """Each omitted stretch, the first with the one mark that lists every range and the others with
    none (``_SUMMARY``): every dropped line stays in a range, so retrievable, and every kept result
    line still says its file and line number, so the gaps need not stand where they are."""
    spans = [gap.span() for gap in _GAPS.finditer(keep)]
    if not spans:
        return []
    n = len(plan.lines)
    # the mark ends the text without a newline only where it is the last thing and the original
    # ended so: one stretch, reaching the end
    ending = "" if len(spans) == 1 and spans[0][1] == n and not plan.lines[-1].endswith("\n") else "\n"
    omitted = sum(stop - start for start, stop in spans)
    text = (ctx.marker(omitted, "lines", ranges(spans)) if ranged else ctx.marker(omitted, "lines")) + ending
    cuts = ctx.counter.cuts_before_line()
    mark = _Mark(text, ctx.counter.count(text) if cuts is not None and cuts(text) else None, ())
    empty = _Mark("", 0, ())
    return [(start, stop, mark if k == 0 else empty) for k, (start, stop) in enumerate(spans)]


def short_names(files: Iterable[str]) -> dict[str, str]:
    """Each file's shortest tail of whole path parts that no other file of the results ends in
    (``cyaml.py`` for ``yaml/cyaml.py``, ``email/utils.py`` beside ``http/utils.py``): marks name
    the files of their stretch, and the package prefix every result repeats was a third of a
    mark's tokens; a kept line of the file, or ``retrieve``, gives the whole path."""
    names = list(files)
    tails: Counter[str] = Counter()
    for name in names:
        parts = name.split("/")
        tails.update("/".join(parts[k:]) for k in range(len(parts)))
    short = {}
    for name in names:
        parts = name.split("/")
        short[name] = next(
            (tail for k in range(len(parts) - 1, -1, -1) if tails[tail := "/".join(parts[k:])] == 1), name
        )
    return short


def _per_file(plan: _Plan, start: int, stop: int) -> dict[str, int]:
    """How many of lines ``start`` to ``stop`` (exclusive) each file holds, in order of first line:
    summed over the runs of one file's lines, where the stretch may hold thousands of lines."""
    starts, names = plan.run_starts, plan.run_files
    k = bisect_right(starts, start) - 1
    per_file: dict[str, int] = {}
    while starts[k] < stop:  # the last start is the number of lines: the loop ends there at the latest
        name = names[k]
        per_file[name] = per_file.get(name, 0) + min(starts[k + 1], stop) - max(starts[k], start)
        k += 1
    return per_file


def _dropped(plan: _Plan, stretches: list[tuple[int, int, _Mark]]) -> list[str]:
    """The files left out entirely and not named by a stretch's mark, for the closing marker."""
    kept_files: set[str] = set()
    begin = 0  # the kept lines are the few between the stretches
    for start, stop, _ in stretches:
        kept_files.update(plan.files[begin:start])
        begin = stop
    kept_files.update(plan.files[begin:])
    named = {name for *_, mark in stretches for name in mark.names}
    return [f for f in plan.first_line if f not in kept_files and f not in named]


def _ranks_higher(plan: _Plan, a: bytearray, b: bytearray) -> bool:
    """Whether ``a`` keeps the first line on which the two differ, among those the query ranks
    and each file's best match (``_Plan.shown``); lines the ranking holds equal (``_tied``) count
    together: a form that keeps more of them ranks higher, whichever of them it keeps."""
    order, tied = plan.order, plan.tied
    place = 0
    while place < plan.shown:
        end = tied[place] if place < len(tied) else place + 1
        if end > place + 1:
            ours = sum(a[index] for index in order[place:end])
            theirs = sum(b[index] for index in order[place:end])
            if ours != theirs:
                return ours > theirs
        elif a[order[place]] != b[order[place]]:
            return a[order[place]] > b[order[place]]
        place = end
    return False


def _choose(plan: _Plan, room: int, marker: int, base: int | None = None) -> bytearray:
    """Lines in priority order while they fit, each gap between them costing a marker (with
    ``base``, the one summary mark costs ``base`` and each further gap ``marker``).

    A line of rank that did not fit is tried again when a line next to it is kept: it may now
    close a gap (a definition two lines over its ``raise``, once the line between is in).

    The loop ends as soon as no line further in the order can fit (``_last_fit``), not at the end
    of the order: the room is full after a few hundred lines of thousands (issue 14)."""
    n = len(plan.lines)
    keep = bytearray(n)
    skipped: set[int] = set()
    used = marker if base is None else base
    costs, ranked, last, cheapest = plan.costs, plan.ranked, n - 1, plan.cheapest
    barrier = -1  # the place after which nothing can fit, until a line is kept; -1: not known
    # the lines not kept next to a kept line, and either end: kept up to date as lines are kept, so
    # ``_last_fit`` does not walk the selection's runs each time it is asked (90 times per 1 MB call)
    edges = {0, last}

    def kept(index: int) -> None:
        keep[index] = 1
        edges.discard(index)
        if index > 0 and not keep[index - 1]:
            edges.add(index - 1)
        if index < last and not keep[index + 1]:
            edges.add(index + 1)

    def take(index: int) -> bool:
        nonlocal used
        gaps = 1 - (index == 0 or keep[index - 1]) - (index == last or keep[index + 1])
        added = costs[index] + gaps * marker
        if used + added > room:
            return False
        kept(index)
        used += added
        return True

    tied, after = plan.tied, 0
    for position, index in enumerate(plan.order):
        if keep[index] or position < after:
            continue
        if position < len(tied) and tied[position] > position + 1:
            # lines the ranking holds equal: the cheapest with its marks first, so the room holds
            # as many of them as it can; those that do not fit are tried again beside a kept line
            after = tied[position]
            group = plan.order[position:after]
            while True:
                fits = [
                    (costs[j] + marker * (1 - (j == 0 or keep[j - 1]) - (j == last or keep[j + 1])), j)
                    for j in group
                    if not keep[j]
                ]
                cheapest_tie = min(fits, default=None)
                if cheapest_tie is None or used + cheapest_tie[0] > room:
                    break
                take(cheapest_tie[1])
                _retry(cheapest_tie[1], skipped, take)
            skipped.update(j for j in group if not keep[j])
            barrier = -1
            continue
        # ``take`` inline: this loop runs over every line for every room the fit loop tries
        added = costs[index] + marker * (1 - (index == 0 or keep[index - 1]) - (index == last or keep[index + 1]))
        if used + added > room:
            if position < ranked:
                skipped.add(index)
            if room - used < 2:
                break
            if room - used < cheapest[position] + marker:
                # no line from here on fits with a mark of its own; only one next to a kept line may
                if barrier < 0:
                    barrier = _last_fit(plan, keep, edges, room - used, marker, position)
                if position >= barrier:
                    break
            continue
        keep[index] = 1  # ``kept`` inline, as ``take`` is
        edges.discard(index)
        if index > 0 and not keep[index - 1]:
            edges.add(index - 1)
        if index < last and not keep[index + 1]:
            edges.add(index + 1)
        used += added
        barrier = -1
        if skipped:  # only lines of rank are skipped and tried again: none without a query
            _retry(index, skipped, take)
    return keep


def _retry(index: int, skipped: set[int], take: Callable[[int], bool]) -> None:
    """The lines of rank passed over beside ``index``, just kept, tried again: each may now close
    a gap instead of opening one, and each one taken lets its own neighbours be tried."""
    waiting = [j for j in (index - 1, index + 1) if j in skipped]
    while waiting:
        j = waiting.pop()
        if take(j):
            skipped.discard(j)
            waiting += [k for k in (j - 1, j + 1) if k in skipped]


def _last_fit(plan: _Plan, keep: bytearray, edges: set[int], free: int, marker: int, after: int) -> int:
    """The last place in ``plan.order`` after ``after`` whose line would fit in ``free`` tokens,
    among ``edges``, the lines not kept next to a kept line (or at either end); ``after`` when
    there is none.

    ``_choose`` asks once no line further in the order fits with a mark of its own: a line with
    no kept neighbour costs itself and a mark, and the others are these."""
    n, costs, position = len(keep), plan.costs, plan.position
    found = after
    for j in edges:
        if position[j] > found and not keep[j]:
            gaps = 1 - (j == 0 or keep[j - 1]) - (j == n - 1 or keep[j + 1])
            if costs[j] + gaps * marker <= free:
                found = position[j]
    return found


def _render(plan: _Plan, keep: bytearray, ctx: PieceContext, listed: int | None, *, detail: int) -> str:
    """Kept lines, a marker per omitted stretch, and (when ``detail`` names files) the closing list
    of files left out entirely. Nothing is counted here (``_cost`` does)."""
    lines = plan.lines
    out: list[str] = []
    index = 0
    stretches = _stretches(plan, keep, ctx, detail)
    for start, stop, mark in stretches:
        out.extend(lines[index:start])
        out.append(mark.text)
        index = stop
    out.extend(lines[index:])
    dropped = _dropped(plan, stretches) if detail % _COPIES == _NAMED_FILES else []
    if dropped:
        closing = _dropped_files(plan, dropped, ctx, listed)
        out.append(closing if out[-1].endswith("\n") else "\n" + closing)
    return "".join(out)


def _dropped_files(plan: _Plan, dropped: list[str], ctx: PieceContext, listed: int | None) -> str:
    """One marker naming the files left out entirely with their matches, as many as ``listed``."""
    first = min(plan.first_line[f] for f in dropped) + 1
    last = max(plan.last_line[f] for f in dropped) + 1
    names = dropped if listed is None else dropped[:listed]
    parts = [f"{plan.short[name]} {plan.matches[name]}" for name in names]
    rest = dropped[len(names) :]
    if rest:
        parts.append(f"+{len(rest)} files with {sum(plan.matches[f] for f in rest)} matches")
    return ctx.marker(len(dropped), "files", f"{first}-{last} matches: " + ", ".join(parts))


def _copies(lines: list[str], hits: list[Hit], best: int) -> tuple[int, list[tuple[int, str, str]]]:
    """``best`` and the other numbered lines whose text is the same as its own (``path:N:text``), by
    index, file and line number; (-1, []) when ``best`` is not a numbered match or has no copy."""
    if best < 0 or not hits[best].match or hits[best].file is None:
        return -1, []
    file = hits[best].file or ""
    text = hits[best].words[len(file) + 1 :]
    found = NUMBERED.match(lines[best].rstrip("\n"))
    if found is None or found["path"] != file:
        return -1, []
    copies = []
    for index, hit in enumerate(hits):
        # the words compared first: a line of another text is passed over without a regex
        if index != best and hit.file is not None and hit.words[len(hit.file) + 1 :] == text:
            numbered = NUMBERED.match(lines[index].rstrip("\n"))
            if numbered is not None and numbered["path"] == hit.file:
                copies.append((index, hit.file, numbered["line"]))
    return (best, copies) if copies else (-1, [])


def _copies_said(plan: _Plan, start: int, stop: int, detail: int) -> tuple[str, list[str]]:
    """What a mark says of the copies of the kept best match among lines ``start`` to ``stop``
    (exclusive), as many line numbers as ``detail`` says: ``same as line 4: cer/encoder.py 45 114,
    ber/encoder.py 73 +5``, and the files it names; ("", []) when the stretch holds none."""
    most = _COPIES_NAMED[detail // _COPIES - 1]
    inside = _copies_in(plan, start, stop)
    if not inside:
        return "", []
    per_file: dict[str, list[str]] = {}
    for _, name, number in sorted(sorted(inside, key=lambda copy: plan.position[copy[0]])[:most]):
        per_file.setdefault(name, []).append(number)
    said = ", ".join(f"{plan.short[name]} {' '.join(numbers)}" for name, numbers in per_file.items())
    if len(inside) > most:
        said += f" +{len(inside) - most}"
    return f"same as line {plan.copied + 1}: {said}", list(per_file)


def _copies_in(plan: _Plan, start: int, stop: int) -> list[tuple[int, str, str]]:
    """The copies of the best match among lines ``start`` to ``stop`` (exclusive). A mark names
    those the query ranks first, in their order, so a form that names them is compared with one
    that keeps them by the same ranks."""
    keys = [index for index, *_ in plan.copies]
    return plan.copies[bisect_left(keys, start) : bisect_left(keys, stop)]
