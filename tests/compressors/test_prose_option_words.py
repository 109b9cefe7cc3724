"""A question names a man page's option by its option-shaped token, whatever words stand around it
(issue 12, twelfth round). Pages rendered here with ``MANWIDTH=80 man -P cat``."""

from __future__ import annotations

from pathlib import Path

import pytest

from headroom.relevance import defines, matches, without_call_names

from .test_prose_rooms import kept, man_context

GOLDEN = Path(__file__).parent.parent / "golden" / "prose"
ED_V = "       -v, --verbose\n              be verbose; equivalent to the 'H' command\n"
ICONV_HELP = "       -?, --help\n              Print a usage summary and exit.\n"


@pytest.mark.parametrize(
    "question",
    [
        "what does `ed -v` do",  # a quoted command line: its span matched no line, and -v was no option
        'is "ed -v" the verbose one?',
        "ed -v - what does it do",  # only the command beside the option: the command ranked every line
        "ed -v?",
        "What does the -v option of ed do?",  # the template's wording, kept as it was
    ],
)
def test_an_option_names_its_entry_whatever_the_words_around_it(question: str) -> None:
    # every word of "what does `ed -v` do" but the option is a stop word or the page's name, so the
    # question was kept whole, ``ed`` ranked every line of ed's page and the quoted ``ed -v`` matched
    # none: at 25% of the page (120 tokens) nothing of the ``-v`` entry was kept
    original = (GOLDEN / "man_ed.txt").read_text()
    ctx = man_context(original, question, "1 ed")
    for target in (60, 90, 120):
        assert ED_V in kept(original, ctx, target), (question, target)


def test_the_command_beside_an_option_is_left_out_of_the_question_and_the_option_stays() -> None:
    call = '{"cmd": "man 1 ed"}'
    assert without_call_names("ed -v - what does it do", call) == "-v - what does it do"
    assert without_call_names("what does `ed -v` do", call) == "what does `-v` do"
    assert without_call_names("what does ed do", call) == "what does ed do"  # nothing left: kept whole
    head = ED_V.lstrip()
    assert defines("what does `ed -v` do", head) and defines('"ed -v"?', head)
    assert not defines("what does `ed -V` do", head) and not defines("what does `ed -vx` do", head)
    # an option quoted alone or in a command line is matched as written, case and all
    assert "(?<![\\w-])\\-v(?![\\w-])" in matches("what does `-v` do", "  -v, --verbose")
    assert not matches("what does `-v` do", "  -V, --version")


def test_a_help_option_written_with_a_question_mark_is_an_option() -> None:
    # glibc's tools list ``-?, --help``: ``-?`` was no option to the question nor an entry's head to the
    # page, so the entry was lost at every room below the whole page
    original = (GOLDEN / "man_iconvconfig.txt").read_text()
    assert defines("What does the -? option of iconvconfig do?", ICONV_HELP.lstrip())
    assert defines("Is it -??", ICONV_HELP.lstrip())
    for question in ("What does the -? option of iconvconfig do?", "iconvconfig -? - what does it do"):
        ctx = man_context(original, question, "8 iconvconfig")
        for target in (60, 90, 120):
            assert ICONV_HELP in kept(original, ctx, target), (question, target)


def test_an_option_turned_on_with_a_plus_is_an_option() -> None:
    head = "+ls     This option indicates that the shell that is started should not be a login shell"
    assert defines("what does +ls do in xterm", head)
    assert not defines("what does -ls do in xterm", head) and not defines("C++ and ls", head)
