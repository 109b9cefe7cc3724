"""Everything a compressor plugin needs, in one import.

A plugin is a ``Compressor`` subclass (its ``content_type``, ``name``, typed
``Options`` and one ``compress`` method returning ``Compressed``), usually with
a ``Detector`` that routes pieces to it, and a ``register(registry)`` function
that adds both; an entry point in the ``headroom.compressors`` group names that
function. headroom's own families (``headroom/compressors/<family>/``) are
written exactly this way and import only this module and shared helpers.
docs/plugins.md has a complete example.
"""

from headroom.compressors.base import (
    CHECKS,
    Compressed,
    Compressor,
    NoOptions,
    PieceContext,
    check_span,
    shrink_to_fit,
    split_lines,
)
from headroom.registry import ENTRY_POINT_GROUP, Registry, builtin_registry, default_registry
from headroom.router import DETECTION_ORDER, SAMPLE_LINES, Detector, line_share, sample_lines
from headroom.tokens import TokenCounter

__all__ = [
    "CHECKS",
    "DETECTION_ORDER",
    "ENTRY_POINT_GROUP",
    "SAMPLE_LINES",
    "Compressed",
    "Compressor",
    "Detector",
    "NoOptions",
    "PieceContext",
    "Registry",
    "TokenCounter",
    "builtin_registry",
    "check_span",
    "default_registry",
    "line_share",
    "sample_lines",
    "shrink_to_fit",
    "split_lines",
]
