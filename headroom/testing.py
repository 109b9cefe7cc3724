"""Helpers for testing code that uses headroom: a fake counter and budget assertions.

``FakeCounter`` counts whitespace-separated words plus one per line break:
deterministic, instant, and monotone in the text, so tests of prompt budgets do
not depend on a vocabulary. ``assert_within_budget`` fails a test whose
messages, after compression, would not fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from headroom.client import Headroom
from headroom.manifest import CompressResult
from headroom.tokens import TokenCounter

__all__ = ["FakeCounter", "assert_within_budget"]


class FakeCounter(TokenCounter):
    name = "fake"
    exact = True
    note = None

    def count(self, text: str) -> int:
        return len(text.split()) + text.count("\n")


def assert_within_budget(
    messages: Sequence[Mapping[str, Any]],
    budget: int,
    *,
    headroom: Headroom | None = None,
    **options: Any,
) -> CompressResult:
    """Compress ``messages`` and fail with the manifest's reason unless they fit ``budget``."""
    result = (headroom or Headroom(**options)).compress(messages, budget)
    if not result.within_budget or result.tokens_after > budget:
        raise AssertionError(
            f"messages need {result.tokens_after} tokens after compression, budget is {budget}: "
            f"{result.manifest.reason}"
        )
    return result
