"""Search results (grep -n, rg --heading, rg --json): the best hits kept, grouped by file.

``compressor.py`` holds the compressor, ``detect.py`` what routes a piece here; helpers:
_parse.py (which file a line is of), _rank.py (line ranking). ``register`` is this family's
plugin entry: it has the shape a third-party plugin's has (see docs/plugins.md) and is what
``headroom.registry.BUILTIN_FAMILIES`` calls.
"""

from headroom.compressors.search.detect import DETECTORS, is_grep, is_headed
from headroom.plugins import Registry

__all__ = ["register"]


def register(registry: Registry) -> None:
    # by name: compressor.py (and what it imports) loads when a piece is first routed here
    registry.register_lazy("search", "headroom.compressors.search.compressor:SearchCompressor")
    for found in DETECTORS:
        registry.add_detector(found)
    registry.add_check("grep", is_grep)
    registry.add_check("headed", is_headed)
