"""HTML: rendered to text with the page chrome left out, then shrunk as prose.

``compressor.py`` holds the compressor, ``detect.py`` what routes a piece here; helpers:
_tree.py (parse, main content). ``register`` is this family's plugin entry: it has the
shape a third-party plugin's has (see docs/plugins.md) and is what
``headroom.registry.BUILTIN_FAMILIES`` calls.
"""

from headroom.compressors.html.detect import DETECTORS, is_page
from headroom.plugins import Registry

__all__ = ["register"]


def register(registry: Registry) -> None:
    # by name: compressor.py (and what it imports) loads when a piece is first routed here
    registry.register_lazy("html", "headroom.compressors.html.compressor:HtmlCompressor")
    for found in DETECTORS:
        registry.add_detector(found)
    registry.add_check("html-page", is_page)
