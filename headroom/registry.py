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

A compressor may be registered by name, ``"module:attribute"``
(``register_lazy``): its module is imported the first time a piece is routed
to it, not when the registry is built. The built-ins register that way, so a
call that meets only a log never imports the code family's compressor (nor
ast-grep); their detectors and checks are cheap modules registered eagerly,
and a detector module never imports its compressor module.
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
        # a class, or a "module:attribute" name resolved (and replaced by its class) on first build
        self._compressors: dict[str, type[Compressor] | str] = {}
        self._checks: dict[str, Callable[[str], bool]] = {}
        self.router = Router()
        self.problems: list[str] = []
        if builtins:
            for family in BUILTIN_FAMILIES:
                importlib.import_module(family).register(self)

    def register(self, compressor: type[Compressor], *, replace: bool = False) -> None:
        if not (isinstance(compressor, type) and issubclass(compressor, Compressor)):
            raise RegistryError(f"{compressor!r} is not a Compressor subclass")
        self._put(compressor.content_type, compressor, replace)

    def register_lazy(self, content_type: str, target: str, *, replace: bool = False) -> None:
        """Register the compressor ``target`` names (``"package.module:ClassName"``) for ``content_type``
        without importing it: the module loads the first time a piece of that type is built.

        The name is checked for shape now and resolved on first use, where a missing module or
        attribute, or a class of another content type, raises ``RegistryError``.
        """
        module, _, attribute = target.partition(":")
        if not module or not attribute.isidentifier():
            raise RegistryError(
                f"{target!r} is not a 'module:attribute' name; write e.g. 'mypkg.compress:MyCompressor'"
            )
        self._put(content_type, target, replace)

    def _put(self, kind: str, compressor: type[Compressor] | str, replace: bool) -> None:
        if kind in self._compressors and not replace:
            held = self._compressors[kind]
            raise RegistryError(
                f"content type {kind!r} already has the {held if isinstance(held, str) else held.name!r} "
                "compressor; pass replace=True to swap it"
            )
        self._compressors[kind] = compressor

    def _resolve(self, kind: str) -> type[Compressor] | None:
        """The class registered for ``kind``, importing it if it was registered by name."""
        held = self._compressors.get(kind)
        if not isinstance(held, str):
            return held
        module, _, attribute = held.partition(":")
        try:
            found = getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError) as error:
            raise RegistryError(
                f"the compressor registered for {kind!r} as {held!r} cannot be loaded ({error}); "
                "check the name, or that the package providing it is installed"
            ) from error
        if not (isinstance(found, type) and issubclass(found, Compressor) and found.content_type == kind):
            raise RegistryError(f"{held!r} is not a Compressor subclass with content type {kind!r}")
        self._compressors[kind] = found  # resolved once; a concurrent resolve stores the same class
        return found

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
        cls = self._resolve(content_type) if content_type in self._compressors else self._resolve(FALLBACK)
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
