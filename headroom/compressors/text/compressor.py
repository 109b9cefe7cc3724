"""The fallback for text of unknown type: head, tail, and the lines the query names.

Line-aware: whole lines are kept, and each run of omitted lines becomes one
marker line naming its 1-based range, so ``retrieve(handle, lines=(a, b))``
gives exactly what it stands for. The head gets a share because a tool's
output usually states what it is up front; the tail keeps the ending (the
summary, the last error, the exit status); with a query, the lines that score
best against it (BM25 over the piece's lines) get the rest, in their original
order; the five best bring the line after them (on a man page the matching
line is an option and its description follows, in a traceback the call's
next frame). Text with too few lines to cut (one long line, minified data) is cut by
characters instead, and the marker then counts characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors._reach import FLOOR, reach, short_of, whole_rooms
from headroom.compressors._spans import render_spans
from headroom.compressors.text._keys import key_paths, listing_names, path_parts, question_counts
from headroom.plugins import Compressed, Compressor, PieceContext, split_lines
from headroom.relevance import BM25, defines, with_forms, without_call_names
from headroom.tokens import count_joined

__all__ = ["GenericCompressor"]

_HEAD_SHARE = 0.6
_QUERY_SHARES = (0.3, 0.2)  # head and tail when a query claims the rest
_CONTEXT = 5  # the best matches that bring the line after them
_MIN_CUT = 24  # tokens left below which no long line is cut to fill them: its mark and ends would not fit


class GenericOptions(BaseModel):
    """``max_tokens``: without a budget, pieces above this are cut to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    max_tokens: int = Field(default=4000, ge=64)


class GenericCompressor(Compressor):
    content_type = "text"
    name = "generic"
    lossless_default = False  # its default output is always lossy: skipped under a budget
    Options = GenericOptions

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        if target is None:
            if ctx.counter.count(text) <= self.options.max_tokens:
                return None
            target = self.options.max_tokens
        profile = self._profile(text, ctx)
        if len(profile.lines) >= 3:
            cut = _cut_lines(profile, target, ctx)
            if cut is not None:
                return cut
        return _cut_chars(text, target, ctx)

    def _profile(self, text: str, ctx: PieceContext) -> _Profile:
        """Lines, their token costs and their ranking, computed once per piece.

        The allocator asks for the same piece at many targets in a row, and the
        core keeps one compressor per piece, so one cached profile serves them all.
        """

        def build() -> _Profile:
            lines = split_lines(text)
            costs = [ctx.counter.count(line) for line in lines]
            ranked, parents, named = _rank(
                lines, without_call_names(ctx.query, ctx.tool_args), ctx.query, ctx.tool_args
            )
            return _Profile(lines, costs, ranked, _starts(lines), parents, named)

        return self.once_per_piece((text, ctx.query, ctx.tool_args, id(ctx.counter)), build)


# a line that defines a name: ``def f``, ``class C``, ``#define X``, ``fn f``, ``struct s``, ``X = ...``
_DEFINITION = re.compile(
    r"^\s*(?:(?:export|pub(?:\([\w:]+\))?|public|private|protected|static|async|inline|extern|unsafe)\s+)*"
    r"(?:(?:def|class|function|fn|func|struct|enum|union|trait|interface|type|typedef|module|var|let|const|val|"
    r"#\s*define)\s+[*&]?([A-Za-z_]\w*)|([A-Za-z_]\w*)\s*(?::[^=\n]*)?=(?!=))"
)
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def _rank(
    lines: list[str], query: str | None, question: str | None = None, read: str | None = None
) -> tuple[list[int], dict[int, tuple[int, ...]], bool]:
    """Indexes of the lines that match ``query``, best first, the parent lines of the keys among them,
    and whether the best is of the first tier (it defines, or is the key or entry, the question names).

    Three tiers: the line that defines what the question names (an option's entry on a man page,
    ``def hls_to_rgb``, ``#define ENOTFOUND``, a configuration key the question names, the listing
    entry it names whole), then the lines holding its terms (BM25), then lines holding another
    form of its words only ("handlers" for "handler", ``word_forms``), which take room nothing
    better wants. Within the first tier, the key line whose path covers most of the question's
    words (its key, its parents) comes first, then the shallowest (``_keys``). Keys and listing
    entries are matched against the whole ``question`` as written: an entry ``npm-bugs.1`` is its
    name even when ``npm`` is a word of the directory listed, which the line query leaves out. A key
    path written as one word (``server.port``, ``server>port``, ``server's port``) names its parts
    (``_keys.path_parts``), unless ``read``, the call's arguments, names it: then it is the file."""
    if not query or len(lines) < 3:
        return [], {}, False
    scorer = BM25(lines)
    scores = scorer.scores(query)
    forms = with_forms(query)
    other = scorer.scores(forms) if forms != query else scores
    named = {w for w in _IDENTIFIER.findall(query) if "_" in w or not w.islower() or any(c.isdigit() for c in w)}
    # a key path written as one word (``server.port``, ``server's port``) names its parts too
    counts = question_counts(question or query) + path_parts(question or query, read)
    words = set(counts)
    keys = key_paths(lines)
    paths: dict[int, tuple[int, ...]] = {}
    place: dict[int, tuple[int, int]] = {}  # a named key's line: (minus the question's words its path covers, depth)
    if keys:
        for index, (key, parents) in keys.items():
            if key.lower() in words:
                covered = {key.lower()} | {w for at in parents for w in _named(keys[at][0], words)}
                # a parent named like its key counts too when the question writes the word twice:
                # "description under description" asks for the ``description:`` key of a
                # ``description:`` mapping, not the top-level one ("params" once does not lift a
                # ``params:`` nested in another)
                again = sum(key.lower() in _named(keys[at][0], words) for at in parents)
                paths[index] = parents
                place[index] = (-len(covered) - min(again, counts[key.lower()] - 1), len(parents))
    tiers = []
    for index, (line, score) in enumerate(zip(lines, scores)):
        found = _DEFINITION.match(line) if named else None
        defined = found is not None and (found[1] or found[2]) in named
        entry = any(name in words for name in listing_names(line))
        tiers.append(2 if defined or index in place or entry or defines(query, line) else 1 if score > 0 else 0)
    ranked = [i for i in range(len(lines)) if tiers[i] or other[i] > 0]
    ranked.sort(key=lambda i: (-tiers[i], place.get(i, (0, 0)), -(scores[i] if tiers[i] else other[i]), i))
    return ranked, paths, bool(ranked) and tiers[ranked[0]] == 2


def _named(key: str, words: set[str]) -> set[str]:
    """The question's words that name this parent key or section (``tool.ruff`` also by its parts)."""
    key = key.lower()
    return {part for part in {key, *key.split(".")} if part in words}


@dataclass(frozen=True)
class _Profile:
    lines: list[str]
    costs: list[int]
    ranked: list[int]
    starts: list[int]  # each line's offset in the text (a ``chars`` mark's range counts from there)
    parents: dict[int, tuple[int, ...]]  # a ranked key line's parent keys and section, outermost first
    named: bool = False  # the best ranked line is of the first tier: the definition, key or entry asked for


def _cut_lines(profile: _Profile, target: int, ctx: PieceContext) -> Compressed | None:
    """Keep head, tail and query lines within ``target`` tokens, as close to it as the lines allow."""
    lines = profile.lines
    # a marker line as this piece writes it, counted with its counter (its widest range)
    marker = ctx.counter.count(ctx.marker(len(lines), "lines", f"{len(lines)}-{len(lines)}") + "\n")

    def attempt(room: float) -> tuple[set[int], int] | None:
        keep = _choose(profile, int(room), marker)
        if not keep or len(keep) == len(lines):
            return None
        return keep, _tokens(profile, keep, ctx)

    found = reach(whole_rooms(attempt), target - marker, target)
    if found is None:
        return None
    keep, tokens = found
    cuts: dict[int, tuple[int, int]] = {}
    if tokens < FLOOR * target:
        tokens = _fill(profile, keep, cuts, target, ctx)
    text, omitted = render(lines, keep, ctx, cuts, profile.starts)
    why = "whole lines are kept and the next one would not fit"
    # a unit nothing of was omitted is not named: the mixed and JSON compressors take this account
    # as it is (the core drops such a unit from any other compressor's, ``forms._to_form``)
    counts = {unit: count for unit, count in zip(("lines", "chars"), omitted, strict=True) if count}
    return Compressed(text, omitted=counts, fallbacks=short_of(tokens, target, why))


def _fill(profile: _Profile, keep: set[int], cuts: dict[int, tuple[int, int]], target: int, ctx: PieceContext) -> int:
    """Spend the room whole lines left on the omitted lines worth most, the first too long cut by characters.

    A few very long lines (JSON messages one per line, a minified bundle beside
    its build log) leave whole-line choice far under its target: the next line
    alone is bigger than all the room left. Such a line keeps its head and tail
    characters around a ``chars`` mark, sized by its token count to the room
    left, rather than being dropped whole. Lines matching the question come
    first, then the omitted lines in order. Adds to ``keep`` and ``cuts``
    (index: head and tail characters kept) and returns the tokens of the result.
    """
    lines, costs = profile.lines, profile.costs
    tokens = _tokens(profile, keep, ctx, cuts)
    ranked = [i for i in profile.ranked if i not in keep]
    chosen = set(ranked)
    for index in ranked + [i for i in range(len(lines)) if i not in keep and i not in chosen]:
        slack = target - tokens
        if slack < _MIN_CUT:
            break
        keep.add(index)
        if costs[index] < slack:  # the whole line may fit now; the render says
            whole = _tokens(profile, keep, ctx, cuts)
            if whole <= target:
                tokens = whole
                continue
        body = len(lines[index].rstrip("\n"))
        kept = int(body * slack / max(costs[index], 1))
        while kept > 0:
            head = int(kept * _HEAD_SHARE)
            cuts[index] = (head, kept - head)
            cut = _tokens(profile, keep, ctx, cuts)
            if cut <= target:
                return cut
            kept = int(kept * 0.85)
        keep.discard(index)
        cuts.pop(index, None)
    return tokens


def _choose(profile: _Profile, room: int, marker: int) -> set[int]:
    """Indexes of the lines to keep, their token costs adding up to at most ``room``.

    When the best line is the one the question names (the first tier: a key under the parent it
    names, a definition, a listing entry) and the head and tail shares leave it no room, it is taken
    first and the shares are cut from what is left: a YAML ``resource_spec: !REF ...`` line of 35
    tokens lost to a 57-token room's file header and last lines.
    """
    keep = _shares(profile, room, marker, ())
    best = profile.ranked[0] if profile.named else None
    if best is not None and best not in keep and profile.costs[best] + 2 * marker <= room:
        keep = _shares(profile, room, marker, (best,))
    return keep


def _shares(profile: _Profile, room: int, marker: int, first: tuple[int, ...]) -> set[int]:
    """``_choose``'s head, tail and ranked lines, with the lines of ``first`` taken before any."""
    lines, costs, ranked = profile.lines, profile.costs, profile.ranked
    head_share, tail_share = _QUERY_SHARES if ranked else (_HEAD_SHARE, 1 - _HEAD_SHARE)
    keep: set[int] = set(first)
    used = sum(costs[index] + marker for index in first)

    def take(index: int, limit: int, gap_cost: int = 0) -> bool:
        nonlocal used
        cost = costs[index] + gap_cost
        if used + cost > limit:
            return False
        keep.add(index)
        used += cost
        return True

    head_limit = used + int((room - used) * head_share)
    for index in range(len(lines)):
        if index not in keep and not take(index, head_limit):
            break
    tail_limit = used + int((room - used) * tail_share) if first else used + int(room * tail_share)
    for index in range(len(lines) - 1, -1, -1):
        if index in keep or not take(index, tail_limit):
            break
    for rank, index in enumerate(ranked):  # each new island of kept lines may cost a marker before it
        if index in first or (index not in keep and take(index, room, 0 if index - 1 in keep else marker)):
            # a kept key brings its parents when they fit, nearest first: the path says whose value it is
            for parent in reversed(profile.parents.get(index, ()) if rank < _CONTEXT else ()):
                if parent not in keep:
                    take(parent, room, 0 if parent - 1 in keep else marker)
            after = index + 1
            # the best matches bring the line after them: an option's description, a call's arguments
            if rank < _CONTEXT and after < len(lines) and after not in keep and lines[after].strip():
                take(after, room)
    return keep


def render(
    lines: list[str],
    keep: set[int],
    ctx: PieceContext,
    cuts: dict[int, tuple[int, int]] | None = None,
    starts: list[int] | None = None,
) -> tuple[str, tuple[int, int]]:
    """The kept lines with one marker line for each run of omitted ones, and the omitted lines and characters.

    A kept line in ``cuts`` keeps only its first and last characters (head, tail)
    around a ``chars`` mark whose range counts characters of the whole text.
    ``starts`` are the lines' offsets (``_starts``) when the caller has them: the
    piece's profile holds them, and walking every line of a large piece again
    for each result is work thrown away.
    """
    parts, omitted = _parts(lines, _starts(lines) if starts is None else starts, keep, ctx, cuts)
    return "".join(text for text, _ in parts), omitted


def _starts(lines: list[str]) -> list[int]:
    """Each line's first character's offset in the whole text."""
    out, offset = [], 0
    for line in lines:
        out.append(offset)
        offset += len(line)
    return out


def _tokens(
    profile: _Profile, keep: set[int], ctx: PieceContext, cuts: dict[int, tuple[int, int]] | None = None
) -> int:
    """Exactly ``count(render(...)[0])``, from the kept lines' own costs and the counts of the marks.

    ``count_joined`` adds the parts' counts where the tokenizer cuts between
    them and counts together only the parts that meet elsewhere (a blank line
    after a mark), and the parts are walked by the kept lines, not the piece's:
    a candidate costs its marks' encodings and a walk of its own length.
    ``_fill`` tries one more line at a time, and rendering and counting the
    whole output for each, over every line of the piece, made it quadratic.
    """
    parts, _ = _parts(profile.lines, profile.starts, keep, ctx, cuts)
    costs, count = profile.costs, ctx.counter.count
    return count_joined(((text, count(text) if at < 0 else costs[at]) for text, at in parts), ctx.counter)


def _parts(
    lines: list[str],
    starts: list[int],
    keep: set[int],
    ctx: PieceContext,
    cuts: dict[int, tuple[int, int]] | None,
) -> tuple[list[tuple[str, int]], tuple[int, int]]:
    """``render``'s output as parts: each with the index of the whole line it is, or -1 (a mark, a cut line)."""
    out: list[tuple[str, int]] = []
    omitted = chars = 0
    cuts = cuts or {}
    done = 0  # lines before this one are written (kept, or in a mark)
    for index in sorted(keep):
        if index > done:
            omitted += index - done
            out.append((ctx.marker(index - done, "lines", f"{done + 1}-{index}") + "\n", -1))
        line, at = lines[index], index
        if index in cuts:
            head, tail = cuts[index]
            body = line.rstrip("\n")
            cut, gone = render_spans(body, ((0, head), (len(body) - tail, len(body))), starts[index], ctx.marker)
            line = cut + line[len(body) :]
            chars += gone
            at = -1
        out.append((line, at))
        done = index + 1
    if done < len(lines):
        omitted += len(lines) - done
        ending = "\n" if lines[-1].endswith("\n") else ""
        out.append((ctx.marker(len(lines) - done, "lines", f"{done + 1}-{len(lines)}") + ending, -1))
    return out, (omitted, chars)


def _cut_chars(text: str, target: int, ctx: PieceContext) -> Compressed | None:
    """Head and tail characters around a marker, shrinking until within ``target``."""
    count = ctx.counter.count
    total = count(text)
    room = target - count(ctx.marker(len(text), "chars", f"1-{len(text)}")) - 2
    if room <= 0 or total <= target:
        return None
    keep = int(len(text) * room / total)
    while keep > 0:
        head_len = int(keep * _HEAD_SHARE)
        tail_len = keep - head_len
        candidate, omitted = render_spans(text, ((0, head_len), (len(text) - tail_len, len(text))), 0, ctx.marker)
        if count(candidate) <= target:
            return Compressed(candidate, omitted={"chars": omitted})
        keep = int(keep * 0.85)
    return None
