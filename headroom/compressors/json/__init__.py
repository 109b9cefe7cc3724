"""JSON and NDJSON: lossless re-encodings first, then rows and keys chosen by relevance.

``compressor.py`` holds the compressor, ``detect.py`` what routes a piece here; helpers:
_forms.py (lossless forms), _select.py (the shrinker), _where.py (what it locates). ``register`` is this family's
plugin entry: it has the shape a third-party plugin's has (see docs/plugins.md) and is
what ``headroom.registry.BUILTIN_FAMILIES`` calls.
"""

from headroom.compressors.json.detect import DETECTORS
from headroom.plugins import Registry

__all__ = ["register"]


def register(registry: Registry) -> None:
    # by name: compressor.py (and what it imports) loads when a piece is first routed here
    registry.register_lazy("json", "headroom.compressors.json.compressor:JsonCompressor")
    for found in DETECTORS:
        registry.add_detector(found)
