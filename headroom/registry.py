"""Compressors by content type, and the detectors that route to them.

Built-ins register through the same calls a plugin uses. Plugins are entry
points in the ``headroom.compressors`` group, loaded lazily, once, the first
time the default registry is asked for; an entry point names either a
``Compressor`` subclass or a function that takes the registry and registers
what it brings (compressors, detectors).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any

from headroom.compressors.base import Compressor
from headroom.compressors.builtins import BUILTINS
from headroom.errors import RegistryError
from headroom.router import BUILTIN_DETECTORS, Detector, Router

__all__ = ["ENTRY_POINT_GROUP", "Registry", "default_registry"]

ENTRY_POINT_GROUP = "headroom.compressors"
FALLBACK = "text"


class Registry:
    """Compressor classes keyed by content type, plus the router."""

    def __init__(self, *, builtins: bool = True) -> None:
        self._compressors: dict[str, type[Compressor]] = {}
        self.router = Router()
        if builtins:
            for compressor in BUILTINS:
                self.register(compressor)
            for detector in BUILTIN_DETECTORS:
                self.router.add(detector)

    def register(self, compressor: type[Compressor], *, replace: bool = False) -> None:
        if not (isinstance(compressor, type) and issubclass(compressor, Compressor)):
            raise RegistryError(f"{compressor!r} is not a Compressor subclass")
        kind = compressor.content_type
        if kind in self._compressors and not replace:
            raise RegistryError(
                f"content type {kind!r} already has the {self._compressors[kind].name!r} compressor; "
                "pass replace=True to swap it"
            )
        self._compressors[kind] = compressor

    def add_detector(self, detector: Detector, *, before: str | None = None, replace: bool = False) -> None:
        self.router.add(detector, before=before, replace=replace)

    @property
    def content_types(self) -> tuple[str, ...]:
        return tuple(self._compressors)

    def build(self, content_type: str, options: Mapping[str, Mapping[str, Any]]) -> Compressor:
        """An instance of the compressor for ``content_type`` (the generic one if none)."""
        cls = self._compressors.get(content_type) or self._compressors.get(FALLBACK)
        if cls is None:
            raise RegistryError(f"no compressor for {content_type!r} and no {FALLBACK!r} fallback registered")
        return cls(options.get(cls.content_type))

    def load_entry_points(self) -> None:
        for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
            target = point.load()
            if isinstance(target, type):
                self.register(target)
            elif callable(target):
                target(self)
            else:
                raise RegistryError(f"entry point {point.name!r} is neither a Compressor nor a function")


_default: Registry | None = None
_lock = threading.Lock()


def default_registry() -> Registry:
    """The shared registry: built-ins plus installed plugins, built on first use."""
    global _default
    with _lock:
        if _default is None:
            registry = Registry()
            registry.load_entry_points()
            _default = registry
        return _default
