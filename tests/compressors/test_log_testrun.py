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
from headroom.compressors.log._testrun import failure_cores
from headroom.compressors.log.compressor import LogCompressor

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
