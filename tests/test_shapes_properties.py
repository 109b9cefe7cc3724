"""Property: whatever mix of shapes goes in, each item comes back in its own shape, and only compressed ones change."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("openai")

from openai.types.chat import ChatCompletionMessage  # noqa: E402

from headroom import Headroom  # noqa: E402
from headroom.testing import FakeCounter  # noqa: E402

HR = Headroom(counter=FakeCounter())  # a fast counter: this checks shapes, not counts

words = st.text(alphabet="abc xyz\n", min_size=1, max_size=40)
long_text = st.integers(min_value=50, max_value=400).map(
    lambda n: "".join(f"line {i} value {i * 7 % 13}\n" for i in range(n))
)
texts = st.one_of(words, long_text)


@st.composite
def items(draw: Any, index: int) -> list[Any]:
    kind = draw(st.sampled_from(["chat", "tuple", "input_text", "call", "reasoning", "sdk", "typed"]))
    text = draw(texts)
    if kind == "chat":
        return [{"role": "user", "content": text}]
    if kind == "tuple":
        return [("human", text)]
    if kind == "typed":
        return [{"type": "ai", "content": text}]
    if kind == "input_text":
        return [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}]
    if kind == "reasoning":
        return [{"type": "reasoning", "id": f"rs_{index}", "summary": []}]
    if kind == "sdk":
        return [ChatCompletionMessage(role="assistant", content=text)]
    call_id = f"call_{index}"
    output = text if draw(st.booleans()) else [{"type": "input_text", "text": text}]
    return [
        {"type": "function_call", "call_id": call_id, "name": "run", "arguments": "{}"},
        {"type": "function_call_output", "call_id": call_id, "output": output},
    ]


@st.composite
def histories(draw: Any) -> list[Any]:
    count = draw(st.integers(min_value=1, max_value=6))
    out: list[Any] = []
    for index in range(count):
        out.extend(draw(items(index)))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.sampled_from([None, 60, 400]))
def test_each_item_keeps_its_shape_and_only_compressed_ones_change(history: list[Any], budget: int | None) -> None:
    before = copy.deepcopy(history)
    result = HR.compress(history, budget)
    assert history == before  # never mutated
    assert len(result.messages) == len(history)
    changed = {entry.message_index for entry in result.manifest.entries}
    for index, (old, new) in enumerate(zip(history, result.messages)):
        assert type(new) is type(old)
        if index not in changed:
            assert new == old
        elif isinstance(old, dict):
            assert set(new) == set(old) and new.get("type") == old.get("type")
            assert new.get("call_id") == old.get("call_id")
        elif isinstance(old, tuple):
            assert new[0] == old[0]
    for entry in result.manifest.entries:  # the manifest's path addresses the caller's item
        node: Any = result.messages[entry.message_index]
        for step in entry.path:
            node = node[step]
        assert isinstance(node, str)
