"""Exact token counts of a text's lines, and of texts joined from counted pieces, by arithmetic.

Split from the counter: these build on any ``TokenCounter`` through its line
rule (``cuts_before_line``) and keep what they learn on the counter itself, so
it lives and dies with it. See docs/tokens.md for why the sums are exact.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from headroom.errors import InvalidInput
from headroom.tokens.counter import TokenCounter

__all__ = ["LineCounts", "count_joined", "line_counts"]


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
