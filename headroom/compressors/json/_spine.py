"""The thin path: the record holding the leaf that matches best, with only its ancestors around it.

The shrinker shares a room top-down, so every level pays for its other
children (their markers, their key names, cheap scalars kept whole) before the
branch the question is about gets the rest. In a room of 60-200 tokens that
left the record holding the asked-for line out: botocore's ``waiters-2.json``
(857 tokens), asked "which expected does error have?", showed the right waiter
with ``delay`` and ``operation`` and its ``acceptors`` as a name from 100 to
150 tokens, and the acceptor ``{"expected": "CacheClusterNotFound", "matcher":
"error", ...}`` (20 tokens) only from 157. The generic line cut, which kept
the line, may no longer stand in for a JSON piece (it stays JSON).

So a second form is built beside the shared one: from the top down to the
record holding the best leaf (``hot_paths``' best), each ancestor keeps only
the child on the path and one marker for all its other children; the record
gets what is left (kept whole when it fits, shrunk by the shrinker's own
rules when not), and what it leaves goes to its nearest siblings, kept whole,
nearest first. The caller uses it only when the shared form does not show the
best leaf and the fields the question names beside it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from headroom.compressors._rows import ranges
from headroom.compressors.json._rank import _RANGE, _SUMMARY_PLAN, join, quoted
from headroom.compressors.json._where import RECORD
from headroom.relevance import terms, word_forms

if TYPE_CHECKING:
    from headroom.compressors.json._rank import Measured
    from headroom.compressors.json._select import Shrinker

__all__ = ["Candidate", "alike", "candidates", "pairs", "thin"]

# a record's prefix, the path below it to the value quoted, the path to the field asked
Candidate = tuple[tuple["str | int", ...], tuple["str | int", ...], tuple["str | int", ...]]
_CANDIDATES = 200  # records a question naming a shared property can match, at most
_REACH = 3  # steps between a record and the value quoted or the field asked in it, at most


def thin(shrinker: Shrinker, budget: float) -> Any | None:
    """The document as the paths down to the best leaves' records within about ``budget``
    estimated tokens, or None when no leaf below the top container matches."""
    records: list[tuple[str | int, ...]] = []  # the records holding the best leaves, best first
    for trail in shrinker.best_trails:
        prefix = tuple(trail[:-1])
        if prefix and prefix not in records:
            records.append(prefix)
    # a record inside another one is shown by it (its ranking leads with the same branch)
    records = [r for r in records if not any(o != r and r[: len(o)] == o for o in records)]
    if not records:
        return None  # the best leaves sit in the top container: the shared form shows them first
    # as many of the records as the room holds whole with their spines, at least the best one
    for count in range(len(records), 0, -1):
        spine, left = _spine(shrinker, records[:count], budget)
        if count == 1 or left >= sum(shrinker.tokens(_at(shrinker.data, r)) for r in records[:count]):
            records = records[:count]
            break
    nodes = {prefix: _at(shrinker.data, prefix) for prefix in spine + records}
    built: dict[tuple[str | int, ...], Any] = {}
    for prefix in records:  # best first, each what is left (the count above fits them all, by estimate)
        record, parent = nodes[prefix], nodes[prefix[:-1]]
        size = shrinker.tokens(record)
        shown = shrinker._value(record, max(0.0, left), _path(prefix), (id(parent), prefix[-1]), size)
        if shown is record and id(record) in shrinker.spelled():
            shrinker._shown.add(id(record))
        left -= shrinker._size(shown, record)
        built[prefix] = shown
    for prefix in reversed(spine):  # deepest first, so every child is built before its parent
        node = nodes[prefix]
        kept = {_position(node, p[-1]): built[p] for p in list(built) if len(p) == len(prefix) + 1 and p[:-1] == prefix}
        if prefix == records[0][:-1]:  # the best record's nearest siblings in what is left
            kept.update(_nearest(shrinker, node, _position(node, records[0][-1]), left, kept, _path(prefix)))
        if _cheaper_whole(shrinker, node, kept):  # ``"version":2`` costs less than its marker
            kept.update((i, child) for i, child in enumerate(_children(node)) if i not in kept)
        built[prefix] = _thin(shrinker, node, kept, _path(prefix))
    return built[()]


def candidates(shrinker: Measured) -> tuple[list[Candidate], list[Candidate]]:
    """The records a question of the form "the K2 of the entry whose K1 is V" can mean: each
    holds a string value the question quotes whole (V, under K1) and a scalar field whose key
    it names (K2); those holding a best leaf first, then in document order.

    "What is the content of the entry whose alg is SHA-256?" in an SBOM, or "the $comment of
    the entry whose type is string" in a schema, fits dozens of records; the shared form shows
    the three whose leaves rank best, and which one the asker meant is a lottery. Shown by their
    two fields alone (``pairs``), many fit in the room one record took.

    When no record holds both, the nearest relation found is taken instead (``_nested``): the
    two fields a few steps apart below one record, as an array schema names its item's
    ``$ref`` (``{"type": "array", "items": {"$ref": ...}}``) or a boto3 action its request's
    ``operation`` beside the ``params`` naming ``TableName``.

    Returned with the further records the pairs form shows once every candidate fits
    (``_further``)."""
    query = shrinker.asking  # a value quoted only inside the file name is the file's, not an entry's
    found: list[Candidate] = []
    besides: dict[str, set[str]] = {}  # a quoted value -> the question's terms outside it

    def asks(key: str, value: str) -> bool:
        """Whether the question names ``key`` outside the quoted ``value`` ("which operation does
        TableName have?" names ``operation``, not the ``name`` inside ``TableName``)."""
        if not shrinker.named(key):
            return False
        rest = besides.get(value)
        if rest is None:
            rest = besides[value] = word_forms(set(terms(shrinker.asking.replace(value, " "))))
        return all(term in rest for term in terms(key))

    quoted_at: list[tuple[str | int, ...]] = []  # where the values the question quotes sit, in document order

    def walk(node: Any, prefix: tuple[str | int, ...]) -> None:
        if len(found) >= _CANDIDATES:
            return
        children: Any = node.items() if isinstance(node, dict) else enumerate(node)
        by = None
        for step, child in children:
            if isinstance(child, (dict, list)):
                continue
            if isinstance(child, str) and child in query and quoted(child, query):
                quoted_at.append((*prefix, step))
                if by is None or (isinstance(step, str) and asks(step, child) and not asks(by, child)):
                    by = step  # the value under a key the question names, when one is
        if isinstance(node, dict) and len(node) <= RECORD and by is not None:
            asked = next(
                (k for k, v in node.items() if k != by and not isinstance(v, (dict, list)) and asks(k, node[by])),
                None,
            )
            if asked is not None:
                found.append((prefix, (by,), (asked,)))
        children = node.items() if isinstance(node, dict) else enumerate(node)
        for step, child in children:
            if isinstance(child, (dict, list)):
                walk(child, (*prefix, step))

    looser: list[Candidate] = []
    if query and isinstance(shrinker.data, (dict, list)):
        walk(shrinker.data, ())
        # "the operation of the entry whose target is Bucket" names the key its value sits under:
        # where the document holds the value under that key, a record holding it under another
        # (`"path": "Bucket"` beside a `target`) is not the entry meant
        keyed = [t for t in quoted_at if isinstance(t[-1], str) and asks(t[-1], _at(shrinker.data, t))]
        if keyed:
            quoted_at, under = keyed, set(keyed)
            found = [c for c in found if (*c[0], *c[1]) in under]
        nested = _nested(shrinker, quoted_at[:_CANDIDATES], asks)
        if not found:
            found = [c for c in nested if len(c[1]) + len(c[2]) == len(nested[0][1]) + len(nested[0][2])]
        looser = [c for c in nested if c not in found]
    found = _unnested(found)
    best = {tuple(trail[:-1]) for trail in shrinker.best_trails}
    found = sorted(found, key=lambda c: c[0] not in best)  # stable: document order otherwise
    return found, _further(shrinker, found, looser, quoted_at[:_CANDIDATES], asks)


def _nested(
    shrinker: Measured, quoted_at: list[tuple[str | int, ...]], asks: Callable[[str, str], bool]
) -> list[Candidate]:
    """The records holding a value the question quotes (at ``quoted_at``) and, up to
    ``_REACH`` steps below them on another branch, a scalar field it names: for each quoted
    value the nearest record above it (at most ``_REACH`` steps up) that has such a field, the
    shallowest field first; those whose two fields lie fewest steps apart first (the tightest
    relation the document shows), in document order otherwise. The caller takes the tightest as
    candidates when no record holds both fields, and the others as further records."""
    found: dict[tuple[str | int, ...], Candidate] = {}
    for trail in quoted_at:
        for up in range(1, min(_REACH, len(trail)) + 1):
            prefix = trail[:-up]
            record = _at(shrinker.data, prefix)
            if not isinstance(record, dict) or len(record) > RECORD:
                continue
            by = trail[len(prefix) :]
            asked = _named_below(record, by, partial(_flipped, asks, _at(record, by)))
            if asked is not None and min(len(by), len(asked)) == 1:  # not two branches apart: a lottery
                found.setdefault(prefix, (prefix, by, asked))
                break
    return sorted(found.values(), key=lambda c: len(c[1]) + len(c[2]))  # stable: document order otherwise


def _further(
    shrinker: Measured,
    found: list[Candidate],
    looser: list[Candidate],
    quoted_at: list[tuple[str | int, ...]],
    asks: Callable[[str, str], bool],
) -> list[Candidate]:
    """The records the pairs form shows once every candidate fits, closest relation first: those
    holding the quoted value with the asked field further from it (``looser``, fewest steps
    first), then the fields the question asks for that lie nearest a quoted value in document
    order, before or after it, nearest first, each shown alone (``by`` empty).

    A question built from the lines around a field names the entry by the nearest value it
    read, and that value can sit in the entry next door: "which $ref does object have?" in
    samtranslator's api.json meant the ``$ref`` two lines below a ``"type": "object"`` that has
    none, and "which format does string have?" a ``format`` two steps below the ``"type":
    "string"`` beside it, while one record holding both fields was shown alone in a fifth of
    the room. The pairs form is only taken where the shared one misses a candidate (a form
    showing every candidate keeps its room for them, not for these)."""
    taken = [c[0] for c in found]

    def free(prefix: tuple[str | int, ...]) -> bool:
        return not any(prefix[: len(t)] == t or t[: len(prefix)] == prefix for t in taken)

    out: list[Candidate] = []
    for candidate in looser:
        if free(candidate[0]):
            taken.append(candidate[0])
            out.append(candidate)
    if not quoted_at:
        return out
    leaves: list[tuple[str | int, ...]] = []  # every scalar's path, in document order

    def walk(node: Any, prefix: tuple[str | int, ...]) -> None:
        children: Any = node.items() if isinstance(node, dict) else enumerate(node)
        for step, child in children:
            if isinstance(child, (dict, list)):
                walk(child, (*prefix, step))
            else:
                leaves.append((*prefix, step))

    walk(shrinker.data, ())
    where = {path: i for i, path in enumerate(leaves)}
    quoted = {where[t]: _at(shrinker.data, t) for t in quoted_at if t in where}
    fields = [i for i, path in enumerate(leaves) if isinstance(path[-1], str) and len(path) > 1]
    fields = [i for i in fields if shrinker.named(str(leaves[i][-1]))]
    near: dict[int, int] = {}  # a field nearest a quoted value, on either side -> how near
    for j, value in quoted.items():
        if not isinstance(value, str):
            continue
        at = bisect_left(fields, j)
        for side in (range(at - 1, -1, -1), range(at, len(fields))):
            i = next((i for i in side if fields[i] != j and asks(str(leaves[fields[i]][-1]), value)), None)
            if i is not None:
                near[fields[i]] = min(near.get(fields[i], len(leaves)), abs(fields[i] - j))
    sides = near
    for i in sorted(sides, key=lambda i: (near[i], i)):
        record = leaves[i][:-1]
        if len(out) < _CANDIDATES and free(record):
            taken.append(record)
            out.append((record, (), leaves[i][-1:]))
    return out


def _unnested(found: list[Candidate]) -> list[Candidate]:
    """``found`` with no candidate inside another: a record on the way to an outer candidate's
    two fields is shown by that pair; an outer candidate holding others off its two paths is
    dropped, one record among them, not a stand-in for them.

    The root of a schema holds ``"type": "object"`` and a ``description`` too: kept as the outer
    candidate, it hid the fifty ``definitions`` the question ("the description of the entry
    whose type is object") could mean, and only the root's pair was looked for."""

    def inside(inner: Candidate, outer: Candidate) -> bool:
        return len(inner[0]) > len(outer[0]) and inner[0][: len(outer[0])] == outer[0]

    def on_path(inner: Candidate, outer: Candidate) -> bool:
        return any((*outer[0], *path)[: len(inner[0])] == inner[0] for path in (outer[1], outer[2]))

    if len(found) < 2:
        return found
    kept = [c for c in found if not any(inside(o, c) and not on_path(o, c) for o in found)]
    return [c for c in kept if not any(inside(c, o) for o in kept)]


def _flipped(asks: Callable[[str, str], bool], value: str, key: str) -> bool:
    return asks(key, value)


def _named_below(
    record: dict[str, Any], by: tuple[str | int, ...], asks: Callable[[str], bool]
) -> tuple[str | int, ...] | None:
    """The path to the shallowest scalar below ``record`` (``_REACH`` steps at most, not on the
    branch of the quoted value at ``by``, nor a field of that value's own key) whose key the
    question ``asks`` for, the first in document order."""
    level: list[tuple[Any, tuple[str | int, ...]]] = [(record, ())]
    for _ in range(_REACH):
        deeper: list[tuple[Any, tuple[str | int, ...]]] = []
        for node, path in level:
            children: Any = node.items() if isinstance(node, dict) else enumerate(node)
            for step, child in children:
                if not path and step == by[0]:
                    continue
                if isinstance(child, (dict, list)):
                    deeper.append((child, (*path, step)))
                elif isinstance(step, str) and step != by[-1] and asks(step):
                    return (*path, step)
        level = deeper
    return None


def pairs(shrinker: Shrinker, budget: float, found: list[Candidate], further: list[Candidate]) -> Any | None:
    """The document as the paths down to the ``found`` records, each shown by its two fields and
    one marker for its others, as many as ``budget`` holds (at least one); once all of them fit,
    their fields like the asked one, then the ``further`` records (``_further``) as many as fit,
    then the shown records' other fields. None for none."""
    if not found:
        return None
    every = [*found, *further]
    shown = _shown_by(shrinker, every)
    for index in range(len(found), len(every)):  # a looser relation shows its fields alike the asked one
        shown[index] += alike(_at(shrinker.data, every[index][0]), every[index][2], shown[index])
    costs = [_pair_cost(shrinker, c, paths) for c, paths in zip(every, shown)]
    chosen = found[: _fitting(shrinker, found, costs, budget, 1)]
    spine, left = _spine(shrinker, [c[0] for c in chosen], budget)
    if len(chosen) == len(found) and further:  # every candidate fits: their fields alike the asked one
        shown[: len(found)] = _filled(
            shrinker, found, shown[: len(found)], costs, left - sum(costs[: len(found)]), False
        )
        for index, candidate in enumerate(found):
            record = _at(shrinker.data, candidate[0])
            costs[index] = _pair_cost(shrinker, candidate, sorted(shown[index], key=lambda p: _position(record, p[0])))
        chosen = every[: _fitting(shrinker, every, costs, budget, len(found))]
        spine, left = _spine(shrinker, [c[0] for c in chosen], budget)
    if len(chosen) == len(every):  # and the further ones: what is left shows their other fields
        shown = _filled(shrinker, chosen, shown, costs, left - sum(costs), True)
    built: dict[tuple[str | int, ...], Any] = {}
    for (prefix, _, _), paths in zip(chosen, shown):
        built[prefix] = _kept(shrinker, _at(shrinker.data, prefix), paths, prefix)
    for prefix in reversed(spine):
        node = _at(shrinker.data, prefix)
        kept = {_position(node, p[-1]): built[p] for p in list(built) if len(p) == len(prefix) + 1 and p[:-1] == prefix}
        if _cheaper_whole(shrinker, node, kept):
            kept.update((i, child) for i, child in enumerate(_children(node)) if i not in kept)
        built[prefix] = _thin(shrinker, node, kept, _path(prefix))
    return built[()]


def _fitting(shrinker: Shrinker, found: list[Candidate], costs: list[float], budget: float, low: int) -> int:
    """The most of ``found`` (at least ``low``) whose spines and shown fields fit ``budget``, by estimate."""
    high = len(found)
    while low < high:
        middle = (low + high + 1) // 2
        _, left = _spine(shrinker, [c[0] for c in found[:middle]], budget)
        if left >= sum(costs[:middle]):
            low = middle
        else:
            high = middle - 1
    return low


def _filled(
    shrinker: Shrinker,
    found: list[Candidate],
    shown: list[list[tuple[str | int, ...]]],
    costs: list[float],
    left: float,
    rest: bool,
) -> list[list[tuple[str | int, ...]]]:
    """``shown`` with the candidates' other scalar fields added while ``left`` holds them: the
    fields the question names first, then in document order, one field of each candidate in
    turn (best-ranked candidate first), so the room a round leaves is shared, not spent on one.

    Once every candidate fits, the pairs form left the rest of the room unspent (test half at
    15%: 31,419 -> 29,479 output tokens in the tenth round); a record's other fields are what
    tells the one meant apart, and what a question built from the words around the fact reads."""
    out = [list(paths) for paths in shown]
    records = [_at(shrinker.data, prefix) for prefix, _, _ in found]
    queues: list[list[tuple[str | int, ...]]] = []
    for (_, by, asked), paths, record in zip(found, out, records):
        steps = [*by[:1], *(p[0] for p in paths)]  # the shared value stays shown once
        others = (
            [k for k, v in record.items() if k not in steps and not isinstance(v, (dict, list))]
            if isinstance(record, dict)
            else []
        )
        others.sort(key=lambda k: not shrinker.named(k))  # stable: document order otherwise
        queues.append([*alike(record, asked, paths), *((k,) for k in others)] if rest else alike(record, asked, paths))
    costs = list(costs)
    while left > 0 and any(queues):
        for index, queue in enumerate(queues):
            if not queue:
                continue
            trial = out[index] + [queue[0]]
            record = records[index]
            cost = _pair_cost(shrinker, found[index], sorted(trial, key=lambda p: _position(record, p[0])))
            if cost - costs[index] > left:
                queue.clear()  # its next field does not fit: the others may
                continue
            left -= cost - costs[index]
            costs[index] = cost
            out[index] = trial
            queue.pop(0)
    return out


def alike(record: Any, asked: tuple[str | int, ...], shown: list[tuple[str | int, ...]]) -> list[tuple[str | int, ...]]:
    """The other scalars below ``record`` at the asked field's depth under its key, in document
    order: a schema whose ``properties`` hold fifteen ``$ref`` shows the first as its pair, and the
    one meant is often another (the record holding it is inside this one, so not shown apart)."""
    if len(asked) < 2:
        return []
    found: list[tuple[str | int, ...]] = []

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        if len(path) == len(asked) - 1:
            if isinstance(node, dict) and not isinstance(node.get(asked[-1], {}), (dict, list)):
                found.append((*path, asked[-1]))
            return
        children: Any = node.items() if isinstance(node, dict) else enumerate(node)
        for step, child in children:
            if isinstance(child, (dict, list)):
                walk(child, (*path, step))

    walk(record, ())
    return [p for p in found if p not in shown]


def _shown_by(shrinker: Shrinker, found: list[Candidate]) -> list[list[tuple[str | int, ...]]]:
    """The paths each candidate record is shown by: the value quoted and the field asked in the
    first, only the field asked in the others whose quoted value is the first's.

    The value every candidate shares does not tell them apart: botocore's paginators all hold
    ``"limit_key": "maxResults"``, the elasticache waiters' acceptors the same ``argument``, and
    written in each it cost a third to a half of every candidate's line, so fewer candidates fit
    (the one meant among them). Shown once, in the first, the others are their asked fields."""
    first: Any = None
    out: list[list[tuple[str | int, ...]]] = []
    for index, (prefix, by, asked) in enumerate(found):
        if not by:  # a record beside a candidate: shown by the asked field alone
            out.append([asked])
            continue
        value = _at(_at(shrinker.data, prefix), by)
        if index == 0:
            first = value
        out.append([asked] if index and value == first else [by, asked])
    return out


def _kept(shrinker: Shrinker, node: Any, paths: list[tuple[str | int, ...]], prefix: tuple[str | int, ...]) -> Any:
    """``node`` with only the values at the end of ``paths`` (relative to it) and, in each
    container on the way, one marker for the other children."""
    below: dict[str | int, list[tuple[str | int, ...]]] = {}
    for path in paths:
        below.setdefault(path[0], []).append(path[1:])
    kept: dict[int, Any] = {}
    for step, rests in below.items():
        child = node[step]
        whole = any(not rest for rest in rests)
        kept[_position(node, step)] = child if whole else _kept(shrinker, child, rests, (*prefix, step))
    if _cheaper_whole(shrinker, node, kept):  # ``"uniqueItems": false`` costs less than its marker
        kept.update((i, child) for i, child in enumerate(_children(node)) if i not in kept)
    return _thin(shrinker, node, kept, _path(prefix))


def _sketch(node: Any, paths: list[tuple[str | int, ...]]) -> tuple[Any, int]:
    """The values at the end of ``paths`` in their containers, without markers, and how many
    containers below ``node`` drop children (each pays a marker)."""
    below: dict[str | int, list[tuple[str | int, ...]]] = {}
    for path in paths:
        below.setdefault(path[0], []).append(path[1:])
    marks = 0
    shown: dict[str | int, Any] = {}
    for step, rests in below.items():
        child = node[step]
        if any(not rest for rest in rests):
            shown[step] = child
        else:
            shown[step], inner = _sketch(child, rests)
            marks += inner + (len(child) > len({rest[0] for rest in rests}))
    return (shown if isinstance(node, dict) else list(shown.values())), marks


def _pair_cost(shrinker: Shrinker, candidate: Candidate, paths: list[tuple[str | int, ...]] | None = None) -> float:
    """What a record shown by the fields at ``paths`` (its two fields when None) and one marker
    (and one in each container between it and a field further down) is planned at."""
    record = _at(shrinker.data, candidate[0])
    paths = [candidate[1], candidate[2]] if paths is None else paths
    sketch, inner = _sketch(record, paths)
    kept = {_position(record, path[0]) for path in paths}
    others = sum(size for i, size in enumerate(shrinker._profile(record).sizes) if i not in kept)
    mark = _one_mark(shrinker, record)
    return shrinker.built_tokens(sketch) + min(others, mark) + mark * inner


def _spine(
    shrinker: Shrinker, records: list[tuple[str | int, ...]], budget: float
) -> tuple[list[tuple[str | int, ...]], float]:
    """The containers above ``records`` (their prefixes, the top first), and what ``budget``
    leaves the records once their markers (one each, no summary: planned at ``_SUMMARY_PLAN``
    less) and the kept children's keys are paid."""
    # in the records' order, not a set's: which marker is measured first sets the tokens per
    # character every marker is planned at, and a set's order changes with the hash seed
    spine = sorted(dict.fromkeys(r[:i] for r in records for i in range(len(r))), key=len)
    nodes = {prefix: _at(shrinker.data, prefix) for prefix in spine + records}
    left = budget - sum(_one_mark(shrinker, nodes[p]) for p in spine)
    left -= sum(_key_cost(shrinker, nodes[r[:-1]], r[-1]) for r in dict.fromkeys(p for p in spine + records if p))
    return spine, left


def _one_mark(shrinker: Shrinker, node: Any) -> float:
    """What the one marker for a container's other children is planned at (no summary, no path)."""
    more = 0.0 if isinstance(node, dict) else _RANGE  # an array's marker may list several ranges
    return shrinker.mark(node) - shrinker.label_cost(node) - _ranged(shrinker, node) + 2.0 + more - _SUMMARY_PLAN


def _ranged(shrinker: Shrinker, node: Any) -> float:
    """What the range in ``node``'s planned marker costs, when a thin marker writes none (an
    object's: ``_thin``)."""
    if not isinstance(node, dict) or not node:
        return 0.0
    return len(f" 1-{len(node)}") * (shrinker._mark_tpc or 0.0) if shrinker.mark(node) else 0.0


def _at(data: Any, prefix: tuple[str | int, ...]) -> Any:
    for step in prefix:
        data = data[step]
    return data


def _path(prefix: tuple[str | int, ...]) -> str:
    """The path of the container at ``prefix``, as its markers name it."""
    path = ""
    for step in prefix:
        path = join(path, step)
    return path


def _position(node: Any, step: str | int) -> int:
    return list(node).index(step) if isinstance(node, dict) else int(step)


def _key_cost(shrinker: Shrinker, node: Any, step: Any) -> float:
    """What the kept child's key costs in an object (nothing in an array)."""
    if not isinstance(node, dict):
        return 0.0
    return shrinker._profile(node).keys[list(node).index(step)]


def _nearest(
    shrinker: Shrinker, parent: Any, index: int, room: float, taken: dict[int, Any], path: str
) -> dict[int, Any]:
    """The record's siblings in ``room``, nearest first (after, then before, in turn), past those
    already ``taken``: each kept whole while it fits, then the first that does not shrunk into
    what is left, when that holds more than its marker; a window, not a scatter."""
    profile = shrinker._profile(parent)
    keys = profile.keys if isinstance(parent, dict) else [0.0] * len(profile.sizes)
    children = _children(parent)
    steps: list[str | int] = list(parent) if isinstance(parent, dict) else list(range(len(children)))
    kept: dict[int, Any] = {}
    for i in _outward(index, len(children)):
        if i in taken:
            continue
        cost = profile.sizes[i] + keys[i] + 0.3
        if cost <= room:
            kept[i] = children[i]
            room -= cost
            continue
        child, grant = children[i], room - keys[i] - 0.3
        if isinstance(child, (dict, list)) and grant >= 2 * shrinker.mark(child):
            kept[i] = shrinker._value(child, grant, join(path, steps[i]), (id(parent), steps[i]), profile.sizes[i])
        break
    return kept


def _outward(index: int, count: int) -> Iterator[int]:
    """The positions around ``index``, nearest first, the one after before the one before."""
    for distance in range(1, count):
        yield from (i for i in (index + distance, index - distance) if 0 <= i < count)


def _children(node: Any) -> list[Any]:
    return list(node.values()) if isinstance(node, dict) else node


def _cheaper_whole(shrinker: Shrinker, node: Any, kept: dict[int, Any]) -> bool:
    """Whether ``node``'s children not ``kept`` cost less whole than the marker standing for them
    (summed until they pass it: an array of thousands is asked this for every room tried)."""
    profile = shrinker._profile(node)
    marker = (
        shrinker.mark(node, False if isinstance(node, dict) else None)
        - shrinker.label_cost(node)
        - _ranged(shrinker, node)
        - _SUMMARY_PLAN
    )
    keys = profile.keys if isinstance(node, dict) else None
    others = 0.0
    for i, size in enumerate(profile.sizes):
        if i not in kept:
            others += size + (keys[i] if keys is not None else 0.0)
            if others > marker:
                return False
    return True


def _thin(shrinker: Shrinker, node: Any, kept: dict[int, Any], path: str) -> Any:
    """``node`` with only the children in ``kept`` (by position, as shown) and one marker for
    all the others, at the first gap, naming every dropped range. Walks the kept positions, not
    every child: a thin path through an array of thousands is built for every room tried."""
    count = len(node)
    positions = sorted(kept)
    runs: list[tuple[int, int]] = []
    after = 0  # the position after the last kept one
    for position in positions:
        if position > after:
            runs.append((after, position))
        after = position + 1
    if after < count:
        runs.append((after, count))
    unit = shrinker._profile(node).unit  # keys, rows (objects) or items, measured once
    shown: list[tuple[Any, Any]] = [(position, kept[position]) for position in positions]
    if runs:
        dropped = sum(end - start for start, end in runs)
        # no first..last key: a thin path is for small rooms (a range is exact); an object's run
        # has no range either: the keys shown name themselves, and no retrieval takes keys by range
        detail = "" if unit == "keys" else ranges(runs)
        marker = shrinker._marker(node, dropped, unit, path, detail, runs, 0.0, named=False)
        before = sum(position < runs[0][0] for position in positions)  # the marker stands at the first gap
        shown.insert(before, (None, marker))
    if isinstance(node, dict):
        keys = list(node)
        return {
            (value if position is None else keys[position]): (None if position is None else value)
            for position, value in shown
        }
    return [value for _, value in shown]
