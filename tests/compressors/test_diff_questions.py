"""What a question's words pick in a diff of one file, and the room a small one fills (issue 12).

``git_log_p_getpass.txt`` is ``git log -p -5 -- Lib/getpass.py`` of a throwaway repository holding
one commit per Python version installed on the machine (fixed author and dates), as the
generalisation benchmark builds it; ``site_3.10_3.11.diff`` and ``mimetypes_3.11_3.12_u.diff`` are
``diff -u`` of the standard library's copies of two Python versions on the machine. Each test failed
on the main of 2026-12-06 (3fead67) at the targets named.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from goldens import diff_under_question

from headroom import Headroom, MemoryStore, TokenCounter
from headroom.compressors.diff._forms import counterparts
from headroom.relevance import quoted_scores

GOLDEN = Path(__file__).parent.parent / "golden" / "diff"
COUNTER = TokenCounter.for_model("gpt-4")


def test_a_word_written_capitalised_mid_sentence_is_matched_as_written() -> None:
    """``Give`` is a stop word (``give me the diff``) and ``Lib`` a word many lines write ``lib``;
    written with its capital in the middle of a question each is the word as the source writes it,
    matched case and all. A sentence's first word, a one-letter word, a lower-case stop word and
    the head of a path are not."""
    lines = ["# Give up and use normal IO.", "give it back", "Given that", "What about it", 'x = "Lib"', "lib"]
    assert set(quoted_scores("when did unix_getpass start using Give?", lines)) == {0}
    assert set(quoted_scores("how does the module deal with Lib?", lines)) == {4}
    assert quoted_scores("Give me the diff", lines) == {}
    assert quoted_scores("what changed? What about it", lines) == {}
    assert quoted_scores("did I give up", lines) == {}
    assert quoted_scores("in the history of Lib/getpass.py, what changed", lines) == {}
    # a run of capitalised words is a title or a name, not a word as the source writes it
    assert quoted_scores("what does the The Closure API page say about give", lines) == {}
    # a capitalised term that no line writes otherwise tells no line apart: its term counts it
    assert quoted_scores("when did Selecting happen", ["Selecting x", "Selecting y", "z"]) == {}


@pytest.mark.parametrize("target", [150, 200, 250, 298, 350, 400])
def test_a_capitalised_stop_word_of_the_question_picks_its_comment_line(target: int) -> None:
    """Asked when ``unix_getpass`` started using ``Give`` (a word of the comment ``# We can't control
    the tty or stdin.  Give up and use normal IO.``), the log kept eight lines naming
    ``unix_getpass`` or ``fallback_getpass`` and not the comment: ``Give`` was dropped as a stop
    word and nothing else of the question told the lines apart."""
    text = diff_under_question(
        "git_log_p_getpass.txt",
        "In the history of Lib/getpass.py, when did unix_getpass start using Give?",
        "git log -p -5 -- Lib/getpass.py",
        target,
    )
    assert "# We can't control the tty or stdin.  Give up and use normal IO.\n" in text, target


@pytest.mark.parametrize("target", [56, 60, 64, 80])
def test_a_capitalised_word_of_the_question_picks_the_line_that_writes_it_so(target: int) -> None:
    """Asked how the module deals with ``Lib``, the diff of ``site.py`` kept the ``"lib"`` lines of
    ``sys.platlibdir`` (four changed lines say ``lib``) and at 56 tokens nothing but a mark; the
    line writing ``"Lib"`` as the question does is the answer."""
    text = diff_under_question(
        "site_3.10_3.11.diff",
        "Did python3.11 change how the module deals with Lib?",
        "diff -u python3.10/site.py python3.11/site.py",
        target,
    )
    assert '+            sitepackages.append(os.path.join(prefix, "Lib", "site-packages"))\n' in text, target


def _conversation(question: str, command: str, output: str) -> list[dict[str, Any]]:
    """The shape of a benchmark conversation: a question, one shell call, its output."""
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "run_shell", "arguments": json.dumps({"cmd": command})},
    }
    return [
        {
            "role": "system",
            "content": "You are a coding agent. Answer the user's question from the tool output; cite exact lines.",
        },
        {"role": "user", "content": question},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": output},
    ]


@pytest.mark.parametrize("target", [56, 64])
def test_plain_forms_are_not_taken_when_they_keep_the_same_lines_in_less_room(target: int) -> None:
    """Asked about ``javascript`` in a 64-token room, the diff kept the two changed lines that say
    it without their ``@@`` line (47 tokens) where with it they cost 57: the @@ line it saved bought
    nothing, and under 0.85 of the room the core sent the generic cut instead, which kept the file's
    ``---`` line and the removed side, not ``'.js' : 'text/javascript'``."""
    text = diff_under_question(
        "mimetypes_3.11_3.12_u.diff",
        "What changed in the module of mimetypes.py between python3.11 (system) and python3.12, "
        "especially around javascript?",
        "diff -u python3.11-system/mimetypes.py python3.12/mimetypes.py",
        target,
    )
    assert "+        '.js'     : 'text/javascript',\n" in text
    assert COUNTER.count(text) >= 0.85 * target, COUNTER.count(text)


def test_the_asked_for_line_reaches_the_model_at_the_budgets_floor() -> None:
    """The same question through ``compress`` at the benchmark's 15% budget (156 tokens, a 64-token
    room): the diff's form, not the generic cut, is sent, and it holds the new line."""
    output = (GOLDEN / "mimetypes_3.11_3.12_u.diff").read_text()
    messages = _conversation(
        "What changed in the module of mimetypes.py between python3.11 (system) and python3.12, "
        "especially around javascript?",
        "diff -u python3.11-system/mimetypes.py python3.12/mimetypes.py",
        output,
    )
    result = Headroom(store=MemoryStore(), model="gpt-4").compress(messages, 156)
    assert result.within_budget
    assert "'.js'     : 'text/javascript'," in result.messages[3]["content"]


def test_a_block_of_unequal_sides_pairs_the_lines_that_share_words() -> None:
    """In ``uuid.py``'s hunk one removed ``proc = subprocess.Popen((executable,) + args,`` stands
    before six added lines, the sixth ``proc = subprocess.Popen(command,``: the n-th rule paired it
    with the first added line, a comment."""
    lines = (GOLDEN / "uuid_3.9_3.10.diff").read_text().splitlines(keepends=True)
    first = 5  # the hunk's first body line
    kinds = [line[:1] for line in lines[first : first + 12]]
    pairs = counterparts(kinds, lines, first)
    assert [(lines[first + r].strip(), lines[first + a].strip()) for r, a in pairs] == [
        ("-        proc = subprocess.Popen((executable,) + args,", "+        proc = subprocess.Popen(command,")
    ]


@pytest.mark.parametrize("target", [50, 56, 60, 64])
def test_the_removed_side_of_a_rewritten_call_is_kept_beside_its_new_side(target: int) -> None:
    """Asked how ``_get_command_stdout`` deals with ``subprocess.Popen``, the diff kept the added
    ``proc = subprocess.Popen(command,`` alone (47 tokens of 56): its counterpart by place was the
    comment above it, so the removed ``Popen`` line, the one asked about, was no pair of it."""
    text = diff_under_question(
        "uuid_3.9_3.10.diff",
        "Did python3.10 change how _get_command_stdout deals with subprocess.Popen?",
        "git diff --no-index python3.9/uuid.py python3.10/uuid.py",
        target,
    )
    assert "-        proc = subprocess.Popen((executable,) + args,\n" in text, target
    assert "+        proc = subprocess.Popen(command,\n" in text, target
