"""``Headroom``: a configured compressor for repeated calls, and the edge that writes to a store.

The pure core plans; this object stores every original the plan mentions
before it returns the result, so no handle ever reaches the caller unredeemable.
While it stores them it pins them (``store.pinned``), so the call's own later
originals cannot evict its earlier ones. An original the store cannot hold
(``StoreFull``) makes its piece stay as it was: the plan is made again with
that piece left alone, and a ``store`` degradation says so (``strict=True``
raises instead). Any other store fault raises its ``StoreError``: a result is
returned whole or not at all.

Arguments are checked here, at the edge, so a wrong type raises an
``InvalidInput`` naming the argument instead of a ``TypeError`` deep inside.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from typing import Any

from headroom.config import Config
from headroom.core import Plan, plan_messages, plan_text
from headroom.errors import InvalidInput, StoreFull
from headroom.forms import FormCache
from headroom.handles import parse_handle
from headroom.manifest import CompressResult, Degradation, TextResult
from headroom.markers import parse_ranges
from headroom.registry import Registry, default_registry
from headroom.stores.base import Store
from headroom.tokens import TokenCounter

__all__ = ["DEFAULT_MODEL", "Headroom"]

DEFAULT_MODEL = "gpt-4o"


class Headroom:
    """Settings shared by many ``compress`` calls.

    ``store`` keeps originals (a new in-process ``MemoryStore`` if omitted);
    ``model`` picks the tokenizer (else ``config.model``, else gpt-4o); ``counter`` overrides it (tests pass a
    ``FakeCounter``); ``registry`` swaps the compressors.
    """

    def __init__(
        self,
        *,
        store: Store | None = None,
        model: str | None = None,
        config: Config | None = None,
        counter: TokenCounter | None = None,
        registry: Registry | None = None,
    ) -> None:
        check_arguments(model=DEFAULT_MODEL if model is None else model, store=store, config=config)
        if counter is not None and not isinstance(counter, TokenCounter):
            raise InvalidInput(f"counter must be a headroom.TokenCounter, got {type(counter).__name__}")
        if registry is not None and not isinstance(registry, Registry):
            raise InvalidInput(f"registry must be a headroom.Registry, got {type(registry).__name__}")
        if store is None:
            from headroom.stores.memory import MemoryStore

            store = MemoryStore()
        self.store = store
        self.config = config if config is not None else Config()
        self.model = model or self.config.model or DEFAULT_MODEL
        self._counter = counter
        self._registry = registry
        self._forms = FormCache()  # forms across calls: the history an agent loop re-sends costs lookups

    def derive(self, *, model: str | None = None, store: Store | None = None, config: Config | None = None) -> Headroom:
        """A ``Headroom`` like this one with the given settings replaced.

        What is not replaced is kept: the store, the config, the registry, and
        the token counter unless ``model`` changes (a counter counts for one
        model). The functions use this for per-call overrides on the default.
        """
        if model is None and isinstance(config, Config) and config.model:
            model = config.model  # a replacing config's model counts, as it does when building one
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
            if self._counter.note:
                from headroom.log import warn_once

                warn_once(f"{self._counter.note} (recorded in result.degradations; see docs/tokens.md)")
        return self._counter

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = default_registry()
        return self._registry

    def compress(
        self,
        messages: Sequence[Any],
        budget: int | None = None,
        *,
        query: str | None = None,
        strict: bool = False,
        system: Any = None,
        tools: Sequence[Any] | None = None,
    ) -> CompressResult:
        """Compress a message list; see ``headroom.compress``."""
        from headroom.billed import fit_extra
        from headroom.shapes import to_core

        _check_call(query, strict)
        if budget is None:
            budget = self.config.budget
        shaped = to_core(messages)
        extra = fit_extra(budget, system, tools, self.counter, strict=strict)

        result = self._keep(
            partial(plan_messages, shaped.core, extra.budget, **self._plan_options(query, strict)), strict
        )
        assert isinstance(result, CompressResult)
        return extra.account(shaped, result)

    def compress_text(
        self, text: str, budget: int | None = None, *, query: str | None = None, strict: bool = False
    ) -> TextResult:
        """Compress one text (a single tool output); ``budget`` counts the text alone."""
        _check_call(query, strict)
        if budget is None:
            budget = self.config.budget

        result = self._keep(partial(plan_text, text, budget, **self._plan_options(query, strict)), strict)
        assert isinstance(result, TextResult)
        return result

    def _plan_options(self, query: str | None, strict: bool) -> dict[str, Any]:
        """What every plan of this instance takes besides its input and budget (``_keep`` adds leave, notes)."""
        return {
            "counter": self.counter,
            "registry": self.registry,
            "config": self.config,
            "query": query,
            "strict": strict,
            "forms_cache": self._forms,
        }

    def retrieve(self, handle: str, **selector: Any) -> str:
        """The exact original of ``handle``, or one part of it.

        At most one selector: ``lines=(first, last)`` and ``chars=(first, last)``
        (1-based, inclusive; several ranges, ``lines=((3, 9), (14, 20))``, give each
        part joined in order; a mark's range text as written, ``lines="3-9,14-20"``, is
        the same), ``query="words"`` (matching lines, numbered), or a
        unit of the piece's own compressor (see its ``selectors``).
        """
        handle = parse_handle(handle)
        chosen = {key: _read_ranges(key, value) for key, value in selector.items() if value is not None}
        if len(chosen) > 1:
            raise InvalidInput(f"pass one selector at a time, got {', '.join(sorted(chosen))}")
        for key, value in chosen.items():
            _check_selector(key, value)
        original = self.store.get(handle)
        if not chosen:
            return original
        ((key, value),) = chosen.items()
        meta = self.store.get_meta(handle)
        compressor = self.registry.build(meta.get("content_type", "text"), self.config.compressors)
        several = _ranges(value) if key in _SPANS else None
        if several is not None:  # a summary mark's ranges: each part, joined in order
            return "".join(compressor.select_stored(original, meta, key, span) for span in several)
        return compressor.select_stored(original, meta, key, value)

    def _keep(self, make: Callable[..., Plan], strict: bool) -> CompressResult | TextResult:
        """Plan, then store every original the plan names, pinned; re-plan without any the store refused."""
        leave: frozenset[str] = frozenset()
        notes: tuple[Degradation, ...] = ()
        while True:  # each round leaves at least one more piece alone, so it ends
            plan = make(leave=leave, notes=notes)
            refused: dict[str, Degradation] = {}
            pinned: Callable[[Any], AbstractContextManager[object]] | None = getattr(self.store, "pinned", None)
            with pinned(list(plan.originals)) if callable(pinned) else nullcontext():
                for handle, (original, content_type) in plan.originals.items():
                    try:
                        meta = {**plan.meta.get(handle, {}), "content_type": content_type}
                        if handle in plan.secret:
                            meta["secrets"] = "redacted"  # the retrieval tool refuses it (headroom.tools)
                        self.store.put(handle, original, meta=meta)
                    except StoreFull as error:
                        if strict:
                            raise
                        where = [e.message_index for e in plan.result.manifest.entries if e.handle == handle]
                        refused[handle] = Degradation(
                            kind="store",
                            detail=f"{handle} left as it was (a secret in it still redacted): "
                            f"the store could not keep its original ({error})",
                            message_index=where[0] if where else None,
                        )
                if not refused:
                    return plan.result
            leave |= set(refused)
            notes += tuple(refused.values())


def check_arguments(*, model: object = None, store: object = None, config: object = None) -> None:
    """Raise ``InvalidInput`` naming the first argument of the wrong type, and what to pass instead."""
    if model is not None and (not isinstance(model, str) or not model.strip()):
        raise InvalidInput(f"model must be a model name such as 'gpt-4o' or 'claude-sonnet-4', got {model!r}")
    if store is not None and not isinstance(store, Store):
        raise InvalidInput(
            f"store must be a headroom store (MemoryStore(), SQLiteStore(path), AgentMemory(path) or an object "
            f"with put/get/get_meta/verify/close), got {type(store).__name__}"
        )
    if config is not None and not isinstance(config, Config):
        raise InvalidInput(
            f"config must be a headroom.Config, got {type(config).__name__}; "
            "pass Config(...) with the settings as keyword arguments"
        )


def _check_call(query: object, strict: object) -> None:
    if query is not None and not isinstance(query, str):
        raise InvalidInput(f'query must be a str ("" turns query-awareness off) or None, got {type(query).__name__}')
    if not isinstance(strict, bool):
        raise InvalidInput(f"strict must be True or False, got {strict!r}")


_SPANS = ("lines", "chars", "rows")


def _is_pair(value: object) -> bool:
    return (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    )


def _ranges(value: object) -> list[tuple[int, int]] | None:
    """Several ranges (``lines=((3, 9), (14, 20))``, what a summary mark's ``Marker.selector`` gives), or None."""
    if isinstance(value, (tuple, list)) and value and all(_is_pair(v) for v in value):
        return [(int(v[0]), int(v[1])) for v in value]
    return None


def _read_ranges(key: str, value: object) -> object:
    """A range selector given as a mark writes it (``"3-9,14-20"``) as the ranges it names; others as given."""
    if key not in _SPANS or not isinstance(value, str):
        return value
    spans = parse_ranges(value, key)
    return spans[0] if len(spans) == 1 else spans


def _check_selector(key: str, value: object) -> None:
    """The shape of a selector at the edge; what the span means is the compressor's to check."""
    if key in _SPANS:
        if not _is_pair(value) and _ranges(value) is None:
            raise InvalidInput(
                f"{key} takes (first, last): two ints, 1-based and inclusive, e.g. {key}=(1, 10), "
                f'or several such ranges, e.g. {key}=((1, 10), (20, 30)) or {key}="1-10,20-30"; got {value!r}'
            )
