"""One range grammar (``write_ranges`` / ``parse_ranges``), and the retrieval tool taking a mark's ranges as written.

A summary mark lists every range it stands for (``[…18 lines 1-6,8-19]``); the
tool once took one ``[first, last]`` a call, so redeeming such a mark took a call
per range. It now takes the range text as the mark writes it, or a list of ranges,
and answers with the parts joined in order, exactly as ``Headroom.retrieve`` does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import Headroom, MemoryStore, make_handle
from headroom.compressors._rows import ranges
from headroom.compressors.base import split_lines
from headroom.compressors.code._excerpt import _gaps
from headroom.errors import InvalidInput
from headroom.markers import choose_marks, find_markers, parse_marker, parse_ranges, render_marker, write_ranges
from headroom.tools import retrieval_tool_result, run_retrieval_tool

GOLDEN = Path(__file__).parent / "golden"
ORIGINAL = (Path(__file__).parent / "fixtures" / "log_apt_history.txt").read_text(encoding="utf-8")
LINES = split_lines(ORIGINAL)

stretch = st.tuples(st.integers(1, 10**6), st.integers(0, 10**6)).map(lambda p: (p[0], p[0] + p[1]))


@given(st.lists(stretch, min_size=1, max_size=20))
def test_any_ranges_written_parse_back_the_same(stretches: list[tuple[int, int]]) -> None:
    """Order, overlap and one-unit stretches included: the reader gives back what the writer was given."""
    text = write_ranges(stretches)
    assert parse_ranges(text) == tuple(stretches)
    assert write_ranges(parse_ranges(text)) == text


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("41-160", ((41, 160),)),
        ("1-6,8-19", ((1, 6), (8, 19))),
        ("7", ((7, 7),)),  # a lone number a model may write for one line
        (" 1 - 6 , 8\u201319 ", ((1, 6), (8, 19))),  # spaces and an en dash
        ("20-30,1-5", ((20, 30), (1, 5))),  # kept in the order written, as retrieve joins them
    ],
)
def test_forms_the_reader_takes(text: str, spans: tuple[tuple[int, int], ...]) -> None:
    assert parse_ranges(text) == spans


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "'' is not a range"),
        ("1-6,", "'' is not a range"),
        ("a-b", "'a-b' is not a range"),
        ("1-2-3", "'1-2-3' is not a range"),
        ("\u0661-\u0662", "is not a range"),  # Arabic-Indic digits: int() would read them, a mark never has them
        ("9-5", "9-5 runs backwards"),
        ("0-4", "0-4 runs from 0"),
        ("9" * 5000, "is not a range"),  # int() refuses over 4,300 digits: a ValueError, never an answer
        (41, "lines takes a range text"),
    ],
)
def test_a_bad_range_text_says_what_is_wrong_and_what_to_write(text: object, says: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_ranges(text, "lines")  # type: ignore[arg-type]
    assert says in str(raised.value)
    assert "e.g. '41-160'" in str(raised.value)


@pytest.mark.parametrize("detail", ["\u0661-\u0662,\u0663-\u0664", "9" * 5000 + "-" + "9" * 5000, "4-5,\u0661-\u0662"])
def test_a_look_alike_marks_odd_ranges_read_as_none_never_raise(detail: str) -> None:
    """A mark-shaped text in a tool's output may hold anything: its ranges are read or not, never an error."""
    marker = parse_marker(f"[\u20261 lines {detail}]", "hr1:482913057162345")
    assert marker.span is None and marker.spans in ((), ((4, 5),))


# --- the three writers that once spelled ranges their own way --------------------------------------


@given(st.sets(st.integers(0, 60)), st.integers(0, 30))
def test_code_gaps_write_the_grammar(kept: set[int], extra: int) -> None:
    total = max(kept, default=-1) + 1 + extra
    omitted, text = _gaps(kept, total)
    gaps = [line + 1 for line in range(total) if line not in kept]  # 1-based lines left out
    assert omitted == len(gaps)
    spans = parse_ranges(text) if text else ()
    assert [line for first, last in spans for line in range(first, last + 1)] == gaps
    # maximal stretches: no two touch
    assert all(b[0] > a[1] + 1 for a, b in zip(spans, spans[1:]))


@given(st.lists(st.tuples(st.integers(0, 500), st.integers(1, 50)), max_size=10))
def test_row_ranges_write_the_grammar(runs: list[tuple[int, int]]) -> None:
    half_open = [(start, start + size) for start, size in runs]  # 0-based, end exclusive
    assert ranges(half_open) == write_ranges((start + 1, end) for start, end in half_open)


@given(st.lists(stretch, min_size=1, max_size=8))
def test_choose_marks_writes_the_grammar(stretches: list[tuple[int, int]]) -> None:
    each, summary = choose_marks(stretches, "lines", len)
    marks = [summary] if summary is not None else each
    read = [
        parse_marker(render_marker("hr1:482913057162345", 1, "lines", mark[2:-1].split(" ", 2)[2])) for mark in marks
    ]
    assert tuple(span for marker in read for span in marker.spans) == tuple(stretches)


# --- the tool: the mark's ranges as written, one call ----------------------------------------------


def _stored(original: str) -> tuple[Headroom, str]:
    headroom = Headroom(store=MemoryStore(), model="gpt-4")
    handle = make_handle(original)
    headroom.store.put(handle, original, meta={"content_type": "text"})
    return headroom, handle


def _within(size: int) -> st.SearchStrategy[list[tuple[int, int]]]:
    return st.lists(
        st.tuples(st.integers(1, size), st.integers(1, size)).map(lambda p: (min(p), max(p))), min_size=1, max_size=6
    )


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["lines", "chars"]), st.data())
def test_the_tool_answers_any_written_ranges_as_the_client_does(unit: str, data: st.DataObject) -> None:
    headroom, handle = _stored(ORIGINAL)
    stretches = data.draw(_within(len(LINES) if unit == "lines" else len(ORIGINAL)))
    text = write_ranges(stretches)
    assert parse_ranges(text) == tuple(stretches)
    if unit == "lines":
        expected = "".join("".join(LINES[a - 1 : b]) for a, b in stretches)
    else:
        expected = "".join(ORIGINAL[a - 1 : b] for a, b in stretches)
    assert headroom.retrieve(handle, **{unit: tuple(stretches)}) == expected
    assert headroom.retrieve(handle, **{unit: text}) == expected  # the client reads the text too
    as_list = [list(span) for span in stretches]
    for form in (text, as_list, text.split(","), json.dumps({"handle": handle, unit: text})):
        arguments = form if isinstance(form, str) and form.startswith("{") else {"handle": handle, unit: form}
        answer = retrieval_tool_result(arguments, headroom)
        assert not answer.is_error, answer.text
        assert answer.text == expected


def test_a_summary_mark_is_redeemed_in_one_call_with_its_text_as_written() -> None:
    headroom, handle = _stored(ORIGINAL)
    stretches = [(1, 6), (8, 19), (25, 25), (40, 52)]
    _, summary = choose_marks(stretches, "lines", lambda text: len(text.split()))
    assert summary is not None and "1-6,8-19,25-25,40-52" in summary
    marker = parse_marker(render_marker(handle, 32, "lines", summary[2:-1].split(" ", 2)[2]))
    written = (marker.detail or "").split(" ")[0]  # what the model copies: the mark's ranges as written
    expected = headroom.retrieve(marker.handle, **marker.selector)
    assert expected == "".join("".join(LINES[a - 1 : b]) for a, b in stretches)
    assert run_retrieval_tool({"handle": marker.handle, "lines": written}, headroom) == expected


@pytest.mark.parametrize(
    ("fixture", "share"),
    [("log/pytest_mixed.txt", 0.15), ("search/grep_C2_check_closed.txt", 0.25), ("table/dpkg.tsv", 0.1)],
)
def test_every_real_mark_redeems_its_range_text_through_the_tool(fixture: str, share: float) -> None:
    headroom = Headroom(model="gpt-4")
    original = (GOLDEN / fixture).read_text(encoding="utf-8")
    result = headroom.compress_text(original, int(headroom.counter.count(original) * share))
    markers = [m for m in find_markers(result.text, result.manifest) if m.selector]
    assert markers
    for marker in markers:
        ((unit, _),) = marker.selector.items()
        written = (marker.detail or "").split(" ")[0]
        answer = retrieval_tool_result({"handle": marker.handle, unit: written}, headroom)
        assert not answer.is_error, answer.text
        assert answer.text == headroom.retrieve(marker.handle, **marker.selector)


def test_the_client_names_a_bad_range_text() -> None:
    headroom, handle = _stored(ORIGINAL)
    with pytest.raises(InvalidInput, match="'x' is not a range"):
        headroom.retrieve(handle, lines="1-6,x")
