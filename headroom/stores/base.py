"""The protocol every store keeps.

A store maps a handle to the exact original text. ``compress`` writes each
original before it returns a result that mentions the handle, so a handle the
model sees can always be redeemed while the store keeps it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

__all__ = ["Store"]


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
