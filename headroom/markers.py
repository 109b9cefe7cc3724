"""The one marker grammar every compressor writes (version 1).

    [hr1:482913057162345 omitted 120 lines 41-160]
     └─handle──────────┘         │     │     └ detail: free text, no ']' or newline
                                 │     └ unit, in the source's own terms
                                 └ how many units were left out

The handle redeems the whole original with ``retrieve(handle)``; the detail
names the part (for lines, a 1-based inclusive range) so ``retrieve(handle,
lines=(41, 160))`` gives exactly what the marker stands for. A marker costs 16
to 18 tokens. Text that merely looks like a marker is never taken for one: a
marker counts only where its piece put it, that is inside the compressed text
at a manifest entry's path and naming that entry's own handle
(``result_markers``). A tool output that prints a marker naming another piece of
the same result is the tool's text, not a marker: a piece's handle is the hash
of its original, so its original cannot have named it in advance.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from headroom.handles import HANDLE_RE

__all__ = ["MARKER_RE", "Marker", "find_markers", "render_marker", "result_markers"]

MARKER_RE = re.compile(
    r"\[(?P<handle>" + HANDLE_RE.pattern + r") omitted (?P<count>\d+) (?P<unit>[a-z_]+)"
    r"(?: (?P<detail>[^\]\n]+))?\]"
)

_SPAN_RE = re.compile(r"(?P<first>\d+)-(?P<last>\d+)(?:\s|$)")


@dataclass(frozen=True)
class Marker:
    handle: str
    count: int
    unit: str
    detail: str | None
    start: int
    end: int

    @property
    def span(self) -> tuple[int, int] | None:
        """The 1-based inclusive range the detail starts with (``41-160 ...`` -> ``(41, 160)``), if any.

        Markers counting ``lines`` or ``chars`` always start their detail with one,
        so ``retrieve(handle, **{unit: marker.span})`` gives what the marker stands for.
        """
        found = _SPAN_RE.match(self.detail or "")
        return (int(found["first"]), int(found["last"])) if found else None


def render_marker(handle: str, count: int, unit: str, detail: str | None = None) -> str:
    """The marker text for ``count`` omitted ``unit`` of the original ``handle``."""
    if not re.fullmatch(r"[a-z_]+", unit):
        raise ValueError(f"marker unit must be lowercase letters, got {unit!r}")
    tail = ""
    if detail:
        tail = " " + re.sub(r"[\]\n\r]+", " ", detail).strip()
    return f"[{handle} omitted {count} {unit}{tail}]"


def find_markers(text: str, handles: Collection[str]) -> list[Marker]:
    """The markers in ``text`` that headroom wrote: those whose handle is in ``handles``.

    For the text of one compressed piece pass ``{entry.handle}``: only then is a
    look-alike naming another piece of the same result ignored too.
    ``result.manifest.handles`` ignores only handles headroom did not issue in
    this result; ``result_markers`` applies the strict rule to a whole result.
    """
    found = []
    for m in MARKER_RE.finditer(text):
        if m["handle"] in handles:
            found.append(Marker(m["handle"], int(m["count"]), m["unit"], m["detail"], m.start(), m.end()))
    return found


class _Entry(Protocol):
    @property
    def handle(self) -> str: ...
    @property
    def message_index(self) -> int: ...
    @property
    def path(self) -> tuple[str | int, ...]: ...


class _Result(Protocol):
    @property
    def manifest(self) -> Any: ...


def result_markers(result: _Result) -> Iterator[tuple[_Entry, Marker]]:
    """Every marker of a compress result, with the manifest entry whose piece wrote it.

    Only the compressed text at each entry's path is searched, and only for
    that entry's handle, so a marker-shaped string anywhere else never resolves.
    """
    messages: Sequence[Any] | None = getattr(result, "messages", None)
    for entry in result.manifest.entries:
        if messages is None:
            text = getattr(result, "text", "")
        else:
            node: Any = messages[entry.message_index]
            for step in entry.path:
                node = node[step] if isinstance(node, (Mapping, list)) else None
            text = node
        if isinstance(text, str):
            for marker in find_markers(text, {entry.handle}):
                yield entry, marker
