"""compress / compress_text / retrieve end to end, through the public functions."""

from __future__ import annotations

from pathlib import Path

import pytest
from conversations import openai_conversation

import headroom
from headroom import (
    BudgetExceeded,
    Config,
    HandleNotFound,
    Headroom,
    InvalidInput,
    MemoryStore,
    compress,
    compress_text,
    retrieve,
)
from headroom.testing import FakeCounter, assert_within_budget

GREP = (Path(__file__).parent / "golden" / "text" / "grep_stdlib.txt").read_text()
LICENSE = (Path(__file__).parent / "golden" / "text" / "gpl3.txt").read_text()


def test_budget_is_met_and_originals_are_retrievable() -> None:
    messages = openai_conversation(GREP, "Where does nntplib add arguments?")
    result = compress(messages, budget=800, model="gpt-4")
    assert result.within_budget and result.tokens_after <= 800
    assert result.tokens_after == headroom.TokenCounter.for_model("gpt-4").count_messages(result.messages)
    (entry,) = result.manifest.entries
    assert entry.message_index == 3 and entry.path == ("content",)
    assert entry.omitted["lines"] > 0 and not entry.lossless
    assert retrieve(entry.handle) == GREP


def test_no_budget_never_makes_anything_bigger() -> None:
    messages = openai_conversation("short output")
    result = compress(messages)
    assert result.messages == messages and result.tokens_after == result.tokens_before
    assert result.manifest.entries == ()


def test_default_policy_cuts_only_very_large_unknown_text() -> None:
    result = compress(openai_conversation(LICENSE * 3), model="gpt-4")
    assert result.tokens_after < result.tokens_before
    assert result.manifest.entries[0].level == "default"


def test_infeasible_budget_says_why_or_raises_when_strict() -> None:
    messages = openai_conversation(GREP, "question " * 300)
    result = compress(messages, budget=100, model="gpt-4")
    assert not result.within_budget
    assert "protected parts alone need" in (result.manifest.reason or "")
    with pytest.raises(BudgetExceeded, match="Raise the budget"):
        compress(messages, budget=100, model="gpt-4", strict=True)


def test_opting_in_lets_protected_parts_shrink() -> None:
    messages = openai_conversation(GREP, "question " * 300)
    config = Config(protect=frozenset({"system"}))
    result = compress(messages, budget=400, model="gpt-4", config=config)
    assert result.within_budget
    assert {e.message_index for e in result.manifest.entries} == {1, 3}


def test_compress_text_and_partial_retrieval() -> None:
    result = compress_text(GREP, 300, model="gpt-4")
    assert result.tokens_after <= 300
    handle = result.manifest.entries[0].handle
    assert retrieve(handle, lines=(2, 3)) == "".join(GREP.splitlines(keepends=True)[1:3])
    assert retrieve(handle, chars=(1, 10)) == GREP[:10]
    with pytest.raises(InvalidInput, match="1-based"):
        retrieve(handle, lines=(0, 3))
    matches = retrieve(handle, query="nntplib")
    assert matches.startswith("1: ./nntplib.py:1050:") and all("nntplib" in m for m in matches.splitlines())
    with pytest.raises(InvalidInput, match="one selector"):
        retrieve(handle, lines=(1, 2), chars=(1, 2))
    with pytest.raises(InvalidInput, match="no 'rows' selector"):
        retrieve(handle, rows=(1, 2))


def test_retrieve_unknown_handle_says_what_to_do() -> None:
    with pytest.raises(HandleNotFound, match="Pass the store"):
        retrieve(headroom.make_handle("never stored"))


def test_an_explicit_store_is_used_by_both_sides() -> None:
    store = MemoryStore()
    result = compress_text(GREP, 300, store=store, model="gpt-4")
    handle = result.manifest.entries[0].handle
    assert retrieve(handle, store=store) == GREP
    with pytest.raises(HandleNotFound):
        retrieve(handle)


def test_same_input_gives_identical_output() -> None:
    messages = openai_conversation(GREP)
    one = Headroom(store=MemoryStore(), model="gpt-4").compress(messages, 500)
    two = Headroom(store=MemoryStore(), model="gpt-4").compress(messages, 500)
    assert one.messages == two.messages and one.manifest == two.manifest


def test_query_defaults_to_the_latest_user_turn_before_the_piece() -> None:
    seen: list[str | None] = []

    class Spy(headroom.Compressor):
        content_type = "text"
        name = "spy"

        def compress(self, text: str, target: int | None, ctx: headroom.PieceContext) -> None:
            seen.append(ctx.query)
            return None

    registry = headroom.Registry(builtins=False)
    registry.register(Spy)
    hr = Headroom(counter=FakeCounter(), store=MemoryStore(), registry=registry)
    messages = openai_conversation("words " * 100, "find the bug")
    messages.append({"role": "user", "content": "later turn"})
    hr.compress(messages)
    hr.compress(messages, query="override")
    hr.compress(messages, query="")
    assert seen == ["find the bug", "override", None]


def test_invalid_budget_is_a_clear_error() -> None:
    for bad in (0, -5, 1.5, "100", True):
        with pytest.raises(InvalidInput, match="budget must be"):
            compress(openai_conversation("x"), budget=bad)  # type: ignore[arg-type]


def test_tokenizer_fallback_is_recorded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    result = compress(openai_conversation("x"), model="gpt-4o")
    assert result.encoding == "cl100k_base"
    assert [d.kind for d in result.degradations] == ["tokenizer"]
    assert "o200k_base" in result.degradations[0].detail


def test_assert_within_budget_helper() -> None:
    messages = openai_conversation(GREP)
    assert assert_within_budget(messages, 700, model="gpt-4").tokens_after <= 700
    with pytest.raises(AssertionError, match="protected parts"):
        assert_within_budget(openai_conversation(GREP, "q " * 500), 50, model="gpt-4")


def test_targets_far_beyond_the_budget_are_not_asked_for() -> None:
    """A target more than four times the budget would need a compressor to keep under a quarter of it
    to fit; building those forms was most of the time spent on huge pieces under a small budget."""
    from headroom import Compressed, Compressor, Detector, PieceContext, Registry

    asked: list[int | None] = []

    class Halver(Compressor):
        content_type = "halves"
        name = "halver"

        def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
            asked.append(target)
            if target is None:
                return None
            words = text.split(" ")[: max(1, target - 20)]
            return Compressed(" ".join(words) + " " + ctx.marker(1, "chars"), omitted={"chars": 1})

    registry = Registry()
    registry.register(Halver)
    registry.add_detector(Detector("halves", "halves", lambda t: True), before="json")
    hr = Headroom(counter=FakeCounter(), store=MemoryStore(), registry=registry)
    result = hr.compress_text("word " * 20_000, 500)
    assert result.within_budget and result.tokens_after <= 500
    lossy = [t for t in asked if t is not None]
    assert lossy and max(lossy) <= 4 * 500 + 2


def test_the_manifest_names_only_units_something_of_was_omitted() -> None:
    """A compressor that cut characters of a line it kept whole otherwise reported ``lines: 0``
    beside them (the generic cut did, on an apt history window); a manifest counts what its
    markers stand for, so the core drops a unit with nothing omitted, whoever reported it."""

    from headroom import Compressed, Compressor, PieceContext, Registry

    class CutsOneLine(Compressor):
        content_type = "text"
        name = "cuts-one-line"

        def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
            if target is None:
                return None
            return Compressed("word " + ctx.marker(99, "chars", "6-104"), omitted={"lines": 0, "chars": 99})

    registry = Registry(builtins=False)
    registry.register(CutsOneLine)
    hr = Headroom(counter=FakeCounter(), store=MemoryStore(), registry=registry)
    result = hr.compress_text("word " * 200, 50)
    (entry,) = result.manifest.entries
    assert entry.compressor == "cuts-one-line"
    assert dict(entry.omitted) == {"chars": 99}
