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
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors._reach import FLOOR, reach
from headroom.compressors.diff._forms import Form, focus, plain, scoped, trim
from headroom.compressors.diff._parse import Diff, Hunk, hunk_header, parse_diff
from headroom.compressors.diff._render import short_names, write
from headroom.errors import InvalidInput
from headroom.plugins import Compressed, Compressor, PieceContext, split_lines
from headroom.relevance import BM25, LineTerms, sparse_scores, terms

__all__ = ["DiffCompressor"]

_HEADLESS = "diff: file headers given to marks to keep the hunks the query ranks; the text no longer applies as a patch"
# said when a result stays under 0.9 of its target (issue 12: reach the target or say why)
_SHORT = "diff: under 0.9 of the target used: the next hunk, commit or --stat line in rank fits in none of its forms"
# the rungs of the ladder a headless hunk grows on, between its best lines and its lines with
# context: its k best lines with their counterparts (a 300-line new file kept 4 lines of 561 tokens
# at every target up to 1,200, where the next form, every line at half the best with context, cost 700)
_LADDER = (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
_HEADLESS_FORMS = frozenset(
    {"plain_bare", "single", "bare", "loose", "spread", "matched", *(f"top{k}" for k in _LADDER)}
)  # forms that no longer apply as a patch
_WIDENED = frozenset({"narrow", "focused"})  # forms widened to apply, grown into only while the text applies
# a commit named by its place in the history: the vocabulary of "first/last commit" questions
_ORDINAL = re.compile(
    r"\b(first|initial|earliest|oldest|last|latest|newest|most recent|recent)\s+"
    r"(?:commit|change|changeset|revision|version|release|patch)\b",
    re.I,
)
_NEWEST = frozenset({"last", "latest", "newest", "most recent", "recent"})
# said when marks carry only their ranges, the last resort before no hunk at all
_BRIEF = "diff: marks carry their line ranges only (no file names or counts) to keep the hunk the query ranks first"
_FAINT = "diff: commits holding no strong match for the query given whole to marks to keep the hunk it ranks first"
_NO_COMMITS = "diff: commit lines and subjects given to marks to keep a hunk the query ranks (nothing else fitted)"
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
    loose: list[Form]  # the best lines with their context, not widened to the change block's edges
    bare: list[Form]  # the best lines and their counterparts alone (offered once file headers went to marks)
    single: list[Form]  # the best lines alone, the smallest form
    spread: list[Form]  # headless: the lines scoring half the best, with context, not widened
    matched: list[Form]  # headless: every line the question matches, with context, not widened
    marker: int  # what one mark costs here, counted with the piece's counter
    header: int  # what one re-written @@ line costs
    fixed: int  # tokens always kept, with every collapsible file reduced to its name
    opening: dict[int, int]  # collapsible file -> tokens its header adds over its name
    commits: list[tuple[int, int, int]]  # each commit's first line, first file line, end
    commit_order: list[int]  # commits best first
    peaks: list[float] = field(default_factory=list)  # each hunk's best line score
    plain_single: list[Form] = field(default_factory=list)  # headless: ``single`` without its @@ line
    plain_bare: list[Form] = field(default_factory=list)  # headless: ``bare`` without its @@ lines
    # headless: the ladder from ``bare`` up, the k best lines with their counterparts, by name
    # (``top2``, ``plain_top2``, ...): a hunk grows one line at a time
    ladder: dict[str, list[Form]] = field(default_factory=dict)
    scores: list[float] = field(default_factory=list)  # each line's score for the question (scopes lent)
    names: list[str] = field(default_factory=list)  # each file's short name in marks (``short_names``)
    # by (headless: 0, 1, or 2 with plain forms; hunks given to marks with their commits)
    steps: dict[tuple[int, frozenset[int]], list[tuple[int, Form, int]]] = field(default_factory=dict, compare=False)

    @property
    def strong_count(self) -> int:
        best = max(self.peaks, default=0.0)
        return sum(1 for peak in self.peaks if best > 0 and peak >= best / 2)

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
        if level >= 3:  # commits holding no strong match go whole, their hunks with them
            out += [i for k in self.faint(level) for i in range(self.commits[k][0], self.commits[k][2])]
        if level >= 6:  # the kept commit's own ``commit`` line and subject too
            out += [i for start, head, _ in self.commits for i in range(start, head)]
        return sorted(set(out))

    def faint(self, level: int = 3) -> list[int]:
        """The commits that hold no hunk the question matches strongly (its best line at least
        half the diff's best): pressure levels 3 and 4 give them whole to marks; level 5 every
        commit but the one holding the hunk ranked first (the headers of three commits that all
        match filled 190 tokens of a git log, where the one that holds the answer fitted)."""
        best = max(self.peaks, default=0.0)
        if best <= 0 or len(self.commits) < 2:
            return []
        starts = [start for start, _, _ in self.commits]
        if level >= 5:
            strong = {bisect.bisect_right(starts, self.diff.hunks[self.order[0]].start) - 1}
        else:
            strong = {
                bisect.bisect_right(starts, h.start) - 1
                for h, peak in zip(self.diff.hunks, self.peaks)
                if peak >= best / 2
            }
        return [k for k in range(len(self.commits)) if k not in strong]

    def excluded(self, level: int) -> frozenset[int]:
        """The hunks pressure ``level`` gives to marks with their commits."""
        if level < 3:
            return frozenset()
        gone = [(self.commits[k][0], self.commits[k][2]) for k in self.faint(level)]
        return frozenset(n for n, h in enumerate(self.diff.hunks) if any(a <= h.start < b for a, b in gone))

    def fixed_at(self, level: int) -> int:
        """The tokens always kept at pressure ``level``, a mark counted per run of dropped lines."""
        if level == 0:
            return self.fixed
        dropped = self.dropped(level)
        runs = sum(1 for k, i in enumerate(dropped) if k == 0 or dropped[k - 1] != i - 1)
        # ``fixed`` counts a collapsible file's header as its name; at level 2 it all goes
        opening = sum(self.opening.values()) if level >= 2 else 0
        hunk_lines = {i for h in self.diff.hunks for i in range(h.start, h.end)} if level >= 3 else set()
        gone = sum(self.costs[i] for i in dropped if i not in hunk_lines)
        return self.fixed + opening - gone + runs * self.marker


class DiffCompressor(Compressor):
    content_type = "diff"
    name = "diff"
    lossless_default = False  # its default output is always lossy: skipped under a budget
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
        # its ``commit`` line and subject; 2 also gives file headers to marks; 3 gives commits with
        # no strong match whole to marks; 4 also writes marks brief; 5 keeps only the commit of the
        # hunk ranked first, when nothing else kept a hunk. A level is left for
        # the next when it cannot keep the hunk the query ranks first (issue 12: a git log -p
        # whose headers filled the room kept no patch at all)
        # a level whose text applies, keeps the best hunk and reaches 0.9 of the target is taken at once; else of
        # the levels the one that keeps the best hunk, then one whose text still applies as a patch,
        # then the one that keeps most hunks the question matches strongly (full marks naming files
        # ate the room of level 3, which kept one hunk where brief marks kept both the question's),
        # then the one that uses most of the room (a run of steps that stopped at a big hunk left
        # half the room), then the lower
        found: list[tuple[tuple[bool, bool, int, int, bool, int, int], Compressed]] = []
        # headless text no longer applies as a patch: worth it only for lines the question asks about
        asked = any(form is not None for form in profile.focused)
        # a diff of one file (a ``diff -u``, a ``git log -p`` of one path) loses nothing the command
        # did not say when its file headers go to marks; in a diff of several they name each
        # hunk's file, so there a level that keeps them comes first
        one_file = len({section.path for section in profile.diff.files}) <= 1
        for level in (0, 1, 2, 3, 4, 5, 6) if profile.diff.hunks else (0,):
            if (
                (level == 1 and not profile.commits)
                or (level >= 2 and not asked)
                or (level == 3 and not profile.faint())
                or (level == 5 and (found or profile.faint(5) == profile.faint()))
                or (level == 6 and (found or not profile.commits))
            ):
                continue
            if level >= 3 and any(key[0] and -key[-1] < 3 for key, _ in found):
                break  # whole commits and brief marks only when no level below kept the best hunk
            fitted = _fit(profile, target, ctx, level)
            if fitted is None:
                continue
            result, rank, (strong, lines) = fitted
            short = any(note == _SHORT for note in result.fallbacks)
            if (rank == 0 and not short and level < 2 and (strong >= profile.strong_count or not one_file)) or not (
                profile.diff.hunks
            ):
                return result
            named = level < 2 or one_file
            found.append(((rank == 0, named, strong, lines, level < 2, ctx.counter.count(result.text), -level), result))
        if not found:
            return _by_commit(profile, target, ctx)
        key, result = max(found, key=lambda f: f[0])
        if -key[-1] >= 2:
            # the chosen headless level again with its hunks' @@ lines given to the marks before
            # them, taken unless that keeps fewer hunks the question matches strongly: the room an
            # @@ line costs (8 to 19 tokens) buys a line (a 60-token room held one ``import
            # warnings`` of two, each under its @@ line; another the removed side of a change alone)
            fitted = _fit(profile, target, ctx, -key[-1], plain=True)
            if fitted is not None and fitted[1] == 0 and fitted[2][0] >= key[2]:
                return fitted[0]
        return result

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
        named = _named_commit(ctx.query, len(diff.commits))
        ahead = [named is not None and bisect.bisect_right(diff.commits, h.start) - 1 == named for h in diff.hunks]
        order = _rank(BM25(bodies, tokenized=tokenized).scores(ctx.query), diff.hunks, docs, ahead)
        trimmed = [trim(diff.lines, hunk, costs, context, marker, header) for hunk in diff.hunks]
        line_scores = scoped(diff.lines, diff.hunks, sparse_scores(diff.lines, ctx.query), ctx.query)
        focused = [focus(diff.lines, hunk, line_scores, context, 0.5) for hunk in diff.hunks]
        narrow = [focus(diff.lines, hunk, line_scores, context, 1.0) for hunk in diff.hunks]
        loose = [focus(diff.lines, hunk, line_scores, context, 1.0, applies=False) for hunk in diff.hunks]
        bare = [focus(diff.lines, hunk, line_scores, 0, 1.0, applies=False) for hunk in diff.hunks]
        single = [focus(diff.lines, hunk, line_scores, 0, 1.0, applies=False, pair=False) for hunk in diff.hunks]
        spread = [focus(diff.lines, hunk, line_scores, context, 0.5, applies=False) for hunk in diff.hunks]
        matched = [focus(diff.lines, hunk, line_scores, context, 1e-9, applies=False) for hunk in diff.hunks]
        ladder = _ladder(diff, line_scores)
        return _Profile(
            diff,
            costs,
            order,
            trimmed,
            focused,
            narrow,
            loose,
            bare,
            single,
            spread,
            matched,
            marker,
            header,
            fixed,
            opening,
            *commits,
            peaks=[max(line_scores[h.start : h.end]) for h in diff.hunks],
            plain_single=[plain(form) for form in single],
            plain_bare=[plain(form) for form in bare],
            ladder=ladder,
            scores=line_scores,
            names=short_names([section.path for section in diff.files]),
        )
    if len(diff.stat) < 2:
        return _Profile(diff, costs, [], [], [], [], [], [], [], [], [], marker, header, fixed, opening, *commits)
    stat = sorted(diff.stat)
    scores = BM25([diff.lines[i].replace("/", " ") for i in stat]).scores(ctx.query)
    ranked = sorted(range(len(stat)), key=lambda k: (-scores[k], -diff.stat[stat[k]], stat[k]))
    fixed -= sum(costs[i] for i in stat)
    return _Profile(
        diff,
        costs,
        [stat[k] for k in ranked],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        marker,
        header,
        fixed,
        opening,
        *commits,
    )


def _ladder(diff: Diff, scores: list[float]) -> dict[str, list[Form]]:
    """Each hunk's rungs ``top{k}`` and ``plain_top{k}``: its k best lines with their counterparts.
    A rung past the first that holds every matching line of the hunk is None (the same form again,
    which the growth would skip): most hunks match a few lines, and the rungs to 64 were built anyway."""
    out: dict[str, list[Form]] = {f"{kind}{k}": [] for k in _LADDER for kind in ("top", "plain_top")}
    for hunk in diff.hunks:
        matching = sum(1 for i in range(hunk.start + 1, hunk.end) if scores[i] > 0 and diff.lines[i][:1] in ("+", "-"))
        reached = False
        for k in _LADDER:
            form = None if reached else focus(diff.lines, hunk, scores, 0, 1.0, applies=False, top=k)
            reached = reached or k >= matching
            out[f"top{k}"].append(form)
            out[f"plain_top{k}"].append(plain(form))
    return out


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


def _fit(
    profile: _Profile, target: int, ctx: PieceContext, level: int, *, plain: bool = False
) -> tuple[Compressed, int, tuple[int, int]] | None:
    """The choice at pressure ``level`` whose rendering fits, the rank of the best hunk it keeps and
    how many hunks the question matches strongly it keeps.

    The room planned with is searched (``reach``) until the real count lands between 0.9 and 1 of
    the target. When the planned room holds nothing at a level that gave text to marks, the search
    starts again from the whole target as the room (nothing reserved): the estimate counts a full
    mark on each side of every kept hunk, and a bare hunk of two lines under brief marks is cheaper
    than the marks it is charged; the real count decides.
    """
    fixed = profile.fixed_at(level)
    if target - fixed < 0:
        return None
    dropped = profile.dropped(level)
    excluded = profile.excluded(level)

    def attempt(room: float) -> tuple[tuple[dict[int, Form], str, dict[str, int]], int] | None:
        # a room that holds nothing renders too (headers and marks only): it fits and falls short,
        # so the search raises the room instead of lowering it
        chosen = _choose(profile, int(room), headless=(2 if plain else 1) if level >= 2 else 0, excluded=excluded)
        out, omitted = _render(profile, chosen, ctx, dropped, brief=level >= 4)
        return (chosen, out, omitted), ctx.counter.count(out)

    got = reach(attempt, max(0, target - fixed - profile.marker), target)
    if level and (got is None or not got[0][0]):
        # the estimate of what is always kept erred high (a mark per run of dropped lines, counted
        # in full): start again from what the choice of nothing really costs, so the search begins
        # near the room the smallest form needs (from the whole target, eight halvings by the ratio
        # it overshot by stopped a step above it: a 2,800-token git log kept no hunk at 208 tokens
        # and one at 200)
        empty = ctx.counter.count(_render(profile, {}, ctx, dropped, brief=level >= 4)[0])
        got = reach(attempt, max(1, target - empty), target) if empty < target else None
    if level and (got is None or not got[0][0]):
        got = reach(attempt, target, target)
    if got is None or (level and not got[0][0]):
        return None
    (chosen, out, omitted), cost = got
    fallbacks = ((_HEADLESS,) if level >= 2 else ()) + ((_SHORT,) if cost < FLOOR * target else ())
    fallbacks += ((_FAINT,) if level >= 3 and profile.faint(level) else ()) + ((_BRIEF,) if level >= 4 else ())
    fallbacks += (_NO_COMMITS,) if level >= 6 else ()
    rank = next((r for r, unit in enumerate(profile.order) if unit in chosen), len(profile.order))
    best = max(profile.peaks, default=0.0)
    strong = sum(1 for unit in chosen if profile.diff.hunks and best > 0 and profile.peaks[unit] >= best / 2)
    return Compressed(out, omitted=omitted, fallbacks=fallbacks), rank, (strong, _matching_lines(profile, chosen))


def _matching_lines(profile: _Profile, chosen: dict[int, Form]) -> int:
    """How many changed lines the question matches the choice keeps: between two levels that keep
    as many strongly matched hunks, the one that keeps more of their lines (a level that kept six
    commits' headers whole kept one line of a 300-line new file and 30% of the room unused)."""
    if not profile.diff.hunks:
        return 0
    lines, scores = profile.diff.lines, profile.scores
    count = 0
    for index, form in chosen.items():
        hunk = profile.diff.hunks[index]
        spans = [(hunk.start + 1, hunk.end)] if form is None else [(a, b) for a, b, _ in form]
        count += sum(1 for a, b in spans for i in range(a, b) if scores[i] > 0 and lines[i][:1] in ("+", "-"))
    return count


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
        out, counts = write(diff, omitted, {}, set(), ctx, patches_under_stat=True, names=profile.names)
        cost = ctx.counter.count(out)
        if cost <= target:
            return Compressed(out, omitted=counts, fallbacks=(_SHORT,) if cost < 0.9 * target else ())
        room = int(room * 0.85)
    return None


def _named_commit(query: str | None, count: int) -> int | None:
    """The commit a question names by its place in a ``git log`` (newest first): "the first
    commit" is the oldest, listed last; "the latest change" the one listed first."""
    if not query or count < 2:
        return None
    found = _ORDINAL.search(query)
    if found is None:
        return None
    return 0 if found[1].lower() in _NEWEST else count - 1


def _rank(scores: Sequence[float], hunks: Sequence[Hunk], docs: Sequence[bool], ahead: Sequence[bool]) -> list[int]:
    """Hunks of the commit the question names by place first; query matches first; then code
    before docs and changelogs; then breadth: every file's biggest hunk before any file's second."""
    by_file: dict[int, list[int]] = {}
    for index in sorted(range(len(hunks)), key=lambda h: (-hunks[h].changed, h)):
        by_file.setdefault(hunks[index].file, []).append(index)
    depth = {h: rank for members in by_file.values() for rank, h in enumerate(members)}
    return sorted(range(len(hunks)), key=lambda h: (not ahead[h], -scores[h], docs[h], depth[h], -hunks[h].changed, h))


def _cost(profile: _Profile, index: int, form: Form) -> int:
    hunk = profile.diff.hunks[index]
    if form is None:
        return sum(profile.costs[hunk.start : hunk.end])
    kept = sum(sum(profile.costs[a:b]) for a, b, _ in form)
    headers = sum(1 for _, _, header in form if header)
    return kept + headers * profile.header + (len(form) + 1) * profile.marker // 2


def _forms(profile: _Profile, index: int, headless: int) -> list[Form]:
    """The forms a hunk may take, smallest last: whole or trimmed, then the query's lines; once the
    text no longer applies as a patch also the best lines alone (issue 12: a hunk whose block of
    changes was longer than the room kept nothing of it)."""
    trimmed = profile.trimmed[index]
    if trimmed is not None and _cost(profile, index, None) <= _cost(profile, index, trimmed):
        trimmed = None  # its marks and @@ lines cost more than the context they save
    focus = [profile.focused[index], profile.narrow[index]]
    if headless:
        focus += [profile.loose[index], profile.bare[index], profile.single[index]]
    if headless > 1:
        focus += [profile.plain_bare[index], profile.plain_single[index]]
    return list(dict.fromkeys([trimmed, *(f for f in focus if f is not None)]))


def _smallest(profile: _Profile, index: int, headless: int) -> int:
    return min(_cost(profile, index, form) for form in _forms(profile, index, headless))


def _choose(
    profile: _Profile, room: int, *, headless: int = 0, excluded: frozenset[int] = frozenset()
) -> dict[int, Form]:
    """Units in rank order while they fit ``room``: hunk -> form, or stat line -> None.

    Monotone in ``room``: a larger room keeps every unit a smaller one kept. The choice is the
    longest run of a fixed sequence of steps (``_steps``) that fits, so which units are kept does
    not depend on what fitted before them (a first fit that skips a unit too big for the room
    kept fewer units when a larger room let that unit in); past the run, room left over buys only
    larger forms of kept units, never a new unit.
    """
    chosen: dict[int, Form] = {}
    used = 0
    steps = _steps(profile, headless, excluded)
    stop = len(steps)
    for at, (index, form, cost) in enumerate(steps):
        if used + cost > room:
            stop = at
            break
        chosen[index] = form
        used += cost
    for index, form, _ in steps[stop:]:
        if index not in chosen or not profile.diff.hunks:
            continue
        extra = _cost(profile, index, form) - _cost(profile, index, chosen[index])
        if 0 < extra and used + extra <= room:
            chosen[index] = form
            used += extra
    return chosen


def _steps(profile: _Profile, headless: int, excluded: frozenset[int] = frozenset()) -> list[tuple[int, Form, int]]:
    """The sequence ``_choose`` takes a run of: (unit, its form from then on, tokens the step adds).

    Stat lines in rank order; or hunks: first every hunk the query matches in its smallest form,
    best first; then those hunks grown in rounds up to the lines the query asks about, each round
    one form larger for every hunk (a fact in the fourth hunk is as likely as one in the first);
    then the hunks the query does not match; then rounds up to the trimmed and whole hunks.
    """
    key = (headless, excluded)
    if key not in profile.steps:
        profile.steps[key] = _sequence(profile, headless, excluded)
    return profile.steps[key]


def _sequence(profile: _Profile, headless: int, excluded: frozenset[int]) -> list[tuple[int, Form, int]]:
    diff = profile.diff
    if not diff.hunks:
        return [(line, None, profile.costs[line]) for line in profile.order]
    order = [index for index in profile.order if index not in excluded]
    steps: list[tuple[int, Form, int]] = []
    current: dict[int, Form] = {}
    opened: set[int] = set()

    def add(index: int) -> None:
        hunk = diff.hunks[index]
        extra = profile.opening.get(hunk.file, 0) if hunk.file not in opened and not headless else 0
        if index - 1 not in current and index + 1 not in current:
            extra += profile.marker
        smallest = min(_forms(profile, index, headless), key=lambda f: _cost(profile, index, f))
        current[index] = smallest
        opened.add(hunk.file)
        steps.append((index, smallest, _cost(profile, index, smallest) + extra))

    def grow(rounds: Sequence[str], units: Sequence[int]) -> None:
        for step in rounds:
            if (
                (not headless and step in _HEADLESS_FORMS)
                or (headless and step in _WIDENED)
                or (headless < 2 and step.startswith("plain"))
            ):
                continue
            for index in units:
                form = None if step == "whole" else (profile.ladder.get(step) or getattr(profile, step))[index]
                if form is None and step != "whole":
                    continue
                extra = _cost(profile, index, form) - _cost(profile, index, current[index])
                if extra > 0:
                    current[index] = form
                    steps.append((index, form, extra))

    matching = [index for index in order if profile.focused[index] is not None]
    # hunks no question word selects: code before docs, then the cheapest first, so the run of
    # them that fits keeps as many as the room holds (a big first hunk would stop it at none)
    others = sorted(
        (index for index in order if profile.focused[index] is None),
        key=lambda h: (bool(_DOCS.search(diff.files[diff.hunks[h].file].path)), _smallest(profile, h, headless)),
    )
    # the hunks whose best line scores at least half the diff's best go first and grow before
    # the weaker matches come in (a file name in a docstring matches too)
    best = max((profile.peaks[index] for index in matching), default=0.0)
    strong = [index for index in matching if profile.peaks[index] >= best / 2]
    weak = [index for index in matching if profile.peaks[index] < best / 2]
    ladder = tuple(f"plain_top{k}" for k in _LADDER) if headless > 1 else ("bare", *(f"top{k}" for k in _LADDER))
    for units in (strong, weak):
        for index in units:
            add(index)
        grow(("plain_bare", *ladder, "loose", "spread", "matched", "narrow", "focused"), units)
    for index in others:
        add(index)
    grow(("trimmed", "whole"), order)
    return steps


def _render(
    profile: _Profile, chosen: dict[int, Form], ctx: PieceContext, dropped: Sequence[int] = (), *, brief: bool = False
) -> tuple[str, dict[str, int]]:
    """Kept hunks in their forms, dropped ones and files left without hunks omitted; or stat lines."""
    diff = profile.diff
    omitted = [False] * len(diff.lines)
    header_at: dict[int, str] = {}
    replaced: set[int] = set()
    if not diff.hunks:
        for number in diff.stat:
            omitted[number] = number not in chosen
        return write(diff, omitted, header_at, replaced, ctx, brief=brief, names=profile.names)
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
            if header:
                header_at[first] = header
        # a plain form's lines stand under the mark that took their @@ line
        omitted[hunk.start] = omitted[hunk.start + 1] or not any(header for _, _, header in form)
        if not omitted[hunk.start]:
            replaced.add(hunk.start)
    for section in diff.files:
        if section.collapsible and not any(h in chosen for h in section.hunks):
            omitted[section.start : section.header_end] = [True] * (section.header_end - section.start)
    for number in dropped:
        omitted[number] = True
    return write(diff, omitted, header_at, replaced, ctx, brief=brief, names=profile.names)
