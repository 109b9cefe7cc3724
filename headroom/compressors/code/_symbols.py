"""``retrieve(handle, symbol="Parser.parse_args")``: a symbol's exact original lines.

A symbol is found by its exact dotted path first, then by the end of its path
in either spelling (``stack::top`` and ``stack.top`` find ``std.stack.top``),
then by its last name (``parse_args`` finds ``Parser.parse_args``). The language comes from the file
name the original was stored with, when the tool call gave one; without it the
language is guessed from content, and when that reading has no such symbol the
next likeliest readings are tried, then the fallback's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from headroom.compressors.code._document import Document, second_guesses
from headroom.compressors.code._outline import Symbol
from headroom.errors import InvalidInput

__all__ = ["symbol_lines"]


def symbol_lines(doc: Document, name: str, short: int) -> str:
    """The exact original lines of every symbol called ``name`` in ``doc``; raises ``InvalidInput``."""
    found = _find(doc, name)
    for outlines in [] if found else second_guesses(doc, short):
        found = _find(Document(doc.lines, doc.chunks, outlines, (), None), name)
        if found:
            break
    if not found:
        names = sorted({s.name for outline in doc.outlines if outline for s in outline.symbols})
        raise InvalidInput(
            f"no symbol named {name!r} in this original; known symbols include: {', '.join(names[:20]) or 'none'}"
        )
    return "".join("".join(doc.lines[first : last + 1]) for first, last in found)


def _find(doc: Document, name: str) -> list[tuple[int, int]]:
    """Piece line spans (0-based, inclusive) of the symbols called ``name``, exact path first."""
    found: list[tuple[int, int]] = []
    path = "." + name.replace("::", ".")
    tests: tuple[Callable[[Symbol], bool], ...] = (
        lambda s: s.name == name,
        # a qualified name in either spelling, its outer namespaces left out: ``stack::top`` and
        # ``stack.top`` find ``std.stack.top``
        lambda s: ("." + s.name.replace("::", ".")).endswith(path),
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
