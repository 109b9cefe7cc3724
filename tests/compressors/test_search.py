"""The search-results compressor on real grep, git grep and ripgrep output: every line counted, every file named."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import Headroom, MemoryStore, PieceContext, TokenCounter, find_markers, make_handle
from headroom.compressors.base import split_lines
from headroom.compressors.search._parse import read_results
from headroom.compressors.search.compressor import SearchCompressor, file_of
from headroom.registry import Registry

ROOT = Path(__file__).parent.parent.parent
GOLDEN = ROOT / "tests" / "golden" / "search"
FIXTURES = ROOT / "benchmarks" / "corpus" / "fixtures"
COUNTER = TokenCounter.for_model("gpt-4")
REAL = [
    GOLDEN / "grep_init.txt",
    GOLDEN / "rg_heading.txt",
    GOLDEN / "rg_json_init.jsonl",
    FIXTURES / "search_git_grep_pyenv.txt",
    FIXTURES / "search_grep_context_oserror.txt",
    FIXTURES / "search_rg_json_valueerror.jsonl",
]
CLOSING = re.compile(r"(?P<first>\d+)-(?P<last>\d+) matches: (?P<names>.*)")


def ctx(text: str, query: str | None = None) -> PieceContext:
    return PieceContext(make_handle(text), COUNTER, query)


def check(original: str, out: str, omitted: dict[str, int]) -> None:
    """Line markers count their lines per file; every file is shown, named in a marker, or counted
    with its matches in the closing marker; restoring the line markers gives the original."""
    lines = split_lines(original)
    hits = read_results(lines)
    markers = find_markers(out, {make_handle(original)})
    assert {unit: sum(m.count for m in markers if m.unit == unit) for unit in omitted} == omitted
    gone: set[int] = set()
    named: set[str] = set()
    for marker in (m for m in markers if m.unit == "lines"):
        assert marker.span is not None
        first, last = marker.span
        assert marker.count == last - first + 1
        gone.update(range(first - 1, last))
        stretch = Counter(h.file or "other lines" for h in hits[first - 1 : last])
        entries = (marker.detail or "").split(" ", 1)[1].split(", ")
        more = [e for e in entries if re.fullmatch(r"\+\d+ files", e)]
        listed = {name: int(count) for name, count in (e.rsplit(":", 1) for e in entries if e not in more)}
        assert listed == {name: stretch[name] for name in listed}
        assert len(listed) + sum(int(e[1:].split()[0]) for e in more) == len(stretch)
        named.update(listed)
    visible = {hits[i].file for i in range(len(lines)) if i not in gone}
    files = dict.fromkeys(h.file for h in hits if h.file is not None)
    dropped = [f for f in files if f not in visible and f not in named]
    closing = [m for m in markers if m.unit == "files"]
    body = out
    if dropped:
        (marker,) = closing
        assert marker.count == len(dropped)
        found = CLOSING.fullmatch(marker.detail or "")
        assert found is not None
        matches = Counter(h.file for h in hits if h.file is not None and h.match)
        parts = found["names"].split(", ")
        rest = re.fullmatch(r"\+(\d+) files with (\d+) matches", parts[-1])
        shown = parts[:-1] if rest else parts
        assert [p.rsplit(" ", 1)[0] for p in shown] == dropped[: len(shown)]
        assert all(matches[name] == int(count) for name, count in (p.rsplit(" ", 1) for p in shown))
        if rest:
            assert int(rest[1]) == len(dropped) - len(shown)
            assert int(rest[2]) == sum(matches[f] for f in dropped[len(shown) :])
        body = out[: marker.start] if original.endswith("\n") else out[: marker.start - 1]
    else:
        assert not closing
    for marker in reversed([m for m in markers if m.unit == "lines"]):
        first, last = marker.span or (0, 0)
        body = body[: marker.start] + "".join(lines[first - 1 : last]) + body[marker.end + 1 :]
    assert body == original


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
@pytest.mark.parametrize("share", [0.5, 0.15])
def test_real_results_fit_count_and_restore(path: Path, share: float) -> None:
    original = path.read_text()
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(original, int(COUNTER.count(original) * share), query="json decoder init")
    (entry,) = result.manifest.entries
    assert result.within_budget and entry.content_type == "search"
    if entry.compressor == "search":
        check(original, result.text, dict(entry.omitted))
        marker = find_markers(result.text, result.manifest.handles)[0]
        if marker.span:
            first, last = marker.span
            assert hr.retrieve(marker.handle, lines=(first, last)) == "".join(split_lines(original)[first - 1 : last])


def test_files_are_found_in_every_format() -> None:
    grep = file_of(split_lines((GOLDEN / "grep_init.txt").read_text()))
    assert grep[0] == "email/_header_value_parser.py"
    assert file_of(split_lines((GOLDEN / "rg_heading.txt").read_text()))[:3] == ["email/_policybase.py"] * 2 + [None]
    rg = read_results(split_lines((GOLDEN / "rg_json_init.jsonl").read_text()))
    assert [(h.file, h.match) for h in rg[:3]] == [
        ("http/server.py", False),
        ("http/server.py", True),
        ("http/server.py", False),
    ]
    assert rg[-1].file is None  # the summary record
    context = read_results(split_lines((FIXTURES / "search_grep_context_oserror.txt").read_text()))
    assert [(h.file, h.match) for h in context[:6]] == [("http/client.py", False)] * 2 + [("http/client.py", True)] + [
        ("http/client.py", False)
    ] * 2 + [(None, False)]
    bare = file_of(["src/app.py:    import os\n", "README.md:see `app.py`\n", "Binary file x.bin matches\n"])
    assert bare == ["src/app.py", "README.md", None]


def test_the_answering_match_and_its_context_survive() -> None:
    original = (FIXTURES / "search_grep_context_oserror.txt").read_text()
    out = SearchCompressor().compress(
        original, 900, ctx(original, "What does SocketHandler do when creating the socket fails?")
    )
    assert out is not None and COUNTER.count(out.text) <= 900
    assert "logging/handlers.py-603-                #Creation failed, so set the retry time and return.\n" in out.text


def test_query_matches_are_kept() -> None:
    original = (GOLDEN / "grep_init.txt").read_text()
    out = SearchCompressor().compress(
        original, 400, ctx(original, "Where is RotatingFileHandler's __init__ with maxBytes?")
    )
    assert out is not None
    assert "logging/handlers.py:124:    def __init__(self, filename, mode='a', maxBytes=0, backupCount=0," in out.text


def test_dropped_files_are_named_with_their_matches() -> None:
    original = (FIXTURES / "search_git_grep_pyenv.txt").read_text()
    query = "Where does pyenv-version-name read the version file?"
    out = SearchCompressor().compress(original, 700, ctx(original, query))
    assert out is not None
    check(original, out.text, dict(out.omitted))
    closing = [m for m in find_markers(out.text, {make_handle(original)}) if m.unit == "files"]
    assert closing and "test/shell.bats 20" in (closing[0].detail or "")  # names go before lines of lower rank
    tight = SearchCompressor().compress(original, 120, ctx(original, query))
    assert tight is not None
    check(original, tight.text, dict(tight.omitted))
    assert re.search(r"…\d+ files \d+-\d+ matches: .*\+\d+ files with \d+ matches\]", tight.text)


def test_router() -> None:
    router = Registry().router
    for path in REAL:
        assert router.detect(path.read_text()) == "search", path.name
    stamped = "".join(f"2026-11-24T08:00:0{i}.000Z worker {i} started\n" for i in range(8))
    assert router.detect(stamped) != "search"


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a.py", "src/b.py", "lib/c.rs", "d.txt", "e/f/g.go"]),
            st.integers(1, 500),
            st.sampled_from([":", "-"]),
            st.text("xyz def init ", max_size=30),
        ),
        min_size=3,
        max_size=150,
    ),
    st.integers(30, 800),
)
def test_any_grep_output_is_accounted(matches: list[tuple[str, int, str, str]], target: int) -> None:
    text = "".join(f"{path}{sep}{line}{sep}{body}\n" for path, line, sep, body in matches) + "Binary file x matches\n"
    out = SearchCompressor().compress(text, target, ctx(text, "init"))
    if out is not None:
        assert COUNTER.count(out.text) <= target
        check(text, out.text, dict(out.omitted))
