"""Writing a chosen diff: kept lines verbatim, re-headed hunks, one marker per run of omitted lines.

A marker that stands before a kept hunk of the same file rides on that hunk's
``@@`` line, where ``git apply`` and ``patch`` ignore it; anywhere else it
gets a line of its own. Runs are cut at commit boundaries, so a marker counts
either whole commits or the hunks and lines of one commit.
"""

from __future__ import annotations

import bisect
from collections import Counter

from headroom.compressors.diff._parse import Diff
from headroom.plugins import PieceContext

__all__ = ["short_names", "write"]


def short_names(paths: list[str]) -> list[str]:
    """Each path by its shortest tail of components that no other path of the diff ends with.

    A mark names a file whose header it stands for; the tail is what tells the file apart
    (``mimetypes.py``, not a 20-token install prefix), and ``files=`` retrieval takes a tail.
    """
    parts = [path.split("/") for path in paths]
    # how many distinct paths end with each tail: one pass, not each path against every other
    # (a 1 MB diff's files compared pairwise were a sixth of a render)
    ending = Counter(tuple(path[-size:]) for path in {tuple(p) for p in parts} for size in range(1, len(path) + 1))
    out = []
    for mine in parts:
        for size in range(1, len(mine) + 1):
            if size == len(mine) or ending[tuple(mine[-size:])] == 1:
                break
        out.append("/".join(mine[-size:]))
    return out


def write(
    diff: Diff,
    omitted: list[bool],
    header_at: dict[int, str],
    replaced: set[int],
    ctx: PieceContext,
    *,
    patches_under_stat: bool = False,
    brief: bool = False,
    names: list[str] | None = None,
    marks: dict[tuple[int, int, bool, bool], tuple[str, str, int]] | None = None,
) -> tuple[str, dict[str, int]]:
    """The text and what its markers omit, per unit.

    ``header_at`` holds new ``@@`` lines to write before a kept line;
    ``replaced`` the original ``@@`` lines they stand for (neither kept nor
    omitted). With ``patches_under_stat``, a marker for a commit's whole patch
    leaves the file names to the commit's ``--stat`` block. With ``brief``, a
    marker says its count, unit and line range only. ``names``: the files' ``short_names``, when
    the caller renders one diff many times (a sixth of a render's time was spent naming them).
    ``marks``: the marks already written for this diff and context, by range and form, kept by a
    caller that renders it many times (the budget search writes the same stretches over and over).
    """
    writer = _Writer(diff, ctx, patches_under_stat, names, marks)
    writer.brief = brief
    starts = {hunk.start for hunk in diff.hunks}
    # the kept lines that are not plain (an @@ line, or a line a new @@ line opens), in order
    special = sorted(starts.union(header_at))
    lines = diff.lines
    index, count = 0, len(lines)
    while index < count:
        if omitted[index]:
            # a stretch of omitted lines at once: under a budget most of a large diff is omitted,
            # and a call per line was most of the time of a render (found with ``list.index``, in C)
            try:
                end = omitted.index(False, index)
            except ValueError:
                end = count
            writer.omit(index, end)
            index = end
            continue
        line = lines[index]
        if index in header_at:
            writer.keep(header_at[index], line)
        elif index in starts:
            if index not in replaced:
                writer.keep(line, "")
        else:
            # a stretch of plain kept lines at once, up to the next omitted or special line: a
            # call per kept line was most of a render's time once levels keep whole headers
            try:
                end = omitted.index(True, index + 1)
            except ValueError:
                end = count
            at = bisect.bisect_right(special, index)
            if at < len(special):
                end = min(end, special[at])
            writer.keep(None, line)
            writer.out.extend(lines[index + 1 : end])
            index = end
            continue
        index += 1
    return writer.finish()


class _Writer:
    """Writes kept lines and turns each run of omitted lines into one marker, placed where patches stay valid."""

    def __init__(
        self,
        diff: Diff,
        ctx: PieceContext,
        patches_under_stat: bool,
        names: list[str] | None,
        marks: dict[tuple[int, int, bool, bool], tuple[str, str, int]] | None = None,
    ) -> None:
        self.diff, self.ctx, self.patches_under_stat = diff, ctx, patches_under_stat
        self.marks = marks if marks is not None else {}
        self.out: list[str] = []
        self.run: list[int] = []
        self.omitted: dict[str, int] = {}
        self.starts = sorted(section.start for section in diff.files)
        self.commits = set(diff.commits)
        self.commit_list = sorted(diff.commits)
        self.hunk_starts = [hunk.start for hunk in diff.hunks]
        self.names = names if names is not None else short_names([section.path for section in diff.files])
        self.brief = False

    def omit(self, first: int, end: int) -> None:
        """Lines ``first`` to ``end`` (exclusive) omitted: they join the pending run, which a
        ``commit`` line cuts when the run did not start at one (a kept commit's tail ends there)."""
        at = bisect.bisect_left(self.commit_list, first)
        position = first
        while at < len(self.commit_list) and self.commit_list[at] < end:
            commit = self.commit_list[at]
            if position < commit:
                self._extend(position, commit - 1)
            if self.run and self.run[0] not in self.commits:
                self._line(self._marker(*self.run)[0])
                self.run = []
            self._extend(commit, commit)
            position, at = commit + 1, at + 1
        if position < end:
            self._extend(position, end - 1)

    def _extend(self, first: int, last: int) -> None:
        if not self.run:
            self.run = [first, first]
        self.run[1] = last

    def keep(self, header: str | None, line: str) -> None:
        """``header``: an @@ line that opens what follows, which may carry the pending marker."""
        if self.run:
            marker = self._marker(*self.run)
            self.run = []
            if header is not None and not self._holds_file_start(marker):
                header = header.rstrip("\n") + " " + marker[0] + "\n"
            else:
                self._line(marker[0])
        self.out.append((header or "") + line)

    def finish(self) -> tuple[str, dict[str, int]]:
        if self.run:
            self._line(self._marker(*self.run)[0])
        return "".join(self.out), self.omitted

    def _line(self, text: str) -> None:
        if self.out and not self.out[-1].endswith("\n"):
            self.out.append("\n")
        self.out.append(text + "\n")

    def _holds_file_start(self, marker: tuple[str, int, int]) -> bool:
        _, first, last = marker
        at = bisect.bisect_left(self.starts, first)
        return at < len(self.starts) and self.starts[at] <= last

    def _marker(self, first: int, last: int) -> tuple[str, int, int]:
        key = (first, last, self.brief, self.patches_under_stat)
        if key not in self.marks:
            counted: dict[str, int] = {}
            self.omitted, kept = counted, self.omitted
            text = self._mark(first, last)
            self.omitted = kept
            ((unit, count),) = counted.items()
            self.marks[key] = (text, unit, count)
        text, unit, count = self.marks[key]
        self.omitted[unit] = self.omitted.get(unit, 0) + count
        return text, first, last

    def _mark(self, first: int, last: int) -> str:
        diff = self.diff
        span = f"{first + 1}-{last + 1}"
        low = bisect.bisect_left(self.hunk_starts, first)
        high = bisect.bisect_right(self.hunk_starts, last)
        inside = [h for h in diff.hunks[low:high] if h.end - 1 <= last]
        commits = bisect.bisect_right(diff.commits, last) - bisect.bisect_left(diff.commits, first)
        totals = f"+{sum(h.added for h in inside)} -{sum(h.removed for h in inside)}"
        if commits:
            return self._count(commits, "commits", f"{span} {totals}" if inside else span)
        if inside and self.patches_under_stat and self._whole_patch_under_stat(first, last):
            return self._count(len(inside), "hunks", f"{span} {totals}")  # the --stat block names the files
        if inside:
            counts: dict[int, list[int]] = {}
            for hunk in inside:
                added_removed = counts.setdefault(hunk.file, [0, 0])
                added_removed[0] += hunk.added
                added_removed[1] += hunk.removed
            parts = []
            for file, (added, removed) in counts.items():
                section = diff.files[file]
                named = first <= section.start <= last and section.header_end > section.start
                parts.append(f"{self.names[file] + ' ' if named else ''}+{added} -{removed}")
            return self._count(len(inside), "hunks", f"{span} {', '.join(parts)}")
        stat = [diff.stat[i] for i in range(first, last + 1) if i in diff.stat] if not diff.hunks else []
        if stat:
            return self._count(len(stat), "files", f"{span} {sum(stat)} lines changed")
        return self._count(last - first + 1, "lines", span)

    def _whole_patch_under_stat(self, first: int, last: int) -> bool:
        """Whether lines ``first``-``last`` are every file of one commit whose header has a ``--stat`` block."""
        commits = self.diff.commits
        at = bisect.bisect_right(commits, first) - 1
        if at < 0:
            return False
        start = commits[at]
        end = commits[at + 1] if at + 1 < len(commits) else len(self.diff.lines)
        files = [number for number, section in enumerate(self.diff.files) if start <= section.start < end]
        if not files or self.diff.files[files[0]].start != first or last < self.diff.file_end(files[-1]) - 1:
            return False
        return any(start <= line < first for line in self.diff.stat)

    def _count(self, count: int, unit: str, detail: str) -> str:
        self.omitted[unit] = self.omitted.get(unit, 0) + count
        return self.ctx.marker(count, unit, detail.split(" ", 1)[0] if self.brief else detail)
