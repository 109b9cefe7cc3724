"""The protocol every store keeps.

A store maps a handle to the exact original text. ``compress`` writes each
original before it returns a result that mentions the handle, so a handle the
model sees can always be redeemed while the store keeps it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Protocol, runtime_checkable

from headroom.errors import InvalidInput, StoreError

__all__ = ["Pins", "Store", "check_max_bytes", "check_same_original", "check_ttl"]


@runtime_checkable
class Store(Protocol):
    """Where originals live, keyed by their content-addressed handle.

    ``put`` is idempotent: storing the same original twice keeps one copy.
    ``meta`` is kept beside it (headroom records the content type, so partial
    retrieval can use the compressor's own units) and ``get_meta`` returns it.
    ``get`` returns the exact original or raises ``HandleNotFound`` /
    ``HandleExpired``. ``verify`` re-hashes every original and returns the
    handles whose text no longer matches (an empty list means healthy).
    """

    def put(self, handle: str, original: str, *, meta: Mapping[str, str] | None = None) -> None: ...

    def get(self, handle: str) -> str: ...

    def get_meta(self, handle: str) -> dict[str, str]: ...

    def __contains__(self, handle: object) -> bool: ...

    def verify(self) -> list[str]: ...

    def close(self) -> None: ...


class Pins:
    """Handles that must not be evicted: the originals of ``compress`` calls still in flight.

    A call pins every handle its plan mentions before storing the first
    original and unpins them when it returns, so storing its third original
    can never evict its first (a marker in the result pointing at nothing).
    Pins count per handle, so two threads pinning the same handle both hold it.
    They live in this process; ``SQLiteStore`` also records them in its file,
    so other processes sharing it do not evict them (see docs/reliability.md).
    """

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, handles: Iterable[str]) -> Iterator[None]:
        held = list(dict.fromkeys(handles))
        with self._lock:
            self._counts.update(held)
        try:
            yield
        finally:
            with self._lock:
                self._counts.subtract(held)
                for handle in held:
                    if self._counts[handle] <= 0:
                        del self._counts[handle]

    def current(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._counts)


def check_max_bytes(max_bytes: object, *, optional: bool) -> None:
    if max_bytes is None and optional:
        return
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise InvalidInput(
            f"max_bytes must be a positive int of bytes{' or None' if optional else ''}, got {max_bytes!r}; "
            "e.g. max_bytes=64 * 1024 * 1024"
        )


def check_ttl(ttl: object) -> None:
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not ttl > 0):
        raise InvalidInput(f"ttl must be a positive number of seconds or None, got {ttl!r}; e.g. ttl=3600")


def check_same_original(handle: str, held: str, full: str) -> None:
    """Raise unless the digest ``held`` under ``handle`` is ``full``, the new original's: two texts, one handle."""
    if held != full:
        raise StoreError(
            f"{handle} already holds a different original (a hash collision); keep this original in a separate store"
        )
