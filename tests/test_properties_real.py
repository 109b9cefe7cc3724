"""The DESIGN invariants over windows of real captured tool output, through every built-in compressor.

The generated conversations of ``test_properties`` exercise the core; these
exercise the content-type compressors on what agents really read: a window of
lines from each real fixture (grep, logs, JSON, tables, code, diffs, prose,
HTML), counted with the real cl100k tokenizer, at a drawn budget and query.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache, lru_cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headroom import Headroom, MemoryStore, TokenCounter, find_markers

ROOT = Path(__file__).parent.parent
FIXTURES = sorted(
    path
    for folder in (ROOT / "benchmarks" / "corpus" / "fixtures", ROOT / "tests" / "golden")
    for path in folder.rglob("*")
    if path.is_file() and not path.name.endswith(".out")
)
QUERIES = ["", "error", "where is the config parsed", "def __init__", "version license", "failed test"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def lines_of(path: Path) -> list[str]:
    return path.read_text(errors="replace").splitlines(keepends=True)


@lru_cache(maxsize=1)
def counter() -> TokenCounter:
    return TokenCounter.for_model("gpt-4")


@st.composite
def real_window(draw: st.DrawFn) -> str:
    """A whole fixture or a window of its lines (at most 1,500), so shapes stay real."""
    lines = lines_of(draw(st.sampled_from(FIXTURES)))
    if draw(st.booleans()) and len(lines) <= 1_500:
        return "".join(lines)
    start = draw(st.integers(0, max(0, len(lines) - 1)))
    size = draw(st.integers(1, 1_500))
    return "".join(lines[start : start + size])


def fresh() -> Headroom:
    return Headroom(counter=counter(), store=MemoryStore())


@SETTINGS
@given(real_window(), st.one_of(st.none(), st.floats(0.02, 1.0)), st.sampled_from(QUERIES))
def test_real_output_is_never_worse_and_fits_and_redeems(text: str, share: float | None, query: str) -> None:
    hr = fresh()
    tokens = counter().count(text)
    budget = None if share is None else max(1, int(tokens * share))
    result = hr.compress_text(text, budget, query=query)
    assert result.tokens_after <= result.tokens_before == tokens
    assert result.tokens_after == counter().count(result.text)
    # a built-in compressor that raises falls back quietly to the next in the chain (the caller's
    # data is safe); on real output that is a bug the fallback would hide, so it fails here
    crashes = [d.detail for d in result.manifest.degradations if d.kind == "compressor"]
    assert not crashes, crashes
    if budget is not None:
        # one piece with nothing protected: a bare marker always fits unless the budget is below it
        assert result.within_budget or budget < 20
        if result.within_budget:
            assert result.tokens_after <= budget
    if not result.manifest.entries:
        assert result.text == text
        return
    (entry,) = result.manifest.entries
    assert hr.retrieve(entry.handle) == text
    if entry.lossless:
        assert not entry.omitted
    else:
        assert entry.omitted and all(count > 0 for count in entry.omitted.values())
        assert find_markers(result.text, result.manifest.handles), "a lossy result carries at least one marker"
    if _is_json(text):
        bare_marker = [m.end - m.start for m in find_markers(result.text, result.manifest.handles)] == [
            len(result.text.strip())
        ]
        assert _is_json(result.text) or result.text.startswith("[json rows]") or bare_marker, (
            f"{entry.compressor} turned JSON into text that is neither JSON, a row table nor a bare marker"
        )


@SETTINGS
@given(real_window(), st.floats(0.05, 0.6), st.sampled_from(QUERIES))
def test_real_output_markers_account_for_what_was_omitted(text: str, share: float, query: str) -> None:
    hr = fresh()
    result = hr.compress_text(text, max(1, int(counter().count(text) * share)), query=query)
    if not result.manifest.entries or result.manifest.entries[0].lossless:
        return
    (entry,) = result.manifest.entries
    counted: Counter[str] = Counter()
    for marker in find_markers(result.text, result.manifest.handles):
        assert marker.handle == entry.handle
        counted[marker.unit] += marker.count
    assert dict(counted) == dict(entry.omitted), (
        f"{entry.compressor}: markers say {dict(counted)}, manifest {entry.omitted}"
    )


@SETTINGS
@given(real_window(), st.floats(0.05, 1.0), st.sampled_from(QUERIES))
def test_real_output_is_deterministic(text: str, share: float, query: str) -> None:
    budget = max(1, int(counter().count(text) * share))
    first = fresh().compress_text(text, budget, query=query)
    second = fresh().compress_text(text, budget, query=query)
    assert first.text == second.text and first.manifest == second.manifest


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
