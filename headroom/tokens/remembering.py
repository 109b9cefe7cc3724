"""A counter that counts each line of a call once and every other text from those counts.

Split from the counter itself: the core wraps whatever counter it is given in
one of these for a call; the line rule it adds up by is the counter's
(``TokenCounter.cuts_before_line``, ``counter._CUT_PATTERNS``).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable

from headroom.tokens.counter import _CUT_PATTERNS, TokenCounter

__all__ = ["RememberingCounter"]


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

    A chunk of more than ``inline_chars`` characters not yet known (one-line
    minified JSON, a long table or NDJSON row) is itself summed from its parts
    between the cuts the tokenizer makes inside a line
    (``TokenCounter.cuts_inside_line``, exact: see ``counter.INLINE_CUTS``), each
    remembered the same way, so a minified record counted once is a lookup in
    every other text that holds it. Parts cost a call each where one encode of
    the chunk would do; when after ``PROBE`` parts fewer than a quarter were
    known, the rest of the chunk is encoded in one call (mostly new text: on
    1.5 MB of unique minified JSON, part by part took 2.2x one encode).

    Besides, the counts of the last ``size`` texts of ``min_chars`` or more
    are remembered whole: a compressor counts the form it returns and the core
    counts that same form again.
    """

    PROBE = 256

    def __init__(
        self,
        inner: TokenCounter,
        *,
        size: int = 8,
        min_chars: int = 4096,
        chunk_chars: int = 65_536,
        memo_chars: int = 64_000_000,
        inline_chars: int = 256,
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
        self._inline = inner.cuts_inside_line() if self._cuts is not None else None
        self._inline_chars = inline_chars

    def cuts_before_line(self) -> Callable[[str], bool] | None:
        return self._cuts

    def cuts_inside_line(self) -> re.Pattern[str] | None:
        return self._inline

    def count(self, text: str) -> int:
        if len(text) < self._min_chars:
            return self._by_chunks(text)
        known = self._memo.get(text)
        if known is None:
            known = self._by_chunks(text)
            self._remember(text, known)
        else:
            self._memo.move_to_end(text)
        return known

    def _remember(self, text: str, tokens: int) -> None:
        if len(text) >= self._min_chars:
            self._memo[text] = tokens
            self._memo.move_to_end(text)
            if len(self._memo) > self._size:
                self._memo.popitem(last=False)

    def count_spliced(self, base: str, start: int, end: int, insert: str) -> int:
        """Tokens of ``base[:start] + insert + base[end:]``, by arithmetic when ``base``'s count is remembered.

        A form's first mark gets its handle written in (``markers.mark_piece``) after the compressor
        counted its output; the marked text differs from the counted one in one line. Between two
        unchanged lines the tokenizer cuts before (``cuts_before_line``) the two texts share every
        chunk, so the new count is the old one less that stretch's count plus the new stretch's: exact
        (tests/test_tokens_remembering.py), and only the one or two chunks around the edit are read.
        Without ``base``'s count at hand, or without a line rule, the spliced text is counted.
        """
        known = self._memo.get(base) if len(base) >= self._min_chars else None
        cuts = self._cuts
        if known is None or cuts is None or not 0 <= start <= end <= len(base):
            return self.count(base[:start] + insert + base[end:])
        self._memo.move_to_end(base)
        first, last = _cut_before(base, start, cuts), _cut_after(base, end, cuts)
        found = known - self.count(base[first:last]) + self.count(base[first:start] + insert + base[end:last])
        self._remember(base[:start] + insert + base[end:], found)  # the core counts the form it sends again
        return found

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
            # a chunk already known is a lookup here, not a method call: the run.py cases count
            # 630,000 chunks, nearly all known (a recount of known chunks takes 0.85 of the time)
            chunks, total, start = self._chunks, 0, 0
            for found in pattern.finditer(text, newline):
                end = found.end()
                chunk = text[start:end]
                known = chunks.get(chunk)
                total += self._chunk(chunk) if known is None else known
                start = end
            known = chunks.get(text[start:])
            return total + (self._chunk(text[start:]) if known is None else known)
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
            if self._inline is not None and len(chunk) > self._inline_chars:
                return self._part(chunk, self._by_parts(chunk))
            return self._part(chunk)
        return known

    def _by_parts(self, chunk: str) -> int:
        """``chunk``'s count as the sum of its parts between cuts inside a line, each looked up or encoded once."""
        assert self._inline is not None
        chunks, total, start, known_parts, new_parts = self._chunks, 0, 0, 0, 0
        for found in self._inline.finditer(chunk):
            end = found.end()
            part = chunk[start:end]
            known = chunks.get(part)
            if known is None:
                new_parts += 1
                if new_parts + known_parts > self.PROBE and known_parts * 3 < new_parts:
                    break  # mostly new text: the rest from this cut on in one encode (exact at a cut)
                known = self._part(part)
            else:
                known_parts += 1
            total += known
            start = end
        rest = chunk[start:]
        known = chunks.get(rest)
        return total + (self._part(rest) if known is None else known)

    def _part(self, part: str, known: int | None = None) -> int:
        """``part``'s count (``known``, or encoded now), remembered while it is short and there is room."""
        if known is None:
            known = self.inner.count(part)
        if len(part) <= self._chunk_chars and self._room >= len(part):
            self._chunks[part] = known
            self._room -= len(part)
        return known


def _cut_before(text: str, at: int, cuts: Callable[[str], bool]) -> int:
    """The start of the last line before the one holding offset ``at`` that ``cuts`` accepts; or 0."""
    begin = text.rfind("\n", 0, at) + 1  # the edited line's start: its own cut may change
    while begin > 0:
        previous = text.rfind("\n", 0, begin - 1) + 1
        if previous > 0 and cuts(text[previous:begin]):
            return previous
        begin = previous
    return 0


def _cut_after(text: str, at: int, cuts: Callable[[str], bool]) -> int:
    """The start of the first line after the one holding offset ``at`` that ``cuts`` accepts; or the end."""
    newline = text.find("\n", at)
    while newline >= 0:
        begin = newline + 1
        newline = text.find("\n", begin)
        line = text[begin:] if newline < 0 else text[begin : newline + 1]
        if line and cuts(line):
            return begin
    return len(text)
