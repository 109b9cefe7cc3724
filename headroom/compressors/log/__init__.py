"""Logs, build and test output: errors and their context kept, repeats folded.

``compressor.py`` holds the compressor, ``detect.py`` what routes a piece here; helpers:
_parse.py (levels, templates), _rank.py (line ranking), _query.py (the question ranked by),
_vocab.py (the error vocabulary). ``register`` is this family's plugin entry: it has the shape a
third-party plugin's has (see docs/plugins.md) and is what ``headroom.registry.BUILTIN_FAMILIES`` calls.
"""

from headroom.compressors.log.detect import DETECTORS
from headroom.plugins import Registry

__all__ = ["register"]


def register(registry: Registry) -> None:
    # by name: compressor.py (and what it imports) loads when a piece is first routed here
    registry.register_lazy("log", "headroom.compressors.log.compressor:LogCompressor")
    for found in DETECTORS:
        registry.add_detector(found)
