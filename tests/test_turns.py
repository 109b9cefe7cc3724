"""The turn replay (headroom.turns): the newest turn takes the rest; reshaped history takes the later question."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import headroom
from headroom import Headroom, MemoryStore
from headroom.testing import FakeCounter

BIG = "".join(f"line {k} of a long tool output\n" for k in range(400))


def _call(n: int) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": f"c{n}", "type": "function", "function": {"name": "run", "arguments": "{}"}}],
    }


def _session() -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": "agent"},
        {"role": "user", "content": "first question"},
        _call(1),
        {"role": "tool", "tool_call_id": "c1", "content": BIG},
        {"role": "assistant", "content": "noted"},
        {"role": "user", "content": "follow-up question"},
        _call(2),
        {"role": "tool", "tool_call_id": "c2", "content": BIG.replace("line", "row")},
    ]


def _line_cutter(called: Callable[[str, headroom.PieceContext], None]) -> headroom.Registry:
    """A registry whose only compressor keeps a target's worth of head lines and tells ``called`` of every call."""

    class LineCutter(headroom.Compressor):
        content_type = "text"
        name = "line-cutter"

        def compress(self, text: str, target: int | None, ctx: headroom.PieceContext) -> headroom.Compressed | None:
            called(text, ctx)
            if target is None:
                return None
            lines = text.split("\n")[: max(1, target // 8)]
            return headroom.Compressed("\n".join(lines) + "\n" + ctx.marker(1, "lines"), omitted={"lines": 1})

    registry = headroom.Registry(builtins=False)
    registry.register(LineCutter)
    return registry


def test_a_piece_reshaped_after_a_follow_up_takes_that_question_too() -> None:
    seen: list[tuple[str, str | None]] = []
    registry = _line_cutter(lambda text, ctx: seen.append((text[:4], ctx.query)))
    hr = Headroom(counter=FakeCounter(), store=MemoryStore(), registry=registry)
    messages = _session()
    result = hr.compress(messages, hr.counter.count_messages(messages) // 4)
    assert result.within_budget
    first = {query for head, query in seen if head == "line" and query is not None}
    assert "first question\nfollow-up question" in first  # reshaped at the tail with both questions
    newest = {query for head, query in seen if head == "row " and query is not None}
    assert newest == {"follow-up question"}


def test_the_newest_turn_gets_more_room_than_history() -> None:
    hr = Headroom(counter=FakeCounter(), store=MemoryStore())
    messages = _session()
    budget = hr.counter.count_messages(messages) // 4
    result = hr.compress(messages, budget)
    old, new = (hr.counter.count(result.messages[i]["content"]) for i in (3, 7))
    assert new > 2 * old
    assert result.tokens_after >= 0.9 * budget


def _tools(count: int) -> list[dict[str, Any]]:
    """An OpenAI session without answers: each question follows the previous tool result."""
    out: list[dict[str, Any]] = [{"role": "system", "content": "agent"}]
    for n in range(count):
        out += [
            {"role": "user", "content": f"question {n}"},
            _call(n),
            {"role": "tool", "tool_call_id": f"c{n}", "content": BIG.replace("line", f"item{n}")},
        ]
    return out


def test_a_question_after_tool_results_starts_its_own_turn() -> None:
    """A question that follows tool results (no answer between) must not join their turn: it would
    take part of their room, and change their bytes once a later question made it compressible."""
    hr = Headroom(counter=FakeCounter(), store=MemoryStore())
    budget = hr.counter.count_messages(_tools(8)) // 6
    calls = [hr.compress(_tools(n), budget) for n in range(2, 9)]
    assert all(c.within_budget for c in calls)
    appended = sum(b.messages[: len(a.messages) - 1] == a.messages[:-1] for a, b in zip(calls, calls[1:]))
    assert appended >= 5  # one compaction in six calls (when a question joined the turn before: five)


def test_the_first_call_on_a_long_conversation_shapes_each_piece_once() -> None:
    """The replay runs on numbers; only the groups that are sent are shaped, so a piece is compressed
    for one search (a few targets), not once per compaction it lived through."""
    calls: dict[str, int] = {}

    def count(text: str, ctx: headroom.PieceContext) -> None:
        calls[text[:12]] = calls.get(text[:12], 0) + 1

    hr = Headroom(counter=FakeCounter(), store=MemoryStore(), registry=_line_cutter(count))
    messages = _tools(24)
    result = hr.compress(messages, hr.counter.count_messages(messages) // 8)
    assert result.within_budget
    assert max(calls.values()) <= 16, calls  # one bisection over lambda's grid, a piece's default


def test_a_fresh_instance_sends_what_a_warm_one_sends() -> None:
    """Same input, same output: the replay keeps no state between calls, and the forms a Headroom
    keeps (FormCache) are an optimisation only."""
    warm = Headroom(counter=FakeCounter(), store=MemoryStore())
    budget = warm.counter.count_messages(_tools(12)) // 5
    for n in range(1, 13):
        sent = warm.compress(_tools(n), budget)
        fresh = Headroom(counter=FakeCounter(), store=MemoryStore()).compress(_tools(n), budget)
        assert fresh.messages == sent.messages and fresh.manifest == sent.manifest


FIXTURES = Path(__file__).parent.parent / "benchmarks" / "corpus" / "fixtures"


def _shell_chain(question: str, calls: list[tuple[str, str]]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "system", "content": "agent"}, {"role": "user", "content": question}]
    for n, (cmd, out) in enumerate(calls):
        call = {
            "id": f"c{n}",
            "type": "function",
            "function": {"name": "run_shell", "arguments": json.dumps({"cmd": cmd})},
        }
        messages += [
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": f"c{n}", "content": out},
        ]
    return messages


@pytest.mark.parametrize("share", [0.08, 0.15, 0.25])
def test_a_grep_reshaped_in_a_chain_keeps_the_line_of_the_file_opened_next(share: float) -> None:
    """Real output: a grep for ``__init__`` over the standard library (146 definitions), then ``cat`` of
    ``json/decoder.py``. The question does not say which file; the next call does, and the grep is
    rewritten in this call anyway (rule 4), so its definition line in that file is kept."""
    grep = (FIXTURES / "search_init_stdlib.txt").read_text()
    code = (FIXTURES / "code_json_decoder.py").read_text()
    line = "json/decoder.py:284:    def __init__(self, *, object_hook=None, parse_float=None,"
    messages = _shell_chain(
        "Where is __init__ defined, and what does it do with strict?",
        [("grep -rn 'def __init__' .", grep), ("cat json/decoder.py", code)],
    )
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress(messages, int(hr.counter.count_messages(messages) * share))
    assert result.within_budget
    assert line in result.messages[3]["content"]


@pytest.mark.parametrize("share", [0.08, 0.12, 0.2])
def test_the_grep_that_opened_a_chain_of_three_calls_shares_the_room(share: float) -> None:
    """Real output: a grep, ``cat`` of the file it named, then ``cat`` of another file, for one question.
    The previous call shaped the grep with the file in one group (rule 4), so this call rewrites the
    grep anyway; it joins the newest group instead of falling to history's 3% share (a bare mark)."""
    grep = (FIXTURES / "search_init_stdlib.txt").read_text()
    code = (FIXTURES / "code_json_decoder.py").read_text()
    other = (FIXTURES / "code_shlex.py").read_text()
    line = "json/decoder.py:284:    def __init__(self, *, object_hook=None, parse_float=None,"
    messages = _shell_chain(
        "Where is __init__ defined, and what does it do with strict?",
        [("grep -rn 'def __init__' .", grep), ("cat json/decoder.py", code), ("cat shlex.py", other)],
    )
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress(messages, int(hr.counter.count_messages(messages) * share))
    assert result.within_budget
    assert line in result.messages[3]["content"]


def _anthropic_chain(outputs: list[str], questions: list[str | None]) -> list[dict[str, Any]]:
    """Anthropic shape: each tool result in a user message, with the user's words beside it when given."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": "continue"}]
    for n, (out, words) in enumerate(zip(outputs, questions)):
        messages.append(
            {"role": "assistant", "content": [{"type": "tool_use", "id": f"t{n}", "name": "bash", "input": {}}]}
        )
        blocks: list[dict[str, Any]] = [{"type": "tool_result", "tool_use_id": f"t{n}", "content": out}]
        if words:
            blocks.append({"type": "text", "text": words})
        messages.append({"role": "user", "content": blocks})
    return messages


def test_the_same_words_asked_twice_are_two_questions() -> None:
    """Real logs: a pytest run, then a cargo test run whose result arrives with the user's second
    "continue". The two calls serve two user turns, so the earlier log is history (reshaped to its
    share) and the newest output keeps the room; read as one chain because the words match, the
    newest log was cut to share its room with the earlier one."""
    first = (FIXTURES / "log_pytest_mixed.txt").read_text()
    newest = (FIXTURES / "log_cargo_test_fail.txt").read_text()
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    for words in ("continue", "continue, please"):
        messages = _anthropic_chain([first, newest], [None, words])
        result = hr.compress(messages, hr.counter.count_messages(messages) // 5)
        assert result.within_budget
        assert result.messages[4]["content"][0]["content"] == newest, words
