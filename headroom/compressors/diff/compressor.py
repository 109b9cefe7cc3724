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
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors.diff._forms import Form, focus, trim
from headroom.compressors.diff._parse import Diff, Hunk, hunk_header, parse_diff
from headroom.compressors.diff._render import write
from headroom.errors import InvalidInput
from headroom.plugins import Compressed, Compressor, PieceContext, split_lines
from headroom.relevance import BM25, LineTerms, sparse_scores, terms

__all__ = ["DiffCompressor"]

_HEADLESS = "diff: file headers given to marks to keep the hunks the query ranks; the text no longer applies as a patch"
# said when a result stays under 0.9 of its target (issue 12: reach the target or say why)
_SHORT = "diff: under 0.9 of the target used: the next hunk, commit or --stat line in rank fits in none of its forms"
_NAME_COST = 4  # a file named in a marker costs its path and this ("+12 -3, ")
# where a hunk's file is documentation, a changelog or notes: ranked after code on a tie
_DOCS = re.compile(
    r"(^|/)(docs?|doc-src|changelog\.d|news|whatsnew)/|\.(md|rst|txt|adoc)$|(^|/)(CHANGE|NEWS|HISTORY)", re.I
)


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
    focused: list[Form]  # each hunk's lines the query asks about, None where none does
    narrow: list[Form]  # the same, only the lines that score best
    marker: int  # what one mark costs here, counted with the piece's counter
    header: int  # what one re-written @@ line costs
    fixed: int  # tokens always kept, with every collapsible file reduced to its name
    opening: dict[int, int]  # collapsible file -> tokens its header adds over its name
    commits: list[tuple[int, int, int]]  # each commit's first line, first file line, end
    commit_order: list[int]  # commits best first

    def dropped(self, level: int) -> list[int]:
        """Lines outside hunks that pressure ``level`` gives to marks: 1, of each commit's header
        every stretch but its ``commit`` line and subject (author, date, message body, ``--stat``)
        that costs more than the mark standing for it; 2, also every file's header (the text then
        no longer applies as a patch)."""
        lines = self.diff.lines
        out: list[int] = []
        if level >= 1:
            for start, head, _ in self.commits:
                subject = next((i for i in range(start + 1, head) if lines[i][:4] == "    " and lines[i].strip()), -1)
                for first, end in ((start + 1, subject), (subject + 1, head)) if subject > 0 else ((start + 1, head),):
                    if sum(self.costs[first:end]) > self.marker:
                        out += range(first, end)
        if level >= 2:
            out += [i for section in self.diff.files for i in range(section.start, section.header_end)]
        return sorted(set(out))

    def fixed_at(self, level: int) -> int:
        """The tokens always kept at pressure ``level``, a mark counted per run of dropped lines."""
        if level == 0:
            return self.fixed
        dropped = self.dropped(level)
        runs = sum(1 for k, i in enumerate(dropped) if k == 0 or dropped[k - 1] != i - 1)
        # ``fixed`` counts a collapsible file's header as its name; at level 2 it all goes
        opening = sum(self.opening.values()) if level >= 2 else 0
        return self.fixed + opening - sum(self.costs[i] for i in dropped) + runs * self.marker


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
        # pressure levels: 0 keeps every commit header and message whole; 1 keeps of each commit
        # its ``commit`` line and subject; 2 also gives file headers to marks. A level is left for
        # the next when it cannot keep the hunk the query ranks first (issue 12: a git log -p
        # whose headers filled the room kept no patch at all)
        first: Compressed | None = None
        for level in (0, 1, 2) if profile.diff.hunks else (0,):
            if level == 1 and not profile.commits:
                continue
            fitted = _fit(profile, target, ctx, level)
            if fitted is None:
                continue
            result, keeps_best = fitted
            if keeps_best or not profile.diff.hunks:
                return result
            first = first or result
        if first is not None:
            return first
        return _by_commit(profile, target, ctx)

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
    # a mark and an @@ line as this piece writes them, counted, not guessed
    last = len(diff.lines)
    marker = ctx.counter.count(ctx.marker(9, "hunks", f"{last}-{last} +99 -9") + "\n")
    header = ctx.counter.count(hunk_header(last, 9, last, 9) + "\n")
    in_hunk = [False] * len(diff.lines)
    for hunk in diff.hunks:
        in_hunk[hunk.start : hunk.end] = [True] * (hunk.end - hunk.start)
    opening = {
        number: sum(costs[section.start : section.header_end]) - ctx.counter.count(section.path) - _NAME_COST
        for number, section in enumerate(diff.files)
        if section.collapsible
    }
    fixed = sum(c for c, inside in zip(costs, in_hunk) if not inside) - sum(opening.values())
    line_terms = LineTerms(diff.lines)  # read once for the hunks' and the commits' rankings
    commits = _commits(diff, ctx.query, line_terms)
    if diff.hunks:
        heads = [diff.files[h.file].path.replace("/", " ") + " " for h in diff.hunks]
        bodies = [head + "".join(diff.lines[h.start : h.end]) for head, h in zip(heads, diff.hunks)]
        tokenized = lambda: [terms(head) + line_terms.of(h.start, h.end) for head, h in zip(heads, diff.hunks)]  # noqa: E731
        docs = [bool(_DOCS.search(diff.files[h.file].path)) for h in diff.hunks]
        order = _rank(BM25(bodies, tokenized=tokenized).scores(ctx.query), diff.hunks, docs)
        trimmed = [trim(diff.lines, hunk, costs, context, marker, header) for hunk in diff.hunks]
        line_scores = [0.0] * len(diff.lines)
        for number, score in sparse_scores(diff.lines, ctx.query).items():
            line_scores[number] = score if in_hunk[number] else 0.0
        focused = [focus(diff.lines, hunk, line_scores, context, 0.5) for hunk in diff.hunks]
        narrow = [focus(diff.lines, hunk, line_scores, context, 1.0) for hunk in diff.hunks]
        return _Profile(diff, costs, order, trimmed, focused, narrow, marker, header, fixed, opening, *commits)
    if len(diff.stat) < 2:
        return _Profile(diff, costs, [], [], [], [], marker, header, fixed, opening, *commits)
    stat = sorted(diff.stat)
    scores = BM25([diff.lines[i].replace("/", " ") for i in stat]).scores(ctx.query)
    ranked = sorted(range(len(stat)), key=lambda k: (-scores[k], -diff.stat[stat[k]], stat[k]))
    fixed -= sum(costs[i] for i in stat)
    return _Profile(diff, costs, [stat[k] for k in ranked], [], [], [], marker, header, fixed, opening, *commits)


def _commits(diff: Diff, query: str | None, line_terms: LineTerms) -> tuple[list[tuple[int, int, int]], list[int]]:
    """Each commit's span (first line, first file line, end) and the commits ranked by the query, newest first."""
    ends = [*diff.commits[1:], len(diff.lines)]
    file_starts = sorted(section.start for section in diff.files)
    spans = []
    for start, end in zip(diff.commits, ends):
        at = bisect.bisect_left(file_starts, start)
        head = file_starts[at] if at < len(file_starts) and file_starts[at] < end else end
        spans.append((start, head, end))
    tokenized = lambda: [line_terms.of(a, c) for a, _, c in spans]  # noqa: E731
    scores = BM25(["".join(diff.lines[a:c]) for a, _, c in spans], tokenized=tokenized).scores(query)
    return spans, sorted(range(len(spans)), key=lambda k: (-scores[k], k))


def _fit(profile: _Profile, target: int, ctx: PieceContext, level: int) -> tuple[Compressed, bool] | None:
    """The choice at pressure ``level`` whose rendering fits, and whether it keeps the best hunk."""
    room = target - profile.fixed_at(level) - profile.marker
    if room < 0:
        return None
    dropped = profile.dropped(level)
    fitted: tuple[Compressed, bool] | None = None
    for _ in range(8):
        chosen = _choose(profile, room, headless=level >= 2)
        if level and not chosen:
            return fitted
        out, omitted = _render(profile, chosen, ctx, dropped)
        cost = ctx.counter.count(out)
        if cost <= target:
            fallbacks = ((_HEADLESS,) if level >= 2 else ()) + ((_SHORT,) if cost < 0.9 * target else ())
            best = bool(profile.order) and profile.order[0] in chosen
            fitted = Compressed(out, omitted=omitted, fallbacks=fallbacks), best
            if cost >= 0.9 * target or room >= target:
                return fitted
            room += max(1, (target - cost) // 2)  # the estimates were pessimistic: offer half of what is left
            continue
        if fitted is not None:
            return fitted
        room = int(room * 0.85)
    return fitted


def _by_commit(profile: _Profile, target: int, ctx: PieceContext) -> Compressed | None:
    """When commit headers and messages alone do not fit: whole commits go, the kept ones without their patches."""
    diff = profile.diff
    if len(profile.commits) < 2:
        return None
    room = target - profile.marker
    for _ in range(8):
        if room < 0:
            return None
        kept: set[int] = set()
        used = 0
        for k in profile.commit_order:
            start, head, end = profile.commits[k]
            cost = sum(profile.costs[start:head]) + (profile.marker if head < end else 0)
            if k - 1 not in kept and k + 1 not in kept:
                cost += profile.marker
            if used + cost <= room:
                kept.add(k)
                used += cost
        omitted = [index >= diff.commits[0] for index in range(len(diff.lines))]
        for k in kept:
            start, head, _ = profile.commits[k]
            omitted[start:head] = [False] * (head - start)
        out, counts = write(diff, omitted, {}, set(), ctx, patches_under_stat=True)
        cost = ctx.counter.count(out)
        if cost <= target:
            return Compressed(out, omitted=counts, fallbacks=(_SHORT,) if cost < 0.9 * target else ())
        room = int(room * 0.85)
    return None


def _rank(scores: Sequence[float], hunks: Sequence[Hunk], docs: Sequence[bool]) -> list[int]:
    """Query matches first; then code before docs and changelogs; then breadth: every file's
    biggest hunk before any file's second."""
    by_file: dict[int, list[int]] = {}
    for index in sorted(range(len(hunks)), key=lambda h: (-hunks[h].changed, h)):
        by_file.setdefault(hunks[index].file, []).append(index)
    depth = {h: rank for members in by_file.values() for rank, h in enumerate(members)}
    return sorted(range(len(hunks)), key=lambda h: (-scores[h], docs[h], depth[h], -hunks[h].changed, h))


def _cost(profile: _Profile, index: int, form: Form) -> int:
    hunk = profile.diff.hunks[index]
    if form is None:
        return sum(profile.costs[hunk.start : hunk.end])
    kept = sum(sum(profile.costs[a:b]) for a, b, _ in form)
    return kept + len(form) * profile.header + (len(form) + 1) * profile.marker // 2


def _choose(profile: _Profile, room: int, *, headless: bool = False) -> dict[int, Form]:
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
        extra = profile.opening.get(hunk.file, 0) if hunk.file not in opened and not headless else 0
        if index - 1 not in chosen and index + 1 not in chosen:
            extra += profile.marker
        # the trimmed form, else only the lines the query asks about (a long hunk holding the
        # asked-for function shrinks to it instead of going whole)
        trimmed = profile.trimmed[index]
        if trimmed is not None and _cost(profile, index, None) <= _cost(profile, index, trimmed):
            trimmed = None  # its marks and @@ lines cost more than the context they save
        forms = (trimmed, profile.focused[index], profile.narrow[index])
        for form in dict.fromkeys(forms):
            if form is None and trimmed is not None:
                continue  # no focus: the trimmed form was the smallest
            cost = _cost(profile, index, form) + extra
            if used + cost <= room:
                chosen[index] = form
                opened.add(hunk.file)
                used += cost
                break
    for index in profile.order:  # room left over buys back context: the trimmed form, then all
        for better in (profile.focused[index], profile.trimmed[index], None):
            form = chosen.get(index, ())
            if not form or form == better:
                continue
            extra = _cost(profile, index, better) - _cost(profile, index, form)
            if used + extra <= room:
                chosen[index] = better
                used += extra
    return chosen


def _render(
    profile: _Profile, chosen: dict[int, Form], ctx: PieceContext, dropped: Sequence[int] = ()
) -> tuple[str, dict[str, int]]:
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
    for number in dropped:
        omitted[number] = True
    return write(diff, omitted, header_at, replaced, ctx)
