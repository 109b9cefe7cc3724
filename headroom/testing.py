"""Helpers for testing code that uses headroom: budget assertions and a fake counter.

``assert_within_budget`` fails a test whose messages, after compression, would
not fit; it counts with the model's real encoding (the default ``Headroom``),
because a budget test is only worth what its count is. Its failure is short:
the totals, the reason, and the few biggest messages after compression, so the
test report points at what to shrink rather than printing the whole list.

``FakeCounter`` is a test double for headroom's own mechanics, not an estimate
of real tokens: it counts whitespace-separated words plus line breaks, which is
deterministic, instant and monotone, but under-counts real tool output (paths,
JSON, identifiers) about 3-4x against cl100k. Do not use it to test a prompt
budget; a test can pass with it and the real request still overflow.

The pytest plugin (``headroom.pytest_plugin``, loaded automatically when
headroom is installed) wraps these in fixtures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from headroom.client import Headroom
from headroom.manifest import CompressResult
from headroom.messages import MESSAGE_OVERHEAD, field_tokens, iter_fields
from headroom.shapes import to_core
from headroom.tokens import TokenCounter

__all__ = ["FakeCounter", "assert_within_budget", "biggest_messages"]


class FakeCounter(TokenCounter):
    """Words plus line breaks: a stand-in for headroom's own tests, NOT for prompt budgets (see above)."""

    name = "fake"
    exact = True
    note = None

    def count(self, text: str) -> int:
        return len(text.split()) + text.count("\n")


def biggest_messages(messages: Sequence[Any], counter: TokenCounter, n: int = 3) -> list[tuple[int, str, int]]:
    """The ``n`` largest messages as ``(index, role, tokens)``, largest first."""
    shaped = to_core(messages)
    sizes = [MESSAGE_OVERHEAD] * len(shaped.core)
    for field in iter_fields(shaped.core):
        sizes[field.message_index] += field_tokens(field, counter)
    rows = []
    for core_index, index in enumerate(shaped.origin):
        if index is not None:
            role = str(shaped.core[core_index].get("role", "?"))
            rows.append((index, role, sizes[core_index]))
    return sorted(rows, key=lambda row: (-row[2], row[0]))[:n]


def assert_within_budget(
    messages: Sequence[Any],
    budget: int,
    *,
    headroom: Headroom | None = None,
    **options: Any,
) -> CompressResult:
    """Compress ``messages`` and fail, briefly, unless they fit ``budget``; returns the result.

    ``options`` go to ``Headroom.compress`` when they are its own (``query``,
    ``system``, ``tools``) and to ``Headroom(...)`` otherwise (``model``, ``config``).
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this one
    call = {key: options.pop(key) for key in ("query", "system", "tools") if key in options}
    hr = headroom or Headroom(**options)
    result = hr.compress(messages, budget, **call)
    if result.within_budget and result.tokens_after <= budget:
        return result
    biggest = ", ".join(
        f"[{index}] {role} {tokens:,}" for index, role, tokens in biggest_messages(result.messages, hr.counter)
    )
    raise AssertionError(
        f"prompt over budget: {result.tokens_after:,} tokens after compression "
        f"({result.tokens_before:,} before), budget {budget:,}, counted with {result.encoding}. "
        f"{result.manifest.reason}. Biggest after compression: {biggest}."
    )
