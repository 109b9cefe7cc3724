"""Cutting prose into what the prose compressor chooses among: blocks, headings, sentences, items.

A block is a run of lines up to a blank line (a fenced code block is one
block, blank lines and all). Headings (markdown, underlined, capitals,
numbered clauses, and a lone short line that the next block is indented
under, as in NEWS files, changelogs and man pages) are kept whole. A long paragraph is cut
into sentences (a long wrapped one of fewer than three sentences, such as a list of names or
one long clause, into its lines); a block made of items (bullets, numbered items, ``key: value``
fields, command-line options, the rows of a ``|`` table) into one unit per item (per line under a
question, outside man pages, when an item runs over several lines); anything else is one unit.
A ``|`` table's header row (and the rule under it) is a heading of its rows, whether it shares
their block or stands alone before them: a row kept brings the names of its columns.
Units partition the text, each with the whitespace that follows it, so
keeping a unit keeps its exact characters.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from itertools import accumulate

__all__ = ["TABLE_HEAD", "Block", "Document", "Unit", "blocks_of", "heading_level", "is_heading", "segment"]

_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_CAPS_HEADING = re.compile(r"^[A-Z][A-Z0-9 ,/&()-]{2,60}$")
_NUMBERED = re.compile(r"^\s{0,4}(\d+(\.\d+)*\.|[IVX]+\.|Section \d+)\s+[A-Z][^.!?]{0,80}\.?$")
_UNDERLINE = re.compile(r"^\s*(=+|-+|~+)\s*$")
_OUTLINE = re.compile(r"^(\*{1,4}) \S")  # Emacs outline and org headings, as in GNU NEWS files
# an option as an entry starts with it: ``-s``, ``--all``, ``-?`` (glibc's tools' help), ``+x`` (xterm's ``+ls``)
_OPTION = r"(?:--?[A-Za-z0-9]|-\?(?!\S)|-\?,|\+[A-Za-z])"
_OPTION_HEAD = re.compile(rf"^\s*{_OPTION}")  # a line that starts an option's entry
_TERM_AND_TEXT = re.compile(rf"^\s*{_OPTION}\S*(?: \S+)*? {{2,}}\S")  # ``-m     If the mmp ...``
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_RULE_CELL = re.compile(r":?-{3,}:?")
TABLE_HEAD = 7  # the level of a table's header as a heading: under every real heading
_ITEM = re.compile(rf"^\s*([-*•+]\s+\S|\d{{1,3}}[.)]\s+\S|{_OPTION}|[A-Z][\w.-]{{0,40}}:\s+\S)")
# a sentence ends at . ! ? (and closing quotes or brackets) before whitespace and a capital, digit, quote or bracket;
# tried only where a run of . ! ? starts (inside a run it would end where the run's first try ends), so a line
# of 20,000 dots is one pass, not 20,000 (it was quadratic); what it finds is unchanged, given that the scan
# starts after a blank or a line end, as in ``_cut`` (the lookbehind sees the character before the scan's start)
# the pattern opens with the character class and checks the run's start after it (the character before
# a ``.`` is not one of ``.!?``: the same test as a lookbehind in front), so the engine skips ahead to
# the next ``.!?`` instead of trying the lookbehind at every character: a third of the scan's time
_BOUNDARY = re.compile(r"[.!?](?<![.!?][.!?])[.!?]*[\"'\u201d\u2019)\]]*(\s+)(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(\b(e\.g|i\.e|etc|vs|cf|al|approx|Mr|Mrs|Ms|Dr|Prof|St|No|Nos|Fig|Inc|Ltd|Co|Corp|Jr|Sr|Vol|pp|resp)"
    r"|\b[A-Za-z]|\b\d+)[.]$"
)
_LONG_CHARS = 250  # a paragraph this long with three sentences or more is chosen from by sentence
_LONG_SENTENCE = 300  # a sentence this long is also cut into clauses (``_clauses``)
_CLAUSE = 60  # the shortest clause cut from one
_CLAUSE_END = re.compile(r"[;:]\s+(?=\S)")
_COMMA = re.compile(r",\s+(?=\S)")  # a clause still too long is cut after its commas
_SECTION_INDENT = 3  # a man page's section titles stand at column 0, its subsection titles at 3, its text at 7
_SECTION_TITLE = 60  # the longest section line taken for a title
_MAN_HEADER = re.compile(r"\s*(\S+\([0-9][\w:]*\))\s.*\s\1\s*$")  # ``LS(1)  User Commands  LS(1)``
_HEADER_LINE = 200  # the longest first line looked at for a man page's header
_LINE_ENDS = (".", "!", "?", ":")  # a line that ends a sentence: its writer broke the paragraph there
_WRAP = 80  # the widest line of a paragraph taken for hard-wrapped
_WRAPPED = 100  # a sentence kept from a hard-wrapped paragraph brings at most this much of its lines' rest


@dataclass(frozen=True)
class Unit:
    """Characters ``start`` to ``end`` of the text: a whole paragraph, a sentence or an item."""

    block: int
    start: int
    end: int
    lead: bool  # the first unit of its block
    # characters ``wide_start`` to ``wide_end`` hold the unit and the rest of the wrapped lines it
    # starts and ends on (the tail of the sentence before it, the head of the one after it)
    wide_start: int
    wide_end: int


@dataclass(frozen=True)
class Block:
    """Lines ``first`` to ``last`` (0-based, inclusive, with the blank lines after it), characters ``start`` to ``end``.

    ``kind`` is ``heading`` or ``blank`` (no units: always kept), ``paragraph`` (one unit),
    ``sentences`` or ``lines`` (one unit per item).
    """

    first: int
    last: int
    start: int
    end: int
    kind: str
    units: tuple[int, ...]
    level: int  # a heading's depth, 1 = top; 0 for the rest


@dataclass(frozen=True)
class Document:
    text: str
    blocks: list[Block]
    units: list[Unit]
    line_starts: list[int]
    manual: bool = False  # a rendered man page (``_is_manual``)

    def line_of(self, offset: int) -> int:
        """The 0-based line holding character ``offset``."""
        return bisect.bisect_right(self.line_starts, offset) - 1


def is_heading(block: list[str]) -> bool:
    """Whether a block of non-blank lines is a heading."""
    return heading_level(block, "") > 0


def heading_level(block: list[str], following: str) -> int:
    """How deep a heading the block of non-blank lines is (1 = top), or 0 if it is none.

    ``following`` is the first line after the block's blank lines: a lone short
    line that it is indented under is a heading too (NEWS releases, changelog
    entries), deeper the more it is itself indented.
    """
    if not block:
        return 0
    first = block[0].rstrip("\n")
    if _table_head(block, following):
        return TABLE_HEAD
    if _MARKDOWN_HEADING.match(first):
        return len(first.strip().split()[0])
    if len(block) == 2 and _UNDERLINE.match(block[1]) and first.strip():
        return "=-~".find(block[1].strip()[0]) + 1
    numbered = _NUMBERED.match(first)
    if len(block) > 2 or (len(block) == 2 and not numbered):
        return 0
    if numbered:
        return 1 + numbered[1].count(".") if numbered[1][0].isdigit() else 2
    if _CAPS_HEADING.match(first.strip()):
        return 1
    outline = _OUTLINE.match(first)
    if outline and not first.endswith("."):
        return len(outline[1])
    line = first.rstrip()
    if len(line) <= 100 and not line.endswith((".", ",", ";", ":")) and following.strip():
        return 1 + _indent(line) if _indent(line) < _indent(following) else 0
    return 0


def _table_head(block: list[str], following: str) -> bool:
    """A table's header alone in its block (its row, and the rule under it), with the rows next."""
    return (
        1 <= len(block) <= 2
        and block[0].lstrip().startswith("|")
        and (len(block) == 1 or _is_rule(block[1]))
        and following.lstrip().startswith("|")
    )


def _is_rule(line: str) -> bool:
    """A markdown table's rule (``|---|:--:|``), read by splitting at the pipes (linear)."""
    inner = line.strip().removeprefix("|").removesuffix("|")
    return "-" in inner and all(_RULE_CELL.fullmatch(cell.strip()) for cell in inner.split("|"))


def blocks_of(lines: list[str]) -> list[tuple[int, int]]:
    """``(start, end)`` line spans of the blocks, each with the blank lines that follow it."""
    spans: list[tuple[int, int]] = []
    start = index = 0
    while index < len(lines):
        fence = ""  # the fence of the code block we are in, if any
        while index < len(lines) and (fence or lines[index].strip()):
            # a fence holds three backticks or tildes: the pattern is tried only on such a line
            line = lines[index]
            opening = _FENCE.match(line) if "``" in line or "~~" in line else None
            if not fence and opening:
                fence = opening[1]
            elif fence and fence in line and re.fullmatch(re.escape(fence[0]) + f"{{{len(fence)},}}", line.strip()):
                fence = ""
            index += 1
        while index < len(lines) and not lines[index].strip():
            index += 1
        if index > start:
            spans.append((start, index))
        start = index
    return spans


def segment(text: str, lines: list[str], wrapped_by_line: bool = False) -> Document:
    """The text's blocks and units; ``wrapped_by_line``: a hard-wrapped paragraph of three lines or more
    is cut by line (``_cut``), as it is when a question asks for a part of the text."""
    line_starts = list(accumulate(map(len, lines[:-1]), initial=0))
    blocks: list[Block] = []
    units: list[Unit] = []
    manual = _is_manual(lines)
    spans = _table_heads_apart(lines, _section_lines_apart(lines, blocks_of(lines)))
    for first, end in _atx_apart(lines, spans):
        start = line_starts[first]
        stop = line_starts[end] if end < len(lines) else len(text)
        content = [line for line in lines[first:end] if line.strip()]
        level = heading_level(content, lines[end] if end < len(lines) else "")
        if not content or level:
            blocks.append(Block(first, end - 1, start, stop, "heading" if content else "blank", (), level))
            continue
        kind, cuts = _cut(text, start, stop, lines[first:end], line_starts[first:end], manual, wrapped_by_line)
        number = len(blocks)
        indices = []
        for k, (a, b) in enumerate(zip(cuts, cuts[1:])):
            indices.append(len(units))
            wide = _whole_lines(text, a, b, cuts[0], stop) if kind == "sentences" else (a, b)
            units.append(Unit(number, a, b, k == 0, *wide))
        blocks.append(Block(first, end - 1, start, stop, kind, tuple(indices), 0))
    return Document(text, blocks, units, line_starts, manual)


def _section_lines_apart(lines: list[str], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` with a man page's section or subsection line a block of its own when the text under it
    follows with no blank line (``OPTIONS`` at column 0 or ``   Matcher Selection`` at column 3, the
    first option's entry indented under it): a heading, kept as headings are, and the entry under it a
    block that starts with its option, as every other entry does. Glued to its heading, the first entry
    of each section was one unit with it, whose text did not start with the option it defines."""
    out: list[tuple[int, int]] = []
    for first, end in spans:
        if end - first >= 2 and _section_line(lines[first], lines[first + 1]):
            out += [(first, first + 1), (first + 1, end)]
        else:
            out.append((first, end))
    return out


def _section_line(line: str, following: str) -> bool:
    """A man page's section (column 0) or subsection (column 1-3) title, with the text under it on the next
    line, indented deeper: short, without a sentence's end, not an item (a hanging option line is not one)."""
    title = line.strip()
    return (
        bool(title)
        and _indent(line) <= _SECTION_INDENT < _indent(following)
        and bool(following.strip())
        and len(title) <= _SECTION_TITLE
        and not title.endswith((".", ",", ";", ":"))
        and not _ITEM.match(line)
        and (_CAPS_HEADING.match(title) is not None or _indent(line) > 0)
    )


def _table_heads_apart(lines: list[str], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` with each ``|`` table's header (its first row, and the rule under it) a block of
    its own: a heading of the rows (``TABLE_HEAD``), so a row kept brings the names of its columns."""
    out: list[tuple[int, int]] = []
    for first, end in spans:
        body = [line for line in lines[first:end] if line.strip()]
        before = [line for line in lines[out[-1][0] : out[-1][1]] if line.strip()] if out else []
        if before and _table_head(before, body[0] if body else ""):
            out.append((first, end))  # the rows under a header that stands alone
        elif len(body) >= 3 and all(line.lstrip().startswith("|") for line in body) and lines[first].strip():
            head = 2 if _is_rule(lines[first + 1]) else 1
            out += [(first, first + head), (first + head, end)]
        else:
            out.append((first, end))
    return out


def _atx_apart(lines: list[str], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` with each markdown ``#`` heading line outside fences a block of its own (markdown: a
    heading need not stand between blank lines).

    Glued to the list above it, ``## Variant 1: Drop support for Node.js ...`` was one more item of that
    list, not the heading of the lines under it, and the lines under it went with that list (issue 12).
    Glued to the lines under it (a changelog's ``### Fixed`` then its items), the heading took the items
    into the outline, kept whole or not at all. Only in a text where some ``#`` heading stands alone
    between blank lines: a shell example's comments (``# find all git dependencies`` over its command)
    open the blocks of a fenced body that the ``mixed`` compressor sends here alone. A fenced block glued
    to the line that introduces it ("To verify a signed document with ``xmlsec1`` ...:" then the fence)
    is a block of its own too: with it, the line was one long unit with the code, which lost to the next
    section's copy of the line, cut by line."""
    alone = (
        first
        for first, end in spans
        if _MARKDOWN_HEADING.match(lines[first]) and not any(map(str.strip, lines[first + 1 : end]))
    )
    if next(alone, None) is None:
        return spans
    out: list[tuple[int, int]] = []
    for first, end in spans:
        cut, fence = first, ""
        for index in range(first, end):
            line = lines[index]
            opening = _FENCE.match(line) if "``" in line or "~~" in line else None
            if fence:
                if opening and opening[1][0] == fence[0] and not line.strip().strip(fence[0]):
                    fence, close = "", index + 1  # the fenced block ends here, with the blank lines after it
                    while close < end and not lines[close].strip():
                        close += 1
                    out.append((cut, close))
                    cut = close
            elif opening:
                fence = opening[1]
                if index > cut:  # a fence glued to the text above it is a block of its own, as a heading is
                    out.append((cut, index))
                    cut = index
            elif _MARKDOWN_HEADING.match(line) and (index > first or any(map(str.strip, lines[index + 1 : end]))):
                if index > cut:
                    out.append((cut, index))
                heading_end = index + 1
                while heading_end < end and not lines[heading_end].strip():
                    heading_end += 1
                out.append((index, heading_end))
                cut = heading_end
        if cut < end:
            out.append((cut, end))
    return out


def _whole_lines(text: str, start: int, end: int, first: int, stop: int) -> tuple[int, int]:
    """Where sentence ``start``-``end`` of a paragraph (``first``-``stop``) widens to whole lines.

    In a hard-wrapped paragraph (a man page, a plain-text license) a line is
    what a reader quotes, greps for and cites by number; a sentence kept alone
    would cut the lines it starts and ends on. So a kept sentence brings the
    rest of those lines, when that rest is short (a wrapped line's worth; a
    paragraph written on one long line is not widened), and markers then stand
    between whole lines.
    """
    head = text.rfind("\n", first, start) + 1 or first
    if start - head > _WRAPPED or not text[head:start].strip():
        head = start
    body = text[start:end].rstrip()
    tail = text.find("\n", start + len(body), stop)
    tail = stop if tail < 0 else tail + 1
    if tail <= end or tail - end > _WRAPPED or not text[end:tail].strip():
        tail = end
    return head, tail


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _cut(
    text: str,
    start: int,
    stop: int,
    lines: list[str],
    starts: list[int],
    manual: bool = False,
    wrapped_by_line: bool = False,
) -> tuple[str, list[int]]:
    """The block's kind and the offsets its units start at (its first unit starts after the indentation);
    ``manual``: the text is a man page (``_is_manual``), whose indented paragraphs are cut by line."""
    lead = start + len(lines[0]) - len(lines[0].lstrip())
    body = [line for line in lines if line.strip()]
    if _FENCE.match(body[0]):
        return "paragraph", [lead, stop]
    if len(body) >= 3 and all(line.lstrip().startswith("|") for line in body):
        # a table: one unit per row, so a row that answers scores by itself (issue 12)
        return "lines", [*(s + len(line) - len(line.lstrip()) for line, s in zip(lines, starts) if line.strip()), stop]
    if len(body) >= 3 and _ITEM.match(lines[0]):  # a list starts with an item: its first line (never blank)
        # the other lines are read only then: a long paragraph's every line was matched for nothing
        items = [s + len(line) - len(line.lstrip()) for line, s in zip(lines, starts) if _ITEM.match(line)]
        if len(items) * 2 >= len(body):
            if wrapped_by_line and not manual and len(items) < len(body):
                # under a question, an item's lines are units of their own: an API reference's item of
                # three long lines (144 tokens) was kept whole or not at all, and a 113-token room lost
                # the line asked about with it (issue 12, markdown); a line that goes on with the
                # sentence of the line before brings it (``_select``)
                return "lines", [*(s + _indent(line) for line, s in zip(lines, starts) if line.strip()), stop]
            return "lines", [*items, stop]
    head = _head_lines(body) if _OPTION_HEAD.match(body[0]) else len(body)
    if len(body) >= 3 and head < len(body) and _indent(body[0]) < _indent(body[head]):
        # an option's entry (its option line, the description indented under it): by line, its head
        # the option line and the first line under it (``_by_line``), as a man page is read; a
        # question about the option finds the head, one about a word of it the line holding the word
        return "lines", _by_line(lines, starts, stop, manual)
    if (len(body) >= 3 and manual and min(map(_indent, body)) >= _SECTION_INDENT) or (
        wrapped_by_line and (len(body) >= 3 and _hard_wrapped(body) or not manual and _line_per_sentence(body))
    ):
        # a man page's paragraph (hard-wrapped, indented under its section): by line, whatever its
        # sentences, as the long wrapped paragraphs below (issue 12). A line is what a reader quotes
        # and a question names; kept by sentence or whole, the line asked about ("added to directory
        # names for obfuscation  purposes.   Valid  pad", e4crypt) straddled two sentences or sat in a
        # 48-token paragraph that a 64-token room could not hold, and was lost. So is any hard-wrapped
        # paragraph under a question (a README, a NEWS file, a licence: ``_hard_wrapped``): kept whole or
        # by sentence, a 60-90 token room beside the handle lost the line asked about (issue 12)
        return "lines", _by_line(lines, starts, stop)
    cuts = [lead]
    for match in _BOUNDARY.finditer(text, lead, stop):
        # only the last two words matter: ``rsplit`` from the right reads the sentence's tail, where
        # ``split`` cut the whole sentence into words again at every boundary (a fifth of segmenting)
        words = text[cuts[-1] : match.start(1)].rsplit(None, 1)
        # an abbreviation holds no whitespace, so it is looked for in the last word alone (the
        # sentence ends at a non-space and its words are split at whitespace, so ``\b`` and ``$``
        # read the same there): searching the whole sentence scanned it again at every boundary
        if len(words) >= 2 and not _ABBREVIATION.search(words[-1]):
            cuts.append(match.end(1))
    cuts = _clauses(text, [*cuts, stop])[:-1]
    if len(cuts) >= 3 and stop - start >= _LONG_CHARS:
        return "sentences", [*cuts, stop]
    if len(body) >= 3 and stop - start >= _LONG_CHARS:
        # a long wrapped paragraph of one or two sentences (a list of names, a long clause): by line,
        # so the line a question names is kept without the rest (issue 12: long units shrink)
        return "lines", _by_line(lines, starts, stop)
    return "paragraph", [lead, stop]


def _hard_wrapped(body: list[str]) -> bool:
    """Whether a paragraph's lines were broken by its writer at a fixed width (a plain-text README, a
    NEWS file): every line but the last ends a word before column ``_WRAP``."""
    return all(len(line.rstrip()) <= _WRAP for line in body[:-1])


def _line_per_sentence(body: list[str]) -> bool:
    """Whether a paragraph of two lines or more breaks its lines where its sentences end (markdown written
    a sentence a line: npm's docs): each line is one of its writer's units, as a hard-wrapped line is."""
    return len(body) >= 2 and all(line.rstrip().endswith(_LINE_ENDS) for line in body[:-1])


def _is_manual(lines: list[str]) -> bool:
    """Whether the text is a rendered man page: its first non-blank line names the page and its section
    at both ends (``E4CRYPT(8)   System Manager's Manual   E4CRYPT(8)``)."""
    first = next((line for line in lines[:5] if line.strip()), "")
    return len(first) <= _HEADER_LINE and _MAN_HEADER.match(first) is not None


def _by_line(lines: list[str], starts: list[int], stop: int, manual: bool = False) -> list[int]:
    """One unit per non-blank line; a hanging first line (a term, an option) and the first line under
    it one unit, as in a definition list: the term alone says nothing (xxd's ``-s [+][-]seek``).

    In a man page, an option line that already holds the start of its description (``-m     If the
    mmp feature is enabled ...``, ``--z85  ascii85-like encoding ...``) is a unit of its own: it names
    the option and says what it does, and glued to the next line the head took 40-46 tokens, more
    than a 60-70 token room holds beside its marks, so the answer was lost whole (issue 12). The line
    after it follows within the room left (``_select._line_after``)."""
    firsts = [s + _indent(line) for line, s in zip(lines, starts) if line.strip()]
    body = [line for line in lines if line.strip()]
    head = _head_lines(body)
    told = manual and head == 1 and _TERM_AND_TEXT.match(body[0]) is not None
    if not told and head < len(body) and _indent(body[0]) < _indent(body[head]):
        del firsts[1 : head + 1]
    return [*firsts, stop]


def _head_lines(body: list[str]) -> int:
    """How many lines the head of an entry takes: its first line, and the option lines at the same
    indentation after a first option line (``-h host`` then ``--host=host``, the description under both)."""
    head = 1
    if _OPTION_HEAD.match(body[0]):
        while head < len(body) and _indent(body[head]) == _indent(body[0]) and _OPTION_HEAD.match(body[head]):
            head += 1
    return head


def _clauses(text: str, cuts: list[int], ends: re.Pattern[str] = _CLAUSE_END) -> list[int]:
    """``cuts`` with each sentence longer than ``_LONG_SENTENCE`` characters also cut after its
    colons and semicolons, where a clause of at least ``_CLAUSE`` characters ends on each side.

    A long sentence that would not fit a tight room was kept or dropped whole (a license's
    "Permission is hereby granted, ... subject to the following conditions: The above copyright
    notice ... shall be included in all copies ..." is 90 tokens); its clauses are what a question
    quotes. A clause still longer than that, written on one line (an HTML page's paragraph), is
    cut after its commas the same way (the licence's "Permission is hereby granted, ..." clause
    alone is 75 tokens); a hard-wrapped one is not, as a kept sentence brings its whole lines. A
    clause counts as a sentence in markers.
    """
    out = [cuts[0]]
    for start, end in zip(cuts, cuts[1:]):
        # commas cut only a sentence written on one line: a hard-wrapped one is widened to whole lines
        if end - start > _LONG_SENTENCE and (ends is not _COMMA or "\n" not in text[start:end].rstrip()):
            for match in ends.finditer(text, start, end):
                if match.end() - out[-1] >= _CLAUSE and end - match.end() >= _CLAUSE:
                    out.append(match.end())
        out.append(end)
    if ends is _COMMA or all(b - a <= _LONG_SENTENCE for a, b in zip(out, out[1:])):
        return out
    return _clauses(text, out, _COMMA)
