"""The DESIGN invariants as properties over generated conversations and texts."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import conversations, openai_conversation, tool_output

from headroom import BudgetExceeded, Headroom, MemoryStore, Registry, find_markers
from headroom.compressors.text.compressor import GenericCompressor
from headroom.testing import FakeCounter

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fresh() -> Headroom:
    return Headroom(counter=FakeCounter(), store=MemoryStore())


def at(messages: list[Any], index: int, path: tuple[str | int, ...]) -> Any:
    node: Any = messages[index]
    for step in path:
        node = node[step]
    return node


def restored(hr: Headroom, result: Any) -> list[Any]:
    """The output with every compressed string put back from the store."""
    out = copy.deepcopy(result.messages)
    for entry in result.manifest.entries:
        node = at(out, entry.message_index, entry.path[:-1])
        node[entry.path[-1]] = hr.retrieve(entry.handle)
    return out


@SETTINGS
@given(conversations, st.floats(0.0, 1.0))
def test_lossless_or_marked_and_structure_survives(messages: list[Any], share: float) -> None:
    before = copy.deepcopy(messages)
    hr = fresh()
    budget = max(1, int(share * hr.counter.count_messages(messages)))
    result = hr.compress(messages, budget)
    assert messages == before, "the input was mutated"
    # putting every original back gives the input exactly: nothing else changed,
    # no message dropped, reordered or re-keyed, every pairing intact
    assert restored(hr, result) == messages
    for entry in result.manifest.entries:
        assert hr.retrieve(entry.handle) == at(messages, entry.message_index, entry.path)
        assert at(result.messages, entry.message_index, entry.path) != at(messages, entry.message_index, entry.path)


@SETTINGS
@given(conversations, st.one_of(st.none(), st.floats(0.0, 1.0)))
def test_never_worse_and_counts_are_real(messages: list[Any], share: float | None) -> None:
    hr = fresh()
    budget = None if share is None else max(1, int(share * hr.counter.count_messages(messages)))
    result = hr.compress(messages, budget)
    assert result.tokens_after <= result.tokens_before
    assert result.tokens_after == hr.counter.count_messages(result.messages)
    assert result.tokens_before == hr.counter.count_messages(messages)
    for entry in result.manifest.entries:
        assert entry.tokens_after < entry.tokens_before


@SETTINGS
@given(conversations, st.floats(0.0, 1.0))
def test_deterministic_across_instances(messages: list[Any], share: float) -> None:
    budget = max(1, int(share * FakeCounter().count_messages(messages)))
    one, two = fresh().compress(messages, budget), fresh().compress(messages, budget)
    assert one.messages == two.messages and one.manifest == two.manifest


@SETTINGS
@given(conversations, st.floats(0.0, 1.0))
def test_feasible_budgets_are_met_and_infeasible_ones_said(messages: list[Any], share: float) -> None:
    hr = fresh()
    smallest = hr.compress(messages, 1).tokens_after
    before = hr.counter.count_messages(messages)
    budget = smallest + int(share * (before - smallest))
    result = hr.compress(messages, budget)
    assert result.within_budget and result.tokens_after <= budget
    if smallest > 1:
        short = hr.compress(messages, smallest - 1)
        assert not short.within_budget and short.manifest.reason
        with pytest.raises(BudgetExceeded):
            hr.compress(messages, smallest - 1, strict=True)


@SETTINGS
@given(openai_conversation())
def test_appending_turns_keeps_history_while_the_budget_holds(messages: list[Any]) -> None:
    assume(all(len(m["content"]) < 40 for m in messages if m["role"] == "user" and isinstance(m["content"], str)))
    hr = fresh()
    budget = hr.counter.count_messages(messages) + 10
    outputs = [hr.compress(messages[:n], budget).messages for n in range(1, len(messages) + 1)]
    for shorter, longer in zip(outputs, outputs[1:]):
        assert longer[: len(shorter)] == shorter


@SETTINGS
@given(tool_output(), st.floats(0.0, 1.0))
def test_text_markers_redeem_exactly_what_they_stand_for(text: str, share: float) -> None:
    generic_only = Registry(builtins=False)
    generic_only.register(GenericCompressor)
    hr = Headroom(counter=FakeCounter(), store=MemoryStore(), registry=generic_only)
    budget = max(1, int(share * hr.counter.count(text)))
    result = hr.compress_text(text, budget)
    markers = find_markers(result.text, result.manifest.handles)
    if not result.manifest.entries:
        assert result.text == text and markers == []
        return
    (entry,) = result.manifest.entries
    assert hr.retrieve(entry.handle) == text
    assert sum(m.count for m in markers) == sum(entry.omitted.values())
    rebuilt = result.text
    for marker in reversed(markers):
        assert marker.span is not None
        part = hr.retrieve(marker.handle, **{marker.unit: marker.span})
        if marker.unit == "lines":
            start, end = marker.start, min(marker.end + 1, len(rebuilt))
        else:  # a cut inside the text has a space each side; a bare marker stands alone
            start, end = max(marker.start - 1, 0), min(marker.end + 1, len(rebuilt))
        rebuilt = rebuilt[:start] + part + rebuilt[end:]
    assert rebuilt == text


@SETTINGS
@given(tool_output())
def test_look_alike_markers_are_never_ours(text: str) -> None:
    fake = "[hr1:123456789012345 omitted 7 lines 1-7]"
    result = fresh().compress_text(fake + "\n" + text, 30)
    assert all(m.handle != "hr1:123456789012345" for m in find_markers(result.text, result.manifest.handles))


def test_budget_pressure_compacts_history_in_big_steps() -> None:
    """Under budget pressure, history before the previous call's newest turn changes about once per
    slack x budget of growth (a compaction); the previous newest turn itself may be reshaped at the
    tail as it joins history (docs/budget.md), which leaves every earlier byte cached."""
    from pathlib import Path

    golden = Path(__file__).parent / "golden" / "text"
    source = (golden / "grep_stdlib.txt").read_text().splitlines(keepends=True)
    messages: list[Any] = [{"role": "system", "content": "You are a coding agent."}]
    for turn in range(60):
        call = f"call_{turn}"
        start = (turn * 17) % 180
        messages += [
            {"role": "user", "content": f"step {turn}: look at the next files"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": call, "type": "function", "function": {"name": "grep", "arguments": "{}"}}],
            },
            {"role": "tool", "tool_call_id": call, "content": "".join(source[start : start + 8])},
        ]
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    total = hr.counter.count_messages(messages)
    budget = total // 2
    previous: list[Any] = []
    rewrites = compactions = 0
    for end in range(4, len(messages) + 1, 3):
        result = hr.compress(messages[:end], budget)
        assert result.within_budget
        if result.messages[: len(previous) - 1] != previous[:-1]:
            rewrites += 1
            same = next(i for i, (a, b) in enumerate(zip(result.messages, previous + [None])) if a != b)
            compactions += same < len(previous) // 2
        previous = result.messages
    # growth past the budget divided by the room one move leaves, plus the first call
    allowed = (total - budget) // int(hr.config.slack * budget) + 2
    assert compactions <= allowed, (compactions, allowed)
    # and the first call over the budget may reshape the last few turns before the first compaction
    assert rewrites <= allowed + 1, (rewrites, allowed)
