"""A kept hunk's shorter forms: far context trimmed, or only the lines the question asks about.

Either form is a set of contiguous stretches of the hunk's body, each written
under its own ``@@`` line with the counts and start lines of that stretch: any
contiguous stretch of a hunk is a hunk of the same pre-image (its old lines are
consecutive in the old file, its new lines in the new one), so the result still
applies with ``git apply`` and ``patch``, with fewer of its changes.

- ``trim``: every change kept, context farther than ``context`` lines from a
  change cut, where the cut saves more than the marker and header it costs.
- ``focus``: only the changed lines the question's terms rank highest in the
  hunk (at least half the best score, or the best alone), with ``context``
  lines each side; what lies between becomes a marker.
  A long all-added hunk holding the asked-for function shrinks to that function's
  lines instead of being kept whole or dropped (issue 12).
"""

from __future__ import annotations

from collections.abc import Sequence

from headroom.compressors.diff._parse import Hunk, hunk_header, is_context

__all__ = ["Form", "focus", "runs", "trim"]

# one kept hunk's form: None = verbatim, else its kept stretches (first line, end, new @@ line)
Form = tuple[tuple[int, int, str], ...] | None


def trim(lines: list[str], hunk: Hunk, costs: list[int], context: int, cut_cost: int, header_cost: int) -> Form:
    """The hunk with far context cut out, split where a cut falls inside it; None if no cut pays for its marker."""
    body = range(hunk.start + 1, hunk.end)
    kinds = [lines[i][:1] for i in body]
    if "+" not in kinds and "-" not in kinds:
        return None
    keep = _around(kinds, [kind in ("+", "-") for kind in kinds], context)
    for first, end in runs([not k for k in keep]):
        saving = sum(costs[body[j]] for j in range(first, end))
        inner = first > 0 and end < len(kinds)
        if saving <= cut_cost + (header_cost if inner else 0):
            keep[first:end] = [True] * (end - first)
    if all(keep):
        return None
    return _stretches(hunk, body, kinds, keep)


def focus(lines: list[str], hunk: Hunk, scores: Sequence[float], context: int, share: float) -> Form:
    """The changed lines of the hunk that score highest for the query (at least ``share`` of the
    best score), with ``context`` lines each side; None when no changed line scores."""
    body = range(hunk.start + 1, hunk.end)
    kinds = [lines[i][:1] for i in body]
    changed = [j for j, kind in enumerate(kinds) if kind in ("+", "-")]
    best = max((scores[body[j]] for j in changed), default=0.0)
    if best <= 0:
        return None
    wanted = [kind in ("+", "-") and scores[body[j]] >= best * share for j, kind in enumerate(kinds)]
    keep = _around(kinds, wanted, context)
    if any(is_context(kind) for kind in kinds):
        _reach_context(kinds, keep)
    if all(keep):
        return None
    return _stretches(hunk, body, kinds, keep)


def _reach_context(kinds: list[str], keep: list[bool]) -> None:
    """Widen each kept stretch until a context line stands before and after its changes, where the
    hunk has one: ``git apply`` refuses a hunk without context (it takes ``-U0`` patches only with
    ``--unidiff-zero``), so a stretch cut out of a block of changes reaches to the block's edges."""
    for first, end in runs(keep):
        j = first
        while j > 0 and not is_context(kinds[j]):
            j -= 1
            keep[j] = True
        j = end - 1
        while j + 1 < len(kinds) and not is_context(kinds[j]):
            j += 1
            keep[j] = True


def _around(kinds: list[str], wanted: list[bool], context: int) -> list[bool]:
    """``wanted`` and the lines at most ``context`` away from a wanted line."""
    keep = list(wanted)
    marked = [j for j, flag in enumerate(wanted) if flag]
    for j in marked:
        for k in range(max(0, j - context), min(len(kinds), j + context + 1)):
            keep[k] = True
    for j in range(1, len(kinds)):  # "\ No newline at end of file" belongs to the line above it
        if kinds[j] == "\\":
            keep[j] = keep[j - 1]
    return keep


def _stretches(hunk: Hunk, body: range, kinds: list[str], keep: list[bool]) -> Form:
    """Each kept stretch with its re-computed ``@@`` line."""
    _even_out(kinds, keep)
    old_count = sum(1 for k in kinds if k == "-" or is_context(k))
    new_count = sum(1 for k in kinds if k == "+" or is_context(k))
    old = hunk.old_start + (0 if old_count else 1)
    new = hunk.new_start + (0 if new_count else 1)
    positions = []
    for kind in kinds:
        positions.append((old, new))
        old += kind != "+" and kind != "\\"
        new += kind != "-" and kind != "\\"
    groups: list[tuple[int, int, str]] = []
    for first, end in runs(keep):
        part = kinds[first:end]
        olds = sum(1 for k in part if k not in ("+", "\\"))
        news = sum(1 for k in part if k not in ("-", "\\"))
        header = hunk_header(positions[first][0], olds, positions[first][1], news, hunk.suffix if not groups else "")
        groups.append((body[first], body[end - 1] + 1, header + "\n"))
    return tuple(groups)


def _even_out(kinds: list[str], keep: list[bool]) -> None:
    """Give each kept stretch as much context before its changes as after, where the hunk has the lines.

    GNU patch takes uneven context for a hunk anchored at the start or end of
    its file, so a stretch cut to one line before and three after would not apply.
    """
    for first, end in runs(keep):
        changes = [j for j in range(first, end) if kinds[j] in ("+", "-")]
        if not changes:
            continue
        lead = sum(1 for j in range(first, changes[0]) if kinds[j] != "\\")
        trail = sum(1 for j in range(changes[-1] + 1, end) if kinds[j] != "\\")
        j = first
        while lead < trail and j > 0:
            j -= 1
            keep[j] = True
            lead += kinds[j] != "\\"
        j = end - 1
        while trail < lead and j + 1 < len(kinds):
            j += 1
            keep[j] = True
            trail += kinds[j] != "\\"
        while j + 1 < len(kinds) and kinds[j + 1] == "\\":
            j += 1
            keep[j] = True


def runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """``(first, end)`` of each stretch of True."""
    out, start = [], None
    for index, flag in enumerate(flags):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            out.append((start, index))
            start = None
    if start is not None:
        out.append((start, len(flags)))
    return out
