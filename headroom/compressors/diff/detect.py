"""Whether a piece is a diff: a unified diff header or hunk, or a ``--stat`` summary, in its first 20,000 characters."""

from __future__ import annotations

import re

from headroom.plugins import Detector

__all__ = ["DETECTORS", "is_diff"]

_DIFF_RE = re.compile(
    r"^(diff --git |--- \S.*\n\+\+\+ \S|@@ -\d+(,\d+)? \+\d+(,\d+)? @@"
    r"| \d+ files? changed, \d+ (insertions?\(\+\)|deletions?\(-\)))",  # a --stat summary
    re.M,
)


def is_diff(text: str) -> bool:
    return _DIFF_RE.search(text[:20_000]) is not None


DETECTORS = (Detector("diff", "diff", is_diff),)
