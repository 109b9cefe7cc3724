"""A test runner's failure section keeps its name, error and place in a tight room (issue 12).

The fixtures are real: ``python -m unittest -v test_textwrap`` and ``python -m pytest -v
test_textwrap.py`` on a copy of the standard library's ``test_textwrap.py`` with one
``assertEqual(`` turned into ``assertNotEqual(`` (the machine's paths replaced by
``/home/user/...``, the run's duration by ``0.01s``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from headroom import PieceContext, TokenCounter, make_handle
from headroom.compressors.base import split_lines
from headroom.compressors.log._parse import read_log
from headroom.compressors.log._rank import order
from headroom.compressors.log._testrun import failure_cores
from headroom.compressors.log.compressor import LogCompressor
from headroom.markers import MARKER_RE, find_markers

ROOT = Path(__file__).parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = ROOT / "tests" / "golden" / "log"
COUNTER = TokenCounter.for_model("gpt-4")
UNITTEST = FIXTURES / "log_unittest_textwrap_fail.txt"
PYTEST = FIXTURES / "log_pytest_textwrap_fail.txt"
UNITTEST_NEEDS = (
    "FAIL: test_dedent_even (test_textwrap.DedentTestCase.test_dedent_even)\n",
    "AssertionError: 'Hello there.\\nHow are ya?\\nOh good.' == 'Hello there.\\nHow are ya?\\nOh good.'\n",
    '  File "/home/user/textwrap/test_textwrap.py", line 793, in test_dedent_even\n',
)
PYTEST_NEEDS = (
    "E       AssertionError: 'Hello there.\\nHow are ya?\\nOh good.' == 'Hello there.\\nHow are ya?\\nOh good.'\n",
    "test_textwrap.py:793: AssertionError\n",
)
QUESTIONS = (
    "Why does test_dedent_even fail when I run test_textwrap?",
    "What values does the failing assertion in test_dedent_even compare?",
)


@pytest.mark.parametrize("path,needs", [(UNITTEST, UNITTEST_NEEDS), (PYTEST, PYTEST_NEEDS)])
@pytest.mark.parametrize("question", QUESTIONS)
@pytest.mark.parametrize("share", [0.10, 0.15])
def test_a_failure_keeps_its_message_and_place_in_a_tight_room(
    path: Path, needs: tuple[str, ...], question: str, share: float
) -> None:
    """At 10% of the output (150-170 tokens) the log kept the progress line ``... FAIL`` and the
    summary, and put the ``AssertionError`` line into a mark counting it as an error."""
    text = path.read_text()
    target = int(COUNTER.count(text) * share)
    out = LogCompressor().compress(text, target, PieceContext(make_handle(text), COUNTER, question))
    assert out is not None and COUNTER.count(out.text) <= target
    for needed in needs:
        assert needed in out.text


def test_the_core_of_each_runners_section() -> None:
    """The error line, the frame in the test, the name and the frame's source line; pytest's error
    line, its location line, the name and its ``>`` line. The frame names the test (``in
    test_x``): in a room of 60 tokens the error and the place beat the name line."""
    for path, core in (
        (UNITTEST, ["AssertionError: 'Hello", '  File "', "FAIL: test_dedent_even", "    self.assertNotEqual("]),
        (
            PYTEST,
            ["E       AssertionError: ", "test_textwrap.py:793:", "___ DedentTestCase.test_dedent_even ___", ">  "],
        ),
    ):
        log = read_log(split_lines(path.read_text()))
        (found,) = failure_cores(log.lines, log.blocks)
        assert [part in log.lines[j] for part, j in zip(core, found, strict=True)] == [True] * 4


def test_a_deeper_failure_keeps_the_tests_frame_not_the_library_s() -> None:
    """unittest's traceback of an error raised in the library under test: the frame kept is the
    test's own (the function the ``FAIL:``/``ERROR:`` line names)."""
    lines = split_lines(
        "======================================================================\n"
        "ERROR: test_parse (test_mod.T.test_parse)\n"
        "----------------------------------------------------------------------\n"
        "Traceback (most recent call last):\n"
        '  File "/src/test_mod.py", line 12, in test_parse\n'
        "    parse('x')\n"
        '  File "/src/mod.py", line 40, in parse\n'
        "    raise ValueError(text)\n"
        "ValueError: x\n"
        "\n"
        "----------------------------------------------------------------------\n"
        "Ran 3 tests in 0.01s\n"
    )
    log = read_log(lines)
    (core,) = failure_cores(log.lines, log.blocks)
    assert [log.lines[j].strip() for j in core] == [
        "ValueError: x",
        'File "/src/test_mod.py", line 12, in test_parse',
        "ERROR: test_parse (test_mod.T.test_parse)",
        "parse('x')",
    ]


def test_every_failure_section_of_a_real_run_has_a_core_led_by_its_name() -> None:
    """Of a run with several failures, each failure section has a core holding its name line."""
    for path in (GOLDEN / "pytest_mixed.txt", GOLDEN / "unittest_fail.txt"):
        log = read_log(split_lines(path.read_text()))
        cores = failure_cores(log.lines, log.blocks)
        assert cores and all(log.lines[min(core)].startswith(("FAIL", "ERROR", "___")) for core in cores)


def test_a_test_with_a_docstring_keeps_its_traceback_in_the_section() -> None:
    """unittest prints a test's docstring under ``FAIL:``; the section ended at the ``----`` rule
    under it, so the traceback was outside and the unit had no error line or place."""
    lines = split_lines(
        "======================================================================\n"
        "FAIL: test_sub (test_m.T.test_sub)\n"
        "Check that sub respects subclassing.\n"
        "----------------------------------------------------------------------\n"
        "Traceback (most recent call last):\n"
        '  File "/src/test_m.py", line 210, in test_sub\n'
        "    self.assertEqual(a, b)\n"
        "AssertionError: ['x'] != ['y']\n"
        "\n"
        "----------------------------------------------------------------------\n"
        "Ran 9 tests in 0.01s\n"
    )
    log = read_log(lines)
    assert log.blocks == [(0, 9)]
    (core,) = failure_cores(log.lines, log.blocks)
    assert [log.lines[j].strip() for j in core[:3]] == [
        "AssertionError: ['x'] != ['y']",
        'File "/src/test_m.py", line 210, in test_sub',
        "FAIL: test_sub (test_m.T.test_sub)",
    ]


HELPER_QUESTION = "Why does test_ship_takes_from_stock fail when I run test_inventory?"


@pytest.mark.parametrize(
    "name,needs,targets",
    [
        # unittest -v: the test calls a helper of its file, whose assertEqual fails
        (
            "log_unittest_inventory_helper.txt",
            ("line 16, in check_levels\n", "    self.assertEqual(ledger.stock.get(sku, 0), qty, sku)\n"),
            range(140, 260, 10),
        ),
        # pytest -v of the same file: the helper's location, its assertion and the ``E`` line
        (
            "log_pytest_inventory_helper.txt",
            (
                "test_inventory.py:16: in check_levels\n",
                "    self.assertEqual(ledger.stock.get(sku, 0), qty, sku)\n",
                "E   AssertionError: 0 != 1 : nut\n",
            ),
            range(60, 260, 10),
        ),
    ],
)
def test_the_section_asked_about_keeps_the_helper_frame_where_it_failed(
    name: str, needs: tuple[str, ...], targets: range
) -> None:
    """Real runs of a small test file whose test calls a helper in the same file (two failures).
    The section the question names keeps, after its core, its other frames (the helper's, holding
    the assertion) before the rules, the ``Traceback`` header, the ``FAILED (...)`` summary and the
    other section: unittest kept the rules and the summary and dropped the helper's frame at 140,
    150, 220 and 230 tokens; pytest lost the helper's location at 80, 150, 170 and more."""
    text = (FIXTURES / name).read_text()
    for target in targets:
        out = LogCompressor().compress(text, target, PieceContext(make_handle(text), COUNTER, HELPER_QUESTION))
        assert out is not None and COUNTER.count(out.text) <= target
        assert [needed in out.text for needed in needs] == [True] * len(needs), target


def test_the_section_asked_about_ranks_its_frames_before_the_runs_summary() -> None:
    """The order: the section's core, then its helper's frame and assertion, before the summary
    ``FAILED (failures=1, errors=1)`` and the other failing test's error."""
    log = read_log(split_lines((FIXTURES / "log_unittest_inventory_helper.txt").read_text()))
    ranked, _ = order(log, HELPER_QUESTION)
    firsts = [log.lines[start] for start, _ in ranked]
    at = {text.strip(): k for k, text in reversed(list(enumerate(firsts)))}
    helper = at['File "/home/user/inventory/test_inventory.py", line 16, in check_levels']
    assert helper < at["FAILED (failures=1, errors=1)"]
    assert helper < at["LookupError: only 0 of gear in stock"]
    assert at["Traceback (most recent call last):"] > helper


@pytest.mark.parametrize(
    "path,needs,targets",
    [(UNITTEST, UNITTEST_NEEDS[1:], range(60, 82, 2)), (PYTEST, PYTEST_NEEDS, range(46, 58, 2))],
)
def test_a_tiny_room_keeps_the_error_and_the_place_under_one_mark(
    path: Path, needs: tuple[str, ...], targets: range
) -> None:
    """Where the piece's first mark, the frame, the error and a mark at each further gap do not fit
    together (the room a test run gets at the benchmark's floor, 60-80 tokens with the handle), one
    mark for the whole piece leaves room for both: the unittest run kept its error without the
    test's frame below 82 tokens, the pytest run its ``E`` line without the location below 56. The
    one mark lists every omitted range, or says only how many lines went when even the ranges do
    not fit (``docs/markers.md``: a piece's only mark, standing for every line not shown)."""
    text = path.read_text()
    lines = split_lines(text)
    for target in targets:
        out = LogCompressor().compress(text, target, PieceContext(make_handle(text), COUNTER, QUESTIONS[0]))
        assert out is not None and COUNTER.count(out.text) <= target
        assert [needed in out.text for needed in needs] == [True] * len(needs), target
        marks = find_markers(out.text, {make_handle(text)})
        shown = [line for line in split_lines(out.text) if MARKER_RE.fullmatch(line.strip()) is None]
        omitted = sum(mark.count for mark in marks)
        assert out.omitted == {"lines": omitted} and omitted + len(shown) == len(lines)
        for mark in marks:  # each mark's ranges hold its lines; a mark without ranges is the only one
            assert sum(last - first + 1 for first, last in mark.spans) == mark.count or marks == [mark]


def test_pytest_keeps_where_in_the_test_file_it_failed_through_a_library() -> None:
    """A real pytest run (``log_pytest_catalog_callback.txt``): the test hands a helper of its file
    to ``json.loads`` as ``object_hook``, and the helper's assertion fails three library frames
    down. The test's own location is bare (``test_catalog.py:14: ``, pytest's form above the
    ``_ _ _`` separator), so the first location read was ``json/__init__.py:359: in loads``: the
    core kept a library frame and the error, not ``test_catalog.py:10: in _checked``, below 98
    tokens. The place kept now is the innermost location in the test's file."""
    text = (FIXTURES / "log_pytest_catalog_callback.txt").read_text()
    log = read_log(split_lines(text))
    (core,) = failure_cores(log.lines, log.blocks)
    assert [log.lines[j].rstrip("\n") for j in core[:2]] == [
        "E   AssertionError: 0 not greater than 0 : nut",
        "test_catalog.py:10: in _checked",
    ]
    assert "test_catalog.py:14: " in [log.lines[j].rstrip("\n") for j in core]  # the test's own frame, later
    question = "Why does test_load_items fail when I run test_catalog?"
    for target in range(30, 100, 5):
        out = LogCompressor().compress(text, target, PieceContext(make_handle(text), COUNTER, question))
        assert out is not None and COUNTER.count(out.text) <= target
        assert "test_catalog.py:10: in _checked\n" in out.text and "E   AssertionError: 0 not" in out.text, target


def test_a_failure_that_fits_with_room_short_takes_one_mark_to_fill_it() -> None:
    """Asked about a test that passed (``test_bad_width``), the unittest run at 88 tokens kept the
    failing test's frame, source line and error between two marks and stopped at 79: the next line
    in rank with its mark did not fit. Under 0.85 of its room the core tries the generic cut in its
    place, which sends it when it holds more of the question's words (the progress line naming the
    test asked about) and keeps neither the error nor the place (the benchmark's ``test`` kind, two
    facts on seed 97 at 15%, one on seed 101 at 20%). One mark listing every range fills the room."""
    text = UNITTEST.read_text()
    question = "The test_textwrap run reports a failure: what went wrong in test_bad_width?"
    out = LogCompressor().compress(text, 88, PieceContext(make_handle(text), COUNTER, question))
    assert out is not None and 0.9 * 88 <= COUNTER.count(out.text) <= 88 and not out.fallbacks
    assert [needed in out.text for needed in UNITTEST_NEEDS[1:]] == [True, True]
    (mark,) = find_markers(out.text, {make_handle(text)})
    assert len(mark.spans) == 2 and sum(last - first + 1 for first, last in mark.spans) == mark.count


def test_a_chained_failure_keeps_its_error_with_the_place_of_the_same_traceback() -> None:
    """A real pytest run whose test fails while handling another exception: pytest prints one
    traceback per exception, joined by ``During handling of the above exception, ...``. The core kept
    the first traceback's ``E`` line and the last one's location, so in a tight room the error stood
    beside a place that raised something else (the place of ``ValueError`` is ``test_settings.py:6``,
    not the assertion's line 23)."""
    text = (FIXTURES / "log_pytest_settings_chained.txt").read_text()
    log = read_log(split_lines(text))
    (core,) = failure_cores(log.lines, log.blocks)
    assert log.lines[core[0]].startswith("E           ValueError: invalid literal for int()")
    assert log.lines[core[1]] == "test_settings.py:6: ValueError\n"
    question = "I ran the test_settings tests and test_port_message failed: which assertion, and on which line?"
    target = 75
    out = LogCompressor().compress(text, target, PieceContext(make_handle(text), COUNTER, question))
    assert out is not None and COUNTER.count(out.text) <= target
    assert "E           ValueError: invalid literal for int() with base 10: 'eighty'\n" in out.text
    assert "test_settings.py:6: ValueError\n" in out.text
