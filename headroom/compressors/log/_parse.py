"""Reading a log: each line's level and template, the blocks that belong together, the summaries.

Speed matters (a 10 MB log is 100,000+ lines), so nothing here runs an
unanchored regex over every line: level words are found with ``str.find`` over
the whole text, and only the lines they hit are classified exactly. Anchored
checks (``pattern.match``) fail at the first character and stay cheap. When
most lines start with a timestamp, lines are read behind it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from headroom.compressors.log._vocab import ERROR_HINTS, is_error

__all__ = ["LEVELS", "LogLines", "ends_in_crash", "level_of", "looks_like_json_log", "read_log", "template_of"]

LEVELS = ("error", "warn", "info", "debug")

_WARN = re.compile(r"\b(WARN|WARNING|DEPRECATED)\b|\bwarning:|Warning:|\blevel=warn|\[warn(ing)?\]|^W\d{4} \d\d:", re.I)
_DEBUG = re.compile(r"\b(DEBUG|TRACE)\b|\blevel=(debug|trace)\b|\[(debug|trace)\]")
# a superset of what the three patterns above can match: each is found with str.find, which scans
# a 10 MB log in milliseconds where one regex alternation of them takes a third of a second
_ALL_HINTS = tuple(dict.fromkeys((
    *ERROR_HINTS, "level=", "[warn", "[debug", "[trace", "WARN", "Warn", "warn", "DEPRECATED", "Deprecated",
    "deprecated", "DEBUG", "TRACE",
)))  # fmt: skip
# a hint holding a shorter one finds no line the shorter one does not (``--- FAIL`` and ``FAIL``):
# each is a scan of the whole text, so only the shortest are scanned for
_HINTS = tuple(word for word in _ALL_HINTS if not any(other != word and other in word for other in _ALL_HINTS))
_HINT_AT_START = re.compile(r"E(:| {2,}| \w)|[EFW]\d{4} \d\d:")

_MASK = re.compile(r"\d[0-9a-fA-FxX.:/_+-]*|/[^\s:'\"(),\]]*")  # from a digit on, or a path
_JSON_LEVEL = re.compile(
    r'"(level|severity|lvl|levelname|log\.level|loglevel|@l|levelno|PRIORITY)"\s*:\s*"?([A-Za-z]+|\d+)'
)
_JSON_MESSAGE = re.compile(r'"(?:msg|message|MESSAGE|event|@m|@mt)"\s*:\s*"((?:[^"\\]|\\.)*)"')
_JSON_TIME = re.compile(r'"(?:time|timestamp|ts|@timestamp|@t|asctime|date|datetime|__REALTIME_TIMESTAMP)"\s*:')

_SUMMARY = re.compile(
    r"=+ .*\b(passed|failed|errors?|skipped|xfailed|xpassed|deselected|no tests ran)\b.* =+$|"
    r"=+ (FAILURES|ERRORS|short test summary info) =+$|(FAILED|ERROR) \S+::|"  # pytest
    r"Ran \d+ tests? in |(OK|FAILED)( \(.*\))?$|"  # unittest
    r"(Total tests|Total test files|Result|Tests result|== Tests result):? |\d+ tests? (OK|failed)|"  # python -m test
    r"test result: |\s*Finished |error: (test failed|could not compile)|failures:$|"  # cargo
    r"npm (ERR!|error) |added \d+ packages?|found \d+ vulnerabilit|"  # npm
    r"# (tests|pass|fail|cancelled) \d+|"  # node --test
    r"(Tests|Test Suites): +\d|"  # jest
    r"make(\[\d+\])?: (\*\*\*|Target .* not remade)|"  # make
    r"(Successfully (built|installed|uninstalled)|Failed to build|ERROR: ) ?|\s*Created wheel for |"  # pip
    r"(BUILD|Build) (SUCCESS|SUCCEEDED|FAILED|FAILURE)|"  # maven
    r"(PASS|FAIL)$|(ok|FAIL)\s+\S+\s+\(?[\d.]+s|--- FAIL: "  # go
)
_SECTION_HEAD = re.compile(
    r"(_{3,} .+ _{3,}|-{3,} .+ (stdout|stderr) -{3,})$|(={20,})$"  # pytest test, cargo test, unittest
)
_SECTION_END = re.compile(
    r"(_{3,} .+ _{3,}|=+ .* =+|-{3,} .+ (stdout|stderr) -{3,}|failures:|test result: .*|={20,}|-{20,})$"
)
_UNITTEST_FAIL = re.compile(r"(FAIL|ERROR|UNEXPECTED SUCCESS): ")
_TRACEBACK = re.compile(r"\s*Traceback \(most recent call last\):")
_FRAME = re.compile(r"\s+at \S.*(:\d+\)?|\(<anonymous>\)|\(Native Method\))$")
_STAMP = re.compile(r"\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]? ")
_RECORD = re.compile(r"\[?\d{2,4}[-/:.]\d")  # a timestamped log record starts: a panic's message has ended
_MAX_BLOCK = 2000  # lines; a longer "block" is a misreading, and no budget keeps it whole anyway
_CONTINUES = re.compile(r"\s*(Caused by: |Suppressed: |\.\.\. \d+ more)")
_CHAINED = re.compile(r"(During handling of the above exception|The above exception was the direct cause)")


def level_of(line: str) -> str:
    """``error``, ``warn``, ``debug`` or ``info``, from the words of a plain log line."""
    if is_error(line):  # the vocabulary table of _vocab.py
        return "error"
    if _WARN.search(line):
        return "warn"
    if _DEBUG.search(line):
        return "debug"
    return "info"


def template_of(line: str) -> str:
    """``line`` with its variable parts (numbers, times, hex ids, versions, paths) masked."""
    return _MASK.sub("#", line.strip())


def _json_level(key: str, value: str) -> str:
    if value.isdigit():
        number = int(value)
        if key == "PRIORITY" or (key == "severity" and number <= 7):  # syslog: 0 emerg .. 7 debug
            return "error" if number <= 3 else "warn" if number == 4 else "debug" if number == 7 else "info"
        if key == "levelno":  # Python logging: 10 debug .. 50 critical
            return "error" if number >= 40 else "warn" if number >= 30 else "info" if number >= 20 else "debug"
        # pino and bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal
        return "error" if number >= 50 else "warn" if number >= 40 else "info" if number >= 30 else "debug"
    word = value.lower()
    if word.startswith(("err", "fatal", "crit", "severe", "panic", "emerg", "alert")):
        return "error"
    if word.startswith("warn"):
        return "warn"
    if word.startswith(("debug", "trace", "verbose", "fine")):
        return "debug"
    return "info"


def looks_like_json_log(text: str) -> bool:
    """JSON lines whose records carry a level and a time or message: a log, not data."""
    sample = [line for line in text[:200_000].split("\n")[:200] if line.strip()]
    if len(sample) < 2 or not all(line.lstrip().startswith("{") for line in sample):
        return False
    logged = sum(
        1 for line in sample if _JSON_LEVEL.search(line) and (_JSON_TIME.search(line) or _JSON_MESSAGE.search(line))
    )
    return logged >= 0.8 * len(sample)


def ends_in_crash(text: str) -> bool:
    """Program output that ends in a stack trace: a Python traceback, two or more ``at`` frames
    (Java, Node, .NET) or a Rust panic among its last 60 lines."""
    tail = text[-20_000:].split("\n")[-60:]
    if any(_TRACEBACK.match(line) or "panicked at" in line for line in tail):
        return True
    return sum(1 for line in tail if _FRAME.match(line)) >= 2


@dataclass(frozen=True)
class LogLines:
    """What the compressor needs to know about each line, computed once per piece."""

    lines: list[str]
    levels: list[str]
    templates: list[str]
    run_start: list[int]  # the first line of the run of similar lines each line belongs to
    summaries: list[int]
    blocks: list[tuple[int, int]]  # [start, end) of tracebacks, stack traces, failure sections, diagnostics


def read_log(lines: list[str]) -> LogLines:
    text = "".join(lines)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    bodies = _bodies(lines)
    levels = ["info"] * len(lines)
    at_start = {i for i, body in enumerate(bodies) if _HINT_AT_START.match(body)}
    for i in sorted(_found(_HINTS, text, offsets) | at_start):
        levels[i] = level_of(bodies[i])
    templates = _MASK.sub("#", text).split("\n")
    for i in _json_starts(text, offsets):
        found = _JSON_LEVEL.search(lines[i])
        if found:
            levels[i] = _json_level(found[1], found[2])
            message = _JSON_MESSAGE.search(lines[i])
            templates[i] = f"{levels[i]} {template_of(message[1]) if message else templates[i]}"
    summaries = [i for i, line in enumerate(bodies) if _SUMMARY.match(line)]
    return LogLines(lines, levels, templates, _runs(templates, levels), summaries, _blocks(bodies, levels))


def _bodies(lines: list[str]) -> list[str]:
    """The lines without their timestamp prefix, when most lines have one (``docker logs -t``, CI
    runners), so tracebacks, sections and summaries are found behind it."""
    sample = [line for line in lines[:200] if line.strip()]
    if not sample or sum(1 for line in sample if _STAMP.match(line)) < 0.5 * len(sample):
        return lines
    out = []
    for line in lines:
        stamp = _STAMP.match(line)
        out.append(line[stamp.end() :] if stamp else line)
    return out


def _json_starts(text: str, offsets: list[int]) -> list[int]:
    """Indexes of the lines that open a JSON object: ``{`` after nothing but blanks and tabs.

    Found from each line's first ``{`` (``str.find``), not with an anchored multi-line pattern,
    which the regex engine tries at every character of the text (speed, issue 14)."""
    found: list[int] = []
    at = text.find("{")
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        if not text[start:at].strip(" \t"):
            found.append(bisect.bisect_right(offsets, at) - 1)
        end = text.find("\n", at)
        at = -1 if end < 0 else text.find("{", end)
    return found


def _found(words: tuple[str, ...], text: str, offsets: list[int]) -> set[int]:
    """Indexes of the lines that hold any of ``words``."""
    found: set[int] = set()
    for word in words:
        position = text.find(word)
        while position >= 0:
            index = bisect.bisect_right(offsets, position) - 1
            found.add(index)
            position = text.find(word, offsets[index + 1]) if index + 1 < len(offsets) else -1
    return found


def _runs(templates: list[str], levels: list[str]) -> list[int]:
    """The first line of the run of similar lines each line belongs to (``_similar``); a run's first
    template is split into words once, not once per line it is compared with."""
    start = list(range(len(levels)))
    first = 0
    words = templates[0].split() if templates else []
    for i in range(1, len(levels)):
        if first != start[i - 1]:
            first = start[i - 1]
            words = templates[first].split()
        if levels[i] == levels[first] and _similar(templates[first], templates[i], words):
            start[i] = first
    return start


def _similar(a: str, b: str, left: list[str] | None = None) -> bool:
    """Same template, or as many words with at least half of them the same in the same places
    (``left``: ``a`` split, when the caller has it)."""
    if a == b:
        return True
    left, right = a.split() if left is None else left, b.split()
    if len(left) != len(right) or not left:
        return False
    return 2 * sum(x == y for x, y in zip(left, right)) >= len(left)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _blocks(lines: list[str], levels: list[str]) -> list[tuple[int, int]]:
    n = len(lines)
    blocks: list[tuple[int, int]] = []
    for i, line in enumerate(lines):
        if _SECTION_HEAD.match(line):
            end = _section_end(lines, i)
            if end > i + 1:
                blocks.append((i, end))
    covered = _covered(blocks, n)
    for i in range(n):
        if levels[i] != "error" or covered[i]:
            continue
        end = _traceback_end(lines, i) if _TRACEBACK.match(lines[i]) else _error_end(lines, i)
        if end > i + 1:
            blocks.append((i, end))
            for j in range(i, end):
                covered[j] = True
    return sorted(blocks)


def _covered(blocks: Iterable[tuple[int, int]], n: int) -> list[bool]:
    covered = [False] * n
    for start, end in blocks:
        for j in range(start, end):
            covered[j] = True
    return covered


def _section_end(lines: list[str], head: int) -> int:
    """Where a test-runner failure section that starts at ``head`` ends (exclusive)."""
    first = head + 1
    if lines[head].startswith("="):  # unittest: ====, FAIL: name, its docstring's first line, ----, the traceback
        if not (first < len(lines) and _UNITTEST_FAIL.match(lines[first])):
            return head
        # the traceback starts after the ``----`` rule: two lines on, three when the test has a docstring
        rule = next(
            (j for j in range(first + 1, min(len(lines), first + 4)) if lines[j].startswith("-" * 20)), first + 1
        )
        first = rule + 1
    for j in range(first, min(len(lines), head + _MAX_BLOCK)):
        if _SECTION_END.match(lines[j]):
            return j
    return min(len(lines), head + _MAX_BLOCK)


def _traceback_end(lines: list[str], head: int) -> int:
    """A Python traceback: deeper-indented frames, then the exception line at the header's indent."""
    base = _indent(lines[head])
    for j in range(head + 1, min(len(lines), head + _MAX_BLOCK)):
        line = lines[j]
        if line.strip() and _indent(line) <= base:
            if _TRACEBACK.match(line) or _CHAINED.search(line):
                return j
            return j + 1
    return min(len(lines), head + _MAX_BLOCK)


def _error_end(lines: list[str], head: int) -> int:
    """An error line and what belongs to it: deeper-indented lines (stack frames, a compiler's
    source excerpt, TAP's YAML), Java's ``Caused by:`` chains, a Rust panic's message lines."""
    base = _indent(lines[head])
    panic = "panicked at" in lines[head]
    end = head + 1
    for j in range(head + 1, min(len(lines), head + _MAX_BLOCK)):
        line = lines[j]
        if not line.strip():
            if panic or line in ("\n", ""):
                break
            continue  # whitespace-only lines inside an indented message
        if _indent(line) > base or _CONTINUES.match(line) or (panic and not _RECORD.match(line)):
            end = j + 1
            continue
        break
    return end
