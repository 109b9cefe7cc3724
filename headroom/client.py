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
from headroom.forms import FormCache
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
        self.config = config if config is not None else Config()
        self._counter = counter
        self._registry = registry
        self._forms = FormCache()  # forms across calls: the history an agent loop re-sends costs lookups

    def derive(self, *, model: str | None = None, store: Store | None = None, config: Config | None = None) -> Headroom:
        """A ``Headroom`` like this one with the given settings replaced.

        What is not replaced is kept: the store, the config, the registry, and
        the token counter unless ``model`` changes (a counter counts for one
        model). The functions use this for per-call overrides on the default.
        """
        return Headroom(
            store=store if store is not None else self.store,
            model=model if model is not None else self.model,
            config=config if config is not None else self.config,
            counter=self._counter if model is None or model == self.model else None,
            registry=self._registry,
        )

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
            messages,
            budget,
            counter=self.counter,
            registry=self.registry,
            config=self.config,
            query=query,
            strict=strict,
            forms_cache=self._forms,
        )
        self._keep(plan)
        assert isinstance(plan.result, CompressResult)
        return plan.result

    def compress_text(
        self, text: str, budget: int | None = None, *, query: str | None = None, strict: bool = False
    ) -> TextResult:
        """Compress one text (a single tool output); ``budget`` counts the text alone."""
        plan = plan_text(
            text,
            budget,
            counter=self.counter,
            registry=self.registry,
            config=self.config,
            query=query,
            strict=strict,
            forms_cache=self._forms,
        )
        self._keep(plan)
        assert isinstance(plan.result, TextResult)
        return plan.result

    def retrieve(self, handle: str, **selector: Any) -> str:
        """The exact original of ``handle``, or one part of it.

        At most one selector: ``lines=(first, last)`` and ``chars=(first, last)``
        (1-based, inclusive), ``query="words"`` (matching lines, numbered), or a
        unit of the piece's own compressor (see its ``selectors``).
        """
        handle = parse_handle(handle)
        original = self.store.get(handle)
        chosen = {key: value for key, value in selector.items() if value is not None}
        if not chosen:
            return original
        if len(chosen) > 1:
            raise InvalidInput(f"pass one selector at a time, got {', '.join(sorted(chosen))}")
        ((key, value),) = chosen.items()
        content_type = self.store.get_meta(handle).get("content_type", "text")
        return self.registry.build(content_type, self.config.compressors).select(original, key, value)

    def _keep(self, plan: Plan) -> None:
        for handle, (original, content_type) in plan.originals.items():
            self.store.put(handle, original, meta={"content_type": content_type})
