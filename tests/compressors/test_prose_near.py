"""The prose compressor finds near-duplicates through each unit's rarest words: never fewer than all pairs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from headroom.compressors.prose.compressor import _DUPLICATE, _SMALLEST, _rarest

_WORDS = st.frozensets(st.sampled_from([f"w{n}" for n in range(40)]), min_size=0, max_size=30)


def _near(a: frozenset[str], b: frozenset[str]) -> bool:
    return min(len(a), len(b)) >= _SMALLEST and len(a & b) > _DUPLICATE * min(len(a), len(b))


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, min_size=2, max_size=12))
def test_every_near_pair_shares_one_of_the_smaller_units_rarest_words(units: list[frozenset[str]]) -> None:
    rarest = _rarest(units)
    for i, a in enumerate(units):
        for j, b in enumerate(units):
            if i == j or not _near(a, b):
                continue
            small, large = (i, b) if len(a) <= len(b) else (j, a)
            assert rarest[small] & large, (units[small], large, rarest[small])


def test_rarest_words_are_the_least_shared_ones() -> None:
    units = [frozenset({"the", "a", "zebra"}), frozenset({"the", "a", "yak"}), frozenset({"the", "b", "c"})]
    rarest = _rarest(units)
    assert "zebra" in rarest[0] and "the" not in rarest[0]
