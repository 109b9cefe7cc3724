"""Handles are content-addressed and versioned; markers have one short grammar."""

from __future__ import annotations

import pytest

from headroom import HANDLE_RE, MARKER_RE, InvalidHandle, find_markers, make_handle
from headroom.handles import parse_handle
from headroom.markers import render_marker
from headroom.tokens import TokenCounter


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
    counter = TokenCounter.for_model("gpt-4")
    assert max(counter.count(render_marker(make_handle(str(i)), 120, "lines", "41-160")) for i in range(200)) <= 18


def test_marker_detail_cannot_break_the_grammar() -> None:
    text = render_marker(make_handle("x"), 2, "rows", "ids ] 4\n5")
    assert MARKER_RE.fullmatch(text)


def test_look_alike_markers_in_input_are_not_ours() -> None:
    ours = make_handle("real")
    fake = "[hr1:123456789012345 omitted 3 lines 1-3]"
    text = f"{fake}\n{render_marker(ours, 5, 'lines', '2-6')}"
    found = find_markers(text, {ours})
    assert [m.handle for m in found] == [ours]
    assert len(MARKER_RE.findall(text)) == 2


@pytest.mark.parametrize(
    ("detail", "span"),
    [("41-160", (41, 160)), ("3-9 error:2 info:5", (3, 9)), ("installed 7-23", None), ("12-x", None), (None, None)],
)
def test_marker_span_is_the_range_its_detail_starts_with(detail: str | None, span: tuple[int, int] | None) -> None:
    handle = make_handle("original")
    (marker,) = find_markers(render_marker(handle, 1, "lines", detail), {handle})
    assert marker.span == span
