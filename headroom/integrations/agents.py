"""LangChain 1.x agent middleware and a LangGraph pre-model hook: the model sees the compressed prompt.

    from langchain.agents import create_agent
    from headroom.integrations.agents import HeadroomMiddleware

    agent = create_agent(model, tools=[*my_tools, RetrieveTool()], middleware=[HeadroomMiddleware(8_000)])

    from langgraph.prebuilt import create_react_agent      # LangGraph's own agent
    agent = create_react_agent(model, tools, pre_model_hook=pre_model_hook(8_000))

Both compress the prompt of each model call and hand it to the model, and
neither writes it back into the agent's state. That is the point: the state
keeps the originals, so every turn compresses from them (the same content
gives the same handles, the prompt cache keeps hitting), and a compressed
message is never compressed again, which would nest markers inside markers.
The model's run in a trace (LangSmith, callbacks) shows what the model saw,
since the model is called with the compressed messages.

The manifest is reachable two ways: the middleware puts a short account in
the reply's ``response_metadata["headroom"]`` (tokens before and after,
within budget, and each handle with what it omitted), and both take
``on_result=`` to receive the full ``CompressResult`` of every call.

The budget covers what is billed: the middleware counts the agent's system
message and the tool definitions it sends; the hook counts the tool
definitions it is given (``tools=``). Needs ``pip install "headroom[agents]"``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from headroom.errors import MissingExtra

try:
    from langchain.agents.middleware import AgentMiddleware, ModelRequest, ModelResponse
    from langchain_core.messages import AIMessage, BaseMessage, SystemMessage
    from langchain_core.utils.function_calling import convert_to_openai_tool
except ImportError as error:  # pragma: no cover - exercised without the extra
    raise MissingExtra("headroom.integrations.agents", "agents") from error

from headroom.budget import check_budget
from headroom.client import Headroom
from headroom.integrations.langchain import compress_messages
from headroom.manifest import CompressResult

__all__ = ["HeadroomMiddleware", "pre_model_hook", "response_account"]

OnResult = Callable[[CompressResult], None]


def response_account(result: CompressResult) -> dict[str, Any]:
    """The short account put in ``response_metadata["headroom"]``: JSON-ready, small enough to keep."""
    return {
        "tokens_before": result.tokens_before,
        "tokens_after": result.tokens_after,
        "budget": result.manifest.budget,
        "within_budget": result.within_budget,
        "encoding": result.encoding,
        "compressed": [
            {"handle": e.handle, "message_index": e.message_index, "content_type": e.content_type, "omitted": e.omitted}
            for e in result.manifest.entries
        ],
    }


class HeadroomMiddleware(AgentMiddleware):
    """Compress each model call's messages to ``budget`` tokens; the agent's state keeps the originals.

    ``headroom`` is the ``Headroom`` whose store keeps the originals (give the
    same one to ``RetrieveTool``); ``token_counter`` counts instead of the
    model's encoding (a tiktoken ``Encoding``, a callable, a chat model).
    """

    def __init__(
        self,
        budget: int,
        *,
        headroom: Headroom | None = None,
        query: str | None = None,
        token_counter: Any = None,
        on_result: OnResult | None = None,
    ) -> None:
        super().__init__()
        check_budget(budget)
        self.budget = budget
        self.headroom = headroom
        self.query = query
        self.token_counter = token_counter
        self.on_result = on_result

    def _request(self, request: ModelRequest) -> tuple[ModelRequest, CompressResult]:
        system = request.system_message.text if isinstance(request.system_message, SystemMessage) else None
        tools = [tool if isinstance(tool, dict) else convert_to_openai_tool(tool) for tool in request.tools]
        compressed = compress_messages(
            request.messages,
            self.budget,
            headroom=self.headroom,
            query=self.query,
            system=system,
            tools=tools,
            token_counter=self.token_counter,
        )
        if self.on_result is not None:
            self.on_result(compressed.result)
        return request.override(messages=list[Any](compressed.messages)), compressed.result

    def wrap_model_call(
        self,
        request: ModelRequest,
        handler: Callable[[ModelRequest], ModelResponse],
    ) -> ModelResponse:
        smaller, result = self._request(request)
        return _annotated(handler(smaller), result)

    async def awrap_model_call(
        self,
        request: ModelRequest,
        handler: Callable[[ModelRequest], Awaitable[ModelResponse]],
    ) -> ModelResponse:
        smaller, result = self._request(request)
        return _annotated(await handler(smaller), result)


def _annotated(response: ModelResponse, result: CompressResult) -> ModelResponse:
    """The model's reply with the account in its ``response_metadata`` (a copy; the state is not touched)."""
    messages = [
        m.model_copy(update={"response_metadata": {**m.response_metadata, "headroom": response_account(result)}})
        if isinstance(m, AIMessage)
        else m
        for m in response.result
    ]
    return ModelResponse(result=messages, structured_response=response.structured_response)


def pre_model_hook(
    budget: int,
    *,
    headroom: Headroom | None = None,
    query: str | None = None,
    tools: Sequence[Any] | None = None,
    token_counter: Any = None,
    on_result: OnResult | None = None,
) -> Callable[[dict[str, Any]], dict[str, list[BaseMessage]]]:
    """A LangGraph ``pre_model_hook``: returns ``{"llm_input_messages": compressed}``.

    LangGraph sends ``llm_input_messages`` to the model and does not store them,
    so the state keeps the originals. ``tools`` (the agent's tools) are counted
    against the budget, since the model call carries their definitions.
    """
    check_budget(budget)
    listed = [tool if isinstance(tool, dict) else convert_to_openai_tool(tool) for tool in tools or ()]

    def hook(state: Any) -> dict[str, list[BaseMessage]]:
        messages = state["messages"] if isinstance(state, dict) else state.messages
        compressed = compress_messages(
            messages, budget, headroom=headroom, query=query, tools=listed or None, token_counter=token_counter
        )
        if on_result is not None:
            on_result(compressed.result)
        return {"llm_input_messages": compressed.messages}

    return hook
