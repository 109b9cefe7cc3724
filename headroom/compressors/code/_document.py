"""A piece of code parsed once: its files, each file's outline, and how a set of cuts is rendered.

The allocator asks one compressor for the same piece at several targets, and
every answer reuses this parse (the chunks, the outlines, the line costs, the
mark costs, the cuts found to break a parse). A file in a language ast-grep
knows is outlined by it; Python by ``ast``; anything else, or a file whose
parser is missing or fails, by the brace/indentation fallback, which is
recorded as a note (the output then goes unchecked).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from headroom.compressors.code._astgrep import outline_astgrep
from headroom.compressors.code._fallback import outline_fallback
from headroom.compressors.code._grammars import LANGUAGES
from headroom.compressors.code._lang import Chunk, guesses, split_piece
from headroom.compressors.code._outline import Outline, Region, Rendered, render
from headroom.compressors.code._python import outline_python
from headroom.compressors.code._scan import AstGrep, AstGrepError, find_engine
from headroom.plugins import Compressed

if TYPE_CHECKING:
    from headroom.compressors.code._estimate import Estimates

__all__ = ["Cut", "Document", "cut", "join", "parse_document", "plain", "second_guesses"]

Cut = tuple[int, Region]  # (chunk index, region)


@dataclass
class Document:
    """A piece parsed once: its chunks, each code chunk's outline, and what had to fall back."""

    lines: list[str]
    chunks: list[Chunk]
    outlines: list[Outline | None]
    notes: tuple[str, ...]
    engine: AstGrep | None
    costs: list[list[int]] | None = None
    orders: dict[str | None, tuple[list[Cut], list[Cut]]] = field(default_factory=dict)
    estimates: dict[str | None, Estimates] = field(default_factory=dict)  # per query, over its order
    complaints: dict[tuple[int, str], tuple[tuple[int, int], ...] | None] = field(default_factory=dict)
    broken: set[Cut] = field(default_factory=set)  # cuts found to break a parse, never made again
    results: dict[tuple[str | None, int | None, str, bool], Compressed | None] = field(default_factory=dict)
    mark_costs: dict[Cut, int] = field(default_factory=dict)  # real tokens of each cut's mark
    # a prefix of a query's order, as rendered before its check: (handle, query, cuts, broken) -> tokens
    uncut_tokens: dict[tuple[str, str | None, int, frozenset[Cut]], int] = field(default_factory=dict)
    sums: list[list[int]] = field(default_factory=list)  # running sums of ``costs``, per chunk
    filled: list[list[int]] = field(default_factory=list)  # running counts of non-blank lines, per chunk
    # per (query, tool args): the lines an excerpt may keep, their scores, the named signatures (``_excerpt``)
    asked: dict[tuple[str | None, str | None], tuple[list[int], list[float], set[int]]] = field(default_factory=dict)
    unchecked: dict[str, dict[int, Rendered]] = field(default_factory=dict)  # an unparsed output's files, by text
    output_kind: str | None = None  # "python" or "text", found by the first render (``CodeCompressor``)


def parse_document(text: str, file_name: str | None, short: int) -> Document:
    chunks = split_piece(text, file_name)
    engine = find_engine() if any(c.language in LANGUAGES for c in chunks) else None
    outlines: list[Outline | None] = []
    notes: list[str] = []
    for chunk in chunks:
        outline, note = outline_of(chunk, engine, short)
        outlines.append(outline)
        if note:
            notes.append(note)
    lines = [p + line for c in chunks for p, line in zip(c.prefixes, c.lines)]
    return Document(lines, chunks, outlines, tuple(dict.fromkeys(notes)), engine)


def outline_of(chunk: Chunk, engine: AstGrep | None, short: int) -> tuple[Outline | None, str | None]:
    """The chunk's outline by its language's parser, else the fallback's with the reason as a note."""
    language = chunk.language
    if language is None:
        return None, None
    if language == "python":
        parsed = outline_python(chunk.lines, short)
        if parsed is not None:
            return parsed, None
        reason = "Python source that does not parse"
    elif language in LANGUAGES:
        if engine is None:
            reason = f"{language}: ast-grep not found (install ast-grep-py or ast-grep-cli)"
        else:
            try:
                return outline_astgrep(engine, language, chunk.lines, short), None
            except AstGrepError as error:
                reason = f"{language}: {error}"
    else:
        reason = f"{language}: no parser" if language != "unknown" else "code of unknown language"
    return outline_fallback(
        chunk.lines, language, short
    ), f"{reason}; brace/indentation-aware fallback, output not syntax-checked"


def second_guesses(doc: Document, short: int) -> Iterator[list[Outline | None]]:
    """Other readings of a piece whose files have no name (the language was guessed from content):
    each file as its next likeliest languages, then by the fallback."""
    others = [
        [g for g in guesses("".join(chunk.lines)) if g != chunk.language][:2]
        if chunk.language and not chunk.name
        else []
        for chunk in doc.chunks
    ]
    for rank in range(max(map(len, others), default=0)):
        outlines = list(doc.outlines)
        for index, chunk in enumerate(doc.chunks):
            if rank < len(others[index]):
                language = others[index][rank]
                engine = find_engine() if language in LANGUAGES else None
                outlines[index] = outline_of(dataclasses.replace(chunk, language=language), engine, short)[0]
        yield outlines
    yield [outline_fallback(c.lines, c.language, short) if c.language else None for c in doc.chunks]


def cut(doc: Document, index: int, regions: list[Region], marker: Callable[[int, str], str]) -> Rendered:
    """Chunk ``index`` with ``regions`` cut."""
    chunk, outline = doc.chunks[index], doc.outlines[index]
    assert outline is not None
    return render(chunk.lines, chunk.prefixes, regions, outline, marker, chunk.start)


def join(doc: Document, rendered: dict[int, Rendered]) -> str:
    """The piece with each rendered chunk in place of its lines."""
    return "".join(
        rendered[index].text if index in rendered else "".join(p + line for p, line in zip(chunk.prefixes, chunk.lines))
        for index, chunk in enumerate(doc.chunks)
    )


def plain(doc: Document) -> bool:
    """A single Python file with no line numbers and no undecodable bytes: the core can compile it."""
    chunk = doc.chunks[0]
    return not any(chunk.prefixes) and chunk.start == 0 and not re.search("[\ud800-\udfff]", "".join(chunk.lines))
