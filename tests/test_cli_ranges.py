"""``headroom retrieve --lines`` reads a mark's ranges as written, through ``parse_ranges``.

The CLI once parsed ``--lines A-B`` with a reader of its own that took one range,
so a summary mark's ``1-6,8-19`` pasted as written was refused, while the client
and the retrieval tool took it. Now all three read the grammar's one reader, and
several ranges give each part joined in order, as ``Headroom.retrieve`` does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import run

from headroom import Headroom
from headroom.manifest import Manifest
from headroom.markers import find_markers, write_ranges
from headroom.stores.sqlite import SQLiteStore

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[tuple[int, int]]]:
    """A real grep output compressed by the CLI as a user runs it: its store, handle and marks' ranges."""
    where = tmp_path_factory.mktemp("cli")
    (where / "grep.txt").write_text((GOLDEN / "search" / "grep_C2_check_closed.txt").read_text(encoding="utf-8"))
    done = run("compress", "grep.txt", "--budget", "400", "--json", "-q", "--db", "s.db", cwd=where)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    markers = [m for m in find_markers(report["text"], Manifest.model_validate(report["manifest"])) if m.span]
    assert len(markers) >= 2 and all(m.unit == "lines" for m in markers)
    return where, markers[0].handle, [m.span for m in markers if m.span is not None]


def test_several_ranges_as_a_summary_mark_writes_them_give_each_part_in_order(
    captured: tuple[Path, str, list[tuple[int, int]]],
) -> None:
    where, handle, spans = captured
    written = write_ranges(spans)  # what one summary mark for these gaps would show
    assert "," in written
    done = run("retrieve", handle, "--lines", written, "--db", "s.db", cwd=where)
    assert done.returncode == 0, done.stderr
    with SQLiteStore(str(where / "s.db")) as store:
        client = Headroom(store=store)
        assert done.stdout == client.retrieve(handle, lines=tuple(spans)) == client.retrieve(handle, lines=written)
        parts = [client.retrieve(handle, lines=span) for span in spans]
        lines = client.retrieve(handle).splitlines(keepends=True)
    assert done.stdout == "".join(parts) == "".join("".join(lines[a - 1 : b]) for a, b in spans)
    backwards = run("retrieve", handle, "--lines", write_ranges(spans[::-1]), "--db", "s.db", cwd=where)
    assert backwards.stdout == "".join(parts[::-1])  # kept in the order written


def test_one_range_and_a_lone_number_still_work(captured: tuple[Path, str, list[tuple[int, int]]]) -> None:
    where, handle, spans = captured
    first, last = spans[0]
    with SQLiteStore(str(where / "s.db")) as store:
        expected = Headroom(store=store).retrieve(handle, lines=(first, last))
        one = Headroom(store=store).retrieve(handle, lines=(last, last))
    assert run("retrieve", handle, "--lines", f"{first}-{last}", "--db", "s.db", cwd=where).stdout == expected
    assert run("retrieve", handle, "--lines", str(last), "--db", "s.db", cwd=where).stdout == one


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("1-6,x", "--lines='1-6,x': 'x' is not a range"),
        ("9-5", "9-5 runs backwards"),
        ("0-4", "0-4 runs from 0"),
        ("1-6,", "'' is not a range"),
        ("9" * 5000, "is not a range"),  # int() refuses over 4,300 digits: a message, never a traceback
    ],
)
def test_a_bad_range_exits_2_with_parse_ranges_message(
    captured: tuple[Path, str, list[tuple[int, int]]], value: str, says: str
) -> None:
    where, handle, _ = captured
    done = run("retrieve", handle, "--lines", value, "--db", "s.db", cwd=where)
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("headroom: ") and says in line and "e.g. '41-160'" in line


def test_chars_take_several_ranges_too(captured: tuple[Path, str, list[tuple[int, int]]]) -> None:
    where, handle, _ = captured
    done = run("retrieve", handle, "--chars", "1-10,21-30", "--db", "s.db", cwd=where)
    with SQLiteStore(str(where / "s.db")) as store:
        original = Headroom(store=store).retrieve(handle)
    assert done.returncode == 0 and done.stdout == original[:10] + original[20:30]
