"""Splitting a tool output that holds several kinds of content into sections.

Three kinds of embedded block are found, each a deterministic structural check:

- a fenced block: a line opening with ``` or ~~~ (markdown), the body, and a
  closing fence of the same character at least as long; the fence lines
  themselves are kept as they are;
- embedded JSON: an object or array that parses (``raw_decode``) from a ``{``
  or ``[`` on a line to the end of a line, at least 240 characters or three
  lines long; a prefix before it on its line (``INFO response: {...``) is kept
  as it is; consecutive one-line values (JSON lines) make one block;
- an embedded unified diff: a ``diff --git`` / ``--- a`` + ``+++ b`` header or a
  hunk header, and the run of diff lines after it, holding at least one hunk.

Everything else is text. Sections cover the text exactly, in order, so joining
their texts gives the original back.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass

from headroom.compressors._hunks import HUNK_HEADER, hunk_end
from headroom.plugins import split_lines

__all__ = ["Section", "split_sections", "worth_splitting"]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^`\n]*$")
_DIFF_HEAD = re.compile(r"^(diff --git |diff -\S+ |Index: |@@ -\d+(,\d+)? \+\d+(,\d+)? @@)")
_OLD_NEW = re.compile(r"^--- \S")
_DIFF_LINE = re.compile(
    r"^([ +\-\\]|@@ |diff |index |--- |\+\+\+ |new file mode|deleted file mode|old mode|new mode|similarity index"
    r"|dissimilarity index|rename from|rename to|copy from|copy to|Binary files|Index: |={5,}$)"
)
# a line only a hunk explains: outside one (before its header, past its counts) it ends the diff
_BARE_HUNK_LINE = re.compile(r"^([ +\-\\]|$)(?!\+\+ |-- )")
_WHOLE_DIFF = re.compile(r"^(diff |--- \S|Index: |@@ -\d|commit [0-9a-f]{7,40}\b|From [0-9a-f]{40} )")
_JSON_START = re.compile(r"[{\[](?=\s*[\"{\[\]}\d\-tfn])")
# where a block may start: a fence or diff header at a line start, or an opening bracket anywhere;
# two scans, because one alternation of both ran at half the speed (only the lines they fall on count)
_CANDIDATE_LINE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})|^(?:diff |Index: |@@ -\d|--- \S)", re.M)
_OPEN = re.compile(r"[{\[]")
_MIN_JSON = 240
_DECODER = json.JSONDecoder()
_WINDOW = 4096


@dataclass(frozen=True)
class Section:
    """Characters ``start`` to ``end`` of the text; ``line`` is the 1-based line it starts on.

    ``kind`` is ``keep`` (fence lines, a prefix before embedded JSON: passed
    through), ``block`` (a fenced body, embedded JSON, a diff) or ``text``.
    ``origin`` says which check found a block (``fence``, ``json``, ``diff``).
    """

    start: int
    end: int
    line: int
    kind: str
    origin: str = ""


def split_sections(text: str) -> list[Section] | None:
    """The sections of ``text``, or None when it embeds no block."""
    candidates = [found.start() for found in _CANDIDATE_LINE.finditer(text)]
    candidates += [found.start() for found in _JSON_START.finditer(text)]
    if not candidates:
        return None
    lines = split_lines(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    out: list[Section] = []
    pending = 0  # where the text not yet in a section starts
    lines_run = -1  # where the last block of one-line JSON values ends, to extend it

    def add(begin: int, end: int, kind: str, origin: str = "") -> None:
        nonlocal pending
        if pending < begin:
            out.append(Section(pending, begin, _line_of(starts, pending), "text"))
        pending = end
        out.append(Section(begin, end, _line_of(starts, begin), kind, origin))

    index = 0  # lines before this one are in a section already
    for candidate in sorted({_line_of(starts, char) - 1 for char in candidates}):
        if candidate < index:
            continue
        index = candidate
        found = _fence(lines, index) or _diff(lines, index)
        if found is not None:
            end, origin = found
            if origin == "fence":
                add(starts[index], starts[index + 1], "keep")
                add(starts[index + 1], starts[end - 1], "block", "fence")
                add(starts[end - 1], starts[end], "keep")
            else:
                add(starts[index], starts[end], "block", origin)
            index = end
            continue
        embedded = _json(text, lines, starts, index)
        if embedded is None:
            continue
        begin, end = embedded
        prefixed = bool(text[starts[index] : begin].strip())
        if prefixed:
            add(starts[index], begin, "keep")  # the log line's prefix stays as it is
            add(begin, starts[end], "block", "json")
        elif end == index + 1 and pending == lines_run == starts[index]:
            out[-1] = Section(out[-1].start, starts[end], out[-1].line, "block", "json")  # JSON lines: one block
            pending = starts[end]
        else:
            add(starts[index], starts[end], "block", "json")
        lines_run = starts[end] if end == index + 1 and not prefixed else -1
        index = end
    if pending < len(text):
        out.append(Section(pending, len(text), _line_of(starts, pending), "text"))
    return out if any(s.kind == "block" for s in out) else None


def worth_splitting(text: str, sections: list[Section]) -> bool:
    """Whether the blocks sit among other content, rather than being the content's own shape.

    Not when the text is a diff with its usual headers (the diff compressor keeps
    those), nor when blocks are so many that the text is a line format of its
    own (a structured log whose every line carries JSON).
    """
    first = next((line for line in text.split("\n", 50)[:50] if line.strip()), "")
    blocks = [s for s in sections if s.kind == "block"]
    lines = sum(1 for line in text.split("\n") if line.strip())
    diff_lines = sum(text.count("\n", s.start, s.end) for s in blocks if s.origin == "diff")
    if any(s.origin == "diff" for s in blocks) and (_WHOLE_DIFF.match(first) or diff_lines >= 0.8 * lines):
        return False
    if len(blocks) > 4 and len(blocks) > 0.25 * lines:
        return False
    others = sum(1 for s in sections if s.kind == "text" and text[s.start : s.end].strip())
    fenced = any(s.origin == "fence" for s in blocks)
    return fenced or others > 0


def _line_of(starts: list[int], char: int) -> int:
    """The 1-based line holding ``char``."""
    return bisect.bisect_right(starts, char)


def _fence(lines: list[str], index: int) -> tuple[int, str] | None:
    """The end (exclusive) of a fenced block opening at ``index``."""
    opened = _FENCE.match(lines[index].rstrip("\n"))
    if opened is None or _underline(lines, index, opened.group(1)):
        return None
    fence = opened.group(1)
    closing = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
    for end in range(index + 1, len(lines)):
        if closing.match(lines[end]):
            return (end + 1, "fence") if end > index + 1 else None
    return None


def _underline(lines: list[str], index: int, fence: str) -> bool:
    """A bare fence line under a title at most as long is the title's underline (reStructuredText, man pages).

    ``ast`` over ``~~~`` opened a "code block" that ran to the next underline of the same length,
    so a long document of underlined module names was cut into a few huge blocks and routed as
    mixed. A fence that opens a real block after a sentence is shorter than the sentence, or
    carries an info string.
    """
    if index == 0 or lines[index].strip() != fence:
        return False
    title = lines[index - 1].strip()
    return bool(title) and not _FENCE.match(title) and len(title) <= len(fence)


def _diff(lines: list[str], index: int) -> tuple[int, str] | None:
    """The end (exclusive) of a diff starting at ``index``, if it holds a hunk."""
    line = lines[index]
    if not (
        _DIFF_HEAD.match(line)
        or (_OLD_NEW.match(line) and index + 1 < len(lines) and lines[index + 1].startswith("+++ "))
    ):
        return None
    end, hunks = index, 0
    while end < len(lines):
        current = lines[end]
        header = HUNK_HEADER.match(current)
        if header:
            hunks += 1
            end = hunk_end(lines, end, header)[0]  # a hunk runs to its header's counts
            continue
        if not _DIFF_LINE.match(current) or _BARE_HUNK_LINE.match(current):
            break  # outside a hunk, only file and index headers go on
        end += 1
    return (end, "diff") if hunks and end - index >= 3 else None


def _json(text: str, lines: list[str], starts: list[int], index: int) -> tuple[int, int] | None:
    """``(start char, end line exclusive)`` of JSON embedded from line ``index`` to a line end."""
    tries = 0
    for found in _OPEN.finditer(lines[index]):
        begin = starts[index] + found.start()
        if not _JSON_START.match(text, begin):
            continue
        tries += 1
        if tries > 3:
            break
        decoded = _decode(text, begin)
        if decoded is None:
            continue
        value, end = decoded
        if not isinstance(value, (dict, list)):
            continue
        newline = text.find("\n", end)
        stop = len(text) if newline < 0 else newline + 1
        if text[end:stop].strip():
            continue  # the value does not end its line
        last = _line_of(starts, stop - 1)  # 1-based line holding the value's end
        if end - begin >= _MIN_JSON or last - index >= 3:
            return begin, last
    return None


def _decode(text: str, begin: int) -> tuple[object, int] | None:
    """The JSON value starting at ``begin`` and where it ends, or None.

    Tried on a window first: a failed ``raw_decode`` counts the newlines before
    the failure, so on the whole text each miss costs time in proportion to
    where it happens, and a long log with many brace-led lines went quadratic.
    A value that ends inside the window is the value the whole text holds; a
    syntax error well inside it is an error there too. Only a value that may
    run past the window is decoded from the whole text.
    """
    window = text[begin : begin + _WINDOW]
    try:
        value, end = _DECODER.raw_decode(window)
        return value, begin + end
    except RecursionError:  # nested deeper than the parser can go: the lines stay text
        return None
    except json.JSONDecodeError as error:
        cut_short = len(window) == _WINDOW and (
            error.msg.startswith("Unterminated string") or error.pos >= _WINDOW - 64
        )
        if not cut_short:
            return None
    try:
        value, end = _DECODER.raw_decode(text, begin)
    except (ValueError, RecursionError):
        return None
    return value, end
