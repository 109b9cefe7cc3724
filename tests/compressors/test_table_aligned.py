"""Blank-aligned tables (``ps aux``, ``df -h``, ``pip list``) are tables; log lines are not.

The fixtures are real output of this project's build machine: ``ps aux`` with
its very long command lines (one holds a JSON argument, which routed the whole
listing to the mixed compressor and cut its rows into character marks), ``df
-h`` and ``pip list``; the logs under ``not_tables`` (``dpkg.log``, the
alternatives log, apt's history) must never be read as tables.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import MARKER_RE, Headroom, MemoryStore, PieceContext, TokenCounter, find_markers, make_handle
from headroom.compressors.table._parse import parse_table
from headroom.compressors.table.compressor import TableCompressor
from headroom.registry import Registry

GOLDEN = Path(__file__).parent.parent / "golden" / "table"
COUNTER = TokenCounter.for_model("gpt-4")
ALIGNED = ["ps_aux.txt", "df_h.txt", "pip_list.txt"]
LOGS = sorted(p.name for p in (GOLDEN / "not_tables").iterdir())


@pytest.mark.parametrize("name", ALIGNED)
def test_aligned_command_output_is_a_table(name: str) -> None:
    text = (GOLDEN / name).read_text()
    table = parse_table(text)
    assert table is not None
    assert "".join(table.head) + "".join(table.lines) == text
    assert Registry().router.detect(text) == "table"


def test_columns_are_read_by_their_offsets() -> None:
    ps = parse_table((GOLDEN / "ps_aux.txt").read_text())
    assert ps is not None and list(ps.rows[0])[-1] == "COMMAND"
    assert [row["PID"] for row in ps.rows[:3]] == ["1", "2", "3"]
    assert all(row["COMMAND"] and row["USER"] for row in ps.rows)
    assert any(row["COMMAND"].startswith("/usr/lib/postgresql/15/bin/postgres -D ") for row in ps.rows)
    df = parse_table((GOLDEN / "df_h.txt").read_text())
    assert df is not None and list(df.rows[0]) == ["Filesystem", "Size", "Used", "Avail", "Use%", "Mounted on"]
    pip = parse_table((GOLDEN / "pip_list.txt").read_text())
    assert pip is not None and len(pip.head) == 2  # the header and its rule of dashes
    assert list(pip.rows[0]) == ["Package", "Version", "Editable project location"]
    assert any(row["Editable project location"] for row in pip.rows)


@pytest.mark.parametrize("name", LOGS)
def test_log_files_are_not_tables(name: str) -> None:
    text = (GOLDEN / "not_tables" / name).read_text()
    assert parse_table(text) is None
    assert Registry().router.detect(text) != "table"


@pytest.mark.parametrize(
    "text",
    [
        "INFO  server started on port 8000\nINFO  worker 1 ready now\n"
        "WARN  slow disk on sda\nINFO  worker 2 ready now\n",
        "Traceback (most recent call last)\n  File x, line 3, in f\n    raise ValueError\nValueError: bad\n",
        "name value\nalpha 1\nbeta 2\ngamma 3\n",  # two columns, no rule: too little to tell from prose
    ],
)
def test_lines_that_only_look_aligned_are_not_tables(text: str) -> None:
    assert parse_table(text) is None


@pytest.mark.parametrize("share", [0.3, 0.1])
def test_ps_rows_are_kept_whole_never_cut_into_characters(share: float) -> None:
    text = (GOLDEN / "ps_aux.txt").read_text()
    target = int(COUNTER.count(text) * share)
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(text, target, query="which process runs postgres?")
    (entry,) = result.manifest.entries
    assert entry.compressor == "table" and result.within_budget
    piece = TableCompressor().compress(
        text, target, PieceContext(make_handle(text), COUNTER, "which process runs postgres?")
    )
    assert piece is not None and "chars" not in piece.omitted
    originals = set(text.splitlines(keepends=True))
    lines = piece.text.splitlines(keepends=True)
    assert all(line in originals or MARKER_RE.match(line) for line in lines)
    assert any("postgres -D" in line for line in lines)
    assert sum(m.count for m in find_markers(piece.text, {make_handle(text)})) == piece.omitted["rows"]
    assert hr.retrieve(entry.handle) == text


_CELL = st.text("abcxyz0123456789.-/", min_size=1, max_size=9)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(3, 6).flatmap(
        lambda width: st.tuples(
            st.lists(
                st.sampled_from(["NAME", "SIZE", "STATE", "OWNER", "AGE", "PORT", "%CPU"]),
                min_size=width,
                max_size=width,
                unique=True,
            ),
            st.lists(st.lists(_CELL, min_size=width, max_size=width), min_size=3, max_size=30),
            st.lists(st.booleans(), min_size=width, max_size=width),
        )
    )
)
def test_any_padded_listing_reads_back_its_cells(table: tuple[list[str], list[list[str]], list[bool]]) -> None:
    """Columns padded as ``ps`` pads them (left- or right-aligned, the first always left) read
    back cell for cell, the text kept byte for byte."""
    names, rows, right = table
    widths = [max(len(name), *(len(row[i]) for row in rows)) for i, name in enumerate(names)]

    def line(cells: list[str]) -> str:
        padded = [c.rjust(w) if r and i else c.ljust(w) for i, (c, w, r) in enumerate(zip(cells, widths, right))]
        return " ".join(padded).rstrip() + "\n"

    text = line(names) + "".join(line(row) for row in rows)
    parsed = parse_table(text)
    assert parsed is not None
    assert "".join(parsed.head + parsed.lines) == text
    assert [list(row.values()) for row in parsed.rows] == rows
