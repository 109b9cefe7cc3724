"""Source code: the skeleton stays, bodies that do not matter go, and the result still parses.

A piece is split into files (``_lang``: line-number prefixes set aside,
several files under headers), each parsed once (``_document``): Python by
``ast``, JavaScript, TypeScript, Go, Rust, Java, C and C++ by ast-grep (in
process, ``_astgrep``), any other language by a brace- or indentation-aware
fallback. Each parser reports the same outline (``_outline``): symbols, and
regions that may be cut at four stages. The default (no budget pressure,
``_order``) cuts the bodies of functions longer than ``short_body_lines``
(shorter ones where the cut saves 4 real tokens), the rest of long docstrings,
and in the ast-grep languages whole comment blocks, so imports, signatures
with their decorators, constants, types and each Python docstring's first
line stay; a body the query names (``parse_args``,
``Parser.parse_args``) is never cut, nor anything around it. Under a budget
the cuts go further: irrelevant regions first (BM25 against the query), stage
by stage (more bodies, then whole docstrings, then whole items), then the
relevant ones. Each cut is one marker line in the language's comment syntax,
naming its line range and the calls it held:

    def parse_known_args(self, args=None, namespace=None):
        ...  # […40 lines 1890-1929 calls: _parse_known_args, error]

Every output that may be sent is parsed again (``_check``: Python compiled,
the others re-parsed for error nodes). An error node counts against the output
unless the original has one starting at the same place (mapped back through the
cuts); the cuts that caused a new one are found (the markers at and before it,
else by bisecting the cuts in line order) and their lines kept instead. Each
answer finds its own broken cuts, starting from none: answers used to start
from those the default level found, which cost a render and a full parse of it
on every budgeted call (0.4 s of 1.8 s on a 1 MB C header), and keeping what one
target found for the next made an answer depend on the targets asked before it.
Under a budget the default level is not built at all (``lossless_default``: it
is never sent there), and a render over the target is dropped before any parse,
its size kept for the next target that renders the same cuts.
``retrieve(handle, symbol="Parser.parse_args")`` returns a symbol's exact
original lines, read in the language of the file the call named (kept beside
the original), else the language guessed from content.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors.code._check import passes, valid
from headroom.compressors.code._document import Cut, Document, cut, join, parse_document, plain
from headroom.compressors.code._estimate import Estimates
from headroom.compressors.code._excerpt import best_lines, excerpt, vague
from headroom.compressors.code._lang import file_name_in
from headroom.compressors.code._order import mark_costs, order
from headroom.compressors.code._outline import Region, filled_lines, running
from headroom.compressors.code._symbols import symbol_lines
from headroom.errors import InvalidInput
from headroom.plugins import CHECKS, Compressed, Compressor, PieceContext, shrink_to_fit

__all__ = ["CodeCompressor", "CodeOptions", "parse_document"]

_REACH = 0.9  # under a target R, the output aims at 0.9R to R (issue 12)
_GIVE_BACK = 12  # renders spent undoing cuts to get there


class CodeOptions(BaseModel):
    """``short_body_lines``: bodies of at most this many lines stay at the default level."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    short_body_lines: int = Field(default=3, ge=0)


class CodeCompressor(Compressor):
    content_type = "code"
    name = "code"
    Options = CodeOptions
    selectors: ClassVar[frozenset[str]] = frozenset({"lines", "chars", "query", "symbol"})
    lossless_default = False  # its default output cuts bodies behind marks: skipped under a budget

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        return self._answer(text, target, ctx, check=True)

    def compress_deferred(
        self, text: str, target: int, ctx: PieceContext
    ) -> tuple[Compressed | None, Callable[[], bool] | None]:
        """The answer at ``target`` with no output parsed again, and the check of the one returned.

        The budget search asks for seven targets or so and sends one: parsing every
        answer again was a parse per target (C, 100 KB: seven parses, 0.03 s of
        0.19 s). The check parses the returned output's files once each; when it
        fails, the core asks ``compress``, which finds and restores the broken cuts.
        """
        out = self._answer(text, target, ctx, check=False)
        if out is None:
            return None, None
        doc = self._document(text, file_name_in(ctx.tool_args))
        rendered = doc.unchecked.get(out.text)
        if rendered is None:  # an excerpt: plain lines with one mark, never meant to parse (``_excerpt``)
            return out, None
        if out.output_kind == "python":
            # the core compiles a "python" output as it makes its form, every target's: put off too, the
            # output goes as text until the one sent is compiled here (Python, 100 KB: six compiles, 0.03 s
            # of 0.22 s). Compiling is the stricter check (``passes`` only parses), so it stands for both.
            text = out.text
            return dataclasses.replace(out, output_kind="text"), lambda: CHECKS["python"](text)
        return out, lambda: all(passes(doc, index, chunk) for index, chunk in rendered.items())

    def _answer(self, text: str, target: int | None, ctx: PieceContext, *, check: bool) -> Compressed | None:
        doc = self._document(text, file_name_in(ctx.tool_args))
        key = (ctx.query, target, ctx.handle, check)
        if key not in doc.results:  # asked again, the same answer: cuts found broken since do not change it
            doc.broken = set()  # each answer finds its own: it depends on no other target asked before it
            doc.results[key] = self._compress(doc, target, ctx, check)
        return doc.results[key]

    def _compress(self, doc: Document, target: int | None, ctx: PieceContext, check: bool) -> Compressed | None:
        order, default = self._order(doc, ctx)
        if not order:
            return None
        if target is None:
            return self._render(doc, default, ctx, check=check) if default else None
        estimates = self._estimates(doc, ctx)
        if estimates.total <= target:
            return None
        low, high = 0, len(order)
        while low < high:  # the shortest prefix of the order whose estimate fits
            middle = (low + high) // 2
            if estimates.prefix(middle) <= target:
                high = middle
            else:
                low = middle + 1

        made: list[int] = []

        def attempt(count: int) -> tuple[Compressed | None, int | None]:
            # every target the allocator asks renders the same prefix when none fits (a 1 MB file whose
            # every cut leaves 37k tokens, seven targets): what that prefix costs is kept, not re-rendered
            known = (ctx.handle, ctx.query, count, frozenset(doc.broken))
            if doc.uncut_tokens.get(known, -1) > target:
                out = None
            else:
                out = self._render(doc, order[:count], ctx, target, known, check=check)
            if out is not None and ctx.counter.count(out.text) <= target:
                made.append(count)
                return out, None
            if count >= len(order):
                return None, None
            return None, min(len(order), count + max(1, (len(order) - count) // 6))

        fitted = shrink_to_fit(attempt, low, tries=8)
        if fitted is None:  # every allowed cut is not enough: the lines asked for and their signatures
            return excerpt(doc, ctx, target)
        out = self._give_back(doc, order[: made[-1]], ctx, target, fitted, check)
        asked = best_lines(doc, ctx.query, ctx.tool_args)
        if (
            asked
            and not all(doc.lines[line].strip() in out.text for line in asked)
            # a vague question ("what does the main function do?") keeps a skeleton that uses its room
            and not (vague(doc, ctx.query, ctx.tool_args) and 2 * ctx.counter.count(out.text) >= target)
        ):
            # the skeleton that fits cut the line the question asks about (a named body cut whole):
            # the excerpt keeps it, with its signature
            shown = excerpt(doc, ctx, target)
            if shown is not None and all(doc.lines[line].strip() in shown.text for line in asked):
                return shown
        return out

    def _give_back(
        self, doc: Document, chosen: list[Cut], ctx: PieceContext, target: int, out: Compressed, check: bool
    ) -> Compressed:
        """``out`` with cuts undone while it stays within ``target``, until it reaches 0.9 of it.

        One big cut (a whole class, a long body) can take an output far below its
        target; undoing it, the most relevant cut first (the order makes those
        last), gives the room back. Undoing an item brings back its skeleton: the
        cuts inside it were made before it and stay. A trial over the target is
        found before any parse check; at most ``_GIVE_BACK`` trials run.
        """
        tokens = ctx.counter.count(out.text)
        estimates = self._estimates(doc, ctx)
        trials = 0
        # each cut by its rank (equal cuts share one): a trial leaves out the ranks equal to the undone
        # cut's, which is the list less that cut, and the sorted ranks stay sorted (``Estimates.of_ranks``)
        ranks = estimates.ranks(chosen)
        placed = sorted(ranks)
        base = estimates.of_ranks(placed)  # the same until a trial is taken
        for undone in reversed(ranks):
            if tokens >= _REACH * target or trials >= _GIVE_BACK:
                break
            trial_placed = [r for r in placed if r != undone]
            estimated = estimates.of_ranks(trial_placed)
            if tokens + estimated - base > target:
                continue  # estimated over: no render spent on it
            trials += 1
            kept = [r != undone for r in ranks]
            trial = [c for c, keep in zip(chosen, kept) if keep]
            again = self._render(doc, trial, ctx, target, check=check)
            if again is not None and (count := ctx.counter.count(again.text)) <= target:
                chosen, out, tokens, base = trial, again, count, estimated
                ranks, placed = [r for r in ranks if r != undone], trial_placed
        if tokens < _REACH * target:
            note = (
                f"code reached {tokens} of a {target}-token target: every cut left to undo is larger "
                "than the room left (a whole item or body, cut as one)"
            )
            out = dataclasses.replace(out, fallbacks=(*out.fallbacks, note))
        return out

    def _document(self, text: str, file_name: str | None) -> Document:
        """The parse of a piece, once: the allocator asks the same instance for several targets."""
        return self.once_per_piece(
            (text, file_name), lambda: parse_document(text, file_name, self.options.short_body_lines)
        )

    def _order(self, doc: Document, ctx: PieceContext) -> tuple[list[Cut], list[Cut]]:
        """Every allowed cut, the first to make first; and the cuts of the default level."""
        if ctx.query not in doc.orders:
            mark_costs(doc, ctx.counter)
            doc.orders[ctx.query] = order(doc, ctx.query, self._costs(doc, ctx), ctx.counter)
        return doc.orders[ctx.query]

    def _estimates(self, doc: Document, ctx: PieceContext) -> Estimates:
        """Token estimates for the query's order, built once and kept with the document."""
        if ctx.query not in doc.estimates:
            self._costs(doc, ctx)
            total = sum(sums[-1] for sums in doc.sums)
            doc.estimates[ctx.query] = Estimates(doc, self._order(doc, ctx)[0], total, ctx.counter)
        return doc.estimates[ctx.query]

    def _costs(self, doc: Document, ctx: PieceContext) -> list[list[int]]:
        if doc.costs is None:
            doc.costs = [[ctx.counter.count(line) for line in chunk.lines] for chunk in doc.chunks]
            # the estimates count each kept line with its number (``cat -n``, ``12→``): without them a
            # numbered read was estimated about a quarter short, and most targets rendered twice
            doc.sums = [
                running(
                    [ctx.counter.count(p + line) for p, line in zip(chunk.prefixes, chunk.lines)]
                    if any(chunk.prefixes)
                    else costs
                )
                for chunk, costs in zip(doc.chunks, doc.costs)
            ]
            doc.filled = [filled_lines(chunk.lines) for chunk in doc.chunks]
        return doc.costs

    def _render(
        self,
        doc: Document,
        cuts: list[Cut],
        ctx: PieceContext,
        target: int | None = None,
        known: tuple[str, str | None, int, frozenset[Cut]] | None = None,
        *,
        check: bool,
    ) -> Compressed | None:
        """The piece with ``cuts`` made, less those that break a parse; None when nothing is cut, or
        when it is over ``target`` before any parse check (the caller then cuts more). ``known``: the
        key its tokens before the check are kept under (``Document.uncut_tokens``). Not ``check``: no
        parse at all, the rendered files kept by the output's text for ``compress_deferred``'s check."""

        def marker(count: int, detail: str) -> str:
            return ctx.marker(count, "lines", detail)

        chosen: dict[int, list[Region]] = {}
        broken = doc.broken
        for index, region in cuts:
            if doc.outlines[index] is not None and (not broken or (index, region) not in broken):
                chosen.setdefault(index, []).append(region)
        rendered = {index: cut(doc, index, regions, marker) for index, regions in chosen.items()}
        if target is not None:
            tokens = ctx.counter.count(join(doc, rendered))
            if known is not None:
                doc.uncut_tokens[known] = tokens
            if tokens > target:
                return None
        for index, regions in chosen.items() if check else ():
            checked = valid(doc, index, regions, rendered[index], marker)
            if checked is None:
                del rendered[index]
            else:
                rendered[index] = checked
        omitted = sum(r.omitted for r in rendered.values())
        if not omitted:
            return None
        kind = _output_kind(doc)
        text = join(doc, rendered)
        if not check:
            doc.unchecked[text] = rendered
        return Compressed(text, omitted={"lines": omitted}, output_kind=kind, fallbacks=doc.notes)

    def original_meta(self, text: str, ctx: PieceContext) -> dict[str, str]:
        """The file the call read (``{"file": "src/lib.rs"}``), when it names one: the language it says
        is the one the piece was compressed in, and ``symbol=`` retrieval reads the original in it."""
        name = file_name_in(ctx.tool_args)
        return {"file": name} if name else {}

    def select(self, original: str, selector: str, value: Any) -> str:
        """``symbol="name"`` or ``"Class.method"``: the exact original lines of every symbol of that name."""
        return self.select_stored(original, {}, selector, value)

    def select_stored(self, original: str, meta: Mapping[str, str], selector: str, value: Any) -> str:
        """``select`` with the file name stored beside the original (``original_meta``), if any."""
        if selector != "symbol":
            return super().select(original, selector, value)
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput("symbol= takes a name such as 'parse_args' or 'ArgumentParser.parse_args'")
        doc = self._document(original, meta.get("file") or None)
        return symbol_lines(doc, value.strip(), self.options.short_body_lines)


def _output_kind(doc: Document) -> str:
    """``python`` for a single Python file the core can compile, else ``text``; found once per document:
    ``plain`` joins and scans the whole file, which every render did (1 MB: 3 ms a render)."""
    if doc.output_kind is None:
        first = doc.outlines[0]
        single = len(doc.chunks) == 1 and first is not None and first.parser == "ast"
        doc.output_kind = "python" if single and plain(doc) else "text"
    return doc.output_kind
