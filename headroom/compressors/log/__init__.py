"""Logs, build and test output: errors and their context kept, repeats folded.

``compressor.py`` holds the compressor, ``detect.py`` what routes a piece here; helpers:
_parse.py (levels, templates), _rank.py (line ranking). ``register`` is this family's
plugin entry: it has the shape a third-party plugin's has (see docs/plugins.md) and is
what ``headroom.registry.BUILTIN_FAMILIES`` calls.
"""

from headroom.compressors.log.compressor import LogCompressor
from headroom.compressors.log.detect import DETECTORS
from headroom.plugins import Registry

__all__ = ["LogCompressor", "register"]


def register(registry: Registry) -> None:
    registry.register(LogCompressor)
    for found in DETECTORS:
        registry.add_detector(found)
