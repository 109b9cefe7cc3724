"""Text: the fallback for anything no detector claims, head and tail plus the lines that match the query.

``compressor.py`` holds the compressor. ``register`` is this family's plugin entry: it
has the shape a third-party plugin's has (see docs/plugins.md) and is what
``headroom.registry.BUILTIN_FAMILIES`` calls.
"""

from headroom.plugins import Registry

__all__ = ["register"]


def register(registry: Registry) -> None:
    # by name: compressor.py (and what it imports) loads when a piece is first routed here
    registry.register_lazy("text", "headroom.compressors.text.compressor:GenericCompressor")
