"""Choosing how hard to compress each piece so the whole fits the budget.

Pure: the allocator sees only numbers. Each piece has a ladder of levels,
0 = the default policy, 1..L = the lossy fractions of ``Config.levels``,
L+1 = a bare marker; ``size(i, level)`` gives its tokens there (computed lazily
by the caller, non-increasing along the ladder).

The search walks one fixed sequence of configurations and takes the first that
fits. Within each level it escalates large pieces before smaller ones
(size classes: a quarter of the budget, a sixteenth, any), and within a size
class it grows a zone from the oldest piece forward, one slice of
``slack x budget`` input tokens at a time. A piece's slice depends only on the
tokens before it, so the sequence for earlier pieces never changes when turns
are appended: the chosen configuration only moves forward, earlier messages
stay byte-identical until it does, and each move compresses a whole slice at
once, which frees room for the turns that follow (docs/budget.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Allocation", "allocate"]

_SIZE_CLASSES = (1 / 4, 1 / 16, 0.0)


@dataclass(frozen=True)
class Allocation:
    levels: tuple[int, ...]
    total: int
    fits: bool


def allocate(
    *,
    size: Callable[[int, int], int],
    positions: Sequence[int],
    originals: Sequence[int],
    fixed: int,
    budget: int | None,
    top_level: int,
    slack: float,
) -> Allocation:
    """Levels per piece: the first configuration in the fixed sequence that fits ``budget``."""
    count = len(positions)

    def total(levels: Sequence[int]) -> int:
        return fixed + sum(size(i, level) for i, level in enumerate(levels))

    levels = [0] * count
    current = total(levels)
    if budget is None or current <= budget:
        return Allocation(tuple(levels), current, budget is None or current <= budget)
    step = max(1.0, slack * budget)
    slices = [max(1, math.ceil(p / step)) for p in positions]
    zones = sorted(set(slices))
    for level in range(1, top_level + 1):
        done: set[int] = set()
        for share in _SIZE_CLASSES:
            floor = share * budget
            for zone in zones:
                chosen = done | {i for i in range(count) if slices[i] <= zone and originals[i] >= floor}
                candidate = [level if i in chosen else level - 1 for i in range(count)]
                if candidate == levels:
                    continue
                levels = candidate
                current = total(levels)
                if current <= budget:
                    return Allocation(tuple(levels), current, True)
            done = {i for i in range(count) if originals[i] >= floor}
    return Allocation(tuple(levels), current, False)
