"""Shrinking a parsed JSON document to a token budget: by value, every omission marked.

Sizes are estimated from characters, each container's with its own tokens
per character (the caller counts the final text exactly and asks again if it
missed). The budget is shared out from the top:

- an object whose keys fit keeps every key; its values share the budget:
  each gets at least its floor (a scalar itself, a container as one marker, or,
  when that fits, room to list its own key names), the values the question
  names or matches first take up to half of what is left, the rest go
  smallest first, so big values shrink and small ones stay whole; unless a
  value the question matches would get less room than the ranked entries below
  give it (``_starves``): then the object is shrunk as a wide one, so more room
  never shows less of what the question names;
- an object too wide for that (a map of versions to dates) keeps the entries
  that rank highest; each run of dropped entries becomes a marker key whose
  value lists the dropped key names, or, when even the names do not fit, null
  with the first and last name in the marker;
- an array keeps the items that rank highest (``_rows.priority``), in order;
  each run of dropped items becomes one marker string in place with what the
  run held. When the question names items so far apart that a marker per run
  would crowd them out, one marker at the first gap lists every dropped range;
- strings longer than ``long_string`` keep their head and a ``chars`` marker
  whose range is the rest of the literal in the original text.

Everything costly that does not depend on the budget (sizes, rankings,
summaries, string positions) is computed once per piece and reused for every
budget the allocator tries.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from headroom.compressors._rows import Choice, Summarizer, ranges
from headroom.compressors.json._rank import MIN_STRING as _MIN_STRING
from headroom.compressors.json._rank import Measured
from headroom.compressors.json._rank import join as _step
from headroom.compressors.json._rank import label as _label
from headroom.compressors.json._spine import pairs
from headroom.compressors.json._spine import thin as _thin
from headroom.compressors.json._where import RECORD as _RECORD
from headroom.compressors.json._where import Where
from headroom.compressors.json._where import locate as _locate
from headroom.compressors.json._where import raw_cut as _raw_cut

__all__ = ["Shrinker"]

_SUMMARY = 1 / 5  # the share of its room a marker's summary may take


class Shrinker(Measured):
    """One document, shrunk to any budget (in estimated tokens) on request; what it measures
    and ranks once per piece is ``Measured``'s (``_rank``)."""

    def shrink(self, budget: float) -> tuple[Any, Counter[str], frozenset[int]]:
        """The document within about ``budget`` tokens, what was omitted by unit, and the ``id``
        of the containers in it that the question asks for (``spelled``), kept whole or shrunk."""
        self.omitted = Counter()
        self._shown = set()
        self.asked_kept = 0
        shrunk = self._value(self.data, budget, "", None)
        return shrunk, self.omitted, frozenset(self._shown)

    def thin(self, budget: float) -> tuple[Any, Counter[str], frozenset[int]] | None:
        """Like ``shrink``, as the path down to the record holding the leaf that matches best
        (``_spine``), or None when there is no such path or it does not fit ``budget``."""
        self.omitted = Counter()
        self._shown = set()
        self.asked_kept = 0
        self.spelled()  # ranks the leaves, which finds the best one's trail
        shrunk = _thin(self, budget)
        if shrunk is None:
            return None
        return shrunk, self.omitted, frozenset(self._shown)

    def pairs(self, budget: float) -> tuple[Any, Counter[str], frozenset[int]] | None:
        """Like ``shrink``, as the ``candidates`` each shown by the two fields the question names."""
        self.omitted = Counter()
        self._shown = set()
        self.asked_kept = 0
        shrunk = pairs(self, budget, self.candidates(), self.further())
        if shrunk is None:
            return None
        return shrunk, self.omitted, frozenset(self._shown)

    # values ----------------------------------------------------------------

    def _value(self, value: Any, budget: float, path: str, where: Where | None, size: float | None = None) -> Any:
        """``value`` within about ``budget``; ``size`` is its parent's estimate of it, which a
        string granted that much keeps whole (its own ratio may differ from the document's)."""
        if isinstance(value, str):
            if size is not None and budget >= size and len(value) <= self.long_string:
                return value
            return self._string(value, budget, path, where)
        if not isinstance(value, (dict, list)):
            return value
        if self.tokens(value) <= budget and self._long(value) <= self.long_string:
            shown: Any = value
        elif isinstance(value, dict):
            shown = self._object(value, budget, path)
        else:
            shown = self._array(value, budget, path)
        if id(value) in self.spelled():
            self._shown.add(id(shown))  # the shrunk document holds ``shown``, so its id stays its own
            self.asked_kept += isinstance(shown, (dict, list))  # shown, whole or shrunk, not a marker
        return shown

    def _object(self, value: dict[str, Any], budget: float, path: str) -> Any:
        """Every key stays when the keys and their values' floors fit: every nested key too
        (each value at least its key names and a marker) if that fits, else values as markers."""
        profile = self._profile(value)
        tiers = [profile.floors]
        if len(value) <= _RECORD:  # a record's values each shown as at least their own key names
            tiers.insert(0, [self._least(child) for child in value.values()])
        for floors in tiers:
            left = budget - profile.key_total - sum(floors)
            if left >= 0:
                break
        else:
            return self._entries(value, budget, path)
        grants = list(floors)
        ranking = self._ranking(value)
        asked = ranking.order[: ranking.asked]
        for rank, index in enumerate(asked):  # what the question names or matches first: the best
            # (the branch holding the leaf that matches best) up to 3/4 of what is left, the others half
            extra = min(profile.sizes[index] - floors[index], left * (0.75 if rank == 0 else 0.5))
            grants[index] += extra
            left -= extra
        needs = sorted((i for i in range(len(grants)) if i not in asked), key=lambda i: profile.sizes[i] - floors[i])
        for position, index in enumerate(needs):  # then the smallest needs first, each its fair share at most
            extra = min(profile.sizes[index] - floors[index], left / (len(needs) - position))
            grants[index] += extra
            left -= extra
        if self._starves(value, grants, budget):
            return self._entries(value, budget, path)
        # shrink the others first and the asked-for values last, each given back what the values
        # before it did not use: a grant is an estimate, and a value shrunk to a marker or kept
        # whole uses less than it was granted (issue 12: 8,600 tokens ended at 822)
        keys = list(value)
        out: dict[int, Any] = {}
        spare = 0.0
        for index in needs + asked:
            grant = grants[index] + spare
            key = keys[index]
            out[index] = self._value(value[key], grant, _step(path, key), (id(value), key), profile.sizes[index])
            spare = max(0.0, grant - self._size(out[index], value[keys[index]]))
        return {keys[index]: out[index] for index in range(len(keys))}

    def _starves(self, value: dict[str, Any], grants: list[float], budget: float) -> bool:
        """Whether keeping every key of ``value`` gives a child the question matches less room than
        keeping only the entries that rank highest would (``_entries``).

        Keeping every key pays each unrelated scalar in full before the values the
        question is about grow: the SPDX record of npm's ``sbom`` page kept its
        ``relationships`` row naming lodash at 150 tokens, and from 155 to 240
        kept ``name``, ``documentNamespace``... whole and that array as a marker.
        Every key name stays visible either way (the dropped ones are listed), so
        the question's values win, and more room never shows less of them.
        """
        matched = self._matched(value)
        if not matched:
            return False
        profile = self._profile(value)
        listed = _listed(len(value), profile.key_total, budget, self.mark(value))
        if not listed:
            return False
        choice = self._pick(value, self._entry_costs(value, listed), budget - profile.key_total, listed)
        keys = list(value)
        if any(i not in choice.keep and grants[i] >= profile.sizes[i] and self.named(keys[i]) for i in matched):
            # the ranked entries would drop a field the question names that every key shows whole:
            # more room for one child is not worth it (cmake's presets schema lost its top-level
            # "description" from 1,200 to 1,257 tokens, kept below and above, so that ``oneOf`` grew)
            return False
        return any(grants[i] + 0.5 < choice.keep[i] for i in matched if i in choice.keep)

    def _entries(self, value: dict[str, Any], budget: float, path: str) -> Any:
        """A wide object: the entries that rank highest, each dropped run named by a marker key."""
        profile = self._profile(value)
        cost = self.mark(value)
        listed = _listed(len(value), profile.key_total, budget, cost)
        if not listed and budget < 2 * cost:
            return self._whole(value, path, budget)
        costs = self._entry_costs(value, listed)
        choice = self._pick(value, costs, budget - (profile.key_total if listed else 0.0), listed)
        if listed and budget >= 2 * cost:
            # the dropped names are listed only when that costs no value the question asks for: a
            # small schema at 60 tokens listed its seven other keys and dropped the "description"
            # the question named; its marker then names the first and last key of each run instead
            asked = self._ranking(value).order[: self._ranking(value).asked]
            if any(choice.keep.get(i, 0.0) < costs[i] for i in asked):
                bare = self._pick(value, self._entry_costs(value, False), budget, False)
                # as many asked-for entries either way: the one keeping the best-ranked of them wins,
                # as in ``_pick`` (a 55-token room listed the names beside ``$id``, a value the question
                # quotes, and dropped the ``description`` it asks for, which 45 and 57 kept)
                if _held(bare, asked) > _held(choice, asked):
                    listed, choice = False, bare
        items = list(value.items())
        out: dict[str, Any] = {}
        layout = choice.layout()
        share = budget / max(1, sum(not isinstance(item, int) for item in layout))  # each marker's room
        for item in layout:
            if isinstance(item, int):
                key, child = items[item]
                grant = choice.keep[item] - (0.0 if listed else profile.keys[item])
                out[key] = self._value(child, grant, _step(path, key), (id(value), key), profile.sizes[item])
                continue
            dropped = [items[i][0] for start, end in item for i in range(start, end)]
            detail = ranges(item)
            if not listed:
                detail += f" {_cut(dropped[0])}..{_cut(dropped[-1])}"
            marker = self._marker(value, len(dropped), "keys", path, detail, item, share)
            out[marker] = dropped if listed else None
        return out

    def _array(self, value: list[Any], budget: float, path: str) -> Any:
        if budget < self.mark(value):
            return self._whole(value, path, budget)
        unit = self._profile(value).unit
        factor = self.rows_factor if value is self.rows else 1.0
        costs = self._costs.get((id(value), False))
        if costs is None:  # in the form the rows will take: the row table costs less per row
            costs = self._costs[(id(value), False)] = [size * factor + 0.3 for size in self._profile(value).sizes]
        choice = self._pick(value, costs, budget)
        layout = choice.layout()
        # items kept whole first; an item kept to be shrunk then gets what is left of the budget once
        # the whole items and the markers are paid, not the half it was chosen with
        whole = [i for i in layout if isinstance(i, int) and choice.keep[i] >= costs[i]]
        shrunk = [i for i in layout if isinstance(i, int) and choice.keep[i] < costs[i]]
        sizes = self._profile(value).sizes
        done: dict[int, Any] = {}
        markers: dict[int, str] = {}
        share = budget / max(1, sum(not isinstance(item, int) for item in layout))  # each marker's room
        for position, item in enumerate(layout):
            if not isinstance(item, int):
                count = sum(e - s for s, e in item)
                markers[position] = self._marker(value, count, unit, path, ranges(item), item, share)
        spent = sum(len(m) for m in markers.values()) * self.tpc + len(value) * 0.3
        for index in whole:
            grant = choice.keep[index] / factor
            done[index] = self._value(value[index], grant, f"{path}#{index + 1}", (id(value), index), sizes[index])
            spent += self._size(done[index], value[index])
        wanted = sum(choice.keep[i] for i in shrunk) or 1.0
        left = max(0.0, budget / factor - spent)
        for index in shrunk:
            grant = max(choice.keep[index] / factor, left * choice.keep[index] / wanted)
            done[index] = self._value(value[index], grant, f"{path}#{index + 1}", (id(value), index), sizes[index])
        return [done[item] if isinstance(item, int) else markers[position] for position, item in enumerate(layout)]

    def _size(self, shown: Any, original: Any) -> float:
        """Estimated tokens of a value as shown: the original's estimate when it is kept as it is."""
        return self.tokens(original) if shown is original else self.built_tokens(shown)

    def _whole(self, value: dict[str, Any] | list[Any], path: str, budget: float) -> str:
        """``value`` replaced by one marker string."""
        unit = self._profile(value).unit
        return self._marker(value, len(value), unit, path, f"1-{len(value)}", [(0, len(value))], budget)

    def _marker(
        self,
        container: Any,
        count: int,
        unit: str,
        path: str,
        detail: str,
        runs: list[tuple[int, int]],
        room: float,
        named: bool = True,
    ) -> str:
        """A marker for ``runs`` of ``container``, planned within ``room`` tokens: its summary
        takes at most ``_SUMMARY`` of that room (whole parts, or none), so under a small room
        the marker stays near what it was planned at and the room goes to what is kept.
        Not ``named``, it leaves out the container's path: a thin path's marker stands as a key
        or item inside the one container it stands for, so the path told the reader nothing
        the nesting did not (``_spine``)."""
        self.omitted[unit] += count
        summarizer = self._summaries.get(id(container))
        if summarizer is None:
            if isinstance(container, dict):
                summarizer = Summarizer(list(container.values()), repeats=True)
            else:
                summarizer = Summarizer(container, repeats=True, leaves=self.leaves(container))
            self._summaries[id(container)] = summarizer
        summary = summarizer.of(runs, int(room * _SUMMARY / self.tpc))
        return self.ctx.marker(count, unit, f"{_label(path)} {detail}{summary}" if named else f"{detail}{summary}")

    def _string(self, value: str, budget: float, path: str, where: Where | None) -> str:
        limit = max(_MIN_STRING, min(self.long_string, int(budget / self.tpc)))
        if len(value) <= limit:
            return value
        keep = limit // 2
        span = self._span(where, value)
        if span is None:  # the literal could not be located (duplicate keys): counted, not ranged
            self.omitted["chars"] += len(value) - keep
            return value[:keep] + " " + self.ctx.marker(len(value) - keep, "chars", _label(path))
        start, end = span
        cut = start + _raw_cut(self.text[start:end], keep)
        self.omitted["chars"] += end - cut
        return value[:keep] + " " + self.ctx.marker(end - cut, "chars", f"{cut + 1}-{end} {_label(path)}")

    def _span(self, where: Where | None, value: str) -> tuple[int, int] | None:
        """Where the literal of the string at ``where`` sits in the original text."""
        if where is None:
            return None
        if self._spans is None:
            self._spans = _locate(self.data, self.text)
        span = self._spans.get(where)
        if span is None:
            return None
        try:
            same = json.loads('"' + self.text[span[0] : span[1]] + '"') == value
        except ValueError:
            same = False
        return span if same else None


def _listed(keys: int, names: float, budget: float, marker: float) -> bool:
    """Whether an object's dropped keys are listed by name: a record's (a few keys) whenever
    the names fit; a map's (many keys: versions, ids) when they take at most half its share."""
    return names + marker <= (budget if keys <= _RECORD else budget / 2)


def _cut(name: str) -> str:
    return name if len(name) <= 24 else name[:21] + "..."


def _held(choice: Choice, asked: list[int]) -> tuple[int, tuple[bool, ...]]:
    """How many of the ``asked`` children ``choice`` keeps, then which, best-ranked first."""
    kept = tuple(i in choice.keep for i in asked)
    return sum(kept), kept
