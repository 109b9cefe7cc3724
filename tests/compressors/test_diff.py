"""The diff compressor on real diffs: headers all kept, kept hunks whole and applicable, dropped hunks counted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import Headroom, MemoryStore, PieceContext, TokenCounter, find_markers, make_handle
from headroom.compressors.base import split_lines
from headroom.compressors.diff import DiffCompressor, split_hunks

GOLDEN = Path(__file__).parent.parent / "golden" / "diff"
COUNTER = TokenCounter.for_model("gpt-4")
HEADER = re.compile(r"^(diff |--- |\+\+\+ |commit |Author: |Date: )")


def hunk_is_whole(lines: list[str]) -> bool:
    """The @@ counts match the lines that follow: the hunk applies as written."""
    match = re.match(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@", lines[0])
    assert match
    old = int(match[1] or 1)
    new = int(match[2] or 1)
    body = [line for line in lines[1:] if not line.startswith("\\")]
    return old == sum(1 for line in body if line[:1] in " -\n") and new == sum(1 for line in body if line[:1] in " +\n")


@pytest.mark.parametrize("name", ["tomli.diff", "git_show.txt"])
def test_split_hunks_matches_the_headers(name: str) -> None:
    lines = split_lines((GOLDEN / name).read_text())
    segments = split_hunks(lines)
    assert segments[0].start == 0 and segments[-1].end == len(lines)
    assert all(a.end == b.start for a, b in zip(segments, segments[1:]))
    for segment in segments:
        if segment.hunk:
            assert hunk_is_whole(lines[segment.start : segment.end])


@pytest.mark.parametrize("name", ["tomli.diff", "git_show.txt"])
@pytest.mark.parametrize("share", [0.5, 0.2])
def test_real_diffs(name: str, share: float) -> None:
    original = (GOLDEN / name).read_text()
    lines = split_lines(original)
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(original, int(COUNTER.count(original) * share), query="version")
    (entry,) = result.manifest.entries
    assert result.within_budget and entry.compressor in ("diff", "marker")
    if entry.compressor == "marker":
        return  # the headers alone did not fit: the whole diff is one marker
    out = result.text
    assert [l for l in lines if HEADER.match(l)] == [l for l in split_lines(out) if HEADER.match(l)]
    markers = find_markers(out, result.manifest.handles)
    assert sum(m.count for m in markers) == entry.omitted["hunks"]
    segments = {(s.start, s.end): s for s in split_hunks(lines) if s.hunk}
    for marker in markers:
        span, plus, minus = (marker.detail or "").split(" ")
        first, last = (int(n) for n in span.split("-"))
        dropped = [s for (a, b), s in segments.items() if a >= first - 1 and b <= last]
        assert len(dropped) == marker.count
        assert plus == f"+{sum(s.added for s in dropped)}" and minus == f"-{sum(s.removed for s in dropped)}"
        assert hr.retrieve(marker.handle, lines=(first, last)) == "".join(lines[first - 1 : last])
    kept_lines = split_lines(out)
    for index, line in enumerate(kept_lines):
        if line.startswith("@@"):
            end = index + 1
            while end < len(kept_lines) and not kept_lines[end].startswith(("@@", "[hr1:", "diff ", "--- ", "commit ")):
                end += 1
            assert hunk_is_whole(kept_lines[index:end])


def test_query_hunk_is_kept() -> None:
    original = (GOLDEN / "tomli.diff").read_text()
    out = DiffCompressor().compress(original, 1200, PieceContext(make_handle(original), COUNTER, "__version__"))
    assert out is not None and '+__version__ = "2.1.0"' in out.text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 6), st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=12), st.integers(40, 600))
def test_any_diff_is_accounted(hunks: list[tuple[int, int, int]], target: int) -> None:
    text = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n"
    for n, (context, removed, added) in enumerate(hunks):
        text += f"@@ -{n * 20 + 1},{context + removed} +{n * 20 + 1},{context + added} @@\n"
        text += " ctx\n" * context + "-old line\n" * removed + "+new line\n" * added
    out = DiffCompressor().compress(text, target, PieceContext(make_handle(text), COUNTER, None))
    if out is not None:
        assert COUNTER.count(out.text) <= target
        assert sum(m.count for m in find_markers(out.text, {make_handle(text)})) == out.omitted["hunks"]
