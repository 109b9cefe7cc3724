"""A headless choice fills the room its rungs leave (issue 12: reach the target; the generic cut
took the place of a diff form that held the answer).

``types_3.7_3.8_u.diff`` and ``ssl_3.11_3.12_u.diff`` are ``diff -u`` of the standard library's
copies of two Python versions on the machine, as the generalisation benchmark builds its diffs. Each
test failed on the main of 2026-12-07 (e77f8c8) at the targets named: the forms a hunk grows by
(its best line, then its best lines with their counterparts, ...) left 10 to 20 tokens of a small
room unused, and under 0.85 of its room the core sends the generic cut, which lost the line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from goldens import diff_under_question

from headroom import TokenCounter

GOLDEN = Path(__file__).parent.parent / "golden" / "diff"
COUNTER = TokenCounter.for_model("gpt-4")


@pytest.mark.parametrize("target", [55, 56, 57])
def test_the_lines_beside_the_kept_ones_fill_a_small_room(target: int) -> None:
    """Asked about ``type`` in ``types.py``, the diff kept the new ``CellType = type(...)`` line and
    the other changed line naming ``type`` in 43 tokens: the next rung (the lines around them under
    their ``@@`` lines) did not fit, and under 0.85 of the room the core's generic cut, which kept a
    context line and lost the ``CellType`` line, was sent instead. The lines beside the kept ones
    fill the room without a new mark."""
    text = diff_under_question(
        "types_3.7_3.8_u.diff",
        "In the diff of types.py, what happened to type in f?",
        "diff -u python3.7/types.py python3.8/types.py",
        target,
    )
    assert "+CellType = type(_cell_factory())\n" in text
    assert COUNTER.count(text) >= 0.9 * target, text


@pytest.mark.parametrize("target", [100, 101, 102])
def test_a_matching_line_the_rungs_left_out_fills_the_room(target: int) -> None:
    """Asked about ``returns`` in ``match_hostname``, the diff kept 83 tokens of a 100-token room
    (the removed function's first lines and the line asked about); the matching lines left out are
    added one at a time while the rendering fits, so the form the core compares is not under 0.9."""
    text = diff_under_question(
        "ssl_3.11_3.12_u.diff",
        "What changed in match_hostname of ssl.py between python3.11 (system) and python3.12, "
        "especially around returns?",
        "diff -u python3.11-system/ssl.py python3.12/ssl.py",
        target,
    )
    assert "-    returns nothing.\n" in text
    assert COUNTER.count(text) >= 0.9 * target, text
