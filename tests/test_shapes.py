"""Messages in the shapes users hold, against the real openai and anthropic packages."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("openai")
pytest.importorskip("anthropic")

from anthropic.types import TextBlock, ToolUseBlock  # noqa: E402
from openai.types.chat import ChatCompletionMessage  # noqa: E402
from openai.types.responses import ResponseFunctionToolCall, ResponseReasoningItem  # noqa: E402

from headroom import BudgetExceeded, Headroom, InvalidMessages, find_markers  # noqa: E402
from headroom.tools import retrieval_tool, run_retrieval_tool  # noqa: E402

LOG = "".join(f"tests/test_cart.py::test_{i} PASSED\n" for i in range(1500))
LOG += "tests/test_cart.py::test_totals FAILED - KeyError: 'sku'\n"


def openai_call(call_id: str, name: str, arguments: dict[str, Any]) -> ChatCompletionMessage:
    return ChatCompletionMessage.model_validate(
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}
            ],
        }
    )


def test_openai_sdk_message_is_read_and_returned_as_the_same_object() -> None:
    reply = openai_call("call_1", "run_tests", {})
    messages: list[Any] = [
        {"role": "user", "content": "Which test failed?"},
        reply,
        {"role": "tool", "tool_call_id": "call_1", "content": LOG},
    ]
    result = Headroom().compress(messages, budget=400)
    assert result.within_budget and result.tokens_after <= 400
    assert result.messages[1] is reply  # unchanged SDK object comes back as itself
    assert "FAILED" in result.messages[2]["content"] and len(result.messages[2]["content"]) < len(LOG)
    assert messages[2]["content"] == LOG  # the input is not mutated


def test_anthropic_content_blocks_are_read_and_returned_in_their_classes() -> None:
    blocks = [
        TextBlock(type="text", text="Running the tests."),
        ToolUseBlock(type="tool_use", id="t1", name="run", input={}),
    ]
    messages: list[Any] = [
        {"role": "user", "content": "Which test failed?"},
        {"role": "assistant", "content": blocks},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": LOG}]},
    ]
    result = Headroom().compress(messages, budget=400)
    assert result.within_budget
    assert result.messages[1]["content"][0] is blocks[0] and result.messages[1]["content"][1] is blocks[1]
    assert result.manifest.entries[0].path == ("content", 0, "content")


def responses_input(output: Any = LOG) -> list[Any]:
    return [
        {"role": "user", "content": [{"type": "input_text", "text": "Which test failed, and why?"}]},
        ResponseReasoningItem(id="rs_1", type="reasoning", summary=[]),
        ResponseFunctionToolCall(type="function_call", call_id="call_1", name="run_tests", arguments="{}"),
        {"type": "function_call_output", "call_id": "call_1", "output": output},
    ]


def test_responses_items_compress_the_call_output_with_the_user_input_as_query() -> None:
    items = responses_input()
    result = Headroom().compress(items, budget=300)
    assert result.within_budget and result.tokens_after <= 300
    out = result.messages
    assert out[0] == items[0] and out[1] is items[1] and out[2] is items[2]
    assert out[3]["type"] == "function_call_output" and out[3]["call_id"] == "call_1"
    assert "test_totals FAILED" in out[3]["output"]  # the query names what failed
    (entry,) = result.manifest.entries
    assert entry.message_index == 3 and entry.path == ("output",)


def test_responses_output_parts_keep_their_types() -> None:
    items = responses_input([{"type": "input_text", "text": LOG}])
    result = Headroom().compress(items, budget=300)
    (part,) = result.messages[3]["output"]
    assert part["type"] == "input_text" and len(part["text"]) < len(LOG)
    assert result.manifest.entries[0].path == ("output", 0, "text")


def test_a_call_output_without_its_call_is_read_as_answering_a_previous_response() -> None:
    items = [{"type": "function_call_output", "call_id": "call_9", "output": LOG}]
    result = Headroom().compress(items, budget=300)
    assert len(result.messages) == 1 and result.within_budget
    assert result.manifest.entries[0].message_index == 0


def test_tuples_and_typed_dicts_as_langchain_accepts_them() -> None:
    old = "Here is the whole log from yesterday:\n" + LOG
    messages: list[Any] = [
        ("system", "You read logs."),
        ("human", old),
        {"type": "ai", "content": "ok"},
        ("human", "Why?"),
    ]
    result = Headroom().compress(messages, budget=300)
    assert result.within_budget
    assert result.messages[0] == ("system", "You read logs.") and result.messages[3] == ("human", "Why?")
    assert result.messages[1][0] == "human" and len(result.messages[1][1]) < len(old)
    assert result.messages[2] == {"type": "ai", "content": "ok"}
    aliased = Headroom().compress(
        [{"role": "human", "content": old}, {"role": "ai", "content": "ok"}, ("human", "?")], 300
    )
    assert aliased.messages[0]["role"] == "human" and len(aliased.messages[0]["content"]) < len(old)
    assert aliased.messages[1] == {"role": "ai", "content": "ok"}
    assert result.manifest.entries[0].path == (1,)


@pytest.mark.parametrize(
    ("message", "words"),
    [
        (object(), "expected a dict with 'role'"),
        (("wizard", "hi"), "tuple message must be (role, content)"),
        ({"content": "hi"}, "no 'role'"),
        ({"type": "function_call_output", "call_id": "c"}, "no 'output'"),
    ],
)
def test_anything_else_is_refused_naming_the_item(message: Any, words: str) -> None:
    with pytest.raises(InvalidMessages) as caught:
        Headroom().compress([{"role": "user", "content": "hi"}, message])
    assert caught.value.index == 1 and words in str(caught.value)


def test_system_and_tools_count_against_the_budget() -> None:
    hr = Headroom()
    messages = [
        {"role": "user", "content": "Which test failed?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "run", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": LOG}]},
    ]
    system = "You are a careful engineer. " * 20
    tools = [retrieval_tool("anthropic")]
    alone = hr.compress(messages, budget=800)
    both = hr.compress(messages, budget=800, system=system, tools=tools)
    extra = hr.counter.count(system) + hr.counter.count(json.dumps(tools[0], ensure_ascii=False))
    assert both.within_budget and both.tokens_after <= 800
    assert both.tokens_before == alone.tokens_before + extra + 3
    assert both.tokens_after - extra - 3 < alone.tokens_after  # the messages got less room
    assert both.manifest.budget == 800

    tight = hr.compress(messages, budget=100, system=system, tools=tools)
    assert not tight.within_budget and "system prompt and tool definitions" in (tight.manifest.reason or "")
    with pytest.raises(BudgetExceeded):
        hr.compress(messages, budget=100, system=system, tools=tools, strict=True)


def test_the_retrieval_answer_is_never_compressed_again() -> None:
    """The loop end to end: the stub model reads a marker, calls the tool, gets the original, nothing re-marked."""
    hr = Headroom()
    messages: list[Any] = [
        {"role": "user", "content": "Which test failed?"},
        openai_call("call_1", "run_tests", {}),
        {"role": "tool", "tool_call_id": "call_1", "content": LOG},
    ]
    tools = [retrieval_tool("openai")]
    first = hr.compress(messages, budget=900, tools=tools)
    marker = find_markers(first.messages[2]["content"], first.manifest.handles)[0]
    # the stub model asks for the whole original, then for the marked lines
    whole = openai_call("call_2", "headroom_retrieve", {"handle": marker.handle})
    answer = run_retrieval_tool(whole.tool_calls[0].function.arguments, hr)  # type: ignore[union-attr]
    assert answer == LOG
    history = [*first.messages, whole, {"role": "tool", "tool_call_id": "call_2", "content": answer}]
    second = hr.compress(history, budget=40_000, tools=tools)
    assert second.messages[4]["content"] == LOG
    assert all(entry.message_index != 4 for entry in second.manifest.entries)
    tight = hr.compress(history, budget=2_000, tools=tools)
    assert tight.messages[4]["content"] == LOG and not tight.within_budget  # protected, the verdict says so
