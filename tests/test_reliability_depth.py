"""JSON nested past the depth limit is compressed as text, recorded, never a RecursionError or a hang.

Issue 17: a JSON tool output nested about a thousand levels deep raised
``RecursionError`` from the detector, and (found while testing this) a few
dozen levels of single-key objects made the row table's flattening
exponential. ``headroom.compressors.json._depth`` reads the depth before
parsing; past ``MAX_DEPTH`` the piece is compressed as text with a degradation
saying so.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import MemoryStore, compress, compress_text, retrieve
from headroom.compressors.json import _forms
from headroom.compressors.json._depth import MAX_DEPTH, TooDeep, depth, loads
from headroom.compressors.json.detect import is_json, is_ndjson

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(alphabet='ab[]{}"\\\n :,\u00e9', max_size=8),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(alphabet='k[]{}"\\', max_size=4), inner, max_size=4)
    ),
    max_leaves=30,
)


def true_depth(value: Any) -> int:
    deepest, stack = 0, [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (list, dict)):
            level += 1
            deepest = max(deepest, level)
            stack.extend((child, level) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def nested(levels: int, leaf: str = "1") -> str:
    return '{"a": ' * levels + leaf + "}" * levels


@settings(max_examples=400, deadline=None)
@given(VALUES, st.sampled_from([None, 2]))
def test_depth_is_the_parsers_depth(value: Any, indent: int | None) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    assert depth(text, limit=0) == true_depth(value)
    for limit in (1, 3):  # the quick passes: exact above the limit, and on the right side of it
        assert (depth(text, limit) > limit) == (true_depth(value) > limit)
        if true_depth(value) > limit:
            assert depth(text, limit) == true_depth(value)
    # what follows the first value is not nesting json.loads would reach
    assert depth(text + " [[[[", limit=0) == true_depth(value) or true_depth(value) == 0


def test_loads_refuses_past_the_limit_with_a_value_error() -> None:
    assert loads(nested(MAX_DEPTH)) is not None
    for levels in (MAX_DEPTH + 1, 1_500, 100_000):
        try:
            loads(nested(levels))
        except TooDeep as error:
            assert isinstance(error, ValueError)
            assert str(levels) in str(error)
        else:
            raise AssertionError("no TooDeep")


def test_a_log_that_starts_with_a_bracket_is_not_taken_for_deep_json() -> None:
    log = "[INFO] start [ worker\n" * 200 + "[[[[ banner\n" * 40
    assert depth(log.strip()) == 1
    assert not is_json(log)


def test_deep_json_tool_output_is_compressed_as_text_and_recorded() -> None:
    for levels in (MAX_DEPTH + 1, 1_500, 100_000):
        for text in (nested(levels), "[" * levels + "1" + "]" * levels):
            store = MemoryStore()
            result = compress_text(text, budget=40, store=store)
            notes = [d.detail for d in result.manifest.degradations if "levels deep" in d.detail]
            assert notes, (levels, result.manifest.degradations)
            assert result.tokens_after <= 40
            (entry,) = result.manifest.entries
            assert retrieve(entry.handle, store=store) == text


def test_json_at_the_limit_is_still_compressed_as_json() -> None:
    rows = [json.loads(nested(MAX_DEPTH - 1, f'"value {i}"')) for i in range(8)]
    result = compress_text(json.dumps(rows), budget=60)
    assert not [d for d in result.manifest.degradations if "levels deep" in d.detail]
    assert [e.compressor for e in result.manifest.entries] == ["json"]


def test_ndjson_with_one_deep_line_and_a_deep_tool_message() -> None:
    lines = [json.dumps({"id": i, "msg": "ok " * 20}) for i in range(30)]
    lines[7] = nested(3_000)
    text = "\n".join(lines)
    assert is_ndjson(text)
    result = compress_text(text, budget=80)
    assert any("levels deep" in d.detail for d in result.manifest.degradations)
    messages = [
        {"role": "user", "content": "what failed?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "c", "type": "function", "function": {"name": "get", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "c", "content": nested(5_000)},
    ]
    out = compress(messages, budget=60)
    assert out.within_budget
    assert any("levels deep" in d.detail for d in out.manifest.degradations)


def _former_flattens(value: dict[str, Any]) -> bool:
    if not value or any("." in key for key in value):
        return False
    leaves = 0
    for child in value.values():
        leaves += len(_forms._flat(child)) if isinstance(child, dict) and _former_flattens(child) else 1
    return leaves <= _forms._FLAT_LEAVES


OBJECTS = st.recursive(
    st.integers(0, 3),
    lambda inner: st.dictionaries(st.sampled_from(["a", "b", "c.d", "e", "f", "g"]), inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(OBJECTS)
def test_flattening_decides_as_it_did(value: Any) -> None:
    if isinstance(value, dict):
        assert _forms._flattens(value) == _former_flattens(value)


def test_a_chain_of_single_key_objects_flattens_in_one_pass() -> None:
    chain = json.loads(nested(MAX_DEPTH - 2))
    assert _forms._flattens(chain)
    assert len(_forms._flat(chain)) == 1
    rows = [{"k": i, "v": json.loads(nested(40, f'"x{i}"'))} for i in range(10)]
    result = compress_text(json.dumps(rows), budget=50)  # minutes before the one-pass count
    assert result.tokens_after <= 50


def test_a_deep_json_line_inside_a_log_raises_nothing() -> None:
    # the mixed family's embedded-JSON finder decoded it and raised RecursionError out of compress
    log = "2024-01-01 INFO start\n" * 20 + nested(3_000) + "\n" + "2024-01-01 INFO end\n" * 20
    store = MemoryStore()
    result = compress_text(log, budget=60, store=store)
    assert result.tokens_after <= 60
    assert retrieve(result.manifest.entries[0].handle, store=store) == log
