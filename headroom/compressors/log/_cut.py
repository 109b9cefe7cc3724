"""A log line too long for its room, shrunk to its head, the question's words in context and its tail.

apt's ``history.log`` writes one ``Install:`` line per transaction: 2,000-3,500 tokens naming
every package. A question about one package ranks that line first, and a room of 2,240 tokens
cannot hold it, so the line used to go whole and a shorter, less relevant line took its place.
Now the line keeps what a reader needs to tell it is the one: its head (``Install:`` and the
first entries), a window of characters around each of the question's words that locate a place
in it (``manpages-dev:amd64``), and its tail; each omitted stretch is one ``chars`` mark whose
range counts characters of the whole log, so ``retrieve(handle, chars=...)`` gives it back.

A word is a locator only when it names a few places in the line: ``amd64``, on every entry of an
``Install:`` line, would put a window everywhere. The question's words are taken as written
(``manpages-dev:amd64``) before its terms (``manpages``, ``dev``), and longer words first,
because the written word names one entry where its parts name many.
"""

from __future__ import annotations

import re

from headroom.relevance import terms

__all__ = ["cut_spans", "locators"]

_HEAD = 160  # characters kept from a cut line's start
_TAIL = 80  # and from its end
_WINDOW = 100  # characters each side of a locating word
_LOCATORS = 3  # windows at most, one per word
_MAX_PLACES = 3  # a word found more often than this in the line locates nothing
_JOIN = 40  # two kept stretches closer than this become one (a mark would cost about as much)
MIN_CHARS = 600  # shorter lines are kept whole or not at all
_WORD_EDGE = 24  # how far a stretch's edge moves outward to end at a blank
_PUNCT = "\"'`.,;:!?()[]{}<>"
_SPACE = re.compile(r"\s")


def locators(query: str | None) -> tuple[str, ...]:
    """The question's words that may locate a place in a line, lower-cased: each word as written
    (its outer punctuation stripped), then its terms, longest first; three letters at least."""
    if not query:
        return ()
    written = [word.strip(_PUNCT).lower() for word in query.split()]
    words = dict.fromkeys(word for word in (*written, *terms(query)) if len(word) >= 3)
    return tuple(sorted(words, key=lambda word: -len(word)))


def cut_spans(line: str, words: tuple[str, ...]) -> list[tuple[int, int]] | None:
    """The ``[start, end)`` stretches of ``line`` a cut keeps, in order, or None when the line is
    short, holds no locating word, or the cut would keep half of it or more."""
    body = len(line.rstrip("\n"))
    if body < MIN_CHARS or not words:
        return None
    low = line[:body].lower()
    anchors: list[tuple[int, int]] = []
    for word in words:
        at = low.find(word)
        if at < 0 or low.count(word, at) > _MAX_PLACES:
            continue
        if any(start <= at < end for start, end in anchors):  # a part of a word already located
            continue
        anchors.append((at, at + len(word)))
        if len(anchors) == _LOCATORS:
            break
    if not anchors:
        return None
    wanted = [(0, _HEAD), *((start - _WINDOW, end + _WINDOW) for start, end in anchors), (body - _TAIL, body)]
    spans: list[tuple[int, int]] = []
    for start, end in sorted(wanted):
        start, end = _to_blank(line, max(0, start), -1), _to_blank(line, min(body, end), 1)
        if spans and start - spans[-1][1] < _JOIN:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    spans[-1] = (spans[-1][0], body)
    if sum(end - start for start, end in spans) * 2 >= body:
        return None
    return spans


def _to_blank(line: str, at: int, step: int) -> int:
    """``at`` moved by up to ``_WORD_EDGE`` characters in ``step``'s direction to a blank, so a
    kept stretch starts and ends between words; ``at`` itself when no blank is that near."""
    for moved in range(_WORD_EDGE):
        position = at + step * moved
        if position <= 0 or position >= len(line):
            return max(0, min(position, len(line)))
        if _SPACE.match(line, position if step > 0 else position - 1):
            return position
    return at
