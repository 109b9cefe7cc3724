"""The one contract every compressor keeps.

A compressor is a class with a ``content_type``, a ``name``, typed ``Options``
(a pydantic model that forbids unknown keys) and one method, ``compress``. It
gets the text, a token ``target`` (None means "the default policy, no budget
pressure") and the piece's context, and returns a ``Compressed`` value or None
for "leave it as it is". Markers it writes use ``ctx.marker(...)`` (short
marks; the core writes the piece's handle into the first, see
headroom/markers.py). The core checks every result (never more tokens than
the input, output of the declared kind still parses) and reverts a result that
fails; a compressor need not be perfect, only honest about what it omitted.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from headroom.config import DEFAULT_LEVELS
from headroom.errors import ConfigError, InvalidInput
from headroom.markers import render_mark, render_marker
from headroom.tokens import TokenCounter

if TYPE_CHECKING:
    from headroom.registry import Registry

__all__ = [
    "CHECKS",
    "Compressed",
    "Compressor",
    "NoOptions",
    "PieceContext",
    "check_span",
    "shrink_to_fit",
    "split_lines",
]

_T = TypeVar("_T")
_R = TypeVar("_R")


def shrink_to_fit(attempt: Callable[[_R], tuple[_T | None, _R | None]], room: _R, *, tries: int) -> _T | None:
    """The first result ``attempt`` says fits, trying at most ``tries`` rooms; None if none does.

    A compressor that selects under a budget chooses by estimated costs, renders
    the choice, counts it with the real counter and, when the estimate was off,
    chooses again with less room. This is that loop, once: ``attempt(room)``
    returns ``(result, None)`` when its rendering fits, ``(None, next_room)`` to
    try again, ``(None, None)`` to give up. How far the room moves stays each
    compressor's own, because each one's estimates err in their own way.
    """
    for _ in range(tries):
        fitted, room_next = attempt(room)
        if fitted is not None:
            return fitted
        if room_next is None:
            return None
        room = room_next
    return None


def split_lines(text: str) -> list[str]:
    """Lines ending at ``\n`` only, each keeping its ending.

    ``str.splitlines`` also breaks at form feeds, ``\x85`` and Unicode line
    separators, which tools print inside lines; a marker's line range counts
    what ``grep -n`` and editors count.
    """
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


class NoOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True)
class PieceContext:
    """What a compressor may know about a piece besides its text.

    ``query`` is the task the piece serves (see docs/query.md), or None.
    ``tool_name`` / ``tool_args`` describe the call that produced it, when known.
    ``registry`` and ``options`` (compressor options by content type) let a
    compressor hand parts of a piece to other compressors (the mixed-content
    splitter does); they are None and empty when the caller has no registry.
    ``levels`` is the caller's lossy ladder (``Config.levels``), for a
    compressor that climbs one of its own over parts of a piece.
    """

    handle: str
    counter: TokenCounter
    query: str | None = None
    tool_name: str | None = None
    tool_args: str | None = None
    registry: Registry | None = field(default=None, compare=False, repr=False)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, compare=False, repr=False)
    levels: tuple[float, ...] = field(default=DEFAULT_LEVELS, compare=False, repr=False)

    def marker(self, count: int, unit: str, detail: str | None = None) -> str:
        """A mark for ``count`` ``unit`` left out, ``detail`` starting with their range.

        It is the short form (``[…9 lines 1-9]``, grammar version 2): the core
        writes the handle into the piece's first mark, so a compressor counting
        its marks with ``counter`` sees what each really costs, less the handle
        (``handle_cost``), which the piece pays once.
        """
        return render_mark(count, unit, detail)

    @property
    def handle_cost(self) -> int:
        """Tokens the handle adds to a piece's first mark (about 8): a compressor aiming at an exact
        target reserves it once."""
        mark = render_mark(1, "lines", "1-1")
        return self.counter.count(render_marker(self.handle, 1, "lines", "1-1")) - self.counter.count(mark)

    def compressor(self, content_type: str) -> Compressor:
        """The compressor for ``content_type`` with the caller's options, built through the registry.

        A family hands a piece (or part of one) to another this way, never by
        importing it: a plugin that replaces the other family is then the one
        used, and the caller's ``Config`` applies. Without a registry, the
        built-in families alone.
        """
        from headroom.registry import builtin_registry

        registry = self.registry if self.registry is not None else builtin_registry()
        return registry.build(content_type, self.options)


@dataclass(frozen=True)
class Compressed:
    """A compressor's output: the new text and an honest account of it.

    ``omitted`` counts what went, in the source's units (``{"lines": 120}``);
    a lossless re-encoding leaves it empty and sets ``lossless``.
    ``output_kind`` names the check the core runs ("text", "json", "python").
    ``fallbacks`` says what the compressor could not do as designed (a parser
    missing, a language unknown): the core records each as a degradation.
    """

    text: str
    lossless: bool = False
    omitted: Mapping[str, int] = field(default_factory=dict)
    output_kind: str = "text"
    fallbacks: tuple[str, ...] = ()


def _parses_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _compiles_python(text: str) -> bool:
    try:
        compile(text, "<headroom>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


CHECKS: dict[str, Callable[[str], bool]] = {
    "text": lambda text: True,
    "json": _parses_json,
    "python": _compiles_python,
}


class Compressor(ABC):
    """Base of every compressor, built-in or plugin."""

    content_type: ClassVar[str]
    name: ClassVar[str]
    Options: ClassVar[type[BaseModel]] = NoOptions
    #: whether ``compress(text, None, ctx)`` may return a lossless re-encoding. Under a budget only
    #: a lossless default is ever sent, so the core skips the default of a compressor that says
    #: False (it never sets ``lossless`` there). True, the safe side, unless a compressor declares it.
    lossless_default: ClassVar[bool] = True
    #: the partial-retrieval selectors ``select`` understands
    selectors: ClassVar[frozenset[str]] = frozenset({"lines", "chars", "query"})

    def __init__(self, options: BaseModel | Mapping[str, Any] | None = None) -> None:
        if isinstance(options, BaseModel):
            self.options: Any = options
            return
        try:
            self.options = self.Options.model_validate(dict(options or {}))
        except ValidationError as error:
            raise ConfigError(f"options for the {self.name!r} compressor are invalid: {error}") from None

    @abstractmethod
    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        """Compress ``text`` to at most ``target`` tokens (best effort), or by default when None."""

    def compress_deferred(
        self, text: str, target: int, ctx: PieceContext
    ) -> tuple[Compressed | None, Callable[[], bool] | None]:
        """``compress`` at a target, its own output check put off: the output and how to check it later.

        The budget search asks for a form at many targets and sends one. A compressor whose check is
        costly (the code family parses every output again) may return its output unchecked with a
        callable that checks that very output (True: it passes as it is); the core calls it only for
        the form it sends, and on False asks ``compress`` again, which checks as it always did. By
        default nothing is put off.
        """
        return self.compress(text, target, ctx), None

    def once_per_piece(self, key: Hashable, build: Callable[[], _T]) -> _T:
        """``build()``, kept while calls come back with the same ``key``.

        The allocator asks one compressor instance for the same piece at many
        targets in a row (the core builds one per piece), so what does not
        depend on the target (a parse, line costs, a ranking) is built once.
        ``key`` holds what it does depend on, usually
        ``(text, ctx.query, id(ctx.counter))``; one value is kept, the latest.
        """
        kept: tuple[Hashable, Any] | None = self.__dict__.get("_per_piece")
        if kept is None or kept[0] != key:
            kept = (key, build())
            self._per_piece = kept
        return kept[1]

    def original_meta(self, text: str, ctx: PieceContext) -> dict[str, str]:
        """What this compressor's ``select`` needs to know about an original besides its text, kept
        beside it in the store (the code compressor: the file the call read, for its language)."""
        return {}

    def select_stored(self, original: str, meta: Mapping[str, str], selector: str, value: Any) -> str:
        """``select`` on an original stored with ``meta`` (what ``original_meta`` gave, and more)."""
        return self.select(original, selector, value)

    def describe(self, text: str) -> tuple[int, str]:
        """How much ``text`` holds in its own unit, for a bare marker: ``(count, unit)``."""
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        return (lines, "lines") if lines > 1 else (len(text), "chars")

    def select(self, original: str, selector: str, value: Any) -> str:
        """Part of ``original``: ``lines`` / ``chars`` take a 1-based inclusive (first, last)
        range; ``query`` returns the lines holding any of its words, each as ``N: line``.
        Compressors with other units (rows, symbols, files) extend this."""
        if selector == "lines":
            first, last = check_span(value, "lines")
            return "".join(split_lines(original)[first - 1 : last])
        if selector == "chars":
            first, last = check_span(value, "chars")
            return original[first - 1 : last]
        if selector == "query":
            words = {w for w in str(value).lower().split() if len(w) > 1}
            return "".join(
                f"{number}: {line}" if line.endswith("\n") else f"{number}: {line}\n"
                for number, line in enumerate(split_lines(original), 1)
                if any(word in line.lower() for word in words)
            )
        raise InvalidInput(
            f"{self.content_type} originals have no {selector!r} selector; "
            f"use one of {', '.join(sorted(self.selectors))}"
        )


def check_span(value: object, name: str) -> tuple[int, int]:
    """``value`` as a 1-based inclusive ``(first, last)`` range of whole numbers, or InvalidInput.

    The one validator every selector uses (compressors, the retrieval tool,
    the CLI, the stores), so a bad range gets the same message everywhere.
    """
    if (
        not isinstance(value, tuple)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or not 1 <= value[0] <= value[1]
    ):
        raise InvalidInput(f"{name}= takes (first, last), 1-based and inclusive, e.g. (41, 160); got {value!r}")
    return value[0], value[1]
