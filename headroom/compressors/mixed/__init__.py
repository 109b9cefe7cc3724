"""Mixed content: fenced blocks, embedded JSON or diffs split out and each compressed by its own family.

``compressor.py`` holds the compressor, ``detect.py`` what routes a piece here; helpers:
_split.py (finding the sections). ``register`` is this family's plugin entry: it has the
shape a third-party plugin's has (see docs/plugins.md) and is what
``headroom.registry.BUILTIN_FAMILIES`` calls.
"""

from headroom.compressors.mixed.detect import detector
from headroom.plugins import Registry

__all__ = ["register"]


def register(registry: Registry) -> None:
    # by name: compressor.py (and what it imports) loads when a piece is first routed here
    registry.register_lazy("mixed", "headroom.compressors.mixed.compressor:MixedCompressor")
    registry.add_detector(detector(registry))
