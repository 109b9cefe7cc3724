"""Which content type a piece is: an ordered, named chain of detectors.

The first detector that matches wins. Deterministic structural checks come
first (does it parse as JSON, is it a unified diff), heuristics after; ``text``
is what is left. A detected type with no compressor registered for it goes to
the generic compressor, so a detector may land before its compressor does.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from headroom.errors import RegistryError

__all__ = ["BUILTIN_DETECTORS", "Detector", "Router"]

_SAMPLE_LINES = 200


@dataclass(frozen=True)
class Detector:
    name: str
    content_type: str
    matches: Callable[[str], bool]


class Router:
    """An ordered chain of uniquely named detectors."""

    def __init__(self, detectors: Iterable[Detector] = ()) -> None:
        self._chain: list[Detector] = []
        for detector in detectors:
            self.add(detector)

    def add(self, detector: Detector, *, before: str | None = None, replace: bool = False) -> None:
        """Add ``detector`` at the end, or before the one named ``before``."""
        names = [d.name for d in self._chain]
        if detector.name in names:
            if not replace:
                raise RegistryError(
                    f"a detector named {detector.name!r} is already in the chain; "
                    "pass replace=True to swap it, or pick another name"
                )
            self._chain[names.index(detector.name)] = detector
            return
        if before is None:
            self._chain.append(detector)
        elif before in names:
            self._chain.insert(names.index(before), detector)
        else:
            raise RegistryError(f"no detector named {before!r} to insert before; known: {names}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self._chain)

    def detect(self, text: str) -> str:
        for detector in self._chain:
            if detector.matches(text):
                return detector.content_type
        return "text"


def _is_json(text: str) -> bool:
    stripped = text.strip()
    if not stripped or stripped[0] not in "[{":
        return False
    try:
        json.loads(stripped)
    except ValueError:
        return False
    return True


def _is_ndjson(text: str) -> bool:
    lines = [line for line in text.strip().split("\n")[:_SAMPLE_LINES] if line.strip()]
    if len(lines) < 2:
        return False
    return all(line.lstrip()[:1] in "[{" and _is_json(line) for line in lines)


_DIFF_RE = re.compile(
    r"^(diff --git |--- \S.*\n\+\+\+ \S|@@ -\d+(,\d+)? \+\d+(,\d+)? @@"
    r"| \d+ files? changed, \d+ (insertions?\(\+\)|deletions?\(-\)))",  # a --stat summary
    re.M,
)
_GREP_RE = re.compile(r"^(?!\d{4}-\d\d-\d\d)[^\s:]*[A-Za-z_./][^\s:]*[:-]\d+[:-]")  # a path, not a date or time
_LOG_RE = re.compile(
    r"(^\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\b(DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL|TRACE)\b"
    r"|^\[\s*\d+\.\d+\]|^(npm (ERR!|WARN|error|warn)|error(\[E\d+\])?:|warning:)|^={5,}.*={5,}$"
    r"|\b(PASSED|FAILED|SKIPPED|XFAIL|ERROR)\b|::test|\.\.\. (ok|FAIL|ERROR|skipped)|^test \S+ \.\.\. "
    r"|^\S+:\d+:\d+: (error|warning|note):|^\s*(Compiling|Finished|Running|Downloaded|Checking) "
    r"|^\s*(Collecting|Building|Created wheel|Installing|Successfully|Requirement already|copying|creating|writing|running) "
    r"|^(gcc|g\+\+|cc|clang|make)(\[\d+\])?[: ]|^(Setting up|Unpacking|Preparing to unpack|Selecting previously|Processing triggers) "
    r"|^(not )?ok \d+\b|^# (Subtest|tests|pass|fail)\b)",
    re.I,
)
_HEADING_RE = re.compile(r"^(?!\d{4}-\d\d-\d\d)(\d+[:-]|[\w.@+-]*(/[\w.@+-]+)+$|[\w@+-]+\.[A-Za-z0-9]{1,5}$)")
_PROSE_RE = re.compile(r"^\s*(\S+\s+){5,}\S+")  # six words or more
_HTML_RE = re.compile(r"^\s*(<!doctype html|<html[\s>])", re.I)
_HTML_FRAGMENT_RE = re.compile(r"^\s*<(head|body|main|article|section|div|table|ul|p)[\s>]", re.I)
_TAG_LINE_RE = re.compile(r"^\s*</?[A-Za-z]")
_NUMBERED_RE = re.compile(r"^(?!\d{4}-\d\d-\d\d)\d+[:-]")  # a line number under a heading, not a date


def _lazy(module: str, name: str) -> Callable[[str], bool]:
    """A check that lives beside its compressor, imported on first use, not when the router loads."""

    def check(text: str) -> bool:
        found: Callable[[str], bool] = getattr(importlib.import_module(module), name)
        return found(text)

    return check


_looks_like_table = _lazy("headroom.compressors.table.compressor", "looks_like_table")
_looks_like_code = _lazy("headroom.compressors.code._lang", "looks_like_code")
_looks_like_json_log = _lazy("headroom.compressors.log._parse", "looks_like_json_log")
_looks_like_rg_json = _lazy("headroom.compressors.search._parse", "looks_like_rg_json")
_ends_in_crash = _lazy("headroom.compressors.log._parse", "ends_in_crash")


def _is_mixed(text: str) -> bool:
    """Fenced blocks, embedded JSON or an embedded diff among other content.

    What a later detector takes whole stays its own: an HTML page, grep output,
    code (judged on the text around the blocks); a diff with its usual headers
    and a structured log are declined by ``worth_splitting``.
    """
    if _HTML_RE.match(text[:2_000]) or _share(text, _GREP_RE, 0.6) or _share(text, _HEADING_RE, 0.9):
        return False
    from headroom.compressors.mixed._split import split_sections, worth_splitting

    sections = split_sections(text)
    if sections is None or not worth_splitting(text, sections):
        return False
    around = "".join(text[s.start : s.end] for s in sections if s.kind == "text")
    return not _looks_like_code(around)


def _is_html(text: str) -> bool:
    """A page, or a fragment of one: it opens with a block tag and most of its lines start with a tag."""
    head = text[:2_000]
    if _HTML_RE.match(head):
        return True
    if not _HTML_FRAGMENT_RE.match(head):
        return False
    return _share(text, _TAG_LINE_RE, 0.5) or (head.count("\n") < 3 and head.count("</") >= 5)


def _letters(text: str) -> float:
    """Share of letters and spaces in the first 20,000 characters."""
    sample = text[:20_000]
    return sum(c.isalpha() or c.isspace() for c in sample) / max(1, len(sample))


def _share(text: str, pattern: re.Pattern[str], at_least: float) -> bool:
    lines = [line for line in text.split("\n")[:_SAMPLE_LINES] if line.strip()]
    if len(lines) < 3:
        return False
    hits = sum(1 for line in lines if pattern.search(line))
    return hits / len(lines) >= at_least


BUILTIN_DETECTORS: tuple[Detector, ...] = (
    Detector("json", "json", _is_json),
    Detector("search-json", "search", _looks_like_rg_json),
    Detector("jsonlog", "log", _looks_like_json_log),
    Detector("ndjson", "json", _is_ndjson),
    Detector("mixed", "mixed", _is_mixed),
    Detector("diff", "diff", lambda t: _DIFF_RE.search(t[:20_000]) is not None),
    Detector("html", "html", _is_html),
    Detector("search", "search", lambda t: _share(t, _GREP_RE, 0.6)),
    Detector("search-heading", "search", lambda t: _share(t, _HEADING_RE, 0.9) and _share(t, _NUMBERED_RE, 0.5)),
    Detector("log", "log", lambda t: _share(t, _LOG_RE, 0.3) or _ends_in_crash(t)),
    Detector("table", "table", _looks_like_table),
    Detector("code", "code", _looks_like_code),
    Detector("prose", "prose", lambda t: _share(t, _PROSE_RE, 0.4) and _letters(t) > 0.75),
)
