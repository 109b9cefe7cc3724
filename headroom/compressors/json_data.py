"""JSON and NDJSON: lossless first, then rows chosen by value, never silently.

Without budget pressure only lossless forms are used (``_json_forms``):
lexical minification, or the row table for arrays of uniform objects,
whichever costs fewer real tokens. Under a budget the largest array (or the
widest object) of the document loses rows: kept are the first and last rows,
rows whose values signal failure, rows the query matches (BM25 over values),
rows with rare categorical values or outlying numbers, then evenly spaced
rows for coverage, all in their original order. Each run of dropped rows is
replaced in place by a marker that says how many rows, which ones, and what
their low-cardinality fields and numeric ranges held. Long strings inside kept
rows are shortened with a marker. The result is the row table when the rows
are uniform objects, and JSON that parses otherwise.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors import _json_forms as forms
from headroom.compressors._rows import priority, row_text, summary
from headroom.compressors.base import Compressed, Compressor, PieceContext
from headroom.compressors.generic import GenericCompressor
from headroom.errors import InvalidInput
from headroom.relevance import BM25

__all__ = ["JsonCompressor"]

_MARKER_COST = 40  # a marker with its summary, rounded up


class JsonOptions(BaseModel):
    """``long_string``: under a budget, strings longer than this many characters are shortened."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    long_string: int = Field(default=300, ge=40)


class JsonCompressor(Compressor):
    content_type = "json"
    name = "json"
    Options = JsonOptions
    selectors: ClassVar[frozenset[str]] = frozenset({"lines", "chars", "query", "rows"})

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        parsed = _parse(text)
        if parsed is None:  # routed here but not JSON after all
            return GenericCompressor().compress(text, target, ctx)
        lossless, selection = self._prepare(text, parsed, ctx)
        if target is None or (lossless is not None and ctx.counter.count(lossless.text) <= target):
            return lossless
        return selection.fit(target)

    def _prepare(self, text: str, parsed: tuple[Any, bool], ctx: PieceContext) -> tuple[Compressed | None, _Selection]:
        """The lossless form and the row selection of a piece, built once: the allocator asks
        for the same piece at many targets in a row, and the core keeps one compressor per piece."""
        key = (text, ctx.query, id(ctx.counter))
        cached: tuple[Any, Compressed | None, _Selection] | None = getattr(self, "_cache", None)
        if cached is None or cached[0] != key:
            data, ndjson = parsed
            selection = _Selection(data, ndjson, ctx, self.options.long_string)
            cached = (key, _lossless(text, data, ndjson, ctx), selection)
            self._cache = cached
        return cached[1], cached[2]

    def describe(self, text: str) -> tuple[int, str]:
        parsed = _parse(text)
        found = _container(parsed[0]) if parsed else None
        if found is None:
            return super().describe(text)
        _, items, unit = found
        return len(items), unit

    def select(self, original: str, selector: str, value: Any) -> str:
        parsed = _parse(original)
        found = _container(parsed[0]) if parsed else None
        if selector not in ("rows", "query") or found is None:
            return super().select(original, selector, value)
        _, items, _ = found
        numbered = list(enumerate(items, 1))
        if selector == "rows":
            if not (isinstance(value, tuple) and len(value) == 2 and 1 <= value[0] <= value[1]):
                raise InvalidInput(f"rows= takes (first, last), 1-based and inclusive; got {value!r}")
            numbered = numbered[value[0] - 1 : value[1]]
        else:
            scores = BM25([row_text(item) for item in items]).scores(str(value))
            numbered = [(i, item) for (i, item), score in zip(numbered, scores) if score > 0]
        return "".join(f"{i}: {json.dumps(item, ensure_ascii=False)}\n" for i, item in numbered)


def _parse(text: str) -> tuple[Any, bool] | None:
    """``(data, is_ndjson)``, or None when ``text`` is neither JSON nor JSON lines."""
    stripped = text.strip()
    if not stripped or stripped[0] not in "[{":
        return None
    try:
        return json.loads(stripped), False
    except ValueError:
        pass
    try:
        rows = [json.loads(line) for line in stripped.split("\n") if line.strip()]
    except ValueError:
        return None
    return (rows, True) if len(rows) >= 2 else None


def _lossless(text: str, data: Any, ndjson: bool, ctx: PieceContext) -> Compressed | None:
    """The cheapest lossless form, or None when the text itself is cheapest."""
    if ndjson:
        candidates = [("text", "\n".join(forms.minify(line) for line in text.strip().split("\n") if line.strip()))]
    else:
        candidates = [("json", forms.minify(text.strip()))]
    found = forms.main_array(data)
    if found is not None:
        columns = forms.uniform_columns(found[1])
        if columns is not None:
            lines = [forms.row_line(row, columns) for row in found[1]]
            candidates.append(("text", forms.encode_table(data, found[0], columns, lines)))
    best_kind, best = min(candidates, key=lambda c: ctx.counter.count(c[1]))
    if ctx.counter.count(best) >= ctx.counter.count(text):
        return None
    return Compressed(best, lossless=True, output_kind=best_kind)


def _container(data: Any) -> tuple[list[str | int], list[Any], str] | None:
    """The array or object to drop from: its path, its items, and their unit."""
    found = forms.main_array(data)
    widest: tuple[list[str | int], dict[str, Any]] | None = None
    stack: list[tuple[list[str | int], Any]] = [([], data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            if len(node) >= 2 and (widest is None or len(node) > len(widest[1])):
                widest = (path, node)
            stack.extend((path + [k], v) for k, v in node.items() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((path + [i], v) for i, v in enumerate(node) if isinstance(v, (dict, list)))
    if found is not None and (widest is None or len(found[1]) >= len(widest[1])):
        return found[0], found[1], "rows"
    if widest is not None:
        return widest[0], [{k: v} for k, v in widest[1].items()], "keys"
    return None


class _Selection:
    """Budgeted shrinking of one document, tried at decreasing sizes until it fits a target.

    Sizes are estimated from characters (about 3.2 per token for JSON) to share a
    budget among the parts of the document; the final text is counted exactly.
    Every key of a kept object stays; an object too wide for its share loses
    entries like an array loses items, each run of them named by a marker.
    """

    _CHARS_PER_TOKEN = 3.2

    def __init__(self, data: Any, ndjson: bool, ctx: PieceContext, long_string: int) -> None:
        self.data, self.ndjson, self.ctx, self.long_string = data, ndjson, ctx, long_string
        self._sizes: dict[int, int] = {}
        self._orders: dict[int, list[int]] = {}
        self._entries: dict[int, list[dict[str, Any]]] = {}
        self._size(data)
        self.omitted: Counter[str] = Counter()

    def fit(self, target: int) -> Compressed | None:
        budget = target * 0.9
        for _ in range(8):
            self.omitted = Counter()
            shrunk = self._shrink(self.data, budget, "")
            if self.ndjson and isinstance(shrunk, list):
                text = "\n".join(json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in shrunk)
            else:
                text = json.dumps(shrunk, ensure_ascii=False, separators=(",", ":"))
            if self.omitted and self.ctx.counter.count(text) <= target:
                return Compressed(text, omitted=dict(self.omitted), output_kind="text" if self.ndjson else "json")
            budget *= 0.75
        return None

    def _size(self, value: Any) -> int:
        """Characters of ``value`` as minified JSON, remembered per container."""
        if isinstance(value, dict):
            size = 2 + sum(len(json.dumps(k, ensure_ascii=False)) + 2 + self._size(v) for k, v in value.items())
        elif isinstance(value, list):
            size = 2 + sum(self._size(v) + 1 for v in value)
        else:
            return len(json.dumps(value, ensure_ascii=False))
        self._sizes[id(value)] = size
        return size

    def _tokens(self, value: Any) -> float:
        chars = self._sizes.get(id(value)) if isinstance(value, (dict, list)) else None
        return (chars if chars is not None else self._size(value)) / self._CHARS_PER_TOKEN

    def _shrink(self, value: Any, budget: float, path: str) -> Any:
        if isinstance(value, str):
            return self._shorten(value, budget)
        if not isinstance(value, (dict, list)) or (self._tokens(value) <= budget and not self._has_long(value)):
            return value
        if isinstance(value, dict):
            keys = sum(len(k) + 4 for k in value) / self._CHARS_PER_TOKEN
            if keys <= budget * 0.6 or len(value) < 2:
                return self._share(value, budget - keys, path)
            entries = self._entries.get(id(value))
            if entries is None:  # kept, so its id (the key of its ranking) stays the same
                entries = self._entries[id(value)] = [{k: v} for k, v in value.items()]
            out: dict[str, Any] = {}
            for item in self._select(entries, budget, path, "keys"):
                if isinstance(item, dict):
                    out.update(item)
                else:
                    out[item] = None
            return out
        return self._select(value, budget, path, "rows" if all(isinstance(v, dict) for v in value) else "items")

    def _share(self, value: dict[str, Any], budget: float, path: str) -> dict[str, Any]:
        """Every key kept; the budget shared among the values, smallest first."""
        ordered = sorted(value, key=lambda k: self._tokens(value[k]))
        grants: dict[str, float] = {}
        left = max(budget, 0.0)
        for position, key in enumerate(ordered):
            grants[key] = min(self._tokens(value[key]), left / (len(ordered) - position))
            left -= grants[key]
        return {k: self._shrink(v, grants[k], f"{path}.{k}".lstrip(".")) for k, v in value.items()}

    def _select(self, items: list[Any], budget: float, path: str, unit: str) -> list[Any]:
        """The items worth keeping within ``budget``, in order, with a marker per omitted run."""
        order = self._orders.get(id(items))
        if order is None:
            order = self._orders[id(items)] = priority(items, self.ctx.query)
        keep: dict[int, float] = {}  # index -> the tokens it may use
        used = 0.0
        marker = _MARKER_COST / 2
        for rank, index in enumerate(order):
            cost = self._tokens(items[index]) + 0.5
            lonely = index - 1 not in keep and index + 1 not in keep
            extra = marker if lonely else 0
            if used + cost + extra <= budget:
                keep[index] = cost
                used += cost + extra
            elif rank < 3 and (budget - used - extra) / 2 > marker:
                # one of the items the question names most: kept, shrunk to half the room left
                keep[index] = (budget - used - extra) / 2
                used += keep[index] + extra
        out: list[Any] = []
        index = 0
        label = re.sub(r"[\]\n\r]", "", path) or "top"
        while index < len(items):
            if index in keep:
                out.append(self._shrink(items[index], keep[index], f"{path}[{index + 1}]"))
                index += 1
                continue
            start = index
            while index < len(items) and index not in keep:
                index += 1
            if index - start == 1 and not keep and self._tokens(items[start]) > budget:
                # a lone item too big for the share: keep it, shrunk to the share
                out.append(self._shrink(items[start], max(budget - marker, 1.0), f"{path}[{start + 1}]"))
                continue
            self.omitted[unit] += index - start
            detail = f"{label} {start + 1}-{index}" + summary(items[start:index])
            out.append(self.ctx.marker(index - start, unit, detail))
        return out

    def _shorten(self, text: str, budget: float) -> str:
        limit = max(40, min(self.long_string, int(budget * self._CHARS_PER_TOKEN)))
        if len(text) <= limit:
            return text
        keep = limit // 2
        self.omitted["chars"] += len(text) - keep
        return text[:keep] + " " + self.ctx.marker(len(text) - keep, "chars")

    def _has_long(self, value: Any) -> bool:
        return self._sizes.get(id(value), 0) > self.long_string and _any_long(value, self.long_string)


def _any_long(value: Any, limit: int) -> bool:
    if isinstance(value, str):
        return len(value) > limit
    if isinstance(value, dict):
        return any(_any_long(v, limit) for v in value.values())
    if isinstance(value, list):
        return any(_any_long(v, limit) for v in value)
    return False
