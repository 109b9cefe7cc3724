"""Secrets out of the model's view: find keys, tokens, private keys and passwords in tool output.

A tool output an agent reads (an env dump, a config file, a log, a ``git
remote -v``) often holds credentials the model has no use for and should not
see: once in a prompt they travel to the provider, into logs and caches, and
the model may repeat them. ``redact`` replaces each with a typed mark the model
can still reason about::

    [secret: github token, 40 chars]

The original is kept in the store under the piece's handle, so the caller's
``retrieve`` gives it back; the retrieval tool refuses it unless the caller
allows it (``run_retrieval_tool(..., allow_secrets=True)``).

Detection is a vocabulary of formats with a fixed shape (AWS access key ids,
GitHub, OpenAI, Anthropic, Slack, Stripe and Google keys, JWTs, PEM private key
blocks, passwords in URLs) plus assignments whose name says secret
(``PASSWORD=``, ``api_key:``, ``"token": "..."``), where the value must look
like a credential: not a placeholder or a variable reference, and for generic
names (token, secret, key) of high enough character entropy. Every pattern is
linear on long lines: no nested or unbounded repeats next to each other; PEM
blocks are found by bisection over their END lines (``_private_keys``), since
the pattern's lazy body cost up to 16,384 steps per BEGIN header.
Figures (recall, false positives on real files) are in docs/reliability.md,
measured by ``benchmarks/secret_scan.py``.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass

__all__ = ["Found", "Redacted", "find_secrets", "redact"]


@dataclass(frozen=True)
class Found:
    """One secret: its kind (``"github token"``), and where its text sits in the input."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Redacted:
    text: str
    found: tuple[Found, ...]

    @property
    def kinds(self) -> dict[str, int]:
        """How many of each kind, e.g. ``{"github_token": 1}`` (manifest units: lowercase and ``_``)."""
        return dict(Counter(f.kind.replace(" ", "_") for f in self.found))


# (kind, pattern, group holding the secret). Fixed-shape formats first: where two
# overlap, the first found wins (an Anthropic key also looks like an OpenAI one).
_FORMATS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    (
        "private key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\s:,\-]{16,16384}?"
            r"-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----"
        ),
        0,
    ),
    ("anthropic key", re.compile(r"(?<![A-Za-z0-9_-])sk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_-]{80,120}"), 0),
    (
        "openai key",
        re.compile(r"(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,200}(?![A-Za-z0-9_-])"),
        0,
    ),
    ("github token", re.compile(r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})"), 0),
    (
        "aws access key",
        re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?![A-Z0-9])"),
        0,
    ),
    ("slack token", re.compile(r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,250}"), 0),
    (
        "slack webhook",
        re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{20,32}"),
        0,
    ),
    ("stripe key", re.compile(r"(?<![A-Za-z0-9])(?:sk|rk)_live_[A-Za-z0-9]{20,100}"), 0),
    ("google api key", re.compile(r"(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])"), 0),
    (
        "jwt",
        re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{8,2048}"),
        0,
    ),
    # scheme://user:password@host — only the password goes
    # (up to the last '@' before the host, as URL parsers read a password holding a raw '@')
    (
        "url password",
        re.compile(
            r"\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\s:/@'\"]{1,128}:([^\s/'\"]{1,256})@[\w-]+(?:\.[\w-]+)*(?=[:/\s'\"]|$)"
        ),
        1,
    ),
)

# The secret words: password, passwd, passphrase, pwd, private key, secret, token, api key, apikey,
# access key, auth key, credential(s), client secret. Written as a tree of their shared first letters,
# the scan tries fewer branches where a word could start (1.8 against 2.4 ms on a mean benchmark output
# of 63 KB); no two words match at one place, so the matches are those of the flat list.
_WORD = (
    r"(?P<word>p(?:ass(?:word|wd|phrase)|wd|rivate[_-]?key)|secret|token|"
    r"a(?:pi[_-]?key|pikey|ccess[_-]?key|uth[_-]?key)|c(?:redentials?|lient[_-]?secret))"
)
# NAME = value / name: value / "name": "value". The name must end in a secret word;
# the value is judged by _credential().
_ASSIGNMENT = re.compile(
    r"(?<![A-Za-z0-9_.-])(?P<name>[A-Za-z0-9_.-]{0,40}?" + _WORD + ")"
    r"[\"']?[ \t]{0,8}(?:=|:|=>)[ \t]{0,8}(?P<quote>[\"']?)(?P<value>[^\s\"'<>,;`)(\]\[{}]{6,512})",
    re.IGNORECASE,
)
# searched in a lowercased copy: a case-insensitive regex scan is about fifteen times slower
_WORDS = re.compile(_WORD)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
# literal substrings each format's text must hold: formats absent from a text cost one substring test
_HINTS: dict[str, tuple[str, ...]] = {
    "private key": ("PRIVATE KEY-----",),
    "anthropic key": ("sk-ant-",),
    "openai key": ("sk-",),
    "github token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    "aws access key": ("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"),
    "slack token": ("xox",),
    "slack webhook": ("hooks.slack.com",),
    "stripe key": ("_live_",),
    "google api key": ("AIza",),
    "jwt": ("eyJ",),
    "url password": ("://",),
}
# a format with several hints tests them in one regex search: each ``in`` scans the whole text (AWS's
# eight hints were 1.0 ms on a mean benchmark output of 63 KB, the one search 0.07 ms); one hint stays
# an ``in``, which is as fast or faster
_HINT_SEARCH = {
    kind: re.compile("|".join(map(re.escape, hints))).search for kind, hints in _HINTS.items() if len(hints) > 1
}


def _assignments(text: str) -> list[re.Match[str]]:
    """``_ASSIGNMENT`` matches, tried only where a secret word occurs (one pass of a literal search).

    Scanning with ``_ASSIGNMENT`` itself tries its lookbehind and name at every
    position; starting from each word's name start is the same set of matches.
    """
    out: list[re.Match[str]] = []
    after = 0
    low = text.lower()
    if len(low) != len(text):  # a few characters lowercase to two; keep positions aligned
        low = text.translate(_ASCII_LOWER)
    for word in _WORDS.finditer(low):
        start = word.start()
        floor = max(after, word.start() - 40)
        while start > floor and text[start - 1] in _NAME_CHARS:
            start -= 1
        for begin in range(start, word.start() + 1):
            match = _ASSIGNMENT.match(text, begin)
            if match is not None:
                out.append(match)
                after = match.end()
                break
    return out


_PLACEHOLDER = re.compile(
    r"^(?:\$.*|%\(?\w+\)?s?|\{\{.*\}\}|<.*>|\*+|x+|\.+|-+|_+|changeme|change_me|"
    r"password|secret|token|none|null|nil|true|false|undefined|redacted|hidden|example|your[_-].*|xxx.*|"
    r"os\.environ.*|process\.env.*|env\(.*|getenv.*|self\..*|config\..*|settings\..*|\[secret:.*)$",
    re.IGNORECASE,
)
_PASSWORD_WORDS = ("password", "passwd", "passphrase", "pwd")


def _entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _credential(word: str, value: str) -> bool:
    """Whether an assigned ``value`` looks like a real credential rather than code, a placeholder or prose."""
    if _PLACEHOLDER.match(value) or value.isdigit():
        return False
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?:\(\)?)?", value) and (
        "_" in value or "." in value or value.islower() and word.lower() not in _PASSWORD_WORDS
    ):
        return False  # an identifier or attribute path: code reading a secret, not the secret
    if word.lower() in _PASSWORD_WORDS:
        return len(value) >= 6 and _entropy(value) >= 2.0
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    # words joined by '-' or '_' (a setting's value) are not a key: a key has digits or capitals
    keyish = bool(re.search(r"[0-9A-Z]", value))
    return len(value) >= 16 and classes >= 2 and keyish and _entropy(value) >= 3.3


_KEY_HEAD = re.compile(r"-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----")
_KEY_TAIL = re.compile(r"-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----")
_KEY_TAIL_AT = re.compile(f"(?=(?:{_KEY_TAIL.pattern}))")  # every END line, overlapping ones too
_NOT_KEY_BODY = re.compile(r"[^A-Za-z0-9+/=\s:,\-]")
_KEY_BODY = (16, 16384)  # the body's length, as the pattern's {16,16384}? bounds it


def _private_keys(text: str) -> list[tuple[int, int]]:
    """The spans ``finditer`` of the private key pattern (``_FORMATS[0]``) finds, in linear time.

    The pattern's lazy body runs over anything a body may hold, and the END
    line is made of such characters too, so on a line repeating BEGIN headers
    every header scanned up to 16,384 characters for an END (5 s on 320,000
    characters). Here the END lines and the characters no body may hold are
    found once, and each header looks up the first END at 16 or more
    characters after it (its lazy body's choice) and the first foreign
    character, by bisection: the same spans (compared with the pattern in the
    tests), each header costing a constant. Headers are tried where every
    ``-----BEGIN `` occurs (they may overlap), in order, skipping those inside
    a span already found, as ``finditer`` does.
    """
    tails = [m.start() for m in _KEY_TAIL_AT.finditer(text)]
    foreign = [m.start() for m in _NOT_KEY_BODY.finditer(text)]
    low, high = _KEY_BODY
    out: list[tuple[int, int]] = []
    at = text.find("-----BEGIN ")
    while at >= 0:
        head = _KEY_HEAD.match(text, at)
        if head is not None:
            body = head.end()
            n = bisect.bisect_left(tails, body + low)
            stop = foreign[i] if (i := bisect.bisect_left(foreign, body)) < len(foreign) else len(text)
            if n < len(tails) and tails[n] <= min(body + high, stop):
                tail = _KEY_TAIL.match(text, tails[n])
                assert tail is not None  # tails holds only positions where it matches
                out.append((at, tail.end()))
                at = text.find("-----BEGIN ", tail.end())
                continue
        at = text.find("-----BEGIN ", at + 1)
    return out


def find_secrets(text: str) -> list[Found]:
    """Every secret in ``text``, in order, never overlapping."""
    spans: list[Found] = []
    starts: list[int] = []  # the taken spans, sorted by start; they never overlap, so ends are sorted too
    ends: list[int] = []

    def free(start: int, end: int) -> bool:
        # only the neighbours can overlap: a scan of every taken span was quadratic in findings
        at = bisect.bisect_left(starts, start)
        return (at == 0 or ends[at - 1] <= start) and (at == len(starts) or starts[at] >= end)

    def take(start: int, end: int) -> None:
        at = bisect.bisect_left(starts, start)
        starts.insert(at, start)
        ends.insert(at, end)

    for kind, pattern, group in _FORMATS:
        search = _HINT_SEARCH.get(kind)
        if not (_HINTS[kind][0] in text if search is None else search(text) is not None):
            continue  # a substring test is far cheaper than a regex pass over a long output
        found = _private_keys(text) if kind == "private key" else (m.span(group) for m in pattern.finditer(text))
        for start, end in found:
            if end > start and free(start, end):
                spans.append(Found(kind, start, end))
                take(start, end)
    for match in _assignments(text):
        value = match["value"]
        if match["quote"] and value.endswith(match["quote"]):
            value = value[:-1]
        start = match.start("value")
        end = start + len(value)
        if free(start, end) and _credential(match["word"], value):
            kind = "password" if match["word"].lower() in _PASSWORD_WORDS else "secret"
            spans.append(Found(kind, start, end))
            take(start, end)
    return sorted(spans, key=lambda f: f.start)


def mark(found: Found) -> str:
    """The typed mark the model sees instead of the secret."""
    return f"[secret: {found.kind}, {found.end - found.start} chars]"


def redact(text: str) -> Redacted:
    """``text`` with every secret replaced by its mark, and what was found (empty when none)."""
    found = find_secrets(text)
    if not found:
        return Redacted(text, ())
    parts, last = [], 0
    for item in found:
        parts.append(text[last : item.start])
        parts.append(mark(item))
        last = item.end
    parts.append(text[last:])
    return Redacted("".join(parts), tuple(found))
