"""The retrieval tool: a model redeems a marker by calling it.

    tools = [retrieval_tool("openai")]            # or "anthropic"; send with every request
    text = run_retrieval_tool(call.function.arguments)   # the tool result to send back

A model sees a piece's handle once, in its first mark
(``[hr1:<digits> …120 lines 41-160]``), and short marks after it
(``[…9 lines 201-209]``, grammar version 2, docs/markers.md): it passes that
handle and the range of the mark it wants. The definition is sent with every request, so its wording is kept short (its
token count is held down by a test, see docs/integrations.md). The runner
never raises for the model's mistakes: a malformed call or an unknown or
expired handle comes back as a short error *string* saying what is wrong and
what to do, because that string goes back to the model as the tool result and
the model can correct itself; an exception would end the agent's turn instead.
Errors of the caller's own making (a wrong ``format``, a bad ``max_tokens``)
still raise ``InvalidInput``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, overload

from headroom.compressors.base import check_span, split_lines
from headroom.errors import HandleExpired, HandleNotFound, HeadroomError, InvalidInput
from headroom.handles import HANDLE_RE, make_handle, parse_handle
from headroom.markers import MARKER_RE, parse_marker, parse_ranges, write_ranges
from headroom.structure import dumps

if TYPE_CHECKING:
    # The SDKs' own TypedDicts, for type checkers only: a definition typed as the
    # SDK's param type is accepted by its tools= under mypy --strict, where a
    # look-alike TypedDict is not (TypedDict compatibility needs every key, and
    # the SDKs add keys often). Without the SDK installed they read as Any.
    from anthropic.types import ToolParam
    from openai.types.chat import ChatCompletionFunctionToolParam
    from openai.types.responses import FunctionToolParam

    from headroom.client import Headroom

__all__ = [
    "RETRIEVAL_TOOL_DESCRIPTION",
    "RETRIEVAL_TOOL_NAME",
    "ToolResult",
    "retrieval_parameters",
    "retrieval_tool",
    "retrieval_tool_result",
    "run_retrieval_tool",
]

RETRIEVAL_TOOL_NAME = "headroom_retrieve"

RETRIEVAL_TOOL_DESCRIPTION = (
    "Get back what a mark [\u2026N unit A-B] left out. handle: the hr1:<digits> in its text's first mark; "
    "alone, the whole original. Only the mark's part: its A-B as written (e.g. 1-6,8-19), as chars or rows "
    "if that is the unit, else lines. One selector at most."
)

_SPAN_SELECTORS = ("lines", "chars", "rows")
_TEXT_SELECTORS = ("query", "symbol", "files")
_SELECTORS = _SPAN_SELECTORS + _TEXT_SELECTORS
_TOOL_NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what both providers accept as a tool name


def _span_schema(description: str) -> dict[str, Any]:
    # a string: the mark's range text is copied as written, one range or a summary mark's many,
    # and read by the grammar's one reader (parse_ranges). No pattern: it costs tokens on every
    # request, and the runner answers a wrong range with a message the model can act on.
    return {"type": "string", "description": description}


def retrieval_parameters() -> dict[str, Any]:
    """The JSON schema of the tool's arguments (a fresh dict each call, safe to modify)."""
    # JSON Schema patterns are ECMA-262: same syntax as HANDLE_RE once its named groups go
    handle_pattern = "^" + re.sub(r"\(\?P<\w+>", "(", HANDLE_RE.pattern) + "$"
    return {
        "type": "object",
        "properties": {
            "handle": {"type": "string", "pattern": handle_pattern, "description": "from the marker"},
            "lines": _span_schema("A-B, 1-based; several: 1-6,8-19"),
            "chars": _span_schema("A-B characters"),
            "rows": _span_schema("A-B rows of a table or JSON array"),
            "query": {"type": "string", "description": "words to find"},
            "symbol": {"type": "string", "description": "code: function or class name"},
            "files": {"type": "string", "description": "diff: a file's path"},
        },
        "required": ["handle"],
        "additionalProperties": False,
    }


@overload
def retrieval_tool(
    format: Literal["openai"] = "openai", *, name: str = RETRIEVAL_TOOL_NAME
) -> ChatCompletionFunctionToolParam: ...


@overload
def retrieval_tool(format: Literal["openai-responses"], *, name: str = RETRIEVAL_TOOL_NAME) -> FunctionToolParam: ...


@overload
def retrieval_tool(format: Literal["anthropic"], *, name: str = RETRIEVAL_TOOL_NAME) -> ToolParam: ...


@overload
def retrieval_tool(format: str, *, name: str = RETRIEVAL_TOOL_NAME) -> Any: ...


def retrieval_tool(format: str = "openai", *, name: str = RETRIEVAL_TOOL_NAME) -> Any:
    """The tool definition to send to the model, typed as the SDK's own param type.

    ``format="openai"`` gives a Chat Completions ``tools`` entry,
    ``"openai-responses"`` a Responses API one (the same, unnested, with
    ``strict: false``, which the Responses types require: the selectors are
    optional, and strict mode needs every property required), and
    ``"anthropic"`` a Messages API one. ``name`` renames the tool if it clashes.
    """
    if not isinstance(name, str) or not _TOOL_NAME_RE.fullmatch(name):
        raise InvalidInput(f"tool name {name!r} must be 1-64 letters, digits, '_' or '-' (what providers accept)")
    function = {"name": name, "description": RETRIEVAL_TOOL_DESCRIPTION, "parameters": retrieval_parameters()}
    if format == "openai":
        return {"type": "function", "function": function}
    if format == "openai-responses":
        return {"type": "function", **function, "strict": False}
    if format == "anthropic":
        return {"name": name, "description": RETRIEVAL_TOOL_DESCRIPTION, "input_schema": retrieval_parameters()}
    raise InvalidInput(f"format must be 'openai', 'openai-responses' or 'anthropic', got {format!r}")


class ToolResult(NamedTuple):
    """What a call of the tool gives back: the text, and whether it is an error for the model.

    Anthropic's ``tool_result`` block takes ``is_error``; OpenAI has no such flag,
    so the text alone must say it (it starts with ``Error:``).
    """

    text: str
    is_error: bool


def _check_max_tokens(max_tokens: object) -> None:
    """Raise ``InvalidInput`` unless ``max_tokens`` is a positive int or None.

    A bad value is the caller's mistake, not the model's, so it raises rather than answering the model.
    """
    if max_tokens is not None and (not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1):
        raise InvalidInput(f"max_tokens must be a positive int or None, got {max_tokens!r}")


class _BadCall(Exception):
    """A mistake of the model's, reported back to it as text."""


def run_retrieval_tool(
    arguments: Mapping[str, Any] | str,
    headroom: Headroom | None = None,
    *,
    max_tokens: int | None = None,
    allow_secrets: bool = False,
) -> str:
    """Execute one call of the tool; the text to send back as its result.

    ``arguments`` is the call's arguments as the provider delivers them: a JSON
    string (OpenAI's ``function.arguments``) or a dict (Anthropic's ``input``).
    ``headroom`` is the ``Headroom`` whose store holds the originals (the shared
    default when None). ``max_tokens`` caps the answer: a larger one is
    compressed to fit, with markers of its own (so a model asking for a whole
    10 MB log does not overflow its context). Mistakes in the call come back as
    an ``Error: ...`` string, never as an exception. An original whose secrets
    were redacted (``headroom.secrets``) is refused unless ``allow_secrets``.
    """
    return retrieval_tool_result(arguments, headroom, max_tokens=max_tokens, allow_secrets=allow_secrets).text


def retrieval_tool_result(
    arguments: Mapping[str, Any] | str,
    headroom: Headroom | None = None,
    *,
    max_tokens: int | None = None,
    allow_secrets: bool = False,
) -> ToolResult:
    """Like ``run_retrieval_tool``, but also says whether the text is an error (for ``is_error``)."""
    _check_max_tokens(max_tokens)
    if not isinstance(allow_secrets, bool):
        raise InvalidInput(f"allow_secrets must be True or False, got {allow_secrets!r}")
    if headroom is None:
        from headroom.api import get_default

        headroom = get_default()
    try:
        return _answer(arguments, headroom, max_tokens, allow_secrets)
    except Exception as error:  # noqa: BLE001 - the promise: the model gets text, the agent's turn goes on
        return ToolResult(
            f"Error: this retrieval failed ({type(error).__name__}). Call again with the handle alone "
            "for the whole original, or work with the text you have.",
            True,
        )


def _answer(arguments: object, headroom: Headroom, max_tokens: int | None, allow_secrets: bool) -> ToolResult:
    try:
        handle, selector = _read_arguments(arguments)
        if not allow_secrets and headroom.store.get_meta(parse_handle(handle)).get("secrets"):
            return ToolResult(
                f"Error: {handle} holds secrets (keys, tokens or passwords) that were redacted for you; "
                "it is not available through this tool. Work with the redacted text.",
                True,
            )
        text = headroom.retrieve(handle, **selector)
    except _BadCall as error:
        return ToolResult(f"Error: {error}", True)
    except HandleNotFound as error:
        gone = "expired" if isinstance(error, HandleExpired) else "is not stored (never kept here, or evicted)"
        return ToolResult(
            f"Error: the original of {error.handle} {gone}. Work with the text you have; "
            "if you need the omitted part, run the tool that produced it again.",
            True,
        )
    except HeadroomError as error:  # a selector the piece has no unit for, a symbol not found, ...
        return ToolResult(f"Error: {error}", True)
    if not text and selector:
        ((key, value),) = selector.items()
        original = headroom.retrieve(handle)
        return ToolResult(
            f"Nothing in {handle} matches {key}={_show_selector(key, value)} (the original has "
            f"{len(split_lines(original))} lines, {len(original)} characters). "
            "Try another selector, or call with the handle alone for the whole original.",
            False,
        )
    tokens = headroom.counter.count(text) if max_tokens is not None else 0
    if max_tokens is not None and tokens > max_tokens:
        note = ""
        if make_handle(text) == handle:  # the whole original, asked for alone or by a range covering it
            # the digest of a whole original carries that original's own handle: without this
            # line a model could ask for the handle alone again, and get the same digest forever
            note = (
                f"[{handle}: {tokens:,} tokens, over the cap of {max_tokens:,}; digest below. Ask for a marked "
                "range or a query; the handle alone gives this again.]\n"
            )
        room = max_tokens - headroom.counter.count(note) - (1 if note else 0)  # 1: a token may span the join
        digest = headroom.compress_text(text, room, query=selector.get("query")).text if room > 0 else ""
        if note and (not digest or headroom.counter.count(note + digest) > max_tokens):
            # no room for both: the note alone still tells the model what to ask for
            note_fits = headroom.counter.count(note) <= max_tokens
            digest = "" if note_fits else headroom.compress_text(text, max_tokens).text
            note = note if note_fits else ""
        text = note + digest
    return ToolResult(text, False)


def _read_arguments(arguments: object) -> tuple[str, dict[str, Any]]:
    """The handle and at most one selector, in the forms ``Headroom.retrieve`` takes."""
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except RecursionError:
            raise _BadCall(
                f"the arguments are nested too deeply to read. Send a flat object like {_EXAMPLE}."
            ) from None
        except ValueError as error:
            raise _BadCall(f"the arguments are not valid JSON ({error}). Send an object like {_EXAMPLE}.") from None
    if not isinstance(arguments, Mapping):
        raise _BadCall(f"the arguments must be an object like {_EXAMPLE}, got {type(arguments).__name__}.")
    unknown = sorted(str(key) for key in arguments if key != "handle" and key not in _SELECTORS)
    if unknown:
        raise _BadCall(f"unknown argument {', '.join(unknown)}. Use handle and at most one of {', '.join(_SELECTORS)}.")
    handle = _read_handle(arguments.get("handle"))
    chosen = {key: value for key, value in arguments.items() if key != "handle" and value is not None}
    if len(chosen) > 1:
        raise _BadCall(f"pass one selector at a time, got {', '.join(sorted(chosen))}. Make one call per part.")
    return handle, {
        key: _span(key, value) if key in _SPAN_SELECTORS else _text(key, value) for key, value in chosen.items()
    }


_EXAMPLE = '{"handle": "hr1:482913057162345", "lines": "41-160"}'


def _read_handle(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _BadCall(f"handle is required: the hr1:... text at the start of a marker, as in {_EXAMPLE}.")
    # a model may paste the whole first mark instead of its handle
    if MARKER_RE.fullmatch(value.strip()):
        try:
            return parse_marker(value).handle
        except InvalidInput as error:  # a short mark (no handle), or a look-alike with an absurd count
            raise _BadCall(
                f"{error} Pass the hr1:... from the first mark of the same text as handle, and the "
                "mark's A-B as lines (or its unit)."
            ) from None
    return value.strip()


def _span(key: str, value: object) -> tuple[int, int] | tuple[tuple[int, int], ...]:
    """The range or ranges of a call, in the form ``Headroom.retrieve`` takes.

    The mark's range text as written (``"41-160"``, or a summary mark's ``"1-6,8-19"``,
    read by ``parse_ranges``, the grammar's one reader), ``[first, last]``, or a list of
    ranges (``[[1, 6], [8, 19]]`` or ``["1-6", "8-19"]``). Several ranges give each
    part joined in order, as ``retrieve`` does, so one call redeems a summary mark.
    """
    spans = _spans(key, value)
    return spans[0] if len(spans) == 1 else spans


def _spans(key: str, value: object) -> tuple[tuple[int, int], ...]:
    several = isinstance(value, list) and value and all(isinstance(item, (str, list)) for item in value)
    out: list[tuple[int, int]] = []
    for item in value if isinstance(value, list) and several else [value]:
        if isinstance(item, str):
            try:
                out.extend(parse_ranges(item, key))
            except InvalidInput as error:  # it names the part that is wrong
                raise _BadCall(f"{error}.") from None
            continue
        try:
            out.append(check_span(tuple(item) if isinstance(item, list) else item, key))
        except InvalidInput:
            raise _BadCall(
                f'{key} takes the mark\'s range as written, "41-160", or several, "1-6,8-19" '
                f"(1-based, inclusive); got {_show(value)}."
            ) from None
    return tuple(out)


def _text(key: str, value: object) -> str | tuple[str, ...]:
    if key == "files" and isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise _BadCall(f"{key} takes a non-empty string; got {_show(value)}.")


def _show_selector(key: str, value: Any) -> str:
    """A selector as the model would write it: ranges in the marks' grammar (``"90-91,95-96"``)."""
    if key in _SPAN_SELECTORS:
        return _show(write_ranges([value] if isinstance(value[0], int) else value))
    return _show(value)


def _show(value: object) -> str:
    shown = dumps(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."
