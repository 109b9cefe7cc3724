"""Prose (docs, man pages, licenses, RAG chunks, threads): headings kept, sentences and paragraphs chosen.

The text is cut into blocks at blank lines (``_prose_units``). Headings are
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
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import accumulate

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors._reach import reach, short_of
from headroom.compressors.prose._units import Document, Unit, blocks_of, is_heading, segment
from headroom.plugins import Compressed, Compressor, PieceContext, split_lines
from headroom.relevance import BM25, defines, matches, terms, without_call_names

__all__ = ["ProseCompressor", "blocks_of", "is_heading"]

_OPENING = 3  # blocks that get a position bonus
_DUPLICATE = 0.8  # word-set overlap above which a unit repeats one already kept
_SMALLEST = 8  # a unit of fewer distinct words is never taken for a repeat
_LONGER = 1.25  # a near-duplicate this much longer than the kept one says more: it is kept too


class ProseOptions(BaseModel):
    """``max_tokens``: without a budget, texts above this are cut to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    max_tokens: int = Field(default=4000, ge=64)


@dataclass(frozen=True)
class _Profile:
    doc: Document
    costs: list[int]  # tokens per unit
    widened: dict[int, int]  # tokens a kept sentence's wrapped lines add to it, counted when first asked
    count: Callable[[str], int]
    marker: int  # tokens one marker costs, with the whitespace around it
    handle: int  # tokens the handle adds to the first marker
    headings: dict[int, int]  # heading block -> tokens
    sections: list[tuple[int, ...]]  # per unit, the heading blocks it falls under, outermost first
    order: list[int]  # units, best first
    matched: list[frozenset[str]]  # the question's terms and literals each unit holds
    words: list[frozenset[str]]  # the terms of each unit, for near-duplicates
    rarest: list[frozenset[str]]  # per unit, the rarest words a near-duplicate must share (``_rarest``)
    terms: list[str]  # per unit, the option it is the entry of (``-s``, ``--all``), or ""
    layout: _Layout
    seen: _Seen  # the units any choice has kept, and which of them each checked unit nearly repeats


@dataclass(frozen=True)
class _Layout:
    """What every choice reads and none changes, built once per piece rather than once per target
    (rebuilding it was a third of choosing in a 1 MB text, and the allocator asks for several targets).

    ``items`` are the heading blocks and the units in document order, as ``(heading block or -1,
    unit or -1)``; ``position`` their index; ``bounds`` per block with units, the positions of its
    first and last unit; ``wanted`` per unit, the items keeping it brings (the headings it falls
    under, its table's header row, itself); ``floor`` per unit, the least its items other than
    itself can add to a choice's cost (each kept adds nothing, each not kept at least its tokens
    less the one marker it can save); ``spent`` and ``heads``, running totals over the items of
    the units' tokens and of the headings, so a run of dropped items is summed at once.
    """

    items: list[tuple[int, int]]
    position: dict[tuple[int, int], int]
    bounds: dict[int, tuple[int, int]]
    wanted: list[list[tuple[int, int]]]
    floor: list[int]
    spent: list[int]
    heads: list[int]


def _layout(
    doc: Document, sections: list[tuple[int, ...]], costs: list[int], headings: dict[int, int], marker: int
) -> _Layout:
    items: list[tuple[int, int]] = []
    for number, block in enumerate(doc.blocks):
        if block.kind == "heading":
            items.append((number, -1))
        items.extend((-1, unit) for unit in block.units)
    position = {item: k for k, item in enumerate(items)}
    bounds = {
        doc.units[b.units[0]].block: (position[(-1, b.units[0])], position[(-1, b.units[-1])])
        for b in doc.blocks
        if b.units
    }
    wanted = [[(head, -1) for head in sections[index]] + _with_header(doc, index) for index in range(len(doc.units))]
    floor = [
        sum(min(0, (headings[head] if head >= 0 else costs[unit]) - marker) for head, unit in wanted[index][:-1])
        for index in range(len(doc.units))
    ]
    spent = list(accumulate((costs[unit] if unit >= 0 else 0 for _, unit in items), initial=0))
    heads = list(accumulate((head >= 0 for head, _ in items), initial=0))
    return _Layout(items, position, bounds, wanted, floor, spent, heads)


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

        def attempt(room: float) -> tuple[tuple[str, dict[str, int]], int] | None:
            keep, headings, wide = _choose(profile, int(room))
            if (len(keep), len(headings)) == everything:
                return None
            out, omitted = _render(profile.doc, keep, headings, wide, ctx)
            return (out, omitted), ctx.counter.count(out)

        found = reach(attempt, float(target), target)
        if found is None:
            return None
        (out, omitted), tokens = found
        why = "sentences and items are kept whole and the next one would not fit"
        return Compressed(out, omitted=omitted, fallbacks=short_of(tokens, target, why))

    def _profile(self, text: str, ctx: PieceContext) -> _Profile:
        """Units, costs and ranking, once per piece (the allocator asks often)."""
        return self.once_per_piece((text, ctx.query, id(ctx.counter)), lambda: _build_profile(text, ctx))


def _build_profile(text: str, ctx: PieceContext) -> _Profile:
    doc = segment(text, split_lines(text))
    bodies = [text[u.start : u.end] for u in doc.units]
    costs = [ctx.counter.count(body) for body in bodies]
    headings = {n: ctx.counter.count(text[b.start : b.end]) for n, b in enumerate(doc.blocks) if b.kind == "heading"}
    sections: list[tuple[int, ...]] = []
    open_headings: list[int] = []
    for number, block in enumerate(doc.blocks):
        if block.kind == "heading":
            while open_headings and doc.blocks[open_headings[-1]].level >= block.level:
                open_headings.pop()
            open_headings.append(number)
        sections.extend([tuple(open_headings)] * len(block.units))
    opening = set([i for i, b in enumerate(doc.blocks) if b.units][:_OPENING])
    unit_terms = [terms(body) for body in bodies]  # read once: near-duplicates, BM25 and matches share it
    scores = _scores(doc, without_call_names(ctx.query, ctx.tool_args, _title(doc)), unit_terms)

    def rank(index: int) -> tuple[float, int]:
        unit = doc.units[index]
        bonus = (0.3 if unit.block in opening and unit.lead else 0.0) + (0.15 if unit.lead else 0.0)
        return (-(scores[index] + bonus), index)

    order = sorted(range(len(doc.units)), key=rank)
    words = [frozenset(found) for found in unit_terms]
    matched = (
        [frozenset(matches(ctx.query, body, found)) for body, found in zip(bodies, unit_terms)]
        if ctx.query
        else [frozenset()] * len(bodies)
    )
    # a marker costs what the counter says a wide one costs (the short grammar: about 9 tokens; the
    # estimate of 20 it replaced kept a 16-token sentence out of a 55-token room), the handle once
    marker = ctx.counter.count(ctx.marker(999, "paragraphs", "1000-1999") + "\n\n")
    return _Profile(
        doc,
        costs,
        {},
        ctx.counter.count,
        marker,
        ctx.handle_cost,
        headings,
        sections,
        order,
        matched,
        words,
        (rarest := _rarest(words)),
        [_term_of(body) for body in bodies],
        _layout(doc, sections, costs, headings, marker),
        _Seen(words, rarest),
    )


_TERM = re.compile(r"\s*(--?[A-Za-z0-9][\w-]*)")


def _term_of(body: str) -> str:
    """The option a unit is the entry of (``-l, --files-with-matches`` -> ``-l``), or ""."""
    found = _TERM.match(body)
    return found[1] if found else ""


def _rarest(words: list[frozenset[str]]) -> list[frozenset[str]]:
    """Per unit, its rarest words, as many as a near-duplicate can miss plus two.

    Two units are near when they share more than 80% of the smaller one's words, so
    the smaller one misses fewer than a fifth of its words in the larger: one of its
    rarest ``fifth + 1`` words is in the other (a prefix filter, as similarity joins
    use; one more for float rounding). Candidates are found through these rare words
    instead of every shared word, whose postings ("the", "a") list most units; each
    candidate is then checked exactly, so what is found is the same.
    """
    seen: dict[str, int] = {}
    for held in words:
        for term in held:
            seen[term] = seen.get(term, 0) + 1
    out = []
    for held in words:
        size = int((1 - _DUPLICATE) * len(held)) + 2
        out.append(frozenset(sorted(held, key=lambda term: (seen[term], term))[:size]))
    return out


def _title(doc: Document) -> str | None:
    """The document's title: its first block, when that is a top-level ``# `` heading (an HTML
    page's rendering starts with its title or its ``h1``; a markdown file with its name)."""
    first = doc.blocks[0] if doc.blocks else None
    if first is None or first.kind != "heading" or first.level != 1 or not doc.text.startswith("# "):
        return None
    return doc.text[first.start : first.end]


def _scores(doc: Document, query: str | None, unit_terms: list[list[str]]) -> list[float]:
    """BM25 per unit, scaled to the best, plus half the score of what leads into it.

    A clause title ("3. Grant of Patent License.") or a heading that matches
    the query lifts the sentence or paragraph after it, which holds what it
    announces. Length normalization is softened (b = 0.5): a sentence is
    short next to a paragraph, and a bare title should not outrank its text.
    """
    if not query:
        return [0.0] * len(doc.units)
    items: list[tuple[int, int]] = []  # (block, unit or -1 for a heading) in document order
    texts: list[str] = []
    for number, block in enumerate(doc.blocks):
        if block.kind == "heading":
            items.append((number, -1))
            texts.append(doc.text[block.start : block.end])
        for unit in block.units:
            items.append((number, unit))
            texts.append(doc.text[doc.units[unit].start : doc.units[unit].end])
    tokenized = lambda: [terms(text) if u < 0 else unit_terms[u] for text, (_, u) in zip(texts, items)]  # noqa: E731
    raw = BM25(texts, b=0.5, tokenized=tokenized).scores(query)
    top = max(raw, default=0.0) or 1.0
    scores = [0.0] * len(doc.units)
    for k, (number, unit) in enumerate(items):
        if unit < 0:
            continue
        before, before_unit = items[k - 1] if k else (-1, 0)
        lead_in = raw[k - 1] if k and (before_unit < 0 or before == number) else 0.0
        scores[unit] = (raw[k] + 0.5 * lead_in) / top
        if defines(query, texts[k]):  # the entry of an option list that defines the option asked about
            scores[unit] += 1.0
    return scores


class _Selection:
    """Kept headings and units, with the number of markers the dropped runs between them will need.

    Items are the heading blocks and the units in document order; every
    maximal run of dropped items becomes a marker, so keeping an item between
    two dropped ones costs a marker and keeping the last item of a run saves one.
    """

    def __init__(self, profile: _Profile) -> None:
        self.profile = profile
        self.items = profile.layout.items  # shared by every choice: read, never changed
        self.position = profile.layout.position
        self.kept = [False] * len(self.items)
        self.used = profile.marker + profile.handle if self.items else 0
        self.opened: set[int] = set()  # blocks with a kept unit
        self._bounds = profile.layout.bounds  # block -> positions of its first and last unit

    def cost(self, items: list[tuple[int, int]]) -> int:
        """Tokens that keeping ``items`` would add, markers included."""
        added: set[int] = set()

        def dropped(k: int) -> bool:
            return 0 <= k < len(self.kept) and not self.kept[k] and k not in added

        total = 0
        opened: dict[int, list[int]] = {}  # blocks none of whose units was kept: the positions added
        for k in sorted(self.position[item] for item in items):
            if not dropped(k):
                continue
            left, right = dropped(k - 1), dropped(k + 1)
            total += self.profile.marker * ((left and right) - (not left and not right))
            head, unit = self.items[k]
            total += self.profile.headings[head] if head >= 0 else self.profile.costs[unit]
            added.add(k)
            block = self.profile.doc.units[unit].block if unit >= 0 else -1
            if block >= 0 and block not in self.opened:
                opened.setdefault(block, []).append(k)
        for block, ks in opened.items():
            # the first units kept of a block: its dropped units before and after them become
            # sentence markers of their own, apart from the paragraphs marker of the dropped
            # blocks around it (the rendering writes one marker per run of whole blocks)
            first, last = self._bounds[block]
            total += self.profile.marker * (
                (ks[0] != first and dropped(first - 1)) + (ks[-1] != last and dropped(last + 1))
            )
        return total

    def least(self, index: int) -> int | None:
        """A floor under ``cost`` of keeping unit ``index`` with its wanted items, with no look at the
        neighbours (None when the unit is already kept): each item not kept adds its tokens and
        saves at most one marker (the run it ends), and opening a block only adds.

        Most of a long text cannot fit once the room is nearly spent; this rules such a unit out
        in a few additions where ``cost`` walks its neighbours (a third of choosing in a 1 MB text).
        """
        if self.kept[self.position[(-1, index)]]:
            return None
        return self.profile.layout.floor[index] + self.profile.costs[index] - self.profile.marker

    def add(self, items: list[tuple[int, int]], room: int, cost: int | None = None) -> bool:
        cost = self.cost(items) if cost is None else cost
        if self.used + cost > room:
            return False
        for item in items:
            k = self.position[item]
            if not self.kept[k] and item[1] >= 0:
                self.profile.seen.keep(item[1])
            self.kept[k] = True
            if item[1] >= 0:
                self.opened.add(self.profile.doc.units[item[1]].block)
        self.used += cost
        return True

    def units(self) -> set[int]:
        return {unit for (_, unit), kept in zip(self.items, self.kept) if kept and unit >= 0}

    def headings(self) -> set[int]:
        return {head for (head, _), kept in zip(self.items, self.kept) if kept and head >= 0}


def _choose(profile: _Profile, room: int) -> tuple[set[int], set[int], set[int]]:
    """Units and heading blocks to keep within ``room``, and the kept sentences that bring their whole lines.

    The unit that matches the question best (and its headings) comes first,
    so a tight room is not all outline. Headings are then all kept while they
    (and the markers between them) take at most half the room; past that (a long NEWS file is mostly release
    headings) the headings a unit falls under are kept with it, then the
    top-level ones in order while room lasts. Then a dropped run of units
    that costs no more than its marker is kept instead. Last, what room is
    left widens kept sentences to their whole lines, best first: the lines
    come after the sentences, so they never push one out.
    """
    chosen = _Selection(profile)
    best = profile.order[0] if profile.order and profile.matched[profile.order[0]] else None
    if best is not None:  # the unit that answers the question best goes before the outline of headings
        # with the headings it falls under when they fit too, else alone: a tight room holds the answer
        # before the title that names the page (which the question's words already name)
        wanted = profile.layout.wanted[best]
        if not chosen.add(wanted, room) and not chosen.add(_padded(profile, chosen, wanted), room):
            alone = _with_header(profile.doc, best)
            chosen.add(alone, room) or chosen.add(_padded(profile, chosen, alone), room)
        before = _sentence_before(profile, best)
        if before is not None and chosen.kept[chosen.position[(-1, best)]]:
            # the sentence before it: what it goes on from ("These fields are used in ..." names
            # the fields listed before it), within a quarter of the room
            chosen.add([(-1, before)], min(room, chosen.used + room // 4))
    everything = [(head, -1) for head in profile.headings]
    chosen.add(everything, room // 2)
    smallest = min(profile.costs, default=0)
    for index in profile.order:
        if room - chosen.used < smallest:
            break
        least = chosen.least(index)
        if least is not None and chosen.used + least > room:
            continue  # cannot fit: ``cost`` would say so too
        items = profile.layout.wanted[index]
        cost = chosen.cost(items)
        if room < chosen.used + cost <= room + 2 * profile.marker:
            # with the short units around it in its block, it may cost less: the marker it opens goes
            padded = _padded(profile, chosen, items)
            if len(padded) > len(items) and (fuller := chosen.cost(padded)) < cost:
                items, cost = padded, fuller
        # what would not fit is not kept either way: only what fits is checked for repeating a kept unit
        if chosen.used + cost <= room and not _repeats(profile, chosen, index):
            chosen.add(items, room, cost)
    top = min((profile.doc.blocks[h].level for h in profile.headings), default=0)
    for head in profile.headings:
        if profile.doc.blocks[head].level == top:
            chosen.add([(head, -1)], room)
    start, spent, heads = 0, profile.layout.spent, profile.layout.heads
    while start < len(chosen.items):
        try:  # the end of the run of dropped items from ``start``: the next kept one
            end = chosen.kept.index(True, start)
        except ValueError:
            end = len(chosen.items)
        if end > start and heads[end] == heads[start] and spent[end] - spent[start] <= profile.marker:
            chosen.add(chosen.items[start:end], room)
        start = end + 1
    units, wide = chosen.units(), set()
    for index in profile.order:
        if index in units and (more := _widening(profile, index)) and more <= room - chosen.used:
            wide.add(index)
            chosen.used += more
    return units, chosen.headings(), wide


def _padded(profile: _Profile, chosen: _Selection, items: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``items`` with the dropped units next to its last unit in their block, before and after it, where
    each run reaches the block's edge or a kept unit and costs no more than the marker it would need
    (an option entry's short last line, "after the process name."): keeping the unit alone opens
    markers that cost more than those lines, so a tight room that cannot hold it alone holds it so."""
    unit = items[-1][1]
    first, last = profile.layout.bounds[profile.doc.units[unit].block]
    k = chosen.position[(-1, unit)]
    extra: list[tuple[int, int]] = []
    for step, edge in ((-1, first), (1, last)):
        run, spent, j = [], 0, k
        while j != edge and not chosen.kept[j + step] and spent <= profile.marker:  # a longer run is no use
            j += step
            run.append(chosen.items[j])
            spent += profile.costs[chosen.items[j][1]]
        if run and spent <= profile.marker:
            extra += run
    return items + extra


def _sentence_before(profile: _Profile, index: int) -> int | None:
    """The sentence before sentence ``index`` in its paragraph, or None (a first sentence, an item)."""
    block = profile.doc.blocks[profile.doc.units[index].block]
    if block.kind != "sentences" or index == block.units[0]:
        return None
    return index - 1


def _widening(profile: _Profile, index: int) -> int:
    """Tokens that the rest of its wrapped lines adds to sentence ``index`` (``Unit.wide_start``/``wide_end``).

    Counted for kept sentences only, once per piece: counting every sentence's
    lines up front cost a 1 MB text a third more encoding."""
    if index not in profile.widened:
        unit = profile.doc.units[index]
        wide = (unit.wide_start, unit.wide_end) != (unit.start, unit.end)
        text = profile.doc.text
        more = profile.count(text[unit.wide_start : unit.wide_end]) - profile.costs[index] if wide else 0
        profile.widened[index] = more
    return profile.widened[index]


def _with_header(doc: Document, index: int) -> list[tuple[int, int]]:
    """The unit, and the first row of its table when it is a row of a ``|`` table (its header)."""
    block = doc.blocks[doc.units[index].block]
    first = block.units[0]
    if first != index and block.kind == "lines" and doc.text[doc.units[first].start] == "|":
        return [(-1, first), (-1, index)]
    return [(-1, index)]


def _repeats(profile: _Profile, chosen: _Selection, index: int) -> bool:
    """Whether a kept unit already says what unit ``index`` says.

    A near-duplicate is kept beside the first one when it holds a term or
    literal of the question the kept ones lack (a question naming grep's
    ``-l`` matches its description, not ``-L``'s, which shares most of its
    words), or when it is clearly longer than each of them (the full
    description of an option after its one-line summary): the longer one is
    the more specific. Only a unit that adds neither is skipped.
    """
    term = profile.terms[index]
    # two entries of an option list define two options, however alike their words (grep's -l and -L)
    kept = [other for other in _near_kept(profile, chosen, index) if not term or profile.terms[other] in ("", term)]
    if not kept:
        return False
    if profile.matched[index] - frozenset().union(*(profile.matched[other] for other in kept)):
        return False
    return any(profile.costs[other] * _LONGER >= profile.costs[index] for other in kept)


def _near_kept(profile: _Profile, chosen: _Selection, index: int) -> list[int]:
    """The kept units that unit ``index`` nearly repeats or that nearly repeat it: the two share
    more than 80% of the smaller word set, of _SMALLEST words or more.

    Asked only for a unit that would fit, and answered from the units any choice for this piece
    has kept (``_Seen``), filtered by what this choice keeps: the allocator asks for several
    targets, and each choice comparing its unit anew with its own kept units was a quarter of a
    prose call. What is found is the same.
    """
    kept, position = chosen.kept, chosen.position
    return [other for other in profile.seen.near(index) if kept[position[(-1, other)]]]


class _Seen:
    """The units that any choice for the piece has kept (of _SMALLEST words or more), with postings of
    their words, and per unit checked, which of them it nearly repeats, brought up to date when asked.

    Kept units only grow across the choices for a piece's targets (most units a choice keeps, the
    one before kept too), so a unit checked again is compared only with the units kept since it was
    last checked, one by one while they are few, through the postings otherwise. Candidates come
    through rare words only (``_rarest``): counting every shared word made the project's small prose
    cases spend 3.6 s here against 1.1 s for all pairs; now 2.4 s.
    """

    _FEW = 24  # units kept since a unit's last check, compared one by one up to this many

    def __init__(self, words: list[frozenset[str]], rarest: list[frozenset[str]]) -> None:
        self.words, self.rarest = words, rarest
        self.kept: list[int] = []
        self.known: set[int] = set()
        self.holding: dict[str, list[int]] = {}  # term -> kept units holding it
        self.rare: dict[str, list[int]] = {}  # the same, for each kept unit's rarest words only
        self.found: dict[int, tuple[int, list[int]]] = {}  # unit -> (kept units seen, the near ones among them)

    def keep(self, unit: int) -> None:
        if unit in self.known or len(self.words[unit]) < _SMALLEST:
            return
        self.known.add(unit)
        self.kept.append(unit)
        for term in self.words[unit]:
            self.holding.setdefault(term, []).append(unit)
        for term in self.rarest[unit]:
            self.rare.setdefault(term, []).append(unit)

    def near(self, index: int) -> list[int]:
        words = self.words[index]
        if len(words) < _SMALLEST:
            return []
        seen, near = self.found.get(index, (0, []))
        if seen == len(self.kept):
            return near
        every = self.words
        if seen and len(self.kept) - seen <= self._FEW:
            fresh: Iterable[int] = self.kept[seen:]
        else:
            candidates: set[int] = set()
            for term in self.rarest[index]:  # kept units at least as big: one holds one of these
                candidates.update(self.holding.get(term, ()))
            for term in words:  # kept units at least as small: one of their rarest words is here
                candidates.update(self.rare.get(term, ()))
            fresh, near = candidates, []
        near = near + [
            other
            for other in fresh
            if other != index and len(words & every[other]) > _DUPLICATE * min(len(words), len(every[other]))
        ]
        self.found[index] = (len(self.kept), near)
        return near


class _Marks:
    """Writes markers for one rendering and adds up what they omit."""

    def __init__(self, ctx: PieceContext) -> None:
        self.ctx = ctx
        self.omitted: dict[str, int] = {}

    def __call__(self, unit: str, number: int, first: int, last: int) -> str:
        self.omitted[unit] = self.omitted.get(unit, 0) + number
        return self.ctx.marker(number, unit, f"{first + 1}-{last + 1}")

    def units(self, doc: Document, kind: str, run: list[Unit], gap: str) -> str:
        """The marker for dropped sentences or items, inside the whitespace around ``gap`` (the text it stands for)."""
        body = doc.text[run[-1].start : run[-1].end].rstrip()
        first = doc.line_of(run[0].start)
        last = doc.line_of(run[-1].start + len(body) - 1)
        inner = gap.strip()
        before, after = gap[: gap.index(inner[0])], gap[gap.rindex(inner[-1]) + 1 :]
        if kind == "lines":
            return before + self("lines", last - first + 1, first, last) + after
        return before + self("sentences", len(run), first, last) + after


def _render(
    doc: Document, keep: set[int], headings: set[int], wide: set[int], ctx: PieceContext
) -> tuple[str, dict[str, int]]:
    """Kept headings and units verbatim; one marker per run of dropped blocks or of dropped units inside a block."""
    out: list[str] = []
    marks = _Marks(ctx)
    dropped: list[int] = []  # blocks in the current run of wholly dropped ones

    def flush(more: bool) -> None:
        if dropped:
            first, last = doc.blocks[dropped[0]].first, doc.blocks[dropped[-1]].last
            out.append(marks("paragraphs", len(dropped), first, last) + ("\n\n" if more else "\n"))
            dropped.clear()

    for number, block in enumerate(doc.blocks):
        kept = [u for u in block.units if u in keep]
        if (block.units and not kept) or (block.kind == "heading" and number not in headings):
            dropped.append(number)
            continue
        flush(True)
        if len(kept) == len(block.units):
            out.append(doc.text[block.start : block.end])
            continue
        out.append(doc.text[block.start : doc.units[block.units[0]].start])
        kept_units = [(doc.units[u], u in keep, u in wide) for u in block.units]
        _partly(doc, block.kind, kept_units, out, marks)
    flush(False)
    return "".join(out), marks.omitted


def _partly(doc: Document, kind: str, kept_units: list[tuple[Unit, bool, bool]], out: list[str], marks: _Marks) -> None:
    """A block some of whose units are kept: each kept one (with the rest of its wrapped lines when
    widened, ``Unit.wide_start``/``wide_end``), a marker for each stretch between them that hides a unit."""
    units = [unit for unit, _, _ in kept_units]
    spans: list[list[int]] = []
    for unit, keep, wide in kept_units:
        if keep:
            start, end = (max(unit.wide_start, units[0].start), unit.wide_end) if wide else (unit.start, unit.end)
            if spans and start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([start, end])
    cursor = units[0].start
    first = 0  # units before this one end (their last word) at or before the cursor
    for start, end in [*spans, [units[-1].end, units[-1].end]]:
        gap = doc.text[cursor:start]
        if gap.strip():
            # the units whose words the gap holds any of: a run, found by moving forward (the
            # cursor only grows), not by scanning the block again per gap (quadratic on a list
            # of thousands of items)
            while first < len(units) and _last_word_end(doc, units[first]) <= cursor:
                first += 1
            last = first
            while last < len(units) and units[last].start < start:
                last += 1
            out.append(marks.units(doc, kind, units[first:last], gap))
        else:
            out.append(gap)
        out.append(doc.text[start:end])
        cursor = max(cursor, end)


def _last_word_end(doc: Document, unit: Unit) -> int:
    return unit.start + len(doc.text[unit.start : unit.end].rstrip())
