"""Prose: sentences and paragraphs chosen by relevance, headings kept.

``compressor.py`` holds the compressor, ``detect.py`` what routes a piece here; helpers:
_units.py (segmentation), _profile.py (costs and ranking), _near.py (near-duplicates),
_select.py (the choice within a room), _render.py (markers). ``register`` is this family's
plugin entry: it has the shape a third-party plugin's has (see docs/plugins.md) and is what
``headroom.registry.BUILTIN_FAMILIES`` calls.
"""

from headroom.compressors.prose.detect import DETECTORS, markdown_detector
from headroom.plugins import Registry

__all__ = ["register"]


def register(registry: Registry) -> None:
    # by name: compressor.py (and what it imports) loads when a piece is first routed here
    registry.register_lazy("prose", "headroom.compressors.prose.compressor:ProseCompressor")
    for found in DETECTORS:
        registry.add_detector(found)
    registry.add_detector(markdown_detector(registry))
