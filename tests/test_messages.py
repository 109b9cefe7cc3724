"""Message formats in and out: shapes kept, input untouched, bad input named by index."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conversations import anthropic_conversation, openai_conversation

from headroom import Headroom, InvalidMessages, MemoryStore
from headroom.messages import count_messages, iter_fields, latest_user_index
from headroom.testing import FakeCounter

BIG = "\n".join(f"line {i}: building module_{i}.o ok" for i in range(400))


def hr() -> Headroom:
    return Headroom(counter=FakeCounter(), store=MemoryStore())


def test_openai_string_content_stays_string_and_input_is_untouched() -> None:
    messages = openai_conversation(BIG)
    before = copy.deepcopy(messages)
    result = hr().compress(messages, budget=300)
    assert messages == before
    assert isinstance(result.messages[3]["content"], str)
    assert result.messages[3]["content"] != BIG
    assert result.messages[:3] == messages[:3]
    assert result.messages[3]["tool_call_id"] == "call_1"


def test_openai_list_of_parts_keeps_parts_and_images() -> None:
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
    messages = [
        {"role": "user", "content": [{"type": "text", "text": BIG}, image]},
        {"role": "assistant", "content": "Looking."},
        {"role": "user", "content": [{"type": "text", "text": "and now?"}]},
    ]
    result = hr().compress(messages, budget=200)
    first = result.messages[0]["content"]
    assert first[1] == image
    assert first[0]["type"] == "text" and first[0]["text"] != BIG
    assert result.manifest.entries[0].path == ("content", 0, "text")


def test_anthropic_tool_result_string_and_list_content() -> None:
    messages = anthropic_conversation(BIG)
    result = hr().compress(messages, budget=300)
    block = result.messages[2]["content"][0]
    assert block["type"] == "tool_result" and block["tool_use_id"] == "toolu_1"
    assert isinstance(block["content"], str) and block["content"] != BIG

    listed = anthropic_conversation("")
    listed[2]["content"][0]["content"] = [
        {"type": "text", "text": BIG},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}},
    ]
    result = hr().compress(listed, budget=300)
    inner = result.messages[2]["content"][0]["content"]
    assert inner[1] == listed[2]["content"][0]["content"][1]
    assert inner[0]["text"] != BIG
    assert result.manifest.entries[0].path == ("content", 0, "content", 0, "text")


def test_blocks_with_cache_control_are_left_alone() -> None:
    messages = anthropic_conversation(BIG)
    messages[2]["content"][0]["cache_control"] = {"type": "ephemeral"}
    result = hr().compress(messages, budget=300)
    assert result.messages == messages
    assert not result.within_budget


def test_protected_parts_are_untouched_by_default() -> None:
    messages = [
        {"role": "system", "content": BIG},
        {"role": "user", "content": BIG + " old turn"},
        {"role": "assistant", "content": BIG + " assistant"},
        {"role": "user", "content": BIG + " latest"},
    ]
    result = hr().compress(messages, budget=10)
    changed = {e.message_index for e in result.manifest.entries}
    assert changed == {1}
    assert [m["content"] for i, m in enumerate(result.messages) if i != 1] == [
        m["content"] for i, m in enumerate(messages) if i != 1
    ]


def test_latest_user_turn_skips_tool_result_only_messages() -> None:
    messages = anthropic_conversation(BIG)
    assert latest_user_index(messages) == 0


@pytest.mark.parametrize(
    ("messages", "index", "words"),
    [
        ("not a list", None, "list of message dicts"),
        ([{"role": "user", "content": "hi"}, "oops"], 1, "expected a dict"),
        ([{"role": "wizard", "content": "hi"}], 0, "unknown role"),
        ([{"role": "user", "content": 42}], 0, "string or a list"),
        ([{"role": "user", "content": None}], 0, "null content"),
        ([{"role": "user", "content": [{"text": "no type"}]}], 0, "string 'type'"),
        ([{"role": "user", "content": [{"type": "text", "text": 3}]}], 0, "no string 'text'"),
        ([{"role": "user", "content": "q"}, {"role": "tool", "tool_call_id": "nope", "content": "x"}], 1, "no earlier"),
        (
            [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t9", "content": "x"}]}],
            0,
            "no earlier tool_use",
        ),
        ([{"role": "assistant", "content": None, "tool_calls": [{"id": 1}]}], 0, "tool_calls[0]"),
    ],
)
def test_malformed_input_names_the_index(messages: Any, index: int | None, words: str) -> None:
    with pytest.raises(InvalidMessages) as caught:
        hr().compress(messages)
    assert caught.value.index == index
    assert words in str(caught.value)


def test_unknown_block_types_pass_through_and_count() -> None:
    audio = {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}}
    thinking = {"type": "thinking", "thinking": "hmm " * 50, "signature": "sig"}
    messages = [
        {"role": "user", "content": [audio, {"type": "text", "text": "hi"}]},
        {"role": "assistant", "content": [thinking, {"type": "text", "text": "ok"}]},
    ]
    result = hr().compress(messages, budget=5_000)
    assert result.messages == messages
    assert count_messages(messages, FakeCounter()) > 50


def test_counting_covers_tool_call_names_arguments_and_overhead() -> None:
    counter = FakeCounter()
    bare = [{"role": "assistant", "content": None, "tool_calls": []}]
    with_call = [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "c", "type": "function", "function": {"name": "search", "arguments": "a b c d"}}],
        }
    ]
    assert count_messages(bare, counter) == 3 + 3
    assert count_messages(with_call, counter) == 3 + 3 + 1 + 3 + 4


def test_extra_keys_survive() -> None:
    messages = openai_conversation(BIG)
    messages[3]["name"] = "sh"
    messages[1]["metadata"] = {"k": "v"}
    result = hr().compress(messages, budget=300)
    assert result.messages[3]["name"] == "sh"
    assert result.messages[1]["metadata"] == {"k": "v"}


def test_every_field_is_found_once() -> None:
    fields = list(iter_fields(anthropic_conversation(BIG)))
    categories = [f.category for f in fields]
    assert categories == ["user_text", "assistant_text", "tool_name", "tool_args", "tool_output"]
