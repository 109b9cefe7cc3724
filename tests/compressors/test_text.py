"""The generic compressor on real captured output, against golden files."""

from __future__ import annotations

from pathlib import Path

import pytest
from goldens import assert_golden

from headroom import Headroom, MemoryStore, Registry, find_markers
from headroom.compressors.text.compressor import GenericCompressor

GOLDEN = Path(__file__).parent.parent / "golden" / "text"
CASES = [("grep_stdlib.txt", 600), ("gpl3.txt", 900), ("gcc_error.txt", 60)]


def generic_only() -> Headroom:
    """A Headroom whose only compressor is the generic one, whatever the router says."""
    registry = Registry(builtins=False)
    registry.register(GenericCompressor)
    return Headroom(store=MemoryStore(), model="gpt-4", registry=registry)


@pytest.mark.parametrize(("name", "budget"), CASES)
def test_golden(name: str, budget: int) -> None:
    original = (GOLDEN / name).read_text()
    hr = generic_only()
    result = hr.compress_text(original, budget)
    assert_golden(GOLDEN / (name + ".out"), result.text)
    assert result.tokens_after <= budget and result.within_budget
    assert hr.retrieve(result.manifest.entries[0].handle) == original


@pytest.mark.parametrize(("name", "budget"), CASES)
def test_markers_account_for_every_omitted_line(name: str, budget: int) -> None:
    original = (GOLDEN / name).read_text()
    hr = generic_only()
    result = hr.compress_text(original, budget)
    (entry,) = result.manifest.entries
    markers = find_markers(result.text, result.manifest.handles)
    assert sum(m.count for m in markers) == sum(entry.omitted.values())
    # putting each omitted part back where its marker stands restores the original exactly
    text = result.text
    for marker in reversed(markers):
        assert marker.span is not None
        part = hr.retrieve(marker.handle, **{marker.unit: marker.span})
        start, end = (marker.start, marker.end + 1) if marker.unit == "lines" else (marker.start - 1, marker.end + 1)
        text = text[:start] + part + text[end:]
    assert text == original


def test_single_long_line_is_cut_by_characters() -> None:
    text = "x" * 20_000
    hr = generic_only()
    result = hr.compress_text(text, 300)
    assert result.tokens_after <= 300
    assert result.manifest.entries[0].omitted.keys() == {"chars"}


def test_default_policy_leaves_moderate_text_alone() -> None:
    hr = generic_only()
    text = "".join((GOLDEN / "grep_stdlib.txt").read_text().splitlines(keepends=True)[:100])
    assert hr.compress_text(text).text == text


def test_the_lines_right_after_a_match_come_with_it() -> None:
    # the generic compressor is every family's fallback: on a man page, the line the question
    # matches is an option and its description follows it (issue 12)
    original = (Path(__file__).parent.parent / "golden" / "prose" / "man_ls.txt").read_text()
    hr = generic_only()
    result = hr.compress_text(original, 300, query="Which values does --sort=WORD accept?")
    assert "--sort=WORD\n\t      sort by WORD instead of name: none (-U), size (-S)" in result.text
    assert result.tokens_after <= 300
