"""Which pressure level a diff of one file takes (issue 12, seventh round).

``git_log_p_io.txt`` is ``git log -p -7 -- Lib/io.py`` of a throwaway repository holding one
commit per Python version installed on the machine (fixed author and dates): five commits, every
subject ``Update Lib/ to python3.X``. Each test failed on the main of 2026-12-06 (d289685) at the
targets named.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from headroom import PieceContext, TokenCounter, find_markers, make_handle
from headroom.compressors.diff.compressor import DiffCompressor

GOLDEN = Path(__file__).parent.parent / "golden" / "diff"
COUNTER = TokenCounter.for_model("gpt-4")


@pytest.mark.parametrize("target", [250, 350, 375, 400])
def test_a_one_file_git_log_gives_commits_without_a_strong_match_to_marks_to_keep_the_asked_for_line(
    target: int,
) -> None:
    """Asked when ``__getattr__`` started using ``stacklevel``, the log kept every commit's ``commit``
    line and subject (about 55 tokens a commit with their marks, five of them) and of the hunk only
    ``-def __getattr__(name):``, its smallest form; the line holding ``stacklevel`` did not fit. In a
    diff of one file, the levels that give whole to marks the commits holding no strong match (3)
    and write marks brief (4) are now tried even when a lower level kept the best hunk, and the one
    keeping most of the matching lines wins: the commit of the answer keeps its line and subject."""
    original = (GOLDEN / "git_log_p_io.txt").read_text()
    query = "In the history of Lib/io.py, when did __getattr__ start using stacklevel?"
    args = json.dumps({"command": "git log -p -7 -- Lib/io.py"})
    ctx = PieceContext(make_handle(original), COUNTER, query, tool_name="bash", tool_args=args)
    out = DiffCompressor().compress(original, target, ctx)
    assert out is not None
    assert COUNTER.count(out.text) <= target
    assert "-                      DeprecationWarning, stacklevel=2)\n" in out.text, target
    markers = find_markers(out.text, {make_handle(original)})
    # the commits go to marks where their subjects do not fit beside the line (at 375 tokens, since
    # the tenth round, every subject and both sides of the change fit: nothing went to marks)
    subjects = out.text.count("    Update Lib/ to python3.")
    assert any(marker.unit == "commits" for marker in markers) or subjects == 5, target
    # the commit holding the change keeps its line and subject
    assert "commit 597bb08599b0507815a15692cff4c63aeabb0400\n" in out.text, target
    assert "    Update Lib/ to python3.12\n" in out.text, target
