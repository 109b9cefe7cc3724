"""Unified diffs, ``git log -p``, ``git show``: every file header stays, whole hunks are chosen.

The text is split into hunks (an ``@@ -a,b +c,d @@`` line and exactly the
lines its counts cover) and everything else (commit headers, ``diff``/``---``/
``+++`` lines, ``--stat`` lines), which is always kept. Hunks are kept whole,
so each kept hunk still applies as written; under a budget they are ranked by
the query (BM25 over the hunk and its file name) and then by how many lines
they change. Each run of dropped hunks becomes one marker in their place with
the line range and their +/- counts:

    [hr1:482913057162345 omitted 3 hunks 120-188 +41 -12]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors.base import Compressed, Compressor, PieceContext, split_lines
from headroom.relevance import BM25

__all__ = ["DiffCompressor", "split_hunks"]

_HUNK = re.compile(r"^@@ -\d+(?:,(?P<old>\d+))? \+\d+(?:,(?P<new>\d+))? @@")
_FILE = re.compile(r"^(?:\+\+\+ (?:b/)?|diff --git a/\S+ b/|diff -\S+ \S+ )(?P<path>\S+)")
_MARKER_COST = 24


@dataclass(frozen=True)
class Segment:
    """Lines ``start`` to ``end`` (0-based, end exclusive); a hunk or the text between hunks."""

    start: int
    end: int
    hunk: bool
    path: str = ""
    added: int = 0
    removed: int = 0


def split_hunks(lines: list[str]) -> list[Segment]:
    """The hunks of a diff and the runs of other lines between them, in order."""
    segments: list[Segment] = []
    path = ""
    index = other = 0
    while index < len(lines):
        file_line = _FILE.match(lines[index])
        if file_line:
            path = file_line["path"]
        match = _HUNK.match(lines[index])
        if not match:
            index += 1
            continue
        if other < index:
            segments.append(Segment(other, index, False))
        old = int(match["old"] if match["old"] is not None else 1)
        new = int(match["new"] if match["new"] is not None else 1)
        start, index = index, index + 1
        added = removed = 0
        while index < len(lines) and (old > 0 or new > 0 or lines[index].startswith("\\")):
            kind = lines[index][:1]
            if kind == "+":
                new, added = new - 1, added + 1
            elif kind == "-":
                old, removed = old - 1, removed + 1
            elif kind in (" ", "\n", ""):
                old, new = old - 1, new - 1
            elif kind != "\\":
                break  # a malformed hunk ends where its lines stop looking like one
            index += 1
        segments.append(Segment(start, index, True, path, added, removed))
        other = index
    if other < len(lines):
        segments.append(Segment(other, len(lines), False))
    return segments


class DiffOptions(BaseModel):
    """``max_tokens``: without a budget, diffs above this are cut to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    max_tokens: int = Field(default=4000, ge=64)


@dataclass(frozen=True)
class _Profile:
    lines: list[str]
    segments: list[Segment]
    costs: list[int]
    order: list[int]


class DiffCompressor(Compressor):
    content_type = "diff"
    name = "diff"
    Options = DiffOptions

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        profile = self._profile(text, ctx)
        hunks = [i for i, s in enumerate(profile.segments) if s.hunk]
        if not hunks:
            return None
        if target is None:
            if sum(profile.costs) <= self.options.max_tokens:
                return None
            target = self.options.max_tokens
        fixed = sum(c for s, c in zip(profile.segments, profile.costs) if not s.hunk)
        room = target - fixed - _MARKER_COST
        for _ in range(6):
            keep: set[int] = set()
            used = 0
            for index in profile.order:
                lonely = index - 1 not in keep and index + 1 not in keep
                cost = profile.costs[index] + (_MARKER_COST if lonely else 0)
                if used + cost <= room:
                    keep.add(index)
                    used += cost
            if len(keep) == len(hunks):
                return None
            out, omitted = _render(profile, keep, ctx)
            if ctx.counter.count(out) <= target:
                return Compressed(out, omitted={"hunks": omitted})
            room = int(room * 0.8)
            if room < 0:
                return None
        return None

    def _profile(self, text: str, ctx: PieceContext) -> _Profile:
        """Segments, costs and hunk priority, once per piece (the allocator asks often)."""
        key = (text, ctx.query, id(ctx.counter))
        cached: tuple[tuple[str, str | None, int], _Profile] | None = getattr(self, "_cache", None)
        if cached is None or cached[0] != key:
            lines = split_lines(text)
            segments = split_hunks(lines)
            costs = [ctx.counter.count("".join(lines[s.start : s.end])) for s in segments]
            hunks = [i for i, s in enumerate(segments) if s.hunk]
            bodies = [segments[i].path.replace("/", " ") + " " + "".join(lines[segments[i].start : segments[i].end]) for i in hunks]
            scores = BM25(bodies).scores(ctx.query) if ctx.query else [0.0] * len(hunks)
            ranked = sorted(
                range(len(hunks)),
                key=lambda k: (-scores[k], -(segments[hunks[k]].added + segments[hunks[k]].removed), hunks[k]),
            )
            cached = (key, _Profile(lines, segments, costs, [hunks[k] for k in ranked]))
            self._cache = cached
        return cached[1]


def _render(profile: _Profile, keep: set[int], ctx: PieceContext) -> tuple[str, int]:
    """Every non-hunk segment and kept hunk verbatim; one marker per run of dropped hunks."""
    out: list[str] = []
    omitted = 0
    run: list[Segment] = []

    def flush() -> None:
        nonlocal omitted
        if run:
            added = sum(s.added for s in run)
            removed = sum(s.removed for s in run)
            detail = f"{run[0].start + 1}-{run[-1].end} +{added} -{removed}"
            out.append(ctx.marker(len(run), "hunks", detail) + "\n")
            omitted += len(run)
            run.clear()

    for index, segment in enumerate(profile.segments):
        if segment.hunk and index not in keep:
            run.append(segment)
            continue
        flush()
        out.append("".join(profile.lines[segment.start : segment.end]))
    flush()
    return "".join(out), omitted
