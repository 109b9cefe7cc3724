"""A diff's tightest form: the lines the question matches, best first, under one summary mark.

At the budget's floor (60-110 tokens of room) a headless choice spends most of its room on marks: the
handle's mark, then one mark of about 10 tokens for each stretch left out between two kept lines
and one after the last, so a 64-token room held two or three changed lines. One summary mark that
lists every omitted range (grammar version 2, ``[…57 lines 1-43,45-53,57-60]``, as the code
excerpt writes it) costs about 4 tokens a range, and the room it frees holds a line or two more:
most often the other side of a one-line change (``-time, priority, action, argument, kwargs =
q[0]`` beside the new side kept alone) or the next line holding the question's word.

Offered for a diff of one file (a ``diff -u``, a ``git diff`` of one path, a ``git log -p`` of one
path), where the headers say nothing the command did not and the lines keep their ``+``/``-`` signs,
in rooms up to ``FLOOR_ROOM``; taken by the compressor when it keeps a changed line the question
matches better than any the levels' choice keeps, or as good and more of them. In a ``git log -p``
each kept line brings its commit's ``commit`` line and subject (twelfth round): the answer to "which
commit" is that line, and at the floor the levels kept commit lines and marks and no line asked
about. Retrieval by the mark's ranges gives back exactly the lines it stands for. The text no longer
applies as a patch (as at the headless levels, recorded).
"""

from __future__ import annotations

from headroom.compressors._reach import FLOOR
from headroom.compressors.diff._forms import counterparts
from headroom.compressors.diff._profile import Profile
from headroom.markers import write_ranges
from headroom.plugins import PieceContext

__all__ = ["FLOOR_ROOM", "SUMMARY", "summary"]

# the rooms the tightest form is offered in: the budget's floor, where marks are most of the output.
# In larger rooms its one mark lists twenty ranges and its lines stand without their hunks: offered
# up to 192 tokens it kept as many facts more on the tuning sets and lost two more (a diff of
# ``weakref.py`` at 145 tokens: the same number of ``args`` lines, not the one asked about)
FLOOR_ROOM = 128

SUMMARY = "diff: one summary mark for every omitted stretch, the kept lines without their @@ lines"
_TRIES = 32  # renderings tried while adding lines (real counts)
_MARK_MIN = 12  # the fewest tokens the one mark costs with the handle the core writes into it


def summary(profile: Profile, target: int, ctx: PieceContext) -> tuple[str, int, int] | None:
    """The text, the number of lines left out, and how many changed lines the question matches it
    keeps: lines added best first (changed lines before context, the new side of a change first on a
    tie), each followed by its counterpart on the other side of the change when the question matches
    that at least half as well (``_listdir(dirname, dironly)`` over ``list(_iterdir(...))``), each kept when the
    rendering still fits ``target``; then, under 0.9 of the target, the lines beside the kept ones
    (as ``_select._fill`` fills a headless choice). None when no line fits."""
    diff, scores, costs = profile.diff, profile.scores, profile.costs
    lines = diff.lines
    inside = [False] * len(lines)
    for hunk in diff.hunks:
        inside[hunk.start + 1 : hunk.end] = [True] * (hunk.end - hunk.start - 1)
    wanted = [n for n, score in enumerate(scores) if score > 0 and inside[n]]
    wanted.sort(key=lambda n: (lines[n][:1] not in ("+", "-"), -scores[n], lines[n][:1] != "+", n), reverse=True)
    other = _counterparts(profile)
    heads = _heads(profile)
    kept: list[int] = []
    best: tuple[str, int] | None = None
    spent = _MARK_MIN
    tries = 0
    while wanted and tries < _TRIES:
        number = wanted.pop()
        # in a ``git log -p`` a changed line comes with its commit's ``commit`` line and subject: the
        # answer to "which commit" is that line, and a line without its commit says only what changed
        head = [n for n in heads.get(number, ()) if n not in kept]
        cost = costs[number] + sum(costs[n] for n in head)
        if number in kept or spent + cost > target:
            continue
        trial = sorted([*kept, number, *head])
        text = _write(lines, trial, ctx)
        tries += 1
        if ctx.counter.count(text) > target:
            continue
        kept = trial
        spent += cost
        best = (text, len(lines) - len(kept))
        pair = other.get(number)
        if pair is not None and pair not in kept and scores[pair] >= scores[number] / 2:
            # the other side of the change next, where it matches as well (one answer), after the lines
            # tied with this one: equal scores mean the question cannot tell them apart (one ``with
            # io.open_code(...)`` line at two indents, the one asked about left out for a pair)
            at = len(wanted)
            while at and scores[wanted[at - 1]] == scores[number] and lines[wanted[at - 1]][:1] in ("+", "-"):
                at -= 1
            wanted.insert(at, pair)
    if best is None:
        return None
    # then the lines beside the kept ones, within their hunks (changed lines first), until the room is
    # used: each shortens a gap the mark lists, so it costs its own tokens and no range more
    while tries < _TRIES and ctx.counter.count(best[0]) < FLOOR * target:
        near = {n for k in kept for n in (k - 1, k + 1) if 0 <= n < len(lines) and inside[n] and n not in kept}
        ranked = sorted(near, key=lambda n: (lines[n][:1] not in ("+", "-"), -scores[n], costs[n], n))
        for number in ranked:
            if tries >= _TRIES or spent + costs[number] > target:
                continue
            trial = sorted([*kept, number])
            text = _write(lines, trial, ctx)
            tries += 1
            if ctx.counter.count(text) <= target:
                kept, spent, best = trial, spent + costs[number], (text, len(lines) - len(trial))
                break
        else:
            break
    matching = sum(1 for n in kept if lines[n][:1] in ("+", "-"))
    return best[0], best[1], matching


def _heads(profile: Profile) -> dict[int, tuple[int, ...]]:
    """Each hunk line of a ``git log -p`` and its commit's ``commit`` line and subject (the first
    indented line of its message): what names the commit a kept line belongs to."""
    lines = profile.diff.lines
    out: dict[int, tuple[int, ...]] = {}
    for start, head, end in profile.commits:
        subject = next((i for i in range(start + 1, head) if lines[i][:4] == "    " and lines[i].strip()), None)
        named = (start,) if subject is None else (start, subject)
        out.update(dict.fromkeys(range(head, end), named))
    return out


def _counterparts(profile: Profile) -> dict[int, int]:
    """Each changed line's counterpart on the other side of its change (``_forms.counterparts``)."""
    lines = profile.diff.lines
    out: dict[int, int] = {}
    for hunk in profile.diff.hunks:
        first = hunk.start + 1
        kinds = [lines[n][:1] for n in range(first, hunk.end)]
        for removed, added in counterparts(kinds, lines, first):
            out[first + removed], out[first + added] = first + added, first + removed
    return out


def _write(lines: list[str], kept: list[int], ctx: PieceContext) -> str:
    """The kept lines in order, the one mark on the line of the first gap."""
    chosen = set(kept)
    stretches: list[tuple[int, int]] = []
    start = None
    for number in range(len(lines)):
        if number in chosen:
            if start is not None:
                stretches.append((start + 1, number))
                start = None
        elif start is None:
            start = number
    if start is not None:
        stretches.append((start + 1, len(lines)))
    mark = ctx.marker(len(lines) - len(chosen), "lines", write_ranges(stretches)) + "\n"
    out: list[str] = []
    placed = False
    for number, line in enumerate(lines):
        if number in chosen:
            out.append(line if line.endswith("\n") else line + "\n")
        elif not placed:
            out.append(mark)
            placed = True
    text = "".join(out)
    return text if lines and lines[-1].endswith("\n") else text[:-1]
