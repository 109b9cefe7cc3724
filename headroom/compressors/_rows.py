"""Choosing which rows of a table to keep: shared by the JSON and table compressors.

A row is any JSON value (objects for records, one-entry objects for the
entries of a wide object). Failure is read from its values, never its key
names: failure words, non-2xx statuses, false success flags. Then what the
query names (a value, a wide object's entry key, a nested key few rows have),
BM25 relevance to the query, rare categorical values, numeric outliers and
change points, and one item for each value of a categorical field.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from headroom.markers import write_ranges
from headroom.relevance import BM25, MEASURES, STOP_WORDS, as_number, as_ordered, superlative, terms, with_forms

__all__ = ["Choice", "Leaves", "Ranking", "Summarizer", "choose", "leaves_of", "priority", "ranges", "row_text"]

Leaves = list[list[tuple[str, Any]]]  # each item's leaves: (dotted key path, value)

_FAILURE = re.compile(
    r"\b(error|errors|errored|fail|failed|failing|failure|fatal|exception|panic|timeout|timed out|"
    r"denied|refused|forbidden|unauthorized|critical|crash(ed)?|abort(ed)?|invalid)\b",
    re.I,
)
_STATUS_KEY = re.compile(r"(^|_|\b)(status|code|status_code|http_status)$", re.I)
_SUCCESS_KEY = re.compile(r"(^|_)(ok|success|succeeded|passed|healthy|valid)$", re.I)
_MISSING = object()


def row_text(item: Any) -> str:
    """The values of an item as text (never its key names, except for object entries)."""
    if isinstance(item, dict):
        return " ".join(row_text(v) for v in item.values())
    if isinstance(item, list):
        return " ".join(row_text(v) for v in item)
    return "" if item is None else str(item)


def _leaves(item: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(item, dict):
        if not any(isinstance(v, dict) for v in item.values()):  # a flat record (every table row): no recursion
            return [(f"{prefix}{k}.".rstrip("."), v) for k, v in item.items()]
        return [leaf for k, v in item.items() for leaf in _leaves(v, f"{prefix}{k}.")]
    return [(prefix.rstrip("."), item)]


def leaves_of(items: list[Any]) -> Leaves:
    """Each item's leaves, walked once: ``priority`` and ``Summarizer`` both read them, and a
    caller ranking and summarizing the same items passes them to both (a 1 MB listing's 5,904
    rows were walked twice, about a tenth of the call)."""
    return [_leaves(item) for item in items]


def _failed(leaves: list[tuple[str, Any]]) -> bool:
    # the string values searched at once, joined by a newline: no failure word or phrase spans one
    # (the pattern's only blank is a space) and ``\b`` sees the newline as a value's edge, so this
    # is ``any(search(v))`` in one regex call per row instead of one per cell
    if _FAILURE.search("\n".join(value for _, value in leaves if isinstance(value, str))):
        return True
    for key, value in leaves:
        if isinstance(value, str):
            continue
        name = key.rsplit(".", 1)[-1]
        if isinstance(value, bool):
            if value is False and _SUCCESS_KEY.search(name):
                return True
        elif isinstance(value, int) and _STATUS_KEY.search(name) and 100 <= value <= 599 and not 200 <= value < 300:
            return True
    return False


@dataclass(frozen=True)
class Ranking:
    """Item indexes, most worth keeping first; the first ``asked`` are those the question names or matches best."""

    order: list[int]
    asked: int
    named: int = 0  # of those, how many the question names outright (or picks by a superlative)


def priority(items: list[Any], query: str | None, leaves: Leaves | None = None) -> Ranking:
    """Rank ``items``: what the question asks for, failures, the edges, unusual values, then the
    rest in order. ``leaves``: ``leaves_of(items)``, when the caller already has them."""
    n = len(items)
    leaves = leaves_of(items) if leaves is None else leaves
    failures = [i for i in range(n) if _failed(leaves[i])]
    # the documents are built only for a question: without one nothing reads them (on a 1 MB
    # listing they were a third of the ranking)
    scores = BM25(_documents(items, leaves)).scores(with_forms(query)) if query else [0.0] * n
    relevant = sorted((i for i in range(n) if scores[i] > 0), key=lambda i: (-scores[i], i))
    named = _named(items, leaves, query) if query else []
    singled = list(dict.fromkeys(_extremes(leaves, query) + named))
    asked = list(dict.fromkeys(singled + relevant[:3]))
    ordered: dict[int, None] = dict.fromkeys(asked)
    # then the first failures, the edges, the other failures and matches, unusual values, one
    # item for each value of a categorical field, and the rest in order (contiguous, so markers
    # stay few)
    full = _columns(leaves, 1.0)  # the fields every item has, read by both scans below
    for group in (failures[:5], [0, n - 1], failures, relevant, _unusual(full, n), _diverse(full), range(n)):
        for index in group:
            ordered.setdefault(index, None)
    return Ranking(list(ordered), len(asked), len(singled))


def _documents(items: list[Any], leaves: Leaves) -> list[str]:
    """Each item's text for BM25: its values, then the key names not every item has.

    Key names are searchable too ("which package..." names a field): a nested key few rows have
    singles them out. A name every row has is left out: BM25 still gives it a small positive
    weight, so every row "matched" and the shortest rows ranked as relevant (debian.csv's
    "codename" put the two-cell rows Sid and Experimental beside the release the question named)."""
    n = len(items)
    held = Counter(key for item_leaves in leaves for key in {key for key, _ in item_leaves})
    return [
        row_text(item) + " " + " ".join(key for key, _ in item_leaves if held[key] < n)
        for item, item_leaves in zip(items, leaves)
    ]


def _extremes(leaves: Leaves, query: str | None, keep: int = 3) -> list[int]:
    """The items holding the extreme values a superlative of the question asks for, most extreme first.

    The field is the ordered one (numbers, strings that hold only a number:
    dpkg's ``"installed_size": "2048"``, ISO dates, version strings: ``as_ordered``)
    whose name the question uses, else the
    one whose name the superlative implies (``relevance.MEASURES``: "largest"
    a size, "slowest" a duration), else the only numeric field there is.
    """
    found = superlative(query)
    if found is None or len(leaves) < 3:
        return []
    word, direction = found
    asked = set(terms(query or ""))
    candidates: list[tuple[int, list[tuple[float, ...] | None]]] = []
    for key, values in _columns(leaves, 0.8).items():
        numbers = as_ordered([None if v is _MISSING else v for v in values])
        present = {x for x in numbers or () if x is not None}
        if numbers is None or len(present) < 2:
            continue
        names = set(terms(key.replace(".", " ")))
        candidates.append((2 * len(names & asked) + len(names & MEASURES.get(word, frozenset())), numbers))
    if not candidates:
        return []
    fit, numbers = max(candidates, key=lambda c: c[0])
    if fit == 0 and len(candidates) > 1:
        return []  # several numeric fields and none named or implied: no guess
    held = {i: x for i, x in enumerate(numbers) if x is not None}
    return sorted(held, key=lambda i: held[i], reverse=direction > 0)[:keep]  # stable: ties in order


def _named(items: list[Any], leaves: Leaves, query: str) -> list[int]:
    """Items the query names outright, the most singled out first.

    An item is named by one of its values (``hypothesis`` for a package row), by
    the key of a wide object's entry (a version, an id), or by a key nested inside
    it (``sigstore`` in a dependency tree). A word that names more than a quarter
    of the items (a field every row has, a value most rows share) singles out
    nothing; an item named by rarer words, or by more of them, comes first.
    """
    words = {w.lower() for w in re.findall(r"[\w.@/+-]+", query)}
    words = {w for w in words | {w.rstrip(".?!,") for w in words} if len(w) > 1 and w not in STOP_WORDS}
    matched: list[dict[str, float]] = []  # word -> weight: a nested key names its item less
    for item, item_leaves in zip(items, leaves):
        found = dict.fromkeys({part.lower() for path, _ in item_leaves for part in path.split(".")[1:]} & words, 0.5)
        found.update(dict.fromkeys({v.lower() for _, v in item_leaves if isinstance(v, str)} & words, 1.0))
        if isinstance(item, dict) and len(item) == 1:
            found.update(dict.fromkeys({next(iter(item)).lower()} & words, 1.0))  # a wide object's entry, by its key
        matched.append(found)
    holders = Counter(word for found in matched for word in found)
    limit = max(1, len(items) // 4)
    scores = {
        i: sum(weight / holders[w] for w, weight in found.items() if holders[w] <= limit)
        for i, found in enumerate(matched)
    }
    return sorted((i for i, score in scores.items() if score > 0), key=lambda i: (-scores[i], i))


def _columns(leaves: Leaves, share: float) -> dict[str, list[Any]]:
    """The values of each leaf key held by at least ``share`` of the items, one per item
    (``_MISSING`` where an item lacks it). The entries of a wide object all have
    different keys: none of them is a column."""
    held = Counter(key for item_leaves in leaves for key, _ in item_leaves)
    wanted = {key for key, count in held.items() if count >= share * len(leaves)}
    columns: dict[str, list[Any]] = {}
    for index, item_leaves in enumerate(leaves):
        for key, value in item_leaves:
            if key in wanted:
                column = columns.get(key)
                if column is None:
                    column = columns[key] = [_MISSING] * len(leaves)
                column[index] = value
    return columns


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _unusual(full: dict[str, list[Any]], n: int) -> list[int]:
    """Items holding a rare value of a categorical field, an outlying number, or a change point."""
    picked: list[int] = []
    for values in full.values():
        if _MISSING in values:
            continue
        numbers = _all_numbers(values) if len(values) >= 8 else None
        if numbers is not None:
            values = numbers
            mean = sum(numbers) / n
            spread = math.sqrt(sum((x - mean) ** 2 for x in values) / n)
            if spread:
                picked += [i for i, x in enumerate(values) if abs(x - mean) > 3 * spread]
            steps = [abs(b - a) for a, b in zip(values, values[1:])]
            usual = statistics.median(steps)
            jumps = [i + 1 for i, step in enumerate(steps) if step > 4 * usual and step > 0]
            if usual and len(jumps) <= max(1, n // 20):
                picked += jumps  # a level shift in a steady series
            continue
        hashable = [_identity(v) for v in values]
        counts = Counter(hashable)
        if 1 < len(counts) <= max(2, n // 10):
            picked += [i for i, v in enumerate(hashable) if counts[v] <= 2]
            changes = [i for i in range(1, n) if hashable[i] != hashable[i - 1]]
            if len(changes) <= max(1, n // 20):
                picked += changes  # where a steady field (a state, a status) changes value
    return sorted(set(picked))


def _all_numbers(values: list[Any]) -> list[float] | None:
    """Every value as a number (numbers stored as strings count), or None at the first that is not
    one: a column of names stops at its first cell instead of reading every row."""
    numbers: list[float] = []
    for value in values:
        number = as_number(value)
        if number is None:
            return None
        numbers.append(number)
    return numbers


def _identity(value: Any) -> str | tuple[str]:
    """A value's identity for counting equal values: a string is itself, anything else its
    canonical JSON in a 1-tuple (never equal to a string), the same classes as comparing
    ``json.dumps(value, sort_keys=True)`` for every value, without encoding each string cell."""
    if isinstance(value, str):
        return value
    if type(value) is int:  # what ``json.dumps`` writes for an int, without its encoder (most cells)
        return (int.__repr__(value),)
    if value is None or value is True or value is False:
        return (_LITERALS[value],)
    return (json.dumps(value, sort_keys=True),)


_LITERALS = {None: "null", True: "true", False: "false"}
_UNSAFE = re.compile(r"[\]\n\r\"\\]")  # what a summary cannot hold inside a marker


def _diverse(full: dict[str, list[Any]]) -> list[int]:
    """The first item holding each value of every categorical field (2 to 16 values), so the
    kept items show every kind there is."""
    picked: set[int] = set()
    for values in full.values():
        firsts: dict[str | tuple[str], int] = {}
        for index, value in enumerate(values):
            firsts.setdefault(_identity(value), index)
            if len(firsts) > 16:
                break
        if 1 < len(firsts) <= 16:
            picked.update(firsts.values())
    return sorted(picked)


class Summarizer:
    """What runs of dropped items held, from columns computed once per container.

    Up to three fields: counts of the values of a low-cardinality field, the
    min..max of a numeric one; for plain values, their range or first..last.

    With ``repeats`` the counts are given only for values that repeat in the
    run: ``name pkg000x1,pkg001x1,pkg003x1`` lists the names at a token or more
    each and says nothing a count can, and under a small room that summary cost
    more than the row it stood beside (a JSON listing's one marker for four rows
    took 40 tokens, planned as 27, so a room that kept the asked-for row
    overshot and the fit search ended on a bare summary).
    """

    def __init__(self, items: list[Any], *, repeats: bool = False, leaves: Leaves | None = None) -> None:
        self._repeats = repeats
        leaves = leaves_of(items) if leaves is None else leaves
        self._columns: list[tuple[str, list[Any], bool]] = []
        for key, values in _columns(leaves, 0.5).items():
            present = [v for v in values if v is not _MISSING]
            numeric = all(_number(v) for v in present)
            short = all(isinstance(v, (str, bool)) or v is None or _number(v) for v in present) and all(
                len(str(v)) <= 20 for v in present
            )
            plain = not key and all(isinstance(v, (str, int, float, bool)) or v is None for v in present)
            if plain or numeric or (short and len(set(map(str, present))) <= 64):
                self._columns.append((key, values, numeric))
            if len(self._columns) >= 12:
                break

    def of(self, runs: list[tuple[int, int]], room: int | None = None) -> str:
        """The summary of the items in ``runs`` (``(start, end)``, end exclusive), with a leading space.

        ``room``: at most that many characters, in whole parts (none when the first does not
        fit). Under a small budget a marker's summary took most of the room it was planned in
        (a marker is planned at a fixed cost, its summary is up to 120 characters): a room that
        kept the asked-for row rendered over its target and the fit search fell back to less."""
        parts: list[str] = []
        for key, column, numeric in self._columns:
            values = [v for start, end in runs for v in column[start:end] if v is not _MISSING]
            if not values:
                continue
            distinct = len(set(map(str, values)))  # counted in full only when a few values repeat
            if numeric and distinct > 3:
                parts.append(f"{key} {min(values):g}..{max(values):g}".lstrip())
            elif distinct <= 4 and len(values) >= 3 and (distinct < len(values) or not self._repeats):
                counts = Counter(str(v) if v != "" else "''" for v in values)
                parts.append(f"{key} ".lstrip() + ",".join(f"{v}x{c}" for v, c in counts.most_common(3)))
            elif not key and len(values) > 1:  # plain values: the first and the last
                parts.append(f"{str(values[0])[:24]}..{str(values[-1])[:24]}")
            if len(parts) >= 3:
                break
        if room is not None:
            while parts and len(re.sub(_UNSAFE, "", " " + "; ".join(parts))) > min(room, 120):
                parts.pop()
        text = (" " + "; ".join(parts)) if parts else ""
        return re.sub(_UNSAFE, "", text)[:120]


@dataclass(frozen=True)
class Choice:
    """Which items stay (index -> the tokens each may use), the dropped runs (``(start, end)``,
    end exclusive), and whether one marker names every run instead of one marker per run."""

    n: int
    keep: dict[int, float]
    runs: list[tuple[int, int]]
    coalesced: bool

    def layout(self) -> list[int | list[tuple[int, int]]]:
        """Kept indexes and dropped runs in order; a coalesced marker sits at the first run."""
        ends = dict(self.runs)
        out: list[int | list[tuple[int, int]]] = []
        index = 0
        while index < self.n:
            if index in self.keep:
                out.append(index)
                index += 1
                continue
            if not self.coalesced:
                out.append([(index, ends[index])])
            elif index == self.runs[0][0]:
                out.append(self.runs)
            index = ends[index]
        return out


def choose(
    ranking: Ranking,
    costs: list[float],
    budget: float,
    *,
    marker: float,
    more_range: float,
    least: Callable[[int], float] | None,
    merge: bool = False,
) -> Choice:
    """Items by rank while they fit ``budget``, counting what the markers of the dropped runs cost.

    A marker per run costs ``marker`` each, so under a small budget the markers,
    not the rows, eat the room: two asked-for rows far apart need three. When
    that drops an item the question asks for, one marker at the first gap that
    lists every dropped range (``more_range`` per extra range) is tried, and
    taken if it keeps more of the asked-for items. With ``least`` (the fewest
    tokens an item can usefully be shrunk to) one of the three best-ranked items
    too big for the room is kept with half of what is left, for the caller to
    shrink, when that half is at least its ``least``.
    """
    keep = _greedy(ranking, costs, budget, marker, None, least)
    asked = ranking.order[: ranking.asked]
    if merge and asked and all(i in keep for i in asked):
        # ``merge``: one marker for every run also when it keeps more items than a marker per run
        together = _greedy(ranking, costs, budget, marker, more_range, least)
        if all(i in together for i in asked) and len(together) > len(keep):
            return Choice(len(costs), together, _runs(len(costs), together), True)
    if asked and not all(i in keep for i in asked):
        together = _greedy(ranking, costs, budget, marker, more_range, least)

        def held(chosen: dict[int, float]) -> tuple[int, int, tuple[bool, ...]]:
            # the items the question names outright, then how many asked-for items, then the
            # best-ranked of them: cheaper markers must not trade the row the question names for
            # two that merely match, or for a lower-ranked one (a larger room then kept less)
            named = asked[: ranking.named]
            return sum(i in chosen for i in named), sum(i in chosen for i in asked), tuple(i in chosen for i in asked)

        if held(together) > held(keep):
            return Choice(len(costs), together, _runs(len(costs), together), True)
    return Choice(len(costs), keep, _runs(len(costs), keep), False)


def _greedy(
    ranking: Ranking,
    costs: list[float],
    budget: float,
    marker: float,
    more_range: float | None,
    least: Callable[[int], float] | None,
) -> dict[int, float]:
    n = len(costs)
    per_run = marker if more_range is None else more_range
    keep: dict[int, float] = {}
    runs = 1
    used = marker
    for rank, index in enumerate(ranking.order):
        left_gap = index > 0 and index - 1 not in keep
        right_gap = index < n - 1 and index + 1 not in keep
        # keeping it splits a run, shortens one, or closes a run of one
        delta = 1 if left_gap and right_gap else (-1 if not left_gap and not right_gap else 0)
        extra = -marker if runs + delta == 0 else delta * per_run  # the last run closing takes its marker along
        if used + costs[index] + extra <= budget:
            keep[index] = costs[index]
        elif least is not None and rank < 3 and (budget - used - extra) / 2 >= max(least(index), marker):
            keep[index] = (budget - used - extra) / 2
        else:
            continue
        used += keep[index] + extra
        runs += delta
    return keep


def _runs(n: int, keep: dict[int, float]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    index = 0
    while index < n:
        if index in keep:
            index += 1
            continue
        start = index
        while index < n and index not in keep:
            index += 1
        runs.append((start, index))
    return runs


def ranges(runs: list[tuple[int, int]]) -> str:
    """``1-16,18-25``: the 1-based inclusive ranges of ``runs`` (0-based, end exclusive), in the markers' grammar."""
    return write_ranges((start + 1, end) for start, end in runs)
