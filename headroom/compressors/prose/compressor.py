"""Prose (docs, man pages, licenses, RAG chunks, threads): headings kept, sentences and paragraphs chosen.

The text is cut into blocks at blank lines (``_units.segment``). Headings are
kept (when they alone would take more than half the room, the headings a
chosen unit falls under are kept with it, then the top-level ones in order
while room lasts). A
short paragraph is kept or dropped whole; a long one is chosen from sentence
by sentence; a list of items (bullets, ``key: value`` fields, options) item by
item. Units are ranked by BM25 against the query (real IDF over the units),
plus half the score of a title or heading that leads into them, plus a bonus
for the document's opening and for each paragraph's first sentence; a unit
whose words nearly repeat a unit already kept is skipped. Without a query the
opening and each paragraph's first sentence lead, in document order, so what
is kept reads as an outline. A dropped run that costs less than its marker is
kept instead. Room left after the choice widens kept sentences of a
hard-wrapped paragraph to the whole lines they start and end on (best first):
a man page's line is what a question quotes, and the widening never pushes a
sentence out. Markers are costed at what the counter says one costs (about 9
tokens in the short grammar, the handle once). Words of the question that name
the document itself (in the call's arguments: ``man environment``, ``cat
exslt.html``) do not rank its parts. Kept units are verbatim, so no word is dropped from inside a
sentence. Each run of omitted units becomes one marker with the 1-based line
range that holds it:

    [hr1:482913057162345 omitted 14 paragraphs 120-188]
    ... first sentence kept. [hr1:482913057162345 omitted 3 sentences 191-196] Last sentence kept.
    [hr1:482913057162345 omitted 12 lines 200-211]

A sentence marker's range may share its first and last line with kept sentences.

Modules: ``_units.py`` cuts the text into blocks and units; ``_profile.py`` builds what every
choice reads (costs, ranking, layout) once per piece; ``_near.py`` finds near-duplicates;
``_select.py`` chooses within one room; ``_render.py`` writes the choice with its markers. This
module holds the compressor: its options, and the search over rooms that reaches the target.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors._reach import reach, short_of
from headroom.compressors.prose._profile import Profile, build_profile
from headroom.compressors.prose._render import render
from headroom.compressors.prose._select import choose
from headroom.compressors.prose._units import blocks_of, is_heading
from headroom.plugins import Compressed, Compressor, PieceContext

__all__ = ["ProseCompressor", "blocks_of", "is_heading"]


class ProseOptions(BaseModel):
    """``max_tokens``: without a budget, texts above this are cut to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    max_tokens: int = Field(default=4000, ge=64)


class ProseCompressor(Compressor):
    content_type = "prose"
    name = "prose"
    lossless_default = False  # its default output is always lossy: skipped under a budget
    Options = ProseOptions

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        profile = self._profile(text, ctx)
        if len(profile.doc.units) < 2:
            return None
        if target is None:
            if ctx.counter.count(text) <= self.options.max_tokens:
                return None
            target = self.options.max_tokens
        everything = (len(profile.doc.units), len(profile.headings))
        # the unit that answers the question best, when one matches it (``choose`` keeps it first)
        best = profile.order[0] if profile.order and profile.matched[profile.order[0]] else -1

        def attempt(room: float) -> tuple[tuple[str, dict[str, int], bool], int] | None:
            keep, headings, wide = choose(profile, int(room))
            if (len(keep), len(headings)) == everything:
                return None
            out, omitted = render(profile.doc, keep, headings, wide, ctx)
            return (out, omitted, best in keep), ctx.counter.count(out)

        # among the fitting renderings the search saw, one holding the best match wins over a fuller
        # one without it (png at 75 tokens: the room of 75 kept the outline in 64 tokens, rooms of
        # 86-90 the answer in 64, and the first of equal counts won; issue 12)
        found = reach(attempt, float(target), target, rank=lambda got, tokens: (got[2], tokens))
        if found is None:
            return None
        (out, omitted, _), tokens = found
        why = "sentences and items are kept whole and the next one would not fit"
        return Compressed(out, omitted=omitted, fallbacks=short_of(tokens, target, why))

    def _profile(self, text: str, ctx: PieceContext) -> Profile:
        """Units, costs and ranking, once per piece (the allocator asks often)."""
        return self.once_per_piece((text, ctx.query, id(ctx.counter)), lambda: build_profile(text, ctx))
