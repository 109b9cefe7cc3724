"""Which content type a piece is: an ordered, named chain of detectors.

``DETECTION_ORDER`` below is the routing policy, read top to bottom: the first
detector that matches wins. Deterministic structural checks come first (does it
parse as JSON, is it a unified diff), heuristics after; ``text`` is what is
left. The detectors themselves live beside their compressors, one family per
folder under ``headroom/compressors/``, and each family's ``register()`` adds
its own; the chain puts a detector named here at its place in the table
whatever order the families register in. A detector the table does not name (a
plugin's) goes at the end, or before the one it names. A detected type with no
compressor registered for it goes to the generic compressor, so a detector may
land before its compressor does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from headroom.errors import RegistryError

__all__ = ["DETECTION_ORDER", "SAMPLE_LINES", "Detector", "Router", "line_share", "sample_lines"]

SAMPLE_LINES = 200
_WINDOW = 12_000  # characters per sampled window

DETECTION_ORDER: tuple[str, ...] = (
    "json",  # json/detect.py: the whole piece parses as a JSON object or array
    "search-json",  # search/detect.py: rg --json records
    "jsonlog",  # log/detect.py: JSON lines carrying a level and a time or message
    "ndjson",  # json/detect.py: every line is JSON
    "markdown",  # prose/detect.py: a markdown document (headings, fenced examples of any language)
    "mixed",  # mixed/detect.py: fenced blocks, embedded JSON or a diff among other content
    "diff",  # diff/detect.py: most sampled lines are diff, stat or commit-header lines
    "html",  # html/detect.py: a page, or a fragment of one
    "search",  # search/detect.py: grep -n lines
    "search-heading",  # search/detect.py: rg --heading output
    "log",  # log/detect.py: log, build and test-runner lines, or a crash at the end
    "table",  # table/detect.py: CSV, TSV or a markdown table
    "code",  # code/detect.py: source lines
    "config",  # text/detect.py: settings, sections and comments (a config file named without a suffix)
    "prose",  # prose/detect.py: sentences
)
"""The routing policy: detector names, first match wins; a piece no detector takes is ``text``."""


@dataclass(frozen=True)
class Detector:
    name: str
    content_type: str
    matches: Callable[[str], bool]


def sample_lines(text: str) -> list[list[str]]:
    """Windows of whole lines across ``text``: its head, and for a big piece its middle and its end.

    A detector that read only the head of a piece routed ``git log -p --stat``
    with a long stat section as text, and a log whose first screen is a
    banner as prose: a share is judged across the piece's length. Each window
    is about 12,000 characters and at most 200 lines; a window cut mid-line
    drops its partial first and last lines.
    """
    if len(text) <= 3 * _WINDOW:
        return [text.split("\n")[:SAMPLE_LINES]]
    windows = []
    for start in (0, (len(text) - _WINDOW) // 2, len(text) - _WINDOW):
        lines = text[start : start + _WINDOW].split("\n")
        lines = lines[1 if start else 0 : -1 if start + _WINDOW < len(text) else None]
        windows.append(lines[:SAMPLE_LINES])
    return windows


def line_share(text: str, pattern: re.Pattern[str], at_least: float) -> bool:
    """Whether at least ``at_least`` of the sampled non-blank lines match ``pattern``
    (never with fewer than three lines: a few lines prove nothing)."""
    lines = [line for window in sample_lines(text) for line in window if line.strip()]
    if len(lines) < 3:
        return False
    hits = sum(1 for line in lines if pattern.search(line))
    return hits / len(lines) >= at_least


class Router:
    """An ordered chain of uniquely named detectors, placed by ``order``."""

    def __init__(self, detectors: Iterable[Detector] = (), *, order: tuple[str, ...] = DETECTION_ORDER) -> None:
        self._chain: list[Detector] = []
        self._rank = {name: rank for rank, name in enumerate(order)}
        for detector in detectors:
            self.add(detector)

    def add(self, detector: Detector, *, before: str | None = None, replace: bool = False) -> None:
        """Add ``detector`` at its place in the order, else at the end, or before the one named ``before``."""
        names = [d.name for d in self._chain]
        if detector.name in names:
            if not replace:
                raise RegistryError(
                    f"a detector named {detector.name!r} is already in the chain; "
                    "pass replace=True to swap it, or pick another name"
                )
            self._chain[names.index(detector.name)] = detector
            return
        if before is not None:
            if before not in names:
                raise RegistryError(f"no detector named {before!r} to insert before; known: {names}")
            self._chain.insert(names.index(before), detector)
            return
        rank = self._rank.get(detector.name)
        later = [i for i, name in enumerate(names) if rank is not None and self._rank.get(name, -1) > rank]
        self._chain.insert(later[0] if later else len(self._chain), detector)

    def copy(self) -> Router:
        """A router with the same chain and order, changed apart from this one."""
        twin = Router()
        twin._chain, twin._rank = list(self._chain), dict(self._rank)
        return twin

    @property
    def detectors(self) -> tuple[Detector, ...]:
        return tuple(self._chain)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self._chain)

    def detect(self, text: str) -> str:
        for detector in self._chain:
            if detector.matches(text):
                return detector.content_type
        return "text"
