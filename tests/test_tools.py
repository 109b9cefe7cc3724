"""The retrieval tool: its schema, its cost, and round trips through each provider's call shape."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import headroom
from headroom import HANDLE_RE, Headroom, InvalidInput, MemoryStore, find_markers, make_handle
from headroom.compressors.base import split_lines
from headroom.tokens import TokenCounter
from headroom.tools import (
    RETRIEVAL_TOOL_NAME,
    retrieval_parameters,
    retrieval_tool,
    retrieval_tool_result,
    run_retrieval_tool,
)
from tests.conversations import anthropic_conversation, openai_conversation

jsonschema = pytest.importorskip("jsonschema")

GOLDEN = Path(__file__).parent / "golden"
LOG = (GOLDEN / "log" / "pytest_mixed.txt").read_text(encoding="utf-8")


def _validator() -> Any:
    schema = retrieval_parameters()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize(
    "arguments",
    [
        {"handle": "hr1:482913057162345"},
        {"handle": "hr1:482913057162345", "lines": "41-160"},
        {"handle": "hr1:482913057162345", "lines": "1-6,8-19"},
        {"handle": "hr1:000000000000001", "chars": "1-200"},
        {"handle": "hr1:482913057162345", "rows": "5-16"},
        {"handle": "hr1:482913057162345", "query": "ConnectionError timeout"},
        {"handle": "hr1:482913057162345", "symbol": "ArgumentParser.parse_args"},
        {"handle": "hr1:482913057162345", "files": "src/app.py"},
    ],
)
def test_schema_accepts_the_calls_a_model_makes(arguments: dict[str, Any]) -> None:
    _validator().validate(arguments)
    # the runner accepts them too: it gets as far as looking the handle up
    assert "is not stored" in retrieval_tool_result(arguments, Headroom()).text


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"lines": [1, 2]},
        {"handle": "hr1:4829130571623"},
        {"handle": "482913057162345"},
        {"handle": "[hr1:482913057162345 omitted 3 lines 1-3]"},
        {"handle": "hr1:482913057162345", "page": 2},
        {"handle": "hr1:482913057162345", "lines": 41},
        {"handle": "hr1:482913057162345", "lines": [41, "x"]},
        {"handle": 482913057162345},
    ],
)
def test_schema_rejects_malformed_calls(arguments: dict[str, Any]) -> None:
    assert list(_validator().iter_errors(arguments))


def test_schema_handle_pattern_is_handle_re() -> None:
    validator = _validator()
    for text in ("a", "b" * 5000, "x\ny", "", "{}"):
        handle = make_handle(text)
        assert HANDLE_RE.fullmatch(handle)
        validator.validate({"handle": handle})
    for wrong in ("hr0:482913057162345", "hr1:48291305716234x", "hr1:4829130571623450", " hr1:482913057162345"):
        assert not HANDLE_RE.fullmatch(wrong)
        assert list(validator.iter_errors({"handle": wrong}))


def test_definitions_in_each_provider_shape() -> None:
    openai = retrieval_tool("openai")
    assert openai["type"] == "function"
    assert openai["function"]["name"] == RETRIEVAL_TOOL_NAME
    assert openai["function"]["parameters"] == retrieval_parameters()
    anthropic = retrieval_tool("anthropic", name="expand")
    assert set(anthropic) == {"name", "description", "input_schema"}
    assert anthropic["name"] == "expand"
    assert anthropic["description"] == openai["function"]["description"]
    assert anthropic["input_schema"] == retrieval_parameters()
    responses = retrieval_tool("openai-responses")
    assert responses == {"type": "function", **openai["function"], "strict": False}  # required by the SDK types


@pytest.mark.parametrize("call", [lambda: retrieval_tool("gemini"), lambda: retrieval_tool(name="has space")])
def test_definition_options_are_checked(call: Any) -> None:
    with pytest.raises(InvalidInput):
        call()


def test_definition_stays_cheap() -> None:
    """It is sent with every request: hold its cost (296 cl100k tokens as JSON with grammar version 2)."""
    counter = TokenCounter.for_model("gpt-4")
    assert counter.count(json.dumps(retrieval_tool("openai"))) <= 300
    assert counter.count(json.dumps(retrieval_tool("anthropic"))) <= 300


def _first_marker(text: str, result: headroom.CompressResult) -> headroom.Marker:
    markers = [m for m in find_markers(text, result.manifest.handles) if m.unit == "lines"]
    assert markers, text
    return markers[0]


def test_openai_round_trip() -> None:
    hr = Headroom()
    messages = openai_conversation(LOG, "Which tests failed and why?")
    result = hr.compress(messages, budget=600)
    marker = _first_marker(result.messages[3]["content"], result)
    span = marker.span
    assert span is not None
    # the call as the model returns it: arguments are a JSON string
    call = {
        "id": "call_2",
        "type": "function",
        "function": {
            "name": RETRIEVAL_TOOL_NAME,
            "arguments": json.dumps({"handle": marker.handle, "lines": list(span)}),
        },
    }
    answer = run_retrieval_tool(call["function"]["arguments"], hr)
    assert answer == "".join(split_lines(LOG)[span[0] - 1 : span[1]])
    assert len(split_lines(answer)) == marker.count
    follow_up = [
        *result.messages,
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_2", "content": answer},
    ]
    assert hr.compress(follow_up).messages[-1]["content"] == answer  # a valid conversation, answer intact


def test_anthropic_round_trip() -> None:
    hr = Headroom()
    messages = anthropic_conversation(LOG, "Which tests failed and why?")
    result = hr.compress(messages, budget=600)
    marker = _first_marker(result.messages[2]["content"][0]["content"], result)
    span = marker.span
    assert span is not None
    # the call as the model returns it: input is an object
    use = {
        "type": "tool_use",
        "id": "toolu_2",
        "name": RETRIEVAL_TOOL_NAME,
        "input": {"handle": marker.handle, "lines": list(span)},
    }
    answer = retrieval_tool_result(use["input"], hr)
    assert not answer.is_error
    assert answer.text == "".join(split_lines(LOG)[span[0] - 1 : span[1]])
    follow_up = [
        *result.messages,
        {"role": "assistant", "content": [use]},
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_2", "content": answer.text, "is_error": answer.is_error}
            ],
        },
    ]
    assert hr.compress(follow_up).messages[-1]["content"][0]["content"] == answer.text


@pytest.mark.parametrize(
    "fixture",
    [
        "log/cargo_test_fail.txt",
        "search/grep_init.txt",
        "diff/git_show_tomli.txt",
        "prose/man_ls.txt",
        "table/dpkg.tsv",
        "code/python_textwrap.py",
    ],
)
def test_the_described_rule_redeems_every_marker(fixture: str) -> None:
    """The description says: A-B as chars or rows when that is the unit, else as lines."""
    hr = Headroom()
    original = (GOLDEN / fixture).read_text(encoding="utf-8")
    result = hr.compress_text(original, hr.counter.count(original) // 7)
    markers = [m for m in find_markers(result.text, result.manifest.handles) if m.span]
    assert markers
    for marker in markers:
        assert marker.span is not None
        selector = marker.unit if marker.unit in ("chars", "rows") else "lines"
        answer = retrieval_tool_result({"handle": marker.handle, selector: list(marker.span)}, hr)
        assert not answer.is_error, answer.text
        if marker.unit == "lines":
            assert len(split_lines(answer.text)) == marker.count
        if marker.unit == "chars":
            assert len(answer.text) == marker.count


def test_content_type_selectors_go_through() -> None:
    hr = Headroom()
    code = (GOLDEN / "code" / "python_textwrap.py").read_text(encoding="utf-8")
    handle = hr.compress_text(code, 400).manifest.entries[0].handle
    assert run_retrieval_tool({"handle": handle, "symbol": "TextWrapper.wrap"}, hr) == hr.retrieve(
        handle, symbol="TextWrapper.wrap"
    )
    diff = (GOLDEN / "diff" / "git_show_tomli.txt").read_text(encoding="utf-8")
    handle = hr.compress_text(diff, 300).manifest.entries[0].handle
    path = next(line.split(" b/")[-1] for line in diff.splitlines() if line.startswith("diff --git"))
    expected = hr.retrieve(handle, files=path)
    assert run_retrieval_tool(json.dumps({"handle": handle, "files": path}), hr) == expected
    assert run_retrieval_tool({"handle": handle, "files": [path]}, hr) == expected


def test_forms_a_model_may_send_instead() -> None:
    hr = Headroom()
    handle = hr.compress_text(LOG, 300).manifest.entries[0].handle
    lines = "".join(split_lines(LOG)[4:9])
    assert run_retrieval_tool({"handle": handle, "lines": "5-9"}, hr) == lines
    assert run_retrieval_tool({"handle": handle, "lines": [5, 9], "query": None}, hr) == lines
    assert run_retrieval_tool({"handle": f"[{handle} omitted 5 lines 5-9]", "lines": [5, 9]}, hr) == lines
    assert run_retrieval_tool(json.dumps({"handle": handle}), hr) == LOG
    # a version-2 first mark pasted whole; a short mark pasted as the handle gets told where the handle is
    assert run_retrieval_tool({"handle": f"[{handle} \u20265 lines 5-9]", "lines": [5, 9]}, hr) == lines
    short = retrieval_tool_result({"handle": "[\u20265 lines 5-9]", "lines": [5, 9]}, hr)
    assert short.is_error and "first mark" in short.text and "short mark" in short.text
    # a first mark whose count no text has is a look-alike: said so, and the pasted value not repeated whole
    absurd = retrieval_tool_result({"handle": f"[{handle} \u2026{'9' * 5000} lines 5-9]", "lines": [5, 9]}, hr)
    assert absurd.is_error and "not a headroom mark" in absurd.text and len(absurd.text) < 500


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be an object"),
        ({"lines": [1, 2]}, "handle is required"),
        ({"handle": "hr1:123"}, "not a headroom handle"),
        ({"handle": "hr9:123456789012345"}, "version 9"),
        ({"handle": "hr1:123456789012345"}, "is not stored"),
        ({"handle": "HANDLE", "page": 2}, "unknown argument page"),
        ({"handle": "HANDLE", "lines": [9, 5]}, "lines takes the mark's range as written"),
        ({"handle": "HANDLE", "lines": []}, "lines takes the mark's range as written"),
        ({"handle": "HANDLE", "lines": [[1, 2], [3]]}, "lines takes the mark's range as written"),
        ({"handle": "HANDLE", "rows": "all"}, "rows='all': 'all' is not a range; write first-last"),
        ({"handle": "HANDLE", "lines": "1-6,x"}, "'x' is not a range"),
        ({"handle": "HANDLE", "lines": "1-6,"}, "'' is not a range"),
        ({"handle": "HANDLE", "lines": ["1-6", "9-5"]}, "9-5 runs backwards"),
        ({"handle": "HANDLE", "lines": "0-3"}, "0-3 runs from 0"),
        ({"handle": "HANDLE", "query": ""}, "query takes a non-empty string"),
        ({"handle": "HANDLE", "lines": [1, 2], "query": "x"}, "one selector at a time"),
        ({"handle": "HANDLE", "symbol": "main"}, "no 'symbol' selector"),
    ],
)
def test_mistakes_come_back_as_text(arguments: Any, says: str) -> None:
    hr = Headroom()
    handle = hr.compress_text(LOG, 300).manifest.entries[0].handle
    if isinstance(arguments, dict) and arguments.get("handle") == "HANDLE":
        arguments = {**arguments, "handle": handle}
    answer = retrieval_tool_result(arguments, hr)
    assert answer.is_error
    assert answer.text.startswith("Error: ") and says in answer.text
    assert run_retrieval_tool(arguments, hr) == answer.text


def test_an_expired_original_says_so() -> None:
    now = [0.0]
    hr = Headroom(store=MemoryStore(ttl=60, clock=lambda: now[0]))
    handle = hr.compress_text(LOG, 300).manifest.entries[0].handle
    now[0] = 61.0
    answer = retrieval_tool_result({"handle": handle}, hr)
    assert answer.is_error and "expired" in answer.text and "run the tool" in answer.text


def test_nothing_found_is_an_answer_not_an_error() -> None:
    hr = Headroom()
    handle = hr.compress_text(LOG, 300).manifest.entries[0].handle
    answer = retrieval_tool_result({"handle": handle, "lines": [90_000, 90_001]}, hr)
    assert not answer.is_error
    assert f"{len(split_lines(LOG))} lines" in answer.text and "handle alone" in answer.text
    # ranges shown as the model wrote them, in the marks' grammar
    several = retrieval_tool_result({"handle": handle, "lines": "90000-90001,90005-90006"}, hr)
    assert not several.is_error and 'lines="90000-90001,90005-90006"' in several.text


def test_max_tokens_caps_the_answer_and_keeps_it_redeemable() -> None:
    hr = Headroom()
    handle = hr.compress_text(LOG, 300).manifest.entries[0].handle
    capped = run_retrieval_tool({"handle": handle}, hr, max_tokens=250)
    assert hr.counter.count(capped) <= 250 < hr.counter.count(LOG)
    marker = find_markers(capped, {handle})[0]
    assert run_retrieval_tool({"handle": marker.handle}, hr) == LOG
    with pytest.raises(InvalidInput):
        run_retrieval_tool({"handle": handle}, hr, max_tokens=0)


def test_a_capped_whole_original_says_the_handle_alone_will_not_give_more() -> None:
    """The digest of a whole original carries its own handle; the answer says so, so the model does not loop."""
    hr = Headroom()
    handle = hr.compress_text(LOG, 300).manifest.entries[0].handle
    for cap in (20, 45, 60, 250, 1_000):  # below ~18 not even a bare marker fits
        capped = run_retrieval_tool({"handle": handle}, hr, max_tokens=cap)
        assert hr.counter.count(capped) <= cap
        if cap >= 45:
            assert capped.startswith(f"[{handle}: ") and "the handle alone gives this again" in capped
    covering = run_retrieval_tool({"handle": handle, "lines": [1, 10_000]}, hr, max_tokens=250)
    assert covering.startswith(f"[{handle}: ")  # a range covering the whole is the whole
    part = run_retrieval_tool({"handle": handle, "lines": [1, 200]}, hr, max_tokens=250)
    assert hr.counter.count(part) <= 250 and handle not in part  # a part's digest has a handle of its own


def test_the_shared_default_is_used_when_none_is_given() -> None:
    result = headroom.compress(openai_conversation(LOG), budget=600)
    handle = result.manifest.entries[0].handle
    assert run_retrieval_tool({"handle": handle}) == LOG


def _doc_blocks() -> list[str]:
    text = (Path(__file__).parent.parent / "docs" / "integrations.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, re.S)


def test_the_documented_examples_run() -> None:
    blocks = [block for block in _doc_blocks() if "langchain" not in block]
    assert len(blocks) == 5  # OpenAI, Anthropic, Responses, the pytest test, the summary
    for block in blocks:
        exec(compile(block, "docs/integrations.md", "exec"), {})
