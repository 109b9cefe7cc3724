"""Whether a piece is a diff: most of its sampled lines belong to a diff, a ``--stat`` summary or a commit header.

Presence was not enough (issue 11): a Rust file whose test fixture holds one
``diff --git`` line was routed as a diff. A line is explained when it is a
file or hunk header, a line inside a hunk (``+``, ``-``, context, ``\\ No
newline``) up to the counts of its ``@@`` line, a ``--stat`` line or summary,
or part of a ``git log`` commit header and its indented message. The share is
judged over windows across the whole piece (``sample_lines``), so ``git log -p
--stat`` whose stat section fills its first 20,000 characters is still a diff.
"""

from __future__ import annotations

import re

from headroom.compressors._hunks import HUNK_HEADER, hunk_end
from headroom.plugins import Detector, sample_lines

__all__ = ["DETECTORS", "diff_share", "is_diff"]

_HEADER_RE = re.compile(
    r"^(diff --git |diff -\S|--- \S|\+\+\+ \S|@@ -\d+(,\d+)? \+\d+(,\d+)? @@|index [0-9a-f]+\.\.|Only in |Binary files "
    r"|(new|deleted) file mode |similarity index |rename (from|to) |old mode |new mode )"
)
_STAT_RE = re.compile(r"^ \S.* \| +(\d+ ?[+-]*|Bin .*)$|^ \d+ files? changed, ")
_COMMIT_RE = re.compile(r"^(commit [0-9a-f]{7,}|Author: |AuthorDate: |Commit: |CommitDate: |Date: |Merge: )")
_HUNK_RE = re.compile(r"^([ +\-\\]|$)")
_AT_LEAST = 0.6


def diff_share(text: str) -> float:
    """The share of sampled non-blank lines a diff's grammar explains."""
    explained = total = 0
    for number, window in enumerate(sample_lines(text)):
        # a later window may open inside a hunk: it does when the head already reads as a diff
        opens_in_hunk = number > 0 and explained >= _AT_LEAST * total
        window_explained, window_total = _explained(window, opens_in_hunk)
        explained, total = explained + window_explained, total + window_total
    return explained / total if total else 0.0


def _explained(window: list[str], in_hunk: bool) -> tuple[int, int]:
    explained = total = 0
    in_message = False
    # a hunk runs to the counts of its ``@@`` line; a window opening inside one reads on while its
    # lines look like a hunk's
    hunk_until = len(window) if in_hunk else 0
    for index, line in enumerate(window):
        if not line.strip():
            continue
        total += 1
        header = HUNK_HEADER.match(line)
        if header:
            hunk_until, in_message = hunk_end(window, index, header)[0], False
        elif _HEADER_RE.match(line):
            hunk_until, in_message = 0, False
        elif index < hunk_until and _HUNK_RE.match(line):
            pass
        elif _COMMIT_RE.match(line):
            hunk_until, in_message = 0, True
        elif _STAT_RE.match(line) or (in_message and line.startswith("    ")):
            pass
        else:
            hunk_until, in_message = 0, False
            continue
        explained += 1
    return explained, total


def is_diff(text: str) -> bool:
    return diff_share(text) >= _AT_LEAST


DETECTORS = (Detector("diff", "diff", is_diff),)
