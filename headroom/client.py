"""``Headroom``: a configured compressor for repeated calls, and the edge that writes to a store.

The pure core plans; this object stores every original the plan mentions
before it returns the result, so no handle ever reaches the caller unredeemable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from headroom.config import Config
from headroom.core import Plan, plan_messages, plan_text
from headroom.errors import InvalidInput
from headroom.handles import parse_handle
from headroom.manifest import CompressResult, TextResult
from headroom.registry import Registry, default_registry
from headroom.stores.base import Store
from headroom.tokens import TokenCounter

__all__ = ["DEFAULT_MODEL", "Headroom"]

DEFAULT_MODEL = "gpt-4o"


class Headroom:
    """Settings shared by many ``compress`` calls.

    ``store`` keeps originals (a new in-process ``MemoryStore`` if omitted);
    ``model`` picks the tokenizer; ``counter`` overrides it (tests pass a
    ``FakeCounter``); ``registry`` swaps the compressors.
    """

    def __init__(
        self,
        *,
        store: Store | None = None,
        model: str = DEFAULT_MODEL,
        config: Config | None = None,
        counter: TokenCounter | None = None,
        registry: Registry | None = None,
    ) -> None:
        if store is None:
            from headroom.stores.memory import MemoryStore

            store = MemoryStore()
        self.store = store
        self.model = model
        self.config = config or Config()
        self._counter = counter
        self._registry = registry

    @property
    def counter(self) -> TokenCounter:
        if self._counter is None:
            self._counter = TokenCounter.for_model(
                self.model, allow_network=self.config.allow_network, timeout=self.config.network_timeout
            )
        return self._counter

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = default_registry()
        return self._registry

    def compress(
        self,
        messages: Sequence[Mapping[str, Any]],
        budget: int | None = None,
        *,
        query: str | None = None,
        strict: bool = False,
    ) -> CompressResult:
        """Compress a message list; see ``headroom.compress``."""
        plan = plan_messages(
            messages, budget, counter=self.counter, registry=self.registry,
            config=self.config, query=query, strict=strict,
        )
        self._keep(plan)
        assert isinstance(plan.result, CompressResult)
        return plan.result

    def compress_text(
        self, text: str, budget: int | None = None, *, query: str | None = None, strict: bool = False
    ) -> TextResult:
        """Compress one text (a single tool output); ``budget`` counts the text alone."""
        plan = plan_text(
            text, budget, counter=self.counter, registry=self.registry,
            config=self.config, query=query, strict=strict,
        )
        self._keep(plan)
        assert isinstance(plan.result, TextResult)
        return plan.result

    def retrieve(
        self,
        handle: str,
        *,
        lines: tuple[int, int] | None = None,
        chars: tuple[int, int] | None = None,
    ) -> str:
        """The exact original of ``handle``, or the 1-based inclusive ``lines`` / ``chars`` range of it."""
        original = self.store.get(parse_handle(handle))
        if lines is not None and chars is not None:
            raise InvalidInput("pass lines= or chars=, not both")
        if lines is not None:
            start, end = _range(lines, "lines")
            return "".join(original.splitlines(keepends=True)[start - 1 : end])
        if chars is not None:
            start, end = _range(chars, "chars")
            return original[start - 1 : end]
        return original

    def _keep(self, plan: Plan) -> None:
        for handle, original in plan.originals.items():
            self.store.put(handle, original)


def _range(value: object, name: str) -> tuple[int, int]:
    if (
        not isinstance(value, tuple)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or not 1 <= value[0] <= value[1]
    ):
        raise InvalidInput(f"{name}= takes (first, last), 1-based and inclusive, e.g. (41, 160); got {value!r}")
    return value[0], value[1]
