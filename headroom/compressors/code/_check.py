"""Every output is parsed again; the cuts that broke it are found and their lines kept.

Python is compiled; the ast-grep languages are re-parsed for error nodes. An
error node counts against the output unless the original has one starting at
the same place (mapped back through the cuts). The cuts that caused a new one
are the markers at and before it, else found by bisecting the cuts in line
order; they are recorded on the document (never made again) and the chunk is
rendered without them. A fallback outline has no parser to ask: its output is
reported as text, unchecked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from headroom.compressors.code._document import Document, cut
from headroom.compressors.code._outline import Region, Rendered
from headroom.compressors.code._python import syntax_error
from headroom.compressors.code._scan import AstGrepError, error_spans

__all__ = ["passes", "valid"]

_CHECKS = 16  # parser runs one output may spend finding the cuts that broke it


def valid(
    doc: Document, index: int, chosen: list[Region], rendered: Rendered, marker: Callable[[int, str], str]
) -> Rendered | None:
    """``rendered`` (the chunk with ``chosen`` cut) less the cuts that broke its parse; None if none is left."""
    checks = 0
    while checks < _CHECKS:
        checks += 1
        complaints = _cached(doc, index, rendered)
        if complaints is None:
            return None  # the parser did not run: nothing unchecked goes out
        if not complaints:
            return rendered if rendered.groups else None
        culprits = _near(rendered, complaints)
        if not culprits or len(culprits) > 2 * len(complaints) + 2:
            # the parser complains far from any cut, or everywhere: find the first cut that breaks it
            low, high = 0, len(rendered.groups)  # the first `low` groups parse, the first `high` do not
            while high - low > 1 and checks < _CHECKS:
                middle = (low + high) // 2
                checks += 1
                found = _cached(doc, index, cut(doc, index, [r for g in rendered.groups[:middle] for r in g], marker))
                if found is None:
                    return None
                high, low = (middle, low) if found else (high, middle)
            if high - low > 1:
                return None
            culprits = {high - 1}
        dropped = {r for g in culprits for r in rendered.groups[g]}
        doc.broken.update((index, r) for r in dropped)
        chosen = [r for r in chosen if r not in dropped]
        if not chosen:
            return None
        rendered = cut(doc, index, chosen, marker)
    return None


def passes(doc: Document, index: int, rendered: Rendered) -> bool:
    """Whether ``rendered`` goes out as it is: ``valid`` would return it unchanged (a file with no cut
    is its original lines, whatever its parser says)."""
    return not rendered.groups or _cached(doc, index, rendered) == ()


def _cached(doc: Document, index: int, rendered: Rendered) -> tuple[tuple[int, int], ...] | None:
    """Output line spans of the parse errors the original does not have, None when the parser
    could not run (kept per output: the allocator's targets often render the same one)."""
    key = (index, rendered.code)
    if key not in doc.complaints:
        doc.complaints[key] = complaints(doc, index, rendered)
    return doc.complaints[key]


def complaints(doc: Document, index: int, rendered: Rendered) -> tuple[tuple[int, int], ...] | None:
    outline, chunk = doc.outlines[index], doc.chunks[index]
    assert outline is not None
    if outline.parser == "ast":
        error = syntax_error(rendered.code)
        return () if error is None else (error,)
    if outline.parser != "ast-grep" or doc.engine is None or not chunk.language:
        return ()  # the fallback has no parser to ask; its output is reported as text
    try:
        found = error_spans(doc.engine, chunk.language, rendered.code)
    except AstGrepError:
        return None
    known = Counter((line, column) for line, column, _, _ in outline.errors)
    lines = len(rendered.origin)
    out = []
    for first, column, last, _ in found:
        where = (rendered.origin[first] if first < lines else len(chunk.lines) + first - lines, column)
        if where[0] >= 0 and known[where] > 0:
            known[where] -= 1  # the original's error, where it was (its recovery may end elsewhere)
        else:
            out.append((first, last))
    return tuple(out)


def _near(rendered: Rendered, complaints: tuple[tuple[int, int], ...]) -> set[int]:
    """The groups of cuts whose marker lines lie in a complaint, or come last before it."""
    markers = [(line, -1 - origin) for line, origin in enumerate(rendered.origin) if origin < 0]
    out: set[int] = set()
    for first, last in complaints:
        before = [g for line, g in markers if line <= first]
        out.update(before[-1:])
        out.update(g for line, g in markers if first < line <= last)
    return out
