"""A piece's forms: what its compressor makes at a target, with the fallback chain behind it.

``Shaper.form(target, query)`` is the one place a compressor's output becomes a
``Form`` the core can place (``_to_form``). The chain (DESIGN invariant 11):

1. the typed compressor at the target; if its form is over the target it is
   asked again, twice at most, with the target scaled by how far it missed;
2. the generic compressor (head, tail, lines matching the question) at the
   same target, when the typed one gave nothing that fits;
3. a bare marker, only when the generic form does not fit either.

Each fall is carried on the form as a note and recorded as a degradation only
when that form is the one sent: the allocator tries many targets, and a fall
at a target it did not choose is not something the caller got.

Forms are memoised by ``(target, query)``: the allocator's bisection and the
turn-by-turn replay (headroom.turns) ask for the same form many times. A
``FormCache`` held by a ``Headroom`` instance carries them across calls, keyed
by the piece's handle and content type as well: an agent loop compresses the
same history before every call, and the replay then costs lookups. It is an
optimisation only: a form is a pure function of its key and the instance's
fixed counter, registry and config, so a hit and a miss give the same bytes.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from headroom.compressors.base import CHECKS, Compressed, Compressor, PieceContext
from headroom.config import Config
from headroom.markers import MARKER_RE, mark_piece, render_marker
from headroom.messages import Path
from headroom.registry import Registry
from headroom.relevance import BM25, without_call_names
from headroom.structure import dumps
from headroom.tokens import RememberingCounter

__all__ = ["Form", "FormCache", "Piece", "Shaper"]

_RETRIES = 2
_PLATEAU = 0.85  # a typed form below this share of its target leaves room the generic form may use better
_GAIN = 2.0  # the generic form must add this many times the question's score it drops
_STRONG = 0.5  # ... and drop no line scoring this share of the piece's best line or more
_CUT_MIN = 20  # characters a line cut to its ends must keep to count for the question at all


@dataclass(frozen=True)
class Piece:
    """A compressible string and what is known about it."""

    message_index: int
    path: Path
    text: str
    tokens: int
    position: int
    ctx: PieceContext
    json_only: bool = False
    turn: int = 0
    structured: bool = False  # a JSON object/array in the input: a form must parse to the same type


@dataclass(frozen=True)
class Form:
    text: str
    tokens: int
    level: str
    lossless: bool
    omitted: Mapping[str, int]
    compressor: str
    notes: tuple[tuple[str, str], ...] = ()  # (degradation kind, detail) for each fall taken
    # a typed output whose compressor put its own check off (``Compressor.compress_deferred``): the check,
    # run by ``Shaper.confirm`` only on a form about to be sent
    check: Callable[[], bool] | None = field(default=None, compare=False, repr=False)


class FormCache:
    """Forms kept across calls, least recently used first out, bounded by the characters they hold."""

    def __init__(self, max_chars: int = 32_000_000) -> None:
        self._forms: OrderedDict[Hashable, Form] = OrderedDict()
        self._chars = 0
        self._max = max_chars
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Form | None:
        with self._lock:
            form = self._forms.get(key)
            if form is not None:
                self._forms.move_to_end(key)
            return form

    def put(self, key: Hashable, form: Form) -> None:
        with self._lock:
            if key in self._forms:
                return
            self._forms[key] = form
            self._chars += len(form.text)
            while self._chars > self._max and self._forms:
                _, dropped = self._forms.popitem(last=False)
                self._chars -= len(dropped.text)


#: content types whose typed form is never swapped for the generic line cut in ``Shaper._fuller``:
#: text is the generic form already; JSON returned as JSON still parses (DESIGN invariant 3), and a
#: line cut of it does not (a tool output of JSON stays JSON, a row table or one marker)
_KEPT_WHOLE = frozenset({"text", "json"})
#: units whose omission leaves every word of a piece's text in its form (an HTML page rendered whole
#: leaves out its tags only): ``Shaper._fuller`` keeps such a form however far under its target it is,
#: since the generic cut of the original is a cut of the same words with the markup (issue 12: a
#: libxslt page's whole rendering, 370 tokens in a 636-token room, was swapped for a line cut of
#: its raw HTML that lost the sentence asked about)
_MARKUP = frozenset({"tags"})


@dataclass
class Shaper:
    """Makes one piece's forms, memoised; never raises on a compressor's failure."""

    piece: Piece
    content_type: str
    registry: Registry
    config: Config
    budget: int | None
    memo: dict[tuple[int | None, str | None], Form] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)  # crashes and failed checks, on any attempt
    shared: FormCache | None = None
    _scored: dict[str, dict[str, float]] = field(default_factory=dict)  # per question: line -> best BM25 score
    _checking: bool = False  # a put-off check failed (``confirm``): every form is checked as it is made

    @cached_property
    def original(self) -> Form:
        return Form(self.piece.text, self.piece.tokens, "original", True, {}, "none")

    @cached_property
    def default(self) -> Form:
        """The default policy: under a budget only its lossless savings; the original if none.

        Under a budget, a compressor that declares it never re-encodes losslessly
        (``Compressor.lossless_default`` False) is not run for it: its output could
        only be discarded, and building it took 17-77% of a call. The original
        stands in; ``sent`` adds the notes the full default carries when it is the
        form sent, so the result is the same as when the default was always built.
        """
        if self._skips_default:
            return self.original
        return self._full_default

    @cached_property
    def _skips_default(self) -> bool:
        return (
            self.budget is not None
            and self.piece.tokens >= self.config.min_tokens
            and not self.compressor.lossless_default
        )

    def sent(self, form: Form) -> Form:
        """``form`` as the caller gets it: a default that stood in (``default``) with the notes of
        the full one (a missing parser, a crash), as when the default was always built."""
        if self._skips_default and form.level == "original":
            return self._full_default
        return form

    @cached_property
    def _full_default(self) -> Form:
        wide = self._wide("default", self.piece.ctx.query, self.budget is None)
        kept = self.shared.get(wide) if self.shared is not None else None
        if kept is None:
            kept = self._with_failures(self._default)
            if self.shared is not None:
                self.shared.put(wide, kept)
        return kept

    def _with_failures(self, make: Callable[[], Form]) -> Form:
        """``make()``, carrying the crashes and failed checks met on the way as notes of the form."""
        seen = len(self.failures)
        made = make()
        return replace(made, notes=(*self.failures[seen:], *made.notes)) if len(self.failures) > seen else made

    def _default(self) -> Form:
        piece = self.piece
        if piece.tokens < self.config.min_tokens:
            return self.original
        made = self._compress(self.compressor, None, piece.ctx, "default", lossless_only=self.budget is not None)
        if made is None or made.tokens >= piece.tokens:
            return self.original if made is None or not made.notes else replace(self.original, notes=made.notes)
        if self.budget is not None and not made.lossless:
            return replace(self.original, notes=made.notes)
        return made

    @cached_property
    def compressor(self) -> Compressor:
        return self.registry.build(self.content_type, self.config.compressors)

    @cached_property
    def generic(self) -> Compressor:
        return self.registry.build("text", self.config.compressors)

    def form(self, target: int, query: str | None) -> Form:
        """The largest form the chain makes within ``target`` tokens (a marker may exceed a tiny target)."""
        if target >= self.default.tokens:
            return self.default
        key = (target, query)
        if key not in self.memo:
            wide = self._wide(*key)
            made = self.shared.get(wide) if self.shared is not None else None
            if made is None:
                made = self._with_failures(lambda: self._chain(target, query))
                # never worse (DESIGN invariant 4): a marker larger than the piece is not sent
                made = made if made.tokens < self.default.tokens else self.default
                if self.shared is not None and made.check is None:  # kept across calls once checked
                    self.shared.put(wide, made)
            self.memo[key] = made
        return self.memo[key]

    def confirm(self, form: Form) -> Form | None:
        """``form`` (as ``form`` returned it) once its put-off check has run, or None when it failed.

        On a failure this piece goes back to checking every form it makes (the
        typed compressor's ``compress``, which restores the cuts that broke its
        parse), and every form it made is forgotten: the cuts that broke one
        output mostly break the others too, so their sizes (and the choices made
        beside them) would mislead the search, which the core then runs again.
        Searching on checked forms is what every call did before checks were
        put off, so a piece whose sent form fails its check gets the form it got
        then (a C++ header of the benchmark, ``code-cpp-rb-tree-erase``, kept 173
        tokens less when re-placed among its other, unchecked forms). A form
        whose check was never put off is returned as it is.
        """
        if form.check is None:
            return form
        if not form.check():
            self._checking = True
            self.memo = {}  # a generic form chosen over an unchecked one goes too
            return None
        checked = replace(form, check=None)
        key = next((k for k, made in self.memo.items() if made is form), None)
        if key is None:  # not one of this call's forms: nothing to settle
            return checked
        self.memo[key] = checked
        if self.shared is not None:
            self.shared.put(self._wide(*key), checked)
        return checked

    def _wide(self, *key: Hashable) -> tuple[Hashable, ...]:
        """``key`` (a target and a question, or the default's) as a key of the cache shared across calls:
        with what tells this piece and its routing apart."""
        piece = self.piece
        return (piece.ctx.handle, self.content_type, piece.json_only, piece.structured, *key)

    def _chain(self, target: int, query: str | None) -> Form:
        ctx = self.piece.ctx if query == self.piece.ctx.query else replace(self.piece.ctx, query=query)
        made, notes, nearest = self._fit(self.compressor, target, ctx)
        if made is not None:
            return self._fuller(made, target, ctx)
        if self.content_type != "text" and not self.piece.json_only:
            made, generic_notes, generic_nearest = self._fit(self.generic, target, ctx)
            if made is not None:
                fall = ("fallback", f"{self.compressor.name} kept nothing within {target} tokens; generic form used")
                return replace(made, level="generic", notes=(*notes, *made.notes, fall))
            notes = (*notes, *generic_notes)
            nearest = min((f for f in (nearest, generic_nearest) if f is not None), key=_size, default=None)
        marker = self._marker()
        if marker is None:  # JSON tool arguments: no marker may stand in for them
            return self.default
        if nearest is not None and nearest.tokens < marker.tokens:
            # nothing fits (the budget cannot be met): the smallest result is the one to send
            return replace(nearest, notes=(*notes, ("fallback", f"no form fits {target} tokens; the smallest sent")))
        fall = ("fallback", f"no form of this {self.content_type} fits {target} tokens; bare marker")
        return replace(marker, notes=(*notes, fall))

    def _fuller(self, made: Form, target: int, ctx: PieceContext) -> Form:
        """``made``, or the generic form at the same target when ``made`` leaves more than
        ``1 - _PLATEAU`` of the target unused and the generic form holds more of the question's lines."""
        if made.tokens >= _PLATEAU * target or ctx.query is None:
            return made
        if self.content_type in _KEPT_WHOLE or self.piece.json_only:
            return made
        if made.omitted and set(made.omitted) <= _MARKUP:  # every word is there: a line cut holds no more
            return made
        kept = self._found(made.text, ctx.query)
        if not self._scored[ctx.query]:  # the question matches no line: nothing tells the two forms apart
            return made
        generic, _, _ = self._fit(self.generic, target, ctx)
        if generic is None or generic.tokens <= made.tokens:
            return made
        found = self._found(generic.text, ctx.query)
        gained = sum(score for line, score in found.items() if line not in kept)
        dropped = [score for line, score in kept.items() if line not in found]
        strong = _STRONG * max(self._scored[ctx.query].values(), default=0.0)
        # the generic form loses the typed one's structure (an outline, marks in the source's units):
        # it is sent only when it holds clearly more of the question than it drops, and drops no strong line
        more = gained > _GAIN * sum(dropped) and gained > 0 and all(score < strong for score in dropped)
        if not more and (any(score >= strong for score in dropped) or not self._ties(made, generic, ctx)):
            return made
        why = "holds more of the lines the question matches" if more else "keeps every line the question asks for"
        fall = ("fallback", f"{self.compressor.name} used {made.tokens} of {target} tokens; the generic form {why}")
        return replace(generic, level="generic", notes=(*made.notes, *generic.notes, fall))

    def _ties(self, made: Form, generic: Form, ctx: PieceContext) -> bool:
        """Whether ``generic`` keeps every line of the question that ``made`` keeps (and more of the room).

        Judged with the question as the generic cut ranks by it: less the words naming what the call
        read (``relevance.without_call_names``). Every line of ``stdio.h`` is about ``stdio``, so with
        them ``#include <bits/stdio_lim.h>`` was a question line the outline kept and the generic cut
        did not, and the outline stayed at 0.62 of its budget. (The same question serves the rule for
        more, above, only with those words: judged without them, ``packaging`` in a diff's file headers
        no longer held the diff's form, and the generic cut sent in its place lost the new function.)
        The caller also asks that no strong line of the whole question is dropped: asked which commit
        changed ``copy.copy`` beside ``git log -p -- Lib/copy.py``, every word of ``copy.copy`` names the
        file, and the changed ``x = copy.copy(y)`` lines the diff kept were no question line at all.
        """
        asked = without_call_names(ctx.query, ctx.tool_args) or ctx.query
        if asked is None:
            return False
        kept = self._found(made.text, asked)
        found = self._found(generic.text, asked)
        return bool(self._scored[asked]) and all(line in found for line in kept)

    @cached_property
    def _lines(self) -> list[str]:
        return [line.strip() for line in self.piece.text.split("\n")]

    @cached_property
    def _ranking(self) -> BM25:
        """The piece's lines ranked, for every question ``_found`` is asked: the question and the same
        question less the call's names (``_ties``) read the lines' terms once, not once each."""
        return BM25(self._lines)

    def _found(self, text: str, query: str) -> dict[str, float]:
        """The original's lines that match ``query`` and that ``text`` keeps whole, with their BM25 scores."""
        if query not in self._scored:
            best: dict[str, float] = {}
            for line, score in zip(self._lines, self._ranking.scores(query)):
                if score > 0:
                    best[line] = max(best.get(line, 0.0), score)
            self._scored[query] = best
        best = self._scored[query]
        found = {line: best[line] for line in {_unnumbered(line, best) for line in text.split("\n")} if line in best}
        for line in text.split("\n"):  # a line cut to its ends by characters counts at the share it keeps
            mark = MARKER_RE.search(line)
            if mark is None or mark["unit"] != "chars":
                continue
            head, tail = line[: mark.start()].strip(), line[mark.end() :].strip()
            for whole, score in best.items():
                if len(head) + len(tail) >= _CUT_MIN and whole.startswith(head) and whole.endswith(tail):
                    if whole not in found and len(head) + len(tail) < len(whole):
                        found[whole] = score * (len(head) + len(tail)) / len(whole)
                    break
        return found

    def _fit(
        self, compressor: Compressor, target: int, ctx: PieceContext
    ) -> tuple[Form | None, tuple[tuple[str, str], ...], Form | None]:
        """``compressor``'s form within ``target``: asked for the target less the handle its first mark takes on,
        then again (twice at most) with the aim scaled by how far it missed. Also the smallest form it made
        that missed, for when nothing fits at all."""
        notes: tuple[tuple[str, str], ...] = ()
        nearest: Form | None = None
        aim = max(1, target - ctx.handle_cost)  # the first mark takes on the handle (``_to_form``)
        for _ in range(_RETRIES + 1):
            made = self._compress(compressor, aim, ctx, f"target {target}")
            if made is None:
                break
            notes = made.notes
            if made.tokens <= target and made.tokens < self.piece.tokens:
                return made, notes, None
            if made.tokens < self.piece.tokens and (nearest is None or made.tokens < nearest.tokens):
                nearest = made
            if made.tokens <= 0 or made.tokens >= self.piece.tokens:
                break
            aim = max(1, aim * target // made.tokens - 1)
        return None, notes, nearest

    def _compress(
        self, compressor: Compressor, target: int | None, ctx: PieceContext, level: str, *, lossless_only: bool = False
    ) -> Form | None:
        """``compressor``'s output as a checked Form, or None (a crash or a failed check, each noted).

        ``lossless_only``: the caller sends only a lossless output (the default under a budget), so a
        lossy one is not marked, counted or checked; it comes back as the original with the output's
        falls as notes, exactly what ``_default`` made of it when it was built in full. Only a failed
        check of that discarded output goes unreported: no form of it is sent (see the module notes).
        """
        check: Callable[[], bool] | None = None
        try:
            if target is not None and compressor is self.compressor and not self._checking:
                out, check = compressor.compress_deferred(self.piece.text, target, ctx)
            else:
                out = compressor.compress(self.piece.text, target, ctx)
        except Exception as error:  # noqa: BLE001 - a plugin's failure must not lose the caller's data
            detail = (
                f"{compressor.name} failed on {self.content_type} ({type(error).__name__}: {error}); next in the chain"
            )
            self.failures.append(("compressor", detail))
            return None
        if out is None:
            return None
        if lossless_only and not out.lossless:
            return replace(self.original, notes=_falls(out, compressor.name))
        made = _to_form(out, compressor.name, level, ctx, self.piece)
        if made is None:
            detail = f"{compressor.name} output failed its {out.output_kind!r} check; reverted to the next in the chain"
            self.failures.append(("check", detail))
        return made if made is None or check is None else replace(made, check=check)

    def _marker(self) -> Form | None:
        if self.piece.json_only:
            return None
        count, unit = self.compressor.describe(self.piece.text)
        detail = f"1-{count}" if unit in ("lines", "chars") else None
        text = render_marker(self.piece.ctx.handle, count, unit, detail)
        return Form(text, self.piece.ctx.counter.count(text), "marker", False, {unit: count}, "marker")


def _to_form(out: Compressed, name: str, level: str, ctx: PieceContext, piece: Piece) -> Form | None:
    """A compressor's output as a Form, or None when it fails its check (the one place forms are made).

    The piece names its handle once, in its first mark (``mark_piece``); a
    structured piece (a JSON object in the input) must parse to the same JSON
    type, goes back as a parsed object and is billed as it will be serialized.
    """
    notes = _falls(out, name)
    check = CHECKS.get(out.output_kind)
    if check is None or not check(out.text) or (piece.json_only and not CHECKS["json"](out.text)):
        return None
    if piece.structured and not _same_json_type(piece.text, out.text):
        return None
    text = mark_piece(out.text, piece.text, ctx.handle)
    if piece.structured:
        text = dumps(json.loads(text))
    # a unit nothing of was omitted names nothing a marker stands for (a cut that kept every line
    # and shortened one said ``lines: 0``): the manifest counts only what went
    omitted = {unit: count for unit, count in out.omitted.items() if count}
    return Form(text, _marked_tokens(out.text, text, ctx), level, out.lossless, omitted, name, notes)


def _marked_tokens(output: str, text: str, ctx: PieceContext) -> int:
    """Tokens of ``text``: ``output`` with the handle written into its first mark (``mark_piece``).

    The compressor mostly counted ``output`` already; then the call's counter derives the marked
    text's count from that one by the stretch around the mark (``RememberingCounter.count_spliced``)
    instead of reading every line again. The splice is found and checked here, so any other change
    (a structured piece serialized anew) is counted whole.
    """
    counter = ctx.counter
    named = f"[{ctx.handle} "
    at = text.find(named)
    if (
        not isinstance(counter, RememberingCounter)
        or at < 0
        or len(text) != len(output) + len(named) - 1
        or not (text.startswith(output[:at]) and text.endswith(output[at + 1 :]) and output[at : at + 1] == "[")
    ):
        return counter.count(text)
    return counter.count_spliced(output, at, at + 1, named)


def _falls(out: Compressed, name: str) -> tuple[tuple[str, str], ...]:
    """What ``name`` could not do as designed, as notes of a form (degradations when it is sent)."""
    return tuple(("fallback", f"{name}: {note}") for note in out.fallbacks)


def _size(form: Form) -> int:
    return form.tokens


def _same_json_type(before: str, after: str) -> bool:
    """Whether ``after`` parses to the same JSON type as ``before`` (an object stays an object)."""
    try:
        return type(json.loads(before)) is type(json.loads(after))
    except (ValueError, RecursionError):
        return False


_NUMBERED = re.compile(r"^\d+\t")


def _unnumbered(line: str, best: dict[str, float]) -> str:
    """``line`` stripped, less the line number a kept line may carry as ``cat -n`` writes one (the code
    excerpt's tightest form numbers its one line: ``456\tmargin = margin[:i]``), when the original's
    line is without it."""
    line = line.strip()
    if line in best or not _NUMBERED.match(line):
        return line
    return _NUMBERED.sub("", line, count=1)
