"""The fallback for text of unknown type: keep the head and the tail, mark the middle.

Line-aware: whole lines are kept, and the marker names the 1-based range of
lines it stands for, so ``retrieve(handle, lines=(a, b))`` gives exactly them.
Text with too few lines to cut (one long line, minified data) is cut by
characters instead, and the marker then counts characters. The head gets the
larger share because a tool's output usually states what it is up front; the
tail keeps the ending (the summary, the last error, the exit status).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from headroom.compressors.base import Compressed, Compressor, PieceContext, split_lines

__all__ = ["GenericCompressor"]

_HEAD_SHARE = 0.6


class GenericOptions(BaseModel):
    """``max_tokens``: without budget pressure, pieces above this are cut to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    max_tokens: int = Field(default=4000, ge=64)


class GenericCompressor(Compressor):
    content_type = "text"
    name = "generic"
    Options = GenericOptions

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        if target is None:
            if ctx.counter.count(text) <= self.options.max_tokens:
                return None
            target = self.options.max_tokens
        lines = split_lines(text)
        if len(lines) >= 3:
            cut = _cut_lines(lines, target, ctx)
            if cut is not None:
                return cut
        return _cut_chars(text, target, ctx)


def _cut_lines(lines: list[str], target: int, ctx: PieceContext) -> Compressed | None:
    """Head and tail lines around one marker line, within ``target`` tokens."""
    count = ctx.counter.count
    room = target - count(ctx.marker(len(lines), "lines", f"1-{len(lines)}")) - 1
    if room <= 0:
        return None
    head_room = int(room * _HEAD_SHARE)
    head: list[str] = []
    used = 0
    for line in lines:
        cost = count(line)
        if used + cost > head_room:
            break
        head.append(line)
        used += cost
    tail: list[str] = []
    for line in reversed(lines[len(head) + 1 :]):
        cost = count(line)
        if used + cost > room:
            break
        tail.append(line)
        used += cost
    tail.reverse()
    omitted = len(lines) - len(head) - len(tail)
    if omitted <= 0 or not (head or tail):
        return None
    first = len(head) + 1
    marker = ctx.marker(omitted, "lines", f"{first}-{first + omitted - 1}")
    gap = "" if not head or head[-1].endswith("\n") else "\n"
    text = "".join(head) + gap + marker + "\n" + "".join(tail)
    if tail == [] and not lines[-1].endswith("\n"):
        text = text[:-1]
    return Compressed(text, omitted={"lines": omitted})


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
        omitted = len(text) - keep
        marker = ctx.marker(omitted, "chars", f"{head_len + 1}-{head_len + omitted}")
        candidate = text[:head_len] + " " + marker + " " + text[len(text) - tail_len :]
        if count(candidate) <= target:
            return Compressed(candidate, omitted={"chars": omitted})
        keep = int(keep * 0.85)
    return None
