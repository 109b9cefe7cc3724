"""Build, test, install and service logs: errors and their context first, repetition folded.

Every line gets a class. Kept first, whatever the budget allows: lines of
error severity or worse with two lines of context each side, whole Python
tracebacks, pytest's failure sections, test and build summary lines (pytest,
unittest, cargo, npm, make, pip), and the first and last lines. Then the lines
that match the query (BM25), warnings, and the first line of each distinct
template (numbers, hex ids, timestamps and paths masked), so a stretch of a
thousand near-identical lines is represented by one. The rest goes, each run
replaced by a marker that says how many lines of which level it held:

    [hr1:482913057162345 omitted 212 lines 40-251 info:205 warn:7]

Without budget pressure a log is cut only when it is larger than
``max_tokens``; under a budget the allocator picks the target.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors.base import Compressed, Compressor, PieceContext, split_lines
from headroom.relevance import BM25

__all__ = ["LogCompressor", "level_of", "template_of"]

_ERROR = re.compile(
    r"\b(ERROR|ERR!|FATAL|CRITICAL|SEVERE|PANIC|EMERG|ALERT|FAILED|FAILURE|FAIL)\b|\berror(\[E\d+\])?:|"
    r"\bfatal:|panicked at|^E\s{2,}|Traceback \(most recent call last\)|^\w*(Error|Exception)\b|"
    r"make: \*\*\*|\bexit (code|status) [1-9]",
)
_WARN = re.compile(r"\b(WARN|WARNING|DEPRECATED)\b|\bwarning:|Warning:", re.I)
_DEBUG = re.compile(r"\b(DEBUG|TRACE)\b")
_SUMMARY = re.compile(
    r"^=+ .*\b(passed|failed|error|errors|skipped)\b.* =+$|^=+ (FAILURES|ERRORS|short test summary info) =+$|"
    r"^test result:|^Ran \d+ tests? in|^(OK|FAILED)( \(.*\))?$|^Result: |^Total tests:|"
    r"^Successfully (built|installed)|^ERROR: |^npm (ERR|error)|^error: could not compile|"
    r"^\s*Finished |^\d+ (passed|failed)",
)
_MASK = re.compile(
    r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?|"
    r"\b[0-9a-f]{7,}\b|\b0x[0-9a-fA-F]+\b|(?:/[\w.@+-]+)+/?|\b\d+(?:\.\d+)*\b"
)
_CONTEXT = 2
_MARKER_COST = 24


class LogOptions(BaseModel):
    """``max_tokens``: without a budget, logs above this are cut to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    max_tokens: int = Field(default=4000, ge=64)


def level_of(line: str) -> str:
    """``error``, ``warn``, ``debug`` or ``info``."""
    if _ERROR.search(line):
        return "error"
    if _WARN.search(line):
        return "warn"
    if _DEBUG.search(line):
        return "debug"
    return "info"


def template_of(line: str) -> str:
    """``line`` with its variable parts (times, ids, paths, numbers) masked."""
    return _MASK.sub("#", line.strip())


@dataclass(frozen=True)
class _Profile:
    lines: list[str]
    costs: list[int]
    levels: list[str]
    order: list[int]


class LogCompressor(Compressor):
    content_type = "log"
    name = "log"
    Options = LogOptions

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        profile = self._profile(text, ctx)
        if len(profile.lines) < 3:
            return None
        if target is None:
            if sum(profile.costs) <= self.options.max_tokens:
                return None
            target = self.options.max_tokens
        room = target - _MARKER_COST
        for _ in range(6):
            keep = _choose(profile, room)
            if not keep or len(keep) == len(profile.lines):
                return None
            out, omitted = _render(profile, keep, ctx)
            if ctx.counter.count(out) <= target:
                return Compressed(out, omitted={"lines": omitted})
            room = int(room * 0.85)
        return None

    def _profile(self, text: str, ctx: PieceContext) -> _Profile:
        """Classes, costs and priority of the lines, once per piece (the allocator asks often)."""
        key = (text, ctx.query, id(ctx.counter))
        cached: tuple[tuple[str, str | None, int], _Profile] | None = getattr(self, "_cache", None)
        if cached is None or cached[0] != key:
            lines = split_lines(text)
            levels = [level_of(line) for line in lines]
            costs = [ctx.counter.count(line) for line in lines]
            cached = (key, _Profile(lines, costs, levels, _priority(lines, levels, ctx.query)))
            self._cache = cached
        return cached[1]


def _priority(lines: list[str], levels: list[str], query: str | None) -> list[int]:
    """Line indexes, most worth keeping first.

    The best query matches, error lines, summaries, tracebacks and failure
    sections, more query matches, the context around errors, the first and last
    lines, one warning of each kind, the other matches, the first line of each
    template, then the rest.
    """
    n = len(lines)
    errors = [i for i in range(n) if levels[i] == "error"]
    summaries: list[int] = []
    sections: list[int] = []
    in_traceback = in_failures = False
    for i, line in enumerate(lines):
        stripped = line.rstrip("\n")
        if stripped.startswith("Traceback (most recent call last)"):
            in_traceback = True
        elif in_traceback and stripped and not stripped[:1].isspace():
            sections.append(i)  # the exception line that ends it
            in_traceback = False
        if re.match(r"^=+ (FAILURES|ERRORS) =+$", stripped):
            in_failures = True
        elif in_failures and re.match(r"^=+ .* =+$", stripped) and "FAILURES" not in stripped:
            in_failures = False
        if _SUMMARY.search(stripped):
            summaries.append(i)
        if in_traceback or in_failures:
            sections.append(i)
    context = [j for i in errors for j in range(i - _CONTEXT, i + _CONTEXT + 1)]
    edges = [0, 1, 2, n - 3, n - 2, n - 1]
    scores = BM25(lines).scores(query) if query else [0.0] * n
    relevant = sorted((i for i in range(n) if scores[i] > 0), key=lambda i: (-scores[i], i))
    seen: set[str] = set()
    firsts = []
    for i, line in enumerate(lines):
        shape = template_of(line)
        if shape not in seen:
            seen.add(shape)
            firsts.append(i)
    warnings = [i for i in firsts if levels[i] == "warn"]  # one of each kind
    ordered: dict[int, None] = {}
    groups = (relevant[:3], errors, summaries, sections, relevant[:12], context, edges, warnings, relevant, firsts)
    for group in (*groups, range(n)):
        for index in group:
            if 0 <= index < n:
                ordered.setdefault(index, None)
    return list(ordered)


def _choose(profile: _Profile, room: int) -> set[int]:
    keep: set[int] = set()
    used = 0
    for index in profile.order:
        gap = _MARKER_COST if index - 1 not in keep and index + 1 not in keep else 0
        cost = profile.costs[index] + gap
        if used + cost <= room:
            keep.add(index)
            used += cost
    return keep


def _render(profile: _Profile, keep: set[int], ctx: PieceContext) -> tuple[str, int]:
    """Kept lines, and one marker per omitted run naming its range and its levels."""
    lines = profile.lines
    out: list[str] = []
    omitted = 0
    index = 0
    while index < len(lines):
        if index in keep:
            out.append(lines[index])
            index += 1
            continue
        start = index
        while index < len(lines) and index not in keep:
            index += 1
        omitted += index - start
        levels = Counter(profile.levels[start:index])
        counts = " ".join(f"{level}:{levels[level]}" for level in ("error", "warn", "info", "debug") if levels[level])
        ending = "" if index == len(lines) and not lines[-1].endswith("\n") else "\n"
        out.append(ctx.marker(index - start, "lines", f"{start + 1}-{index} {counts}") + ending)
    return "".join(out), omitted
