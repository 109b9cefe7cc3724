"""How deep a JSON text nests, measured before it is parsed: the JSON family's depth limit.

``json.loads`` recurses once per level (in C, against the interpreter's
recursion limit), and the JSON compressor's selection and row table walk the
parsed document recursively too. A tool output nested a thousand levels deep
(generated or hostile) raised ``RecursionError`` from the detector, and far
less, a few dozen levels of single-key objects, made the row table's flattening
take minutes. Real documents rarely pass a few dozen levels (API responses
nest under ten, syntax trees dumped as JSON a few dozen), so a document deeper
than ``MAX_DEPTH`` is not parsed at all: it is compressed as text, and the
compressor records why (``nested deeper than 64 levels``), so the fall is a
visible degradation rather than a crash or a hang.

The depth is read from the text without parsing: strings are skipped (a
bracket inside one does not nest), and past the limit the running count of
brackets is followed until the first value closes, which is where
``json.loads`` stops recursing (text after it is an error, not more nesting).
So the figure is never below the parser's own depth, and a log line that
merely starts with ``[`` is not taken for a deep document. The scan is linear
and C-level for the common shallow document (about a third of ``json.loads``
on the same text); a text with fewer brackets than the limit is not scanned.
"""

from __future__ import annotations

import json
from itertools import accumulate, count
from operator import sub
from typing import Any

from headroom.plugins import Compressed

__all__ = ["MAX_DEPTH", "TooDeep", "as_text", "depth", "loads"]

MAX_DEPTH = 64
_ALL_BUT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")  # deleted: no UTF-8 sequence holds an ASCII byte
_AS_PAIRS = bytes.maketrans(b"[{]}", b"(())")
# an opening bracket counts 2 and a closing one 0: the running sum less the position is the depth
_AS_WEIGHTS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


class TooDeep(ValueError):
    """A JSON text nested deeper than the limit (a ``ValueError``, as the parser's own refusals are)."""


def depth(text: str, limit: int = MAX_DEPTH) -> int:
    """How deep the first JSON value in ``text`` nests (0 for a scalar), read without parsing.

    Exact when it is above ``limit``. At or under it, the figure may be an
    upper bound (the count of brackets when there are no more than ``limit``,
    or the depth of the deepest value when several follow each other), which
    is all a comparison with ``limit`` needs. Every step is a C-level pass over
    the text: strings go by splitting at quotes (escaped backslashes and quotes
    removed first, pairing them left to right as the JSON lexer does), the
    brackets are kept as bytes, and a balanced document empties after as many
    passes dropping ``()`` as it is deep. Only a deeper or unbalanced text is
    followed bracket by bracket.
    """
    opening = text.count("[") + text.count("{")
    if opening <= limit:
        return opening
    if "\\" in text:
        text = text.replace("\\\\", "").replace('\\"', "")
    outside = "".join(text.split('"')[0::2])  # an unterminated string's rest is dropped: no nesting in it
    brackets = outside.encode("utf-8", "surrogatepass").translate(None, _ALL_BUT_BRACKETS)
    pairs = brackets.translate(_AS_PAIRS)
    for passes in range(1, limit + 1):
        pairs = pairs.replace(b"()", b"")
        if not pairs:
            return passes
    running = list(map(sub, accumulate(brackets.translate(_AS_WEIGHTS)), count(1)))
    try:
        closes = running.index(0)  # the first value ends here; json.loads goes no deeper after it
    except ValueError:
        closes = len(running) - 1
    return max(running[: closes + 1], default=0)


def loads(text: str, limit: int = MAX_DEPTH) -> Any:
    """``json.loads(text)``, or ``TooDeep`` when it nests deeper than ``limit`` levels.

    The last large text parsed is remembered with its value (``_Last``): the
    router's detector, the compressor and its ``describe`` each parse the same
    piece, and at 1 MB one parse costs about a seventh of encoding the text
    once. The value is shared, so no caller may change it (none does: the
    shrinker and the row table build new containers)."""
    found = _LAST.get(text, limit)
    if found is not None:
        return found[0]
    depth_found = depth(text, limit)
    if depth_found > limit:
        raise TooDeep(f"nested {depth_found} levels deep, more than {limit}")
    value = json.loads(text)
    _LAST.put(text, limit, value)
    return value


class _Last:
    """One remembered parse of a text of at least ``MIN`` characters: bounded to one entry, so
    it holds at most the piece being compressed; a text is matched by its characters (a
    ``strip()`` elsewhere makes another object of the same text)."""

    MIN = 20_000

    def __init__(self) -> None:
        self._entry: tuple[str, int, Any] | None = None

    def get(self, text: str, limit: int) -> tuple[Any] | None:
        entry = self._entry
        if entry is None or entry[1] != limit or len(entry[0]) != len(text) or entry[0] != text:
            return None
        return (entry[2],)

    def put(self, text: str, limit: int, value: Any) -> None:
        if len(text) >= self.MIN:
            self._entry = (text, limit, value)


_LAST = _Last()


def as_text(out: Compressed | None, text: str, limit: int = MAX_DEPTH) -> Compressed | None:
    """The text compressor's ``out`` for a piece routed as JSON, with the reason recorded when
    the reason is depth (a piece that only looked like JSON needs no note); for JSON lines, the
    deepest line's depth."""
    found = max(depth(part.strip(), limit) for part in (text, *text.split("\n")))
    if out is None or found <= limit:
        return out
    note = f"nested {found} levels deep, more than the {limit} the JSON compressor parses; compressed as text"
    return Compressed(out.text, out.lossless, out.omitted, out.output_kind, (*out.fallbacks, note))
