"""The prose detector's letter share, counted at C speed, decides as testing each character did."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from headroom.compressors.prose.detect import _letters

# characters where the shortcuts a faster count might take go wrong: ASCII separators that
# ``isspace`` accepts, digits and numerals that are not letters, Unicode spaces, lone surrogates
_TRICKY = "aZ 09_\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0²½Ⅻ①٣é中\u2028\u3000\ud800-.,"


def _one_by_one(text: str) -> float:
    sample = text[:20_000]
    return sum(c.isalpha() or c.isspace() for c in sample) / max(1, len(sample))


@settings(max_examples=300)
@given(st.text(alphabet=st.one_of(st.characters(), st.sampled_from(_TRICKY))))
def test_the_letter_share_is_the_one_testing_each_character_gives(text: str) -> None:
    assert _letters(text) == _one_by_one(text)


@settings(max_examples=30)
@given(st.text(alphabet=st.sampled_from(_TRICKY), min_size=1, max_size=50), st.integers(19_950, 20_050))
def test_only_the_first_20000_characters_count(part: str, size: int) -> None:
    text = (part * (size // len(part) + 1))[:size]
    assert _letters(text) == _one_by_one(text)


def test_every_character_of_the_first_planes_counts_as_it_did() -> None:
    text = "".join(chr(c) for c in range(0x3_0000) if not 0xD800 <= c < 0xE000)
    for start in range(0, len(text), 20_000):
        assert _letters(text[start:]) == _one_by_one(text[start:])
