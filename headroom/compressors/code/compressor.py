"""Source code: the skeleton stays, bodies that do not matter go, and the result still parses.

A piece is split into files (``_code_lang``: line-number prefixes set aside,
several files under headers), each parsed once: Python by ``ast``, JavaScript,
TypeScript, Go, Rust, Java, C and C++ by one ``ast-grep`` scan per file, any
other language by a brace- or indentation-aware fallback. Each parser reports
the same outline (``_code_outline``): symbols, and regions that may be cut at
four stages. The default (no budget pressure) cuts the bodies of functions
longer than ``short_body_lines`` (shorter ones where the cut saves 4 real
tokens) and the rest of long docstrings and doc comments, so imports,
signatures with their decorators, constants, types and each docstring's first
line stay; a body the query names (``parse_args``,
``Parser.parse_args``) is never cut, nor anything around it. Under a budget
the cuts go further: irrelevant regions first (BM25 against the query), stage
by stage (more bodies, then whole docstrings, then whole items), then the
relevant ones. Each cut is one marker line in the language's comment syntax,
naming its line range and the calls it held:

    def parse_known_args(self, args=None, namespace=None):
        ...  # […40 lines 1890-1929 calls: _parse_known_args, error]

Every output is parsed again (Python compiled, the others re-scanned for
error nodes). An error node counts against the output unless the original
has one starting at the same place (mapped back through the cuts); the cuts
that caused a new one are found (the markers at and before it, else by
bisecting the cuts in line order) and their lines kept instead.
``retrieve(handle, symbol="Parser.parse_args")`` returns a symbol's exact
original lines.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors.code._astgrep import LANGUAGES, AstGrepError, error_spans, find_binary, outline_astgrep
from headroom.compressors.code._fallback import outline_fallback
from headroom.compressors.code._lang import Chunk, file_name_in, guesses, split_piece
from headroom.compressors.code._outline import (
    DEFAULT,
    ITEM,
    SHORT,
    SHORT_CUT_LINES,
    Outline,
    Region,
    Rendered,
    Symbol,
    calls_in,
    effective,
    groups,
    render,
    short_list,
)
from headroom.compressors.code._python import outline_python, syntax_error
from headroom.errors import InvalidInput
from headroom.markers import render_mark
from headroom.plugins import Compressed, Compressor, PieceContext, TokenCounter, shrink_to_fit
from headroom.relevance import BM25, STOP_WORDS

__all__ = ["CodeCompressor"]

_MIN_SAVING = 4  # tokens: a cut that saves less than this over its mark's real cost is not made
_MIN_SHORT_SAVING = 4  # the same for a short body at the default level
_REACH = 0.9  # under a target R, the output aims at 0.9R to R (issue 12)
_GIVE_BACK = 12  # renders spent undoing cuts to get there
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
_CHECKS = 16  # parser runs one output may spend finding the cuts that broke it


class CodeOptions(BaseModel):
    """``short_body_lines``: bodies of at most this many lines stay at the default level."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    short_body_lines: int = Field(default=3, ge=0)


@dataclass
class _Document:
    """A piece parsed once: its chunks, each code chunk's outline, and what had to fall back."""

    lines: list[str]
    chunks: list[Chunk]
    outlines: list[Outline | None]
    notes: tuple[str, ...]
    binary: str | None
    costs: list[list[int]] | None = None
    orders: dict[str | None, tuple[list[tuple[int, Region]], list[tuple[int, Region]]]] = field(default_factory=dict)
    complaints: dict[tuple[int, str], tuple[tuple[int, int], ...] | None] = field(default_factory=dict)
    broken: set[tuple[int, Region]] = field(default_factory=set)  # cuts found to break a parse, never made again
    results: dict[tuple[str | None, int | None, str], Compressed | None] = field(default_factory=dict)
    mark_costs: dict[tuple[int, Region], int] = field(default_factory=dict)  # real tokens of each cut's mark


class CodeCompressor(Compressor):
    content_type = "code"
    name = "code"
    Options = CodeOptions
    selectors: ClassVar[frozenset[str]] = frozenset({"lines", "chars", "query", "symbol"})

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        doc = self._document(text, file_name_in(ctx.tool_args))
        key = (ctx.query, target, ctx.handle)
        if key not in doc.results:  # asked again, the same answer: cuts found broken since do not change it
            doc.results[key] = self._compress(doc, target, ctx)
        return doc.results[key]

    def _compress(self, doc: _Document, target: int | None, ctx: PieceContext) -> Compressed | None:
        order, default = self._order(doc, ctx)
        if not order:
            return None
        if target is None:
            return self._render(doc, default, ctx) if default else None
        costs = self._costs(doc, ctx)
        total = sum(map(sum, costs))
        if total <= target:
            return None
        low, high = 0, len(order)
        while low < high:  # the shortest prefix of the order whose estimate fits
            middle = (low + high) // 2
            if _estimate(order[:middle], doc, costs, total) <= target:
                high = middle
            else:
                low = middle + 1

        made: list[int] = []

        def attempt(count: int) -> tuple[Compressed | None, int | None]:
            out = self._render(doc, order[:count], ctx, target)
            if out is not None and ctx.counter.count(out.text) <= target:
                made.append(count)
                return out, None
            if count >= len(order):
                return None, None
            return None, min(len(order), count + max(1, (len(order) - count) // 6))

        fitted = shrink_to_fit(attempt, low, tries=8)
        if fitted is None:
            return None  # every allowed cut is not enough: the core's next level takes over
        return self._give_back(doc, order[: made[-1]], ctx, target, fitted)

    def _give_back(
        self, doc: _Document, chosen: list[tuple[int, Region]], ctx: PieceContext, target: int, out: Compressed
    ) -> Compressed:
        """``out`` with cuts undone while it stays within ``target``, until it reaches 0.9 of it.

        One big cut (a whole class, a long body) can take an output far below its
        target; undoing it, the most relevant cut first (the order makes those
        last), gives the room back. Undoing an item brings back its skeleton: the
        cuts inside it were made before it and stay. A trial over the target is
        found before any parse check; at most ``_GIVE_BACK`` trials run.
        """
        tokens = ctx.counter.count(out.text)
        costs = self._costs(doc, ctx)
        total = sum(map(sum, costs))
        trials = 0
        for cut in reversed(chosen):
            if tokens >= _REACH * target or trials >= _GIVE_BACK:
                break
            trial = [c for c in chosen if c != cut]
            if tokens + _estimate(trial, doc, costs, total) - _estimate(chosen, doc, costs, total) > target:
                continue  # estimated over: no render spent on it
            trials += 1
            again = self._render(doc, trial, ctx, target)
            if again is not None and (count := ctx.counter.count(again.text)) <= target:
                chosen, out, tokens = trial, again, count
        if tokens < _REACH * target:
            note = (
                f"code reached {tokens} of a {target}-token target: every cut left to undo is larger "
                "than the room left (a whole item or body, cut as one)"
            )
            out = dataclasses.replace(out, fallbacks=(*out.fallbacks, note))
        return out

    def _document(self, text: str, file_name: str | None) -> _Document:
        """The parse of a piece, once: the allocator asks the same instance for several targets."""
        return self.once_per_piece(
            (text, file_name), lambda: parse_document(text, file_name, self.options.short_body_lines)
        )

    def _order(self, doc: _Document, ctx: PieceContext) -> tuple[list[tuple[int, Region]], list[tuple[int, Region]]]:
        """Every allowed cut, the first to make first; and the cuts of the default level."""
        if ctx.query not in doc.orders:
            _mark_costs(doc, ctx.counter)
            doc.orders[ctx.query] = _order(doc, ctx.query, self._costs(doc, ctx))
        return doc.orders[ctx.query]

    def _costs(self, doc: _Document, ctx: PieceContext) -> list[list[int]]:
        if doc.costs is None:
            doc.costs = [[ctx.counter.count(line) for line in chunk.lines] for chunk in doc.chunks]
        return doc.costs

    def _render(
        self, doc: _Document, cuts: list[tuple[int, Region]], ctx: PieceContext, target: int | None = None
    ) -> Compressed | None:
        """The piece with ``cuts`` made, less those that break a parse; None when nothing is cut, or
        when it is over ``target`` before any parse check (the caller then cuts more)."""

        def marker(count: int, detail: str) -> str:
            return ctx.marker(count, "lines", detail)

        chosen: dict[int, list[Region]] = {}
        for index, region in cuts:
            if doc.outlines[index] is not None and (index, region) not in doc.broken:
                chosen.setdefault(index, []).append(region)
        rendered = {index: _cut(doc, index, regions, marker) for index, regions in chosen.items()}
        if target is not None and ctx.counter.count(_join(doc, rendered)) > target:
            return None
        for index, regions in chosen.items():
            valid = self._valid(doc, index, regions, rendered[index], marker)
            if valid is None:
                del rendered[index]
            else:
                rendered[index] = valid
        omitted = sum(r.omitted for r in rendered.values())
        if not omitted:
            return None
        first = doc.outlines[0]
        kind = (
            "python" if len(doc.chunks) == 1 and first is not None and first.parser == "ast" and _plain(doc) else "text"
        )
        return Compressed(_join(doc, rendered), omitted={"lines": omitted}, output_kind=kind, fallbacks=doc.notes)

    def _valid(
        self, doc: _Document, index: int, chosen: list[Region], rendered: Rendered, marker: Callable[[int, str], str]
    ) -> Rendered | None:
        """``rendered`` (the chunk with ``chosen`` cut) less the cuts that broke its parse; None if none is left."""
        checks = 0
        while checks < _CHECKS:
            checks += 1
            complaints = self._complaints(doc, index, rendered)
            if complaints is None:
                return None  # the parser did not run: nothing unchecked goes out
            if not complaints:
                return rendered if rendered.groups else None
            culprits = _near(rendered, complaints)
            if not culprits or len(culprits) > 2 * len(complaints) + 2:
                # the parser complains far from any cut, or everywhere: find the first cut that breaks it
                low, high = 0, len(rendered.groups)  # the first `low` groups parse, the first `high` do not
                while high - low > 1 and checks < _CHECKS:
                    middle = (low + high) // 2
                    checks += 1
                    found = self._complaints(
                        doc, index, _cut(doc, index, [r for g in rendered.groups[:middle] for r in g], marker)
                    )
                    if found is None:
                        return None
                    high, low = (middle, low) if found else (high, middle)
                if high - low > 1:
                    return None
                culprits = {high - 1}
            dropped = {r for g in culprits for r in rendered.groups[g]}
            doc.broken.update((index, r) for r in dropped)
            chosen = [r for r in chosen if r not in dropped]
            if not chosen:
                return None
            rendered = _cut(doc, index, chosen, marker)
        return None

    def _complaints(self, doc: _Document, index: int, rendered: Rendered) -> tuple[tuple[int, int], ...] | None:
        """Output line spans of the parse errors the original does not have, None when the parser
        could not run (cached per output)."""
        key = (index, rendered.code)
        if key not in doc.complaints:
            doc.complaints[key] = _complaints(doc, index, rendered)
        return doc.complaints[key]

    def select(self, original: str, selector: str, value: Any) -> str:
        """``symbol="name"`` or ``"Class.method"``: the exact original lines of every symbol of that name."""
        if selector != "symbol":
            return super().select(original, selector, value)
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput("symbol= takes a name such as 'parse_args' or 'ArgumentParser.parse_args'")
        doc = self._document(original, None)
        found = _find(doc, value.strip())
        for outlines in [] if found else _second_guesses(doc, self.options.short_body_lines):
            found = _find(_Document(doc.lines, doc.chunks, outlines, (), None), value.strip())
            if found:
                break
        if not found:
            names = sorted({s.name for outline in doc.outlines if outline for s in outline.symbols})
            raise InvalidInput(
                f"no symbol named {value!r} in this original; known symbols include: {', '.join(names[:20]) or 'none'}"
            )
        return "".join("".join(doc.lines[first : last + 1]) for first, last in found)


def _second_guesses(doc: _Document, short: int) -> Iterator[list[Outline | None]]:
    """Other readings of a piece whose files have no name (the store keeps no file name, so the
    language was guessed from content): each file as its next likeliest languages, then by the fallback."""
    others = [
        [g for g in guesses("".join(chunk.lines)) if g != chunk.language][:2]
        if chunk.language and not chunk.name
        else []
        for chunk in doc.chunks
    ]
    for rank in range(max(map(len, others), default=0)):
        outlines = list(doc.outlines)
        for index, chunk in enumerate(doc.chunks):
            if rank < len(others[index]):
                language = others[index][rank]
                binary = find_binary() if language in LANGUAGES else None
                outlines[index] = _outline(dataclasses.replace(chunk, language=language), binary, short)[0]
        yield outlines
    yield [outline_fallback(c.lines, c.language, short) if c.language else None for c in doc.chunks]


def parse_document(text: str, file_name: str | None, short: int) -> _Document:
    chunks = split_piece(text, file_name)
    binary = find_binary() if any(c.language in LANGUAGES for c in chunks) else None
    outlines: list[Outline | None] = []
    notes: list[str] = []
    for chunk in chunks:
        outline, note = _outline(chunk, binary, short)
        outlines.append(outline)
        if note:
            notes.append(note)
    lines = [p + line for c in chunks for p, line in zip(c.prefixes, c.lines)]
    return _Document(lines, chunks, outlines, tuple(dict.fromkeys(notes)), binary)


def _outline(chunk: Chunk, binary: str | None, short: int) -> tuple[Outline | None, str | None]:
    language = chunk.language
    if language is None:
        return None, None
    if language == "python":
        parsed = outline_python(chunk.lines, short)
        if parsed is not None:
            return parsed, None
        reason = "Python source that does not parse"
    elif language in LANGUAGES:
        if binary is None:
            reason = f"{language}: ast-grep not found (install ast-grep-cli)"
        else:
            try:
                return outline_astgrep(binary, language, chunk.lines, short), None
            except AstGrepError as error:
                reason = f"{language}: {error}"
    else:
        reason = f"{language}: no parser" if language != "unknown" else "code of unknown language"
    return outline_fallback(
        chunk.lines, language, short
    ), f"{reason}; brace/indentation-aware fallback, output not syntax-checked"


def _cut(doc: _Document, index: int, regions: list[Region], marker: Callable[[int, str], str]) -> Rendered:
    chunk, outline = doc.chunks[index], doc.outlines[index]
    assert outline is not None
    return render(chunk.lines, chunk.prefixes, regions, outline, marker, chunk.start)


def _join(doc: _Document, rendered: dict[int, Rendered]) -> str:
    """The piece with each rendered chunk in place of its lines."""
    return "".join(
        rendered[index].text if index in rendered else "".join(p + line for p, line in zip(chunk.prefixes, chunk.lines))
        for index, chunk in enumerate(doc.chunks)
    )


def _complaints(doc: _Document, index: int, rendered: Rendered) -> tuple[tuple[int, int], ...] | None:
    outline, chunk = doc.outlines[index], doc.chunks[index]
    assert outline is not None
    if outline.parser == "ast":
        error = syntax_error(rendered.code)
        return () if error is None else (error,)
    if outline.parser != "ast-grep" or not doc.binary or not chunk.language:
        return ()  # the fallback has no parser to ask; its output is reported as text
    try:
        found = error_spans(doc.binary, chunk.language, rendered.code)
    except AstGrepError:
        return None
    known = Counter((line, column) for line, column, _, _ in outline.errors)
    lines = len(rendered.origin)
    out = []
    for first, column, last, _ in found:
        where = (rendered.origin[first] if first < lines else len(chunk.lines) + first - lines, column)
        if where[0] >= 0 and known[where] > 0:
            known[where] -= 1  # the original's error, where it was (its recovery may end elsewhere)
        else:
            out.append((first, last))
    return tuple(out)


def _near(rendered: Rendered, complaints: tuple[tuple[int, int], ...]) -> set[int]:
    """The groups of cuts whose marker lines lie in a complaint, or come last before it."""
    markers = [(line, -1 - origin) for line, origin in enumerate(rendered.origin) if origin < 0]
    out: set[int] = set()
    for first, last in complaints:
        before = [g for line, g in markers if line <= first]
        out.update(before[-1:])
        out.update(g for line, g in markers if first < line <= last)
    return out


def _plain(doc: _Document) -> bool:
    """A single Python file with no line numbers and no undecodable bytes: the core can compile it."""
    chunk = doc.chunks[0]
    return not any(chunk.prefixes) and chunk.start == 0 and not re.search("[\ud800-\udfff]", "".join(chunk.lines))


def named(symbols: tuple[Symbol, ...], query: str | None) -> set[int]:
    """Indexes of the symbols the query names: by name (an identifier-like one in any case), or by a
    dotted path (``Parser.parse_args`` names ``parse_args`` and, as its container, ``Parser``)."""
    if not query:
        return set()
    chains = re.findall(r"[A-Za-z_$][\w$]*(?:(?:\.|::)[A-Za-z_$][\w$]*)+", query)
    qualifiers = {part for chain in chains for part in re.split(r"\.|::", chain)[:-1]}
    words = set(_IDENTIFIER.findall(re.sub(r"[A-Za-z_$][\w$]*(?:\.|::)", " ", query)))
    lowered = {w.lower() for w in words}
    exact = {c.replace("::", ".") for c in chains}
    claimed = {re.split(r"\.|::", c)[-1] for c in chains if any(s.name.endswith(c.replace("::", ".")) for s in symbols)}
    out = set()
    for index, symbol in enumerate(symbols):
        short = re.split(r"\.|::", symbol.name)[-1]
        if len(short) < 3 or short.lower() in STOP_WORDS:
            continue
        if short in claimed and not any(symbol.name.replace("::", ".").endswith(c) for c in exact):
            continue  # "Frame.Format" names that method, not every Format
        identifier_like = "_" in short or any(c.isdigit() for c in short) or (short[1:] != short[1:].lower())
        if short in words or (identifier_like and short.lower() in lowered):
            out.add(index)
        elif symbol.kind == "class" and short in qualifiers:
            out.add(index)
    return out


def _short_body_cut(doc: _Document, costs: list[list[int]], cut: tuple[int, Region]) -> bool:
    """Whether the default level cuts this short body (a one- or two-line one): where its mark saves
    at least ``_MIN_SHORT_SAVING`` tokens. A short literal's values stay: a few values are the point."""
    index, region = cut
    return (
        region.stage == SHORT and region.label != "values" and _saving(doc, costs, index, region) >= _MIN_SHORT_SAVING
    )


def _mark_costs(doc: _Document, counter: TokenCounter) -> None:
    """The real tokens of the mark each cut would write (its range, its label, the line it needs in
    the language: indent, comment opener, newline; or a space on the line it rides on), counted once."""
    for index, outline in enumerate(doc.outlines):
        if outline is None:
            continue
        start = doc.chunks[index].start
        for region in outline.regions:
            if (index, region) in doc.mark_costs:
                continue
            label = short_list([region.label]) if region.last - region.first + 1 > SHORT_CUT_LINES else ""
            detail = f"{start + region.first + 1}-{start + region.last + 1} {label}"
            mark = render_mark(region.last - region.first + 1, "lines", detail.strip())
            if region.rides:
                line = " " + mark
            else:
                style = outline.comment_line if outline.comment_line and region.comment else outline.marker_line
                line = style(region.indent, mark) + "\n"
            doc.mark_costs[(index, region)] = counter.count(line)


def _saving(doc: _Document, costs: list[list[int]], index: int, region: Region) -> int:
    """Tokens a cut of ``region`` alone saves, its mark paid."""
    return sum(costs[index][region.first : region.last + 1]) - doc.mark_costs[(index, region)]


def _order(
    doc: _Document, query: str | None, costs: list[list[int]]
) -> tuple[list[tuple[int, Region]], list[tuple[int, Region]]]:
    candidates: list[tuple[int, Region]] = []
    callees: list[str] = []  # what the named functions call ranks with the query: their helpers explain them
    last_resort: set[int] = set()  # cuts inside a named function: only when nothing else is left
    for index, outline in enumerate(doc.outlines):
        if outline is None:
            continue
        keep = [outline.symbols[i] for i in named(outline.symbols, query)]
        leaves = [s for s in keep if s.kind != "class"]  # a named class keeps its skeleton, not every body
        for s in leaves:
            callees.extend(calls_in("".join(doc.chunks[index].lines[s.first : s.last + 1])))
        seen: set[tuple[int, int]] = set()
        for region in sorted(outline.regions, key=lambda r: r.stage):
            span = (region.first, region.last)
            if span in seen or any(region.first <= s.first and s.last <= region.last for s in keep):
                continue
            if region.stage != ITEM and _saving(doc, costs, index, region) < _MIN_SAVING:
                continue  # counted in real tokens: the mark would cost about what the cut saves
            seen.add(span)
            candidates.append((index, region))
            if any(region.first <= s.last and s.first <= region.last for s in leaves):
                last_resort.add(len(candidates) - 1)
    texts = [
        region.label + " " + "".join(doc.chunks[i].lines[region.first : region.last + 1]) for i, region in candidates
    ]
    scores = BM25(texts).scores(" ".join([query, *callees])) if query and texts else [0.0] * len(candidates)
    depth = _depths(candidates)
    ranked = sorted(  # irrelevant first, stage by stage, inner items before their containers, big first
        range(len(candidates)),
        key=lambda k: (
            k in last_resort,
            scores[k] > 0,
            candidates[k][1].stage,
            scores[k],
            -depth[k],
            candidates[k][1].first - candidates[k][1].last,
            k,
        ),
    )
    order = [candidates[k] for k in ranked]
    asked = {
        k for k, (_, region) in enumerate(candidates) if region.label == "values" and scores[k] > 0
    }  # data the question is about
    if asked and query:
        # a long literal the question is about keeps the entries it names; the others go (issue 12:
        # one entry of an array of check objects was lost with the whole literal)
        entries = [e for k in sorted(asked) for e in _entry_cuts(doc, candidates[k], query, costs)]
        order = [c for k, c in zip(ranked, order) if k not in asked] + entries
        ranked = [k for k in ranked if k not in asked] + [-1] * len(entries)
        return order, [
            c
            for k, c in zip(ranked, order)
            if k == -1 or (k not in last_resort and (c[1].stage == DEFAULT or _short_body_cut(doc, costs, c)))
        ]
    # the default cuts long bodies and doc rests, and a short body (one line, two) where cutting it
    # saves at least what its mark costs: such a body of a few tokens stays, a long one-liner goes
    default = [
        c
        for k, c in zip(ranked, order)
        if k not in last_resort | asked and (c[1].stage == DEFAULT or _short_body_cut(doc, costs, c))
    ]
    return order, default


_OPEN, _CLOSE = "([{", ")]}"


def _entry_cuts(
    doc: _Document, candidate: tuple[int, Region], query: str, costs: list[list[int]]
) -> list[tuple[int, Region]]:
    """The entries of a literal's values that the query does not name, as cuts of their own.

    An entry starts where the bracket depth inside the literal is back at zero
    (``{ ... },`` over several lines is one entry). Entries score with BM25
    against the query; those scoring at least half the best one stay.
    """
    index, region = candidate
    lines = doc.chunks[index].lines
    spans: list[tuple[int, int]] = []
    depth, start = 0, region.first
    for number in range(region.first, region.last + 1):
        code = re.sub(r"(\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*')", "", lines[number])
        depth = max(0, depth + sum(code.count(c) for c in _OPEN) - sum(code.count(c) for c in _CLOSE))
        if depth == 0:
            spans.append((start, number))
            start = number + 1
    if start <= region.last:
        spans.append((start, region.last))
    if len(spans) < 2:
        return []
    scores = BM25(["".join(lines[a : b + 1]) for a, b in spans]).scores(query)
    best = max(scores)
    runs: list[list[int]] = []  # consecutive entries the query does not name: one cut each
    for (first, last), score in zip(spans, scores):
        if best > 0 and score >= best / 2:
            runs.append([])
        elif runs and runs[-1]:
            runs[-1][1] = last
        else:
            runs.append([first, last])
    out = []
    for run in runs:
        if not run:
            continue
        entry = dataclasses.replace(region, first=run[0], last=run[1])
        doc.mark_costs.setdefault((index, entry), doc.mark_costs[(index, region)])
        if _saving(doc, costs, index, entry) >= _MIN_SAVING:
            out.append((index, entry))
    return out


def _depths(candidates: list[tuple[int, Region]]) -> list[int]:
    """How many other candidate items hold each candidate."""
    out = [0] * len(candidates)
    open_: list[tuple[int, int]] = []  # (chunk, last line) of the items around
    for k in sorted(
        range(len(candidates)), key=lambda k: (candidates[k][0], candidates[k][1].first, -candidates[k][1].last)
    ):
        index, region = candidates[k]
        while open_ and (open_[-1][0] != index or open_[-1][1] < region.first):
            open_.pop()
        out[k] = len(open_)
        if region.stage == ITEM:
            open_.append((index, region.last))
    return out


def _estimate(cuts: list[tuple[int, Region]], doc: _Document, costs: list[list[int]], total: int) -> int:
    by_chunk: dict[int, list[Region]] = {}
    for index, region in cuts:
        by_chunk.setdefault(index, []).append(region)
    saved = 0
    for index, regions in by_chunk.items():
        for group in groups(effective(regions), doc.chunks[index].lines):
            cost = sum(costs[index][group[0].first : group[-1].last + 1])
            saved += cost - max(doc.mark_costs.get((index, r), 0) for r in group)
    return total - saved


def _find(doc: _Document, name: str) -> list[tuple[int, int]]:
    """Piece line spans (0-based, inclusive) of the symbols called ``name``, exact path first."""
    found: list[tuple[int, int]] = []
    tests: tuple[Callable[[Symbol], bool], ...] = (
        lambda s: s.name == name,
        lambda s: re.split(r"\.|::", s.name)[-1] == name or s.name.endswith("." + name),
    )
    for wanted in tests:
        for chunk, outline in zip(doc.chunks, doc.outlines):
            for symbol in outline.symbols if outline else ():
                span = (chunk.start + symbol.first, chunk.start + symbol.last)
                if wanted(symbol) and span not in found:
                    found.append(span)
        if found:
            break
    return sorted(found)
