"""A text shown as the stretches of it a cut keeps, one ``chars`` mark for each stretch left out.

Two cuts keep stretches of characters: the generic cut's head and tail (a long line, or a text
too few lines long to cut by lines) and the log family's long-line cut (head, a window around
each of the question's words, tail; ``log/_cut.py``). They used to render apart and disagreed
where a head or a tail was empty (the generic cut wrote a blank before a mark that opened the
text and after one that closed it). One renderer serves both: the kept stretches and the marks
are joined by single blanks, none before the first part or after the last, and a mark's range
counts characters from ``offset`` (the text's place in the whole piece), so
``retrieve(handle, chars=...)`` gives the stretch back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

__all__ = ["render_spans"]


def render_spans(
    text: str, spans: Iterable[tuple[int, int]], offset: int, marker: Callable[[int, str, str], str]
) -> tuple[str, int]:
    """``text`` as its ``[start, end)`` stretches in ``spans`` with a mark for each omitted one,
    and how many characters it omits.

    Stretches are clipped to the text, sorted and merged where they touch or overlap (a head and
    tail that meet leave nothing out, so no mark of nothing is written); ``marker(count, unit,
    detail)`` is the compressor's ``ctx.marker``.
    """
    merged: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    parts: list[str] = []
    gone = at = 0
    for start, end in [*merged, (len(text), len(text))]:
        if start > at:
            parts.append(marker(start - at, "chars", f"{offset + at + 1}-{offset + start}"))
            gone += start - at
        if end > start:
            parts.append(text[start:end])
        at = end
    return " ".join(parts), gone
