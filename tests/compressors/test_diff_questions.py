"""What a question's words pick in a diff of one file (issue 12, eighth round).

``git_log_p_getpass.txt`` is ``git log -p -5 -- Lib/getpass.py`` of a throwaway repository holding
one commit per Python version installed on the machine (fixed author and dates), as the
generalisation benchmark builds it. Each test failed on the main of 2026-12-06 (3fead67) at the
targets named.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from headroom import PieceContext, TokenCounter, make_handle
from headroom.compressors.diff.compressor import DiffCompressor
from headroom.relevance import quoted_scores

GOLDEN = Path(__file__).parent.parent / "golden" / "diff"
COUNTER = TokenCounter.for_model("gpt-4")


def _compress(name: str, query: str, command: str, target: int) -> str:
    original = (GOLDEN / name).read_text()
    args = json.dumps({"cmd": command})
    ctx = PieceContext(make_handle(original), COUNTER, query, tool_name="run_shell", tool_args=args)
    out = DiffCompressor().compress(original, target, ctx)
    assert out is not None
    assert COUNTER.count(out.text) <= target
    return out.text


def test_a_stop_word_written_capitalised_mid_sentence_is_matched_as_written() -> None:
    """``Give`` is a stop word (``give me the diff``); written with its capital in the middle of a
    question it is the word as the source writes it, matched case and all. A sentence's first
    word, a one-letter word and a lower-case stop word are not."""
    lines = ["# Give up and use normal IO.", "give it back", "Given that", "What about it"]
    assert set(quoted_scores("when did unix_getpass start using Give?", lines)) == {0}
    assert quoted_scores("Give me the diff", lines) == {}
    assert quoted_scores("what changed? What about it", lines) == {}
    assert quoted_scores("did I give up", lines) == {}


@pytest.mark.parametrize("target", [150, 200, 250, 298, 350, 400])
def test_a_capitalised_stop_word_of_the_question_picks_its_comment_line(target: int) -> None:
    """Asked when ``unix_getpass`` started using ``Give`` (a word of the comment ``# We can't control
    the tty or stdin.  Give up and use normal IO.``), the log kept eight lines naming
    ``unix_getpass`` or ``fallback_getpass`` and not the comment: ``Give`` was dropped as a stop
    word and nothing else of the question told the lines apart."""
    text = _compress(
        "git_log_p_getpass.txt",
        "In the history of Lib/getpass.py, when did unix_getpass start using Give?",
        "git log -p -5 -- Lib/getpass.py",
        target,
    )
    assert "# We can't control the tty or stdin.  Give up and use normal IO.\n" in text, target
