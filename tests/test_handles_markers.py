"""Handles are content-addressed and versioned; markers have one short grammar (version 2)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import HANDLE_RE, MARKER_RE, Headroom, InvalidHandle, InvalidInput, MemoryStore, find_markers, make_handle
from headroom.handles import parse_handle
from headroom.markers import (
    MARK_RE,
    MARKER_V1_RE,
    choose_marks,
    mark_piece,
    parse_marker,
    piece_marks,
    render_mark,
    render_marker,
)
from headroom.tokens import TokenCounter

COUNTER = TokenCounter.for_model("gpt-4")


def test_same_content_same_handle_and_version_tag() -> None:
    assert make_handle("abc") == make_handle("abc")
    assert make_handle("abc") != make_handle("abd")
    assert make_handle("abc").startswith("hr1:")
    assert HANDLE_RE.fullmatch(make_handle("é\x00\r\n"))


def test_parse_handle_rejects_others_and_other_versions() -> None:
    assert parse_handle(" " + make_handle("x") + "\n") == make_handle("x")
    with pytest.raises(InvalidHandle, match="not a headroom handle"):
        parse_handle("sha256:abc")
    with pytest.raises(InvalidHandle, match="version 2"):
        parse_handle("hr2:" + "1" * 15)


def test_marker_round_trips_through_its_regex_and_is_short() -> None:
    handle = make_handle("original")
    text = render_marker(handle, 120, "lines", "41-160")
    match = MARKER_RE.fullmatch(text)
    assert match and match["handle"] == handle and match["count"] == "120"
    assert match["unit"] == "lines" and match["detail"] == "41-160"
    # the handle mark at most 18 tokens, every later mark at most 8 with its range (3-digit lines)
    assert max(COUNTER.count(render_marker(make_handle(str(i)), 120, "lines", "41-160")) for i in range(200)) <= 18
    for count, unit, detail in [
        (120, "lines", "41-160"),
        (9, "lines", "1-9"),
        (40, "rows", "3-42"),
        (3, "files", "4-6"),
    ]:
        mark = render_mark(count, unit, detail)
        assert MARK_RE.fullmatch(mark) and MARKER_RE.fullmatch(mark)
        assert COUNTER.count(mark) <= 8, mark


def test_the_core_names_the_handle_once_per_piece() -> None:
    original = "\n".join(f"line {i}" for i in range(1, 401)) + "\n"
    result = Headroom(store=MemoryStore()).compress_text(original, 60)
    (entry,) = result.manifest.entries
    assert result.text.count(entry.handle) == 1
    markers = find_markers(result.text, result.manifest)
    assert markers and not markers[0].short and all(m.short for m in markers[1:])
    assert len(entry.marks) == len(markers)


def test_version_1_markers_keep_resolving() -> None:
    headroom = Headroom(store=MemoryStore())
    original = "\n".join(f"row {i}" for i in range(1, 300)) + "\n"
    handle = headroom.compress_text(original, 40).manifest.entries[0].handle
    old = f"kept\n[{handle} omitted 120 lines 41-160]\n"
    assert MARKER_V1_RE.search(old)
    (marker,) = find_markers(old, {handle})
    assert marker.version == 1 and marker.span == (41, 160)
    assert headroom.retrieve(handle, **marker.selector) == "".join(f"row {i}\n" for i in range(41, 161))
    assert parse_marker(old.splitlines()[1]).handle == handle


def test_parse_marker_reads_every_form_and_asks_for_the_handle_of_a_short_one() -> None:
    handle = make_handle("x")
    assert parse_marker(render_marker(handle, 3, "lines", "4-6")).selector == {"lines": (4, 6)}
    assert parse_marker(" " + render_mark(3, "rows", "4-6") + "\n", handle).handle == handle
    with pytest.raises(InvalidInput, match="short mark"):
        parse_marker(render_mark(3, "rows", "4-6"))
    with pytest.raises(InvalidInput, match="not a headroom mark"):
        parse_marker("[... 3 lines]")


def test_marker_detail_cannot_break_the_grammar() -> None:
    text = render_marker(make_handle("x"), 2, "rows", "ids ] 4\n5")
    assert MARKER_RE.fullmatch(text)


def test_look_alike_markers_in_input_are_not_ours() -> None:
    ours = make_handle("real")
    fake = "[hr1:123456789012345 omitted 3 lines 1-3]"
    text = f"{fake}\n{render_mark(2, 'lines', '7-8')}\n{render_marker(ours, 5, 'lines', '2-6')}"
    found = find_markers(text, {ours, make_handle("other")})
    assert [m.handle for m in found] == [ours]  # the short mark after a foreign handle is not ours either
    assert len(MARKER_RE.findall(text)) == 3


def test_a_short_look_alike_the_original_held_is_never_a_mark() -> None:
    lookalike = render_mark(3, "lines", "1-3")
    original = "".join(f"{lookalike} printed by a tool, line {i}\n" for i in range(200))
    result = Headroom(store=MemoryStore()).compress_text(original, 120)
    (entry,) = result.manifest.entries
    assert lookalike not in entry.marks
    found = find_markers(result.text, result.manifest)
    assert all(result.text[m.start : m.end] != lookalike for m in found)
    assert mark_piece(lookalike + "\n", original, entry.handle) == lookalike + "\n"
    assert piece_marks(lookalike, original, entry.handle) == ()


def test_choose_marks_takes_the_cheaper_by_real_tokens() -> None:
    each, summary = choose_marks([(i, i) for i in range(3, 40, 2)], "lines", COUNTER.count)
    assert each == [] and summary is not None
    (marker,) = find_markers(summary, {"hr1:000000000000001"})
    assert marker.spans == tuple((i, i) for i in range(3, 40, 2)) and marker.count == 19
    each, summary = choose_marks([(3, 90), (200, 400)], "lines", COUNTER.count)
    assert summary is None and len(each) == 2


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="abc xyz[]…0123456789-", max_size=30), min_size=5, max_size=80),
    st.integers(min_value=8, max_value=200),
)
def test_every_mark_of_a_generated_piece_retrieves_its_range(lines: list[str], budget: int) -> None:
    original = "".join(f"{i} {line}\n" for i, line in enumerate(lines))
    headroom = Headroom(store=MemoryStore())
    result = headroom.compress_text(original, budget)
    for entry in result.manifest.entries:
        assert result.text.count(f"[{entry.handle} ") <= 1
    for marker in find_markers(result.text, result.manifest):
        for span in marker.spans if marker.unit in ("lines", "chars") else ():
            part = headroom.retrieve(marker.handle, **{marker.unit: span})
            assert part and part in original


@pytest.mark.parametrize(
    ("detail", "span"),
    [("41-160", (41, 160)), ("3-9 error:2 info:5", (3, 9)), ("installed 7-23", None), ("12-x", None), (None, None)],
)
def test_marker_span_is_the_range_its_detail_starts_with(detail: str | None, span: tuple[int, int] | None) -> None:
    handle = make_handle("original")
    (marker,) = find_markers(render_marker(handle, 1, "lines", detail), {handle})
    assert marker.span == span
