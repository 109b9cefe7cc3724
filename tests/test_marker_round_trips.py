"""Every mark in every family's golden fixtures redeems exactly its range (grammar version 2).

Each fixture is compressed through the core at two budgets; every mark
``find_markers`` ties to a handle is then redeemed three ways: ``retrieve``,
the retrieval tool called as OpenAI delivers it (a JSON string) and as
Anthropic does (a dict). For ``lines`` and ``chars`` the answer must be
exactly that range of the original and hold ``count`` units; for ``rows`` the
three ways must agree. Two families speak of something other than the
original's own lines, and are checked for agreement only: HTML marks count
lines of the text rendering, and a JSON ``chars`` mark counts characters of
one string value (its path follows the range).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from headroom import Headroom, MemoryStore, find_markers
from headroom.compressors.base import split_lines
from headroom.tools import run_retrieval_tool

GOLDEN = Path(__file__).parent / "golden"
FIXTURES = sorted(p for p in GOLDEN.glob("*/*") if p.is_file() and p.suffix != ".out" and p.stat().st_size < 200_000)
QUESTION = "Which test failed, and where is the error raised?"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.parametrize("share", [0.25, 0.1])
def test_every_mark_redeems_its_range(path: Path, share: float) -> None:
    original = path.read_text(encoding="utf-8", errors="surrogateescape")
    headroom = Headroom(store=MemoryStore(), model="gpt-4")
    result = headroom.compress_text(original, max(40, int(headroom.counter.count(original) * share)), query=QUESTION)
    if not result.manifest.entries:
        return
    (entry,) = result.manifest.entries
    markers = find_markers(result.text, result.manifest)
    assert result.text.count(f"[{entry.handle} ") == (1 if markers else 0), "the piece names its handle once"
    assert len(markers) == len(entry.marks), "every recorded mark is found, nothing else"
    lines = split_lines(original)
    for marker in markers:
        assert marker.handle == entry.handle
        selector = marker.selector
        if not selector:
            continue
        ((unit, value),) = selector.items()
        answer = headroom.retrieve(marker.handle, **selector)
        # a summary mark's selector holds each of its ranges; the tool takes them one at a time
        ranges = marker.spans if isinstance(value[0], tuple) else (value,)
        assert len(ranges) == len(marker.spans) >= 1, marker
        openai = "".join(
            run_retrieval_tool(json.dumps({"handle": marker.handle, unit: list(span)}), headroom) for span in ranges
        )
        anthropic = "".join(
            run_retrieval_tool({"handle": marker.handle, unit: list(span)}, headroom) for span in ranges
        )
        assert answer == openai == anthropic, marker
        own_units = entry.content_type != "html" and not (entry.content_type == "json" and unit == "chars")
        if unit == "lines" and own_units:
            assert answer == "".join("".join(lines[a - 1 : b]) for a, b in ranges)
            assert len(split_lines(answer)) == marker.count == sum(b - a + 1 for a, b in ranges)
        elif unit == "chars" and own_units:
            assert answer == "".join(original[a - 1 : b] for a, b in ranges) and len(answer) == marker.count
