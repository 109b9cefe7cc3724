"""Text: the fallback for anything no detector claims, head and tail plus the lines that match the query.

``compressor.py`` holds the compressor, ``detect.py`` the configuration-file detector.
``register`` is this family's plugin entry: it has the shape a third-party plugin's has (see
docs/plugins.md) and is what ``headroom.registry.BUILTIN_FAMILIES`` calls.
"""

from headroom.compressors.text.detect import DETECTORS
from headroom.plugins import Registry

__all__ = ["register"]


def register(registry: Registry) -> None:
    # by name: compressor.py (and what it imports) loads when a piece is first routed here
    registry.register_lazy("text", "headroom.compressors.text.compressor:GenericCompressor")
    for found in DETECTORS:
        registry.add_detector(found)
