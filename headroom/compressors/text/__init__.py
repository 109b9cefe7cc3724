"""Text: the fallback for anything no detector claims, head and tail plus the lines that match the query.

``compressor.py`` holds the compressor. ``register`` is this family's plugin entry: it
has the shape a third-party plugin's has (see docs/plugins.md) and is what
``headroom.registry.BUILTIN_FAMILIES`` calls.
"""

from headroom.compressors.text.compressor import GenericCompressor
from headroom.plugins import Registry

__all__ = ["GenericCompressor", "register"]


def register(registry: Registry) -> None:
    registry.register(GenericCompressor)
