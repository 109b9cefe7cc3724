"""Each compressor of the json, table, prose, html, text, search and log families reaches its target.

Issue 12: given room R for a piece larger than R, the output is between 0.9R
and R, or the result says why it could not (``Compressed.fallbacks``). Checked
on the real captured fixtures of each family, at the benchmark's shares.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom.compressors._reach import reach, whole_rooms
from headroom.compressors.html.compressor import HtmlCompressor
from headroom.compressors.json.compressor import JsonCompressor
from headroom.compressors.log.compressor import LogCompressor
from headroom.compressors.prose.compressor import ProseCompressor
from headroom.compressors.search.compressor import SearchCompressor
from headroom.compressors.table.compressor import TableCompressor
from headroom.compressors.text.compressor import GenericCompressor
from headroom.handles import make_handle
from headroom.plugins import Compressor, PieceContext
from headroom.tokens import TokenCounter

GOLDEN = Path(__file__).parent.parent / "golden"
COUNTER = TokenCounter.for_model("gpt-4")
SHARES = (0.10, 0.15, 0.25)
FIXTURES: list[tuple[type[Compressor], str, str]] = [
    (JsonCompressor, "json/npm_express.json", "which dependency is the largest"),
    (JsonCompressor, "json/pip_inspect.json", "which version of pydantic is installed"),
    (JsonCompressor, "json/iso4217.json", "what is the currency of Japan"),
    (JsonCompressor, "json/git_log.ndjson", "who changed the parser"),
    (TableCompressor, "table/dpkg.tsv", "which package is largest"),
    (TableCompressor, "table/mt19937.csv", "what is the value at seed 42"),
    (ProseCompressor, "prose/man_grep.txt", "what does the -o option do"),
    (ProseCompressor, "prose/apache2.txt", "what does the patent license grant"),
    (ProseCompressor, "prose/changelog_git.txt", "when did git add sparse checkout"),
    (HtmlCompressor, "html/sphinx_shlex.html", "what does shlex.split do with comments"),
    (HtmlCompressor, "html/docbook_base_passwd.html", "which user owns the mail spool"),
    (GenericCompressor, "text/grep_stdlib.txt", "where is getpass called"),
    (GenericCompressor, "text/gpl3.txt", "what does the license say about patents"),
    (GenericCompressor, "prose/man_ls.txt", "what does -S sort by"),
]


@pytest.mark.parametrize(("kind", "name", "query"), FIXTURES, ids=[f[1] for f in FIXTURES])
def test_output_reaches_its_target(kind: type[Compressor], name: str, query: str) -> None:
    text = (GOLDEN / name).read_text()
    total = COUNTER.count(text)
    ctx = PieceContext(make_handle(text), COUNTER, query)
    compressor = kind()
    for share in SHARES:
        room = max(64, int(total * share))
        out = compressor.compress(text, room, ctx)
        assert out is not None, f"{name} at {room}: nothing returned"
        tokens = COUNTER.count(out.text)
        assert tokens <= room, f"{name} at {room}: {tokens} tokens, over"
        if set(out.omitted) <= {"tags"}:  # an HTML page's whole content, rendered as text, fits
            continue
        assert tokens >= 0.9 * room or out.fallbacks, f"{name} at {room}: {tokens} tokens, under 0.9R, no reason given"


LINES: dict[type[Compressor], tuple[str, list[str], list[str | None]]] = {
    SearchCompressor: (
        "search",
        ["grep_C2_check_closed.txt", "grep_get_extra_info.txt", "grep_init.txt", "rg_heading.txt"],
        [None, "where is the transport closed?", "get_extra_info socket", "__init__ self"],
    ),
    LogCompressor: (
        "log",
        ["cargo_test_fail.txt", "pip_wheel_psycopg2.txt", "pytest_mixed.txt", "repeated_tracebacks.txt"],
        [None, "Why did the build fail?", "which test failed", "disk quota"],
    ),
}


@settings(max_examples=60, deadline=None)
@given(st.data(), st.sampled_from(sorted(LINES, key=lambda kind: kind.__name__)), st.floats(0.03, 0.6))
def test_a_line_family_reaches_its_target_exactly_when_it_says_nothing(
    data: st.DataObject, kind: type[Compressor], share: float
) -> None:
    """Search and log: between 0.9 and 1 of the target exactly when no fallback is recorded."""
    folder, names, queries = LINES[kind]
    text = (GOLDEN / folder / data.draw(st.sampled_from(names))).read_text()
    target = max(48, int(COUNTER.count(text) * share))
    out = kind().compress(text, target, PieceContext(make_handle(text), COUNTER, data.draw(st.sampled_from(queries))))
    if out is None:
        return
    used = COUNTER.count(out.text)
    assert used <= target
    assert bool(out.fallbacks) == (used < 0.9 * target), (used, target, out.fallbacks)


def test_a_larger_target_never_keeps_fewer_rows_of_a_real_table() -> None:
    """The search settles on the largest room that fits once it has overshot, not on the first room
    above 0.9 of the target: ``dpkg.tsv`` dropped 380 rows at a target of 530 tokens and 381 at 542
    when a first overshoot cut the room by 3% and stopped there; the core's split then gave a piece a
    larger target and got fewer rows (tests/test_budget.py)."""
    text = (GOLDEN / "table/dpkg.tsv").read_text()
    ctx = PieceContext(make_handle(text), COUNTER, "which package is largest")
    compressor = TableCompressor()
    omitted = []
    for target in range(530, 866, 12):
        out = compressor.compress(text, target, ctx)
        assert out is not None and COUNTER.count(out.text) <= target
        omitted.append(out.omitted["rows"])
    assert omitted == sorted(omitted, reverse=True), omitted


def test_whole_rooms_runs_an_attempt_once_per_whole_room() -> None:
    calls: list[float] = []

    def attempt(room: float) -> tuple[str, int] | None:
        calls.append(room)
        return ("x" * int(room), int(room) + 7)

    once = whole_rooms(attempt)
    assert once(40.2) == once(40.9) == ("x" * 40, 47)
    assert once(41.0) == ("x" * 41, 48)
    assert calls == [40.2, 41.0]
    # the search sees what it saw without the memo
    assert reach(whole_rooms(attempt), 100.0, 60) == reach(attempt, 100.0, 60)
