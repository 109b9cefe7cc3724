"""The prose compressor on a real man page and a real license: whole paragraphs, headings kept, all counted."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import Headroom, MemoryStore, PieceContext, TokenCounter, find_markers, make_handle
from headroom.compressors.base import split_lines
from headroom.compressors.prose import ProseCompressor, blocks_of, is_heading
from headroom.registry import Registry

GOLDEN = Path(__file__).parent.parent / "golden" / "prose"
COUNTER = TokenCounter.for_model("gpt-4")


def test_headings() -> None:
    assert is_heading(["DESCRIPTION\n"]) and is_heading(["## Usage\n"]) and is_heading(["Title\n", "=====\n"])
    assert is_heading(["  8. Termination.\n"])
    assert not is_heading(["This is a sentence that runs on.\n"]) and not is_heading([])


@pytest.mark.parametrize("name", ["man_ls.txt", "apache2.txt"])
@pytest.mark.parametrize("share", [0.5, 0.25])
def test_real_prose(name: str, share: float) -> None:
    original = (GOLDEN / name).read_text()
    lines = split_lines(original)
    assert Registry().router.detect(original) == "prose"
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(original, int(COUNTER.count(original) * share), query="patent license sort by time")
    (entry,) = result.manifest.entries
    assert result.within_budget and entry.compressor == "prose"
    spans = blocks_of(lines)
    headings = ["".join(lines[a:b]) for a, b in spans if is_heading([l for l in lines[a:b] if l.strip()])]
    assert all(h in result.text for h in headings)
    markers = find_markers(result.text, result.manifest.handles)
    assert sum(m.count for m in markers) == entry.omitted["paragraphs"]
    starts = {a + 1 for a, _ in spans}
    ends = {b for _, b in spans}
    for marker in markers:  # every marker covers whole blocks, and they come back exactly
        first, last = (int(n) for n in (marker.detail or "").split("-"))
        assert first in starts and last in ends
        assert hr.retrieve(marker.handle, lines=(first, last)) == "".join(lines[first - 1 : last])
    kept = [p for p in result.text.split("\n\n") if p.strip() and not p.startswith("[hr1:")]
    assert all(p in original for p in kept)  # kept paragraphs are verbatim: no word dropped inside


def test_query_paragraph_is_kept() -> None:
    original = (GOLDEN / "apache2.txt").read_text()
    out = ProseCompressor().compress(original, 600, PieceContext(make_handle(original), COUNTER, "What patent license is granted?"))
    assert out is not None and "3. Grant of Patent License." in out.text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text("abcdefgh ijk.", min_size=1, max_size=120), min_size=3, max_size=40), st.integers(20, 600))
def test_any_prose_is_accounted(paragraphs: list[str], target: int) -> None:
    text = "\n\n".join(paragraphs) + "\n"
    out = ProseCompressor().compress(text, target, PieceContext(make_handle(text), COUNTER, "abc"))
    if out is not None:
        assert COUNTER.count(out.text) <= target
        assert sum(m.count for m in find_markers(out.text, {make_handle(text)})) == out.omitted["paragraphs"]
