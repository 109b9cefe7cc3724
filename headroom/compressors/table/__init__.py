"""Tables (CSV, TSV, markdown): the header kept, rows chosen by relevance.

``compressor.py`` holds the compressor, ``detect.py`` what routes a piece here; helpers:
the row ranking it shares with json lives in headroom/compressors/_rows.py. ``register``
is this family's plugin entry: it has the shape a third-party plugin's has (see
docs/plugins.md) and is what ``headroom.registry.BUILTIN_FAMILIES`` calls.
"""

from headroom.compressors.table.detect import DETECTORS, looks_like_table
from headroom.plugins import Registry

__all__ = ["register"]


def register(registry: Registry) -> None:
    # by name: compressor.py (and what it imports) loads when a piece is first routed here
    registry.register_lazy("table", "headroom.compressors.table.compressor:TableCompressor")
    for found in DETECTORS:
        registry.add_detector(found)
    # asked by mixed/detect.py: a table whose cells hold JSON (``ps aux`` command lines) stays a table
    registry.add_check("table", looks_like_table)
