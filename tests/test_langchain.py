"""The LangChain integration, against real langchain-core."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import pytest

pytest.importorskip("langchain_core")

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage  # noqa: E402
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder  # noqa: E402
from langchain_core.runnables import RunnableLambda  # noqa: E402
from langchain_core.tools import InjectedToolCallId, Tool, tool  # noqa: E402
from langchain_core.utils.function_calling import convert_to_openai_tool  # noqa: E402

import headroom  # noqa: E402
from headroom import Headroom, InvalidMessages, find_markers  # noqa: E402
from headroom.compressors.base import split_lines  # noqa: E402
from headroom.integrations.langchain import (  # noqa: E402
    RetrieveTool,
    _from_openai,
    _to_openai,
    compress_messages,
    compress_tool,
    message_compressor,
)
from headroom.tools import retrieval_tool  # noqa: E402

LOG = (Path(__file__).parent / "golden" / "log" / "pytest_mixed.txt").read_text(encoding="utf-8")


@tool
def run_tests(path: str, verbose: bool = False) -> str:
    """Run the test suite under path."""
    return LOG


def _call(name: str, args: dict[str, Any], call_id: str = "call_1") -> dict[str, Any]:
    return {"type": "tool_call", "id": call_id, "name": name, "args": args}


def _lines_marker(text: str, hr: Headroom) -> headroom.Marker:
    markers = [m for m in find_markers(text, {headroom.make_handle(LOG)}) if m.unit == "lines"]
    assert markers, text
    return markers[0]


# --- compress_tool ----------------------------------------------------------------------------


def test_wrapped_tool_looks_the_same_to_the_model() -> None:
    wrapped = compress_tool(run_tests, budget=300)
    assert (wrapped.name, wrapped.description) == (run_tests.name, run_tests.description)
    assert convert_to_openai_tool(wrapped) == convert_to_openai_tool(run_tests)
    assert wrapped.args == run_tests.args
    bare = Tool(name="sh", func=lambda command: LOG, description="Run a shell command.")
    shown, expected = convert_to_openai_tool(compress_tool(bare))["function"], convert_to_openai_tool(bare)["function"]
    assert shown["parameters"]["required"] == expected["parameters"]["required"]
    assert set(shown["parameters"]["properties"]) == set(expected["parameters"]["properties"])


def test_output_is_compressed_and_the_retrieve_tool_redeems_it() -> None:
    hr = Headroom()
    wrapped = compress_tool(run_tests, budget=300, headroom=hr)
    message = wrapped.invoke(_call("run_tests", {"path": "tests"}))
    assert isinstance(message, ToolMessage)
    assert (message.tool_call_id, message.name, message.status) == ("call_1", "run_tests", "success")
    assert hr.counter.count(message.content) <= 300 < hr.counter.count(LOG)
    marker = _lines_marker(message.content, hr)
    assert marker.spans  # one range, or (a test run's one mark for the piece) every range
    retrieve = RetrieveTool(headroom=hr)
    ranges = ",".join(f"{first}-{last}" for first, last in marker.spans)  # as the mark writes them
    answer = retrieve.invoke(_call(retrieve.name, {"handle": marker.handle, "lines": ranges}, "call_2"))
    assert answer.status == "success"
    lines = split_lines(LOG)
    assert answer.content == "".join(line for first, last in marker.spans for line in lines[first - 1 : last])


def test_plain_invoke_and_async() -> None:
    hr = Headroom()
    wrapped = compress_tool(run_tests, budget=300, headroom=hr)
    text = wrapped.invoke({"path": "tests"})
    assert isinstance(text, str) and hr.counter.count(text) <= 300
    assert asyncio.run(wrapped.ainvoke({"path": "tests"})) == text
    assert hr.retrieve(_lines_marker(text, hr).handle) == LOG


def test_decorator_on_a_function_and_on_a_tool() -> None:
    hr = Headroom()

    @compress_tool(budget=300, headroom=hr)
    def build(target: str) -> str:
        """Build a target."""
        return LOG

    @compress_tool(budget=300, headroom=hr)
    @tool
    def check(target: str) -> str:
        """Check a target."""
        return LOG

    for made in (build, check):
        assert made.args == {"target": {"title": "Target", "type": "string"}}
        assert hr.counter.count(made.invoke({"target": "all"})) <= 300


def test_artifact_and_injected_call_id_survive() -> None:
    hr = Headroom()

    @tool(response_format="content_and_artifact")
    def fetch(url: str, call_id: Annotated[str, InjectedToolCallId]) -> tuple[str, dict[str, str]]:
        """Fetch a page."""
        return LOG, {"url": url, "call": call_id}

    wrapped = compress_tool(fetch, budget=300, headroom=hr)
    assert "call_id" not in convert_to_openai_tool(wrapped)["function"]["parameters"]["properties"]
    message = wrapped.invoke(_call("fetch", {"url": "http://x"}, "call_9"))
    assert message.artifact == {"url": "http://x", "call": "call_9"}
    assert hr.counter.count(message.content) <= 300


def test_what_is_not_text_or_not_long_passes_through() -> None:
    record = {"rows": list(range(3_000))}

    @tool
    def stats() -> dict[str, Any]:
        """Statistics."""
        return record

    @tool
    def echo(text: str) -> str:
        """Echo."""
        return text

    assert compress_tool(stats, budget=50).invoke({}) is record  # a Python value for Python code
    assert compress_tool(echo, budget=50).invoke({"text": "short"}) == "short"


def test_list_output_compresses_text_blocks_only() -> None:
    hr = Headroom()
    image = {"type": "image", "url": "https://example.invalid/plot.png"}

    @tool
    def report() -> list[Any]:
        """A report with a plot."""
        return [{"type": "text", "text": LOG}, image, LOG]

    message = compress_tool(report, budget=600, headroom=hr).invoke(_call("report", {}))
    text, kept, bare = message.content
    assert kept == image
    assert isinstance(bare, str) and text["type"] == "text"
    assert hr.counter.count(text["text"]) + hr.counter.count(bare) <= 600


def test_bad_limits_are_refused_when_the_tool_is_built() -> None:
    with pytest.raises(headroom.InvalidInput):
        compress_tool(run_tests, budget=0)
    with pytest.raises(headroom.InvalidInput):
        RetrieveTool(max_tokens=-5)


# --- RetrieveTool ------------------------------------------------------------------------------


def test_retrieve_tool_sends_the_shared_definition() -> None:
    assert convert_to_openai_tool(RetrieveTool()) == retrieval_tool("openai")


def test_retrieve_tool_mistakes_are_error_messages_not_exceptions() -> None:
    answer = RetrieveTool().invoke(_call("headroom_retrieve", {"handle": "hr1:123456789012345"}))
    assert answer.status == "error" and "is not stored" in answer.content
    assert RetrieveTool().invoke({"handle": "nope"}).startswith("Error: ")


def test_retrieve_tool_uses_the_shared_default_and_caps_answers() -> None:
    handle = headroom.compress_text(LOG, 300).manifest.entries[0].handle
    assert RetrieveTool().invoke({"handle": handle}) == LOG
    capped = RetrieveTool(max_tokens=200).invoke({"handle": handle})
    assert headroom.get_default().counter.count(capped) <= 200


# --- compress_messages --------------------------------------------------------------------------


def _history() -> list[BaseMessage]:
    anthropic_style = AIMessage(
        [
            {"type": "text", "text": "Once more."},
            {"type": "tool_use", "id": "toolu_1", "name": "sh", "input": {"cmd": "pytest -x"}},
        ],
        id="a2",
        tool_calls=[{"name": "sh", "args": {"cmd": "pytest -x"}, "id": "toolu_1", "type": "tool_call"}],
    )
    return [
        SystemMessage("You are a coding agent.", id="s"),
        HumanMessage("Which tests failed?", id="h1"),
        AIMessage("", id="a1", tool_calls=[{"name": "sh", "args": {"cmd": "pytest"}, "id": "c1", "type": "tool_call"}]),
        ToolMessage(LOG, tool_call_id="c1", id="t1", artifact={"exit": 1}),
        anthropic_style,
        ToolMessage([{"type": "text", "text": LOG}, "exit status 1"], tool_call_id="toolu_1", id="t2"),
        HumanMessage("Why did they fail?", id="h2"),
    ]


def test_messages_keep_types_ids_and_pairing() -> None:
    history = _history()
    before = [m.model_dump() for m in history]
    out = compress_messages(history, 900, headroom=Headroom())
    assert out.within_budget and out.result.tokens_after <= 900 < out.result.tokens_before
    assert [m.model_dump() for m in history] == before  # the input is never mutated
    assert [type(m) for m in out.messages] == [type(m) for m in history]
    assert [m.id for m in out.messages] == [m.id for m in history]
    assert [m.tool_call_id for m in out.messages if isinstance(m, ToolMessage)] == ["c1", "toolu_1"]
    unchanged = [i for i, (a, b) in enumerate(zip(history, out.messages)) if a is b]
    assert unchanged == [0, 1, 2, 4, 6]
    assert out.messages[3].artifact == {"exit": 1}
    parts = out.messages[5].content
    assert isinstance(parts, list) and parts[1] == "exit status 1"  # a bare string part stays a string


def test_messages_markers_redeem_exactly() -> None:
    hr = Headroom()
    out = compress_messages(_history(), 900, headroom=hr)
    later = out.messages[5].content[0]
    assert isinstance(later, dict)
    marker = _lines_marker(later["text"], hr)
    assert marker.span is not None
    answer = RetrieveTool(headroom=hr).invoke({"handle": marker.handle, "lines": list(marker.span)})
    assert answer == "".join(split_lines(LOG)[marker.span[0] - 1 : marker.span[1]])
    # the earlier run, squeezed to one line and the piece's only mark: a count without ranges, which
    # stands for every line not shown, so the handle alone redeems it (the whole log)
    content = out.messages[3].content
    assert isinstance(content, str)
    (only,) = find_markers(content, {headroom.make_handle(LOG)})
    assert only.detail is None and only.selector == {}
    assert RetrieveTool(headroom=hr).invoke({"handle": only.handle}) == LOG


def test_retrieve_tool_takes_a_summary_marks_ranges_as_written() -> None:
    """The schema it shares with headroom.tools takes "1-6,8-19": one call, the parts joined in order."""
    hr = Headroom()
    handle = hr.compress_text(LOG, 300).manifest.entries[0].handle
    lines = split_lines(LOG)
    answer = RetrieveTool(headroom=hr).invoke({"handle": handle, "lines": "1-6,8-19"})
    assert answer == "".join(lines[0:6] + lines[7:19]) == hr.retrieve(handle, lines=((1, 6), (8, 19)))


def test_a_call_in_both_content_and_tool_calls_is_counted_once() -> None:
    shaped = _to_openai(4, _history()[4])
    assert shaped.message["tool_calls"] == []
    plain = _to_openai(2, _history()[2])
    assert plain.message["tool_calls"][0]["function"] == {"name": "sh", "arguments": '{"cmd": "pytest"}'}


def test_changed_tool_arguments_come_back_as_args() -> None:
    message = AIMessage(
        "",
        tool_calls=[{"name": "write", "args": {"body": "x" * 50}, "id": "c1", "type": "tool_call"}],
        invalid_tool_calls=[
            {"name": "write", "args": "{broken", "id": "c2", "error": None, "type": "invalid_tool_call"}
        ],
    )
    shape = _to_openai(0, message)
    new = {
        **shape.message,
        "tool_calls": [
            {**shape.message["tool_calls"][0], "function": {"name": "write", "arguments": '{"body": "x [cut]"}'}},
            {**shape.message["tool_calls"][1], "function": {"name": "write", "arguments": "{bro"}},
        ],
    }
    back = _from_openai(message, shape, new)
    assert isinstance(back, AIMessage) and back is not message
    assert back.tool_calls[0]["args"] == {"body": "x [cut]"}
    assert back.invalid_tool_calls[0]["args"] == "{bro"
    assert message.tool_calls[0]["args"] == {"body": "x" * 50}


@pytest.mark.parametrize(
    ("messages", "says"),
    [
        ([HumanMessage("hi"), {"content": "hi"}], "messages[1]: dict is not a message LangChain can read"),
        ([HumanMessage("hi"), 42], "messages[1]: int is not a message"),
        ([HumanMessage("hi"), ToolMessage("out", tool_call_id="nope")], "messages[1]: tool message answers"),
        ("hello", "expected a list of LangChain messages"),
    ],
)
def test_malformed_histories_say_where(messages: Any, says: str) -> None:
    with pytest.raises(InvalidMessages) as error:
        compress_messages(messages, 100)
    assert says in str(error.value)


def test_message_compressor_in_a_chain() -> None:
    seen: list[list[BaseMessage]] = []

    def model(messages: list[BaseMessage]) -> AIMessage:
        seen.append(messages)
        return AIMessage("ok")

    prompt = ChatPromptTemplate.from_messages([("system", "You are a coding agent."), MessagesPlaceholder("history")])
    chain = prompt | message_compressor(900, headroom=Headroom()) | RunnableLambda(model)
    assert chain.invoke({"history": _history()[1:]}).content == "ok"
    assert Headroom().counter.count_messages([_to_openai(i, m).message for i, m in enumerate(seen[0])]) <= 900


# --- the optional extra --------------------------------------------------------------------------


def test_without_langchain_the_error_names_the_extra() -> None:
    script = (
        "import sys; sys.modules['langchain_core'] = None\n"
        "import headroom, headroom.tools, headroom.integrations\n"
        "try:\n"
        "    import headroom.integrations.langchain\n"
        "except headroom.MissingExtra as error:\n"
        "    print(error)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    assert "headroom[langchain]" in out.stdout


def test_headroom_and_its_tools_do_not_import_langchain() -> None:
    script = "import sys, headroom, headroom.tools, headroom.integrations; print('langchain_core' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "False"


def test_the_documented_examples_run() -> None:
    text = (Path(__file__).parent.parent / "docs" / "integrations.md").read_text(encoding="utf-8")
    blocks = [block for block in re.findall(r"```python\n(.*?)```", text, re.S) if "langchain" in block]
    assert len(blocks) == 3  # tools and messages, the chain, the agents hook
    namespace: dict[str, Any] = {}  # the chain example goes on from the first one
    for block in blocks:
        exec(compile(block, "docs/integrations.md", "exec"), namespace)


def test_tuples_strings_and_dicts_are_read_as_langchain_reads_them() -> None:
    log = "".join(f"row {i}: ok\n" for i in range(3000)) + "row 3000: mismatch\n"
    history: list[Any] = [
        ("system", "You audit tables."),
        "Which rows are bad?",
        {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "name": "audit", "args": {}}]},
        {"role": "tool", "tool_call_id": "c1", "content": log},
    ]
    out = compress_messages(history, 600, headroom=Headroom(model="gpt-4"))
    assert out.within_budget
    assert [type(m).__name__ for m in out.messages] == ["SystemMessage", "HumanMessage", "AIMessage", "ToolMessage"]
    assert "row 3000: mismatch" in out.messages[3].content and len(out.messages[3].content) < len(log)
    assert history[3]["content"] == log
