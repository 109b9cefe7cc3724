"""Where values sit in a JSON document: the leaves that match the question best and the
branches leading to them (``hot_paths``), and each string value's literal in the original text
(``locate``, ``raw_cut``). Moved out of the shrinker (``_select``) unchanged: what it reads,
not how it chooses."""

from __future__ import annotations

import re
from typing import Any

from headroom.compressors.json._forms import string_spans
from headroom.relevance import sparse_scores, terms, word_forms

__all__ = ["HOT", "LEAVES", "RECORD", "Where", "hot_paths", "locate", "raw_cut"]

RECORD = 32  # an object with at most this many keys is a record: its names are always worth listing
HOT = 3  # leaves that best match the question whose branches lead
LEAVES = 200_000  # leaves ranked at most (a larger document ranks level by level only)

Where = tuple[int, "str | int"]


def hot_paths(data: Any, query: str | None) -> tuple[dict[Where, float], set[int], list[list[str | int]]]:
    """``(id of container, key)`` -> the best leaf score under that edge, for the best leaves;
    the ``id`` of the records (objects of a few keys) that hold those leaves; and the keys and
    indexes from the top down to each of the best leaves, the best first (of those tied at the
    top, the first in the document)."""
    if not query or not isinstance(data, (dict, list)):
        return {}, set(), []
    leaves: list[str] = []
    trails: list[list[Where]] = []
    owners: list[Any] = []  # the container of each leaf
    stack: list[tuple[Any, list[Where]]] = [(data, [])]
    while stack and len(leaves) < LEAVES:
        node, trail = stack.pop()
        children: Any = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in children:
            step = [*trail, (id(node), key)]
            if isinstance(child, (dict, list)):
                stack.append((child, step))
            else:
                leaves.append(f"{key if isinstance(key, str) else ''} {'' if child is None else child}")
                trails.append(step)
                owners.append(node)
    scores = sparse_scores(leaves, query)
    pointed = _pointed(data, query, trails)
    if pointed is not None:  # the entry the question points at leads, above any word match
        scores[pointed] = max(scores.values(), default=0.0) + 1.0
    if not scores:
        return {}, set(), []
    top = max(scores.values())
    best = sorted((i for i, v in scores.items() if v >= top / 2), key=lambda i: (-scores[i], i))[:HOT]
    hot: dict[Where, float] = {}
    for index in best:
        for edge in trails[index]:
            hot[edge] = max(hot.get(edge, 0.0), scores[index])
    # a record holding a best leaf is spelled as the input wrote it; a wide map (versions to
    # dates) is not: a whole map in the input's separators costs a tenth more than it gains
    records = {id(owners[i]) for i in best if isinstance(owners[i], dict) and len(owners[i]) <= RECORD}
    # of the leaves tied at the top, the first in the document, as each container's ranking
    # (``_rank._hot_children``) orders tied branches by position
    tied = [i for i in best if scores[i] == top]
    first = min(tied, key=lambda i: _position(data, trails[i]))
    order = [first, *(i for i in best if i != first)]
    return hot, records, [[key for _, key in trails[i]] for i in order]


_POINTER = re.compile(r"(?<![\w/.#-])#?((?:/[^\s/?,;'\"`]+)+)")


def _pointed(data: Any, query: str, trails: list[list[Where]]) -> int | None:
    """The leaf a question points at by a JSON pointer into the document ("which type does
    ``#/definitions/positiveInteger`` have?", cfn-lint's ``/properties/Name``): the field whose
    key the question names (outside the pointer) in the record the pointer resolves to; None
    when no pointer resolves to a record holding such a field.

    A schema names its entries by such pointers (``$ref``, ``createOnlyProperties``), and the
    words of a pointer match every ``$ref`` that quotes it better than the entry it names."""
    for found in _POINTER.finditer(query):
        steps = [step.replace("~1", "/").replace("~0", "~") for step in found.group(1).split("/")[1:]]
        node = data
        for step in steps:
            if isinstance(node, dict) and step in node:
                node = node[step]
            elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
                node = node[int(step)]
            else:
                break
        else:
            if not isinstance(node, dict) or len(node) > RECORD:
                continue
            rest = word_forms(set(terms(query.replace(found.group(0), " "))))
            asked = [
                k for k, v in node.items() if not isinstance(v, (dict, list)) and terms(k) and set(terms(k)) <= rest
            ]
            if asked:
                return next((i for i, trail in enumerate(trails) if trail[-1] == (id(node), asked[0])), None)
    return None


def _position(data: Any, trail: list[Where]) -> list[int]:
    """Where the leaf at the end of ``trail`` stands in document order: each step's position."""
    out: list[int] = []
    node = data
    for _, key in trail:
        out.append(list(node).index(key) if isinstance(node, dict) else int(key))
        node = node[key]
    return out


def raw_cut(raw: str, keep: int) -> int:
    """The index in a string literal's raw text after its first ``keep`` characters."""
    index = count = 0
    while index < len(raw) and count < keep:
        if raw[index] != "\\":
            index += 1
        elif raw[index + 1] != "u":
            index += 2
        else:
            code = int(raw[index + 2 : index + 6], 16)
            index += 6
            if 0xD800 <= code < 0xDC00 and raw[index : index + 2] == "\\u":
                index += 6  # a surrogate pair is one character
        count += 1
    return index


def locate(data: Any, text: str) -> dict[Where, tuple[int, int]]:
    """The literal of every string value, keyed by (id of its container, key or index).

    Literals come in document order, keys and values alike; walking the parsed
    data in the same order pairs them. Duplicate keys break the pairing, and
    then nothing is located.
    """
    spans = iter(string_spans(text))
    found: dict[Where, tuple[int, int]] = {}

    def walk(node: Any) -> None:
        children: Any = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in children:
            if isinstance(node, dict):
                next(spans)
            if isinstance(child, str):
                found[(id(node), key)] = next(spans)
            elif isinstance(child, (dict, list)):
                walk(child)

    try:
        walk(data)
    except StopIteration:
        return {}
    return found if next(spans, None) is None else {}
