"""The functions most callers use; each builds or reuses a ``Headroom`` and delegates.

Calls that name no store share one process-wide ``Headroom`` (and its
in-process store), so ``retrieve(handle)`` finds what ``compress`` kept. It is
created on first use, never at import; ``set_default`` replaces it (tests and
apps that want a SQLite store everywhere).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the engine loads on the first call, not with `from headroom import compress`
    from headroom.client import Headroom
    from headroom.config import Config
    from headroom.manifest import CompressResult, TextResult
    from headroom.stores.base import Store

__all__ = ["compress", "compress_text", "get_default", "retrieve", "set_default"]

_default: Headroom | None = None
_lock = threading.Lock()


def get_default() -> Headroom:
    """The shared ``Headroom`` behind the functions (created on first use)."""
    global _default
    with _lock:
        if _default is None:
            from headroom.client import Headroom

            _default = Headroom()
        return _default


def set_default(headroom: Headroom | None) -> None:
    """Replace the shared ``Headroom``; None resets it to a fresh one on next use."""
    global _default
    with _lock:
        _default = headroom


def _pick(model: str | None, store: Store | None, config: Config | None) -> Headroom:
    """The default ``Headroom``, or one derived from it: an override replaces only what it names."""
    base = get_default()
    if model is None and store is None and config is None:
        return base
    return base.derive(model=model, store=store, config=config)


def compress(
    messages: Sequence[Any],  # dicts, SDK objects, Responses items, tuples (docs/messages.md)
    budget: int | None = None,
    *,
    model: str | None = None,
    query: str | None = None,
    store: Store | None = None,
    config: Config | None = None,
    strict: bool = False,
    system: Any = None,
    tools: Sequence[Any] | None = None,
) -> CompressResult:
    """Compress an OpenAI or Anthropic message list to fit ``budget`` tokens.

    Messages may be dicts, SDK objects, Responses API items or ``(role, content)``
    tuples; each comes back in its own shape (docs/messages.md). ``system`` (Anthropic's
    separate system prompt) and ``tools`` (the request's tool definitions) are counted
    against ``budget`` and never changed.

    The input is never mutated. ``query`` overrides the per-piece query (the
    latest user turn before each piece); ``query=""`` turns query-awareness off.
    With ``strict=True`` an unreachable budget raises ``BudgetExceeded``;
    otherwise ``within_budget`` is False and ``manifest.reason`` says why.
    """
    return _pick(model, store, config).compress(
        messages, budget, query=query, strict=strict, system=system, tools=tools
    )


def compress_text(
    text: str,
    budget: int | None = None,
    *,
    model: str | None = None,
    query: str | None = None,
    store: Store | None = None,
    config: Config | None = None,
    strict: bool = False,
) -> TextResult:
    """Compress one text, e.g. a single tool output, to fit ``budget`` tokens."""
    return _pick(model, store, config).compress_text(text, budget, query=query, strict=strict)


def retrieve(handle: str, store: Store | None = None, **selector: Any) -> str:
    """The exact original behind ``handle``, or one part of it (``lines=``, ``chars=``, ``query=``, ...)."""
    return _pick(None, store, None).retrieve(handle, **selector)
