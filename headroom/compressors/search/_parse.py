"""Reading search results line by line: which file each line belongs to, and whether it is a match.

Formats: ``grep -rn`` / ``git grep -n`` / ``rg -n`` (``path:12:text``, context
``path-12-text``, ``--`` between groups), the same without line numbers
(``path:text``), ripgrep's heading style (a path alone, then ``12:text``), and
``rg --json`` (one JSON record per line: begin, match, context, end, summary).
A line that is none of these (``Binary file x matches``, a warning, a blank)
belongs to no file; the compressor keeps or counts it like any other.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

__all__ = ["NUMBERED", "Hit", "looks_like_rg_json", "read_results"]

NUMBERED = re.compile(r"^(?P<path>[^\s:]+?)(?P<sep>[:-])(?P<line>\d+)[:-](?P<text>.*)", re.S)
# the path runs to the first ':'; its first '/' is found deterministically (``[^\s:]*/`` tried every '/' of a
# long token, quadratic); the same lines match with the same groups
# the same lines as ``NUMBERED`` and not a date (``2026-11-24T08:00:00Z …``), with the same groups, read
# from the line with its ending: one regex per line where reading 1 MB took a strip and two
_NUMBERED_LINE = re.compile(r"(?!\d{4}-\d\d-\d\d)(?P<path>[^\s:]+?)(?P<sep>[:-])(?P<line>\d+)[:-](?P<text>[^\n]*)")
_BARE = re.compile(r"^(?P<path>[^\s:/]*/[^\s:]+|[^\s:/]+\.[A-Za-z0-9_]{1,8}):(?P<text>.*)", re.S)
_HEADING_LINE = re.compile(r"^(?P<line>\d+)(?P<sep>[:-])(?P<text>.*)", re.S)
_PATH = re.compile(r"^[\w.@+-]*(/[\w.@+-]+)+$|^[\w@+-]+\.[A-Za-z0-9]{1,5}$")
_RG_TYPES = frozenset({"begin", "match", "context", "end", "summary"})


class Hit(NamedTuple):
    """One line of the results: its file (None for a line that is not a result), whether it is a
    match (not context or a record around it), and the words it is ranked by.

    A named tuple, not a frozen dataclass: one is built per line, and a frozen dataclass's
    ``__init__`` (``object.__setattr__`` per field) was a third of reading 1 MB of results."""

    file: str | None
    match: bool
    words: str


_new = tuple.__new__


def looks_like_rg_json(text: str) -> bool:
    """``rg --json`` output: JSON records of ripgrep's five types, one per line."""
    sample = [line for line in text[:100_000].split("\n")[:50] if line.strip()]
    if len(sample) < 2 or not sample[0].startswith('{"type":"begin"'):
        return False
    return all(_rg_record(line) is not None for line in sample[:-1])  # the last may be cut short


def read_results(lines: list[str]) -> list[Hit]:
    if looks_like_rg_json("".join(lines[:50])):
        return [_rg_hit(line) for line in lines]
    hits: list[Hit] = []
    heading: str | None = None
    for line, numbered in zip(lines, map(_NUMBERED_LINE.match, lines)):
        if numbered is not None:  # most lines: a numbered match or context line
            path, sep, body = numbered.group(1, 2, 4)  # path, separator, text: by number, as named
            # ``tuple.__new__`` is what the named tuple's own constructor calls, less a Python frame
            # per line (a sixth of reading 1 MB of results)
            hits.append(_new(Hit, (path, sep == ":", path + " " + body)))
            continue
        text = line.rstrip("\n")
        if heading is not None:
            in_heading = _HEADING_LINE.match(text)
            if in_heading:
                hits.append(Hit(heading, in_heading["sep"] == ":", f"{heading} {in_heading['text']}"))
                continue
        if _PATH.match(text):  # ripgrep's heading: a path alone on its line
            heading = text
            hits.append(Hit(text, False, text))
            continue
        bare = _BARE.match(text)
        if bare and heading is None:
            hits.append(Hit(bare["path"], True, f"{bare['path']} {bare['text']}"))
            continue
        heading = heading if text else None
        hits.append(Hit(None, False, text))
    return hits


def _rg_record(line: str) -> dict[str, object] | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if isinstance(record, dict) and record.get("type") in _RG_TYPES and isinstance(record.get("data"), dict):
        return record
    return None


def _rg_hit(line: str) -> Hit:
    record = _rg_record(line)
    if record is None:
        return Hit(None, False, line)
    data = record["data"]
    assert isinstance(data, dict)
    path = (data.get("path") or {}).get("text")
    if not isinstance(path, str):
        return Hit(None, False, "")  # the summary, or a path ripgrep could only give as bytes
    kind = record["type"]
    text = (data.get("lines") or {}).get("text", "") if kind in ("match", "context") else ""
    return Hit(path, kind == "match", f"{path} {text}")
