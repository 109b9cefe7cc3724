"""Reading OpenAI and Anthropic message lists: validate, find every billed string, rebuild.

One walk serves counting, piece finding and rebuilding, so they can never
disagree about what a message holds. The rules for odd input are in
``docs/messages.md``: malformed input raises ``InvalidMessages`` naming the
index; content a provider accepts but headroom does not understand (an unknown
block type, an image, audio) passes through untouched and is counted
conservatively.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from headroom.errors import InvalidMessages
from headroom.structure import copy_tree, dumps, json_problem
from headroom.tools import RETRIEVAL_TOOL_NAME

if TYPE_CHECKING:
    from headroom.tokens import TokenCounter

__all__ = ["Field", "count_messages", "iter_fields", "latest_user_index", "rebuild", "tool_calls_by_id", "user_text"]

ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
# Billing overheads as OpenAI documents them for chat models: a few tokens frame
# each message and the reply is primed with three. Anthropic frames messages
# similarly; the same figures serve as its estimate.
MESSAGE_OVERHEAD = 3
REPLY_PRIMING = 3
CALL_OVERHEAD = 3
# An image costs by its size, which headroom does not decode; 85 tokens is
# OpenAI's base cost of one low-detail image, used as a floor estimate.
IMAGE_TOKENS = 85
_IMAGE_TYPES = frozenset({"image", "image_url", "input_image"})

Category = Literal["system", "user_text", "assistant_text", "tool_args", "tool_name", "tool_output", "opaque"]
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Field:
    """One billed string: where it sits, what it is, and whether a block pins it.

    ``pinned`` marks text inside a block carrying ``cache_control``, which
    headroom leaves alone. ``call_id`` links a tool output to its call.
    """

    message_index: int
    path: Path
    text: str
    category: Category
    pinned: bool = False
    call_id: str | None = None
    structured: bool = False  # the value is a JSON object or array, not a string; it must come back as one


def iter_fields(messages: object) -> Iterator[Field]:
    """Every billed string of ``messages``, validating as it goes."""
    if not isinstance(messages, Sequence) or isinstance(messages, (str, bytes)):
        raise InvalidMessages(
            None,
            f"expected a list of message dicts, got {type(messages).__name__}",
            "Pass a list like [{'role': 'user', 'content': '...'}]; for one text use compress_text().",
        )
    call_ids: dict[str, str] = {}  # call id -> tool name, so answers of the retrieval tool stay pinned
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping):
            raise InvalidMessages(
                index, f"expected a dict, got {type(message).__name__}", "Each message is a dict with a 'role'."
            )
        role = message.get("role")
        if not isinstance(role, str) or role not in ROLES:
            raise InvalidMessages(index, f"unknown role {role!r}", f"Use one of {', '.join(sorted(ROLES))}.")
        yield from _message_fields(index, message, role, call_ids)


def _message_fields(index: int, message: Mapping[str, Any], role: str, call_ids: dict[str, str]) -> Iterator[Field]:
    if isinstance(message.get("name"), str):
        yield Field(index, ("name",), message["name"], "opaque")
    if role == "tool":
        call_id = message.get("tool_call_id")
        if not isinstance(call_id, str) or call_id not in call_ids:
            raise InvalidMessages(
                index,
                f"tool message answers tool_call_id {call_id!r}, which no earlier assistant tool_calls entry has",
                "Keep each tool message after the assistant message whose tool_calls carries its id.",
            )
    for position, call in enumerate(_list(message, "tool_calls", index)):
        yield from _openai_call(index, position, call, call_ids)
    if isinstance(message.get("function_call"), Mapping):
        call = message["function_call"]
        yield Field(index, ("function_call", "name"), str(call.get("name", "")), "tool_name")
        arguments = call.get("arguments", "")
        structured = not isinstance(arguments, str)
        if structured:
            _check_json(index, "function_call.arguments", arguments)
            arguments = dumps(arguments)
        yield Field(index, ("function_call", "arguments"), arguments, "tool_args", structured=structured)

    content = message.get("content")
    text_category = _text_category(role)
    call_id = message.get("tool_call_id") if role in ("tool", "function") else None
    # the model's own retrieval answer is what it asked for: compressing it again would hand
    # it the marker it just redeemed, and the model could loop (docs/messages.md)
    retrieved = call_id is not None and call_ids.get(call_id) == RETRIEVAL_TOOL_NAME
    if content is None:
        if role not in ("assistant",) and "content" in message:
            raise InvalidMessages(
                index, f"content is None in a {role} message", "Only assistant messages may have null content."
            )
        return
    if isinstance(content, str):
        yield Field(index, ("content",), content, text_category, retrieved, call_id)
        return
    if not isinstance(content, list):
        raise InvalidMessages(
            index,
            f"content must be a string or a list of blocks, got {type(content).__name__}",
            "Use a string, or a list of {'type': ...} blocks.",
        )
    for position, block in enumerate(content):
        yield from _block_fields(index, ("content", position), block, role, call_ids, retrieved, call_id)


def _openai_call(index: int, position: int, call: object, call_ids: dict[str, str]) -> Iterator[Field]:
    function = call.get("function") if isinstance(call, Mapping) else None
    if not isinstance(call, Mapping) or not isinstance(call.get("id"), str) or not isinstance(function, Mapping):
        raise InvalidMessages(
            index,
            f"tool_calls[{position}] is not {{'id': str, 'type': 'function', 'function': {{...}}}}",
            "Pass tool calls as the provider returned them.",
        )
    call_ids[call["id"]] = str(function.get("name", ""))
    base: Path = ("tool_calls", position, "function")
    yield Field(index, (*base, "name"), str(function.get("name", "")), "tool_name")
    arguments = function.get("arguments", "")
    structured = not isinstance(arguments, str)
    if structured:
        _check_json(index, f"tool_calls[{position}].function.arguments", arguments)
        arguments = dumps(arguments)
    yield Field(index, (*base, "arguments"), arguments, "tool_args", structured=structured)


def _block_fields(
    index: int,
    path: Path,
    block: object,
    role: str,
    call_ids: dict[str, str],
    pinned: bool,
    call_id: str | None,
) -> Iterator[Field]:
    if not isinstance(block, Mapping) or not isinstance(block.get("type"), str):
        raise InvalidMessages(
            index,
            f"block at {_dotted(path)} is not a dict with a string 'type'",
            "Content lists hold blocks like {'type': 'text', 'text': '...'}.",
        )
    kind = block["type"]
    pinned = pinned or block.get("cache_control") is not None
    if kind == "text":
        if not isinstance(block.get("text"), str):
            raise InvalidMessages(
                index, f"text block at {_dotted(path)} has no string 'text'", "Give text blocks a 'text' string."
            )
        yield Field(index, (*path, "text"), block["text"], _text_category(role), pinned, call_id)
    elif kind == "tool_use":
        if not isinstance(block.get("id"), str):
            raise InvalidMessages(
                index, f"tool_use at {_dotted(path)} has no string 'id'", "Pass tool_use blocks as returned."
            )
        call_ids[block["id"]] = str(block.get("name", ""))
        yield Field(index, (*path, "name"), str(block.get("name", "")), "tool_name", pinned)
        value = block.get("input", {})
        _check_json(index, f"{_dotted(path)}.input", value)
        yield Field(index, (*path, "input"), dumps(value), "tool_args", pinned, structured=not isinstance(value, str))
    elif kind == "tool_result":
        use_id = block.get("tool_use_id")
        if not isinstance(use_id, str) or use_id not in call_ids:
            raise InvalidMessages(
                index,
                f"tool_result at {_dotted(path)} answers tool_use_id {use_id!r}, which no earlier tool_use block has",
                "Keep each tool_result after the assistant message whose tool_use block carries its id.",
            )
        pinned = pinned or call_ids[use_id] == RETRIEVAL_TOOL_NAME
        inner = block.get("content")
        if isinstance(inner, str):
            yield Field(index, (*path, "content"), inner, "tool_output", pinned, use_id)
        elif isinstance(inner, list):
            for position, sub in enumerate(inner):
                for field in _block_fields(index, (*path, "content", position), sub, role, call_ids, pinned, use_id):
                    is_text = field.category == "user_text"
                    yield Field(
                        field.message_index,
                        field.path,
                        field.text,
                        "tool_output" if is_text else field.category,
                        field.pinned,
                        use_id,
                        field.structured,
                    )
        elif inner is not None:
            raise InvalidMessages(
                index,
                f"tool_result at {_dotted(path)} has content of type {type(inner).__name__}",
                "tool_result content is a string or a list of blocks.",
            )
    elif kind in _IMAGE_TYPES:
        yield Field(index, path, "", "opaque", True)
    else:
        # A block type headroom does not know (audio, documents, thinking, ...):
        # valid for some provider, so it passes through; its JSON is counted so
        # the estimate errs high rather than low.
        yield Field(index, path, dumps(block), "opaque", True)


def _check_json(index: int, where: str, value: object) -> None:
    problem = json_problem(value)
    if problem is not None:
        raise InvalidMessages(
            index,
            f"{where} holds {problem}",
            "Tool arguments are sent as JSON: use str keys and str, number, bool, None, list or dict values "
            "(convert sets to lists and bytes to str first).",
        )


def _list(message: Mapping[str, Any], key: str, index: int) -> list[Any]:
    value = message.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidMessages(index, f"{key} must be a list, got {type(value).__name__}", f"Pass {key} as a list.")
    return value


def _text_category(role: str) -> Category:
    if role in ("system", "developer"):
        return "system"
    if role == "assistant":
        return "assistant_text"
    if role in ("tool", "function"):
        return "tool_output"
    return "user_text"


def _dotted(path: Path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def latest_user_index(messages: Sequence[Mapping[str, Any]]) -> int | None:
    """Index of the latest user turn: the last user message carrying text of its own.

    A user message that only carries tool results (Anthropic's way to answer
    tool calls) is a tool output, not a turn of the user.
    """
    for index in range(len(messages) - 1, -1, -1):
        if user_text(messages[index]) is not None:
            return index
    return None


def user_text(message: Mapping[str, Any]) -> str | None:
    """The user's own text in ``message``, or None when it has none."""
    if message.get("role") != "user":
        return None
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            b["text"]
            for b in content
            if isinstance(b, Mapping) and b.get("type") == "text" and isinstance(b.get("text"), str)
        ]
        return "\n".join(texts) if texts else None
    return None


def count_messages(messages: Sequence[Any], counter: TokenCounter) -> int:
    """Tokens billed for ``messages``: every string plus framing overheads."""
    total = REPLY_PRIMING + MESSAGE_OVERHEAD * len(messages)
    for field in iter_fields(messages):
        total += field_tokens(field, counter)
    return total


def field_tokens(field: Field, counter: TokenCounter) -> int:
    if field.category == "opaque" and not field.text:
        return IMAGE_TOKENS
    extra = CALL_OVERHEAD if field.category == "tool_name" else 0
    return counter.count(field.text) + extra


def rebuild(messages: Sequence[Mapping[str, Any]], replacements: Mapping[tuple[int, Path], str]) -> list[Any]:
    """A copy of ``messages`` with the strings at the given places replaced.

    Each position is copied on its own (``copy_tree``), so an object the input
    holds at two positions is replaced only where the plan said. A place whose
    value was a JSON object or array (an Anthropic ``tool_use.input``) gets the
    parsed form back, never a string.
    """
    out: list[Any] = copy_tree(list(messages))
    for (index, path), text in replacements.items():
        node: Any = out[index]
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = text if isinstance(node[path[-1]], str) else json.loads(text)
    return out


def tool_calls_by_id(messages: Sequence[Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    """Each tool call's id mapped to its tool name and arguments (as text)."""
    calls: dict[str, tuple[str, str]] = {}
    for message in messages:
        for call in message.get("tool_calls") or ():
            if isinstance(call, Mapping) and isinstance(call.get("function"), Mapping):
                function = call["function"]
                arguments = function.get("arguments", "")
                calls[str(call.get("id"))] = (
                    str(function.get("name", "")),
                    arguments if isinstance(arguments, str) else dumps(arguments),
                )
        content = message.get("content")
        for block in content if isinstance(content, list) else ():
            if isinstance(block, Mapping) and block.get("type") == "tool_use":
                calls[str(block.get("id"))] = (
                    str(block.get("name", "")),
                    dumps(block.get("input", {})),
                )
    return calls
