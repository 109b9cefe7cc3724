"""The error vocabulary across ecosystems: what makes a log line an error, as one table.

Each row is a pattern, whether it is matched regardless of case, the words ``str.find`` looks
for before the pattern is tried (a superset: a line without any of them cannot match), and
where the convention comes from. Case-insensitive where tools disagree on case (``Failed
to`` / ``failed to``, ``Cannot`` / ``cannot``); case-sensitive where the case is the signal
(``FAILED`` is a test result, "failed" inside a package name is not; pytest's ``E`` and apt's
``E:`` stand at the start of the line).
"""

from __future__ import annotations

import re

__all__ = ["ERROR", "ERROR_HINTS", "ERROR_TABLE", "is_error"]

# (pattern, ignore case, hint words, where it comes from)
ERROR_TABLE: tuple[tuple[str, bool, tuple[str, ...], str], ...] = (
    (r"\b(ERROR|ERR!|FATAL|CRITICAL|SEVERE|PANIC|EMERG|ALERT|FAILED|FAILURE|FAIL)\b", False,
     ("ERR", "FATAL", "CRITICAL", "SEVERE", "PANIC", "EMERG", "ALERT", "FAIL"), "log levels, test results"),
    (r"\bfailed to\b|\bfailure:", True, ("ailed to", "AILED TO", "ailure:"), "systemd, most daemons"),
    (r"\b(fatal )?error(\[E\d+\])?:", True, ("rror", "RROR"), "gcc, rustc, cargo, pip, git"),
    (r"\bfatal:", True, ("atal:", "ATAL:"), "git"),
    (r"^[\w.+-]+(\[\d+\])?: (fatal )?error\b", True, ("rror", "RROR"),
     "GNU diagnostics: the program's name, then the message (tar: Error is not recoverable)"),
    (r"^E(:| {2,}| \w)", False, ("E",), "apt (E:), pytest (E   assert)"),
    (r"\b(cannot|can't|could not|unable to)\b", True,
     ("annot", "ANNOT", "an't", "ould not", "OULD NOT", "nable to", "NABLE TO"), "coreutils, tar, apt, pip"),
    (r"no such file or directory|command not found|permission denied|not found:", True,
     ("o such file", "O SUCH FILE", "not found", "NOT FOUND", "ermission denied", "ERMISSION DENIED"),
     "POSIX errno, shells"),
    (r"Traceback \(most recent call last\)|^[\w.$]*(Error|Exception)\b|^Exception in thread |\bException:", False,
     ("Traceback", "rror", "xception"), "Python, Java"),
    (r"panicked at|^panic: |\bSegmentation fault\b|\(core dumped\)", False,
     ("panic", "Segmentation", "core dumped"), "Rust, Go, C"),
    (r"^npm (ERR!|error)", False, ("npm",), "npm"),
    (r"make(\[\d+\])?: \*\*\*", False, (": ***",), "make"),
    (r"\bexit (code|status):? [1-9]|\bexited with (code |status )?[1-9]|\breturned non-zero|\bnon-zero exit", True,
     ("xit ", "XIT ", "xited", "on-zero", "ON-ZERO"), "shells, CI runners, subprocess"),
    (r"^not ok \d+|^--- FAIL: ", False, ("not ok", "--- FAIL"), "TAP, go test"),
    (r"\blevel=(error|fatal|crit\w*|panic)\b|\[(error|crit|alert|emerg)\]", False,
     ("level=", "[error", "[crit", "[alert", "[emerg"), "logfmt, Apache"),
    (r"^[EF]\d{4} \d\d:\d\d", False, (), "glog"),
)  # fmt: skip

ERROR = re.compile("|".join(f"(?i:{p})" if fold else f"(?:{p})" for p, fold, _, _ in ERROR_TABLE))
ERROR_HINTS: tuple[str, ...] = tuple(
    dict.fromkeys(word for _, _, words, _ in ERROR_TABLE for word in words if len(word) > 1)
)

# each row on its own, with the hints that gate it (lower-cased where the row ignores case)
_ROWS: tuple[tuple[re.Pattern[str], bool, tuple[str, ...]], ...] = tuple(
    (re.compile(f"(?i:{p})" if fold else p), fold, tuple(dict.fromkeys(w.lower() for w in words)) if fold else words)
    for p, fold, words, _ in ERROR_TABLE
)


def is_error(line: str) -> bool:
    """Whether ``ERROR`` matches somewhere in ``line``, found row by row: a row is tried only when
    one of its hints is in the line (speed, issue 14: the alternation of every row took three
    quarters of a log's level reading, on lines most of which hold a hint word and no error).

    An alternation matches where one of its rows does, so trying the rows one by one answers the
    same. The hints are a superset of what their row matches for ASCII text, where ignoring case
    is comparing lower-cased text; a line with other characters tries every row (``(?i)`` also
    folds a few non-ASCII letters onto ASCII ones, the Kelvin sign onto ``k``).
    """
    plain = line.isascii()
    low = line.lower() if plain else line
    for pattern, fold, hints in _ROWS:
        if plain and hints and not any(hint in (low if fold else line) for hint in hints):
            continue
        if pattern.search(line):
            return True
    return False
