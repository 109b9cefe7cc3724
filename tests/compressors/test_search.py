"""The search-results compressor on real grep and ripgrep output: every omitted line counted, files named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import Headroom, MemoryStore, PieceContext, TokenCounter, find_markers, make_handle
from headroom.compressors.base import split_lines
from headroom.compressors.search import SearchCompressor, file_of
from headroom.registry import Registry

GOLDEN = Path(__file__).parent.parent / "golden" / "search"
COUNTER = TokenCounter.for_model("gpt-4")


def ctx(text: str, query: str | None = None) -> PieceContext:
    return PieceContext(make_handle(text), COUNTER, query)


def test_files_are_found_in_grep_and_ripgrep_heading_output() -> None:
    grep = split_lines((GOLDEN / "grep_init.txt").read_text())
    assert file_of(grep)[0] == "email/_header_value_parser.py"
    rg = split_lines((GOLDEN / "rg_heading.txt").read_text())
    files = file_of(rg)
    assert files[:3] == ["email/_policybase.py", "email/_policybase.py", None]


@pytest.mark.parametrize("name", ["grep_init.txt", "rg_heading.txt"])
@pytest.mark.parametrize("share", [0.5, 0.2])
def test_real_results_fit_and_markers_count_every_file(name: str, share: float) -> None:
    original = (GOLDEN / name).read_text()
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(original, int(COUNTER.count(original) * share), query="json decoder init")
    (entry,) = result.manifest.entries
    assert result.within_budget and entry.compressor == "search"
    lines = split_lines(original)
    files = file_of(lines)
    markers = find_markers(result.text, result.manifest.handles)
    assert sum(m.count for m in markers) == entry.omitted["lines"]
    for marker in markers:
        span = (marker.detail or "").split(" ")[0]
        first, last = (int(n) for n in span.split("-"))
        assert hr.retrieve(marker.handle, lines=(first, last)) == "".join(lines[first - 1 : last])
        dropped = {f if f is not None else "other lines" for f in files[first - 1 : last]}
        entries = (marker.detail or "").split(" ", 1)[1].split(", ")
        named = {e.rsplit(":", 1)[0] for e in entries if not re.fullmatch(r"\+\d+ files", e)}
        more = sum(int(e[1:].split()[0]) for e in entries if re.fullmatch(r"\+\d+ files", e))
        assert named <= dropped and len(named) + more == len(dropped)


def test_query_matches_are_kept() -> None:
    original = (GOLDEN / "grep_init.txt").read_text()
    out = SearchCompressor().compress(original, 400, ctx(original, "Where is RotatingFileHandler's __init__ with maxBytes?"))
    assert out is not None
    assert "logging/handlers.py:124:    def __init__(self, filename, mode='a', maxBytes=0, backupCount=0," in out.text


def test_router() -> None:
    assert Registry().router.detect((GOLDEN / "grep_init.txt").read_text()) == "search"


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["a.py", "src/b.py", "lib/c.rs", "d.txt"]), st.integers(1, 500),
                       st.text("xyz def init ", max_size=30)), min_size=3, max_size=150),
    st.integers(30, 800),
)
def test_any_grep_output_is_accounted(matches: list[tuple[str, int, str]], target: int) -> None:
    text = "".join(f"{path}:{line}:{body}\n" for path, line, body in matches) + "Binary file x matches\n"
    out = SearchCompressor().compress(text, target, ctx(text, "init"))
    if out is not None:
        assert COUNTER.count(out.text) <= target
        assert sum(m.count for m in find_markers(out.text, {make_handle(text)})) == out.omitted["lines"]
