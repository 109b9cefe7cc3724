"""Where the room goes across turns: history keeps its bytes, the newest turn takes the rest.

A *turn* is what one model call adds: the messages after an assistant message
(tool results, a user question). The newest turn is what the model acts on
now, so it gets the room history leaves (DESIGN invariant 10); history is what
the provider has cached, so its bytes change as rarely as possible
(invariant 9).

The rule is replayed turn by turn over the prefix, so a piece's form depends
only on the turns up to the step that shaped it, never on later ones. The
replay runs on token counts alone (``schedule``): each group of pieces shaped
together (a turn as it joined history, a compaction, the newest turn) counts
as at most its room and at most its pieces' default sizes, and only the
groups that are sent are shaped, once each (``place``). A first call on a long
conversation therefore costs about one compression of it, not one per
compaction it went through. At step ``j`` (turn ``j`` newest, ``room_j`` = the
budget minus the untouched tokens up to turn ``j``):

1. Turn ``j-1`` joins history. It keeps the form it had as the newest turn
   when that still leaves *a* next turn its floor (``Config.turn_floor`` of
   the budget), whatever the turn at hand needs; otherwise it alone is shaped
   anew (a rewrite at the tail: every earlier byte stays cached) to
   ``Config.history_share`` of the budget, so history grows in small steps
   and several turns append between compactions; in the call being made it
   also takes what the newest turn leaves unused. (Judged on the turn at hand,
   an answer or a short question let a 16k-token output keep its bytes and
   the next tool output forced a compaction: half the calls of the session
   benchmark at 24k rewrote history. Giving the joining turn all the room the
   newest one left filled history the same way.)
2. If history plus the newest turn's floor (its whole size if smaller) does
   not fit, history is *compacted*: shaped in one step to at most
   ``1 - Config.slack`` of the budget, older turns first, so several more
   turns append before the next compaction. One cache miss buys many hits.
   When the joining turn had to be reshaped and a turn the size the earlier
   ones needed (their median, at most the floor) would not fit next, history
   is compacted now: one miss, not a tail rewrite now and a compaction at
   the next call.
3. The newest turn takes what history leaves (so a single call fills its
   budget), shared among its pieces by water-filling (headroom.budget).
4. When the turn that joined history in this call was reshaped and was called
   for the same question as the newest turn (an agent's chain of calls: grep,
   then the file it found), both are rewritten in this call anyway: they are
   shaped as one group in the sum of their rooms, weighted by relevance
   (``_worth``). Reshaped to its 3% share, the file that held the answer fell
   to a bare mark beside a newer file that did not hold it. The earlier turn's
   pieces also take the arguments of the newer calls as question words
   (``_followed``): what the agent opened next says which lines it found.

A piece shaped anew at step ``j`` takes turn ``j``'s question as well as its own
(DESIGN invariant 5); the newest turn takes the latest question of all. A
turn starts after each assistant message and at a user question that follows
tool results (``core._turn_of``), so a question that arrives later never
changes the room or the question of a turn already shaped. If the replay's result still does
not fit (the newest turn cannot shrink enough), every piece is shaped together,
newest first, as a last resort.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from headroom.budget import fill
from headroom.forms import Form, Shaper
from headroom.relevance import BM25

__all__ = ["Turns", "place"]

_SAMPLED = 20_000  # lines of a piece the relevance weight reads at most (evenly spread)
_AGE = 0.25  # a history piece's weight is 1 / (1 + _AGE x its age in turns): older pieces shrink first


@dataclass(frozen=True)
class Turns:
    """The numbers the replay needs, per turn: untouched tokens up to it, and its question.

    A turn's question is the latest user text up to the turn's first message: a question that
    arrives later in the turn (after its tool results) is not yet known when the next call is
    made, and a step's forms must not change when it arrives. ``latest`` is the latest question
    of all, the one the newest turn is shaped with. ``asked_at`` says where each turn's question
    was asked: two turns serve one question when it is the same message, not the same words (an
    agent's user turns "continue" and "continue" are two tasks).
    """

    fixed_upto: tuple[int, ...]
    questions: tuple[str | None, ...]
    latest: str | None = None
    asked_at: tuple[int | None, ...] = ()  # per turn, the message index of its question (None: none yet)


def joint_query(own: str | None, latest: str | None) -> str | None:
    """The piece's own question, and the latest one when a later question came after it."""
    if latest is None or latest == own:
        return own
    return latest if own is None else f"{own}\n{latest}"


@dataclass(frozen=True)
class _Group:
    """Pieces shaped together in one room: a turn as it joined history, a compaction, the newest turn."""

    indices: tuple[int, ...]
    room: int
    query: str | None
    aged_at: int | None = None  # weights by age at this step (a compaction); None: even weights
    task: bool = False  # the newest turn with the one before it, same question: weights by relevance
    reshaped_at: int | None = None  # the step at which this turn joined history reshaped to its share


def place(shapers: Sequence[Shaper], turns: Turns, budget: int) -> list[Form]:
    """The form of every piece under ``budget`` (see the module docstring)."""
    if not shapers:
        return []
    history, newest = schedule(shapers, turns, budget)
    forms: dict[int, Form] = {}
    for group in (*history, newest):
        if group.task:
            weight = _worth(shapers, group.indices, group.query)
        elif group.aged_at is not None:
            weight = _aged(shapers, group.aged_at)
        else:
            weight = _even
        asked = _followed(shapers, group.indices) if group.task else {}
        forms.update(_shape(shapers, group.indices, group.room, group.query, weight, asked))
    result = [forms[i] if i in forms else shapers[i].default for i in range(len(shapers))]
    if sum(f.tokens for f in result) > budget - turns.fixed_upto[-1]:
        last = len(turns.fixed_upto) - 1
        everyone = _shape(
            shapers, range(len(shapers)), budget - turns.fixed_upto[-1], turns.latest,
            _aged(shapers, last),
        )  # fmt: skip
        result = [everyone[i] for i in range(len(shapers))]
    return result


def schedule(shapers: Sequence[Shaper], turns: Turns, budget: int) -> tuple[list[_Group], _Group]:
    """The replay on numbers only: history's groups and the newest turn's, each with its room.

    A group takes at most its room and at most its pieces' default sizes, so the replay needs
    neither a form nor a compressor: only the groups that are sent are shaped (``place``), once
    each. A first call on a long conversation then costs one compression of it, not one per
    step; the groups, their rooms and their questions are a function of the prefix, so the
    forms are the same whichever call shapes them.
    """
    count = len(turns.fixed_upto)
    by_turn: list[list[int]] = [[] for _ in range(count)]
    for i, shaper in enumerate(shapers):
        by_turn[shaper.piece.turn].append(i)
    config = shapers[0].config
    sizes = [shaper.default.tokens for shaper in shapers]

    def size(group: _Group) -> int:
        return min(group.room, sum(sizes[i] for i in group.indices))

    needs: list[int] = []  # what each earlier turn with pieces asked for: what the next is likely to
    history: list[_Group] = []
    newest = _Group((), 0, None)
    reserve = int(config.turn_floor * budget)
    reshaped = False  # whether the last step reshaped the turn that joined history
    for j in range(count):
        room = budget - turns.fixed_upto[j]
        query = turns.questions[j]
        need = sum(sizes[i] for i in by_turn[j])
        floor = min(need, reserve)
        needed = floor  # what the newest turn must be left, or history is compacted
        reshaped = False
        if newest.indices:
            before = sum(size(g) for g in history)
            # it keeps its bytes only if the floor of *a* next turn still fits: judged on the turn at hand
            # (an answer, a short question) it kept them, and the next tool output forced a compaction
            if before + size(newest) + reserve <= room:
                history.append(newest)
            else:  # reshaped at the tail to its share of history, so several more turns append after it
                history.append(_Group(newest.indices, int(config.history_share * budget), query, reshaped_at=j))
                reshaped = True
                # history is full: if a turn like the earlier ones would not fit next, compact now
                # (one cache miss, not a tail rewrite now and a compaction at the next call)
                needed = max(floor, min(reserve, statistics.median_low(needs))) if needs else floor
        if history and sum(size(g) for g in history) + needed > room:
            reshaped = False
            history_fixed = turns.fixed_upto[j - 1] if j > 0 else 0
            target = max(0, min(int((1 - config.slack) * budget) - history_fixed, room - needed))
            pieces = tuple(sorted(i for g in history for i in g.indices))
            history = [_Group(pieces, target, query, aged_at=j)]
        newest = _Group(tuple(by_turn[j]), max(0, room - sum(size(g) for g in history)), query)
        if need >= config.min_tokens:  # a short question alone is no turn that needs room
            needs.append(need)
    if reshaped and newest.indices and _same_task(shapers, turns, history[-1], count - 1):
        # the turn just reshaped and the newest one answer the same question (an agent's chain of tool
        # calls): both are rewritten in this call anyway, so they share their rooms by worth, not by age
        # (reshaped to its 3% share, the module that held the fact fell to a bare mark beside a distractor)
        last = history.pop()
        merged, room = (*last.indices, *newest.indices), last.room + newest.room
        opened = history[-1] if history else None
        if (
            opened is not None
            and opened.reshaped_at is not None
            and opened.reshaped_at == (last.reshaped_at or 0) - 1
            and _same_task(shapers, turns, opened, count - 1)
        ):
            # the previous call shaped this turn in its own group (rule 4 there), so it is rewritten in this
            # call anyway: the grep that opened a chain of three calls fell to a bare mark at its 3% share
            history.pop()
            merged, room = (*opened.indices, *merged), opened.room + room
        return history, _Group(merged, room, turns.latest, task=True)
    spare = newest.room - sum(sizes[i] for i in newest.indices)
    if reshaped and spare > 0:
        # this call's budget is spent: the turn just reshaped takes what the newest turn leaves. Only in
        # this call (the next one reshapes it to its share again, a rewrite at the tail): a small newest
        # turn (a retrieval's lines) must not leave the output it reads from at a few percent of the budget
        last = history[-1]
        history[-1] = _Group(last.indices, last.room + spare, last.query)
    return history, _Group(newest.indices, newest.room, turns.latest)


def _same_task(shapers: Sequence[Shaper], turns: Turns, group: _Group, now: int) -> bool:
    """Whether the pieces of ``group`` were called for the question of turn ``now`` (no user turn between).

    Decided by where the question was asked (``Turns.asked_at``), not by its words: a user who asks
    the same words twice asks twice, and the answer to the first is history like any other.
    """
    if turns.asked_at:
        return all(turns.asked_at[shapers[i].piece.turn] == turns.asked_at[now] for i in group.indices)
    return all(turns.questions[shapers[i].piece.turn] == turns.questions[now] for i in group.indices)


def _followed(shapers: Sequence[Shaper], indices: Sequence[int]) -> dict[int, str]:
    """What the agent did next, per piece of one question's chain: the arguments of the calls in later turns.

    An agent reads an output, then acts on what it found: it opens the file a grep named, asks for the
    log of the commit a search found. The next call's arguments therefore say which lines of the earlier
    output mattered (a grep for ``__init__`` lists 146 definitions; the agent then ran ``cat
    json/decoder.py``). Only pieces shaped in this call anyway (rule 4's group) take them, so no byte a
    provider has cached changes for it; calls of the same turn are made together, not one after reading
    the other, and are left out.
    """
    out: dict[int, str] = {}
    for i in indices:
        turn = shapers[i].piece.turn
        later = [shapers[j].piece.ctx.tool_args for j in indices if shapers[j].piece.turn > turn]
        said = "\n".join(dict.fromkeys(a for a in later if a))
        if said:
            out[i] = said
    return out


def _size(shapers: Sequence[Shaper], indices: Sequence[int]) -> int:
    return sum(shapers[i].default.tokens for i in indices)


def _even(index: int) -> float:
    return 1.0


def _worth(shapers: Sequence[Shaper], indices: Sequence[int], query: str | None) -> Callable[[int], float]:
    """Weights ``1 + best / top``: a piece's best line score under one BM25 over every line of the group.

    One index over all the pieces' lines gives one inverse document frequency, so the scores compare
    across pieces; the best line is what the question can find in a piece. Bounded to [1, 2] so a
    piece the question does not name still shares the room (the floor: water-filling gives it at
    least the level of the others, halved), and a name the question finds doubles a piece's room.
    """
    owner: list[int] = []
    lines: list[str] = []
    for i in indices:
        found = shapers[i].piece.text.split("\n")
        found = found[:: -(-len(found) // _SAMPLED)]  # every k-th line of a huge log: a cost bound, not a ranking
        lines.extend(found)
        owner.extend([i] * len(found))
    best = dict.fromkeys(indices, 0.0)
    for i, score in zip(owner, BM25(lines).scores(query)):
        best[i] = max(best[i], score)
    top = max(best.values(), default=0.0)
    weights = {i: 1.0 + (best[i] / top if top > 0 else 0.0) for i in indices}
    return lambda i: weights[i]


def _weight(turn: int, now: int) -> float:
    return 1.0 / (1.0 + _AGE * max(0, now - turn))


def _aged(shapers: Sequence[Shaper], now: int) -> Callable[[int], float]:
    """Weights by age at step ``now``: the newest pieces are worth the most room per token."""
    return lambda i: _weight(shapers[i].piece.turn, now)


def _shape(
    shapers: Sequence[Shaper],
    indices: Sequence[int],
    room: int,
    latest: str | None,
    weight: Callable[[int], float],
    asked: Mapping[int, str] | None = None,
) -> dict[int, Form]:
    """Forms of the pieces ``indices`` within ``room`` tokens, by water-filling on their real sizes.

    ``asked``: more words for a piece's question (``_followed``), when it has one to add them to.
    """
    chosen = list(indices)
    queries = [joint_query(shapers[i].piece.ctx.query, latest) for i in chosen]
    if asked:
        queries = [f"{q}\n{asked[i]}" if q is not None and i in asked else q for q, i in zip(queries, chosen)]

    def realize(k: int, target: int) -> int:
        return shapers[chosen[k]].form(target, queries[k]).tokens

    targets = fill(
        sizes=[shapers[i].default.tokens for i in chosen],
        weights=[weight(i) for i in chosen],
        room=room,
        realize=realize,
    )
    return {i: shapers[i].form(t, queries[k]) for k, (i, t) in enumerate(zip(chosen, targets))}
