"""The patterns rewritten to run in linear time on long lines find what they found before.

Each rewrite (issue 17, "linear time in the input") keeps the former pattern's
results; here the former pattern is the reference, compared on generated short
lines over the characters that matter to it (hypothesis), and the new one is run
once on a 50,000-character line of the filler that made the former one quadratic
(its result checked, not its time: timed assertions are not used in this suite;
``python benchmarks/scaling.py --regex-audit --only NAME`` prints the figures).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from headroom.compressors.code._fallback import _NAME, name_of
from headroom.compressors.code._lang import _HEADER_RE, _PATH, _PATH_RE
from headroom.compressors.code._outline import assigned_opener
from headroom.compressors.log.detect import _LOG_RE
from headroom.compressors.prose._units import _BOUNDARY
from headroom.compressors.search._parse import _BARE
from headroom.compressors.search._rank import PATH_IN_QUERY as _PATH_IN_QUERY
from headroom.compressors.search.detect import _GREP_RE
from headroom.compressors.table._parse import is_markdown_rule
from headroom.hints import _PATH_RE as HINT_PATH_RE

LONG = 50_000

OLD_PATH_IN_QUERY = re.compile(r"[\w.@+-]*(?:/[\w.@+-]+)+|[\w@+-]+\.[A-Za-z][A-Za-z0-9]{0,4}\b")
OLD_BOUNDARY = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(\s+)(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")
OLD_GREP = re.compile(r"^(?!\d{4}-\d\d-\d\d)[^\s:]*[A-Za-z_./][^\s:]*[:-]\d+[:-]")
OLD_BARE = re.compile(r"^(?P<path>[^\s:]*/[^\s:]+|[^\s:/]+\.[A-Za-z0-9_]{1,8}):(?P<text>.*)", re.S)
OLD_NAME = re.compile(r"([A-Za-z_$][\w$]*)\s*(?:<[^<>()]*>)?\s*\(")
OLD_ASSIGNED_OPENER = re.compile(r"(?<![=!<>])=(?![=>]).*[\[{(]\s*$")
OLD_PATH_RE = re.compile(r"(?<![\w.])(" + _PATH + r")(?![\w+])")
OLD_HEADER_RE = re.compile(
    r"^(?:==> (?P<a>.+) <==|(?:={3,}|-{3,}|#{2,}) ?(?P<b>" + _PATH + r") ?(?:={3,}|-{3,}|#{2,})?|"
    r"(?:File|FILE|Path): ?(?P<c>" + _PATH + r"))\s*$"
)
OLD_HINT_PATH_RE = re.compile(r"[\w.@+~/\\-]+\.([A-Za-z0-9]{1,8})\b")
OLD_LOG_RE = re.compile(_LOG_RE.pattern.replace("|^={5}.*={5}$", "|^={5,}.*={5,}$"), re.I)
OLD_MARKDOWN_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def lines(alphabet: str, max_size: int = 40) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, max_size=max_size)


@settings(max_examples=600, deadline=None)
@given(lines("a0Z_.@+-/ x(:!py"))
def test_path_in_query_finds_what_it_found(query: str) -> None:
    assert _PATH_IN_QUERY.findall(query) == OLD_PATH_IN_QUERY.findall(query)


@settings(max_examples=400, deadline=None)
@given(lines(".!?\"')] \nAa0b\u201d\u201c(["))
def test_sentence_boundaries_unchanged(text: str) -> None:
    def spans(pattern: re.Pattern[str], start: int) -> list[tuple[int, int]]:
        return [m.span(1) for m in pattern.finditer(text, start, len(text))]

    # the compressor scans from a block's first non-blank character: after a line end or indentation
    for start in [0, *(i + 1 for i, c in enumerate(text) if c.isspace())]:
        assert spans(_BOUNDARY, start) == spans(OLD_BOUNDARY, start)


@settings(max_examples=600, deadline=None)
@given(lines("a_./0123-: \tZ"))
def test_grep_lines_unchanged(line: str) -> None:
    assert bool(_GREP_RE.search(line)) == bool(OLD_GREP.search(line))


@settings(max_examples=600, deadline=None)
@given(lines("a./_0: \t-", max_size=30))
def test_bare_search_lines_unchanged(line: str) -> None:
    new, old = _BARE.match(line), OLD_BARE.match(line)
    assert (new and new.groupdict()) == (old and old.groupdict())


@settings(max_examples=600, deadline=None)
@given(lines("|-: \t\na", max_size=24))
def test_markdown_rule_unchanged(line: str) -> None:
    assert is_markdown_rule(line) == bool(OLD_MARKDOWN_RULE.match(line))


@settings(max_examples=600, deadline=None)
@given(lines("a1_$ <>()\nfi", max_size=30))
def test_signature_names_unchanged(header: str) -> None:
    def names(pattern: re.Pattern[str]) -> list[tuple[str, int]]:
        return [(m.group(1), m.end()) for m in pattern.finditer(header)]

    assert names(_NAME) == names(OLD_NAME)


@settings(max_examples=600, deadline=None)
@given(lines("a=!<>[{( \n\t", max_size=24))
def test_assigned_openers_unchanged(line: str) -> None:
    assert assigned_opener(line) == bool(OLD_ASSIGNED_OPENER.search(line))


@settings(max_examples=600, deadline=None)
@given(lines("ab./-\\@+~ (_", max_size=24))
def test_code_paths_unchanged(text: str) -> None:
    text = text.replace("(", ".py").replace("_", ".c")  # extensions, often
    assert _PATH_RE.findall(text) == OLD_PATH_RE.findall(text)


@settings(max_examples=600, deadline=None)
@given(st.integers(0, 6), lines("-=#a.py/ ", max_size=16))
def test_file_headers_unchanged(dashes: int, rest: str) -> None:
    line = "-" * dashes + rest
    new, old = _HEADER_RE.match(line), OLD_HEADER_RE.match(line)
    assert (new and new.groupdict()) == (old and old.groupdict())


@settings(max_examples=600, deadline=None)
@given(lines("ab1_.py/-\\@+~ :\u00e9", max_size=24))
def test_hint_paths_unchanged(text: str) -> None:
    assert HINT_PATH_RE.findall(text) == OLD_HINT_PATH_RE.findall(text)


@settings(max_examples=600, deadline=None)
@given(lines("=== a\r\nINFO", max_size=30))
def test_log_lines_unchanged(line: str) -> None:
    assert OLD_LOG_RE.pattern != _LOG_RE.pattern
    assert bool(_LOG_RE.search(line)) == bool(OLD_LOG_RE.search(line))


def test_markdown_rules_as_written() -> None:
    for rule in ("|---|---|", "| :--- | ---: |", "---|---", "|:---:|", "  |----|  ", "--- | ---"):
        assert is_markdown_rule(rule), rule
    for other in ("| a | b |", "|--|---|", "||---|", "|", "", "- - -", "|---||"):
        assert not is_markdown_rule(other), other


def test_long_lines_of_the_slow_fillers() -> None:
    """The fillers that made the former patterns quadratic, at 50,000 characters (seconds to minutes before)."""
    for filler in "0a.-_":
        assert _PATH_IN_QUERY.findall(filler * LONG + "!") == []
    assert _PATH_IN_QUERY.findall("a" * LONG + ".py") == ["a" * LONG + ".py"]
    assert [m.span(1) for m in _BOUNDARY.finditer("." * LONG + "!")] == []
    assert [m.span(1) for m in _BOUNDARY.finditer("Ends" + "." * LONG + " Next")] == [(LONG + 4, LONG + 5)]
    for filler in "_/a.":
        assert _GREP_RE.search(filler * LONG + "!") is None
    assert _GREP_RE.search("a" * LONG + ":12:hit") is not None
    assert _BARE.match("/" * LONG + "!") is None
    for filler in ("_", "a", "1a"):
        assert name_of(filler * LONG + "!") is None
    assert name_of("if (x) " + "a" * LONG + " (") == "a" * LONG
    assert not assigned_opener("a=" * LONG + "!")
    assert assigned_opener("x " + "a=" * LONG + " {")
    for filler in "/-\\":
        assert _PATH_RE.findall(filler * LONG + "!") == []
    assert _PATH_RE.findall("/" * LONG + "a.py") == ["/" * LONG + "a.py"]
    assert _HEADER_RE.match("-" * LONG + "!") is None
    assert (_HEADER_RE.match("-" * LONG + " a.py") or {"b": None})["b"] == "a.py"
    for filler in "._0a":
        assert HINT_PATH_RE.findall(filler * LONG + "!") == []
    assert HINT_PATH_RE.findall("a" * LONG + ".json") == ["json"]
    assert _LOG_RE.search("=" * LONG + "!") is None  # 104 s at 5,000 before
    assert _LOG_RE.search("=" * LONG) is not None
    assert not is_markdown_rule(" " * LONG + "!")
    assert is_markdown_rule("|" + " " * LONG + "---|")
