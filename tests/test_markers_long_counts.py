"""A mark-shaped string with an absurd count is a look-alike, never a crash.

``MARKER_RE`` reads a count of any length, and ``int()`` raises ValueError on a
run of over 4,300 digits, so a user's text holding ``[…99…9 lines 1-2]`` once
crashed ``find_markers`` and ``parse_marker``. The count is bounded the way
``Marker.span`` bounds a range: over 20 digits, it is not a mark.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import Headroom, result_markers
from headroom.errors import InvalidInput
from headroom.markers import ELLIPSIS, find_markers, parse_marker

HANDLE = "hr1:482913057162345"
OTHER = "hr1:111111111111111"

digits = st.one_of(
    st.integers(1, 20).map(lambda n: "7" * n),  # a count headroom may write
    st.integers(21, 6000).flatmap(lambda n: st.sampled_from(["9" * n, "1" + "0" * (n - 1)])),  # absurd
)
opening = st.sampled_from([f"[{HANDLE} {ELLIPSIS}", f"[{HANDLE} omitted ", f"[{OTHER} {ELLIPSIS}", f"[{ELLIPSIS}"])
detail = st.sampled_from(["", " 1-2", " 3-9,14-20 error:2", " " + "8" * 5000 + "-" + "9" * 5000])
mark = st.builds(lambda o, d, u, t: f"{o}{d} {u}{t}]", opening, digits, st.sampled_from(["lines", "rows"]), detail)
filler = st.text(st.sampled_from("ab 12-\n"), max_size=20)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(filler, mark), min_size=1, max_size=6), filler)
def test_find_markers_never_raises_and_takes_no_absurd_count(parts: list[tuple[str, str]], tail: str) -> None:
    text = "".join(a + b for a, b in parts) + tail
    for handles in ({HANDLE}, {HANDLE, OTHER}):
        for piece in (None, HANDLE):
            found = find_markers(text, handles, piece=piece)
            assert all(0 <= m.count < 10**20 for m in found)
            for m in found:  # what a found mark offers never raises either
                assert m.span is None or m.span[0] < 10**20
                assert all(last < 10**20 for _, last in m.spans)
                assert isinstance(m.selector, dict)
    # a mark headroom could have written is still found: its count is read
    plain = f"[{HANDLE} {ELLIPSIS}12 lines 1-12]"
    assert [m.count for m in find_markers(text + plain, {HANDLE})][-1:] == [12]


@settings(max_examples=60, deadline=None)
@given(opening, digits, detail)
def test_parse_marker_reads_a_mark_or_says_it_is_not_one(start: str, count: str, tail: str) -> None:
    text = f"{start}{count} lines{tail}]"
    if len(count) > 20:
        with pytest.raises(InvalidInput, match="is not a headroom mark"):
            parse_marker(text, HANDLE)
    else:
        marker = parse_marker(text, HANDLE)
        assert marker.count == int(count) and marker.unit == "lines"


@pytest.mark.parametrize("count", ["9" * 4301, "9" * 21])
def test_an_absurd_count_is_a_look_alike(count: str) -> None:
    text = f"[{HANDLE} {ELLIPSIS}{count} lines 1-2]\n[{ELLIPSIS}3 lines 4-6]"
    assert find_markers(text, {HANDLE}) == []  # the short mark after it is the look-alike's too
    with pytest.raises(InvalidInput, match="is not a headroom mark"):
        parse_marker(f"[{ELLIPSIS}{count} lines 1-2]", HANDLE)


def test_compress_on_a_text_holding_such_look_alikes_does_not_raise() -> None:
    lookalikes = [
        f"[{ELLIPSIS}{'9' * 5000} lines 1-2]",
        f"[{HANDLE} {ELLIPSIS}{'9' * 5000} lines 1-{'9' * 5000}]",
        f"[{HANDLE} omitted {'1' * 4400} rows 3-9,14-20]",
    ]
    body = "".join(f"2024-05-01 12:00:{i % 60:02d} INFO request {i} ok\n" for i in range(1500))
    text = lookalikes[0] + "\n" + body + "\n".join(lookalikes) + "\nERROR payment failed: card declined\n"
    headroom = Headroom(model="gpt-4")
    result = headroom.compress_text(text, 8000)
    assert result.tokens_after <= 8000 < result.tokens_before
    assert all(mark in result.text for mark in lookalikes)  # kept as the content they are
    assert headroom.retrieve(result.manifest.entries[0].handle) == text
    for found in find_markers(result.text, result.manifest):
        assert found.count < 10**20
    assert all(marker.count < 10**20 for _, marker in result_markers(result))
    messages = [{"role": "user", "content": "why did the payment fail?"}, {"role": "user", "content": text}]
    assert headroom.compress(messages, 400).messages[0] == messages[0]
