"""The functional core: find the pieces, build each one's ladder, allocate, assemble.

Nothing here touches a store. ``plan_messages`` and ``plan_text`` return a
``Plan``: the result to hand back and the originals the edge must store before
handing it back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from headroom.budget import allocate, check_budget
from headroom.compressors.base import CHECKS, Compressed, Compressor, PieceContext
from headroom.config import Config
from headroom.errors import BudgetExceeded, InvalidInput
from headroom.handles import make_handle
from headroom.log import logger
from headroom.manifest import CompressResult, Degradation, Manifest, ManifestEntry, TextResult
from headroom.markers import mark_piece, piece_marks, render_marker
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
from headroom.structure import dumps
from headroom.tokens import RememberingCounter, TokenCounter

__all__ = ["Plan", "plan_messages", "plan_text"]


_OUT_OF_REACH = 2  # a lossy level whose target exceeds this many budgets is not tried


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
    structured: bool = False  # a JSON object/array in the input: a form must parse to the same type


@dataclass(frozen=True)
class Form:
    text: str
    tokens: int
    level: str
    lossless: bool
    omitted: Mapping[str, int]
    compressor: str


@dataclass
class Ladder:
    """A piece's forms by level, computed on first use and never growing along the ladder."""

    piece: Piece
    content_type: str
    registry: Registry
    config: Config
    degradations: list[Degradation]
    budget: int | None
    forms: dict[int, Form] = field(default_factory=dict)

    def form(self, level: int) -> Form:
        if level not in self.forms:
            self.forms[level] = self._build(level)
        return self.forms[level]

    def _build(self, level: int) -> Form:
        piece = self.piece
        original = Form(piece.text, piece.tokens, "original", True, {}, "none")
        previous = original if level == 0 else self.form(level - 1)
        top = len(self.config.levels) + 1
        if level == top:
            made = self._marker()
        elif level == 0 and piece.tokens < self.config.min_tokens:
            return original
        else:
            target = None if level == 0 else max(1, int(piece.tokens * self.config.levels[level - 1]))
            if target is not None and self.budget is not None and target > _OUT_OF_REACH * self.budget:
                # a form aiming at twice the whole budget cannot fit it; on a 10 MB log
                # these levels were most of the time spent under a budget (docs/budget.md)
                return previous
            made = self._compress(target, "default" if level == 0 else str(self.config.levels[level - 1]))
        if level == 0 and self.budget is not None and made is not None and not made.lossless:
            # under a budget the allocator picks the loss; level 0 keeps only lossless savings
            return original
        return made if made is not None and made.tokens < previous.tokens else previous

    @cached_property
    def compressor(self) -> Compressor:
        return self.registry.build(self.content_type, self.config.compressors)

    def _compress(self, target: int | None, level: str) -> Form | None:
        piece = self.piece
        compressor = self.compressor
        try:
            out = compressor.compress(piece.text, target, piece.ctx)
        except Exception as error:  # noqa: BLE001 - a plugin's failure must not lose the caller's data
            self.degradations.append(
                Degradation(
                    kind="compressor",
                    detail=f"{compressor.name} failed on {self.content_type} ({type(error).__name__}: {error}); "
                    "piece left at a safer level",
                    message_index=piece.message_index,
                )
            )
            return None
        if out is None:
            return None
        for note in out.fallbacks:
            self.degradations.append(
                Degradation(kind="fallback", detail=f"{compressor.name}: {note}", message_index=piece.message_index)
            )
        if not self._passes(out, compressor.name):
            return None
        text = mark_piece(out.text, piece.text, piece.ctx.handle)  # the piece names its handle once
        if piece.structured:
            # it goes back as a parsed object, and is billed as it will be serialized again
            text = dumps(json.loads(text))
        return Form(text, piece.ctx.counter.count(text), level, out.lossless, dict(out.omitted), compressor.name)

    def _passes(self, out: Compressed, name: str) -> bool:
        check = CHECKS.get(out.output_kind)
        ok = check is not None and check(out.text) and (not self.piece.json_only or CHECKS["json"](out.text))
        if ok and self.piece.structured:
            ok = _same_json_type(self.piece.text, out.text)
        if not ok:
            self.degradations.append(
                Degradation(
                    kind="check",
                    detail=f"{name} output failed its {out.output_kind!r} check; reverted to a safer level",
                    message_index=self.piece.message_index,
                )
            )
        return ok

    def _marker(self) -> Form | None:
        if self.piece.json_only:
            return None
        count, unit = self.compressor.describe(self.piece.text)
        detail = f"1-{count}" if unit in ("lines", "chars") else None
        text = render_marker(self.piece.ctx.handle, count, unit, detail)
        return Form(text, self.piece.ctx.counter.count(text), "marker", False, {unit: count}, "marker")


@dataclass(frozen=True)
class Plan:
    """What the edge needs: originals to store (handle -> text, content type), then the result."""

    originals: dict[str, tuple[str, str]]
    result: CompressResult | TextResult
    secret: frozenset[str] = frozenset()  # handles whose original holds secrets: never for the retrieval tool


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
        pieces.append(
            Piece(
                f.message_index,
                f.path,
                f.text,
                tokens,
                ends[f.message_index],
                ctx,
                f.category == "tool_args" or f.structured,
                f.structured,
            )
        )
    planned = REPLY_PRIMING + sum(per_message)
    fixed = planned - sum(p.tokens for p in pieces)
    chosen, manifest, degradations = _choose(pieces, fixed, budget, counter, registry, config, strict, notes)
    originals = _originals(chosen, manifest)
    manifest = redaction.into(manifest, originals)
    before = planned + redaction.saved
    out = rebuild(messages, {**redaction.texts, **{(p.message_index, p.path): form.text for p, form in chosen}})
    result = CompressResult(
        messages=out,
        manifest=manifest,
        tokens_before=before,
        tokens_after=manifest_total(manifest, before) - redaction.unrecorded,
    )
    return Plan(originals, result, redaction.handles)


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
    chosen, manifest, _ = _choose(
        pieces, tokens - sum(p.tokens for p in pieces), budget, counter, registry, config, strict, notes
    )
    new_text = chosen[0][1].text if chosen else text
    originals = _originals(chosen, manifest)
    manifest = redaction.into(manifest, originals)
    before = tokens + redaction.saved
    result = TextResult(
        text=new_text,
        manifest=manifest,
        tokens_before=before,
        tokens_after=manifest_total(manifest, before) - redaction.unrecorded,
    )
    return Plan(originals, result, redaction.handles)


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
    return {p.ctx.handle: (p.text, e.content_type) for (p, _), e in zip(chosen, manifest.entries)}


def manifest_total(manifest: Manifest, before: int) -> int:
    return before - sum(e.tokens_before - e.tokens_after for e in manifest.entries)


def _choose(
    pieces: list[Piece],
    fixed: int,
    budget: int | None,
    counter: TokenCounter,
    registry: Registry,
    config: Config,
    strict: bool,
    notes: tuple[Degradation, ...] = (),
) -> tuple[list[tuple[Piece, Form]], Manifest, list[Degradation]]:
    degradations: list[Degradation] = list(notes)
    if counter.note:
        degradations.append(Degradation(kind="tokenizer", detail=counter.note))
    degradations.extend(Degradation(kind="plugin", detail=problem) for problem in registry.problems)
    ladders = [Ladder(p, registry.router.detect(p.text), registry, config, degradations, budget) for p in pieces]
    for ladder in ladders:
        piece = ladder.piece
        logger.debug(
            "route: message %d %s, %d tokens -> %s", piece.message_index, piece.path, piece.tokens, ladder.content_type
        )
    top = len(config.levels) + 1
    allocation = allocate(
        size=lambda i, level: ladders[i].form(level).tokens,
        positions=[p.position for p in pieces],
        fixed=fixed,
        budget=budget,
        top_level=top,
        slack=config.slack,
    )
    logger.debug(
        "allocate: budget %s, fixed %d, total %d, fits %s, levels %s",
        budget,
        fixed,
        allocation.total,
        allocation.fits,
        list(allocation.levels),
    )
    reason = None
    if not allocation.fits:
        assert budget is not None
        reason = (
            f"the protected parts alone need {fixed} tokens"
            if fixed > budget
            else f"even with every compressible piece at its smallest, the messages need {allocation.total} tokens"
        )
        if strict:
            raise BudgetExceeded(budget, allocation.total, reason)
    chosen: list[tuple[Piece, Form]] = []
    entries = []
    for piece, ladder, level in zip(pieces, ladders, allocation.levels):
        form = ladder.form(level)
        if form.text == piece.text:
            continue
        chosen.append((piece, form))
        entries.append(
            ManifestEntry(
                handle=piece.ctx.handle,
                message_index=piece.message_index,
                path=piece.path,
                content_type=ladder.content_type,
                compressor=form.compressor,
                lossless=form.lossless,
                level=form.level,
                tokens_before=piece.tokens,
                tokens_after=form.tokens,
                omitted=dict(form.omitted),
                marks=piece_marks(form.text, piece.text, piece.ctx.handle),
            )
        )
    manifest = Manifest(
        entries=tuple(entries),
        budget=budget,
        within_budget=allocation.fits,
        reason=reason,
        encoding=counter.name,
        degradations=tuple(_unique(degradations)),
    )
    return chosen, manifest, degradations


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


def _same_json_type(before: str, after: str) -> bool:
    """Whether ``after`` parses to the same JSON type as ``before`` (an object stays an object)."""
    try:
        return type(json.loads(before)) is type(json.loads(after))
    except (ValueError, RecursionError):
        return False


def _unique(items: list[Degradation]) -> list[Degradation]:
    seen: dict[Degradation, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
