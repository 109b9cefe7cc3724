"""Reading unified diffs: file sections, hunks with their line numbers, ``--stat`` lines.

Shared by the diff compressor's selection and its retrieval by file. Nothing
here decides what to keep; it only says what the text is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from headroom.compressors._hunks import HUNK_HEADER, hunk_end, is_context

__all__ = ["Diff", "FileSection", "Hunk", "hunk_header", "is_context", "parse_diff"]


_FILE_START = re.compile(r"^(diff |Index: )")
_GIT_PATHS = re.compile(r"^diff --git (?P<a>\S+) (?P<b>\S+)")
_COMMIT = re.compile(r"^commit [0-9a-f]{7,40}\b")
_STAT = re.compile(r"^ (?P<path>\S.*?) +\| +(?:(?P<changes>\d+)(?: [+-]*)?|Bin .*)$")


@dataclass(frozen=True)
class Hunk:
    """Lines ``start`` (the ``@@`` line) to ``end`` (exclusive), 0-based, of file section ``file``."""

    start: int
    end: int
    file: int
    old_start: int
    new_start: int
    suffix: str
    added: int
    removed: int

    @property
    def changed(self) -> int:
        return self.added + self.removed


@dataclass(frozen=True)
class FileSection:
    """One file's part of a diff: header lines from ``start``, then ``hunks`` (indices into ``Diff.hunks``).

    ``collapsible`` says the header and the hunks are one contiguous stretch,
    so a file none of whose hunks is kept can give way to one marker naming it.
    """

    start: int
    header_end: int
    path: str
    hunks: tuple[int, ...]
    collapsible: bool


@dataclass(frozen=True)
class Diff:
    lines: list[str]
    hunks: list[Hunk]
    files: list[FileSection]
    stat: dict[int, int]  # line index of a ``--stat`` file line -> lines it says changed
    commits: list[int]  # line indices of ``commit <sha>`` lines (git log, git show)

    def file_end(self, index: int) -> int:
        section = self.files[index]
        return self.hunks[section.hunks[-1]].end if section.hunks else section.header_end


def hunk_header(old_start: int, old_count: int, new_start: int, new_count: int, suffix: str = "") -> str:
    """An ``@@`` line as diff writes it: an empty side starts at the line before it, a count of 1 is implied."""

    def side(start: int, count: int) -> str:
        if count == 0:
            start -= 1
        return str(start) if count == 1 else f"{start},{count}"

    return f"@@ -{side(old_start, old_count)} +{side(new_start, new_count)} @@{suffix}"


def parse_diff(lines: list[str]) -> Diff:
    hunks: list[Hunk] = []
    files: list[_OpenFile] = []
    stat: dict[int, int] = {}
    commits: list[int] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _starts_file(lines, index, files):
            files.append(_OpenFile(index))
        if files and files[-1].header_end is None:
            files[-1].read_header(line)
        match = HUNK_HEADER.match(line)
        if match:
            if not files:
                files.append(_OpenFile(index))
            hunk = _read_hunk(lines, index, match, len(files) - 1)
            if files[-1].header_end is None:
                files[-1].header_end = index
            files[-1].hunks.append(len(hunks))
            hunks.append(hunk)
            index = hunk.end
            continue
        if _COMMIT.match(line):
            commits.append(index)
            if files and files[-1].header_end is None:  # a file without hunks ends where a commit starts
                files[-1].header_end = index
        stat_line = _STAT.match(line.rstrip("\n"))
        if stat_line:
            stat[index] = int(stat_line["changes"] or 0)
        index += 1
    sections = [f.close(hunks, files[i + 1].start if i + 1 < len(files) else len(lines)) for i, f in enumerate(files)]
    return Diff(lines, hunks, sections, stat, commits)


class _OpenFile:
    def __init__(self, start: int) -> None:
        self.start = start
        self.header_end: int | None = None
        self.hunks: list[int] = []
        self.old_path = self.new_path = self.git_path = ""

    def read_header(self, line: str) -> None:
        git = _GIT_PATHS.match(line)
        if git:
            self.git_path = _strip_prefix(git["b"], "b/")
        elif line.startswith("--- "):
            self.old_path = _path_of(line[4:])
        elif line.startswith("+++ "):
            self.new_path = _path_of(line[4:])

    def close(self, hunks: list[Hunk], next_start: int) -> FileSection:
        header_end = self.header_end if self.header_end is not None else next_start
        new = self.new_path if self.new_path != "/dev/null" else self.old_path
        path = self.git_path or new or "?"  # git's b/ side names renames and deletions alike
        spans = [(hunks[h].start, hunks[h].end) for h in self.hunks]
        contiguous = bool(spans) and spans[0][0] == header_end and all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
        return FileSection(self.start, header_end, path, tuple(self.hunks), contiguous)


def _starts_file(lines: list[str], index: int, files: list[_OpenFile]) -> bool:
    line = lines[index]
    if _FILE_START.match(line):
        return True
    # a bare unified diff (no "diff" line): "--- a" then "+++ b" opens a file unless a header is open
    if line.startswith("--- ") and index + 1 < len(lines) and lines[index + 1].startswith("+++ "):
        return not files or bool(files[-1].hunks) or files[-1].header_end is not None
    return False


def _read_hunk(lines: list[str], index: int, match: re.Match[str], file: int) -> Hunk:
    end, added, removed = hunk_end(lines, index, match)
    return Hunk(index, end, file, int(match["os"]), int(match["ns"]), match["suffix"], added, removed)


def _path_of(rest: str) -> str:
    return rest.rstrip("\n").split("\t")[0].strip()


def _strip_prefix(path: str, prefix: str) -> str:
    return path[len(prefix) :] if path.startswith(prefix) else path
