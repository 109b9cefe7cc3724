"""Which cuts a piece offers, in which order, and which of them the default level makes.

Every region of every outline is a candidate unless it holds a symbol the
query names (``parse_args``, ``Parser.parse_args``) or saves less than
``MIN_SAVING`` real tokens over its mark. Candidates rank irrelevant first
(BM25 against the query and what the named functions call), stage by stage
(bodies, short bodies, doc comments, whole items), inner items before their
containers, big first; cuts inside a named function come last of all. The
default level makes the stage-1 cuts, the short bodies whose mark saves at
least ``MIN_SHORT_SAVING``, and (in the languages ast-grep parses) whole
comment blocks: see ``default_cut``.
"""

from __future__ import annotations

import dataclasses
import re

from headroom.compressors.code._document import Cut, Document
from headroom.compressors.code._outline import (
    DEFAULT,
    DOC,
    ITEM,
    SHORT,
    SHORT_CUT_LINES,
    Region,
    Symbol,
    calls_in,
    short_list,
)
from headroom.compressors.code._shrink import statement_runs
from headroom.markers import render_mark
from headroom.plugins import TokenCounter
from headroom.relevance import BM25, STOP_WORDS

__all__ = ["group_mark_cost", "mark_costs", "named", "order"]

MIN_SAVING = 4  # tokens: a cut that saves less than this over its mark's real cost is not made
MIN_SHORT_SAVING = 4  # the same for a short body at the default level
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
# a path the question quotes (``/usr/lib/node_modules/npm/node_modules/minimatch/dist/esm/index.js``,
# ``lib/python3.11/json/decoder.py``): a word with a slash that starts at the root, holds two slashes or
# ends in a file extension. Its folders say where the file lives, never which symbol is asked about
_PATH = re.compile(r"(?<!\S)(?:[~.]?/\S*|\S*/\S*/\S*|\S*/\S*\.[A-Za-z]\w{0,5})(?=[\s?.,;:!)'\"`]*(?:\s|$))")


def named(symbols: tuple[Symbol, ...], query: str | None) -> set[int]:
    """Indexes of the symbols the query names: by name (an identifier-like one in any case), or by a
    dotted path (``Parser.parse_args`` names ``parse_args`` and, as its container, ``Parser``)."""
    if not query:
        return set()
    query = _PATH.sub(" ", query)
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


def _default_cut(doc: Document, costs: list[list[int]], cut: Cut) -> bool:
    """Whether the default level makes this cut (candidates already save ``MIN_SAVING`` over their mark).

    - Bodies that are not short, the values of long literals and the rest of
      long docstrings (stage 1).
    - A short body (one line, two) where its mark saves at least
      ``MIN_SHORT_SAVING``: such a body of a few tokens stays, a long one-liner
      goes. A short literal's values stay: a few values are the point.
    - A whole comment block in a language ast-grep parses (issue 13). Keeping
      each doc comment's first line left C and C++ headers at 14-32% saved
      (their declarations are most of them, and a third of what was left was
      comments), and the signature beside the comment names what it
      documents. A Python docstring's first line stays: it is a statement of
      the body, and one line. The comments of a symbol the question names are
      inside it, so they stay; under a budget the stages rank as before.
    """
    index, region = cut
    if region.stage == DEFAULT:
        return True
    if region.stage == SHORT:
        return region.label != "values" and _saving(doc, costs, index, region) >= MIN_SHORT_SAVING
    outline = doc.outlines[index]
    return region.stage == DOC and region.label == "comment" and outline is not None and outline.parser == "ast-grep"


def mark_costs(doc: Document, counter: TokenCounter) -> None:
    """The real tokens of the mark each cut would write (its range, its label, the line it needs in
    the language: indent, comment opener, newline; or a space on the line it rides on), counted once."""
    for index, outline in enumerate(doc.outlines):
        if outline is None:
            continue
        for region in outline.regions:
            if (index, region) not in doc.mark_costs:
                doc.mark_costs[(index, region)] = _mark_cost(doc, index, region, counter)


def _mark_cost(doc: Document, index: int, region: Region, counter: TokenCounter) -> int:
    if region.rides:
        return counter.count(" " + _group_mark(doc, index, (region,)))
    return group_mark_cost(doc, index, (region,), counter)


def group_mark_cost(doc: Document, index: int, group: tuple[Region, ...], counter: TokenCounter) -> int:
    """Real tokens of the mark line one group of cuts writes (cuts parted only by blank lines, at one
    indentation: ``_outline.render`` gives them one mark, whose range spans them all and whose label
    lists their names). The budget search counted such a group as its largest single mark, which
    missed the longer label: 2,207 estimated against 3,081 real tokens over 1,055 cuts of a 100 KB
    C input, so most targets rendered two or three times before one fitted."""
    outline = doc.outlines[index]
    assert outline is not None
    style = outline.comment_line if outline.comment_line and all(r.comment for r in group) else outline.marker_line
    return counter.count(style(group[0].indent, _group_mark(doc, index, group)) + "\n")


def _group_mark(doc: Document, index: int, group: tuple[Region, ...]) -> str:
    """The mark ``_outline.render`` writes for ``group`` (without the handle the core adds to the first)."""
    start = doc.chunks[index].start
    first, last = group[0].first, group[-1].last
    label = short_list(r.label for r in group) if last - first + 1 > SHORT_CUT_LINES else ""
    detail = f"{start + first + 1}-{start + last + 1} {label}"
    return render_mark(last - first + 1, "lines", detail.strip())


def _saving(doc: Document, costs: list[list[int]], index: int, region: Region) -> int:
    """Tokens a cut of ``region`` alone saves, its mark paid."""
    return sum(costs[index][region.first : region.last + 1]) - doc.mark_costs[(index, region)]


def order(
    doc: Document, query: str | None, costs: list[list[int]], counter: TokenCounter
) -> tuple[list[Cut], list[Cut]]:
    candidates: list[Cut] = []
    callees: list[str] = []  # what the named functions call ranks with the query: their helpers explain them
    last_resort: set[int] = set()  # cuts inside a named function: only when nothing else is left
    thin: set[int] = set()  # runs holding only the query's common words in a named body: cut before the body
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
            if region.stage != ITEM and _saving(doc, costs, index, region) < MIN_SAVING:
                continue  # counted in real tokens: the mark would cost about what the cut saves
            seen.add(span)
            candidates.append((index, region))
            if any(region.first <= s.last and s.first <= region.last for s in leaves):
                last_resort.add(len(candidates) - 1)
        if outline.parser == "ast" and query:
            # shrunk to the statements holding the query's words before cut whole; so is a function
            # holding a named one (defined inside it): the path of headers down to that one stays
            around = _around(outline.symbols, leaves)
            for symbol in leaves + [s for s in around if s not in leaves]:
                runs, thinner = statement_runs(doc.chunks[index].lines, symbol, query, around.get(symbol, ()))
                for region in runs + thinner:
                    doc.mark_costs.setdefault((index, region), _mark_cost(doc, index, region, counter))
                    if (region.first, region.last) not in seen and _saving(doc, costs, index, region) >= MIN_SAVING:
                        seen.add((region.first, region.last))
                        candidates.append((index, region))
                        last_resort.add(len(candidates) - 1)
                        if region in thinner:
                            thin.add(len(candidates) - 1)
    texts = [
        region.label + " " + "".join(doc.chunks[i].lines[region.first : region.last + 1]) for i, region in candidates
    ]
    scores = BM25(texts).scores(" ".join([query, *callees])) if query and texts else [0.0] * len(candidates)
    scores = [0.0 if k in thin else score for k, score in enumerate(scores)]  # none of the words it asks about
    depth = _depths(candidates)
    ranked = sorted(  # irrelevant first, stage by stage, inner items before their containers, big first
        range(len(candidates)),
        key=lambda k: (
            k in last_resort,
            scores[k] > 0,
            k in thin,
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
            c for k, c in zip(ranked, order) if k == -1 or (k not in last_resort and _default_cut(doc, costs, c))
        ]
    # nothing the question names, nor the literal it asks about (its entries were handled above)
    default = [c for k, c in zip(ranked, order) if k not in last_resort | asked and _default_cut(doc, costs, c)]
    return order, default


def _around(symbols: tuple[Symbol, ...], leaves: list[Symbol]) -> dict[Symbol, tuple[int, ...]]:
    """The functions that hold a named function in their body, each with the signature lines of the
    named ones inside it (which its runs must keep)."""
    out: dict[Symbol, tuple[int, ...]] = {}
    for outer in symbols:
        if outer.kind != "def":
            continue
        inside = [s for s in leaves if outer.signature[1] < s.first and s.last <= outer.last]
        if inside:
            out[outer] = tuple(i for s in inside for i in range(s.signature[0], s.signature[1] + 1))
    return out


_OPEN, _CLOSE = "([{", ")]}"


def _entry_cuts(doc: Document, candidate: Cut, query: str, costs: list[list[int]]) -> list[Cut]:
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
        if _saving(doc, costs, index, entry) >= MIN_SAVING:
            out.append((index, entry))
    return out


def _depths(candidates: list[Cut]) -> list[int]:
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
