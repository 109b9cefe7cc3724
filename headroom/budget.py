"""Choosing how hard to compress each piece so the whole fits the budget.

Pure: the allocator sees only numbers. Each piece has a ladder of levels,
0 = the default policy, 1..L = the lossy fractions of ``Config.levels``,
L+1 = a bare marker; ``size(i, level)`` gives its tokens there (computed lazily
by the caller, non-increasing along the ladder).

Pieces fall into *slices* of ``slack x budget`` input tokens by where their
message ends, so a piece's slice depends only on what comes before it. The
search walks one fixed sequence of configurations and takes the first that
fits: a frontier moves forward slice by slice (older pieces first), and for
each frontier every piece up to it climbs the ladder together (least lossy
first); pieces past the frontier stay at their default. Appended turns land
past every frontier already tried, so they never change how those
configurations score.

The fit test keeps a reserve: the default total rounded up to the next
multiple of the slice size, minus the default total. While a conversation grows
within one slice the reserve shrinks by exactly what was appended at default,
so the chosen configuration, and every earlier message, stays the same; when
it crosses into the next slice the reserve grows and the allocator moves on
once, leaving up to one slice of room for the turns that follow (docs/budget.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from headroom.errors import InvalidInput

__all__ = ["Allocation", "allocate", "check_budget"]


@dataclass(frozen=True)
class Allocation:
    levels: tuple[int, ...]
    total: int
    fits: bool


def allocate(
    *,
    size: Callable[[int, int], int],
    positions: Sequence[int],
    fixed: int,
    budget: int | None,
    top_level: int,
    slack: float,
) -> Allocation:
    """Levels per piece: the first configuration in the fixed sequence that fits ``budget``."""
    count = len(positions)

    def total(levels: Sequence[int]) -> int:
        return fixed + sum(size(i, level) for i, level in enumerate(levels))

    default = total([0] * count)
    if budget is None or default <= budget:
        return Allocation((0,) * count, default, budget is None or default <= budget)
    step = max(1.0, slack * budget)
    reserve = math.ceil(default / step) * step - default
    slices = [max(1, math.ceil(p / step)) for p in positions]
    fallback: Allocation | None = None
    for frontier in sorted(set(slices)):
        for level in range(1, top_level + 1):
            levels = tuple(level if s <= frontier else 0 for s in slices)
            current = total(levels)
            if current + reserve <= budget:
                return Allocation(levels, current, True)
            if fallback is None and current <= budget:
                fallback = Allocation(levels, current, True)
    if fallback is not None:
        return fallback
    # built last: a top level needs every level below it built first, and most searches stop well before it
    smallest = (top_level,) * count
    return Allocation(smallest, total(smallest), False)


def check_budget(budget: object) -> None:
    """Raise ``InvalidInput`` unless ``budget`` is a positive int of tokens or None.

    Every entry point that takes a budget (the core, the LangChain helpers)
    calls this one check, so they refuse the same values with the same words.
    """
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 1):
        raise InvalidInput(f"budget must be a positive int of tokens or None, got {budget!r}")
