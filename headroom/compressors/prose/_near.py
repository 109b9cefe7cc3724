"""Near-duplicates: which kept units a unit nearly repeats, and whether that repeat is skipped.

Two units are near when they share more than 80% of the smaller one's words (both of eight
words or more). ``Seen`` is the index of the units any choice for a piece has kept, with
postings of their words: the allocator asks for several targets and kept units mostly repeat
from one to the next, so a unit checked again is compared only with the units kept since.
Candidates come through each unit's rarest words (``rarest``, a prefix filter) and are then
checked exactly, so what is found is what comparing every pair finds. ``repeats`` is the policy
on top: a near unit is still kept when it holds a term of the question the kept ones lack, is
clearly longer, or is the entry of another option (grep's ``-l`` and ``-L``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:  # the profile and the selection read this module's index; imported for types only
    from headroom.compressors.prose._profile import Profile
    from headroom.compressors.prose._select import Selection

__all__ = ["DUPLICATE", "SMALLEST", "Rarest", "Seen", "rarest", "repeats"]

DUPLICATE = 0.8  # word-set overlap above which a unit repeats one already kept
SMALLEST = 8  # a unit of fewer distinct words is never taken for a repeat
_LONGER = 1.25  # a near-duplicate this much longer than the kept one says more: it is kept too


def rarest(words: Sequence[frozenset[str]], counted: Iterable[frozenset[str]] | None = None) -> Rarest:
    """Per unit, its rarest words, as many as a near-duplicate can miss plus two.

    Two units are near when they share more than 80% of the smaller one's words, so
    the smaller one misses fewer than a fifth of its words in the larger: one of its
    rarest ``fifth + 1`` words is in the other (a prefix filter, as similarity joins
    use; one more for float rounding). Candidates are found through these rare words
    instead of every shared word, whose postings ("the", "a") list most units; each
    candidate is then checked exactly, so what is found is the same.

    ``counted``: the units whose words the ranking counts, all of them by default. Any
    fixed choice of a unit's words of that number holds one the other unit shares, so the
    ranking only decides how few candidates come through: a long text read without a question
    ranks by a sample of its units (``_profile``), not reading the words of every unit.
    """
    return Rarest(words, counted)


class Lazy(Sequence[frozenset[str]]):
    """Per unit, a set of words made when first read (``_make``); slices read each unit in them."""

    def __init__(self, units: int) -> None:
        self._made: list[frozenset[str] | None] = [None] * units

    def _make(self, index: int) -> frozenset[str]:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self._made)

    def __iter__(self) -> Iterator[frozenset[str]]:
        return (self[k] for k in range(len(self)))

    @overload
    def __getitem__(self, index: int) -> frozenset[str]: ...

    @overload
    def __getitem__(self, index: slice) -> list[frozenset[str]]: ...

    def __getitem__(self, index: int | slice) -> frozenset[str] | list[frozenset[str]]:
        if isinstance(index, slice):
            return [self[k] for k in range(len(self))[index]]
        found = self._made[index]
        if found is None:
            found = self._made[index] = self._make(index)
        return found


class Rarest(Lazy):
    """``rarest``'s answer, each unit's words picked when first asked (issue 14).

    Only the units a choice keeps or checks for a repeat are asked for (a few hundred of a 1 MB
    text's eight thousand), and sorting every unit's words up front was a fifth of building a
    long text's profile. Terms are ranked once by (units holding them, term), so a unit's words
    sort by a dict look-up instead of a key built per word; the words picked are the same.
    """

    def __init__(self, words: Sequence[frozenset[str]], counted: Iterable[frozenset[str]] | None = None) -> None:
        super().__init__(len(words))
        self._words = words
        shared = Counter(chain.from_iterable(words if counted is None else counted))
        # by (units holding it, term): sorted by term, then (stably) by count, both in C, where a key
        # tuple built per term by a lambda was most of this (a long text holds tens of thousands)
        ranked = sorted(shared)
        ranked.sort(key=shared.__getitem__)
        self._rank = dict(zip(ranked, range(len(ranked))))
        # a term no counted unit holds is held by none as far as the ranking knows: it sorts first, by itself
        rank = self._rank
        self._key: Callable[[str], Any] = rank.__getitem__ if counted is None else lambda t: (rank.get(t, -1), t)

    def _make(self, index: int) -> frozenset[str]:
        held = self._words[index]
        size = int((1 - DUPLICATE) * len(held)) + 2
        return frozenset(sorted(held, key=self._key)[:size])


class Seen:
    """The units that any choice for the piece has kept (of SMALLEST words or more), with postings of
    their words, and per unit checked, which of them it nearly repeats, brought up to date when asked.

    Kept units only grow across the choices for a piece's targets (most units a choice keeps, the
    one before kept too), so a unit checked again is compared only with the units kept since it was
    last checked, one by one while they are few, through the postings otherwise. Candidates come
    through rare words only (``rarest``): counting every shared word made the project's small prose
    cases spend 3.6 s here against 1.1 s for all pairs; now 2.4 s.
    """

    _FEW = 24  # units kept since a unit's last check, compared one by one up to this many

    def __init__(self, words: Sequence[frozenset[str]], rarest: Sequence[frozenset[str]]) -> None:
        self.words, self.rarest = words, rarest
        self.kept: list[int] = []
        self.known: set[int] = set()
        self.holding: dict[str, list[int]] = {}  # term -> kept units holding it
        self.rare: dict[str, list[int]] = {}  # the same, for each kept unit's rarest words only
        self.found: dict[int, tuple[int, list[int]]] = {}  # unit -> (kept units seen, the near ones among them)

    def keep(self, unit: int) -> None:
        if unit in self.known or len(self.words[unit]) < SMALLEST:
            return
        self.known.add(unit)
        self.kept.append(unit)
        for term in self.words[unit]:
            self.holding.setdefault(term, []).append(unit)
        for term in self.rarest[unit]:
            self.rare.setdefault(term, []).append(unit)

    def near(self, index: int) -> list[int]:
        words = self.words[index]
        if len(words) < SMALLEST:
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
            if other != index and len(words & every[other]) > DUPLICATE * min(len(words), len(every[other]))
        ]
        self.found[index] = (len(self.kept), near)
        return near


def repeats(profile: Profile, chosen: Selection, index: int) -> bool:
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
    section = profile.sections[index][-1:]
    kept = [
        other
        for other in _near_kept(profile, chosen, index)
        if (not term or profile.terms[other] in ("", term)) and profile.sections[other][-1:] == section
    ]
    if not kept:
        return False
    if profile.matched[index] - frozenset().union(*(profile.matched[other] for other in kept)):
        return False
    return any(profile.costs[other] * _LONGER >= profile.costs[index] for other in kept)


def _near_kept(profile: Profile, chosen: Selection, index: int) -> list[int]:
    """The kept units that unit ``index`` nearly repeats or that nearly repeat it: the two share
    more than 80% of the smaller word set, of SMALLEST words or more.

    Asked only for a unit that would fit, and answered from the units any choice for this piece
    has kept (``Seen``), filtered by what this choice keeps: the allocator asks for several
    targets, and each choice comparing its unit anew with its own kept units was a quarter of a
    prose call. What is found is the same.
    """
    kept, at = chosen.kept, profile.layout.at
    return [other for other in profile.seen.near(index) if kept[at[other]]]
