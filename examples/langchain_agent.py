"""A LangChain 1.x agent with headroom's middleware: the model gets the compressed prompt, the state the originals.

The chat model is a stub (no key, no network) that calls a tool, redeems the
marker with `RetrieveTool`, and answers. `HeadroomMiddleware` compresses every
model call to the budget (system prompt and tool definitions included) and
puts an account of it on the reply's `response_metadata["headroom"]`.

    python examples/langchain_agent.py
"""

from __future__ import annotations

from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool

from headroom import MARKER_RE, Headroom
from headroom.integrations.agents import HeadroomMiddleware
from headroom.integrations.langchain import RetrieveTool

REPORT = "".join(f"row {i}: ok\n" for i in range(3000)) + "row 3000: checksum mismatch in column 'total'\n"


@tool
def audit(table: str) -> str:
    """Audit a table and report every row."""
    return REPORT


class StubModel(BaseChatModel):
    """Plays the model over the messages it is sent."""

    @property
    def _llm_type(self) -> str:
        return "stub"

    def bind_tools(self, tools: Any, **kwargs: Any) -> StubModel:
        return self

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **_: Any) -> ChatResult:
        last = messages[-1]
        if isinstance(last, HumanMessage):
            reply = AIMessage("", tool_calls=[{"name": "audit", "args": {"table": "orders"}, "id": "call_1"}])
        elif isinstance(last, ToolMessage) and last.tool_call_id == "call_1":
            marker = MARKER_RE.search(str(last.content))
            args = {"handle": marker["handle"], "query": "mismatch"}
            reply = AIMessage("", tool_calls=[{"name": "headroom_retrieve", "args": args, "id": "call_2"}])
        else:
            reply = AIMessage(f"Bad row: {last.content}")
        return ChatResult(generations=[ChatGeneration(message=reply)])


hr = Headroom(model="gpt-4")  # one store for the middleware and the retrieve tool
agent = create_agent(
    StubModel(),
    tools=[audit, RetrieveTool(headroom=hr)],
    system_prompt="You audit database tables.",
    middleware=[HeadroomMiddleware(1_000, headroom=hr)],
)
state = agent.invoke({"messages": [HumanMessage("Which rows are bad?")]})

final = state["messages"][-1]
print("answer:", final.content)
account = final.response_metadata["headroom"]
print(f"last call: {account['tokens_before']:,} -> {account['tokens_after']:,} tokens, within {account['budget']:,}")
assert "checksum mismatch" in final.content and account["within_budget"]
assert state["messages"][2].content == REPORT  # the state keeps the original tool output
print("state keeps originals; the model saw the compressed prompt and redeemed the marker.")
