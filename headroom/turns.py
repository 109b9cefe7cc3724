"""Where the room goes across turns: history keeps its bytes, the newest turn takes the rest.

A *turn* is what one model call adds: the messages after an assistant message
(tool results, a user question). The newest turn is what the model acts on
now, so it gets the room history leaves (DESIGN invariant 10); history is what
the provider has cached, so its bytes change as rarely as possible
(invariant 9).

The rule is replayed turn by turn over the prefix, so a piece's form depends
only on the turns up to the step that shaped it, never on later ones; the
replay needs only token counts except where a form is kept, and forms are
memoised (headroom.forms). At step ``j`` (turn ``j`` newest, ``room_j`` = the
budget minus the untouched tokens up to turn ``j``):

1. Turn ``j-1`` joins history. It keeps the form it had as the newest turn
   when that still leaves the newest turn its whole default size or its
   floor (``Config.turn_floor`` of the room); otherwise it alone is shaped
   anew (a rewrite at the tail: every earlier byte stays cached) to what the
   newest turn leaves, at least ``Config.history_share`` of the room.
2. If history plus the newest turn's floor still does not fit, history is
   *compacted*: shaped in one step to at most ``1 - Config.slack`` of the
   room, older turns first, so several more turns append before the next
   compaction. One cache miss buys many hits.
3. The newest turn takes what history leaves (so a single call fills its
   budget), shared among its pieces by water-filling (headroom.budget).

A piece shaped anew at step ``j`` takes the latest user question up to turn
``j`` as well as its own (DESIGN invariant 5). If the replay's result still does
not fit (the newest turn cannot shrink enough), every piece is shaped together,
newest first, as a last resort.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from headroom.budget import fill
from headroom.forms import Form, Shaper

__all__ = ["Turns", "place"]

_AGE = 0.25  # a history piece's weight is 1 / (1 + _AGE x its age in turns): older pieces shrink first


@dataclass(frozen=True)
class Turns:
    """The numbers the replay needs, per turn: untouched tokens up to it, and its latest question."""

    fixed_upto: tuple[int, ...]
    questions: tuple[str | None, ...]


def joint_query(own: str | None, latest: str | None) -> str | None:
    """The piece's own question, and the latest one when a later question came after it."""
    if latest is None or latest == own:
        return own
    return latest if own is None else f"{own}\n{latest}"


def place(shapers: Sequence[Shaper], turns: Turns, budget: int) -> list[Form]:
    """The form of every piece under ``budget`` (see the module docstring)."""
    count = len(turns.fixed_upto)
    by_turn: list[list[int]] = [[] for _ in range(count)]
    for i, shaper in enumerate(shapers):
        by_turn[shaper.piece.turn].append(i)
    if not shapers:
        return []
    config = shapers[0].config
    kept: dict[int, Form] = {}  # history: piece index -> its form
    newest: tuple[list[int], int, str | None] = ([], 0, None)  # the newest turn's pieces, room, question
    for j in range(count):
        room = budget - turns.fixed_upto[j]
        query = turns.questions[j]
        need = sum(shapers[i].default.tokens for i in by_turn[j])
        floor = min(need, int(config.turn_floor * budget))
        entering, left, asked = newest
        if entering:
            before = sum(f.tokens for f in kept.values())
            if before + min(left, _size(shapers, entering)) + floor <= room:  # it keeps its bytes
                kept.update(_shape(shapers, entering, left, asked, _even))
            else:  # reshaped at the tail, to what the newest turn leaves
                share = max(int(config.history_share * budget), room - before - need)
                kept.update(_shape(shapers, entering, max(0, share), query, _even))
        if kept and sum(f.tokens for f in kept.values()) + floor > room:
            history_fixed = turns.fixed_upto[j - 1] if j > 0 else 0
            target = min(int((1 - config.slack) * budget) - history_fixed, room - floor)
            kept = _shape(shapers, sorted(kept), max(0, target), query, _aged(shapers, j))
        newest = (by_turn[j], max(0, room - sum(f.tokens for f in kept.values())), query)
    last_turn, left, asked = newest
    forms = {**kept, **_shape(shapers, last_turn, left, asked, _even)}
    result = [forms[i] if i in forms else shapers[i].default for i in range(len(shapers))]
    if shapers and sum(f.tokens for f in result) > budget - turns.fixed_upto[-1]:
        last = count - 1
        everyone = _shape(
            shapers, range(len(shapers)), budget - turns.fixed_upto[-1], turns.questions[-1],
            _aged(shapers, last),
        )  # fmt: skip
        result = [everyone[i] for i in range(len(shapers))]
    return result


def _size(shapers: Sequence[Shaper], indices: Sequence[int]) -> int:
    return sum(shapers[i].default.tokens for i in indices)


def _even(index: int) -> float:
    return 1.0


def _weight(turn: int, now: int) -> float:
    return 1.0 / (1.0 + _AGE * max(0, now - turn))


def _aged(shapers: Sequence[Shaper], now: int) -> Callable[[int], float]:
    """Weights by age at step ``now``: the newest pieces are worth the most room per token."""
    return lambda i: _weight(shapers[i].piece.turn, now)


def _shape(
    shapers: Sequence[Shaper], indices: Sequence[int], room: int, latest: str | None, weight: Callable[[int], float]
) -> dict[int, Form]:
    """Forms of the pieces ``indices`` within ``room`` tokens, by water-filling on their real sizes."""
    chosen = list(indices)
    queries = [joint_query(shapers[i].piece.ctx.query, latest) for i in chosen]

    def realize(k: int, target: int) -> int:
        return shapers[chosen[k]].form(target, queries[k]).tokens

    targets = fill(
        sizes=[shapers[i].default.tokens for i in chosen],
        weights=[weight(i) for i in chosen],
        room=room,
        realize=realize,
    )
    return {i: shapers[i].form(t, queries[k]) for k, (i, t) in enumerate(zip(chosen, targets))}
