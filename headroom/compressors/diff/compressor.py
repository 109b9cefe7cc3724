"""Unified diffs, ``git show``, ``git log -p``, ``git diff --stat``: headers kept, hunks chosen, patches still apply.

Commit headers, messages, ``--stat`` blocks and the header of every file with
a kept hunk stay verbatim. Under a budget hunks are ranked by the query (BM25
over the hunk and its path), then breadth first (each file's biggest hunk
before any file's second), then by how many lines they change. Pressure is
spent on the cheapest loss first: context lines far from any change are
trimmed, each trimmed hunk split or re-headed so its ``@@ -a,b +c,d @@`` is
correct again; then whole hunks go; when even the commit headers do not fit,
whole commits go.

Every stretch of omitted lines becomes one marker with its 1-based line range
(``_diff_render``). A marker that stands before a kept hunk of the same file
rides on that hunk's ``@@`` line, so the compressed diff applies as written.
A file none of whose hunks is kept gives way, header and all, to the marker,
which names it with its counts:

    @@ -40,6 +40,7 @@ def parse(): [hr1:482913057162345 omitted 2 hunks 120-188 +41 -12]
    [hr1:482913057162345 omitted 5 hunks 190-402 +3 -1, src/a.py +30 -2, src/b.py +4 -0]

A ``git diff --stat`` listing without patches is ranked by file instead, each
omitted run of files marked with how many lines they changed.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors.diff._parse import Diff, Hunk, hunk_header, is_context, parse_diff
from headroom.compressors.diff._render import write
from headroom.errors import InvalidInput
from headroom.plugins import Compressed, Compressor, PieceContext, split_lines
from headroom.relevance import BM25

__all__ = ["DiffCompressor"]

_MARKER_COST = 22
_HEADER_COST = 14
_NAME_COST = 4  # a file named in a marker costs its path and this ("+12 -3, ")
# one kept hunk's form: None = verbatim, else its kept stretches (first line, end, new @@ line)
Form = tuple[tuple[int, int, str], ...] | None


class DiffOptions(BaseModel):
    """``max_tokens``: without a budget, diffs above this are cut to it.
    ``context``: lines kept each side of a change when a hunk's context is trimmed."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    max_tokens: int = Field(default=4000, ge=64)
    context: int = Field(default=1, ge=1)


@dataclass(frozen=True)
class _Profile:
    diff: Diff
    costs: list[int]  # tokens per line
    order: list[int]  # hunks (or, for a bare --stat listing, stat lines) best first
    trimmed: list[Form]  # each hunk's trimmed form, None where trimming does not pay
    fixed: int  # tokens always kept, with every collapsible file reduced to its name
    opening: dict[int, int]  # collapsible file -> tokens its header adds over its name
    commits: list[tuple[int, int, int]]  # each commit's first line, first file line, end
    commit_order: list[int]  # commits best first


class DiffCompressor(Compressor):
    content_type = "diff"
    name = "diff"
    Options = DiffOptions
    selectors: ClassVar[frozenset[str]] = frozenset({"lines", "chars", "query", "files"})

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        profile = self._profile(text, ctx)
        if not profile.order:
            return None
        if target is None:
            if sum(profile.costs) <= self.options.max_tokens:
                return None
            target = self.options.max_tokens
        if sum(profile.costs) <= target:
            return None
        room = target - profile.fixed - _MARKER_COST
        if room < 0:
            return _by_commit(profile, target, ctx)
        for _ in range(8):
            out, omitted = _render(profile, _choose(profile, room), ctx)
            if ctx.counter.count(out) <= target:
                return Compressed(out, omitted=omitted)
            room = int(room * 0.85)
        return None

    def _profile(self, text: str, ctx: PieceContext) -> _Profile:
        """Parse, costs, ranking and trimmed forms, once per piece (the allocator asks often)."""
        return self.once_per_piece(
            (text, ctx.query, id(ctx.counter)), lambda: _build_profile(text, ctx, self.options.context)
        )

    def describe(self, text: str) -> tuple[int, str]:
        hunks = len(parse_diff(split_lines(text)).hunks)
        return (hunks, "hunks") if hunks > 1 else super().describe(text)

    def select(self, original: str, selector: str, value: Any) -> str:
        """``files="src/a.py"`` (or a tuple of paths): every section of the diff for files whose path ends so."""
        if selector != "files":
            return super().select(original, selector, value)
        wanted = (value,) if isinstance(value, str) else value
        if not isinstance(wanted, tuple) or not wanted or not all(isinstance(w, str) and w for w in wanted):
            raise InvalidInput(f"files= takes a path or a tuple of paths, e.g. files='src/app.py'; got {value!r}")
        diff = parse_diff(split_lines(original))
        parts = [
            "".join(diff.lines[section.start : diff.file_end(i)])
            for i, section in enumerate(diff.files)
            if any(section.path == w or section.path.endswith("/" + w.lstrip("/")) for w in wanted)
        ]
        if not parts:
            raise InvalidInput(
                f"no file in this diff matches {value!r}; its files: {', '.join(f.path for f in diff.files)}"
            )
        return "".join(parts)


def _build_profile(text: str, ctx: PieceContext, context: int) -> _Profile:
    diff = parse_diff(split_lines(text))
    costs = [ctx.counter.count(line) for line in diff.lines]
    in_hunk = [False] * len(diff.lines)
    for hunk in diff.hunks:
        in_hunk[hunk.start : hunk.end] = [True] * (hunk.end - hunk.start)
    opening = {
        number: sum(costs[section.start : section.header_end]) - ctx.counter.count(section.path) - _NAME_COST
        for number, section in enumerate(diff.files)
        if section.collapsible
    }
    fixed = sum(c for c, inside in zip(costs, in_hunk) if not inside) - sum(opening.values())
    if diff.hunks:
        bodies = [
            diff.files[h.file].path.replace("/", " ") + " " + "".join(diff.lines[h.start : h.end]) for h in diff.hunks
        ]
        order = _rank(BM25(bodies).scores(ctx.query), diff.hunks)
        trimmed = [_trim(diff.lines, hunk, costs, context) for hunk in diff.hunks]
        return _Profile(diff, costs, order, trimmed, fixed, opening, *_commits(diff, ctx.query))
    if len(diff.stat) < 2:
        return _Profile(diff, costs, [], [], fixed, opening, *_commits(diff, ctx.query))
    stat = sorted(diff.stat)
    scores = BM25([diff.lines[i].replace("/", " ") for i in stat]).scores(ctx.query)
    ranked = sorted(range(len(stat)), key=lambda k: (-scores[k], -diff.stat[stat[k]], stat[k]))
    fixed -= sum(costs[i] for i in stat)
    return _Profile(diff, costs, [stat[k] for k in ranked], [], fixed, opening, *_commits(diff, ctx.query))


def _commits(diff: Diff, query: str | None) -> tuple[list[tuple[int, int, int]], list[int]]:
    """Each commit's span (first line, first file line, end) and the commits ranked by the query, newest first."""
    ends = [*diff.commits[1:], len(diff.lines)]
    file_starts = sorted(section.start for section in diff.files)
    spans = []
    for start, end in zip(diff.commits, ends):
        at = bisect.bisect_left(file_starts, start)
        head = file_starts[at] if at < len(file_starts) and file_starts[at] < end else end
        spans.append((start, head, end))
    scores = BM25(["".join(diff.lines[a:c]) for a, _, c in spans]).scores(query)
    return spans, sorted(range(len(spans)), key=lambda k: (-scores[k], k))


def _by_commit(profile: _Profile, target: int, ctx: PieceContext) -> Compressed | None:
    """When commit headers and messages alone do not fit: whole commits go, the kept ones without their patches."""
    diff = profile.diff
    if len(profile.commits) < 2:
        return None
    room = target - _MARKER_COST
    for _ in range(8):
        if room < 0:
            return None
        kept: set[int] = set()
        used = 0
        for k in profile.commit_order:
            start, head, end = profile.commits[k]
            cost = sum(profile.costs[start:head]) + (_MARKER_COST if head < end else 0)
            if k - 1 not in kept and k + 1 not in kept:
                cost += _MARKER_COST
            if used + cost <= room:
                kept.add(k)
                used += cost
        omitted = [index >= diff.commits[0] for index in range(len(diff.lines))]
        for k in kept:
            start, head, _ = profile.commits[k]
            omitted[start:head] = [False] * (head - start)
        out, counts = write(diff, omitted, {}, set(), ctx, patches_under_stat=True)
        if ctx.counter.count(out) <= target:
            return Compressed(out, omitted=counts)
        room = int(room * 0.85)
    return None


def _rank(scores: Sequence[float], hunks: Sequence[Hunk]) -> list[int]:
    """Query matches first; then breadth: every file's biggest hunk before any file's second."""
    by_file: dict[int, list[int]] = {}
    for index in sorted(range(len(hunks)), key=lambda h: (-hunks[h].changed, h)):
        by_file.setdefault(hunks[index].file, []).append(index)
    depth = {h: rank for members in by_file.values() for rank, h in enumerate(members)}
    return sorted(range(len(hunks)), key=lambda h: (-scores[h], depth[h], -hunks[h].changed, h))


def _trim(lines: list[str], hunk: Hunk, costs: list[int], context: int) -> Form:
    """The hunk with far context cut out, split where a cut falls inside it; None if no cut pays for its marker."""
    body = range(hunk.start + 1, hunk.end)
    kinds = [lines[i][:1] for i in body]
    if "+" not in kinds and "-" not in kinds:
        return None
    keep = [kind in ("+", "-") for kind in kinds]
    for j, kind in enumerate(kinds):
        if kind == "\\":
            continue
        if any(kinds[k] in ("+", "-") for k in range(max(0, j - context), min(len(kinds), j + context + 1))):
            keep[j] = True
    for j in range(1, len(kinds)):  # "\ No newline at end of file" belongs to the line above it
        if kinds[j] == "\\":
            keep[j] = keep[j - 1]
    runs = _runs([not k for k in keep])
    for first, end in runs:
        saving = sum(costs[body[j]] for j in range(first, end))
        inner = first > 0 and end < len(kinds)
        if saving <= _MARKER_COST + (_HEADER_COST if inner else 0):
            keep[first:end] = [True] * (end - first)
    if all(keep):
        return None
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
    for first, end in _runs(keep):
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
    for first, end in _runs(keep):
        changes = [j for j in range(first, end) if kinds[j] in ("+", "-")]
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


def _runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
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


def _cost(profile: _Profile, index: int, form: Form) -> int:
    hunk = profile.diff.hunks[index]
    if form is None:
        return sum(profile.costs[hunk.start : hunk.end])
    kept = sum(sum(profile.costs[a:b]) for a, b, _ in form)
    return kept + len(form) * _HEADER_COST + (len(form) + 1) * _MARKER_COST // 2


def _choose(profile: _Profile, room: int) -> dict[int, Form]:
    """Units in rank order while they fit ``room``: hunk -> form, or stat line -> None.

    Hunks go in trimmed; room left over then buys back their context, best first.
    """
    diff = profile.diff
    chosen: dict[int, Form] = {}
    used = 0
    if not diff.hunks:
        for line in profile.order:
            if used + profile.costs[line] <= room:
                chosen[line] = None
                used += profile.costs[line]
        return chosen
    opened: set[int] = set()
    for index in profile.order:
        hunk = diff.hunks[index]
        cost = _cost(profile, index, profile.trimmed[index])
        if hunk.file not in opened:
            cost += profile.opening.get(hunk.file, 0)
        if index - 1 not in chosen and index + 1 not in chosen:
            cost += _MARKER_COST
        if used + cost <= room:
            chosen[index] = profile.trimmed[index]
            opened.add(hunk.file)
            used += cost
    for index in profile.order:
        form = chosen.get(index, ())
        if form:
            extra = _cost(profile, index, None) - _cost(profile, index, form)
            if used + extra <= room:
                chosen[index] = None
                used += extra
    return chosen


def _render(profile: _Profile, chosen: dict[int, Form], ctx: PieceContext) -> tuple[str, dict[str, int]]:
    """Kept hunks in their forms, dropped ones and files left without hunks omitted; or stat lines."""
    diff = profile.diff
    omitted = [False] * len(diff.lines)
    header_at: dict[int, str] = {}
    replaced: set[int] = set()
    if not diff.hunks:
        for number in diff.stat:
            omitted[number] = number not in chosen
        return write(diff, omitted, header_at, replaced, ctx)
    for index, hunk in enumerate(diff.hunks):
        form = chosen.get(index, ())
        if form is None:
            continue
        if not form:
            omitted[hunk.start : hunk.end] = [True] * (hunk.end - hunk.start)
            continue
        kept = {number for first, end, _ in form for number in range(first, end)}
        for number in range(hunk.start + 1, hunk.end):
            omitted[number] = number not in kept
        for first, _, header in form:
            header_at[first] = header
        omitted[hunk.start] = omitted[hunk.start + 1]
        if not omitted[hunk.start]:
            replaced.add(hunk.start)
    for section in diff.files:
        if section.collapsible and not any(h in chosen for h in section.hunks):
            omitted[section.start : section.header_end] = [True] * (section.header_end - section.start)
    return write(diff, omitted, header_at, replaced, ctx)
