"""The one marker grammar every compressor writes (version 2), and its readers.

A compressed piece names its handle once, in its first mark; every further
mark in the piece says only what it stands for::

    [hr1:482913057162345 …120 lines 41-160]      the piece's first mark (17-18 tokens)
    […9 lines 201-209 error:2 info:7]            any later mark in it (8 tokens with a range)
      │ │     │       └ detail: the range first, then a compressor's summary; no ']' or newline
      │ │     └ unit, in the source's own terms
      │ └ how many units were left out
      └ "…" (U+2026), one token, where version 1 spent "hr1:<15 digits> omitted" (10 tokens)

The handle redeems the whole original with ``retrieve(handle)``; the range
names the part, so ``retrieve(handle, lines=(41, 160))`` gives exactly what a
mark stands for. Compressors call ``ctx.marker(count, unit, detail)`` and get
the short form; the core then writes the handle into the piece's first mark
(``mark_piece``), so no compressor needs to know which of its marks comes first.

Look-alikes are never markers. Text that matches the grammar and was already
in the original (a tool printing ``[…3 lines 1-3]``, or a previous
compression's output) is not ours: ``mark_piece`` skips it, the manifest
records the marks the piece really carries, and ``find_markers`` returns only
marks whose handle is in the manifest, or short marks that follow such a
handle mark in the same text and (given the manifest) are recorded in its entry.

``result_markers`` applies the strictest rule to a whole result: only the
compressed text at each manifest entry's path is searched, and only for that
entry's handle, so a tool output that prints a mark naming another piece of the
same result is the tool's text (a piece's handle is the hash of its original,
so its original cannot have named it in advance).

A mark's ranges have one grammar, written by ``write_ranges`` and read by
``parse_ranges``: 1-based inclusive ``first-last`` stretches joined by commas
(``3-9,14-20``), a one-unit stretch written ``7-7``. Every compressor's mark
(one stretch or a summary's many) and the retrieval tool's ``lines`` go through
these two, so what a mark shows is what the tool takes back.

Version-1 markers (``[hr1:482913057162345 omitted 120 lines 41-160]``) in a
stored conversation keep resolving: ``MARKER_RE`` and ``find_markers`` read both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from headroom.errors import InvalidInput
from headroom.handles import HANDLE_RE
from headroom.manifest import Manifest

__all__ = [
    "ELLIPSIS",
    "MARKER_RE",
    "MARKER_V1_RE",
    "MARKER_VERSION",
    "MARK_RE",
    "Marker",
    "choose_marks",
    "find_markers",
    "mark_piece",
    "own_marks",
    "parse_marker",
    "parse_ranges",
    "piece_marks",
    "render_mark",
    "render_marker",
    "result_markers",
    "write_ranges",
]

MARKER_VERSION = 2
ELLIPSIS = "\u2026"  # "…": one cl100k/o200k token, and what a reader takes for "left out"

_TAIL = r"(?P<count>\d+) (?P<unit>[a-z_]+)(?: (?P<detail>[^\]\n]+))?\]"
#: any marker headroom ever wrote: version 1, a version-2 handle mark, or a version-2 short mark
MARKER_RE = re.compile(
    r"\[(?:(?P<handle>" + HANDLE_RE.pattern + r") (?:omitted |" + ELLIPSIS + r")|" + ELLIPSIS + r")" + _TAIL
)
#: a version-2 short mark: what ``ctx.marker`` writes
MARK_RE = re.compile(r"\[" + ELLIPSIS + _TAIL)
#: a version-1 marker (still read, never written)
MARKER_V1_RE = re.compile(r"\[(?P<handle>" + HANDLE_RE.pattern + r") omitted " + _TAIL)

_SPAN_RE = re.compile(r"(?<!\d)(?P<first>\d+)-(?P<last>\d+)(?:\s|:|$)")  # starts where a number starts: linear
# A range's number as parse_ranges reads it: ASCII digits (a mark never holds others, though int()
# would read them), at most 20 (int() refuses over 4,300 digits; a look-alike mark may hold more).
_NUM = r"[0-9]{1,20}"
_NUM_MAX = 20
_SPANS_RE = re.compile(rf"(?P<spans>{_NUM}-{_NUM}(?:,{_NUM}-{_NUM})*)(?:\s|:|$)")
# one stretch as a caller may write it: what write_ranges writes, or a lone number, with the
# spaces or en dash a model may put in
_PART_RE = re.compile(rf"\s*({_NUM})\s*(?:[-\u2013]\s*({_NUM})\s*)?")
_UNIT_RE = re.compile(r"[a-z_]+")
_SPAN_UNITS = ("lines", "chars", "rows")  # the units retrieve() takes a range in


@dataclass(frozen=True)
class Marker:
    """One mark found in a text: the handle of its piece and what it stands for.

    ``start``/``end`` locate it in the text searched; ``version`` is 1 for an
    old ``[hr1:… omitted …]`` marker, else 2 (``short`` when it is not the
    mark that names the handle).
    """

    handle: str
    count: int
    unit: str
    detail: str | None
    start: int
    end: int
    version: int = MARKER_VERSION
    short: bool = False

    @property
    def span(self) -> tuple[int, int] | None:
        """The 1-based inclusive range the detail starts with (``41-160 ...`` -> ``(41, 160)``), if any.

        Marks counting ``lines`` or ``chars`` always start their detail with one,
        so ``retrieve(handle, **{unit: marker.span})`` gives what the mark stands for.
        """
        found = _SPAN_RE.match(self.detail or "")
        if found is None or max(len(found["first"]), len(found["last"])) > _NUM_MAX:
            return None  # a look-alike's run of digits: int() would raise on one of over 4,300
        return int(found["first"]), int(found["last"])

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """Every range the detail starts with: one for most marks, several for a summary mark
        (``3-9,14-20 ...`` -> ``((3, 9), (14, 20))``, see ``choose_marks``)."""
        found = _SPANS_RE.match(self.detail or "")
        return parse_ranges(found["spans"]) if found else ()

    @property
    def selector(self) -> dict[str, tuple[int, int] | tuple[tuple[int, int], ...]]:
        """What to pass to ``retrieve(marker.handle, **marker.selector)`` for exactly the marked part:
        its range, or every range of a summary mark (``lines=((3, 9), (14, 20))``, which ``retrieve``
        answers with those parts joined in order). Empty when the unit has no range selector: the
        whole original is then the answer. A summary mark once gave ``{}`` here, so the whole original
        came back for it, not what it stood for."""
        if self.unit not in _SPAN_UNITS:
            return {}
        span = self.span
        if span is not None:
            return {self.unit: span}
        spans = self.spans
        if not spans:
            return {}
        return {self.unit: spans[0] if len(spans) == 1 else spans}


def render_mark(count: int, unit: str, detail: str | None = None) -> str:
    """A short mark: ``count`` ``unit`` left out, ``detail`` starting with their range."""
    if not _UNIT_RE.fullmatch(unit):
        raise ValueError(f"marker unit must be lowercase letters, got {unit!r}")
    tail = ""
    if detail:
        tail = " " + re.sub(r"[\]\n\r]+", " ", detail).strip()
    return f"[{ELLIPSIS}{count} {unit}{tail}]"


def render_marker(handle: str, count: int, unit: str, detail: str | None = None) -> str:
    """A mark that names its piece's handle (a piece's first mark, or a bare marker for a whole piece)."""
    return _with_handle(render_mark(count, unit, detail), handle)


def _with_handle(mark: str, handle: str) -> str:
    return f"[{handle} {mark[1:]}"


def _lookalikes(original: str) -> frozenset[str]:
    # one pass over the original: a mark-shaped string it already holds is its content, not ours
    return frozenset(m.group(0) for m in MARK_RE.finditer(original)) if ELLIPSIS in original else frozenset()


def own_marks(text: str, original: str) -> Iterator[re.Match[str]]:
    """The short marks a compressor wrote into ``text`` (its output for ``original``).

    A mark-shaped string that also occurs in ``original`` is taken for content
    the compressor kept, never for one of its marks.
    """
    if ELLIPSIS not in text:
        return
    lookalikes = _lookalikes(original)
    for found in MARK_RE.finditer(text):
        if found.group(0) not in lookalikes:
            yield found


def mark_piece(text: str, original: str, handle: str) -> str:
    """``text`` (a compressor's output for ``original``) with ``handle`` written into its first mark.

    The one place a piece gets its handle; a text with no mark of its own (a
    lossless re-encoding) is returned unchanged.
    """
    first = next(own_marks(text, original), None)
    if first is None:
        return text
    return text[: first.start()] + _with_handle(first.group(0), handle) + text[first.end() :]


def piece_marks(text: str, original: str, handle: str) -> tuple[str, ...]:
    """The short forms of the marks ``mark_piece`` left in ``text``, in order (what the manifest records)."""
    prefix = f"[{handle} "
    out = []
    for found in MARKER_RE.finditer(text):
        mark = found.group(0)
        if found["handle"] == handle and mark.startswith(prefix + ELLIPSIS):
            out.append("[" + mark[len(prefix) :])
        elif found["handle"] is None:
            out.append(mark)
    lookalikes = _lookalikes(original)
    return tuple(mark for mark in out if mark not in lookalikes)


def find_markers(text: str, handles: Collection[str] | Manifest, *, piece: str | None = None) -> list[Marker]:
    """The marks in ``text`` that headroom wrote, each tied to its piece's handle.

    ``handles`` is ``result.manifest`` (or ``result.manifest.handles``): a mark
    naming a handle not in it is a look-alike and ignored, and so are the short
    marks after it. A short mark belongs to the handle mark before it in
    ``text``; one before any handle mark belongs to ``piece`` (default: the
    only handle, when ``handles`` holds one), which is how a compressor's own
    output, before the core names the handle, is read. Given the manifest, a
    short mark counts only if its piece's entry records it. A mark-shaped string
    whose count runs over 20 digits is a look-alike (headroom never writes one),
    never a ValueError from ``int()``.
    """
    recorded: dict[str, frozenset[str]] = {}
    if isinstance(handles, Manifest):
        recorded = {e.handle: frozenset(e.marks) for e in handles.entries if e.marks}
        handles = handles.handles
    if piece is None and len(handles) == 1:
        (piece,) = handles
    current = piece if piece is None or piece in handles else None
    found: list[Marker] = []
    for m in MARKER_RE.finditer(text):
        count, unit, detail = _count(m["count"]), m["unit"], m["detail"]
        if m["handle"] is not None:
            # a foreign handle, or an absurd count: a look-alike, and so are the short marks after it
            current = m["handle"] if m["handle"] in handles and count is not None else None
            if current is not None and count is not None:
                version = 1 if m.group(0).startswith(f"[{current} omitted ") else 2
                found.append(Marker(current, count, unit, detail, m.start(), m.end(), version))
            continue
        if current is None or count is None or (current in recorded and m.group(0) not in recorded[current]):
            continue
        found.append(Marker(current, count, unit, detail, m.start(), m.end(), short=True))
    return found


def _count(digits: str) -> int | None:
    """A mark's count, or None for a look-alike's absurd one (over ``_NUM_MAX`` digits).

    headroom never writes such a count, and ``int()`` raises ValueError on a run of
    over 4,300 digits, which a user's text may hold in a mark-shaped string: bounded
    as ``Marker.span`` bounds a range, so such a text is content, never a crash.
    """
    return int(digits) if len(digits) <= _NUM_MAX else None


def parse_marker(text: str, handle: str | None = None) -> Marker:
    """One mark, as a model or a user pastes it (any version); ``handle`` for a short mark.

    The CLI and the retrieval tools read a pasted mark through this, so every
    reader agrees on the grammar. Raises ``InvalidInput`` naming what to pass.
    """
    stripped = text.strip()
    found = MARKER_RE.fullmatch(stripped)
    if found is None or _count(found["count"]) is None:  # an absurd count: a look-alike, not a mark
        raise InvalidInput(
            f"{text[:80]!r} is not a headroom mark; expected [hr1:<15 digits> {ELLIPSIS}N unit A-B] "
            f"or [{ELLIPSIS}N unit A-B]"
        )
    owner = found["handle"] or handle
    if owner is None:
        raise InvalidInput(
            f"{stripped!r} is a short mark: pass the handle from its piece's first mark "
            f"([hr1:<15 digits> {ELLIPSIS}...]) with it"
        )
    version = 1 if " omitted " in stripped and found["handle"] else 2
    detail = found["detail"]
    return Marker(owner, int(found["count"]), found["unit"], detail, 0, len(stripped), version, found["handle"] is None)


def write_ranges(stretches: Iterable[tuple[int, int]]) -> str:
    """``3-9,14-20``: 1-based inclusive ``(first, last)`` stretches as every mark writes them, in order.

    The one writer of the range grammar (``parse_ranges`` reads it back): a mark's
    single range, a summary mark's list, the code excerpt's gaps and the row
    compressors' runs all come from here, so no two compressors spell a range apart.
    A one-unit stretch stays ``7-7``: ``Marker.span`` and every reader before this
    function expect ``first-last``, and marks already in stored conversations use it.
    """
    return ",".join(f"{first}-{last}" for first, last in stretches)


def parse_ranges(text: str, name: str = "lines") -> tuple[tuple[int, int], ...]:
    """The stretches of a range text (``"1-6,8-19"`` -> ``((1, 6), (8, 19))``), in the order written.

    Reads what ``write_ranges`` writes, so ``parse_ranges(write_ranges(s)) == tuple(s)``,
    and what a model copies from a mark with small liberties: a lone number is a
    one-unit stretch (``"7"`` -> ``(7, 7)``), spaces and an en dash are allowed.
    Stretches are kept as given (out of order or overlapping), as ``retrieve`` joins
    them. ``name`` is the selector named in the ``InvalidInput`` a bad text raises.
    """
    example = "e.g. '41-160', or several joined by commas as a summary mark lists them, '1-6,8-19'"
    if not isinstance(text, str):
        raise InvalidInput(f"{name} takes a range text, {example}; got {type(text).__name__}")
    out = []
    for part in text.split(","):
        found = _PART_RE.fullmatch(part)
        if found is None:
            raise InvalidInput(
                f"{name}={_clip(text)}: {_clip(part.strip())} is not a range; write first-last, "
                f"1-based and inclusive, {example}"
            )
        first, last = int(found[1]), int(found[2] or found[1])
        if not 1 <= first <= last:
            raise InvalidInput(
                f"{name}={_clip(text)}: {first}-{last} runs {'from 0' if first < 1 else 'backwards'}; "
                f"ranges count from 1 and end at or after their start, {example}"
            )
        out.append((first, last))
    return tuple(out)


def _clip(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def choose_marks(
    stretches: Sequence[tuple[int, int]], unit: str, count: Callable[[str], int], *, detail: str = ""
) -> tuple[list[str], str | None]:
    """Marks for dropped ``stretches`` (1-based inclusive ranges in ``unit``): one per stretch, or one
    summary mark for them all, whichever costs fewer real tokens (``count`` is the piece's counter).

    Returns ``(per_stretch, None)`` or ``([], summary)``. The summary lists every
    range (``[…57 lines 3-9,14-20,31-73]``), so each stretch stays retrievable,
    but it no longer shows the reader where each gap was; marks in place are
    worth that, so the summary wins only at half their cost or less: where many
    small stretches would each carry a mark (a search result or log that keeps
    scattered lines, each already showing its line number).
    """
    each = [render_mark(last - first + 1, unit, write_ranges([(first, last)])) for first, last in stretches]
    if len(each) < 2:
        return each, None
    total = sum(last - first + 1 for first, last in stretches)
    ranges = write_ranges(stretches)
    summary = render_mark(total, unit, f"{ranges} {detail}".strip())
    # a per-stretch mark sits on a line of its own: its newline is part of its cost
    if 2 * (count(summary) + 1) <= sum(count(mark) + 1 for mark in each):
        return [], summary
    return each, None


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
            recorded = frozenset(getattr(entry, "marks", ()) or ())
            for marker in find_markers(text, {entry.handle}, piece=entry.handle):
                if not marker.short or not recorded or text[marker.start : marker.end] in recorded:
                    yield entry, marker
