"""Search results (grep -rn, git grep, ripgrep): the best matches of every file, every file named.

Each line is parsed as ``path:line:text`` (a match) or ``path-line-text`` (a
context line); ripgrep's heading style (a path alone, then ``line:text``) is
followed too. Lines that parse as neither are kept in place like any other
line and counted when omitted, never dropped silently. Under a budget the
kept lines are, in this order of priority: the matches that best fit the
query (BM25 over path and text), the best match of each file, the other query
matches, then the rest in order. Every run of omitted lines becomes a marker
that names the files it touches (up to four, then how many more) and how many
of their lines went:

    [hr1:482913057162345 omitted 57 lines 120-176 email/utils.py:3, http/client.py:54]
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors.base import Compressed, Compressor, PieceContext, split_lines
from headroom.relevance import BM25

__all__ = ["SearchCompressor", "file_of"]

_MATCH = re.compile(r"^(?P<path>[^\s:]+?)[:-](?P<line>\d+)[:-]")
_HEADING_LINE = re.compile(r"^\d+[:-]")
_PATH = re.compile(r"^[\w.@+-]*(/[\w.@+-]+)+$|^[\w@+-]+\.[A-Za-z0-9]{1,5}$")
_MARKER_COST = 28
_NAMED = 4  # files named in one marker


class SearchOptions(BaseModel):
    """``max_tokens``: without a budget, results above this are cut to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    max_tokens: int = Field(default=4000, ge=64)


def file_of(lines: list[str]) -> list[str | None]:
    """The file each line belongs to, or None for a line that is not a result."""
    files: list[str | None] = []
    heading: str | None = None
    for line in lines:
        text = line.rstrip("\n")
        match = _MATCH.match(text)
        if match:
            files.append(match["path"])
        elif heading is not None and _HEADING_LINE.match(text):
            files.append(heading)
        elif _PATH.match(text):  # ripgrep's heading: a path alone on its line
            heading = text
            files.append(text)
        else:
            heading = heading if text else None
            files.append(None)
    return files


@dataclass(frozen=True)
class _Profile:
    lines: list[str]
    files: list[str | None]
    costs: list[int]
    order: list[int]


class SearchCompressor(Compressor):
    content_type = "search"
    name = "search"
    Options = SearchOptions

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
            keep: set[int] = set()
            used = 0
            for index in profile.order:
                gap = _MARKER_COST if index - 1 not in keep and index + 1 not in keep else 0
                if used + profile.costs[index] + gap <= room:
                    keep.add(index)
                    used += profile.costs[index] + gap
            if not keep or len(keep) == len(profile.lines):
                return None
            out, omitted = _render(profile, keep, ctx)
            if ctx.counter.count(out) <= target:
                return Compressed(out, omitted={"lines": omitted})
            room = int(room * 0.8)
        return None

    def _profile(self, text: str, ctx: PieceContext) -> _Profile:
        """Files, costs and priority of the lines, once per piece (the allocator asks often)."""
        key = (text, ctx.query, id(ctx.counter))
        cached: tuple[tuple[str, str | None, int], _Profile] | None = getattr(self, "_cache", None)
        if cached is None or cached[0] != key:
            lines = split_lines(text)
            files = file_of(lines)
            costs = [ctx.counter.count(line) for line in lines]
            cached = (key, _Profile(lines, files, costs, _priority(lines, files, ctx.query)))
            self._cache = cached
        return cached[1]


def _priority(lines: list[str], files: list[str | None], query: str | None) -> list[int]:
    n = len(lines)
    scores = BM25([line.replace("/", " ") for line in lines]).scores(query) if query else [0.0] * n
    relevant = sorted((i for i in range(n) if scores[i] > 0), key=lambda i: (-scores[i], i))
    best: dict[str, int] = {}
    for i, name in enumerate(files):
        if name is not None and (name not in best or scores[i] > scores[best[name]]):
            best[name] = i
    ordered: dict[int, None] = {}
    for group in (relevant[:12], sorted(best.values()), relevant, range(n)):
        for index in group:
            ordered.setdefault(index, None)
    return list(ordered)


def _render(profile: _Profile, keep: set[int], ctx: PieceContext) -> tuple[str, int]:
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
        per_file = Counter(f if f is not None else "other lines" for f in profile.files[start:index])
        listed = list(per_file.items())
        named = ", ".join(f"{name}:{count}" for name, count in listed[:_NAMED])
        if len(listed) > _NAMED:  # a marker must stay short; the rest are counted, not named
            named += f", +{len(listed) - _NAMED} files"
        ending = "" if index == len(lines) and not lines[-1].endswith("\n") else "\n"
        out.append(ctx.marker(index - start, "lines", f"{start + 1}-{index} {named}") + ending)
    return "".join(out), omitted
