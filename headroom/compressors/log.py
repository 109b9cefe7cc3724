"""Build, test, install and service logs (plain or JSON lines): what failed first, repetition folded.

Every line gets a level (from its words, or from the level field of a JSON
record) and a template (numbers, times, hex ids and versions masked); runs of
similar lines are found, and the blocks that only make sense whole: Python
tracebacks, Java and Node stack traces with their ``Caused by:`` chains, Rust
panics, compiler diagnostics with their source excerpts, pytest / unittest /
cargo / TAP failure sections. Kept first, as far as the target allows: the
first error line (in a build, the cause; later errors are often its echo), the
best query matches, the first line of each error template, the summary lines of
test runners and build tools, whole blocks, context around errors, the first
and last lines, one warning of each kind, then the first and last line of each
run and each template, then the rest from both ends inward. Lines keep their
order; each omitted stretch becomes one marker with its range and its levels,
and says how many of its lines are like the kept line above it, so a run of a
thousand similar lines reads as one line and a count:

    loaded item sku-1 qty=7
    [hr1:482913057162345 omitted 38 lines 3-40 info:38, 38 like the line above]

Costs are the exact token counts of the kept lines and of each marker,
counted once per line and only for lines that are considered; the core counts
the result for real.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors._log_parse import LEVELS, LogLines, level_of, read_log, template_of
from headroom.compressors.base import Compressed, Compressor, PieceContext, split_lines
from headroom.relevance import terms
from headroom.tokens import TokenCounter

__all__ = ["LogCompressor", "level_of", "template_of"]

_MARKER_COST = 20  # a marker with a range and a level count, in cl100k tokens
_CONTEXT = 2
_LOOKBACK = 8  # how far before an error its program's last step is looked for
_SAMPLE = 2000  # lines sampled for tokens per character
_LENGTH_SAMPLE = 200  # lines sampled for BM25's average line length
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
    counted: list[bool] = field(default_factory=list)
    estimates: list[int] = field(default_factory=list)  # the exact count once a line is counted

    def __post_init__(self) -> None:
        lines = self.log.lines
        self.counted = [False] * len(lines)
        # a small log is counted line by line at once; a big one from a sample, its other lines
        # estimated from their length until they are kept
        step = 1 if sum(map(len, lines)) <= _EXACT_CHARS else max(1, len(lines) // _SAMPLE)
        sample = [(len(lines[i]), self.counter.count(lines[i])) for i in range(0, len(lines), step)]
        per_token = sum(size for size, _ in sample) / max(1, sum(tokens for _, tokens in sample))
        self.estimates = [1 + int(len(line) / per_token) for line in lines]
        for position, (_, tokens) in enumerate(sample):
            self.counted[position * step] = True
            self.estimates[position * step] = tokens

    def cost(self, index: int) -> int:
        if not self.counted[index]:
            self.counted[index] = True
            self.estimates[index] = self.counter.count(self.log.lines[index])
        return self.estimates[index]

    def exceeds(self, limit: int) -> bool:
        """Whether the whole log has more than ``limit`` tokens, counting only as far as needed."""
        total = 0
        for index in range(len(self.estimates)):
            total += self.cost(index)
            if total > limit:
                return True
        return False


class LogCompressor(Compressor):
    content_type = "log"
    name = "log"
    Options = LogOptions

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        plan = self._plan(text, ctx)
        if len(plan.log.lines) < 3:
            return None
        if target is None:
            if not plan.exceeds(self.options.max_tokens):
                return None
            target = self.options.max_tokens
        form = _fit(plan, target, ctx, summarized=True)
        if form is None or form.markers * 6 >= target / 20:
            # where the markers' level counts are a large share of a tight target, bare ranges may
            # leave room for a line that matters more; the priority order decides
            bare = _fit(plan, target, ctx, summarized=False)
            if bare is not None and (form is None or _ranks_higher(plan, bare.keep, form.keep)):
                form = bare
        return None if form is None else Compressed(form.text, omitted={"lines": form.omitted})

    def _plan(self, text: str, ctx: PieceContext) -> _Plan:
        """Computed once per piece: the allocator asks the same instance at several targets."""
        key = (text, ctx.query, id(ctx.counter))
        cached: tuple[tuple[str, str | None, int], _Plan] | None = getattr(self, "_cache", None)
        if cached is None or cached[0] != key:
            log = read_log(split_lines(text))
            order, rest = _order(log, ctx.query)
            tallies = {level: [0, *accumulate(int(v == level) for v in log.levels)] for level in LEVELS if level != "info"}
            run_end: dict[int, int] = {}
            for index, start in enumerate(log.run_start):
                run_end[start] = index + 1
            plan = _Plan(log, order, rest, tallies, run_end, ctx.counter)
            cached = (key, plan)
            self._cache = cached
        return cached[1]


def _order(log: LogLines, query: str | None) -> tuple[list[tuple[int, int]], int]:
    """Ranges of lines, most worth keeping first (see the module docstring), and where the filler starts."""
    lines, levels, templates = log.lines, log.levels, log.templates
    n = len(lines)
    first_of: dict[str, int] = {}
    for index in range(n):
        first_of.setdefault(templates[index], index)
    errors = [i for i in range(n) if levels[i] == "error"]
    distinct_errors = [i for i in errors if first_of[templates[i]] == i]
    warnings = [i for i in range(n) if levels[i] == "warn" and first_of[templates[i]] == i]
    scores = _query_scores(lines, query)
    relevant = sorted(scores, key=lambda i: (-scores[i], i))
    context = [j for i in distinct_errors for j in (*range(i - _CONTEXT, i + _CONTEXT + 1), _last_step(log, i))]
    edges = [0, 1, 2, n - 3, n - 2, n - 1]
    run_firsts = sorted({*log.run_start, *first_of.values()} - {n})
    run_lasts = [  # the last line of a long run, when it is not a copy of the first
        i
        for i in range(n)
        if (i == n - 1 or log.run_start[i + 1] != log.run_start[i])
        and i - log.run_start[i] >= 2
        and templates[i] != templates[log.run_start[i]]
    ]
    first = [errors[0], _last_step(log, errors[0])] if errors else []
    singles = (first, relevant[:3], distinct_errors, log.summaries)
    later = (relevant[:12], context, edges, warnings, relevant, errors, run_firsts, run_lasts)
    order: list[tuple[int, int]] = []
    seen: set[int] = set()

    def add(group: list[int]) -> None:
        for index in group:
            if 0 <= index < n and index not in seen:
                seen.add(index)
                order.append((index, index + 1))

    for group in singles:
        add(group)
    order.extend(log.blocks)
    for group in later:
        add(group)
    rest = len(order)
    add(sorted(range(n), key=lambda i: (min(i, n - 1 - i), i)))
    return order, rest


def _last_step(log: LogLines, error: int) -> int:
    """The last line of a run of similar lines that ends shortly before ``error`` (``loading x.json``,
    ``compiling y.c``): what the program was doing when it failed. -1 when there is none."""
    for j in range(error - 1, max(-1, error - _LOOKBACK), -1):
        if j - log.run_start[j] >= 2:
            return j
    return -1


def _query_scores(lines: list[str], query: str | None) -> dict[int, float]:
    """BM25 (k1 1.2, b 0.75) of the lines that hold a query term; the others score 0.

    The same formula as ``headroom.relevance.BM25``, computed sparsely: only the
    lines a query term occurs in are tokenized, and the average line length is
    taken from a sample, so a 100,000-line log is scored in milliseconds.
    """
    wanted = set(terms(query or ""))
    if not wanted:
        return {}
    finder = re.compile("|".join(re.escape(term) for term in sorted(wanted)))
    counts = {}
    for index, line in enumerate(lines):
        if finder.search(line.lower()):
            found = Counter(terms(line))
            if wanted & found.keys():
                counts[index] = found
    if not counts:
        return {}
    sample = lines[:: max(1, len(lines) // _LENGTH_SAMPLE)]
    average = sum(len(terms(line)) for line in sample) / len(sample) or 1.0
    frequency = Counter(term for found in counts.values() for term in wanted & found.keys())
    # a term on most lines ("request" in a request log) selects nothing; it would only scatter markers
    selective = {t for t, df in frequency.items() if df <= len(lines) / 2}
    idf = {t: math.log(1 + (len(lines) - frequency[t] + 0.5) / (frequency[t] + 0.5)) for t in selective}
    scores = {}
    for index, found in counts.items():
        norm = 1.2 * (0.25 + 0.75 * sum(found.values()) / average)
        score = sum(idf[t] * found[t] * 2.2 / (found[t] + norm) for t in selective & found.keys())
        if score > 0:
            scores[index] = score
    return scores


@dataclass(frozen=True)
class _Form:
    keep: bytearray
    text: str
    omitted: int
    markers: int
    cost: int


def _fit(plan: _Plan, target: int, ctx: PieceContext, summarized: bool) -> _Form | None:
    """The selection whose rendering fits ``target``: the room shrinks by each overshoot."""
    room = target
    for _ in range(4):
        keep = _choose(plan, room)
        if keep.count(1) in (0, len(keep)):
            return None
        form = _render(plan, keep, ctx, summarized, exact=target <= _EXACT_TARGET)
        if form.cost <= target:
            return form
        room -= form.cost - target
    return None


def _ranks_higher(plan: _Plan, a: bytearray, b: bytearray) -> bool:
    """Whether ``a`` keeps the first range of the priority order on which the two differ."""
    for start, _ in plan.order:
        if a[start] != b[start]:
            return a[start] > b[start]
    return False


def _choose(plan: _Plan, room: int) -> bytearray:
    """Which lines to keep: ranges in priority order while they fit, counting a marker per gap."""
    n = len(plan.log.lines)
    keep = bytearray(n)
    used = _MARKER_COST  # everything omitted is one gap
    for position, (start, end) in enumerate(plan.order):
        if end - start == 1:  # most ranges are one line: the same sum as _gain, inline for speed
            if keep[start]:
                continue
            added = plan.estimates[start] + _MARKER_COST * (
                1 - (start == 0 or keep[start - 1]) - (end == n or keep[end])
            )
        else:
            lines_cost, gaps = _gain(plan, keep, start, end)
            added = lines_cost + gaps * _MARKER_COST
        if used + added <= room:
            keep[start:end] = b"\x01" * (end - start)
            used += added
        elif position >= plan.rest or room - used < 2:
            break
    return keep


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


def _render(plan: _Plan, keep: bytearray, ctx: PieceContext, summarized: bool, exact: bool) -> _Form:
    """The kept lines with one marker per omitted stretch, and what that costs: exactly (every kept
    line and marker counted), or for a large target with the lines not counted yet estimated."""
    lines = plan.log.lines
    n = len(lines)
    out: list[str] = []
    omitted = cost = markers = 0
    index = 0
    while index < n:
        if keep[index]:
            stop = keep.find(0, index)
            stop = n if stop < 0 else stop
            out.extend(lines[index:stop])
            cost += sum(plan.cost(i) for i in range(index, stop)) if exact else sum(plan.estimates[index:stop])
        else:
            stop = keep.find(1, index)
            stop = n if stop < 0 else stop
            omitted += stop - index
            markers += 1
            ending = "" if stop == n and not lines[-1].endswith("\n") else "\n"
            detail = _detail(plan, index, stop) if summarized else f"{index + 1}-{stop}"
            marker = ctx.marker(stop - index, "lines", detail) + ending
            out.append(marker)
            cost += ctx.counter.count(marker) if exact else 1 + len(marker) * 2 // 5
        index = stop
    return _Form(keep, "".join(out), omitted, markers, cost)


def _detail(plan: _Plan, start: int, stop: int) -> str:
    """``41-160 error:2 warn:1``: the range, the lines of each level but info (the rest), and how
    many of them are like the kept line above."""
    parts = [f"{start + 1}-{stop}"]
    parts += [f"{level}:{tally[stop] - tally[start]}" for level, tally in plan.tallies.items() if tally[stop] > tally[start]]
    if start > 0:
        run = plan.log.run_start[start - 1]
        like = min(stop, plan.run_end[run]) - start
        if like > 0:
            parts.append(f"{like} like the line above")
    return " ".join(parts)
