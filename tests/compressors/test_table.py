"""The table compressor: header kept, rows chosen by value and kept verbatim, every dropped row counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import MARKER_RE, Headroom, MemoryStore, PieceContext, TokenCounter, find_markers, make_handle
from headroom.compressors._rows import _FAILURE, _failed, _identity, priority
from headroom.compressors.table._parse import parse_table
from headroom.compressors.table.compressor import TableCompressor
from headroom.registry import Registry
from headroom.relevance import terms

GOLDEN = Path(__file__).parent.parent / "golden" / "table"
COUNTER = TokenCounter.for_model("gpt-4")
MARKDOWN = "| name | status | ms |\n|---|:---:|---:|\n" + "".join(
    f"| job-{i} | {'failed' if i == 41 else 'ok'} | {100 + i % 9} |\n" for i in range(120)
)


def ctx(text: str, query: str | None = None) -> PieceContext:
    return PieceContext(make_handle(text), COUNTER, query)


def check(text: str, out_text: str, omitted: int) -> list[str]:
    """Kept lines are original lines in order; markers add up to the omitted rows."""
    table = parse_table(text)
    assert table is not None
    lines = out_text.splitlines(keepends=True)
    assert lines[: len(table.head)] == table.head
    markers = find_markers(out_text, {make_handle(text)})
    assert sum(m.count for m in markers) == omitted
    kept = [line for line in lines[len(table.head) :] if not MARKER_RE.match(line)]
    position = 0
    for line in kept:  # each kept line is a later original line (rows may repeat)
        position = table.lines.index(line, position) + 1
    assert len(kept) + omitted == len(table.lines)
    return kept


@pytest.mark.parametrize("name", ["mt19937.csv", "dpkg.tsv"])
@pytest.mark.parametrize("share", [0.3, 0.1])
def test_real_tables_fit_and_account(name: str, share: float) -> None:
    text = (GOLDEN / name).read_text()
    target = int(COUNTER.count(text) * share)
    out = TableCompressor().compress(text, target, ctx(text))
    assert out is not None and COUNTER.count(out.text) <= target
    check(text, out.text, out.omitted["rows"])


def test_default_leaves_tables_alone() -> None:
    assert TableCompressor().compress(MARKDOWN, None, ctx(MARKDOWN)) is None


def test_markdown_failures_and_query_rows_survive() -> None:
    out = TableCompressor().compress(MARKDOWN, 200, ctx(MARKDOWN, "how long did job-77 take?"))
    assert out is not None
    kept = check(MARKDOWN, out.text, out.omitted["rows"])
    assert "| job-41 | failed | 105 |\n" in kept and "| job-77 | ok | 105 |\n" in kept
    assert "status okx" in out.text


def test_router_and_retrieval_by_rows() -> None:
    text = (GOLDEN / "dpkg.tsv").read_text()
    assert Registry().router.detect(text) == "table"
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(text, 300)
    (entry,) = result.manifest.entries
    assert entry.compressor == "table" and entry.omitted["rows"] > 0
    lines = text.splitlines(keepends=True)
    assert hr.retrieve(entry.handle, rows=(5, 6)) == lines[0] + lines[5] + lines[6]
    assert hr.retrieve(entry.handle) == text


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 999), st.sampled_from(["ok", "error", "slow"]), st.text("abc xyz", max_size=8)),
        min_size=3,
        max_size=80,
    ),
    st.integers(20, 400),
)
def test_any_csv_is_accounted(rows: list[tuple[int, str, str]], target: int) -> None:
    text = "id,state,note\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows)
    out = TableCompressor().compress(text, target, ctx(text))
    if out is not None:
        assert COUNTER.count(out.text) <= target
        if parse_table(text) is None:  # a comma table needs five lines; shorter text gets the generic cut
            assert set(out.omitted) <= {"lines", "chars"}
        else:
            check(text, out.text, out.omitted["rows"])


def test_retrieval_by_query_returns_the_header_and_the_matching_rows() -> None:
    text = (GOLDEN / "dpkg.tsv").read_text()
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    (entry,) = hr.compress_text(text, 300).manifest.entries
    lines = text.splitlines(keepends=True)
    expected = lines[0] + "".join(line for line in lines[1:] if "openssl" in terms(line))
    assert hr.retrieve(entry.handle, query="openssl") == expected and expected.count("\n") >= 2


def test_far_apart_rows_the_question_names_share_one_marker() -> None:
    text = "package,version,size\n" + "".join(f"lib-{i:03d},1.{i}.0,{100 + i}\n" for i in range(60))
    text = text.replace("lib-010,", "openssl,").replace("lib-050,", "libssl3,")
    out = TableCompressor().compress(text, 70, ctx(text, "Which versions of openssl and libssl3 are installed?"))
    assert out is not None and COUNTER.count(out.text) <= 70
    kept = check(text, out.text, out.omitted["rows"])
    assert "openssl,1.10.0,110\n" in kept and "libssl3,1.50.0,150\n" in kept
    marks = find_markers(out.text, {make_handle(text)})
    ranges = [f"{a}-{b}" for mark in marks for a, b in mark.spans]
    assert len(ranges) == 3 and "12-50" in ranges  # the marks name every gap (in place, or one summary by cost)


def test_superlatives_rank_by_the_numeric_column_they_imply() -> None:
    text = (GOLDEN / "dpkg.tsv").read_text()
    lines = text.splitlines()[1:]
    largest = max(lines, key=lambda line: int(line.split("\t")[2])).split("\t")[0]
    smallest = min(lines, key=lambda line: int(line.split("\t")[2])).split("\t")[0]
    compressor = TableCompressor()
    room = int(COUNTER.count(text) * 0.10)
    out = compressor.compress(text, room, PieceContext(make_handle(text), COUNTER, "Which package is largest?"))
    assert out is not None and f"\n{largest}\t" in out.text
    out = compressor.compress(text, room, PieceContext(make_handle(text), COUNTER, "and the smallest one?"))
    assert out is not None and f"\n{smallest}\t" in out.text


def test_rows_missing_trailing_cells_are_still_a_table() -> None:
    """distro-info's debian.csv leaves out the empty trailing cells of old releases (4 to 8 cells
    under an 8-column header): it is a table, and a row the question names is kept."""
    text = (GOLDEN / "debian.csv").read_text()
    table = parse_table(text)
    assert table is not None and len(table.lines) == 22 and table.rows[6]["codename"] == "Woody"
    assert table.rows[0]["eol-lts"] == ""  # a missing trailing cell reads as empty
    out = TableCompressor().compress(text, 110, ctx(text, "What is the codename of 3.0 in debian.csv?"))
    assert out is not None and COUNTER.count(out.text) <= 110
    assert "3.0,Woody,woody,2000-08-15,2002-07-19,2006-06-30\n" in check(text, out.text, out.omitted["rows"])


def test_comment_lines_are_rows_kept_in_place() -> None:
    """numpy's umath validation sets put ``## section ##`` comment lines among the rows: they are
    rows without cells (matched by their words, kept or marked in place), not a reason to give
    the whole table to the generic cut."""
    text = (GOLDEN / "umath-log.csv").read_text()
    table = parse_table(text)
    assert table is not None and table.head == ["dtype,input,output,ulperrortol\n"]
    assert len(table.lines) == 270 and table.rows[0] == {}  # the first row is the comment "## +ve denormals ##"
    room = COUNTER.count(text) // 10
    out = TableCompressor().compress(text, room, ctx(text, "Which inputs are -ve denormals?"))
    assert out is not None and room * 0.9 <= COUNTER.count(out.text) <= room
    kept = check(text, out.text, out.omitted["rows"])
    assert "## -ve denormals ##\n" in kept


def test_a_header_in_the_last_leading_comment_names_the_columns() -> None:
    """tzdata's .tab files open with a comment block whose last line names the columns
    (``#code<TAB>name of country...``); the comments before it are rows, placed before the header."""
    text = (GOLDEN / "iso3166.tab").read_text()
    table = parse_table(text)
    assert table is not None and table.head == ["#code\tname of country, territory, area, or subdivision\n"]
    assert table.at == 29 and table.rows[table.at]["code"] == "AD"
    room = COUNTER.count(text) // 7
    out = TableCompressor().compress(text, room, ctx(text, "In iso3166.tab, which country goes with NZ?"))
    assert out is not None and COUNTER.count(out.text) <= room
    assert "\nNZ\tNew Zealand\n" in out.text and table.head[0] in out.text
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    (entry,) = hr.compress_text(text, room).manifest.entries
    assert entry.compressor == "table" and entry.omitted.get("rows", 0) > 0
    lines = text.splitlines(keepends=True)
    assert hr.retrieve(entry.handle, rows=(30, 31)) == table.head[0] + lines[30] + lines[31]


def test_a_table_with_comments_and_no_question() -> None:
    text = (GOLDEN / "umath-log.csv").read_text()
    out = TableCompressor().compress(text, 300, ctx(text))
    assert out is not None and COUNTER.count(out.text) <= 300
    check(text, out.text, out.omitted["rows"])


def test_a_marker_summary_stays_small_next_to_the_rows_it_stands_for() -> None:
    """A marker over three releases listed their nine values ("codename Buzzx1,Rexx1,Box1; ...",
    50 tokens, more than a row) and priced the asked-for row out of a 100-token room: a run's
    summary is written only when it is at most a tenth of the rows it replaces."""
    text = (GOLDEN / "debian.csv").read_text()
    for room in range(70, 140, 8):
        out = TableCompressor().compress(text, room, ctx(text, "What is the codename of 2.0 in debian.csv?"))
        assert out is not None and COUNTER.count(out.text) <= room
        assert "2.0,Hamm,hamm,1997-06-05,1998-07-24,2000-03-09\n" in check(text, out.text, out.omitted["rows"])
        assert "x1," not in out.text
    lines = text.splitlines(keepends=True)
    for mark in find_markers(out.text, {make_handle(text)}):
        dropped = sum(len(lines[i]) for a, b in mark.spans for i in range(a, b + 1))
        assert 10 * (mark.end - mark.start) <= dropped + 10 * 40  # the bare marker, and a tenth of the rows at most


def test_a_column_name_every_row_has_makes_no_row_relevant() -> None:
    """ "What is the codename of 2.0?" names a column every row has: it singles out no row, so the
    rows the question asks for are the 2.0 release alone, not the shortest rows of the file."""
    text = (GOLDEN / "debian.csv").read_text()
    table = parse_table(text)
    assert table is not None
    ranking = priority(table.rows, "What is the codename of 2.0 in debian.csv?")
    assert ranking.order[: ranking.asked] == [3]


def test_marker_summaries_go_before_the_rows_the_question_names() -> None:
    """Ubuntu's release table at 100-110 tokens: the row for 20.04 fitted, but the summary of the
    31 rows above it (``eol-legacy ''x28,2026-04-28x1,...``) did not, and the fit searched down to
    a room without the row. A choice that overshoots is tried with bare markers first."""
    text = (Path(__file__).parent.parent.parent / "benchmarks/corpus/fixtures/table_ubuntu_releases.csv").read_text()
    question = "When was Ubuntu 20.04 Focal Fossa released, and when does its ESM support end?"
    row = "20.04 LTS,Focal Fossa,focal,2019-10-17,2020-04-23,2025-05-29,2025-05-29,2030-04-23,2032-04-27\n"
    for room in (100, 110):
        out = TableCompressor().compress(text, room, ctx(text, question))
        assert out is not None and COUNTER.count(out.text) <= room
        assert row in check(text, out.text, out.omitted["rows"])


def test_a_comment_header_aligned_with_tabs_names_the_columns() -> None:
    """tzdata's ``zone.tab`` aligns its header comment with extra tabs (``#code<TAB>coordinates<TAB>TZ
    <TAB><TAB><TAB>comments``) over records of 3 and 4 cells: the empty names are alignment, not
    columns, so the file is a table (it went to the generic cut before)."""
    text = (GOLDEN / "zone.tab").read_text()
    table = parse_table(text)
    assert table is not None and table.head == ["#code\tcoordinates\tTZ\t\t\tcomments\n"]
    assert table.rows[table.at] == {"code": "AD", "coordinates": "+4230+00131", "TZ": "Europe/Andorra", "comments": ""}
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    room = COUNTER.count(text) // 7
    (entry,) = hr.compress_text(
        text, room, query="Which TZ has the BR row with coordinates -0351-03225?"
    ).manifest.entries
    assert entry.compressor == "table" and entry.omitted.get("rows", 0) > 0


_CELL = st.lists(
    st.sampled_from(["a", "b", " ", "\n", "-", "_", ".", "error", "timed", "out", "Failed", "x", "timed out"]),
    max_size=6,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(_CELL, min_size=1, max_size=6))
def test_a_row_fails_by_one_search_over_its_cells_as_by_one_per_cell(cells: list[str]) -> None:
    """The row ranking searches the failure words once over a row's string cells joined by
    newlines (one regex call per row, not per cell): the same rows fail as cell by cell."""
    leaves = [(f"c{i}", cell) for i, cell in enumerate(cells)]
    assert _failed(leaves) == any(_FAILURE.search(cell) for cell in cells)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.text(max_size=4), st.integers(-3, 3), st.booleans(), st.none(), st.floats(-2, 2)), max_size=8)
)
def test_equal_values_are_counted_as_their_json_is(values: list[object]) -> None:
    """Rare and first values are counted by the string itself, anything else by its JSON: the
    same classes of equal values as comparing every value's JSON."""
    for a in values:
        for b in values:
            assert (_identity(a) == _identity(b)) == (json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True))
