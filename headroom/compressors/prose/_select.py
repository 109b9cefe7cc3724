"""The greedy choice of the units and headings to keep within one planning room.

``Selection`` holds what is kept and what keeping more would cost, markers counted exactly
(every maximal run of dropped items becomes one marker, a block opened between dropped ones
its sentence markers too), because an estimate of the markers settled the search for a fitting
room on choices without the answer. ``choose`` is the policy, in order: the best match with its
headings, the outline of headings within half the room, units best first (tried with the short
units around them when that costs less, skipped when they repeat a kept unit), the top-level
headings, dropped runs no dearer than their marker, and last the room left widening kept
sentences to their whole lines, so widening never pushes a sentence out.
"""

from __future__ import annotations

from headroom.compressors.prose._near import repeats
from headroom.compressors.prose._profile import Profile, with_header

__all__ = ["Selection", "choose"]


class Selection:
    """Kept headings and units, with the number of markers the dropped runs between them will need.

    Items are the heading blocks and the units in document order; every
    maximal run of dropped items becomes a marker, so keeping an item between
    two dropped ones costs a marker and keeping the last item of a run saves one.
    """

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.items = profile.layout.items  # shared by every choice: read, never changed
        self.position = profile.layout.position
        self.kept = [False] * len(self.items)
        self.used = profile.marker + profile.handle if self.items else 0
        self.opened: set[int] = set()  # blocks with a kept unit
        # the kept units and headings, gathered as they are kept (reading them off ``kept`` walked
        # every item of the text once more per choice)
        self._units: set[int] = set()
        self._headings: set[int] = set()
        self._bounds = profile.layout.bounds  # block -> positions of its first and last unit

    def cost(self, items: list[tuple[int, int]]) -> int:
        """Tokens that keeping ``items`` would add, markers included."""
        added: set[int] = set()
        kept, size = self.kept, len(self.kept)
        profile = self.profile
        marker, units = profile.marker, profile.doc.units

        def dropped(k: int) -> bool:
            return 0 <= k < size and not kept[k] and k not in added

        total = 0
        opened: dict[int, list[int]] = {}  # blocks none of whose units was kept: the positions added
        position = self.position
        for k in sorted([position[item] for item in items]):
            if kept[k] or k in added:
                continue
            left, right = dropped(k - 1), dropped(k + 1)
            total += marker * ((left and right) - (not left and not right))
            head, unit = self.items[k]
            added.add(k)
            if head >= 0:
                total += profile.headings[head]
                continue
            total += profile.costs[unit]
            block = units[unit].block
            if block not in self.opened:
                opened.setdefault(block, []).append(k)
        blocks, manual = profile.doc.blocks, profile.doc.manual

        def apart(k: int) -> bool:
            """Whether a run of dropped units ending or starting at item ``k`` is a marker of its own,
            apart from the run of dropped text across the block's edge at ``k``, for a man page's block of
            lines: not when the item on the other side is a heading, a unit of a block none of whose
            units is kept, or a line of another block of lines (``render`` joins them)."""
            if not dropped(k):
                return False
            head, unit = self.items[k]
            if head >= 0:
                return False
            other = units[unit].block
            return (other in self.opened or other in opened) and blocks[other].kind != "lines"

        for block, ks in opened.items():
            # the first units kept of a block: its dropped units before and after them become
            # sentence markers of their own, apart from the paragraphs marker of the dropped
            # blocks around it (the rendering writes one marker per run of whole blocks); in a man
            # page, a block of lines' dropped lines join the dropped text next to it (``apart``)
            first, last = self._bounds[block]
            edge = apart if manual and blocks[block].kind == "lines" else dropped
            total += marker * ((ks[0] != first and edge(first - 1)) + (ks[-1] != last and edge(last + 1)))
        return total

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
                self._units.add(item[1])
            else:
                self._headings.add(item[0])
        self.used += cost
        return True

    def units(self) -> set[int]:
        return set(self._units)

    def headings(self) -> set[int]:
        return set(self._headings)


def choose(profile: Profile, room: int) -> tuple[set[int], set[int], set[int]]:
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
    chosen = Selection(profile)
    best = profile.order[0] if profile.order and profile.matched[profile.order[0]] else None
    if best is not None:  # the unit that answers the question best goes before the outline of headings
        # with the headings it falls under when they fit too, else alone: a tight room holds the answer
        # before the title that names the page (which the question's words already name)
        wanted = profile.layout.wanted[best]
        after = _line_after(profile, best)
        bare = with_header(profile.doc, best)
        if after is not None and len(wanted) > len(bare) and chosen.used + chosen.cost([*wanted, (-1, after)]) > room:
            # a tiny room that cannot hold the line with its headings and the line after it keeps the two
            # lines without the headings, when they fit so: the headings' tokens and the markers they
            # split cost more than the answer's next line (dumpe2fs's ``-m`` and the line going on from
            # it in a 75-token room, issue 12); the top-level headings come back later if room is left
            chosen.add([*bare, (-1, after)], room)
        if not chosen.kept[chosen.position[(-1, best)]] and not chosen.add(wanted, room):
            if not chosen.add(_padded(profile, chosen, wanted), room):
                chosen.add(bare, room) or chosen.add(_padded(profile, chosen, bare), room)
        before = _sentence_before(profile, best)
        if before is not None and chosen.kept[chosen.position[(-1, best)]]:
            # the sentence before it: what it goes on from ("These fields are used in ..." names
            # the fields listed before it), within a quarter of the room
            chosen.add([(-1, before)], min(room, chosen.used + room // 4))
        if after is not None and chosen.kept[chosen.position[(-1, best)]]:
            # in a man page, the line after it: the rest of its sentence, the rest of its entry, or the
            # option listed next to it (``-net`` then ``-host``), within a quarter of the room
            chosen.add([(-1, after)], min(room, chosen.used + room // 4))
    everything = [(head, -1) for head in profile.headings]
    chosen.add(everything, room // 2)
    smallest = min(profile.costs, default=0)
    # a floor under ``cost`` of keeping a unit not kept yet with its wanted items, with no look at the
    # neighbours: each item not kept adds its tokens and saves at most one marker (the run it ends),
    # and opening a block only adds. Most of a long text cannot fit once the room is nearly spent;
    # this rules such a unit out in a few additions where ``cost`` walks its neighbours (a third of
    # choosing in a 1 MB text), read from lists inline as it is asked per unit on every target
    kept, at, floor, costs, marker = chosen.kept, profile.layout.at, profile.layout.floor, profile.costs, profile.marker
    for index in profile.order:
        if room - chosen.used < smallest:
            break
        if not kept[at[index]] and chosen.used + floor[index] + costs[index] - marker > room:
            continue  # cannot fit: ``cost`` would say so too
        items = profile.layout.wanted[index]
        cost = chosen.cost(items)
        if room < chosen.used + cost <= room + 2 * profile.marker:
            # with the short units around it in its block, it may cost less: the marker it opens goes
            padded = _padded(profile, chosen, items)
            if len(padded) > len(items) and (fuller := chosen.cost(padded)) < cost:
                items, cost = padded, fuller
        if (
            chosen.used + cost > room
            and not profile.doc.manual
            and profile.matched[index]
            and len(items) > len(bare := with_header(profile.doc, index))
        ):
            # a unit that holds the question's words but not beside its headings: alone
            items, cost = bare, chosen.cost(bare)
        # what would not fit is not kept either way: only what fits is checked for repeating a kept unit
        if chosen.used + cost <= room and not repeats(profile, chosen, index):
            chosen.add(items, room, cost)
            if not profile.doc.manual:
                _fill_holes(profile, chosen, index, room)
    for index in profile.order if not profile.doc.manual else ():
        if index in chosen._units:  # the headings of the kept units, innermost first, while they fit
            for head in reversed(profile.sections[index]):
                chosen.add([(head, -1)], room)
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


def _fill_holes(profile: Profile, chosen: Selection, index: int, room: int) -> None:
    """Keep the line dropped between unit ``index`` and a kept line two away in its block, when it fits.

    Read by line, a licence's clause kept "perpetual," and "(except as stated in this section) patent
    license" with a marker between them for "worldwide, non-exclusive, no-charge, royalty-free,
    irrevocable", which holds none of the question's words and is what it asks (issue 12): the line
    costs a few tokens more than the marker it saves, and lower-ranked lines elsewhere took them."""
    doc, at, kept = profile.doc, profile.layout.at, chosen.kept
    block = doc.units[index].block
    if doc.blocks[block].kind != "lines":
        return
    for hole, other in ((index - 1, index - 2), (index + 1, index + 2)):
        if 0 <= other < len(doc.units) and doc.units[other].block == block and kept[at[other]] and not kept[at[hole]]:
            chosen.add([(-1, hole)], room)


def _padded(profile: Profile, chosen: Selection, items: list[tuple[int, int]]) -> list[tuple[int, int]]:
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


def _sentence_before(profile: Profile, index: int) -> int | None:
    """The sentence before sentence ``index`` in its paragraph, or None (a first sentence, an item);
    in a man page, the line before a line that goes on with a sentence begun there (it opens in lower
    case: XCompose's "file by using:" under "For example, you can include in your compose file the
    default Compose", which a 240-token room lost while a 180-token one kept it, issue 12)."""
    doc = profile.doc
    block = doc.blocks[doc.units[index].block]
    if index == (block.units[0] if block.units else index):
        return None
    if block.kind == "sentences":
        return index - 1
    if block.kind == "lines" and doc.text[doc.units[index].start].islower():
        return index - 1
    return None


def _line_after(profile: Profile, index: int) -> int | None:
    """In a man page, the unit after unit ``index``: the next in its block, or the first of the next
    block when no heading stands between them; None otherwise (another kind of text, the last unit).

    A man page is read line by line, and what follows the line that answers is its sentence going on
    or the entry listed next to it ("-4  Use IPv4." then "-6  Use IPv6."); kept alone, a 90-300 token
    room spent the rest on other lines that matched the question and lost it (issue 12). Not for
    other prose: an HTML page's next paragraph is no part of the one that answers."""
    doc = profile.doc
    if not doc.manual or index + 1 >= len(doc.units):
        return None
    after = doc.units[index + 1]
    if any(doc.blocks[b].kind == "heading" for b in range(doc.units[index].block + 1, after.block)):
        return None
    return index + 1


def _widening(profile: Profile, index: int) -> int:
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
