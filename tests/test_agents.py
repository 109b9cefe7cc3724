"""LangChain 1.x middleware and the LangGraph pre-model hook, end to end with real packages and a stub model.

The stub model reads a marker in what it was sent, calls the retrieval tool,
and gets the original; nothing is re-marked and the agent's state keeps the
originals.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("langchain.agents")
pytest.importorskip("langgraph")

from langchain.agents import create_agent  # noqa: E402
from langchain_core.language_models.chat_models import BaseChatModel  # noqa: E402
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage  # noqa: E402
from langchain_core.outputs import ChatGeneration, ChatResult  # noqa: E402
from langchain_core.tools import tool  # noqa: E402
from pydantic import Field  # noqa: E402

from headroom import MARKER_RE, Headroom  # noqa: E402
from headroom.integrations.agents import HeadroomMiddleware, pre_model_hook  # noqa: E402
from headroom.integrations.langchain import RetrieveTool, compress_messages  # noqa: E402

LOG = "".join(f"2024-05-01 12:00:{i % 60:02d} INFO GET /api/items/{i} 200 3ms\n" for i in range(1500))
LOG += "2024-05-01 12:01:00 ERROR GET /api/cart 500 upstream timeout after 30s\n"


class StubModel(BaseChatModel):
    """A chat model that answers by a script over what it was sent, and records every prompt."""

    script: Any
    seen: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "stub"

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **_: Any) -> ChatResult:
        self.seen.append(list(messages))
        return ChatResult(generations=[ChatGeneration(message=self.script(messages))])

    def bind_tools(self, tools: Any, **kwargs: Any) -> StubModel:
        return self

    def get_num_tokens(self, text: str) -> int:  # LangChain's default loads a GPT-2 tokenizer
        return len(text) // 4 + 1


def retrieving_script() -> Callable[[list[BaseMessage]], AIMessage]:
    """Turn 1: call the logs tool. Turn 2: redeem the marker's lines. Turn 3: answer from what came back."""

    def script(messages: list[BaseMessage]) -> AIMessage:
        last = messages[-1]
        if isinstance(last, HumanMessage):
            return AIMessage("", tool_calls=[{"name": "read_logs", "args": {}, "id": "call_1"}])
        if isinstance(last, ToolMessage) and last.tool_call_id == "call_1":
            marker = MARKER_RE.search(str(last.content))
            assert marker is not None, "the model was sent the compressed output"
            args = {"handle": marker["handle"], "query": "ERROR"}
            return AIMessage("", tool_calls=[{"name": "headroom_retrieve", "args": args, "id": "call_2"}])
        return AIMessage(f"The cart failed: {last.content}")

    return script


@tool
def read_logs() -> str:
    """Read the server logs."""
    return LOG


def test_middleware_sends_the_compressed_prompt_and_keeps_originals_in_state() -> None:
    hr = Headroom(model="gpt-4")
    results: list[Any] = []
    model = StubModel(script=retrieving_script())
    agent = create_agent(
        model,
        tools=[read_logs, RetrieveTool(headroom=hr)],
        system_prompt="You debug web services.",
        middleware=[HeadroomMiddleware(1_500, headroom=hr, on_result=results.append)],
    )
    state = agent.invoke({"messages": [HumanMessage("Why did the cart request fail?")]})
    messages = state["messages"]
    # the state keeps the originals: the tool output is whole, no marker in it
    tool_output = next(m for m in messages if isinstance(m, ToolMessage) and m.tool_call_id == "call_1")
    assert tool_output.content == LOG
    # the model saw the compressed prompt, within budget (system prompt and tool definitions included)
    second = model.seen[1]
    assert any(MARKER_RE.search(str(m.content)) for m in second)
    assert all(r.within_budget and r.tokens_after <= 1_500 for r in results)
    # the retrieval answer reached the model as the original lines, not re-marked
    answer = model.seen[2][-1]
    assert isinstance(answer, ToolMessage) and "upstream timeout" in str(answer.content)
    assert not MARKER_RE.search(str(answer.content))
    # no marker inside a marker: each handle the model saw is one the store holds for original text
    for prompt in model.seen:
        for message in prompt:
            for marker in MARKER_RE.finditer(str(message.content)):
                assert MARKER_RE.search(hr.retrieve(marker["handle"])) is None
    # the account of the last call rides on the reply
    final = messages[-1]
    assert isinstance(final, AIMessage) and "upstream timeout" in str(final.content)
    account = final.response_metadata["headroom"]
    assert account["within_budget"] and account["tokens_after"] <= 1_500
    assert account["compressed"][0]["handle"] in {m["handle"] for m in MARKER_RE.finditer(str(second[-1].content))}


def test_middleware_counts_the_system_prompt_and_the_tools() -> None:
    hr = Headroom(model="gpt-4")
    results: list[Any] = []
    model = StubModel(script=retrieving_script())
    agent = create_agent(
        model,
        tools=[read_logs, RetrieveTool(headroom=hr)],
        system_prompt="You debug web services. " * 30,
        middleware=[HeadroomMiddleware(1_500, headroom=hr, on_result=results.append)],
    )
    agent.invoke({"messages": [HumanMessage("Why did the cart request fail?")]})
    bare = compress_messages(model.seen[1][1:], 1_500, headroom=hr).result
    assert results[1].tokens_before > bare.tokens_before + 300  # tools (~300) and the system prompt counted


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_langgraph_pre_model_hook_keeps_state_and_sends_compressed() -> None:
    from langgraph.prebuilt import create_react_agent

    hr = Headroom(model="gpt-4")
    model = StubModel(script=retrieving_script())
    tools = [read_logs, RetrieveTool(headroom=hr)]
    agent = create_react_agent(model, tools, pre_model_hook=pre_model_hook(1_500, headroom=hr, tools=tools))
    state = agent.invoke({"messages": [HumanMessage("Why did the cart request fail?")]})
    tool_output = next(m for m in state["messages"] if isinstance(m, ToolMessage) and m.tool_call_id == "call_1")
    assert tool_output.content == LOG  # the hook did not write compressed messages into state
    assert any(MARKER_RE.search(str(m.content)) for m in model.seen[1])
    assert "upstream timeout" in str(state["messages"][-1].content)


def test_token_counter_takes_a_callable_an_encoding_or_a_model() -> None:
    from headroom.tokens import TokenCounter

    history = [
        HumanMessage("Why did the cart request fail?"),
        AIMessage("", tool_calls=[{"name": "read_logs", "args": {}, "id": "call_1"}]),
        ToolMessage(LOG, tool_call_id="call_1"),
    ]
    by_chars = compress_messages(history, 2_000, token_counter=lambda text: len(text) // 4 + 1)
    assert by_chars.within_budget and by_chars.result.encoding == "<lambda>"
    encoding = TokenCounter.for_model("gpt-4")._encoding  # type: ignore[attr-defined]
    by_encoding = compress_messages(history, 2_000, token_counter=encoding)
    assert by_encoding.result.encoding == encoding.name
    by_model = compress_messages(history, 2_000, token_counter=StubModel(script=None))
    assert by_model.within_budget and by_model.result.encoding == "StubModel"
    with pytest.raises(Exception, match="token_counter must be"):
        compress_messages(history, 2_000, token_counter=42)
    assert json.dumps(by_chars.result.manifest.model_dump(mode="json"))


def test_without_langchain_agents_the_error_names_the_extra() -> None:
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['langchain.agents'] = None; sys.modules['langchain.agents.middleware'] = None\n"
        "import headroom\n"
        "try:\n"
        "    import headroom.integrations.agents\n"
        "except headroom.MissingExtra as error:\n"
        "    print(error)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    assert "headroom[agents]" in out.stdout
