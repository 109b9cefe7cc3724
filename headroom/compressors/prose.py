"""Prose (docs, man pages, licenses, RAG chunks, threads): whole paragraphs chosen, headings kept.

The text is cut into blocks at blank lines. Headings (markdown ``#`` lines,
underlined titles, man-page section names in capitals, numbered clause titles)
are always kept. The other blocks are ranked by BM25 against the query (real
IDF over the blocks), with a small bonus for the opening blocks; a block whose
words nearly repeat a block already kept is skipped. Kept blocks are verbatim,
so no word is ever dropped from inside a sentence, and stay in order; each run
of dropped blocks becomes one marker with its line range:

    [hr1:482913057162345 omitted 14 paragraphs 120-188]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors.base import Compressed, Compressor, PieceContext, split_lines
from headroom.relevance import BM25, terms

__all__ = ["ProseCompressor", "blocks_of", "is_heading"]

_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_CAPS_HEADING = re.compile(r"^[A-Z][A-Z0-9 ,/&()-]{2,60}$")
_NUMBERED = re.compile(r"^\s{0,4}(\d+(\.\d+)*\.|[IVX]+\.|Section \d+)\s+[A-Z][^.!?]{0,80}\.?$")
_UNDERLINE = re.compile(r"^\s*(=+|-+|~+)\s*$")
_MARKER_COST = 20
_OPENING = 3  # blocks that get a position bonus
_DUPLICATE = 0.8  # word-set overlap above which a block repeats one already kept


class ProseOptions(BaseModel):
    """``max_tokens``: without a budget, texts above this are cut to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    max_tokens: int = Field(default=4000, ge=64)


def is_heading(block: list[str]) -> bool:
    """Whether a block of lines is a heading."""
    if not block:
        return False
    first = block[0].rstrip("\n")
    if _MARKDOWN_HEADING.match(first):
        return True
    if len(block) == 2 and _UNDERLINE.match(block[1]) and first.strip():
        return True
    if len(block) == 1 and (_CAPS_HEADING.match(first.strip()) or _NUMBERED.match(first)):
        return True
    return len(block) <= 2 and bool(_NUMBERED.match(first))


def blocks_of(lines: list[str]) -> list[tuple[int, int]]:
    """``(start, end)`` line spans of the blocks, each with the blank lines that follow it."""
    spans: list[tuple[int, int]] = []
    start = 0
    index = 0
    while index < len(lines):
        while index < len(lines) and lines[index].strip():
            index += 1
        while index < len(lines) and not lines[index].strip():
            index += 1
        if index > start:
            spans.append((start, index))
        start = index
    return spans


@dataclass(frozen=True)
class _Profile:
    lines: list[str]
    spans: list[tuple[int, int]]
    headings: set[int]
    costs: list[int]
    order: list[int]
    words: list[frozenset[str]]


class ProseCompressor(Compressor):
    content_type = "prose"
    name = "prose"
    Options = ProseOptions

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        profile = self._profile(text, ctx)
        if len(profile.spans) < 3:
            return None
        if target is None:
            if sum(profile.costs) <= self.options.max_tokens:
                return None
            target = self.options.max_tokens
        fixed = sum(profile.costs[i] for i in profile.headings)
        room = target - fixed - _MARKER_COST
        for _ in range(6):
            keep = set(profile.headings)
            used = 0
            kept_words: list[frozenset[str]] = []
            for index in profile.order:
                if any(_overlap(profile.words[index], w) > _DUPLICATE for w in kept_words):
                    continue
                lonely = index - 1 not in keep and index + 1 not in keep
                cost = profile.costs[index] + (_MARKER_COST if lonely else 0)
                if used + cost <= room:
                    keep.add(index)
                    kept_words.append(profile.words[index])
                    used += cost
            if len(keep) == len(profile.spans) or room < 0:
                return None
            out, omitted = _render(profile, keep, ctx)
            if ctx.counter.count(out) <= target:
                return Compressed(out, omitted={"paragraphs": omitted})
            room = int(room * 0.8)
        return None

    def _profile(self, text: str, ctx: PieceContext) -> _Profile:
        """Blocks, costs and ranking, once per piece (the allocator asks often)."""
        key = (text, ctx.query, id(ctx.counter))
        cached: tuple[tuple[str, str | None, int], _Profile] | None = getattr(self, "_cache", None)
        if cached is None or cached[0] != key:
            lines = split_lines(text)
            spans = blocks_of(lines)
            bodies = ["".join(lines[a:b]) for a, b in spans]
            headings = {i for i, (a, b) in enumerate(spans) if is_heading([l for l in lines[a:b] if l.strip()])}
            costs = [ctx.counter.count(body) for body in bodies]
            scores = BM25(bodies).scores(ctx.query) if ctx.query else [0.0] * len(spans)
            top = max(scores, default=0.0) or 1.0
            rank = {i: scores[i] / top + (0.3 if i < _OPENING else 0.0) for i in range(len(spans))}
            order = sorted((i for i in rank if i not in headings), key=lambda i: (-rank[i], i))
            words = [frozenset(terms(body)) for body in bodies]
            cached = (key, _Profile(lines, spans, headings, costs, order, words))
            self._cache = cached
        return cached[1]


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b)) if min(len(a), len(b)) >= 8 else 0.0


def _render(profile: _Profile, keep: set[int], ctx: PieceContext) -> tuple[str, int]:
    out: list[str] = []
    omitted = 0
    index = 0
    spans = profile.spans
    while index < len(spans):
        if index in keep:
            a, b = spans[index]
            out.append("".join(profile.lines[a:b]))
            index += 1
            continue
        start = index
        while index < len(spans) and index not in keep:
            index += 1
        omitted += index - start
        first, last = spans[start][0] + 1, spans[index - 1][1]
        ending = "\n\n" if index < len(spans) else "\n"
        out.append(ctx.marker(index - start, "paragraphs", f"{first}-{last}") + ending)
    return "".join(out), omitted
