"""What a compress call did, as frozen values.

The manifest lists one entry per piece whose text changed, with the handle that
redeems its original; the result wraps the messages, the manifest and the token
accounting. Everything here is a value: no store, no I/O.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["CompressResult", "Degradation", "Manifest", "ManifestEntry", "TextResult"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class ManifestEntry(BaseModel):
    """One compressed piece.

    ``path`` locates the string inside ``messages[message_index]`` (keys and
    list positions). ``omitted`` counts what was left out in the source's
    units, e.g. ``{"lines": 120}``; it is empty for a lossless re-encoding.
    ``marks`` are the piece's marks in their short form, in order (the first
    one, which names the handle, without it): ``find_markers`` given the
    manifest counts a short mark only if its piece records it, so a look-alike
    a tool printed is never taken for one (docs/markers.md).
    ``level`` is ``"default"``, ``"target N"`` (the compressor was asked for N
    tokens), ``"generic"`` (the typed compressor kept nothing within its
    target, the generic one did) or ``"marker"``. ``route`` says what chose
    ``content_type``: a hint of the tool call (``"hint: command 'git'"``,
    ``"hint: extension .rs"``) or ``"detector"`` (docs/routing.md).
    """

    model_config = _FROZEN

    handle: str
    message_index: int
    path: tuple[str | int, ...]
    content_type: str
    compressor: str
    lossless: bool
    level: str
    tokens_before: int
    tokens_after: int
    omitted: dict[str, int]
    marks: tuple[str, ...] = ()
    route: str = "detector"


class Degradation(BaseModel):
    """A fallback taken: an approximate tokenizer, a failed compressor, a check that reverted."""

    model_config = _FROZEN

    kind: str
    detail: str
    message_index: int | None = None


class Manifest(BaseModel):
    """Every compressed piece, the budget verdict, and every fallback taken."""

    model_config = _FROZEN

    entries: tuple[ManifestEntry, ...] = ()
    budget: int | None = None
    within_budget: bool = True
    reason: str | None = None
    encoding: str = "cl100k_base"
    degradations: tuple[Degradation, ...] = ()

    @property
    def handles(self) -> frozenset[str]:
        return frozenset(entry.handle for entry in self.entries)

    def summary(self, tokens_before: int, tokens_after: int) -> str:
        """A human-readable account: the totals and verdict, each compressed piece, each fallback."""
        verdict = "no budget" if self.budget is None else f"budget {self.budget:,}"
        verdict += "" if self.within_budget else f", NOT met: {self.reason}"
        lines = [f"{tokens_before:,} -> {tokens_after:,} tokens ({verdict}); counted with {self.encoding}"]
        if not self.entries:
            lines.append("nothing compressed: every piece kept as it was")
        for entry in self.entries:
            where = f"message {entry.message_index}" + "".join(f"[{step!r}]" for step in entry.path)
            if entry.lossless:
                what = "re-encoded losslessly"
            else:
                dropped = ", ".join(f"{count:,} {unit}" for unit, count in entry.omitted.items())
                what = f"omitted {dropped or 'part'} (level {entry.level})"
            lines.append(
                f"  {where}: {entry.content_type} via {entry.compressor}, "
                f"{entry.tokens_before:,} -> {entry.tokens_after:,} tokens, {what}; retrieve({entry.handle!r})"
            )
        lines.extend(f"  fallback ({d.kind}): {d.detail}" for d in self.degradations)
        return "\n".join(lines)


class _Result(BaseModel):
    """What both results share: the manifest, the counts, and what is read through the manifest."""

    model_config = _FROZEN

    manifest: Manifest
    tokens_before: int
    tokens_after: int

    @property
    def within_budget(self) -> bool:
        return self.manifest.within_budget

    @property
    def encoding(self) -> str:
        return self.manifest.encoding

    @property
    def degradations(self) -> tuple[Degradation, ...]:
        return self.manifest.degradations

    def summary(self) -> str:
        """What was kept and what was dropped, for a person reading a log (``Manifest.summary``)."""
        return self.manifest.summary(self.tokens_before, self.tokens_after)


class CompressResult(_Result):
    """``compress`` output: ``messages`` has the input's shape; the input is untouched."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    messages: list[Any]


class TextResult(_Result):
    """``compress_text`` output."""

    text: str
