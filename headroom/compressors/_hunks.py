"""Where a unified diff's hunk ends: at the line counts its ``@@`` header gives.

A hunk is its header's count of old lines (context and ``-``) and of new lines (context and
``+``), and any ``\\ No newline at end of file`` notes. Three readers need its end: the diff
compressor's parser, the diff detector and the mixed splitter's embedded diffs. The two detectors
used to read a hunk on for as long as lines kept starting with a space, a ``+`` or a ``-``, so
one stray ``@@ -1,3 +1,3 @@`` line in a Python file claimed every indented line below it (the
file went to the diff compressor), and one in a text made it mixed (``benchmarks/routing.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["HUNK_HEADER", "hunk_end", "is_context"]

HUNK_HEADER = re.compile(r"^@@ -(?P<os>\d+)(?:,(?P<oc>\d+))? \+(?P<ns>\d+)(?:,(?P<nc>\d+))? @@(?P<suffix>[^\n]*)")


def is_context(kind: str) -> bool:
    """Whether a hunk line starting with ``kind`` is context (tools strip the space of a blank one)."""
    return kind in (" ", "\n", "\r", "")


def hunk_end(lines: Sequence[str], index: int, header: re.Match[str]) -> tuple[int, int, int]:
    """(end, exclusive; lines added; lines removed) of the hunk whose ``@@`` line ``header`` is
    ``lines[index]``. A hunk whose lines stop looking like one before its counts are spent ends
    there."""
    old = int(header["oc"]) if header["oc"] is not None else 1
    new = int(header["nc"]) if header["nc"] is not None else 1
    index += 1
    added = removed = 0
    while index < len(lines) and (old > 0 or new > 0 or lines[index].startswith("\\")):
        kind = lines[index][:1]
        if kind == "+":
            new, added = new - 1, added + 1
        elif kind == "-":
            old, removed = old - 1, removed + 1
        elif is_context(kind):
            old, new = old - 1, new - 1
        elif kind != "\\":
            break  # a malformed hunk ends where its lines stop looking like one
        index += 1
    return index, added, removed
