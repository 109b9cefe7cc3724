"""The functional core: find the pieces, route them, place them turn by turn, assemble.

Routing is ``headroom.router``; a piece's forms and their fallback chain are
``headroom.forms``; who gets how much room is ``headroom.turns`` over
``headroom.budget``.

Nothing here touches a store. ``plan_messages`` and ``plan_text`` return a
``Plan``: the result to hand back and the originals the edge must store before
handing it back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from headroom.budget import check_budget
from headroom.compressors.base import PieceContext
from headroom.config import Config
from headroom.errors import BudgetExceeded, InvalidInput
from headroom.forms import Form, FormCache, Piece, Shaper
from headroom.handles import make_handle
from headroom.hints import hint_for
from headroom.log import logger
from headroom.manifest import CompressResult, Degradation, Manifest, ManifestEntry, TextResult
from headroom.markers import piece_marks
from headroom.messages import (
    MESSAGE_OVERHEAD,
    REPLY_PRIMING,
    Field,
    Path,
    field_tokens,
    iter_fields,
    latest_user_index,
    rebuild,
    tool_calls_by_id,
    user_text,
)
from headroom.registry import Registry
from headroom.secrets import redact
from headroom.tokens import RememberingCounter, TokenCounter
from headroom.turns import Turns, place

__all__ = ["Plan", "plan_messages", "plan_text"]


@dataclass(frozen=True)
class Plan:
    """What the edge needs: originals to store (handle -> text, content type), then the result."""

    originals: dict[str, tuple[str, str]]
    result: CompressResult | TextResult
    secret: frozenset[str] = frozenset()  # handles whose original holds secrets: never for the retrieval tool
    meta: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # stored beside an original


def plan_messages(
    messages: Sequence[Mapping[str, Any]],
    budget: int | None,
    *,
    counter: TokenCounter,
    registry: Registry,
    config: Config,
    query: str | None,
    strict: bool,
    leave: frozenset[str] = frozenset(),
    notes: tuple[Degradation, ...] = (),
    forms_cache: FormCache | None = None,
) -> Plan:
    """Plan ``messages``; pieces whose handle is in ``leave`` stay as they are (``notes`` say why)."""
    check_budget(budget)
    counter = RememberingCounter(counter)  # compressors count the forms they return; so does the core
    fields = list(iter_fields(messages))
    redaction = _Redaction(counter, leave)
    if config.redact_secrets:
        fields = [redaction.field(f) for f in fields]
    latest = latest_user_index(messages)
    calls = tool_calls_by_id(messages)
    per_message = [MESSAGE_OVERHEAD] * len(messages)
    candidates: list[tuple[Field, int]] = []
    for f in fields:
        tokens = field_tokens(f, counter)
        per_message[f.message_index] += tokens
        if _compressible(f, latest, config) and (not leave or make_handle(f.text) not in leave):
            candidates.append((f, tokens))
    ends = _running(per_message, start=REPLY_PRIMING)
    queries = _queries(messages, config, query)
    turn_of = _turn_of(messages)
    pieces = []
    for f, tokens in candidates:
        name, args = calls.get(f.call_id, (None, None)) if f.call_id else (None, None)
        ctx = PieceContext(
            make_handle(f.text),
            counter,
            queries[f.message_index],
            name,
            args,
            registry,
            config.compressors,
            config.levels,
        )
        at = f.message_index
        pieces.append(
            Piece(
                at,
                f.path,
                f.text,
                tokens,
                ends[at],
                ctx,
                f.category == "tool_args" or f.structured,
                turn_of[at],
                f.structured,
            )
        )
    planned = REPLY_PRIMING + sum(per_message)
    turns = _turns(messages, turn_of, per_message, pieces, config, query)
    chosen, manifest, _ = _choose(pieces, turns, budget, counter, registry, config, strict, forms_cache, notes)
    originals = _originals(chosen, manifest)
    meta = _meta(chosen, manifest, registry, config)
    manifest = redaction.into(manifest, originals)
    before = planned + redaction.saved
    out = rebuild(messages, {**redaction.texts, **{(p.message_index, p.path): form.text for p, form in chosen}})
    result = CompressResult(
        messages=out,
        manifest=manifest,
        tokens_before=before,
        tokens_after=manifest_total(manifest, before) - redaction.unrecorded,
    )
    return Plan(originals, result, redaction.handles, meta)


def plan_text(
    text: str,
    budget: int | None,
    *,
    counter: TokenCounter,
    registry: Registry,
    config: Config,
    query: str | None,
    strict: bool,
    leave: frozenset[str] = frozenset(),
    notes: tuple[Degradation, ...] = (),
    forms_cache: FormCache | None = None,
) -> Plan:
    """Plan one text; it stays as it is when its handle is in ``leave``."""
    if not isinstance(text, str):
        raise InvalidInput(f"compress_text takes a str, got {type(text).__name__}; for message lists use compress()")
    check_budget(budget)
    counter = RememberingCounter(counter)
    redaction = _Redaction(counter, leave)
    if config.redact_secrets:
        text = redaction.field(Field(0, (), text, "tool_output")).text
    tokens = counter.count(text)
    ctx = PieceContext(
        make_handle(text), counter, query or None, registry=registry, options=config.compressors, levels=config.levels
    )
    pieces = [] if ctx.handle in leave else [Piece(0, (), text, tokens, tokens, ctx)]
    turns = Turns((tokens - sum(p.tokens for p in pieces),), (query or None,), query or None)
    chosen, manifest, _ = _choose(pieces, turns, budget, counter, registry, config, strict, forms_cache, notes)
    new_text = chosen[0][1].text if chosen else text
    originals = _originals(chosen, manifest)
    meta = _meta(chosen, manifest, registry, config)
    manifest = redaction.into(manifest, originals)
    before = tokens + redaction.saved
    result = TextResult(
        text=new_text,
        manifest=manifest,
        tokens_before=before,
        tokens_after=manifest_total(manifest, before) - redaction.unrecorded,
    )
    return Plan(originals, result, redaction.handles, meta)


class _Redaction:
    """Secrets taken out of tool outputs before planning (``headroom.secrets``), one manifest entry each piece.

    The entry's handle redeems the original with its secrets for the caller;
    the piece is then planned as its redacted text, so a later marker's handle
    (and the retrieval tool) gives back the redacted form only. An original
    the store refused (``leave``) is still redacted, without an entry: the
    secret stays out of view and the store degradation says the original is gone.
    """

    def __init__(self, counter: TokenCounter, leave: frozenset[str]) -> None:
        self.counter = counter
        self.leave = leave
        self.entries: list[ManifestEntry] = []
        self.originals: dict[str, tuple[str, str]] = {}
        self.texts: dict[tuple[int, Path], str] = {}
        self.saved = 0
        self.unrecorded = 0

    def field(self, f: Field) -> Field:
        if f.category != "tool_output" or f.structured:
            return f
        found = redact(f.text)
        if not found.found:
            return f
        handle = make_handle(f.text)
        before, after = field_tokens(f, self.counter), self.counter.count(found.text)
        self.texts[(f.message_index, f.path)] = found.text
        self.saved += before - after
        if handle not in self.leave:
            self.originals[handle] = (f.text, "text")
            self.entries.append(
                ManifestEntry(
                    handle=handle,
                    message_index=f.message_index,
                    path=f.path,
                    content_type="secret",
                    compressor="secrets",
                    lossless=False,
                    level="redacted",
                    tokens_before=before,
                    tokens_after=after,
                    omitted=found.kinds,
                )
            )
        else:
            self.unrecorded += before - after  # no entry to carry the change: tokens_after takes it directly
        return Field(f.message_index, f.path, found.text, f.category, f.pinned, f.call_id, f.structured)

    @property
    def handles(self) -> frozenset[str]:
        return frozenset(self.originals)

    def into(self, manifest: Manifest, originals: dict[str, tuple[str, str]]) -> Manifest:
        if not self.entries:
            return manifest
        originals.update(self.originals)
        entries = sorted((*self.entries, *manifest.entries), key=lambda e: (e.message_index, e.level != "redacted"))
        return manifest.model_copy(update={"entries": tuple(entries)})


def _originals(chosen: list[tuple[Piece, Form]], manifest: Manifest) -> dict[str, tuple[str, str]]:
    """Each original with the type its marks speak: a generic form marks the original's own lines, so
    it is stored as text even when routed as HTML (whose marks count lines of the text rendering)."""
    return {
        p.ctx.handle: (p.text, "text" if form.compressor == "generic" else e.content_type)
        for (p, form), e in zip(chosen, manifest.entries)
    }


def _meta(
    chosen: list[tuple[Piece, Form]], manifest: Manifest, registry: Registry, config: Config
) -> dict[str, dict[str, str]]:
    """What each piece's compressor wants kept beside its original for retrieval in its own units
    (``Compressor.original_meta``): the code compressor keeps the file name the call read, so
    ``retrieve(handle, symbol=...)`` parses the original in that file's language."""
    out: dict[str, dict[str, str]] = {}
    for (p, _), e in zip(chosen, manifest.entries):
        if e.content_type in registry.content_types:
            meta = registry.build(e.content_type, config.compressors).original_meta(p.text, p.ctx)
            if meta:
                out[p.ctx.handle] = dict(meta)
    return out


def manifest_total(manifest: Manifest, before: int) -> int:
    return before - sum(e.tokens_before - e.tokens_after for e in manifest.entries)


def _placed(shapers: list[Shaper], turns: Turns, budget: int) -> list[Form]:
    """``place``'s forms with every check a compressor put off run on them, and only on them.

    The search asks a piece for a form at several targets and sends one; the code
    family parses an output again only when it is the one sent
    (``Compressor.compress_deferred``). A form that fails is made again with every
    check at its target, and the search runs again on the real sizes: each round
    settles at least one form for good, so it ends.
    """
    while True:
        forms = place(shapers, turns, budget)
        confirmed = [s.confirm(f) for s, f in zip(shapers, forms)]
        if all(f is not None for f in confirmed):
            return [f for f in confirmed if f is not None]


def _choose(
    pieces: list[Piece],
    turns: Turns,
    budget: int | None,
    counter: TokenCounter,
    registry: Registry,
    config: Config,
    strict: bool,
    forms_cache: FormCache | None = None,
    notes: tuple[Degradation, ...] = (),
) -> tuple[list[tuple[Piece, Form]], Manifest, list[Degradation]]:
    degradations: list[Degradation] = list(notes)
    if counter.note:
        degradations.append(Degradation(kind="tokenizer", detail=counter.note))
    degradations.extend(Degradation(kind="plugin", detail=problem) for problem in registry.problems)
    routes = [_route(p, registry) for p in pieces]
    shapers = [Shaper(p, kind, registry, config, budget, shared=forms_cache) for p, (kind, _) in zip(pieces, routes)]
    for piece, (kind, route) in zip(pieces, routes):
        at = piece.message_index
        logger.debug("route: message %d %s, %d tokens -> %s (%s)", at, piece.path, piece.tokens, kind, route)
    fixed = turns.fixed_upto[-1]
    if budget is None or fixed + sum(s.default.tokens for s in shapers) <= budget:
        forms = [s.default for s in shapers]
    else:
        forms = _placed(shapers, turns, budget)
    forms = [s.sent(f) for s, f in zip(shapers, forms)]
    total = fixed + sum(f.tokens for f in forms)
    fits = budget is None or total <= budget
    logger.debug("allocate: budget %s, fixed %d, total %d, fits %s", budget, fixed, total, fits)
    reason = None
    if not fits:
        assert budget is not None
        reason = (
            f"the protected parts alone need {fixed} tokens"
            if fixed > budget
            else f"even with every compressible piece at its smallest, the messages need {total} tokens"
        )
        if strict:
            raise BudgetExceeded(budget, total, reason)
    chosen: list[tuple[Piece, Form]] = []
    entries = []
    for piece, shaper, form, (_, route) in zip(pieces, shapers, forms, routes):
        at = piece.message_index
        degradations.extend(Degradation(kind=kind, detail=detail, message_index=at) for kind, detail in form.notes)
        if form.text == piece.text:
            continue
        chosen.append((piece, form))
        entries.append(
            ManifestEntry(
                handle=piece.ctx.handle,
                message_index=piece.message_index,
                path=piece.path,
                content_type=shaper.content_type,
                compressor=form.compressor,
                lossless=form.lossless,
                level=form.level,
                tokens_before=piece.tokens,
                tokens_after=form.tokens,
                omitted=dict(form.omitted),
                marks=piece_marks(form.text, piece.text, piece.ctx.handle),
                route=route,
            )
        )
    manifest = Manifest(
        entries=tuple(entries),
        budget=budget,
        within_budget=fits,
        reason=reason,
        encoding=counter.name,
        degradations=tuple(_unique(degradations)),
    )
    return chosen, manifest, degradations


def _route(piece: Piece, registry: Registry) -> tuple[str, str]:
    """The piece's content type, and what chose it: the tool call's hint first, then the detectors."""
    if piece.ctx.tool_args or piece.ctx.tool_name:
        hinted = hint_for(piece.text, piece.ctx.tool_name, piece.ctx.tool_args)
        if hinted is not None and hinted[0] in registry.content_types:
            return hinted[0], f"hint: {hinted[1]}"
    return registry.router.detect(piece.text), "detector"


def _turn_of(messages: Sequence[Mapping[str, Any]]) -> list[int]:
    """Each message's turn: a turn starts after each assistant message (one model call adds one turn)
    and at a user question that follows tool results: the question arrives after the call that saw
    those results, and must not join their turn (their room would be split with it, and their bytes
    change once it arrives)."""
    out, turn = [], 0
    for index, message in enumerate(messages):
        if index and messages[index - 1].get("role") == "tool" and user_text(message) is not None:
            turn += 1
        out.append(turn)
        if message.get("role") == "assistant":
            turn += 1
    return out


def _turns(
    messages: Sequence[Mapping[str, Any]],
    turn_of: list[int],
    per_message: list[int],
    pieces: list[Piece],
    config: Config,
    query: str | None,
) -> Turns:
    """Untouched tokens up to the end of each turn, and the latest user question by then."""
    count = (turn_of[-1] + 1) if turn_of else 1
    fixed = [0] * count
    questions: list[str | None] = [None] * count
    asked_at: list[int | None] = [None] * count
    for index, tokens in enumerate(per_message):
        fixed[turn_of[index]] += tokens
    for piece in pieces:
        fixed[piece.turn] -= piece.tokens
    last: str | None = None
    last_at: int | None = None
    for index, message in enumerate(messages):
        text = user_text(message)
        if text is not None:
            last, last_at = text, index
        if index == 0 or turn_of[index] != turn_of[index - 1]:  # a turn's question: as of its first message
            questions[turn_of[index]] = last
            asked_at[turn_of[index]] = last_at
    if query is not None:
        questions, last = [query or None] * count, query or None
    elif not config.auto_query:
        questions, last = [None] * count, None
    return Turns(tuple(_running(fixed, start=REPLY_PRIMING)), tuple(questions), last, tuple(asked_at))


def _compressible(f: Field, latest: int | None, config: Config) -> bool:
    if f.pinned or f.category in ("opaque", "tool_name"):
        return False
    if f.category == "user_text" and f.message_index == latest:
        return "latest_user" not in config.protect
    return f.category not in config.protect


def _queries(messages: Sequence[Mapping[str, Any]], config: Config, query: str | None) -> list[str | None]:
    """The query of each message: ``query`` if given ("" turns it off), else the latest user turn before it."""
    if query is not None:
        return [query or None] * len(messages)
    out: list[str | None] = []
    last: str | None = None
    for message in messages:
        out.append(last if config.auto_query else None)
        text = user_text(message)
        if text is not None:
            last = text
    return out


def _running(values: Sequence[int], start: int) -> list[int]:
    out, total = [], start
    for value in values:
        total += value
        out.append(total)
    return out


def _unique(items: list[Degradation]) -> list[Degradation]:
    seen: dict[Degradation, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
