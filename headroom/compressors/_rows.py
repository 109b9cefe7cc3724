"""Choosing which rows of a table to keep: shared by the JSON and table compressors.

A row is any JSON value (objects for records, one-entry objects for the
entries of a wide object). Its *values* decide (never its key names): failure
words, non-2xx statuses, false success flags, a value the query names, BM25
relevance to the query, rare categorical values and numeric outliers.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from typing import Any

from headroom.relevance import BM25

__all__ = ["priority", "row_text", "summary"]

_FAILURE = re.compile(
    r"\b(error|errors|errored|fail|failed|failing|failure|fatal|exception|panic|timeout|timed out|"
    r"denied|refused|forbidden|unauthorized|critical|crash(ed)?|abort(ed)?|invalid)\b",
    re.I,
)
_STATUS_KEY = re.compile(r"(^|_|\b)(status|code|status_code|http_status)$", re.I)
_SUCCESS_KEY = re.compile(r"(^|_)(ok|success|succeeded|passed|healthy|valid)$", re.I)


def row_text(item: Any) -> str:
    """The values of an item as text (never its key names, except for object entries)."""
    if isinstance(item, dict):
        return " ".join(row_text(v) for v in item.values())
    if isinstance(item, list):
        return " ".join(row_text(v) for v in item)
    return "" if item is None else str(item)


def _leaves(item: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(item, dict):
        return [leaf for k, v in item.items() for leaf in _leaves(v, f"{prefix}{k}.")]
    return [(prefix.rstrip("."), item)]


def _failed(item: Any) -> bool:
    for key, value in _leaves(item):
        name = key.rsplit(".", 1)[-1]
        if isinstance(value, str) and _FAILURE.search(value):
            return True
        if isinstance(value, bool):
            if value is False and _SUCCESS_KEY.search(name):
                return True
        elif isinstance(value, int) and _STATUS_KEY.search(name) and 100 <= value <= 599 and not 200 <= value < 300:
            return True
    return False


def priority(items: list[Any], query: str | None) -> list[int]:
    """Item indexes, most worth keeping first."""
    n = len(items)
    first: list[int] = [0, n - 1]
    failures = [i for i, item in enumerate(items) if _failed(item)]
    scores = BM25([row_text(item) for item in items]).scores(query) if query else [0.0] * n
    relevant = sorted((i for i in range(n) if scores[i] > 0), key=lambda i: (-scores[i], i))
    unusual = _unusual(items)
    ordered: dict[int, None] = {}
    # what the query names and matches best first: that is what the question needs; then
    # the first failures, the edges, the other failures and matches, unusual values, and
    # the rest in order (contiguous, so markers stay few)
    named = _named(items, query) if query else []
    for group in (named, relevant[:3], failures[:5], first, failures, relevant, unusual, range(n)):
        for index in group:
            ordered.setdefault(index, None)
    return list(ordered)


def _named(items: list[Any], query: str) -> list[int]:
    """Items one of whose values the query names outright (``hypothesis`` for a package row)."""
    words = {w.lower() for w in re.findall(r"[\w.@/+-]+", query)}
    def names(item: Any) -> bool:
        if isinstance(item, dict) and len(item) == 1 and next(iter(item)).lower() in words:
            return True  # an entry of a wide object, named by its key (a version, an id)
        return any(isinstance(v, str) and v.lower() in words for _, v in _leaves(item))

    return [i for i, item in enumerate(items) if names(item)]


def _unusual(items: list[Any]) -> list[int]:
    """Items holding a rare value of a categorical field, or an outlying number."""
    columns: dict[str, list[Any]] = {}
    for item in items:
        for key, value in _leaves(item):
            columns.setdefault(key, []).append(value)
    picked: list[int] = []
    for values in columns.values():
        if len(values) != len(items):
            continue
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if len(numbers) == len(values) and len(numbers) >= 8:
            mean = sum(numbers) / len(numbers)
            spread = math.sqrt(sum((x - mean) ** 2 for x in numbers) / len(numbers))
            if spread:
                picked += [i for i, x in enumerate(numbers) if abs(x - mean) > 3 * spread]
            continue
        hashable = [json.dumps(v, sort_keys=True) for v in values]
        counts = Counter(hashable)
        if 1 < len(counts) <= max(2, len(values) // 10):
            picked += [i for i, v in enumerate(hashable) if counts[v] <= 2]
    return sorted(set(picked))


def summary(items: list[Any]) -> str:
    """What a run of dropped items held: up to two categorical fields and one numeric range."""
    columns: dict[str, list[Any]] = {}
    for item in items:
        for key, value in _leaves(item):
            if key:
                columns.setdefault(key, []).append(value)
    parts: list[str] = []
    for key, values in columns.items():
        if len(parts) >= 3:
            break
        numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if numbers and len(numbers) == len(values) and len(set(numbers)) > 3:
            parts.append(f"{key} {min(numbers):g}..{max(numbers):g}")
            continue
        counts = Counter(str(v) if v != "" else "''" for v in values)
        if len(counts) <= 4 and len(values) >= 3 and all(len(v) <= 20 for v in counts):
            parts.append(f"{key} " + ",".join(f"{v}x{c}" for v, c in counts.most_common(3)))
    text = (" " + "; ".join(parts)) if parts else ""
    return re.sub(r"[\]\n\r\"\\]", "", text)[:120]
