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
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType

from headroom.errors import HandleExpired, HandleNotFound, IntegrityError, StoreFull
from headroom.handles import digest, make_handle
from headroom.stores.base import Pins, check_max_bytes, check_same_original, check_ttl

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
        check_max_bytes(max_bytes, optional=False)
        check_ttl(ttl)
        self.max_bytes = max_bytes
        self.ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._pins = Pins()

    @contextmanager
    def pinned(self, handles: Iterable[str]) -> Iterator[None]:
        """Keep ``handles`` from eviction while the block runs (a compress call's originals)."""
        with self._pins.hold(handles):
            yield

    def put(self, handle: str, original: str, *, meta: Mapping[str, str] | None = None) -> None:
        full = digest(original)
        size = len(original.encode("utf-8", "surrogatepass"))
        if size > self.max_bytes:
            raise StoreFull(
                f"the original for {handle} is {size} bytes, more than this MemoryStore's "
                f"max_bytes={self.max_bytes}; create the store with a larger max_bytes or use SQLiteStore"
            )
        pins = self._pins.current()
        with self._lock:
            existing = self._live(handle)
            if existing is not None:
                check_same_original(handle, existing.digest, full)
                self._entries.move_to_end(handle)
                return
            held = sum(e.size for h, e in self._entries.items() if h in pins)
            if held + size > self.max_bytes:
                # evicting would kill a handle a call in flight is about to hand out
                raise StoreFull(
                    f"the original for {handle} ({size} bytes) does not fit beside the {held} bytes of originals "
                    f"in use within max_bytes={self.max_bytes}; create the store with a larger max_bytes"
                )
            self._entries[handle] = _Entry(original, full, size, self._clock(), dict(meta or {}))
            self._bytes += size
            victims = (h for h in list(self._entries) if h not in pins and h != handle)
            while self._bytes > self.max_bytes:
                self._drop(next(victims))

    def get(self, handle: str) -> str:
        entry = self._get(handle)
        if digest(entry.text) != entry.digest or make_handle(entry.text) != handle:
            raise IntegrityError(
                f"the original stored for {handle} no longer matches its hash; "
                "call store.repair() to drop damaged originals, then compress the source again"
            )
        return entry.text

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

    def repair(self) -> list[str]:
        """Drop every original ``verify`` finds damaged; returns their handles (their markers stop resolving)."""
        bad = self.verify()
        with self._lock:
            for handle in bad:
                if handle in self._entries:
                    self._drop(handle)
        return bad

    def close(self) -> None:
        """Nothing to release; present for the Store protocol."""

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
