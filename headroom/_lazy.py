"""Public names a package loads on first use (PEP 562).

``headroom`` and ``headroom.stores`` both keep a table of each public name and
the module that holds it, so importing the package reads one file and the
name's module is imported the first time the name is touched. The two module
hooks are built here once, not written out in each package.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers read it as True)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def module_hooks(
    namespace: dict[str, Any], home: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for the package whose globals are ``namespace``.

    ``home`` maps each public name to the module that defines it. A name, once
    loaded, is stored in ``namespace``, so later lookups are plain attribute reads.
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        module = home.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *namespace["__all__"]})

    return __getattr__, __dir__
