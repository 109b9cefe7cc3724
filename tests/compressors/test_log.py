"""The log compressor on real build and test logs: errors kept, every omitted line counted by level."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import Headroom, MemoryStore, PieceContext, TokenCounter, find_markers, make_handle
from headroom.compressors.base import split_lines
from headroom.compressors.log import LogCompressor, level_of, template_of
from headroom.registry import Registry

GOLDEN = Path(__file__).parent.parent / "golden" / "log"
COUNTER = TokenCounter.for_model("gpt-4")


def ctx(text: str, query: str | None = None) -> PieceContext:
    return PieceContext(make_handle(text), COUNTER, query)


def restore(hr: Headroom, text: str, handles: frozenset[str]) -> str:
    """The compressed text with every marker replaced by the lines it stands for."""
    for marker in reversed(find_markers(text, handles)):
        first, last = (int(n) for n in (marker.detail or "").split(" ")[0].split("-"))
        end = min(marker.end + 1, len(text))
        text = text[: marker.start] + hr.retrieve(marker.handle, lines=(first, last)) + text[end:]
    return text


@pytest.mark.parametrize("name", ["pytest_mixed.txt", "cargo_test_fail.txt", "pip_wheel_psycopg2.txt"])
@pytest.mark.parametrize("share", [0.4, 0.15])
def test_real_logs_fit_account_and_restore(name: str, share: float) -> None:
    original = (GOLDEN / name).read_text()
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(original, max(60, int(COUNTER.count(original) * share)))
    (entry,) = result.manifest.entries
    assert result.within_budget and entry.compressor == "log" and entry.content_type == "log"
    markers = find_markers(result.text, result.manifest.handles)
    assert sum(m.count for m in markers) == entry.omitted["lines"]
    lines = split_lines(original)
    for marker in markers:  # the level counts in each marker are those of its lines
        span, *counts = (marker.detail or "").split(" ")
        first, last = (int(n) for n in span.split("-"))
        expected = Counter(level_of(line) for line in lines[first - 1 : last])
        assert dict(c.split(":") for c in counts) == {k: str(v) for k, v in expected.items()}
    assert restore(hr, result.text, result.manifest.handles) == original


def test_failures_and_assertions_survive_a_tight_budget() -> None:
    original = (GOLDEN / "pytest_mixed.txt").read_text()
    out = LogCompressor().compress(original, 700, ctx(original, "Which tests failed and why?"))
    assert out is not None and COUNTER.count(out.text) <= 700
    for needed in ("E       assert 107.89 == 99.9", "E       KeyError: 'banana'", "2 failed, 211 passed"):
        assert needed in out.text


def test_golden() -> None:
    original = (GOLDEN / "cargo_test_fail.txt").read_text()
    out = LogCompressor().compress(original, 250, ctx(original, "Which test failed?"))
    assert out is not None
    expected = GOLDEN / "cargo_test_fail.txt.out"
    if os.environ.get("HEADROOM_UPDATE_GOLDEN"):
        expected.write_text(out.text)
    assert out.text == expected.read_text()


def test_levels_and_templates() -> None:
    assert level_of("2026-01-01 12:00:00 ERROR db down") == "error"
    assert level_of("parser.c:10:13: error: expected ';'") == "error"
    assert level_of("  WARNING: Location ignored") == "warn"
    assert level_of("test result: ok. 3 passed") == "info"
    assert template_of("2026-01-01T12:00:00Z worker 17 took 0x1f ms /srv/a/b.py") == "# worker # took # ms #"


def test_router_sends_build_and_test_logs_here() -> None:
    router = Registry().router
    for name in ("pytest_mixed.txt", "cargo_test_fail.txt", "pip_wheel_psycopg2.txt"):
        assert router.detect((GOLDEN / name).read_text()) == "log"


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from([
        "INFO start worker {n}", "DEBUG tick {n}", "ERROR failed to connect to db-{n}", "WARN slow query {n} ms",
        "Traceback (most recent call last):", '  File "/app/x.py", line {n}, in run', "ValueError: bad {n}", "",
    ]), min_size=3, max_size=200),
    st.integers(10, 600),
)
def test_any_log_is_accounted(templates: list[str], target: int) -> None:
    text = "\n".join(t.format(n=i) for i, t in enumerate(templates))
    out = LogCompressor().compress(text, target, ctx(text))
    if out is not None:
        assert COUNTER.count(out.text) <= target
        markers = find_markers(out.text, {make_handle(text)})
        assert sum(m.count for m in markers) == out.omitted["lines"]
