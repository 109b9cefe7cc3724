"""Messages in the shapes callers hold, read as the Chat Completions dicts the core walks, and given back.

The core (``headroom.messages``) reads one shape: OpenAI Chat Completions and
Anthropic Messages dicts. Callers hold more: the SDKs' pydantic objects
(``completion.choices[0].message``, Anthropic's ``response.content`` blocks,
``response.output`` items), OpenAI Responses API items (``function_call``,
``function_call_output``, ``reasoning``, ``input_text`` / ``output_text``
parts), and the ``(role, content)`` tuples and ``{"type": "human"}`` dicts LangChain
accepts. This module converts each item to the
core's shape on the way in and puts the new texts back into the caller's own
shape on the way out, so the conversion never leaks into the core and the
core's rules (protection, query, markers) apply unchanged.

Decisions (docs/messages.md):

- One item stays one message (the manifest's ``message_index`` is the
  caller's index), except that a ``function_call_output`` whose call is not in
  the list (a Responses loop that sends ``previous_response_id``) gets a
  synthetic call before it, counted (a few tokens high, never low) and never
  returned.
- An SDK object whose text did not change comes back as the very same object;
  a changed one is rebuilt with its own class (``model_validate``), so the
  caller can keep treating it as before.
- Responses items the core has no notion of (``reasoning``, web search calls,
  ``item_reference``, ...) pass through untouched, counted by their JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from headroom.errors import InvalidMessages
from headroom.manifest import Manifest

__all__ = ["Shaped", "from_core", "to_core"]

_TUPLE_ROLES = {"human": "user", "user": "user", "ai": "assistant", "assistant": "assistant"}
_TUPLE_ROLES.update(system="system", developer="developer")
_TYPE_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool", "developer": "developer"}
_ROLE_ALIASES = {"human": "user", "ai": "assistant"}
_TEXT_PARTS = frozenset({"input_text", "output_text"})  # Responses API text parts, read as text blocks


@dataclass(frozen=True)
class _Item:
    """How one caller item became one core message, and how to go back."""

    kind: str  # chat | tuple | typed | function_call | function_call_output | opaque
    original: Any
    plain: Any  # the item with every SDK object dumped to dicts


@dataclass(frozen=True)
class Shaped:
    """The core's view of a caller's list: ``core`` to compress, and the way back."""

    core: list[Any]
    origin: tuple[int | None, ...]  # core index -> caller index (None: a synthetic call)
    items: tuple[_Item, ...]
    converted: bool  # False when every item already was a core dict (the result is the core's own)


def to_core(messages: object) -> Shaped:
    """``messages`` as core dicts; raises ``InvalidMessages`` naming the item that is none of the known shapes."""
    if isinstance(messages, (str, bytes, Mapping)) or not isinstance(messages, Sequence):
        raise InvalidMessages(
            None,
            f"expected a list of message dicts, got {type(messages).__name__}",
            "Pass a list like [{'role': 'user', 'content': '...'}]; for one text use compress_text().",
        )
    core: list[Any] = []
    origin: list[int | None] = []
    items: list[_Item] = []
    calls: set[str] = set()
    converted = False
    for index, message in enumerate(messages):
        item, converted_one = _read(index, message)
        converted = converted or converted_one
        items.append(item)
        message_core = _core_of(index, item)
        for call in message_core.get("tool_calls") or ():
            if isinstance(call, Mapping):
                calls.add(str(call.get("id")))
        if item.kind == "function_call_output" and message_core["tool_call_id"] not in calls:
            call_id = message_core["tool_call_id"]
            function = {"name": "", "arguments": ""}
            core.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{"id": call_id, "type": "function", "function": function}],
                }
            )
            origin.append(None)
            calls.add(call_id)
        core.append(message_core)
        origin.append(index)
    return Shaped(core, tuple(origin), tuple(items), converted)


def _read(index: int, message: object) -> tuple[_Item, bool]:
    if isinstance(message, tuple):
        if len(message) != 2 or message[0] not in _TUPLE_ROLES:
            raise InvalidMessages(
                index,
                f"a tuple message must be (role, content), role one of {', '.join(sorted(_TUPLE_ROLES))}",
                "Write ('user', 'text') or use a dict with 'role' and 'content'.",
            )
        return _Item("tuple", message, (message[0], _plain(message[1]))), True
    if isinstance(message, BaseModel):
        plain, sdk = message.model_dump(exclude_none=True), True
    elif isinstance(message, Mapping):
        plain, sdk = _plain(message), _holds_model(message)
    else:
        raise InvalidMessages(
            index,
            f"expected a dict with 'role' and 'content', got {type(message).__name__}",
            "Pass message dicts, Responses API items (dicts with 'type'), SDK message objects, "
            "or (role, content) tuples.",
        )
    kind = _kind(index, plain)
    role = plain.get("role")
    aliased = isinstance(role, str) and role in _ROLE_ALIASES  # a role of another type is refused later, by name
    converted = sdk or kind != "chat" or aliased or _has_parts(plain.get("content"))
    return _Item(kind, message, plain), converted


def _kind(index: int, plain: dict[str, Any]) -> str:
    kind = plain.get("type")
    if "role" in plain:
        return "chat"
    if kind in ("function_call", "function_call_output"):
        for key in ("call_id",) + (("name", "arguments") if kind == "function_call" else ("output",)):
            if key not in plain:
                raise InvalidMessages(
                    index, f"{kind} item has no {key!r}", f"Pass {kind} items as the API returned them."
                )
        return str(kind)
    if kind in _TYPE_ROLES and "content" in plain:
        return "typed"
    if isinstance(kind, str):
        return "opaque"
    raise InvalidMessages(
        index,
        "message has no 'role' (and no Responses API 'type')",
        "Give each message a 'role' such as 'user', 'assistant' or 'tool'.",
    )


def _core_of(index: int, item: _Item) -> dict[str, Any]:
    plain = item.plain
    if item.kind == "tuple":
        return {"role": _TUPLE_ROLES[plain[0]], "content": _parts_in(plain[1])}
    if item.kind == "typed":
        out = {key: value for key, value in plain.items() if key not in ("type", "content")}
        return {**out, "role": _TYPE_ROLES[plain["type"]], "content": _parts_in(plain["content"])}
    if item.kind == "function_call":
        function = {"name": plain["name"], "arguments": plain["arguments"]}
        return {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": plain["call_id"], "type": "function", "function": function}],
        }
    if item.kind == "function_call_output":
        return {"role": "tool", "tool_call_id": plain["call_id"], "content": _parts_in(plain["output"])}
    if item.kind == "opaque":  # counted by its JSON, never changed
        return {"role": "assistant", "content": [{"type": "responses_item", "item": plain}]}
    core = dict(plain)
    if isinstance(plain.get("role"), str) and plain["role"] in _ROLE_ALIASES:  # LangChain's "human" / "ai"
        core["role"] = _ROLE_ALIASES[plain["role"]]
    if _has_parts(plain.get("content")):
        core["content"] = _parts_in(plain["content"])
    return core


def from_core(shaped: Shaped, core_out: Sequence[Any]) -> list[Any]:
    """The compressed messages in the caller's shapes: one per caller item, synthetic calls left out."""
    if not shaped.converted:
        return list(core_out)
    out: list[Any] = []
    for new, index in zip(core_out, shaped.origin):
        if index is not None:
            out.append(_back(shaped.items[index], new))
    return out


def remap(shaped: Shaped, manifest: Manifest) -> Manifest:
    """The manifest with message indices and paths of the caller's items (``output`` for a call output)."""
    if not shaped.converted:
        return manifest
    entries = []
    for entry in manifest.entries:
        index = shaped.origin[entry.message_index]
        assert index is not None  # a synthetic call holds no compressible text
        path = entry.path
        if shaped.items[index].kind == "function_call_output":
            path = ("output", *path[1:])
        elif shaped.items[index].kind == "tuple":
            path = (1, *path[1:])
        entries.append(entry.model_copy(update={"message_index": index, "path": path}))
    degradations = [
        d.model_copy(update={"message_index": shaped.origin[d.message_index]}) if d.message_index is not None else d
        for d in manifest.degradations
    ]
    return manifest.model_copy(update={"entries": tuple(entries), "degradations": tuple(degradations)})


def _back(item: _Item, new: dict[str, Any]) -> Any:
    plain = item.plain
    if item.kind == "tuple":
        return (plain[0], _parts_out(plain[1], new["content"]))
    if item.kind == "typed":
        return _rebuilt(item, {**plain, "content": _parts_out(plain["content"], new["content"])})
    if item.kind == "function_call":
        return _rebuilt(item, {**plain, "arguments": new["tool_calls"][0]["function"]["arguments"]})
    if item.kind == "function_call_output":
        return _rebuilt(item, {**plain, "output": _parts_out(plain["output"], new["content"])})
    if item.kind == "opaque":
        return item.original
    if _has_parts(plain.get("content")):
        new = {**new, "content": _parts_out(plain["content"], new["content"])}
    if plain.get("role") in _ROLE_ALIASES:
        new = {**new, "role": plain["role"]}
    return _rebuilt(item, new)


def _rebuilt(item: _Item, new: Any) -> Any:
    """``new`` in the caller's classes: the same object where nothing changed, SDK objects rebuilt."""
    return _restore(item.original, item.plain, new)


def _restore(original: Any, plain: Any, new: Any) -> Any:
    if isinstance(original, BaseModel):
        return original if new == plain else type(original).model_validate(new)
    if isinstance(original, Mapping) and isinstance(new, dict) and isinstance(plain, dict):
        return {
            key: _restore(original[key], plain[key], value) if key in original else value for key, value in new.items()
        }
    if (
        isinstance(original, (list, tuple))
        and isinstance(new, list)
        and isinstance(plain, list)
        and len(new) == len(original)
    ):
        return [_restore(o, p, n) for o, p, n in zip(original, plain, new)]
    return new


def _parts_in(content: Any) -> Any:
    """Responses text parts (and LangChain's bare strings) as text blocks; other parts as they are."""
    if not isinstance(content, list):
        return content
    out: list[Any] = []
    for part in content:
        if isinstance(part, str):
            out.append({"type": "text", "text": part})
        elif isinstance(part, Mapping) and part.get("type") in _TEXT_PARTS:
            out.append({"type": "text", "text": part.get("text")})
        else:
            out.append(part)
    return out


def _parts_out(original: Any, new: Any) -> Any:
    """The compressed text blocks put back into the caller's part types."""
    if not isinstance(original, list) or not isinstance(new, list):
        return new
    out = []
    for part, block in zip(original, new):
        if isinstance(part, str):
            out.append(block["text"])
        elif isinstance(part, Mapping) and part.get("type") in _TEXT_PARTS:
            out.append({**part, "text": block["text"]})
        else:
            out.append(block)
    return out


def _has_parts(content: Any) -> bool:
    return isinstance(content, list) and any(
        isinstance(p, str) or (isinstance(p, Mapping) and p.get("type") in _TEXT_PARTS) for p in content
    )


def _plain(value: Any) -> Any:
    """``value`` with every pydantic object (an SDK block, a tool call) dumped to dicts.

    Walked with a stack, not recursion: a structure nested thousands deep is the
    caller's data, not a reason to raise ``RecursionError``.
    """
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        source, parent, key = stack.pop()
        if isinstance(source, BaseModel):
            parent[key] = source.model_dump(exclude_none=True)
        elif isinstance(source, Mapping):
            made: Any = {}
            parent[key] = made
            for name, item in source.items():
                made[name] = None
                stack.append((item, made, name))
        elif isinstance(source, list):
            made = [None] * len(source)
            parent[key] = made
            stack.extend((item, made, index) for index, item in enumerate(source))
        else:
            parent[key] = source
    return root[0]


def _holds_model(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, BaseModel):
            return True
        if isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
