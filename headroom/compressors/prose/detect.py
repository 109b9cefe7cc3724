"""Whether a piece is prose: most lines are six words or more, and it is mostly letters."""

from __future__ import annotations

import re

from headroom.plugins import Detector, line_share

__all__ = ["DETECTORS", "is_prose"]

_PROSE_RE = re.compile(r"^\s*(\S+\s+){5,}\S+")  # six words or more


def _letters(text: str) -> float:
    """Share of letters and spaces in the first 20,000 characters."""
    sample = text[:20_000]
    return sum(c.isalpha() or c.isspace() for c in sample) / max(1, len(sample))


def is_prose(text: str) -> bool:
    return line_share(text, _PROSE_RE, 0.4) and _letters(text) > 0.75


DETECTORS = (Detector("prose", "prose", is_prose),)
