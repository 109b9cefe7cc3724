"""A summary mark's selector retrieves exactly its ranges (``Marker.selector``, ``retrieve``).

A mark listing several ranges (``[…57 lines 3-9,14-20,31-73]``) once gave an
empty selector, so ``retrieve(m.handle, **m.selector)`` returned the whole
original instead of what the mark stands for.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from headroom import Headroom, MemoryStore, make_handle
from headroom.compressors.base import split_lines
from headroom.markers import parse_marker, render_marker

FIXTURE = Path(__file__).parent / "fixtures" / "log_apt_history.txt"


def _stretches(n: int, cuts: list[int]) -> list[tuple[int, int]]:
    """Disjoint 1-based inclusive ranges inside 1..n, from sorted cut points (every other gap)."""
    points = sorted({min(max(c, 1), n) for c in cuts})
    pairs = list(zip(points[::2], points[1::2]))
    return [(a, b) for a, b in pairs if a <= b]


@settings(max_examples=60, deadline=None)
@given(cuts=st.lists(st.integers(1, 400), min_size=4, max_size=12), unit=st.sampled_from(["lines", "chars"]))
def test_summary_mark_selector_retrieves_exactly_its_ranges(cuts: list[int], unit: str) -> None:
    original = FIXTURE.read_text(encoding="utf-8")
    lines = split_lines(original)
    size = len(lines) if unit == "lines" else len(original)
    stretches = _stretches(size, cuts)
    assume(stretches)
    headroom = Headroom(store=MemoryStore(), model="gpt-4")
    handle = make_handle(original)
    headroom.store.put(handle, original, meta={"content_type": "text"})
    detail = ",".join(f"{a}-{b}" for a, b in stretches)
    total = sum(b - a + 1 for a, b in stretches)
    marker = parse_marker(render_marker(handle, total, unit, detail))
    assert marker.spans == tuple(stretches)
    if unit == "lines":
        expected = "".join("".join(lines[a - 1 : b]) for a, b in stretches)
    else:
        expected = "".join(original[a - 1 : b] for a, b in stretches)
    answer = headroom.retrieve(marker.handle, **marker.selector)
    assert answer == expected
    if len(stretches) > 1:
        assert answer != original or expected == original


def test_summary_mark_selector_is_its_ranges_not_the_whole_original() -> None:
    original = FIXTURE.read_text(encoding="utf-8")
    handle = make_handle(original)
    marker = parse_marker(render_marker(handle, 14, "lines", "3-9,14-20 error:2"))
    assert marker.selector == {"lines": ((3, 9), (14, 20))}
    headroom = Headroom(store=MemoryStore(), model="gpt-4")
    headroom.store.put(handle, original, meta={"content_type": "text"})
    lines = split_lines(original)
    assert headroom.retrieve(handle, **marker.selector) == "".join(lines[2:9] + lines[13:20])
