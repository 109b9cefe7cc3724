"""Source code: an outline (signatures kept, bodies folded), via ast-grep, Python's ast or a fallback.

``compressor.py`` holds the compressor, ``detect.py`` what routes a piece here; helpers:
_lang.py, _outline.py, _scan.py (reaching ast-grep), _astgrep.py (its outline), _grammars.py,
_python.py, _fallback.py. ``register``
is this family's plugin entry: it has the shape a third-party plugin's has (see
docs/plugins.md) and is what ``headroom.registry.BUILTIN_FAMILIES`` calls.
"""

from headroom.compressors.code.detect import DETECTORS, looks_like_code
from headroom.plugins import Registry

__all__ = ["register"]


def register(registry: Registry) -> None:
    # by name: compressor.py (and what it imports) loads when a piece is first routed here
    registry.register_lazy("code", "headroom.compressors.code.compressor:CodeCompressor")
    for found in DETECTORS:
        registry.add_detector(found)
    registry.add_check("code", looks_like_code)
