"""Token counting: real encodings offline, fallbacks reported, never a silent guess."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import TokenCounter
from headroom.tokens import count_around_runs, encoding_for_model


def test_cl100k_models_count_exactly_offline() -> None:
    counter = TokenCounter.for_model("gpt-4")
    assert (counter.name, counter.exact, counter.note) == ("cl100k_base", True, None)
    assert counter.count("hello world") == 2
    assert counter.count("<|endoftext|>") > 1  # special tokens in data are plain text


def test_missing_encoding_falls_back_with_a_note(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    counter = TokenCounter.for_model("gpt-4o")
    assert counter.name == "cl100k_base" and not counter.exact
    assert counter.note and "network use is off" in counter.note


def test_allowed_download_is_bounded_and_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    counter = TokenCounter.for_model("gpt-4o", allow_network=True, timeout=5)
    assert not counter.exact and counter.note and "could not be downloaded" in counter.note


def test_models_without_public_tokenizer_are_estimates() -> None:
    counter = TokenCounter.for_model("claude-sonnet-4-5")
    assert counter.name == "cl100k_base" and not counter.exact
    assert encoding_for_model("o200k_base") == ("o200k_base", None)
    assert encoding_for_model("mystery-model")[1] is not None


def test_remembering_counter_counts_like_its_inner_counter_and_asks_it_once_per_large_text() -> None:
    from headroom.testing import FakeCounter
    from headroom.tokens import RememberingCounter

    calls: list[int] = []

    class Spy(FakeCounter):
        def count(self, text: str) -> int:
            calls.append(len(text))
            return super().count(text)

    memo = RememberingCounter(Spy(), size=2, min_chars=10)
    texts = ["short", "a long text " * 5, "another long one " * 5, "a third long text " * 5]
    for text in texts:  # each counted twice in a row: the second count of a large text is remembered
        assert memo.count(text) == memo.count(text) == FakeCounter().count(text)
    assert len(calls) == 2 + 3
    memo.count(texts[1])  # only the two latest large texts are kept
    assert len(calls) == 6
    assert memo.name == "fake" and memo.exact


_PIECES = [" ", "\t", "\n", "\r\n", "a", "bc", "1", "23", ".", "!", "\u3000", "\xa0", "é", "'s", "中", "\x0b", "\x1c"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from([1, 2, 3, 5, 20])), max_size=40))
def test_counting_around_blank_runs_is_exact(parts: list[tuple[str, int]]) -> None:
    """The split tiktoken's regex cannot choke on gives the whole-text count wherever tiktoken succeeds."""
    text = "".join(piece * times for piece, times in parts)
    counter = TokenCounter.for_model("gpt-4")
    encoding = counter._encoding  # type: ignore[attr-defined]
    assert count_around_runs(encoding, text, min_run=2) == len(encoding.encode(text, disallowed_special=()))


def test_a_million_spaces_then_a_word_is_counted_not_raised() -> None:
    counter = TokenCounter.for_model("gpt-4")
    text = "head " + " " * 1_000_000 + "tail"
    # the pieces tiktoken itself makes: the word, the run less its last blank, the last blank with the word
    assert counter.count(text) == counter.count("head") + counter.count(" " * 1_000_000) + counter.count(" tail")


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(" \t\x0b\x0c\x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000"),
    st.integers(1, 6),
    st.integers(0, 9000),
    st.sampled_from(["", "x", "word", "\n", "1"]),
)
def test_long_runs_of_one_blank_count_exactly(blank: str, chunks: int, rest: int, after: str) -> None:
    counter = TokenCounter.for_model("gpt-4")
    encoding = counter._encoding  # type: ignore[attr-defined]
    text = "head" + blank * (4096 * chunks + rest) + after
    assert counter.count(text) == len(encoding.encode(text, disallowed_special=()))
