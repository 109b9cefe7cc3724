"""Compressors by content type, and the detectors that route to them.

Built-ins take the path a plugin takes: each family under
``headroom/compressors/`` is a module with a ``register(registry)`` function,
and ``BUILTIN_FAMILIES`` lists them the way a plugin host lists its default
plugins; a new ``Registry`` imports each and calls its ``register``. Plugins
are entry points in the ``headroom.compressors`` group, loaded lazily, once,
the first time the default registry is asked for; an entry point names either
a ``Compressor`` subclass or a function that takes the registry and registers
what it brings (compressors, detectors, checks). See docs/plugins.md.

A plugin that collides with what is already registered (the same content
type, detector or check name) or fails to load is skipped whole, named in
``Registry.problems``, and every compress call through that registry records
it as a degradation: one broken plugin must not make every call raise.
"""

from __future__ import annotations

import functools
import importlib
import threading
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import Any

from headroom.compressors.base import Compressor
from headroom.errors import RegistryError
from headroom.router import Detector, Router

__all__ = ["BUILTIN_FAMILIES", "ENTRY_POINT_GROUP", "Registry", "builtin_registry", "default_registry"]

ENTRY_POINT_GROUP = "headroom.compressors"
FALLBACK = "text"

BUILTIN_FAMILIES: tuple[str, ...] = (
    "headroom.compressors.json",
    "headroom.compressors.table",
    "headroom.compressors.code",
    "headroom.compressors.log",
    "headroom.compressors.search",
    "headroom.compressors.diff",
    "headroom.compressors.prose",
    "headroom.compressors.html",
    "headroom.compressors.mixed",
    "headroom.compressors.text",
)
"""The families headroom ships, each a module with ``register(registry)``, loaded like plugins."""


class Registry:
    """Compressor classes keyed by content type, the router, and named checks."""

    def __init__(self, *, builtins: bool = True) -> None:
        self._compressors: dict[str, type[Compressor]] = {}
        self._checks: dict[str, Callable[[str], bool]] = {}
        self.router = Router()
        self.problems: list[str] = []
        if builtins:
            for family in BUILTIN_FAMILIES:
                importlib.import_module(family).register(self)

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

    def add_check(self, name: str, check: Callable[[str], bool], *, replace: bool = False) -> None:
        """Publish a named test of a text's shape, for another family's detector to ask by name.

        The mixed detector declines what a later detector takes whole (an HTML
        page, grep output, code) without importing those families.
        """
        if name in self._checks and not replace:
            raise RegistryError(f"a check named {name!r} is already registered; pass replace=True to swap it")
        self._checks[name] = check

    def check(self, name: str, text: str) -> bool:
        """The named check on ``text``; False when no family published it."""
        found = self._checks.get(name)
        return found is not None and found(text)

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
        """Register every installed plugin; one that fails is skipped whole and named in ``problems``."""
        for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
            saved = (dict(self._compressors), dict(self._checks), self.router)
            self.router = self.router.copy()
            try:
                target = point.load()
                if isinstance(target, type):
                    self.register(target)
                elif callable(target):
                    target(self)
                else:
                    raise RegistryError("it names neither a Compressor subclass nor a function")
            except Exception as error:  # a plugin's failure is its own: skip it, say so
                self._compressors, self._checks, self.router = saved
                self.problems.append(f"plugin {point.name!r} skipped: {error}")


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


@functools.cache
def builtin_registry() -> Registry:
    """The built-in families alone: what a compressor called without a registry hands parts to."""
    return Registry()
