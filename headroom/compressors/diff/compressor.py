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

This module holds the pressure levels (which loss is spent first); the piece's profile (costs,
ranking, each hunk's forms) is ``_profile.py``, one level's choice and rendering ``_select.py``,
the forms ``_forms.py``, the marks ``_render.py``, the tightest form at the budget's floor (the
matching lines under one summary mark) ``_summary.py``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors._reach import FLOOR
from headroom.compressors.diff._parse import parse_diff
from headroom.compressors.diff._profile import Profile, build_profile
from headroom.compressors.diff._select import HEADLESS, SHORT, by_commit, fit, matching_everywhere
from headroom.compressors.diff._summary import FLOOR_ROOM, SUMMARY, summary
from headroom.errors import InvalidInput
from headroom.plugins import Compressed, Compressor, PieceContext, split_lines

__all__ = ["DiffCompressor"]


class DiffOptions(BaseModel):
    """``max_tokens``: without a budget, diffs above this are cut to it.
    ``context``: lines kept each side of a change when a hunk's context is trimmed."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    max_tokens: int = Field(default=4000, ge=64)
    context: int = Field(default=1, ge=1)


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
        # in a diff of several files a level whose text applies, keeps the best hunk and reaches 0.9
        # of the target is taken at once; in a diff of one file every level is tried (its headers say
        # what the command said: five identical ``Update Lib/`` subjects of a git log -p of io.py
        # took the room of the asked-for line, which level 3 kept); else of
        # the levels the one that keeps the best hunk, then one whose text still applies as a patch,
        # then the one that keeps most hunks the question matches strongly (full marks naming files
        # ate the room of level 3, which kept one hunk where brief marks kept both the question's),
        # then the one that uses most of the room (a run of steps that stopped at a big hunk left
        # half the room), then the lower
        found: list[tuple[tuple[bool, bool, int, int, bool, int, int], Compressed]] = []
        # headless text no longer applies as a patch: worth it only for lines the question asks about
        # (or a file without hunks, a rename or a mode change, that it matches: ``Profile.entries``)
        asked = any(form is not None for form in profile.focused) or bool(profile.entries)
        # a diff of one file (a ``diff -u``, a ``git log -p`` of one path) loses nothing the command
        # did not say when its file headers go to marks; in a diff of several they name each
        # hunk's file, so there a level that keeps them comes first
        one_file = len({section.path for section in profile.diff.files}) <= 1
        tried: list[int] = []  # the headless levels that kept nothing
        how: list[tuple[int, bool, bool]] = []  # each found result's level, plain forms, entries kept
        for level in (0, 1, 2, 3, 4, 5, 6) if profile.diff.hunks else (0,):
            if (
                (level == 1 and not profile.commits)
                or (level >= 2 and not asked)
                or (level == 3 and not profile.faint())
                or (level == 5 and (found or profile.faint(5) == profile.faint()))
                or (level == 6 and (found or not profile.commits))
            ):
                continue
            if level >= 3 and not one_file and any(key[0] and -key[-1] < 3 for key, _ in found):
                break  # several files: whole commits and brief marks only when no level below kept the best hunk
            fitted, entries = fit(profile, target, ctx, level), True
            if fitted is None and level >= 5 and profile.entries:
                # the last resorts: one hunk alone
                fitted, entries = fit(profile, target, ctx, level, entries=False), False
            if fitted is None:
                if level >= 2:
                    tried.append(level)
                continue
            result, rank, (strong, lines), cost = fitted
            short = any(note == SHORT for note in result.fallbacks)
            if (rank == 0 and not short and level < 2 and not one_file) or not profile.diff.hunks:
                return result
            named = level < 2 or one_file
            found.append(((rank == 0, named, strong, lines, level < 2, cost, -level), result))
            how.append((level, False, entries))
            last = level == 1 or (level == 0 and not profile.commits)  # the last level that keeps headers
            if last and rank == 0 and strong >= profile.strong_count and lines >= matching_everywhere(profile):
                # no headless level can beat it (it keeps every strong hunk and every matching line,
                # and ties go to the levels whose headers stay): their fits would be thrown away
                break
        if asked and not any(key[0] for key, _ in found):
            # no level kept the best hunk with its @@ lines: the headless levels that kept nothing once
            # more in plain forms (the new side of ``s = rangec / ...`` with its @@ line took 67 tokens
            # of a 60-token room, alone 48)
            for level in tried:
                fitted = fit(profile, target, ctx, level, plain=True, fill=True)
                if fitted is not None and fitted[1] == 0:
                    return _tightest(profile, target, ctx, fitted[0], fitted[2][1]) if one_file else fitted[0]
        if not found:
            return by_commit(profile, target, ctx)
        if any(key[0] and -key[-1] >= 2 for key, _ in found):
            # every headless level that kept the best hunk once more with its hunks' @@ lines given to
            # the marks before them, judged by the same key: the room an @@ line costs (8 to 19 tokens)
            # buys a line (a 60-token room held one ``import warnings`` of two, each under its @@
            # line), and between as many matching lines the fuller wins (a 64-token diff of
            # mimetypes.py kept the same two lines in 47 tokens plain and 57 under its @@ line; under
            # 0.85 of the room the core sent the generic cut instead, which lost the new line). Every
            # level, not only the chosen one: the plain form of brief marks (level 4) kept the removed
            # side of ``subprocess.Popen`` beside the added one where level 2 kept one of them
            for key, _ in list(found):
                level = -key[-1]
                if level < 2 or not key[0]:
                    continue
                fitted = fit(profile, target, ctx, level, plain=True)
                if fitted is not None and fitted[1] == 0:
                    plain, _, (strong, lines), cost = fitted
                    found.append(((True, key[1], strong, lines, False, cost, -level), plain))
                    how.append((level, True, True))
        best = max(range(len(found)), key=lambda k: found[k][0])
        result = found[best][1]
        level, bare, entries = how[best]
        lines = found[best][0][3]
        if level >= 2 and SHORT in result.fallbacks:
            # the chosen headless form under 0.9 of its target, once more with its room filled a line
            # at a time (``_select._fill``): the same choice and more lines, the levels compared before
            filled = fit(profile, target, ctx, level, plain=bare, entries=entries, fill=True)
            if filled is not None:
                result, lines = filled[0], filled[2][1]
        if level >= 2 and one_file:
            return _tightest(profile, target, ctx, result, lines)
        return result

    def _profile(self, text: str, ctx: PieceContext) -> Profile:
        """Parse, costs, ranking and trimmed forms, once per piece (the allocator asks often)."""
        return self.once_per_piece(
            (text, ctx.query, id(ctx.counter)), lambda: build_profile(text, ctx, self.options.context)
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


def _tightest(profile: Profile, target: int, ctx: PieceContext, result: Compressed, lines: int) -> Compressed:
    """The tightest form at the budget's floor in place of a headless choice (``result``, keeping
    ``lines`` changed lines the question matches): the matching lines under one summary mark
    (``_summary``), taken when it keeps a line the question matches better, or more of them."""
    if target > FLOOR_ROOM:
        return result
    tightest = summary(profile, target, ctx)
    if tightest is None or not _better(profile, tightest[0], tightest[2], result.text, lines):
        return result
    text, omitted, _ = tightest
    under = (SHORT,) if ctx.counter.count(text) < FLOOR * target else ()
    return Compressed(text, omitted={"lines": omitted}, fallbacks=(HEADLESS, SUMMARY, *under))


def _better(profile: Profile, text: str, count: int, than: str, lines: int) -> bool:
    """Whether the tightest form ``text`` (keeping ``count`` changed lines the question matches) beats
    the levels' choice ``than`` (keeping ``lines``): it keeps a line scoring higher than any that choice
    keeps, or as high and more of them. A diff of ``pstats.py`` asked how it deals with ``dataclass``
    kept two ``+@dataclass(unsafe_hash=True)`` lines at a level, as many as the tightest form, which
    held ``from dataclasses import dataclass``, the line scoring best."""

    def best(kept: str) -> float:
        shown = set(split_lines(kept))
        scores, diff_lines = profile.scores, profile.diff.lines
        return max(
            (
                scores[n]
                for n, line in enumerate(diff_lines)
                if scores[n] > 0 and line[:1] in ("+", "-") and line in shown
            ),
            default=0.0,
        )

    ours, theirs = best(text), best(than)
    return ours > theirs + 1e-9 or (ours >= theirs - 1e-9 and count > lines)
