"""The smallest form of a piece of code: the lines the question asks for, their signatures, one mark.

Issue 12: a unit shrinks before it is dropped. Below the smallest skeleton
(every item the question does not name cut behind its mark, the named
function's body shrunk to the path of headers down to its matching lines),
the code compressor had no answer: the generic cut took the piece and kept its
first line and a mark (``import collections`` and 121 lines gone, the asked-for
``return f'MultiplexedPath({paths})'`` with them), or a docstring beside the
signature. In a turn of several tool calls the file read after a search often
gets 20-90 tokens, below every skeleton.

The excerpt keeps, in the file's order and with their line numbers when the
read was numbered:

1. the line that matches the question best (BM25 over the candidate lines,
   the words naming what the call read and the names of the symbols the
   question names left out of the query: every line of the symbol is about
   them), and up to two lines tied with it;
2. the signature of the symbol around it (a method's ``def`` line, a C
   function's declarator), then the signatures of the symbols around that
   (its class);
3. the next best lines, each with its signature; then the lines right above
   and below the kept ones, nearest first, while the room holds.

Candidates are the lines of the symbols the question names (their bodies,
not their head lines), or every line when it names none: a named declaration
with no body (a C prototype) has none, and its excerpt is its head line. Everything else is
one mark listing every range it stands for (``[…118 lines 1-24,26-56,58-122]``,
grammar version 2's summary mark), on the line of the first gap. The excerpt
is text, not code that parses (a body without its blocks' headers does not);
the result says so in a fallback note, so the core records the degradation.
It is only ever sent under a target: where no skeleton fits (instead of the
generic cut), or where the skeleton that fits lost the line the question asks
about and the excerpt keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import partial

from headroom.compressors.code._document import Document
from headroom.compressors.code._order import named
from headroom.compressors.code._outline import Symbol
from headroom.markers import write_ranges
from headroom.plugins import Compressed, PieceContext
from headroom.relevance import BM25, STOP_WORDS, terms, without_call_names

__all__ = ["NOTE", "asked_lines", "best_lines", "excerpt", "vague"]

NOTE = (
    "code kept only the lines the question asks for and their signatures (an excerpt, not parsed): "
    "the room is below the smallest skeleton that keeps them"
)
_TIES = 3  # lines tied with the best that stay with it
_DECORATOR = re.compile(r"^\s*@")
_CHAIN = re.compile(r"[A-Za-z_$][\w$]*(?:(?:\.|::)[A-Za-z_$][\w$]*)+")
_COMMENT = re.compile(r"^\s*(?:#|//|/\*|\*)")
_WORD = re.compile(r"[A-Za-z_$][\w$]*")
_IDENTIFIER_LIKE = re.compile(r"_|\d|.[A-Z]")
_HYPHENATED = re.compile(r"[\w$]+(?:-[\w$]+)+")


def asked_lines(doc: Document, query: str | None, tool_args: str | None) -> tuple[list[int], list[float], set[int]]:
    """The candidate lines of the piece (piece line indexes), their scores against the query, and the
    whole signatures of the symbols the question names (kept when no line of theirs matches)."""
    if (query, tool_args) not in doc.asked:
        doc.asked[query, tool_args] = _asked(doc, query, tool_args)
    return doc.asked[query, tool_args]


def best_lines(doc: Document, query: str | None, tool_args: str | None) -> list[int]:
    """The lines that match the question best (up to ``_TIES`` tied), in the piece's order: of the
    symbols it names, or of the whole file when it names none."""
    candidates, scores, _ = asked_lines(doc, query, tool_args)
    top = max(scores, default=0.0)
    return [line for line, score in zip(candidates, scores) if top > 0 and score >= top - 1e-9][:_TIES]


def vague(doc: Document, query: str | None, tool_args: str | None) -> bool:
    """Whether the question's best lines answer it too weakly to replace a skeleton that fits.

    "What does the main function do?" of a C++ header with no ``main``, "what is this file for?" of
    zlib.h: the best line is whatever holds one of the words (a comment saying "the function
    creates", ``gzFile file));``), and the excerpt of it took the place of the outline, which is what
    such a question wants. A question that names a symbol of the file is never vague; else it is when
    its best lines are all comments, or each holds words found together on more than one line in
    twenty (and more than three): the file's own theme (``loop`` in asyncio's streams.py), not a line. (Counting
    the question's words the best lines miss was tried: "what is the declaration of operator" lost
    its ``operator()`` line to the skeleton, "declaration" being in no line of the file.)
    """
    whole_query, query = query, without_call_names(query, tool_args)
    if not query or not whole_query:
        return True
    if any(outline and named(outline.symbols, whole_query) for outline in doc.outlines):
        return False
    best = best_lines(doc, whole_query, tool_args)
    if all(_COMMENT.match(_bare(doc, line)) for line in best):
        return True
    asked = set(terms(query))
    # a hyphenated word is one word as the question writes it (``strict-allow-scripts``, an option's
    # name), though ``terms`` reads its parts: the parts may each be the file's theme, the whole is not
    hyphenated = set(_HYPHENATED.findall(query.lower()))
    lowered = [line.lower() for line in doc.lines]
    common = max(3, len(lowered) // 20)
    for line in best:
        bare = _bare(doc, line)
        held = (set(terms(bare)) & asked) | {w for w in hyphenated if w in bare.lower()}
        # the words a best line holds, together: two theme words side by side on a few lines are a
        # line, not a theme (``res`` and ``filename`` in libnpmdiff's format-diff.js are each on more
        # than one line in twenty, ``res += `${filename}\n``` is one of three holding both)
        if held and sum(all(term in text for term in held) for text in lowered) <= common:
            return False
    return True


def _asked(doc: Document, query: str | None, tool_args: str | None) -> tuple[list[int], list[float], set[int]]:
    whole_query, query = query, without_call_names(query, tool_args)
    if not query or not whole_query:
        return [], [], set()
    owner: dict[int, str] = {}  # candidate line -> the name of the named symbol it belongs to ("" for none)
    signatures: set[int] = set()  # the named symbols' head lines
    whole: set[int] = set()  # and their whole signatures
    everything: list[int] = []
    for index, outline in enumerate(doc.outlines):
        if outline is None:
            continue
        start = doc.chunks[index].start
        everything.extend(range(start, start + len(doc.chunks[index].lines)))
        # named by the question whole: ``compile`` in py_compile.py names the function (``_order.named``)
        asked = [outline.symbols[k] for k in named(outline.symbols, whole_query)]
        leaves = [s for s in asked if s.kind != "class"]
        for symbol in sorted(asked, key=lambda s: -s.first):  # the innermost first: a line is its symbol's
            head = _head(doc, start, symbol)
            signatures.add(head)
            if symbol.kind != "class" or not leaves:  # a declaration's whole signature, its decorators aside
                whole.update(range(head, start + symbol.signature[1] + 1))
            if leaves and symbol.kind == "class":
                continue  # ``TextWrapper.fill`` asks about ``fill``: its class is where it lives
            # a long parameter list's other lines are candidates: the question may ask about a parameter
            for i in range(head - start + 1, symbol.last + 1):
                owner.setdefault(start + i, symbol.name)
    if not owner and not signatures:  # a question that names no symbol: any line may be the one
        owner = dict.fromkeys(everything, "")
    elif _elsewhere(doc, query, owner, signatures):
        owner = dict.fromkeys(everything, "")
    candidates = sorted(set(owner) - signatures)
    if not candidates:
        return [], [], whole
    bare = {i: _bare(doc, i) for i in candidates}  # without a numbered read's line number
    bm25 = BM25([bare[i] for i in candidates])
    scores = [0.0] * len(candidates)
    owners = {owner[i] for i in candidates}
    # a dotted path that spells a named symbol's path (``TextWrapper.fill``) says which symbol, as a name
    # does; one that does not (``self.repr1`` in "how is self.repr1 computed in repr", ``sys.ps1``) is
    # what the lines are asked about (taking out every path ending in a named symbol's name left
    # ``repr`` nothing to match)
    paths = {"." + o.replace("::", ".") for o in owners if o}
    rest = _CHAIN.sub(partial(_unless_named, paths), query)
    for name in sorted(owners):
        # a symbol's own name says which symbol, not which of its lines (every recursion holds it); the
        # name of another symbol the question names is a word of the question like any other
        wanted = " ".join(terms(_without_name(rest, name)))
        if not wanted:
            continue
        for k, score in enumerate(bm25.scores(wanted)):
            if owner[candidates[k]] == name:
                # a comment says what the code does; the code is what is asked about (a comment that
                # repeats the word, ``# deal with STAR fixed STAR``, outranked the lines using it)
                scores[k] = score / 2 if _COMMENT.match(bare[candidates[k]]) else score
    return candidates, scores, whole


def _elsewhere(doc: Document, query: str, owner: dict[int, str], signatures: set[int]) -> bool:
    """Whether the question names a symbol near the one it asks about: a word of the question that
    reads as an identifier (``enabledCache``: an inner capital, ``_`` or a digit; a plain word may be
    anyone's) is on some line of the file, and no word of the question but a named symbol's own name is
    on a line of the symbols it names. "what does debug do with enabledCache?" of the debug package's
    common.js: ``enabledCache`` is a variable of ``createDebug`` around ``debug``, whose lines only held
    ``enabled`` (a part of it) in ``if (!debug.enabled)``, the line the excerpt then kept. Whole words
    as written only: a part of an identifier says too little. Another named symbol's name is a word of
    the question like any other (``wrap`` on a line of ``fill`` in "how does TextWrapper.fill use
    wrap?")."""
    words = {w.lower() for w in _WORD.findall(query) if len(w) >= 3 and w.lower() not in STOP_WORDS}
    named = {name: {p.lower() for p in re.split(r"\.|::", name)} for name in set(owner.values())}
    every = set().union(*named.values())
    asked = {w for w in _WORD.findall(query) if w.lower() in words - every and _IDENTIFIER_LIKE.search(w)}
    if not asked:
        return False
    for name, parts in named.items():
        held = _words_pattern(words - parts)
        lines = [line for line, of in owner.items() if of == name]
        if held is not None and any(held.search(_bare(doc, line)) for line in lines):
            return False
    held = _words_pattern(words - every)
    if held is not None and any(held.search(_bare(doc, line)) for line in signatures):
        return False
    wanted = _words_pattern({w.lower() for w in asked})
    return wanted is not None and any(wanted.search(line) for line in doc.lines)


def _words_pattern(words: set[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile(r"(?<![\w$])(?:" + "|".join(map(re.escape, sorted(words))) + r")(?![\w$])", re.IGNORECASE)


def _unless_named(paths: set[str], chain: re.Match[str]) -> str:
    """A dotted path of the question, or a space where it spells the end of a named symbol's path."""
    spelled = "." + chain.group(0).replace("::", ".")
    return " " if any(path.endswith(spelled) for path in paths) else chain.group(0)


def _without_name(query: str, name: str) -> str:
    """``query`` with its mentions of ``name``'s parts (``ProxySchemeUnknown``, ``__init__``) taken out,
    whole words only: the words of a name say which symbol, but a word the question also says on its
    own is a word about the lines (``scheme`` in "what happens with scheme inside __init__", whose
    ``__init__`` is ``ProxySchemeUnknown.__init__``: taking the name's split parts out of the question
    took ``scheme`` with them, and every line scored zero). A part inside a dotted path stays: the path
    is what the lines are asked about (``this.destroy`` in "what does destroy do with this.destroy?"
    left ``this.`` alone, a stop word, and every line of ``destroy`` scored zero); a path spelling the
    named symbol's own (``TextWrapper.fill``) was taken out before (``_unless_named``)."""
    parts = sorted({p for p in re.split(r"\.|::", name) if p}, key=len, reverse=True)
    if not parts:
        return query
    pattern = r"(?<![\w$.:])(?:" + "|".join(map(re.escape, parts)) + r")(?![\w$]|(?:\.|::)[A-Za-z_$])"
    return re.sub(pattern, " ", query, flags=re.IGNORECASE)


def _bare(doc: Document, line: int) -> str:
    for chunk in doc.chunks:
        if chunk.start <= line < chunk.start + len(chunk.lines):
            return chunk.lines[line - chunk.start]
    return doc.lines[line]


def excerpt(doc: Document, ctx: PieceContext, target: int) -> Compressed | None:
    """The excerpt within ``target`` tokens (the handle the core writes reserved), or None when the
    question asks for no line, or not even its best line fits."""
    candidates, scores, named_signatures = asked_lines(doc, ctx.query, ctx.tool_args)  # whole signatures
    ranked = sorted((k for k in range(len(candidates)) if scores[k] > 0), key=lambda k: (-scores[k], candidates[k]))
    if not ranked and not named_signatures:
        return None
    best = [candidates[k] for k in ranked if scores[k] >= scores[ranked[0]] - 1e-9][:_TIES] if ranked else []
    units: list[list[int]] = [[line] for line in best]
    for line in best or sorted(named_signatures)[:1]:
        units.extend([s] for s in _signatures(doc, line))
    if not best:  # no line matches beyond the name: the named declarations, each whole (a C prototype)
        for line in sorted(named_signatures):
            if units and units[-1] and units[-1][-1] == line - 1:
                units[-1].append(line)
            else:
                units.append([line])
    for k in ranked[len(best) :]:
        units.append([candidates[k]])
        units.extend([s] for s in _signatures(doc, candidates[k])[:1])
    room = target - ctx.handle_cost
    counted: dict[int, int] = {}

    def cost(line: int) -> int:
        if line not in counted:
            counted[line] = ctx.counter.count(doc.lines[line])
        return counted[line]

    kept: set[int] = set()
    spent = 0
    mark = _Mark(doc, ctx)
    for unit in units:
        new = [line for line in unit if line not in kept]
        extra = sum(cost(line) for line in new)
        if new and spent + extra + mark.cost(kept | set(new)) <= room:
            kept.update(new)
            spent += extra
        elif not kept:  # not even the best line and its mark: the best line alone, behind a bare count
            return _tightest(doc, ctx, target, best[0]) if best else None
    if not kept:
        return None
    asked = [line for line in [*best, *(candidates[k] for k in ranked)] if line in kept]
    for line in _context(doc, list(dict.fromkeys(asked)), kept):
        if spent + cost(line) + mark.cost(kept | {line}) > room:
            break
        kept.add(line)
        spent += cost(line)
    text, omitted = _render(doc, kept, ctx.marker)
    while ctx.counter.count(text) + ctx.handle_cost > target and len(kept) > 1:
        kept.discard(max(kept - set(best[:1]), key=lambda line: abs(line - (best or sorted(kept))[0])))
        text, omitted = _render(doc, kept, ctx.marker)
    if ctx.counter.count(text) + ctx.handle_cost > target or not omitted:
        return None
    return Compressed(text, omitted={"lines": omitted}, output_kind="text", fallbacks=(*doc.notes, NOTE))


def _tightest(doc: Document, ctx: PieceContext, target: int, line: int) -> Compressed | None:
    """The best line alone after one mark with the handle and a count but no ranges, or None when even
    that is over ``target``.

    A room of 20-35 tokens (a file read in a turn of several calls) held no excerpt: its summary mark
    lists every range it stands for (``1-259,261-491``, 7-9 tokens) besides the handle (8), so the
    line the question matches best did not fit, and the piece fell to the generic cut or a bare
    marker. Here the mark says only how many lines went (``[…490 lines]``: every line but the one
    shown, which ``retrieve(handle)`` gives back whole), and the line keeps its number where the read
    had numbers (``cat -n``, ``260→``); a plain read's line loses its indentation, which says nothing
    once the lines around it are gone.
    """
    total = len(doc.lines)
    if total < 2:
        return None
    mark = ctx.marker(total - 1, "lines") + "\n"
    if _bare(doc, line) != doc.lines[line]:  # a numbered read: the line keeps its own number
        shown = [doc.lines[line].rstrip("\n")]
    else:
        # a plain read's line takes its piece line number as ``cat -n`` writes one (number, tab): one
        # token for up to three digits, where the mark's ranges (``1-259,261-491``) cost 7-9; without it
        # when that token is over the room
        bare = doc.lines[line].strip()
        shown = [f"{line + 1}\t{bare}", bare]
    for text in (mark + one for one in shown):
        if ctx.counter.count(text) + ctx.handle_cost <= target:
            return Compressed(text, omitted={"lines": total - 1}, output_kind="text", fallbacks=(*doc.notes, NOTE))
    return None


def _signatures(doc: Document, line: int) -> list[int]:
    """The head line of each symbol holding ``line`` (its ``def``, ``class`` or declarator line, its
    decorators left out), innermost first: a long parameter list's other lines cost what the room
    needs for the lines asked about."""
    out: set[int] = set()
    for index, outline in enumerate(doc.outlines):
        start = doc.chunks[index].start
        if outline is None or not start <= line < start + len(doc.chunks[index].lines):
            continue
        out.update(_head(doc, start, s) for s in outline.symbols if s.signature[0] <= line - start <= s.last)
    return sorted(out - {line}, reverse=True)


def _head(doc: Document, start: int, symbol: Symbol) -> int:
    """The piece line of the symbol's first line past its decorators or attributes."""
    for i in range(start + symbol.signature[0], start + symbol.signature[1] + 1):
        if not _DECORATOR.match(doc.lines[i]):
            return i
    return start + symbol.signature[0]


def _context(doc: Document, around: list[int], kept: set[int]) -> Iterator[int]:
    """Lines next to the lines asked about (``around``, the best first), nearest first, above before
    below at the same distance, out to the whole file (a long item keeps what its room holds of the
    code around its matching lines). Blank lines are context too: one left out between two kept lines
    would add a range to the mark."""
    seen = set(kept)
    for distance in range(1, len(doc.lines)):
        for line in around:
            for near in (line - distance, line + distance):
                if 0 <= near < len(doc.lines) and near not in seen:
                    seen.add(near)
                    yield near


class _Mark:
    """The one mark's cost for a set of kept lines (its ranges change with them), counted once per set of
    ranges."""

    def __init__(self, doc: Document, ctx: PieceContext) -> None:
        self._total = len(doc.lines)
        self._ctx = ctx
        self._known: dict[str, int] = {}

    def cost(self, kept: set[int]) -> int:
        omitted, detail = _gaps(kept, self._total)
        if not omitted:
            return 0
        if detail not in self._known:
            self._known[detail] = self._ctx.counter.count(self._ctx.marker(omitted, "lines", detail) + "\n")
        return self._known[detail]


def _gaps(kept: set[int], total: int) -> tuple[int, str]:
    """How many lines the mark stands for, and its ranges (1-based, inclusive, in the markers' grammar)."""
    stretches: list[tuple[int, int]] = []
    next_line = 0
    for line in [*sorted(kept), total]:
        if line > next_line:
            stretches.append((next_line + 1, line))
        next_line = line + 1
    return total - len(kept), write_ranges(stretches)


def _render(doc: Document, kept: set[int], marker: Callable[[int, str, str | None], str]) -> tuple[str, int]:
    omitted, ranges = _gaps(kept, len(doc.lines))
    out: list[str] = []
    placed = False
    for line, text in enumerate(doc.lines):
        if line in kept:
            out.append(text if text.endswith("\n") else text + "\n")
        elif not placed and omitted:
            out.append(marker(omitted, "lines", ranges) + "\n")
            placed = True
    joined = "".join(out)
    if not doc.lines or not doc.lines[-1].endswith("\n"):
        joined = joined[:-1]
    return joined, omitted
