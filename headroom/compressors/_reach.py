"""Reaching a target: the fit loop of the selecting compressors, searching both ways.

A compressor that selects under a budget chooses by estimated costs, renders
the choice and counts it with the real counter. ``shrink_to_fit`` only ever
moves down, so an estimate that erred high (JSON keys, markers, a row table
cheaper than its JSON) ended far below the room: issue 12 saw a JSON piece
given 8,600 tokens end at 822. ``reach`` searches the room the compressor
plans with until the rendering lands between ``floor`` x target and the
target: a rendering that fits but falls short raises the room (by the ratio
it missed by, never past the smallest room that overshot), one that
overshoots lowers it (by the same ratio, or to the middle once a fitting room
is known). The best fitting rendering seen is returned, so a search that runs
out of tries still gives the fullest result that fits, and the caller records
why it fell short (``short_of``).

Monotone in the target: once a room has overshot, the search bisects to the
largest room that fits instead of stopping at the first rendering above
``floor`` x target. Stopping there made the result depend on the path: a row
table asked for 599 tokens fitted its first room (74 rows, 597 tokens), asked
for 611 it overshot, cut the room by 3% and stopped at 73 rows (589 tokens),
so the core's split, whose targets grow with the budget, sent fewer rows under
a larger budget (``tests/test_budget.py``). A search that never overshoots still
stops at the floor: a larger target then starts from a larger room. The
bisection costs renders only after an overshoot, and only for a rendering that
grows with its room (no ``rank``): a ranked search (JSON, prose) keeps the
first rendering that holds what the question asks, as before.

A compressor whose rendering is not monotone in the room (JSON: a room of 53
rendered 66 tokens and one of 82 rendered 45, as the markers and the forms
traded places) passes ``rank``: every fitting rendering the search saw is
compared by it (the asked-for units kept, then the tokens), so a short result
that kept what the question asks for is not traded for a fuller one that lost it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

__all__ = ["FLOOR", "reach", "short_of", "whole_rooms"]

FLOOR = 0.9  # a result below this share of its target says why (issue 12)
_T = TypeVar("_T")
_R = TypeVar("_R")


def reach(
    attempt: Callable[[float], tuple[_T, int] | None],
    room: float,
    target: int,
    *,
    tries: int = 8,
    floor: float = FLOOR,
    rank: Callable[[_T, int], tuple[float, ...]] | None = None,
) -> tuple[_T, int] | None:
    """The fullest ``(result, tokens)`` within ``target`` that ``attempt`` rendered, or None.

    ``attempt(room)`` renders the choice made for ``room`` (in the compressor's
    own estimated tokens) and returns it with its real token count, or None
    when ``room`` yields nothing to return (everything kept, or nothing fits):
    the search then treats that room as too large when a smaller one already
    fitted, and as too small otherwise. ``rank(result, tokens)`` orders the
    fitting renderings (highest wins); without it, the most tokens win.
    """
    order: Callable[[_T, int], tuple[float, ...]] = rank or (lambda _, tokens: (tokens,))
    best: tuple[_T, int] | None = None
    low, high = 0.0, math.inf  # the largest room that fitted, the smallest that overshot
    for _ in range(tries):
        got = attempt(room)
        if got is None:
            if best is not None:
                high = min(high, room)
                nxt = (low + high) / 2
            else:
                nxt = room * 0.85
                if nxt < 1:
                    return None
        elif got[1] > target:
            high = min(high, room)
            ratio = room * target / max(1, got[1]) * 0.97
            nxt = (low + high) / 2 if best is not None else ratio
        else:
            if best is None or order(*got) > order(*best):
                best = got
            low = max(low, room)
            if high < math.inf and rank is None:  # bracketed: the largest room that fits (monotone)
                if got[1] == target:
                    return best
                nxt = (low + high) / 2
            elif got[1] >= floor * target:
                return best
            else:
                nxt = room * min(4.0, 0.98 * target / max(1, got[1]))
                if high < math.inf:
                    nxt = min(nxt, (low + high) / 2)
        if abs(nxt - room) < 1:
            break
        room = nxt
    return best


def whole_rooms(attempt: Callable[[float], _R]) -> Callable[[float], _R]:
    """``attempt`` run once per whole room, for a rendering that reads only ``int(room)``: the
    bisection after an overshoot tries rooms under a token apart, which choose the same lines."""
    seen: dict[int, _R] = {}

    def remembered(room: float) -> _R:
        whole = int(room)
        if whole not in seen:
            seen[whole] = attempt(room)
        return seen[whole]

    return remembered


def short_of(tokens: int, target: int, why: str) -> tuple[str, ...]:
    """The fallback note for a result under ``FLOOR`` x ``target`` (empty when it reached it)."""
    if tokens >= FLOOR * target:
        return ()
    return (f"used {tokens} of {target} tokens: {why}",)
