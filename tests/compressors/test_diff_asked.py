"""What the question asks decides what a small room keeps (issue 12, eleventh round): the word it
singles out counts even where its terms select nothing (a word on more than half the lines of a
small diff, a stop word asked about), and the hunk ranked first holds a line the question matches.

``heapq_3.10_3.11_u.diff`` is ``diff -u`` of the standard library's ``heapq.py`` of two Python
versions on the machine; ``git_log_p_lzma.txt`` and ``git_log_p_runpy.txt`` are ``git log -p`` of
``Lib/lzma.py`` and ``Lib/runpy.py`` in a repository with one commit per Python version. Each test
with a fixture failed on the main of 2026-12-07 (9c07600) at the targets named.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from goldens import diff_under_question

from headroom.compressors.diff._parse import parse_diff
from headroom.compressors.diff._profile import _singled
from headroom.plugins import split_lines


@pytest.mark.parametrize("target", [60, 80, 120])
def test_a_word_on_most_lines_of_a_small_diff_still_selects(target: int) -> None:
    """``item`` is on 6 of the diff's 11 lines; ``sparse_scores`` leaves a term on more than half
    the lines out (it selects nothing in a log), so no line scored and the diff kept no line at any
    target. Written again as a quoted span, it selects the changed lines that hold it."""
    out = diff_under_question(
        "heapq_3.10_3.11_u.diff",
        "In the diff of heapq.py, what happened to item in the module?",
        "diff -u python3.10/heapq.py python3.11/heapq.py",
        target,
    )
    assert "+                               # the smallest item; the heap size is unchanged\n" in out


@pytest.mark.parametrize("target", [300, 400, 600])
def test_a_stop_word_the_question_asks_about_selects(target: int) -> None:
    """ "Which commit changed both ...": ``both`` is a stop word, and the lines matching the
    question's other words (``module``) were kept; the word right after an asking word, standing
    before a preposition, is what the question asks about."""
    out = diff_under_question(
        "git_log_p_lzma.txt",
        "Which commit changed both in the module of Lib/lzma.py, and how?",
        "git log -p -6 -- Lib/lzma.py",
        target,
    )
    assert "These classes and functions support both the XZ and legacy LZMA" in out


@pytest.mark.parametrize("target", [120, 150, 210, 250])
def test_the_hunk_ranked_first_holds_a_line_the_question_matches(target: int) -> None:
    """The hunks are ranked by BM25 over their text with the whole question, path words included;
    the lines by the question less the words naming what the call read. A hunk of import lines
    whose context holds ``"run_path"`` ranked first though no line of it is asked about, and the
    last resorts (the commit of the hunk ranked first alone) kept it, with the commit of the removed
    comment that says ``warning`` given to a mark. A hunk holding a changed line the question matches
    now ranks before every hunk that holds none."""
    out = diff_under_question(
        "git_log_p_runpy.txt",
        "Which commit changed warning in run_path of Lib/runpy.py, and how?",
        "git log -p -5 -- Lib/runpy.py",
        target,
    )
    assert "-    # Trying to avoid importing imp so as to not consume the deprecation warning.\n" in out


DIFF = parse_diff(
    split_lines(
        "--- a/m.py\n+++ b/m.py\n@@ -1,3 +1,3 @@\n def main(parse):\n"
        "-    x = parse(after)\n+    x = parse(here, after)\n     return parse.the_parser\n"
    )
)


@pytest.mark.parametrize(
    ("asked", "quoted"),
    [
        ("especially around after?", "`after`"),
        ("what happened to here in main?", "`here`"),
        ("what happened to the parser?", None),  # an article before its noun
        ("what changed in the module?", None),  # a preposition starting a phrase
        ("what happened to parse in main?", "`parse`"),  # on more than half the lines
        ("what happened to after in main?", "`after`"),
        # twelfth round: the language's words, not one template's (``phrasings.py``'s rewordings)
        ("how was after changed in main?", "`after`"),  # the passive: after an auxiliary, before the verb
        ("how was the parser changed?", None),
        ("what did 3.12 do to after handling in main", "`after`"),  # before a noun of what is done with it
        ("the main change around after - show it", "`after`"),  # a dash ends the clause
        ("main diff, focus on after", "`after`"),
        ("what's different in main near here", "`here`"),
        ("what commit modified main regarding here", "`here`"),
        ("find the commit that touched after inside main", "`after`"),
        ("what did 3.12 do to the parser?", None),
    ],
)
def test_which_words_are_singled_out(asked: str, quoted: str | None) -> None:
    out = _singled(asked, DIFF)
    assert out == (asked if quoted is None else f"{asked} {quoted}")


@pytest.mark.parametrize("share", [0.10, 0.15])
def test_the_verbs_particle_is_no_word_asked_about(share: float) -> None:
    """The project's ``diff-tomli-version`` case (real ``diff -ruN tomli-2.0.1 tomli-2.1.0``,
    ``benchmarks/budget_use.py``): "What version string did tomli change to in its __init__?" wrote
    ``to`` again as a quoted span (a stop word after an asking word, before a preposition), every
    changed line saying "to" scored, and ``+__version__ = "2.1.0"`` was lost at 10% and 15%."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from run import MODEL, load_cases, text_of

    from headroom import Headroom, MemoryStore, TokenCounter

    counter = TokenCounter.for_model(MODEL)
    case = next(c for c in load_cases("diff", counter, share) if c.id == "diff-tomli-version")
    result = Headroom(store=MemoryStore(), model=MODEL).compress(case.messages, case.budget)
    assert all(fact in text_of(result.messages) for fact in case.facts)


@pytest.mark.parametrize("target", [200, 250, 400])
def test_the_path_the_call_read_is_not_a_word_asked_about(target: int) -> None:
    """Twelfth round: ``git_log_p_token.txt`` is ``git log -p -4 -- Lib/token.py``, and two removed
    lines of it write ``Lib/token.py`` (the module names its own path). The question's words that
    name what the call read are left out of the line ranking unless a changed line writes them; so
    ``Lib/token.py,`` came back and those two lines outranked every ``ERRORTOKEN`` line (main of
    2026-12-07, d2ea675, at every target named). The path the call read, or its tail, is where the
    question looks, not what it asks about."""
    out = diff_under_question(
        "git_log_p_token.txt",
        "In the history of Lib/token.py, when did the module start using ERRORTOKEN?",
        "git log -p -4 -- Lib/token.py",
        target,
    )
    assert "\n+ERRORTOKEN = 59\n" in out


@pytest.mark.parametrize("target", [300, 700, 1100])
def test_a_dash_ends_the_clause_of_the_word_asked_about(target: int) -> None:
    """Twelfth round: "... around through - show it" asks about ``through``, a stop word; the rule
    that quotes a stop word after an asking word wanted it at the sentence's end or before a
    preposition, and the dash was neither, so nothing selected the ``through the loop`` line of
    ``git_log_p_timeit.txt`` (``git log -p -6 -- Lib/timeit.py``; main of 2026-12-07, d2ea675, lost it
    at every target named)."""
    out = diff_under_question(
        "git_log_p_timeit.txt",
        "the timeit change in Lib/timeit.py around through - show it",
        "git log -p -6 -- Lib/timeit.py",
        target,
    )
    assert "+        argument is the number of times through the loop, defaulting\n" in out
