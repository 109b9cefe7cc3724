"""What every choice for a piece reads and none changes: its units, their costs and their ranking.

Built once per piece (``ProseCompressor._profile``) because the allocator asks the compressor for
several targets and the choice for each reads the same units, token counts, BM25 ranking and
layout of items; rebuilding any of it per target was most of a long text's call. Ranking lives
here because it is read-only too: BM25 over the units and headings (b = 0.5, real IDF), half the
score of a matching lead-in heading or clause title, a quarter of its section heading's score for
any other unit holding a word of the question (fenced blocks excepted), +1 for the entry that defines an option the
question names, and a position bonus for the opening and each paragraph's first unit; words of
the question that name the document itself are left out of the ranking query.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate

from headroom.compressors.prose._near import Lazy, Rarest, Seen, rarest
from headroom.compressors.prose._units import Document, segment
from headroom.plugins import PieceContext, split_lines
from headroom.relevance import BM25, OPTION, STOP_WORDS, defines, matches, terms, without_call_names

__all__ = ["Layout", "Profile", "build_profile", "with_header"]

_OPENING = 3  # blocks that get a position bonus


@dataclass(frozen=True)
class Profile:
    """A piece's units with their costs, ranking, words and layout, shared by every choice for it.

    Frozen, but two of its fields fill as the choices ask: ``widened`` (the tokens a kept
    sentence's lines add, counted only for sentences some choice keeps) and ``seen`` (the
    near-duplicate index of units kept so far); what either answers does not depend on when.
    """

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
    words: Sequence[frozenset[str]]  # the terms of each unit, for near-duplicates (``_Words``)
    rarest: Rarest  # per unit, the rarest words a near-duplicate must share (``rarest``)
    terms: list[str]  # per unit, the option it is the entry of (``-s``, ``--all``), or ""
    layout: Layout
    seen: Seen  # the units any choice has kept, and which of them each checked unit nearly repeats


@dataclass(frozen=True)
class Layout:
    """What every choice reads and none changes, built once per piece rather than once per target
    (rebuilding it was a third of choosing in a 1 MB text, and the allocator asks for several targets).

    ``items`` are the heading blocks and the units in document order, as ``(heading block or -1,
    unit or -1)``; ``position`` their index; ``bounds`` per block with units, the positions of its
    first and last unit; ``wanted`` per unit, the items keeping it brings (the headings it falls
    under, its table's header row, itself); ``floor`` per unit, the least its items other than
    itself can add to a choice's cost (each kept adds nothing, each not kept at least its tokens
    less the one marker it can save); ``spent`` and ``heads``, running totals over the items of
    the units' tokens and of the headings, so a run of dropped items is summed at once; ``at`` per
    unit, its position (``position[(-1, unit)]`` read from a list: the choice asks it per unit).
    """

    items: list[tuple[int, int]]
    position: dict[tuple[int, int], int]
    bounds: dict[int, tuple[int, int]]
    wanted: list[list[tuple[int, int]]]
    floor: list[int]
    spent: list[int]
    heads: list[int]
    at: list[int]


def _layout(
    doc: Document, sections: list[tuple[int, ...]], costs: list[int], headings: dict[int, int], marker: int
) -> Layout:
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
    wanted = [[(head, -1) for head in sections[index]] + with_header(doc, index) for index in range(len(doc.units))]
    floor = [
        sum(min(0, (headings[head] if head >= 0 else costs[unit]) - marker) for head, unit in wanted[index][:-1])
        for index in range(len(doc.units))
    ]
    spent = list(accumulate((costs[unit] if unit >= 0 else 0 for _, unit in items), initial=0))
    heads = list(accumulate((head >= 0 for head, _ in items), initial=0))
    at = [position[(-1, unit)] for unit in range(len(doc.units))]
    return Layout(items, position, bounds, wanted, floor, spent, heads, at)


def build_profile(text: str, ctx: PieceContext) -> Profile:
    # with a question, a hard-wrapped paragraph is read by line (the line a question names is what a
    # reader quotes); without one, by sentence, so the outline keeps each paragraph's first sentence
    doc = segment(text, split_lines(text), wrapped_by_line=bool(ctx.query))
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
    breaks = _breaks(text)
    words = _Words(text, doc, breaks)
    # read once: near-duplicates, BM25 and matches share it; without a question, only what a choice reaches
    unit_terms = [words.terms(index) for index in range(len(doc.units))] if ctx.query else []
    scores = _scores(doc, without_call_names(ctx.query, ctx.tool_args, _title(doc)), unit_terms)

    def rank(index: int) -> tuple[float, int]:
        unit = doc.units[index]
        bonus = (0.3 if unit.block in opening and unit.lead else 0.0) + (0.15 if unit.lead else 0.0)
        return (-(scores[index] + bonus), index)

    order = sorted(range(len(doc.units)), key=rank)
    matched = (
        [frozenset(matches(ctx.query, body, found)) for body, found in zip(bodies, unit_terms)]
        if ctx.query
        else [frozenset()] * len(bodies)
    )
    if ctx.query and order:
        top = max(range(len(order)), key=lambda index: (bool(matched[index]), scores[index], -index))
        if matched[top] and top != order[0]:
            order.remove(top)
            order.insert(0, top)
    # a marker costs what the counter says a wide one costs (the short grammar: about 9 tokens; the
    # estimate of 20 it replaced kept a 16-token sentence out of a 55-token room), the handle once
    marker = ctx.counter.count(ctx.marker(999, "paragraphs", "1000-1999") + "\n\n")
    return Profile(
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
        (rare := rarest(words, None if ctx.query else words.sample())),
        [_term_of(body) for body in bodies],
        _layout(doc, sections, costs, headings, marker),
        Seen(words, rare),
    )


_TERM = re.compile(rf"\s*({OPTION})")  # the option an entry starts with
# a word hyphenated across a line break, as man renders it: "car‐" then "riage" on the next line
_BROKEN = re.compile(r"([A-Za-z]+)[‐-]\n[ \t]*([a-z]+)")


def _breaks(text: str) -> list[int]:
    """Where ``‐\n`` or ``-\n`` stands in ``text``, in order: found once per piece, so each unit asks
    by bisection whether a line break hyphenates a word near it (slicing the text around every unit
    to ask was a third of reading the units' terms)."""
    return [found.start() for found in re.finditer("[‐-]\n", text)]


def _terms(text: str, start: int, end: int, breaks: list[int] | None = None) -> list[str]:
    """The terms of ``text[start:end]`` (``relevance.terms``), and the words man hyphenated across
    two lines whole, a word broken at the unit's first or last line included.

    A man page breaks long words at line ends ("types a car‐" / "riage return", "pro‐" /
    "vides"), so a question asking about "carriage" found only "car" and "riage", and no unit held
    it (issue 12). The halves stay terms too: a reader may quote the line as printed."""
    found = terms(text[start:end])
    low, high = max(0, start - _REACH), end + _REACH
    if breaks is None:
        breaks = _breaks(text[low:high])
        low_at, high_at = 0, high - low
    else:
        low_at, high_at = low, high
    # a break inside ``text[low:high]``: one that starts at ``low`` or after and ends by ``high``
    at = bisect.bisect_left(breaks, low_at)
    if at < len(breaks) and breaks[at] + 2 <= high_at:
        # the search starts at the word the first break ends (no match starts before it), not at
        # ``low``: the pattern tried every letter of the text before it (issue 14; matches the same)
        first = breaks[at] + (low - low_at)
        while first > low and text[first - 1].isascii() and text[first - 1].isalpha():
            first -= 1
        joined = [m[1] + m[2] for m in _BROKEN.finditer(text, first, high) if m.start(1) < end and m.end(2) > start]
        found += terms(" ".join(joined))
    return found


_REACH = 40  # characters looked at beyond a unit's edges for a word broken across them
_SAMPLE = 256  # units whose words rank the rarest words when not every unit's words are read


class _Words(Lazy):
    """The terms of each unit as a set, read when first asked (``_terms``).

    With a question every unit's terms are read up front (BM25 and the matches need them all).
    Without one, only the near-duplicate check asks, and only for the units a choice keeps or
    could fit: about 700 of a 1 MB text's 8,400 units at 8,000 tokens, where reading all was a
    third of building its profile (issue 14). The rarest words are then ranked by a sample of
    the units (``sample``), which changes how many candidates come through, not what is found.
    """

    def __init__(self, text: str, doc: Document, breaks: list[int]) -> None:
        super().__init__(len(doc.units))
        self._text, self._units, self._breaks = text, doc.units, breaks
        self._terms: list[list[str] | None] = [None] * len(doc.units)

    def terms(self, index: int) -> list[str]:
        found = self._terms[index]
        if found is None:
            unit = self._units[index]
            found = self._terms[index] = _terms(self._text, unit.start, unit.end, self._breaks)
        return found

    def _make(self, index: int) -> frozenset[str]:
        return frozenset(self.terms(index))

    def sample(self) -> list[frozenset[str]]:
        """The word sets of about ``_SAMPLE`` units spread evenly over the text (every unit when fewer)."""
        return [self[k] for k in range(0, len(self), max(1, len(self) // _SAMPLE))]


def _term_of(body: str) -> str:
    """The option a unit is the entry of (``-l, --files-with-matches`` -> ``-l``), or ""."""
    found = _TERM.match(body)
    return found[1] if found else ""


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
    bm25 = BM25(texts, b=0.5, tokenized=tokenized)
    raw = bm25.scores(query)
    top = max(raw, default=0.0) or 1.0
    heads, head_top = raw, top  # the scores that headings (lead-ins, sections) are read by
    asked = _without_sections(query, [texts[k] for k, (_, u) in enumerate(items) if u < 0])
    if asked != query:
        # the question names a section by its heading ("What does the `Variant 1: Drop support for
        # Node.js <= 4.4.x` section say about replace and number?"): the heading's words name where to
        # look, not what to keep, and ranked every line quoting them (the heading's entry in the table
        # of contents, the next section's reference to it) over the line holding the words asked about.
        # Units are ranked by the other words; the headings keep the whole question, so the section
        # named still lifts its units (issue 12, markdown)
        raw = bm25.scores(asked)
        top = max(raw, default=0.0) or 1.0
    pairs = _pairs(query)
    scores = [0.0] * len(doc.units)
    entries: list[int] = []  # units that define an option the question names
    section = 0.0  # the score of the heading the unit falls under, the innermost one
    for k, (number, unit) in enumerate(items):
        if unit < 0:
            section = heads[k] / head_top * top if doc.blocks[number].kind == "heading" else section
            continue
        before, before_unit = items[k - 1] if k else (-1, 0)
        lead_in = (heads if before_unit < 0 else raw)[k - 1] if k and (before_unit < 0 or before == number) else 0.0
        lead_in *= top / head_top if before_unit < 0 else 1.0
        # a matching unit of the section whose heading the question names ("What does the `verify2:
        # verifying a signed document` section say about ..."): the same sentence stood in the next
        # section too, and the one there was kept (issue 12, markdown); a tie-break, so a unit that
        # holds none of the question's words is not lifted and a section's text is not kept whole.
        # A fenced example gets none: the question asks what the section says, and cssesc's example
        # under ``isIdentifier``, lifted so, pushed out the sentence that answered
        named = raw[k] and not lead_in and not texts[k].startswith(_FENCES)
        scores[unit] = (raw[k] + 0.5 * lead_in + (_SECTION * section if named else 0.0)) / top
        if pairs and raw[k]:  # the question's words side by side, in its order: the phrase it quotes
            scores[unit] += _ADJACENT * len(pairs & _pairs(texts[k]))
        # the entry of an option list that defines the option asked about, read from its line's start:
        # the forms it lists on lines of their own stand at that column (``relevance.defines``)
        start = doc.units[unit].start
        if defines(query, doc.text[doc.line_starts[doc.line_of(start)] : doc.units[unit].end]):
            scores[unit] += 1.0
            entries.append(unit)
    for rest in dict.fromkeys(rest for unit in entries for rest in _entry_rest(doc, unit)):
        scores[rest] += _ENTRY_REST  # once each, however many entry heads it follows
    return scores


_SECTION = 0.25  # share of its section heading's score a matching unit gets


def _without_sections(query: str, headings: list[str]) -> str:
    """``query`` less the words of the heading it names: the longest heading of two words or more all
    of whose terms are terms of the question (``relevance.without_call_names``, the heading as a
    title), and the nouns that call it a section; unchanged when no other word would be left.

    The longest only: the question's other words may make up a heading too (``### `import`
    statements`` beside "say about statements and import.meta"), and those words are what it asks."""
    asked = set(terms(query))
    named = max(
        ((len(found), text) for text in headings if len(found := set(terms(text))) >= 2 and found <= asked),
        default=None,
    )
    if named is None:
        return query
    rest = without_call_names(query, None, named[1]) or query
    rest = " ".join(word for word in rest.split() if word.lower().strip("?.,:;!'\"") not in _SECTION_NOUNS)
    return rest if set(terms(rest)) - STOP_WORDS else query


_SECTION_NOUNS = frozenset(("section", "sections", "heading", "chapter", "part"))
_FENCES = ("```", "~~~")
_ADJACENT = 0.1  # per pair of the question's words that a unit holds side by side: a tie-break
_WORD = re.compile(r"[A-Za-z0-9][\w.+-]*")


def _pairs(text: str) -> set[tuple[str, str]]:
    """The pairs of words side by side in ``text`` (lower case, stop words left out, trailing dots off).

    Two lines holding the question's words equally ("s_time and sess_id") tie in BM25, and the shorter
    won: openssl's ``openssl-s_time(1), openssl-sess_id(1),`` over the line naming the two commands side
    by side, as the question does (``s_server, s_time, sess_id, smime``). A word joined to another by a
    hyphen is one word here (``openssl-s_time``), as it is in a reader's eye."""
    words = [w for w in (m.rstrip(".").lower() for m in _WORD.findall(text)) if len(w) > 1 and w not in STOP_WORDS]
    return set(zip(words, words[1:]))


_ENTRY_REST = 0.5  # what the rest of the entry defining an asked-for option adds: under its head's +1


def _entry_rest(doc: Document, head: int) -> list[int]:
    """The units after an option's entry head that are still its description: those that start at a
    deeper column than the head, in its block and in the blocks after it (a description's later
    paragraphs, set apart by blank lines), up to the next unit at the head's column or a heading.

    A question naming an option asks what the whole entry says: elfedit's ``--input-mach`` lists
    the machine types in a second paragraph, which held none of the question's words and lost to
    lines elsewhere that did (issue 12); the next option, at the head's column, ends the entry."""
    text, starts = doc.text, doc.line_starts

    def column(offset: int) -> int:
        return offset - starts[doc.line_of(offset)]

    edge = column(doc.units[head].start)
    rest: list[int] = []
    for number in range(doc.units[head].block, len(doc.blocks)):
        block = doc.blocks[number]
        if block.kind == "heading":
            break
        for unit in block.units:
            if unit <= head:
                continue
            if column(doc.units[unit].start) <= edge or not text[doc.units[unit].start : doc.units[unit].end].strip():
                return rest
            rest.append(unit)
    return rest


def with_header(doc: Document, index: int) -> list[tuple[int, int]]:
    """The unit, and the first row of its table when it is a row of a ``|`` table (its header)."""
    block = doc.blocks[doc.units[index].block]
    first = block.units[0]
    if first != index and block.kind == "lines" and doc.text[doc.units[first].start] == "|":
        return [(-1, first), (-1, index)]
    return [(-1, index)]
