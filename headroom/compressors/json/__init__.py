"""JSON and NDJSON: lossless re-encodings first, then rows and keys chosen by relevance.

``compressor.py`` holds the compressor, ``detect.py`` what routes a piece here; helpers:
_forms.py (lossless forms), _select.py (the shrinker), _where.py (what it locates). ``register`` is this family's
plugin entry: it has the shape a third-party plugin's has (see docs/plugins.md) and is
what ``headroom.registry.BUILTIN_FAMILIES`` calls.
"""

from headroom.compressors.json.compressor import JsonCompressor
from headroom.compressors.json.detect import DETECTORS
from headroom.plugins import Registry

__all__ = ["JsonCompressor", "register"]


def register(registry: Registry) -> None:
    registry.register(JsonCompressor)
    for found in DETECTORS:
        registry.add_detector(found)
