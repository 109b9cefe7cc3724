"""Whether a piece is search output: ``rg --json`` records, ``grep -n`` lines, or ``rg --heading`` groups.

``is_grep`` and ``is_headed`` are also published as named checks (see
``register``), so the mixed detector can decline search output without
importing this family.
"""

from __future__ import annotations

import re

from headroom.compressors.search._parse import looks_like_rg_json
from headroom.plugins import Detector, line_share

__all__ = ["DETECTORS", "is_grep", "is_headed", "is_rg_heading"]

# a path, not a date or time, then a line number. The path's first letter, dot or slash is found
# deterministically and the separator lazily after it: the former ``[^\s:]*[A-Za-z_./][^\s:]*`` tried every
# split of a long token (quadratic: 3 s on one 20,000-character line); which lines match is unchanged.
# The path holds no comma: a CSV record with a date (``1.1,Buzz,buzz,1993-08-16,...``) read as a
# context line ``path-08-`` and distro-info's debian.csv went to the search compressor.
_GREP_RE = re.compile(r"^(?!\d{4}-\d\d-\d\d)[^\s:,A-Za-z_./]*[A-Za-z_./][^\s:,]*?[:-]\d+[:-]")
_HEADING_RE = re.compile(r"^(?!\d{4}-\d\d-\d\d)(\d+[:-]|[\w.@+-]*(/[\w.@+-]+)+$|[\w@+-]+\.[A-Za-z0-9]{1,5}$)")
_NUMBERED_RE = re.compile(r"^(?!\d{4}-\d\d-\d\d)\d+[:-]")  # a line number under a heading, not a date


def is_grep(text: str) -> bool:
    return line_share(text, _GREP_RE, 0.6)


def is_headed(text: str) -> bool:
    """Nearly every line a file heading or a numbered line: the shape of ``rg --heading``."""
    return line_share(text, _HEADING_RE, 0.9)


def is_rg_heading(text: str) -> bool:
    return is_headed(text) and line_share(text, _NUMBERED_RE, 0.5)


DETECTORS = (
    Detector("search-json", "search", looks_like_rg_json),
    Detector("search", "search", is_grep),
    Detector("search-heading", "search", is_rg_heading),
)
