"""The compressors headroom ships, registered through the same call a plugin uses.

One line per compressor; the router's detectors (``headroom.router``) decide
which content type a piece is.
"""

from __future__ import annotations

from headroom.compressors.base import Compressor
from headroom.compressors.code.compressor import CodeCompressor
from headroom.compressors.diff.compressor import DiffCompressor
from headroom.compressors.html.compressor import HtmlCompressor
from headroom.compressors.json.compressor import JsonCompressor
from headroom.compressors.log.compressor import LogCompressor
from headroom.compressors.mixed.compressor import MixedCompressor
from headroom.compressors.prose.compressor import ProseCompressor
from headroom.compressors.search.compressor import SearchCompressor
from headroom.compressors.table.compressor import TableCompressor
from headroom.compressors.text.compressor import GenericCompressor

__all__ = ["BUILTINS"]

BUILTINS: tuple[type[Compressor], ...] = (
    CodeCompressor,
    DiffCompressor,
    GenericCompressor,
    HtmlCompressor,
    JsonCompressor,
    LogCompressor,
    MixedCompressor,
    ProseCompressor,
    SearchCompressor,
    TableCompressor,
)
