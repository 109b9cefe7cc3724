"""LangChain: compressed tool outputs, a retrieve tool the model can call, a message-list compressor.

    from headroom.integrations.langchain import RetrieveTool, compress_messages, compress_tool

    tools = [compress_tool(grep, budget=2_000), RetrieveTool()]   # outputs shrink, markers redeemable
    smaller = compress_messages(history, budget=8_000).messages   # BaseMessage list in, same out

Needs ``pip install "headroom[langchain]"`` (``langchain-core``). Every part
uses one ``Headroom`` (the shared default unless one is passed), so the retrieve
tool finds what the compressed tools and ``compress_messages`` stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, overload

from headroom.errors import InvalidInput, InvalidMessages, MissingExtra

try:
    from langchain_core.messages import (
        AIMessage,
        BaseMessage,
        ChatMessage,
        FunctionMessage,
        HumanMessage,
        SystemMessage,
        ToolMessage,
        convert_to_messages,
    )
    from langchain_core.prompt_values import PromptValue
    from langchain_core.runnables import RunnableConfig, RunnableLambda
    from langchain_core.tools import BaseTool, StructuredTool, Tool, ToolException
    from langchain_core.utils.function_calling import convert_to_openai_function, convert_to_openai_tool
except ImportError as error:  # pragma: no cover - exercised in a subprocess without the extra
    raise MissingExtra("headroom.integrations.langchain", "langchain") from error

from headroom.budget import check_budget
from headroom.client import Headroom
from headroom.manifest import CompressResult
from headroom.tokens import TokenCounter
from headroom.tools import (
    RETRIEVAL_TOOL_DESCRIPTION,
    RETRIEVAL_TOOL_NAME,
    _check_max_tokens,
    retrieval_parameters,
    retrieval_tool_result,
)

__all__ = [
    "CompressedMessages",
    "CompressedTool",
    "RetrieveTool",
    "compress_messages",
    "compress_tool",
    "message_compressor",
    "with_counter",
]


def _headroom(headroom: Headroom | None) -> Headroom:
    if headroom is not None:
        return headroom
    from headroom.api import get_default

    return get_default()  # looked up per call, so set_default() after building a tool still applies


# --- tool outputs -------------------------------------------------------------------------


class CompressedTool(BaseTool):
    """A tool whose output is compressed before the model sees it.

    Name, description and argument schema are the wrapped tool's, and it runs
    the wrapped tool with the same input and config (its callbacks, injected
    arguments and ``response_format`` behave as before). Only text reaches
    headroom: a string output, the text blocks of a list output, or the content
    of the ``ToolMessage`` it returns when called with a tool call. Other
    outputs (a dict returned to Python code, a ``Command``) pass through.
    ``budget`` caps the tokens of one output (None: the default policy, which
    only cuts very long outputs). There is no conversation here, so the
    selection follows ``query`` if given and is otherwise query-blind; use
    ``compress_messages`` for query-aware compression of a whole history.
    """

    tool: BaseTool
    budget: int | None = None
    query: str | None = None
    headroom: Headroom | None = None

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        return self.tool.get_input_schema(config)

    @property
    def tool_call_schema(self) -> Any:
        if isinstance(self.tool, Tool) and not self.tool.args_schema:
            # LangChain presents a bare Tool to models by a special case of its converter
            return convert_to_openai_function(self.tool)["parameters"]
        return self.tool.tool_call_schema

    @property
    def args(self) -> dict[str, Any]:
        return self.tool.args

    def run(self, tool_input: Any, *args: Any, **kwargs: Any) -> Any:
        return self._shrink(self.tool.run(tool_input, *args, **kwargs))

    async def arun(self, tool_input: Any, *args: Any, **kwargs: Any) -> Any:
        return self._shrink(await self.tool.arun(tool_input, *args, **kwargs))

    def _run(self, *args: Any, **kwargs: Any) -> Any:
        return self._shrink(self.tool._run(*args, **kwargs))

    async def _arun(self, *args: Any, **kwargs: Any) -> Any:
        return self._shrink(await self.tool._arun(*args, **kwargs))

    def _shrink(self, output: Any) -> Any:
        if isinstance(output, ToolMessage):
            content = self._shrink_content(output.content)
            return output if content == output.content else output.model_copy(update={"content": content})
        if isinstance(output, (str, list)):
            return self._shrink_content(output)
        return output

    def _shrink_content(self, content: Any) -> Any:
        """``content`` with its texts compressed; the same object when nothing changed."""
        hr = _headroom(self.headroom)
        if isinstance(content, str):
            return hr.compress_text(content, self.budget, query=self.query).text
        texts = {i: text for i, block in enumerate(content) if (text := _block_text(block)) is not None}
        if not texts:
            return content
        shares = _shares(self.budget, {i: hr.counter.count(text) for i, text in texts.items()})
        out = list(content)
        for i, text in texts.items():
            new = hr.compress_text(text, shares[i], query=self.query).text
            if new != text:
                out[i] = new if isinstance(content[i], str) else {**content[i], "text": new}
        return content if out == content else out


def _block_text(block: Any) -> str | None:
    if isinstance(block, str):
        return block
    text = block.get("text") if isinstance(block, dict) and block.get("type") == "text" else None
    return text if isinstance(text, str) else None


def _shares(budget: int | None, tokens: dict[int, int]) -> dict[int, int | None]:
    """The budget split over several texts in proportion to their size."""
    total = sum(tokens.values())
    if budget is None or total == 0:
        return dict.fromkeys(tokens, budget)
    return {i: max(1, budget * count // total) for i, count in tokens.items()}


_Wrappable = BaseTool | Callable[..., Any]


@overload
def compress_tool(
    tool: _Wrappable, *, budget: int | None = None, query: str | None = None, headroom: Headroom | None = None
) -> CompressedTool: ...


@overload
def compress_tool(
    tool: None = None, *, budget: int | None = None, query: str | None = None, headroom: Headroom | None = None
) -> Callable[[_Wrappable], CompressedTool]: ...


def compress_tool(
    tool: _Wrappable | None = None,
    *,
    budget: int | None = None,
    query: str | None = None,
    headroom: Headroom | None = None,
) -> CompressedTool | Callable[[_Wrappable], CompressedTool]:
    """Wrap ``tool`` (a LangChain tool, or a typed function with a docstring) so its output is compressed.

    Also a decorator: ``@compress_tool(budget=2_000)`` above ``@tool`` or a plain function.
    """
    check_budget(budget)  # now, not at the first call

    def wrap(inner: _Wrappable) -> CompressedTool:
        if not isinstance(inner, BaseTool):
            inner = StructuredTool.from_function(inner)
        return CompressedTool(
            tool=inner,
            name=inner.name,
            description=inner.description,
            args_schema=inner.args_schema,
            return_direct=inner.return_direct,
            response_format=inner.response_format,
            extras=inner.extras,
            budget=budget,
            query=query,
            headroom=headroom,
        )

    return wrap if tool is None else wrap(tool)


# --- the retrieve tool ----------------------------------------------------------------------


class RetrieveTool(BaseTool):
    """The tool a model calls to redeem a marker (``headroom.tools``' definition and runner).

    A mistake in the call (a malformed handle, an unknown or expired one, a
    selector the original has no unit for) comes back as a ``ToolMessage`` with
    ``status="error"`` and a text saying what to do, so the agent loop goes on.
    ``max_tokens`` caps an answer (a larger one is compressed, with markers).
    """

    name: str = RETRIEVAL_TOOL_NAME
    description: str = RETRIEVAL_TOOL_DESCRIPTION
    headroom: Headroom | None = None
    max_tokens: int | None = None

    def __init__(self, **fields: Any) -> None:
        _check_max_tokens(fields.get("max_tokens"))  # now, not at the model's first call
        fields.setdefault("args_schema", retrieval_parameters())  # the JSON schema the providers get
        fields.setdefault("handle_tool_error", True)
        super().__init__(**fields)

    def _run(self, **arguments: Any) -> str:
        result = retrieval_tool_result(arguments, _headroom(self.headroom), max_tokens=self.max_tokens)
        if result.is_error:
            raise ToolException(result.text)
        return result.text


# --- message lists ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CompressedMessages:
    """``compress_messages`` output: LangChain messages, and headroom's account of the call
    (``result.manifest``, ``result.tokens_after``, ``result.within_budget``; ``result.messages``
    is the OpenAI-shaped form that was counted)."""

    messages: list[BaseMessage]
    result: CompressResult

    @property
    def within_budget(self) -> bool:
        return self.result.within_budget


def compress_messages(
    messages: Sequence[BaseMessage],
    budget: int | None = None,
    *,
    headroom: Headroom | None = None,
    query: str | None = None,
    strict: bool = False,
    system: Any = None,
    tools: Sequence[Any] | None = None,
    token_counter: Any = None,
) -> CompressedMessages:
    """Compress a LangChain message list to fit ``budget`` tokens; see ``headroom.compress``.

    The messages are read in the OpenAI shape headroom accepts, so the same
    rules apply (protected parts, query, markers, budget) and the count is that
    of the OpenAI form. Each output message has the input's type, id, metadata,
    ``tool_call_id`` and artifact; a message headroom did not change is the
    input object itself, a changed one a copy. The input is never mutated.
    Tuples, strings and dicts are read as LangChain reads them
    (``convert_to_messages``) and come back as the messages they stand for.
    ``system`` and ``tools`` (LangChain tools or provider dicts) are counted
    against the budget, unchanged. ``token_counter`` counts instead of the
    model's encoding: a tiktoken ``Encoding``, a callable ``str -> int``, or a
    chat model (its ``get_num_tokens``).
    """
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence):
        raise InvalidMessages(
            None, f"expected a list of LangChain messages, got {type(messages).__name__}", "Pass a list of BaseMessage."
        )
    readable = [_as_message(index, message) for index, message in enumerate(messages)]
    shaped = [_to_openai(index, message) for index, message in enumerate(readable)]
    hr = with_counter(_headroom(headroom), token_counter)
    listed_tools = [_tool_dict(t) for t in tools] if tools is not None else None
    result = hr.compress(
        [s.message for s in shaped], budget, query=query, strict=strict, system=system, tools=listed_tools
    )
    out = [_from_openai(original, shape, new) for original, shape, new in zip(readable, shaped, result.messages)]
    return CompressedMessages(out, result)


def _as_message(index: int, message: object) -> Any:
    """``message`` as LangChain reads it: a ``(role, content)`` tuple, a string or a dict becomes its message."""
    if isinstance(message, BaseMessage) or not isinstance(message, (tuple, str, dict)):
        return message  # _to_openai names what it cannot read
    try:
        return convert_to_messages([message])[0]
    except (ValueError, TypeError, KeyError, NotImplementedError) as error:
        raise InvalidMessages(
            index,
            f"{type(message).__name__} is not a message LangChain can read ({str(error).splitlines()[0][:120]})",
            "Pass BaseMessage objects, (role, content) tuples, or dicts with 'role' and 'content'.",
        ) from None


def message_compressor(
    budget: int | None = None,
    *,
    headroom: Headroom | None = None,
    query: str | None = None,
    strict: bool = False,
    token_counter: Any = None,
) -> RunnableLambda[Any, list[BaseMessage]]:
    """``compress_messages`` as a runnable for a chain: ``prompt | message_compressor(8_000) | model``.

    It takes a message list or a prompt value and gives the compressed message list.
    """

    def run(value: Any) -> list[BaseMessage]:
        listed = value.to_messages() if isinstance(value, PromptValue) else value
        return compress_messages(
            listed, budget, headroom=headroom, query=query, strict=strict, token_counter=token_counter
        ).messages

    return RunnableLambda(run, name="headroom_compress")


class _FuncCounter(TokenCounter):
    """A caller's counting function as a ``TokenCounter`` (LangChain's ``token_counter=`` habit)."""

    exact = True
    note = None

    def __init__(self, count: Callable[[str], int], name: str) -> None:
        self._count = count
        self.name = name

    def count(self, text: str) -> int:
        return int(self._count(text))


def with_counter(hr: Headroom, token_counter: Any) -> Headroom:
    """``hr`` counting with ``token_counter`` (same store, model and config), or ``hr`` itself when None."""
    if token_counter is None:
        return hr
    if isinstance(token_counter, TokenCounter):
        counter: TokenCounter = token_counter
    elif callable(getattr(token_counter, "encode", None)) and hasattr(token_counter, "name"):  # a tiktoken Encoding
        encoding = token_counter
        counter = _FuncCounter(lambda text: len(encoding.encode(text, disallowed_special=())), str(encoding.name))
    elif callable(getattr(token_counter, "get_num_tokens", None)):  # a chat model
        counter = _FuncCounter(token_counter.get_num_tokens, type(token_counter).__name__)
    elif callable(token_counter):
        counter = _FuncCounter(token_counter, getattr(token_counter, "__name__", "custom"))
    else:
        raise InvalidInput(
            f"token_counter must be a tiktoken Encoding, a callable str -> int or a chat model, "
            f"got {type(token_counter).__name__}"
        )
    return Headroom(store=hr.store, model=hr.model, config=hr.config, counter=counter, registry=hr.registry)


def _tool_dict(tool: Any) -> Any:
    """A tool as the provider receives it, for counting: LangChain tools converted, dicts as they are."""
    return tool if isinstance(tool, dict) else convert_to_openai_tool(tool)


@dataclass(frozen=True)
class _Shaped:
    """One message in the OpenAI shape, and where each of its tool calls came from."""

    message: dict[str, Any]
    calls: tuple[tuple[str, int], ...] = ()  # ("valid" | "invalid", index in that list)


_ROLES: list[tuple[type[BaseMessage], str]] = [
    (SystemMessage, "system"),
    (HumanMessage, "user"),
    (AIMessage, "assistant"),
    (ToolMessage, "tool"),
    (FunctionMessage, "function"),
]
_CHAT_ROLES = {"human": "user", "ai": "assistant"}


def _to_openai(index: int, message: object) -> _Shaped:
    if isinstance(message, ChatMessage):
        role = _CHAT_ROLES.get(message.role, message.role)
    else:
        role = next((r for kind, r in _ROLES if isinstance(message, kind)), "")
    if not isinstance(message, BaseMessage) or not role:
        raise InvalidMessages(
            index,
            f"{type(message).__name__} is not a message headroom can read",
            "Pass SystemMessage, HumanMessage, AIMessage, ToolMessage, FunctionMessage or ChatMessage objects.",
        )
    shaped: dict[str, Any] = {"role": role, "content": _content(message.content)}
    if message.name:
        shaped["name"] = message.name
    if isinstance(message, ToolMessage):
        shaped["tool_call_id"] = message.tool_call_id
    calls: list[tuple[str, int]] = []
    if isinstance(message, AIMessage):
        shaped["tool_calls"] = _calls(index, message, calls)
    return _Shaped(shaped, tuple(calls))


def _content(content: Any) -> Any:
    # LangChain allows bare strings among content blocks; headroom reads text blocks
    if isinstance(content, list):
        return [{"type": "text", "text": part} if isinstance(part, str) else part for part in content]
    return content


def _calls(index: int, message: AIMessage, sources: list[tuple[str, int]]) -> list[dict[str, Any]]:
    """The message's tool calls as OpenAI ``tool_calls``, once each: a call that is also a
    ``tool_use`` block of the content (Anthropic models) is already counted there."""
    blocks = message.content if isinstance(message.content, list) else []
    in_content = {block.get("id") for block in blocks if isinstance(block, dict) and block.get("type") == "tool_use"}
    out = []
    for kind, calls in (("valid", message.tool_calls), ("invalid", message.invalid_tool_calls)):
        for position, call in enumerate(calls):
            if call.get("id") in in_content:
                continue
            raw = call.get("args")
            arguments = raw if isinstance(raw, str) else json.dumps(raw or {}, ensure_ascii=False)
            # an id-less call cannot be answered, but its name and arguments are still billed
            call_id = call.get("id") or f"headroom-unnamed-{index}-{kind}-{position}"
            function = {"name": call.get("name") or "", "arguments": arguments}
            out.append({"id": call_id, "type": "function", "function": function})
            sources.append((kind, position))
    return out


def _from_openai(original: BaseMessage, shape: _Shaped, new: dict[str, Any]) -> BaseMessage:
    update: dict[str, Any] = {}
    if new["content"] != shape.message["content"]:
        content = new["content"]
        if isinstance(original.content, list):
            content = [
                block["text"] if isinstance(part, str) else block for part, block in zip(original.content, content)
            ]
        update["content"] = content
    if isinstance(original, AIMessage):
        update.update(_changed_calls(original, shape, new))
    return original.model_copy(update=update) if update else original


def _changed_calls(original: AIMessage, shape: _Shaped, new: dict[str, Any]) -> dict[str, Any]:
    """Tool calls whose arguments headroom changed (only when the caller opted in), back in LangChain form."""
    valid = list(original.tool_calls)
    invalid = list(original.invalid_tool_calls)
    for (kind, position), before, after in zip(shape.calls, shape.message["tool_calls"], new["tool_calls"]):
        arguments = after["function"]["arguments"]
        if arguments == before["function"]["arguments"]:
            continue
        if kind == "invalid":
            invalid[position] = {**invalid[position], "args": arguments}
        else:
            valid[position] = {**valid[position], "args": json.loads(arguments)}
    changed: dict[str, Any] = {}
    if valid != original.tool_calls:
        changed["tool_calls"] = valid
    if invalid != original.invalid_tool_calls:
        changed["invalid_tool_calls"] = invalid
    return changed
