"""Build, test, install and service logs (plain or JSON lines): what failed first, repetition folded.

Every line gets a level (from its words, or from the level field of a JSON
record) and a template (numbers, times, hex ids, versions and paths masked);
runs of similar lines are found, and the blocks that only make sense whole:
Python tracebacks, Java and Node stack traces with their ``Caused by:`` chains,
Rust panics, compiler diagnostics with their source excerpts, pytest / unittest
/ cargo / TAP failure sections (``_log_parse``). Lines are kept in the priority
order of ``_log_rank`` as far as the target allows, and shown in their order;
each omitted stretch becomes one marker with its range, its lines of each level
but info, and how many of them are like the kept line above it, so a run of
similar lines reads as one line and a count:

    2026-11-24 08:43:49 INFO Inventory - loaded item sku-3 qty=21
    [hr1:371797639682022 omitted 35 lines 5-39 35 like the line above]

A small log has every line counted before choosing; a big one has a sample
counted and its other lines estimated from their length. The estimates are
fixed once made: a choice depends on its target alone, never on the targets
asked before it in the call (so the core can skip the default level, which is
always lossy, under a budget: ``lossless_default``). A result for a target up
to ``_EXACT_TARGET`` is costed by counting its text; the core counts every
result for real.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field, replace
from itertools import accumulate

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors._reach import FLOOR, reach, short_of, whole_rooms
from headroom.compressors._rows import ranges
from headroom.compressors._spans import render_spans
from headroom.compressors.log._cut import MIN_CHARS, cut_spans, locators
from headroom.compressors.log._parse import LEVELS, LogLines, level_of, read_log, template_of
from headroom.compressors.log._query import failure_terms
from headroom.compressors.log._rank import order
from headroom.compressors.log._testrun import failure_cores
from headroom.plugins import Compressed, Compressor, PieceContext, split_lines
from headroom.relevance import without_call_names
from headroom.tokens import TokenCounter

__all__ = ["LogCompressor", "level_of", "template_of"]

_MARKER_COST = 20  # a marker with a range and a level count, in cl100k tokens
# what the marks of a form say: each stretch's range and its lines' levels, each stretch's range
# alone, or one mark for the whole piece (``_ONE_MARK``) listing every range (``_SUMMARY``) or only
# how many lines went (``_COUNT``)
_LEVELS, _BARE, _SUMMARY, _COUNT = range(4)
_ONE_MARK = {_SUMMARY: (10, 4), _COUNT: (6, 0)}  # estimated cost of that mark, and of each further gap's range
_HEAD = 2  # a test runner's failure: its core's first lines, the error and the place (``_testrun``)
_CHARS_MARK_COST = 10  # a ``chars`` mark inside a cut line (``_cut``)
_SAMPLE = 2000  # lines sampled for tokens per character
_EXACT_CHARS = 400_000  # logs up to this size have every line counted before choosing
# up to this target a result's cost is counted exactly; above it the core's count of the result decides
_EXACT_TARGET = 32_000


class LogOptions(BaseModel):
    """``max_tokens``: without a budget, logs above this are cut to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    max_tokens: int = Field(default=4000, ge=64)


@dataclass
class _Plan:
    """One piece's lines, priority and level tallies; token costs filled in as lines are considered."""

    log: LogLines
    order: list[tuple[int, int]]  # [start, end) ranges, most worth keeping first
    rest: int  # where the filler starts in ``order``: taken in order until one does not fit
    tallies: dict[str, list[int]]  # running count of each level, for a marker's summary
    run_end: dict[int, int]
    counter: TokenCounter
    cuttable: dict[int, list[tuple[int, int]]]  # long lines that hold the question's words: what a cut keeps
    head: int  # the ranges ranked first that a tight room keeps together, under one mark if need be
    estimates: list[int] = field(default_factory=list)  # each line's tokens, exact where counted
    # each line's place in ``order`` as a line of its own before the filler (else past the order's
    # end): a line beside one being kept that ranks before it was passed over (``_choose``)
    ranked_at: list[int] = field(default_factory=list)
    singles: list[int] = field(default_factory=list)  # the lines ranked on their own before the filler, in rank order
    singles_at: list[int] = field(default_factory=list)  # and their places in ``order``

    def __post_init__(self) -> None:
        lines = self.log.lines
        self.ranked_at = [len(self.order)] * len(lines)
        for position, (start, end) in enumerate(self.order[: self.rest]):
            if end - start == 1 and self.ranked_at[start] > position:
                self.ranked_at[start] = position
                self.singles.append(start)
                self.singles_at.append(position)
        # a small log is counted line by line at once; a big one from a sample, its other lines
        # estimated from their length. Never refined later: what one target's answer counted
        # would change the next target's choice (answers depending on the order they were asked in)
        step = 1 if sum(map(len, lines)) <= _EXACT_CHARS else max(1, len(lines) // _SAMPLE)
        sample = [(len(lines[i]), self.counter.count(lines[i])) for i in range(0, len(lines), step)]
        per_token = sum(size for size, _ in sample) / max(1, sum(tokens for _, tokens in sample))
        self.estimates = [1 + int(len(line) / per_token) for line in lines]
        for position, (_, tokens) in enumerate(sample):
            self.estimates[position * step] = tokens

    def exceeds(self, limit: int) -> bool:
        """Whether the whole log has more than ``limit`` tokens, counting only as far as needed."""
        total = 0
        for line in self.log.lines:
            total += self.counter.count(line)
            if total > limit:
                return True
        return False


class LogCompressor(Compressor):
    content_type = "log"
    name = "log"
    lossless_default = False  # its default output is always lossy: skipped under a budget
    Options = LogOptions

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        plan = self._plan(text, ctx)
        if len(plan.log.lines) < 3:
            return None
        if target is None:
            if not plan.exceeds(self.options.max_tokens):
                return None
            target = self.options.max_tokens
        form = _fit(plan, target, ctx, _LEVELS)
        if form is None or form.markers * 6 >= target / 20:
            # where the markers' level counts are a large share of a tight target, bare ranges may
            # leave room for a line that matters more; the priority order decides
            bare = _fit(plan, target, ctx, _BARE)
            if bare is not None and (form is None or _ranks_higher(plan, bare.keep, form.keep)):
                form = bare
        if _head_kept(plan, form) < plan.head:
            # a failing test's error and its place did not both fit with a mark at each gap (the
            # frame and the error beside the piece's first mark, in a room of 60-80 tokens): one mark
            # for the piece may leave them room. Only then: marks in place show where each kept line
            # stood. A log's first error and the step before it are not such a pair: java's
            # ``SEVERE import failed`` and its last ``loaded item`` line under one mark pushed out
            # the exception line below (``benchmarks/budget_use.py``, ``log-java-caused-by`` at 10%)
            for style in (_SUMMARY, _COUNT):
                one = _fit(plan, target, ctx, style)
                if one is not None and _head_kept(plan, one) > _head_kept(plan, form):
                    form = one
        elif plan.head and form is not None and form.cost < FLOOR * target:
            # the error and the place fit, and the next line in rank with its mark did not: the
            # form stops short of its room, and the core sends the generic cut in its place when
            # that holds more of the question's words (a progress line naming the test asked
            # about), keeping neither (``forms._fuller``). One mark listing every range may give
            # that line its room
            one = _fit(plan, target, ctx, _SUMMARY)
            if one is not None and one.cost > form.cost and _ranks_higher(plan, one.keep, form.keep):
                form = one
        if form is None:
            return None
        why = "whole lines and blocks are kept and the next one in rank, with its mark, would not fit"
        omitted = {"lines": form.omitted} | ({"chars": form.chars} if form.chars else {})
        return Compressed(form.text, omitted=omitted, fallbacks=short_of(form.cost, target, why))

    def _plan(self, text: str, ctx: PieceContext) -> _Plan:
        """Computed once per piece: the allocator asks the same instance at several targets."""

        def build() -> _Plan:
            log = read_log(split_lines(text))
            query = without_call_names(ctx.query, ctx.tool_args)
            ranked, rest = order(log, query, failure_terms(ctx.query))
            present = set(log.levels)  # a level no line has adds nothing to a mark
            tallies = {
                level: list(accumulate(map(level.__eq__, log.levels), initial=0))
                for level in LEVELS
                if level != "info" and level in present
            }
            run_end: dict[int, int] = {}
            for index, start in enumerate(log.run_start):
                run_end[start] = index + 1
            words = locators(query)
            cuttable = {}
            for index, line in enumerate(log.lines):
                spans = cut_spans(line, words) if len(line) >= MIN_CHARS else None
                if spans is not None:
                    cuttable[index] = spans
            head = min(_HEAD, len(ranked)) if failure_cores(log.lines, log.blocks) else 0
            return _Plan(log, ranked, rest, tallies, run_end, ctx.counter, cuttable, head)

        return self.once_per_piece((text, ctx.query, ctx.tool_args, id(ctx.counter)), build)


@dataclass(frozen=True)
class _Form:
    keep: bytearray
    text: str
    omitted: int
    markers: int
    cost: int
    chars: int = 0  # characters omitted inside cut lines


def _fit(plan: _Plan, target: int, ctx: PieceContext, style: int) -> _Form | None:
    """The selection whose rendering lands between 0.9 and 1 of ``target`` (``reach``): the room
    planned with moves by what the renderings cost, up as well as down (issue 12: a result that
    stayed under 0.9 of its room, its estimates pessimistic, said nothing)."""

    def attempt(room: float) -> tuple[_Form, int] | None:
        # a mark without ranges is the piece's only mark (``docs/markers.md``): no line is cut
        first, mark = _ONE_MARK.get(style, (_MARKER_COST, _MARKER_COST))
        keep, cuts = _choose(plan, int(room), first, mark, cutting=style != _COUNT)
        if keep.count(1) in (0, len(keep)) and not cuts:
            return None
        exact = target <= _EXACT_TARGET
        form = _render(plan, keep, cuts, ctx, style, exact=exact)
        if exact:  # the text as the core will count it (lines counted apart sum to a little more)
            form = replace(form, cost=ctx.counter.count(form.text))
        return form, form.cost

    found = reach(whole_rooms(attempt), target, target)
    return None if found is None else found[0]


def _head_kept(plan: _Plan, form: _Form | None) -> int:
    """How many of the ``plan.head`` ranges ranked first ``form`` keeps whole."""
    if form is None:
        return 0
    return sum(all(form.keep[start:end]) for start, end in plan.order[: plan.head])


def _ranks_higher(plan: _Plan, a: bytearray, b: bytearray) -> bool:
    """Whether ``a`` keeps the first range of the priority order on which the two differ."""
    for start, _ in plan.order:
        if a[start] != b[start]:
            return a[start] > b[start]
    return False


def _choose(
    plan: _Plan, room: int, first: int = _MARKER_COST, mark: int = _MARKER_COST, cutting: bool = True
) -> tuple[bytearray, dict[int, list[tuple[int, int]]]]:
    """Which lines to keep: ranges in priority order while they fit, counting ``first`` for the
    piece's first mark and ``mark`` for each further gap; a ranked line that holds the question's
    words and does not fit whole is kept cut (``_cut``) when its cut fits. Returns the kept lines
    and the cut ones' kept stretches."""
    n = len(plan.log.lines)
    keep = bytearray(n)
    cuts: dict[int, list[tuple[int, int]]] = {}
    used = first  # everything omitted is one gap
    ranked_at = plan.ranked_at
    freed = False

    for now, (start, end) in enumerate(plan.order):
        if end - start == 1:  # most ranges are one line: the same sum as _gain, inline for speed
            if keep[start]:
                continue
            gaps = mark * (1 - (start == 0 or keep[start - 1]) - (end == n or keep[end]))
            added = plan.estimates[start] + gaps
            if cutting and used + added > room and now < plan.rest and start in plan.cuttable:
                cut = _cut_cost(plan, start) + gaps
                if used + cut <= room:
                    keep[start] = 1
                    cuts[start] = plan.cuttable[start]
                    used += cut
                    continue
        else:
            lines_cost, gaps = _gain(plan, keep, start, end)
            added = lines_cost + gaps * mark
        if used + added <= room:
            used += added
            freed = freed or added < 0  # a gap closed: a line passed over earlier may fit now
            keep[start:end] = b"\x01" * (end - start)
            # a line beside it ranked before it and not kept was passed over: tried again
            if (start > 0 and ranked_at[start - 1] < now and not keep[start - 1]) or (
                end < n and ranked_at[end] < now and not keep[end]
            ):
                used = _passed_over(plan, keep, [start - 1, end], now, room, used, mark)
        elif now >= plan.rest or room - used < 2:
            break
    if freed:  # what the closed gaps gave back goes to the lines passed over, best ranked first
        fits = room - used + mark  # a line between two kept ones gives a mark back
        estimates = plan.estimates
        passed = [i for i in plan.singles[: bisect_left(plan.singles_at, now)] if estimates[i] <= fits and not keep[i]]
        used = _passed_over(plan, keep, passed[::-1], now, room, used, mark)
    return keep, cuts


def _passed_over(plan: _Plan, keep: bytearray, waiting: list[int], now: int, room: int, used: int, mark: int) -> int:
    """Keep each line of ``waiting`` that was passed over (ranked before place ``now`` in the
    order, not kept) and fits now, a kept neighbour having taken its gap's mark away, and then
    the ones beside it in turn: they rank above what is being kept. Returns the room used."""
    n = len(keep)
    while waiting:
        side = waiting.pop()
        if 0 <= side < n and plan.ranked_at[side] < now and not keep[side]:
            added = plan.estimates[side] + mark * (
                1 - (side == 0 or keep[side - 1]) - (side == n - 1 or keep[side + 1])
            )
            if used + added <= room:
                used += added
                keep[side] = 1
                waiting += [side - 1, side + 1]
    return used


def _cut_cost(plan: _Plan, index: int) -> int:
    """What line ``index`` cut to its kept stretches costs: its estimate in proportion to the
    characters kept, and a mark per omitted stretch."""
    spans = plan.cuttable[index]
    kept = sum(end - start for start, end in spans)
    line = plan.log.lines[index]
    marks = len(spans) - 1 + (spans[0][0] > 0) + (spans[-1][1] < len(line.rstrip("\n")))
    return 1 + plan.estimates[index] * kept // max(1, len(line)) + marks * _CHARS_MARK_COST


def _gain(plan: _Plan, keep: bytearray, start: int, end: int) -> tuple[int, int]:
    """What keeping ``[start, end)`` costs: the tokens of its omitted lines, and how many gaps it adds."""
    n = len(keep)
    cost = gaps = 0
    index = start
    while index < end:
        if keep[index]:
            index += 1
            continue
        stretch = keep.find(1, index, end)
        stretch = end if stretch < 0 else stretch
        cost += sum(plan.estimates[index:stretch])
        left = index == start and start > 0 and not keep[start - 1]
        right = stretch == end and end < n and not keep[end]
        gaps += left + right - 1
        index = stretch
    return cost, gaps


def _render(
    plan: _Plan,
    keep: bytearray,
    cuts: dict[int, list[tuple[int, int]]],
    ctx: PieceContext,
    style: int,
    exact: bool,
) -> _Form:
    """The kept lines (a cut one as its kept stretches around ``chars`` marks) with one marker per
    omitted stretch of lines (or, in a ``_ONE_MARK`` style, one for them all where the first
    stretch was), and for a large target what that costs by the estimates; an ``exact`` form is
    left at 0 for ``_fit``, which counts its whole text."""
    lines = plan.log.lines
    n = len(lines)
    out: list[str] = []
    omitted = cost = markers = chars = 0
    gaps = [] if style not in _ONE_MARK else _gaps(keep)
    index = 0
    while index < n:
        if keep[index]:
            stop = keep.find(0, index)
            stop = n if stop < 0 else stop
            out.extend(lines[index:stop])
            cost += 0 if exact else sum(plan.estimates[index:stop])
            for cut in (i for i in cuts if index <= i < stop):
                line, gone = _cut_line(lines, cut, cuts[cut], ctx)
                out[len(out) - (stop - cut)] = line
                chars += gone
                cost += 0 if exact else _cut_cost(plan, cut) - plan.estimates[cut]
        else:
            stop = keep.find(1, index)
            stop = n if stop < 0 else stop
            omitted += stop - index
            if gaps and markers:  # the piece's one mark stands for this stretch too
                index = stop
                continue
            markers += 1
            last = (gaps or [(index, stop)])[-1][1] == n and len(gaps) < 2
            ending = "" if last and not lines[-1].endswith("\n") else "\n"
            if gaps:
                count = sum(end - start for start, end in gaps)
                marker = ctx.marker(count, "lines", ranges(gaps) if style == _SUMMARY else None) + ending
            else:
                detail = _detail(plan, index, stop) if style == _LEVELS else f"{index + 1}-{stop}"
                marker = ctx.marker(stop - index, "lines", detail) + ending
            out.append(marker)
            cost += 0 if exact else 1 + len(marker) * 2 // 5
        index = stop
    return _Form(keep, "".join(out), omitted, markers, cost, chars)


def _gaps(keep: bytearray) -> list[tuple[int, int]]:
    """The omitted stretches of ``keep``, ``(start, end)`` with the end exclusive."""
    out = []
    index = keep.find(0)
    while index >= 0:
        stop = keep.find(1, index)
        stop = len(keep) if stop < 0 else stop
        out.append((index, stop))
        index = keep.find(0, stop)
    return out


def _cut_line(lines: list[str], index: int, spans: list[tuple[int, int]], ctx: PieceContext) -> tuple[str, int]:
    """Line ``index`` as its kept stretches with a ``chars`` mark for each omitted one (its range
    in characters of the whole log), and how many characters it omits: the generic cut's
    renderer (``compressors/_spans.py``)."""
    line = lines[index]
    body = line.rstrip("\n")
    cut, gone = render_spans(body, spans, sum(map(len, lines[:index])), ctx.marker)
    return cut + line[len(body) :], gone


def _detail(plan: _Plan, start: int, stop: int) -> str:
    """``41-160 error:2 warn:1``: the range, the lines of each level but info (the rest), and how
    many of them are like the kept line above."""
    parts = [f"{start + 1}-{stop}"]
    parts += [
        f"{level}:{tally[stop] - tally[start]}" for level, tally in plan.tallies.items() if tally[stop] > tally[start]
    ]
    if start > 0:
        run = plan.log.run_start[start - 1]
        like = min(stop, plan.run_end[run]) - start
        if like > 0:
            parts.append(f"{like} like the line above")
    return " ".join(parts)
