"""The search compressor's arithmetic (issue 14): a form's cost summed from its lines and marks
equals the real count of its rendering, and the greedy choice that stops early keeps what the
full scan of the order keeps."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import PieceContext, TokenCounter, make_handle
from headroom.compressors.search._parse import _NUMBERED_LINE, NUMBERED
from headroom.compressors.search.compressor import (
    _BARE,
    _COPIES,
    _COUNTED,
    _NAMED_FILES,
    SearchCompressor,
    _choose,
    _cost,
    _Plan,
    _render,
    _Seen,
)
from headroom.tokens import RememberingCounter

ROOT = Path(__file__).parent.parent.parent
GOLDEN = ROOT / "tests" / "golden" / "search"
COUNTER = TokenCounter.for_model("gpt-4")


def variants(text: str) -> list[str]:
    """The text as it is, without its last newline, with absolute paths on some lines (a line
    starting with ``/`` shares its chunk with the line before) and with blank lines."""
    lines = text.split("\n")
    return [
        text,
        text.rstrip("\n"),
        "\n".join("/srv/" + line if i % 3 == 0 else line for i, line in enumerate(lines)),
        text.replace("\n", "\n\n", 4).rstrip("\n"),
    ]


TEXTS = [v for path in sorted(GOLDEN.glob("*")) for v in variants(path.read_text())]


def plan_of(text: str, counter: TokenCounter, query: str | None) -> tuple[_Plan, PieceContext]:
    ctx = PieceContext(make_handle(text), counter, query)
    return SearchCompressor()._plan(text, ctx), ctx


@settings(max_examples=60, deadline=None)
@given(
    which=st.integers(0, len(TEXTS) - 1),
    seed=st.integers(0, 2**32 - 1),
    share=st.floats(0.02, 0.98),
    detail=st.sampled_from(
        [_BARE, _COUNTED, _NAMED_FILES, *(d + _COPIES * k for d in (_BARE, _NAMED_FILES) for k in (1, 2))]
    ),
    listed=st.sampled_from([None, 24, 6, 0]),
    remembering=st.booleans(),
)
def test_the_summed_cost_is_the_count_of_the_rendering(
    which: int, seed: int, share: float, detail: int, listed: int | None, remembering: bool
) -> None:
    text = TEXTS[which]
    counter: TokenCounter = RememberingCounter(COUNTER) if remembering else COUNTER
    plan, ctx = plan_of(text, counter, "where is __init__ defined")
    rng = random.Random(seed)
    keep = bytearray(rng.random() < share for _ in plan.lines)
    seen: _Seen = {}  # another closing list's cost first: the stretches it made are reused
    _cost(plan, keep, ctx, 24 if listed is None else None, detail, seen)
    cost, omitted = _cost(plan, keep, ctx, listed, detail, seen)
    assert cost == COUNTER.count(_render(plan, keep, ctx, listed, detail=detail))
    assert omitted["lines"] == keep.count(0)


def reference_choose(plan: _Plan, room: int, marker: int) -> bytearray:
    """``_choose`` without its early stop: every line of the order is tried."""
    n = len(plan.lines)
    keep = bytearray(n)
    skipped: set[int] = set()
    used = marker

    def added(index: int) -> int:
        gaps = 1 - (index == 0 or keep[index - 1]) - (index == n - 1 or keep[index + 1])
        return plan.costs[index] + gaps * marker

    def retry(index: int) -> None:
        nonlocal used
        waiting = [j for j in (index - 1, index + 1) if j in skipped]
        while waiting:
            j = waiting.pop()
            if used + added(j) <= room:
                used += added(j)
                keep[j] = 1
                skipped.discard(j)
                waiting += [k for k in (j - 1, j + 1) if k in skipped]

    after = 0
    for position, index in enumerate(plan.order):
        if keep[index] or position < after:
            continue
        if position < len(plan.tied) and plan.tied[position] > position + 1:  # tied lines, cheapest first
            after = plan.tied[position]
            group = plan.order[position:after]
            while any(not keep[j] for j in group):
                cost, j = min((added(j), j) for j in group if not keep[j])
                if used + cost > room:
                    break
                used += cost
                keep[j] = 1
                retry(j)
            skipped.update(j for j in group if not keep[j])
            continue
        if used + added(index) > room:
            if position < plan.ranked:
                skipped.add(index)
            if room - used < 2:
                break
            continue
        used += added(index)
        keep[index] = 1
        retry(index)
    return keep


@pytest.mark.parametrize("query", [None, "where is __init__ defined", "which files import yaml"])
def test_the_early_stop_keeps_what_the_full_scan_keeps(query: str | None) -> None:
    rng = random.Random(14)
    for text in TEXTS[::4]:
        plan, _ = plan_of(text, COUNTER, query)
        total = sum(plan.costs)
        for _ in range(25):
            room, marker = rng.randint(1, total), rng.randint(1, 40)
            assert _choose(plan, room, marker) == reference_choose(plan, room, marker), (room, marker)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a/b.py", "x", ":", "-", "12", "7", " ", "\t", "2026-11-24", "T08", "\r", "é"]), max_size=12
    ),
    st.booleans(),
)
def test_numbered_lines_read_in_one_regex_as_before(parts: list[str], ending: bool) -> None:
    """Issue 14: a line is read with one regex on the line as it is, where it was stripped of its
    newline, matched and then checked for a leading date; the same lines match, with the same groups."""
    line = "".join(parts) + ("\n" if ending else "")
    text = line.rstrip("\n")
    old = NUMBERED.match(text)
    old = None if old is None or re.match(r"\d{4}-\d\d-\d\d", text) else old
    new = _NUMBERED_LINE.match(line)
    assert (old is None) == (new is None)
    if old is not None and new is not None:
        assert old.group("path", "sep", "line", "text") == new.group("path", "sep", "line", "text")
