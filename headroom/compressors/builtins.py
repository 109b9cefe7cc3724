"""The compressors headroom ships, registered through the same call a plugin uses.

One line per compressor; the router's detectors (``headroom.router``) decide
which content type a piece is.
"""

from __future__ import annotations

from headroom.compressors.base import Compressor
from headroom.compressors.code import CodeCompressor
from headroom.compressors.diff import DiffCompressor
from headroom.compressors.generic import GenericCompressor
from headroom.compressors.html import HtmlCompressor
from headroom.compressors.json_data import JsonCompressor
from headroom.compressors.log import LogCompressor
from headroom.compressors.mixed import MixedCompressor
from headroom.compressors.prose import ProseCompressor
from headroom.compressors.search import SearchCompressor
from headroom.compressors.table import TableCompressor

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
