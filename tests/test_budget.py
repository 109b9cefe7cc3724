"""The allocator: water-filling by weight, a search on real sizes, monotone in the room.

Replaces the tests of the slice-and-ladder allocator (issue 11): the promise
that changed is "a forced rewrite frees one slice" (now: history is compacted
in one step to ``1 - slack`` of the budget, tests/test_properties.py), and
"pieces climb one shared ladder" (now: each piece gets its own target).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import Headroom, MemoryStore
from headroom.budget import fill, water_fill
from headroom.testing import FakeCounter


def test_water_fill_keeps_small_pieces_whole_and_cuts_large_ones_evenly() -> None:
    assert water_fill([400, 68_000], [1.0, 1.0], 10_000) == (400, 9_600)
    assert water_fill([100, 200], [1.0, 1.0], 1_000) == (100, 200)
    # a piece worth twice as much per token gets twice the room
    assert water_fill([10_000, 10_000], [2.0, 1.0], 3_000) == (2_000, 1_000)


def test_fill_spends_what_an_undershooting_piece_leaves() -> None:
    # piece 0 keeps only half its target; piece 1 is exact
    targets = fill(sizes=[5_000, 5_000], weights=[1.0, 1.0], room=4_000, realize=lambda i, t: t // 2 if i == 0 else t)
    used = targets[0] // 2 + targets[1]
    assert 0.97 * 4_000 <= used <= 4_000  # lambda's grid steps by 2%
    assert targets[1] > 2_000


def test_fill_backs_off_when_a_piece_overshoots() -> None:
    targets = fill(sizes=[5_000], weights=[1.0], room=1_000, realize=lambda i, t: t + 50)
    assert targets[0] + 50 <= 1_000


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 5_000), min_size=1, max_size=6),
    st.lists(st.floats(0.1, 4.0), min_size=6, max_size=6),
    st.integers(0, 20_000),
    st.integers(1, 5_000),
)
def test_fill_is_monotone_in_the_room(sizes: list[int], weights: list[float], room: int, more: int) -> None:
    def realize(i: int, target: int) -> int:  # a monotone compressor that undershoots by a piece-specific share
        return target * (3 + i % 3) // 5

    w = weights[: len(sizes)]
    small = fill(sizes=sizes, weights=w, room=room, realize=realize)
    large = fill(sizes=sizes, weights=w, room=room + more, realize=realize)
    assert all(a <= b for a, b in zip(small, large))
    assert sum(realize(i, t) for i, t in enumerate(small)) <= room or all(t == 0 for t in small)


def _conversation(outputs: list[str]) -> list[dict[str, Any]]:
    calls = [
        {"id": f"c{i}", "type": "function", "function": {"name": "run", "arguments": "{}"}} for i in range(len(outputs))
    ]
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "agent"},
        {"role": "user", "content": "which line mentions needle?"},
        {"role": "assistant", "content": None, "tool_calls": calls},
    ]
    messages += [{"role": "tool", "tool_call_id": f"c{i}", "content": out} for i, out in enumerate(outputs)]
    return messages


def _kept_lines(text: str) -> int:
    return sum(1 for line in text.split("\n") if line.startswith("line "))


lines_text = st.integers(20, 300).map(lambda n: "".join(f"line {k} of the output, needle {k % 7}\n" for k in range(n)))


@settings(max_examples=25, deadline=None)
@given(st.lists(lines_text, min_size=1, max_size=3), st.floats(0.1, 0.9), st.floats(0.01, 0.3))
def test_a_larger_budget_never_keeps_fewer_units_of_any_piece(outputs: list[str], share: float, step: float) -> None:
    """DESIGN invariant 10, on single- and multi-piece conversations (one turn)."""
    messages = _conversation(outputs)
    hr = Headroom(counter=FakeCounter(), store=MemoryStore())
    total = hr.counter.count_messages(messages)
    small, large = int(total * share), int(total * min(1.0, share + step))
    one, two = hr.compress(messages, small), hr.compress(messages, large)
    if not (one.within_budget and two.within_budget):
        return
    for a, b in zip(one.messages[3:], two.messages[3:]):
        assert _kept_lines(a["content"]) <= _kept_lines(b["content"])


def test_a_piece_kept_whole_at_a_larger_budget_leaves_its_neighbours_their_units() -> None:
    # a counterexample the property above drew (seventh and eighth rounds): at 53.1% of the tokens the
    # 76-line piece is sent whole and the 109-line piece kept 73 rows where at 51.6% it kept 74. Its
    # target had grown (599 -> 611 tokens); the row table's fit stopped at the first room above 0.9 of
    # the target after an overshoot (``_reach.reach``), and that room was smaller than the one the
    # smaller target fitted at first. The search now settles on the largest room that fits
    outputs = ["".join(f"line {k} of the output, needle {k % 7}\n" for k in range(n)) for n in (76, 109, 251)]
    messages = _conversation(outputs)
    hr = Headroom(counter=FakeCounter(), store=MemoryStore())
    total = hr.counter.count_messages(messages)
    one, two = hr.compress(messages, int(total * 0.515625)), hr.compress(messages, int(total * 0.53125))
    assert one.within_budget and two.within_budget
    for a, b in zip(one.messages[3:], two.messages[3:]):
        assert _kept_lines(a["content"]) <= _kept_lines(b["content"])


def test_compression_fills_the_budget() -> None:
    outputs = ["".join(f"line {k} of a long output with words\n" for k in range(2_000)), "short grep line\n" * 3]
    messages = _conversation(outputs)
    hr = Headroom(counter=FakeCounter(), store=MemoryStore())
    budget = hr.counter.count_messages(messages) // 5
    result = hr.compress(messages, budget)
    assert result.within_budget and result.tokens_after >= 0.95 * budget
    assert result.messages[4]["content"] == outputs[1]  # the small piece stays whole


def _turns(outputs: list[str]) -> list[dict[str, Any]]:
    """One tool output per turn, each after its own question, with a short answer between turns."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": "agent"}]
    for i, out in enumerate(outputs):
        call = {"id": f"c{i}", "type": "function", "function": {"name": "run", "arguments": "{}"}}
        messages += [
            {"role": "user", "content": f"which line mentions needle {i % 7}?"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": f"c{i}", "content": out},
        ]
        if i < len(outputs) - 1:
            messages.append({"role": "assistant", "content": "noted"})
    return messages


@pytest.mark.xfail(strict=True, reason="pieces are not monotone in the budget across turns (docs/budget.md)")
@pytest.mark.parametrize(
    ("lines", "shares"),
    [((24, 20), (0.75, 0.875)), ((46, 20, 20), (0.75, 0.875)), ((20, 20, 27), (0.25, 0.5))],
    ids=["the-newest-piece", "a-history-piece", "the-newest-after-a-compaction"],
)
def test_a_larger_budget_never_keeps_fewer_units_across_turns(
    lines: tuple[int, ...], shares: tuple[float, float]
) -> None:
    """Known gap (DESIGN invariant 10 across turns): which step compacts, and whether a joining turn
    keeps its bytes, change with the budget, and the rooms of history and of the newest turn move
    with them. Found by a hypothesis property over multi-turn conversations; kept as the examples to
    fix (strict: the test fails once they pass)."""
    outputs = ["".join(f"line {k} of the output, needle {k % 7}\n" for k in range(n)) for n in lines]
    messages = _turns(outputs)
    hr = Headroom(counter=FakeCounter(), store=MemoryStore())
    total = hr.counter.count_messages(messages)
    one, two = hr.compress(messages, int(total * shares[0])), hr.compress(messages, int(total * shares[1]))
    assert one.within_budget and two.within_budget
    for a, b in zip(one.messages, two.messages):
        if a["role"] == "tool":
            assert _kept_lines(a["content"]) <= _kept_lines(b["content"])


def _chain(outputs: list[str], question: str) -> list[dict[str, Any]]:
    """One question, then an agent's chain of tool calls: one assistant call and its result per output."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": "agent"}, {"role": "user", "content": question}]
    for i, out in enumerate(outputs):
        call = {"id": f"c{i}", "type": "function", "function": {"name": "run", "arguments": "{}"}}
        messages += [
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": f"c{i}", "content": out},
        ]
    return messages


def test_a_chain_of_calls_for_one_question_shares_room_by_relevance() -> None:
    """The output that holds the answer, followed by a larger one that does not, in one agent chain:
    the first is rewritten in this call anyway, so it is not cut to history's small share (it fell
    to a bare mark beside the distractor, issue 11's multi-tool turns)."""
    answer = "".join(f"row {k} of the report, plain words\n" for k in range(300))
    answer = answer.replace("row 150 of the report, plain words", "row 150 holds the quokka threshold 4711")
    distractor = "".join(f"entry {k} of another file, other words\n" for k in range(900))
    messages = _chain([answer, distractor], "what is the quokka threshold?")
    hr = Headroom(counter=FakeCounter(), store=MemoryStore())
    budget = hr.counter.count_messages(messages) // 8
    result = hr.compress(messages, budget)
    assert result.within_budget
    first, second = result.messages[3]["content"], result.messages[5]["content"]
    assert "quokka threshold 4711" in first
    assert hr.counter.count(first) >= 0.3 * hr.counter.count(second)  # a share of the room, not a mark


@settings(max_examples=20, deadline=None)
@given(st.lists(lines_text, min_size=2, max_size=3), st.floats(0.05, 0.9))
def test_a_chain_of_calls_always_meets_the_budget(outputs: list[str], share: float) -> None:
    messages = _chain(outputs, "which line mentions needle 3?")
    hr = Headroom(counter=FakeCounter(), store=MemoryStore())
    budget = max(int(hr.counter.count_messages(messages) * share), 120)
    one, two = hr.compress(messages, budget), hr.compress(messages, budget)
    assert one.messages == two.messages  # deterministic
    assert one.within_budget and one.tokens_after <= budget
