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
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from headroom.compressors._rows import Choice, Ranking, Summarizer, choose, priority, ranges
from headroom.compressors.json._forms import dump
from headroom.compressors.json._where import RECORD as _RECORD
from headroom.compressors.json._where import Where
from headroom.compressors.json._where import hot_paths as _hot_paths
from headroom.compressors.json._where import locate as _locate
from headroom.compressors.json._where import raw_cut as _raw_cut
from headroom.plugins import PieceContext
from headroom.relevance import sparse_scores, terms, word_forms

__all__ = ["Shrinker"]

_MARKER = 24.0  # tokens of a marker with a short summary, as a JSON string
_RANGE = 3.0  # tokens one more range adds to a marker that lists several
_MIN_STRING = 40  # characters a shortened string keeps at least
_SPELLED = 3  # rows the question asks for that a row table shows as the objects they are
_WINDOW = 5_000  # characters of each window counted to measure a large container's tokens per character


@dataclass(frozen=True)
class _Profile:
    """A container's children, whatever the budget: their tokens, their floors (one marker
    for a container), and what each key costs (``key_total``: all of them, as a list of names)."""

    sizes: list[float]
    floors: list[float]
    keys: list[float]
    key_total: float
    unit: str  # what its children are counted as: keys, rows (objects) or items


class Shrinker:
    """One document, shrunk to any budget (in estimated tokens) on request."""

    def __init__(
        self,
        data: Any,
        text: str,
        ctx: PieceContext,
        *,
        long_string: int,
        tokens_per_char: float,
        rows: list[Any] | None = None,
        rows_factor: float = 1.0,
    ) -> None:
        self.data, self.text, self.ctx = data, text, ctx
        self.long_string = long_string
        self.tpc = tokens_per_char
        self.rows, self.rows_factor = rows, rows_factor
        self.omitted: Counter[str] = Counter()
        self._tokens: dict[int, float] = {}
        self._longest: dict[int, int] = {}
        self._costs: dict[tuple[int, bool], list[float]] = {}
        self._profiles: dict[int, _Profile] = {}
        self._rankings: dict[int, Ranking] = {}
        self._hot: dict[Where, float] | None = None
        self._matches: dict[int, list[int]] = {}
        self._summaries: dict[int, Summarizer] = {}
        self._spans: dict[Where, tuple[int, int]] | None = None
        self._hot_parents: set[int] = set()
        self._spelled: frozenset[int] | None = None
        self._shown: set[int] = set()
        self.query_terms = word_forms(set(terms(ctx.query))) if ctx.query else set()
        self._named: dict[str, bool] = {}
        self._plain: set[int] | None = None

    def spelled(self) -> frozenset[int]:
        """The ``id`` of the original containers the question asks for: the main array's rows it
        names or matches best, and the objects holding the leaves that match it best."""
        if self._spelled is None:
            found: set[int] = set()
            if self.rows and self.ctx.query:
                ranking = self._ranking(self.rows)
                found.update(id(self.rows[i]) for i in ranking.order[: min(_SPELLED, ranking.asked)])
            if self._hot is None:
                self._hot, self._hot_parents = _hot_paths(self.data, self.ctx.query)
            found.update(self._hot_parents)
            self._spelled = frozenset(found)
        return self._spelled

    def plain(self) -> set[int]:
        """The ``id`` of the original containers holding no key the question names and nothing
        it asks for (``spelled``), at any depth: ``dump`` writes them compact in one C call. A
        container kept as it is stays the original object; a shrunk one is a new object, walked."""
        if self._plain is None:
            spelled, found = self.spelled(), set[int]()

            def walk(node: Any) -> bool:
                children = node.values() if isinstance(node, dict) else node
                clean = id(node) not in spelled
                for child in children:
                    if isinstance(child, (dict, list)) and not walk(child):
                        clean = False
                if clean and isinstance(node, dict):
                    clean = not any(self.named(key) for key in node)
                if clean:
                    found.add(id(node))
                return clean

            if isinstance(self.data, (dict, list)):
                walk(self.data)
            self._plain = found
        return self._plain

    def named(self, key: str) -> bool:
        """Whether the question names the key ``key`` (every term of it, in any word form): its
        ``"key": value`` pairs are written with the input's key separator wherever they stand.

        A question asks for a field by its name ("what is the description of ..."), and the
        answer quotes the line as written; the pair costs a token more, and only the keys the
        question names pay it, not the whole document (a tenth to a third more)."""
        found = self._named.get(key)
        if found is None:
            own = terms(key)
            found = self._named[key] = bool(own) and all(term in self.query_terms for term in own)
        return found

    def shrink(self, budget: float) -> tuple[Any, Counter[str], frozenset[int]]:
        """The document within about ``budget`` tokens, what was omitted by unit, and the ``id``
        of the containers in it that the question asks for (``spelled``), kept whole or shrunk."""
        self.omitted = Counter()
        self._shown = set()
        shrunk = self._value(self.data, budget, "", None)
        return shrunk, self.omitted, frozenset(self._shown)

    # sizes -----------------------------------------------------------------

    def _dump(self, value: Any) -> str:
        # compact: the document is rendered so, but for the few objects the question asks for
        return dump(value)

    def tokens(self, value: Any) -> float:
        if isinstance(value, (dict, list)):
            cached = self._tokens.get(id(value))
            if cached is None:
                cached = self._tokens[id(value)] = len(self._dump(value)) * self.tpc
            return cached
        return len(self._dump(value)) * self.tpc

    def _long(self, value: Any) -> int:
        """The longest string inside ``value``."""
        if isinstance(value, str):
            return len(value)
        if not isinstance(value, (dict, list)):
            return 0
        cached = self._longest.get(id(value))
        if cached is None:
            children = value.values() if isinstance(value, dict) else value
            cached = self._longest[id(value)] = max((self._long(v) for v in children), default=0)
        return cached

    def _floor(self, value: Any, size: float) -> float:
        """The fewest tokens ``value`` can take: a container as one marker, a long string cut short."""
        if isinstance(value, (dict, list)):
            return min(size, _MARKER)
        if isinstance(value, str) and len(value) > self.long_string:
            return min(size, _MIN_STRING * self.tpc + _MARKER)
        return size

    def _profile(self, container: dict[str, Any] | list[Any]) -> _Profile:
        """Measured once per container: its tokens per character and its key names' are counted
        (on a sample when large), and its children are estimated with the container's own
        ratio (version strings and dates cost more per character than prose)."""
        found = self._profiles.get(id(container))
        if found is None:
            dump = self._dump(container)
            local = self._per_char(dump)
            # a container keeps the estimate its parent gave it, so grants and sizes agree
            self._tokens.setdefault(id(container), len(dump) * local)
            children = list(container.values()) if isinstance(container, dict) else container
            sizes = []
            for child in children:
                size = len(self._dump(child)) * local
                if isinstance(child, (dict, list)):
                    size = self._tokens.setdefault(id(child), size)
                sizes.append(size)
            keys: list[float] = []
            if isinstance(container, dict):
                names = [self._dump(k) for k in container]
                per_char = self._per_char("[" + ",".join(names) + "]")
                keys = [(len(name) + 1) * per_char for name in names]
            floors = [self._floor(child, size) for child, size in zip(children, sizes)]
            if isinstance(container, dict):
                unit = "keys"
            else:
                unit = "rows" if children and all(isinstance(child, dict) for child in children) else "items"
            found = self._profiles[id(container)] = _Profile(sizes, floors, keys, sum(keys), unit)
        return found

    def _per_char(self, text: str) -> float:
        """Tokens per character of ``text``: a container's own ratio, measured on four windows
        spread over it when it is large (counting all of it would cost more than the rest)."""
        if len(text) <= 4 * _WINDOW:
            return self.ctx.counter.count(text) / max(1, len(text))
        step = (len(text) - _WINDOW) // 3
        windows = [text[i * step : i * step + _WINDOW] for i in range(4)]
        return sum(self.ctx.counter.count(w) for w in windows) / (4 * _WINDOW)

    def _least(self, value: Any) -> float:
        """The fewest tokens ``value`` can usefully be shown in: an object, room for its key
        names to be listed (the numbers ``_entries`` will use); a list, one item and a marker."""
        size = self.tokens(value)
        if isinstance(value, dict):
            names = self._profile(value).key_total + _MARKER
            if len(value) <= _RECORD:
                return min(size, names)
            # a map too wide to list: its best entries and a marker for each run around them
            # (``_entries`` then names each run by its first and last key), not its names
            return min(size, 2 * names, 3 * _MARKER + self._best_entry(value))
        if isinstance(value, list):
            return min(size, 2 * _MARKER)
        return self._floor(value, size)

    def _best_entry(self, value: dict[str, Any]) -> float:
        """What the entry of ``value`` that ranks first costs at its least (key and value)."""
        ranking = self._ranking(value)
        if not ranking.order:
            return 0.0
        index = ranking.order[0]
        profile = self._profile(value)
        return profile.keys[index] + self._least(list(value.values())[index])

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
            out[index] = self._value(value[key], grant, _join(path, key), (id(value), key), profile.sizes[index])
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
        listed = _listed(len(value), profile.key_total, budget)
        if not listed:
            return False
        choice = self._pick(value, self._entry_costs(value, listed), budget - profile.key_total)
        return any(grants[i] + 0.5 < choice.keep[i] for i in matched if i in choice.keep)

    def _matched(self, container: dict[str, Any]) -> list[int]:
        """The children the question asks for or matches at all (BM25 over key and value)."""
        found = self._matches.get(id(container))
        if found is None:
            ranking = self._ranking(container)
            documents = [self._dump({key: child}) for key, child in container.items()]
            scored = sparse_scores(documents, self.ctx.query) if self.ctx.query else {}
            found = self._matches[id(container)] = sorted(set(ranking.order[: ranking.asked]) | set(scored))
        return found

    def _entry_costs(self, value: dict[str, Any], listed: bool) -> list[float]:
        profile = self._profile(value)
        costs = self._costs.get((id(value), listed))
        if costs is None:  # a kept entry's key is already paid for when every name is listed
            costs = self._costs[(id(value), listed)] = [
                size + (0.0 if listed else key) for size, key in zip(profile.sizes, profile.keys)
            ]
        return costs

    def _entries(self, value: dict[str, Any], budget: float, path: str) -> Any:
        """A wide object: the entries that rank highest, each dropped run named by a marker key."""
        profile = self._profile(value)
        listed = _listed(len(value), profile.key_total, budget)
        if not listed and budget < 2 * _MARKER:
            return self._whole(value, path)
        costs = self._entry_costs(value, listed)
        choice = self._pick(value, costs, budget - (profile.key_total if listed else 0.0))
        if listed and budget >= 2 * _MARKER:
            # the dropped names are listed only when that costs no value the question asks for: a
            # small schema at 60 tokens listed its seven other keys and dropped the "description"
            # the question named; its marker then names the first and last key of each run instead
            asked = self._ranking(value).order[: self._ranking(value).asked]
            if any(choice.keep.get(i, 0.0) < costs[i] for i in asked):
                bare = self._pick(value, self._entry_costs(value, False), budget)
                if sum(i in bare.keep for i in asked) > sum(i in choice.keep for i in asked):
                    listed, choice = False, bare
        items = list(value.items())
        out: dict[str, Any] = {}
        for item in choice.layout():
            if isinstance(item, int):
                key, child = items[item]
                grant = choice.keep[item] - (0.0 if listed else profile.keys[item])
                out[key] = self._value(child, grant, _join(path, key), (id(value), key), profile.sizes[item])
                continue
            dropped = [items[i][0] for start, end in item for i in range(start, end)]
            detail = ranges(item)
            if not listed:
                detail += f" {_cut(dropped[0])}..{_cut(dropped[-1])}"
            marker = self._marker(value, len(dropped), "keys", path, detail, item)
            out[marker] = dropped if listed else None
        return out

    def _array(self, value: list[Any], budget: float, path: str) -> Any:
        if budget < _MARKER:
            return self._whole(value, path)
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
        for position, item in enumerate(layout):
            if not isinstance(item, int):
                markers[position] = self._marker(value, sum(e - s for s, e in item), unit, path, ranges(item), item)
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
        return self.tokens(original) if shown is original else len(self._dump(shown)) * self.tpc

    def _whole(self, value: dict[str, Any] | list[Any], path: str) -> str:
        """``value`` replaced by one marker string."""
        unit = self._profile(value).unit
        return self._marker(value, len(value), unit, path, f"1-{len(value)}", [(0, len(value))])

    def _marker(
        self, container: Any, count: int, unit: str, path: str, detail: str, runs: list[tuple[int, int]]
    ) -> str:
        self.omitted[unit] += count
        summarizer = self._summaries.get(id(container))
        if summarizer is None:
            children = list(container.values()) if isinstance(container, dict) else container
            summarizer = self._summaries[id(container)] = Summarizer(children)
        return self.ctx.marker(count, unit, f"{_label(path)} {detail}{summarizer.of(runs)}")

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

    # choosing --------------------------------------------------------------

    def _ranking(self, container: dict[str, Any] | list[Any]) -> Ranking:
        ranking = self._rankings.get(id(container))
        if ranking is None:
            items = [{k: v} for k, v in container.items()] if isinstance(container, dict) else container
            ranking = priority(items, self.ctx.query)
            hot = self._hot_children(container)
            if hot:  # the branches holding the leaves that match best lead what the question asks for
                named, matched = ranking.order[: ranking.named], ranking.order[ranking.named : ranking.asked]
                asked = list(dict.fromkeys(named + hot + matched))  # what the question names stays first
                ranking = Ranking(list(dict.fromkeys(asked + ranking.order)), len(asked), ranking.named)
            self._rankings[id(container)] = ranking
        return ranking

    def _hot_children(self, container: dict[str, Any] | list[Any]) -> list[int]:
        """Indexes of the children on the way to a leaf that matches the question best, best first.

        A deep document (an OpenAPI spec, a package lock) is ranked level by
        level, and one level sees only its own children: a method named by the
        question three levels down looks no more relevant than its siblings.
        So the leaves are ranked once over the whole document (BM25 over each
        leaf's key and value), and every container on the way from the root to
        one of the best (at least half the top score, at most ``_where.HOT`` of them)
        puts that branch first.
        """
        if self._hot is None:
            self._hot, self._hot_parents = _hot_paths(self.data, self.ctx.query)
        if not self._hot:
            return []
        keys: list[str | int] = list(container) if isinstance(container, dict) else list(range(len(container)))
        scored = [
            (self._hot[(id(container), key)], index)
            for index, key in enumerate(keys)
            if (id(container), key) in self._hot
        ]
        return [index for _, index in sorted(scored, key=lambda c: (-c[0], c[1]))]

    def _pick(self, container: dict[str, Any] | list[Any], costs: list[float], budget: float) -> Choice:
        """The children kept within ``budget``, by rank.

        ``choose`` keeps a top-ranked child too big for the room with half of what
        is left; once the room grows past that child's least, that half can push
        out a smaller child the question matches that fitted whole before (the
        SPDX ``packages`` array, shrunk to its key names, pushed out the
        ``relationships`` row naming lodash). So an object's children are also
        chosen without that rule, and the choice that gives the children the
        question matches more room is taken.
        """
        children = list(container.values()) if isinstance(container, dict) else container
        ranking = self._ranking(container)
        choice = choose(
            ranking, costs, budget, marker=_MARKER, more_range=_RANGE, least=lambda i: self._least(children[i])
        )
        if not isinstance(container, dict):
            return choice
        choice = self._share_asked(container, costs, budget, choice)
        if not any(choice.keep[i] < costs[i] for i in choice.keep):
            return choice
        whole = choose(ranking, costs, budget, marker=_MARKER, more_range=_RANGE, least=None)
        matched, asked = self._matched(container), ranking.order[: ranking.asked]

        def held(chosen: Choice) -> tuple[int, float]:
            # how many asked-for children it keeps at all, then the room the matched ones get
            return sum(i in chosen.keep for i in asked), sum(chosen.keep.get(i, 0.0) for i in matched)

        return whole if held(whole) > held(choice) else choice

    def _share_asked(self, container: dict[str, Any], costs: list[float], budget: float, choice: Choice) -> Choice:
        """``choice``, or one that shrinks the largest asked-for child so every other one fits.

        ``choose`` keeps children whole by rank while they fit, so a larger room
        can let the first asked-for child in whole and push out the next: npm view
        express's ``versions`` (262 strings, named by "which node versions") fitted
        whole from about 2,000 tokens and pushed out ``dependencies``, which held
        the body-parser range kept at 1,700. Capping that child at what the others
        leave (at least its ``_least``) keeps it, shrunk, beside them; taken only
        when it keeps more of the asked-for children."""
        ranking = self._ranking(container)
        asked = ranking.order[: ranking.asked]
        if not asked or all(i in choice.keep for i in asked):
            return choice
        children = list(container.values())
        big = max(asked, key=lambda i: (costs[i], -i))
        room = budget - sum(costs[i] for i in asked if i != big) - (len(asked) + 1) * _MARKER
        if not self._least(children[big]) <= room < costs[big]:
            return choice
        capped = list(costs)
        capped[big] = room
        shared = choose(
            ranking, capped, budget, marker=_MARKER, more_range=_RANGE, least=lambda i: self._least(children[i])
        )
        if sum(i in shared.keep for i in asked) > sum(i in choice.keep for i in asked):
            return shared
        return choice

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


def _listed(keys: int, names: float, budget: float) -> bool:
    """Whether an object's dropped keys are listed by name: a record's (a few keys) whenever
    the names fit; a map's (many keys: versions, ids) when they take at most half its share."""
    return names + _MARKER <= (budget if keys <= _RECORD else budget / 2)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _label(path: str) -> str:
    return re.sub(r"[\]\n\r]", "", path)[-40:] or "top"


def _cut(name: str) -> str:
    return name if len(name) <= 24 else name[:21] + "..."
