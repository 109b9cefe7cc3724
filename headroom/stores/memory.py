"""The default store: in-process, bounded by bytes, least recently used out first.

Bounded so a long-running agent cannot grow without limit; LRU because the
handles a model asks for are those of recent turns. An original larger than
the whole bound is refused with an error rather than stored and instantly
evicted: a handle the caller was given must be redeemable.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType

from headroom.errors import HandleExpired, HandleNotFound, StoreError
from headroom.handles import digest, make_handle

__all__ = ["MemoryStore"]


@dataclass
class _Entry:
    text: str
    digest: str
    size: int
    created: float
    meta: dict[str, str] = field(default_factory=dict)


class MemoryStore:
    """Originals in a dict, at most ``max_bytes`` of UTF-8 in total, optional ``ttl`` seconds."""

    def __init__(
        self,
        max_bytes: int = 64 * 1024 * 1024,
        *,
        ttl: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_bytes < 1:
            raise StoreError(f"max_bytes must be positive, got {max_bytes}")
        self.max_bytes = max_bytes
        self.ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, handle: str, original: str, *, meta: Mapping[str, str] | None = None) -> None:
        full = digest(original)
        size = len(original.encode("utf-8", "surrogatepass"))
        if size > self.max_bytes:
            raise StoreError(
                f"the original for {handle} is {size} bytes, more than this MemoryStore's "
                f"max_bytes={self.max_bytes}; create the store with a larger max_bytes or use SQLiteStore"
            )
        with self._lock:
            existing = self._live(handle)
            if existing is not None:
                if existing.digest != full:
                    raise StoreError(
                        f"{handle} already holds a different original (a hash collision); "
                        "keep this original in a separate store"
                    )
                self._entries.move_to_end(handle)
                return
            self._entries[handle] = _Entry(original, full, size, self._clock(), dict(meta or {}))
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size

    def get(self, handle: str) -> str:
        return self._get(handle).text

    def get_meta(self, handle: str) -> dict[str, str]:
        return dict(self._get(handle).meta)

    def _get(self, handle: str) -> _Entry:
        with self._lock:
            if handle in self._entries and self._expired(self._entries[handle]):
                self._drop(handle)
                raise HandleExpired(handle)
            entry = self._entries.get(handle)
            if entry is None:
                raise HandleNotFound(handle)
            self._entries.move_to_end(handle)
            return entry

    def _live(self, handle: str) -> _Entry | None:
        entry = self._entries.get(handle)
        if entry is not None and self._expired(entry):
            self._drop(handle)
            return None
        return entry

    def _expired(self, entry: _Entry) -> bool:
        return self.ttl is not None and self._clock() - entry.created > self.ttl

    def _drop(self, handle: str) -> None:
        self._bytes -= self._entries.pop(handle).size

    def __contains__(self, handle: object) -> bool:
        with self._lock:
            entry = self._entries.get(handle) if isinstance(handle, str) else None
            return entry is not None and not self._expired(entry)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def verify(self) -> list[str]:
        """Handles whose original no longer hashes to them (empty when healthy)."""
        with self._lock:
            items = list(self._entries.items())
        return [h for h, e in items if digest(e.text) != e.digest or make_handle(e.text) != h]

    def close(self) -> None:
        """Nothing to release; present for the Store protocol."""

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
