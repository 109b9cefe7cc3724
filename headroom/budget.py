"""Sharing room among pieces by worth: water-filling, then a search on real sizes.

Pure: the allocator sees only numbers. Each piece has a size (its tokens at
its default form), a weight (what it is worth per token of room) and a
``realize(i, target)`` the caller provides: the tokens piece ``i`` really takes
when its compressor is asked for ``target`` (a form never larger than its
target, except a bare marker that is larger than a tiny target).

Why targets and not a shared ladder (issue 11): one shared fraction cut a
400-token grep as hard as a 68k-token file and left up to a quarter of the
budget unused between x0.7 steps. Water-filling gives each piece
``min(size_i, w_i x lambda)``: small pieces stay whole, large ones share what
is left in proportion to their weight, and one number, lambda, is solved so
the targets fill the room. Compressors aim below their target and some
undershoot, so lambda is then raised by a bisection on the *real* sizes until
the room is spent: logarithmic in the precision, not linear in levels.

Monotone: the targets grow with the room, and the bisection keeps the largest
lambda (on a fixed grid) whose real total fits; a larger room therefore never
gives a piece a smaller target, and a piece's form never keeps fewer units as
long as its compressor keeps more at a larger target.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from headroom.errors import InvalidInput

__all__ = ["check_budget", "fill", "water_fill"]


def water_fill(sizes: Sequence[int], weights: Sequence[float], room: int) -> tuple[int, ...]:
    """Targets ``min(size_i, floor(w_i x lam))`` with the largest ``lam`` whose sum stays within ``room``."""
    if sum(sizes) <= room:
        return tuple(sizes)
    return _targets(sizes, weights, _solve(sizes, weights, room))


def _targets(sizes: Sequence[int], weights: Sequence[float], lam: float) -> tuple[int, ...]:
    return tuple(min(s, int(w * lam)) for s, w in zip(sizes, weights))


def _solve(sizes: Sequence[int], weights: Sequence[float], room: int) -> float:
    """The lambda at which the capped targets sum to ``room`` (exact, by walking the caps in order)."""
    order = sorted(range(len(sizes)), key=lambda i: sizes[i] / weights[i])
    left, weight = float(room), sum(weights)
    for i in order:
        cap = sizes[i] / weights[i]
        if cap * weight > left:  # every remaining piece is cut at this lambda
            break
        left -= sizes[i]
        weight -= weights[i]
    else:
        return max(sizes[i] / weights[i] for i in order) if order else 0.0
    return left / weight if weight > 0 else 0.0


_OUT_OF_REACH = 4  # lambda is not raised past this many times its water-fill value
_RATIO = 1.02
_CROSS = 300  # below this the grid steps by 1; above it, by 2% (1.02**300 is about 380)


def fill(
    *,
    sizes: Sequence[int],
    weights: Sequence[float],
    room: int,
    realize: Callable[[int, int], int],
) -> tuple[int, ...]:
    """Targets per piece whose realized tokens fit ``room``, spending what undershooting pieces leave.

    Lambda is a whole number of tokens per unit of weight on a fixed grid
    (1, 2, 3 ... then 2% apart), searched by bisection for the largest value
    whose real total fits: from the water-fill
    of ``room`` up to where every piece would be whole when compressors
    undershoot, down towards 0 when one overshot (or markers exceed tiny
    targets). At lambda 0 every piece is at its smallest form and the caller
    reports the budget as not met. The integer grid is fixed, so the answer is
    the same whatever the starting point, and grows with ``room`` whenever the
    real sizes grow with the targets.
    """
    if any(w <= 0 for w in weights):
        raise InvalidInput("piece weights must be positive")
    if not sizes or sum(sizes) <= room:
        return tuple(sizes)

    def fits(k: int) -> bool:
        return sum(realize(i, t) for i, t in enumerate(_targets(sizes, weights, _grid(k)))) <= room

    start = _below(int(_solve(sizes, weights, room)))
    whole = max(math.ceil(s / w) for s, w in zip(sizes, weights))
    if fits(start):
        # low fits; high is past every cap, or four times the water-fill: a compressor would have to
        # keep a quarter of its target to fit there, and building such forms of a 10 MB log is slow
        low, high = start, _below(min(whole, _OUT_OF_REACH * _grid(start) + 2)) + 1
    else:
        low, high = 0, start  # high does not fit
        if not fits(low):
            return _targets(sizes, weights, 0)
    while high - low > 1:
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return _targets(sizes, weights, _grid(low))


def _grid(k: int) -> int:
    """Lambda's k-th value: 0, 1, 2, ... then 2% apart (a search costs a few steps whatever the size)."""
    return max(k, int(_RATIO**k)) if k > 0 else 0


def _below(lam: int) -> int:
    """The largest k whose grid value is at most ``lam``."""
    if lam < 1:
        return 0
    k = max(lam if lam < _CROSS else int(math.log(lam) / math.log(_RATIO)), 0)
    while _grid(k + 1) <= lam:
        k += 1
    while k > 0 and _grid(k) > lam:
        k -= 1
    return k


def check_budget(budget: object) -> None:
    """Raise ``InvalidInput`` unless ``budget`` is a positive int of tokens or None.

    Every entry point that takes a budget (the core, the LangChain helpers)
    calls this one check, so they refuse the same values with the same words.
    """
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 1):
        raise InvalidInput(f"budget must be a positive int of tokens or None, got {budget!r}")
