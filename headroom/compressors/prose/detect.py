"""Whether a piece is prose: most lines are six words or more, and it is mostly letters."""

from __future__ import annotations

import re
from collections import Counter

from headroom.plugins import Detector, Registry, line_share

__all__ = ["DETECTORS", "is_markdown", "is_prose", "markdown_detector"]

_PROSE_RE = re.compile(r"^\s*(\S+\s+){5,}\S+")  # six words or more
# the ASCII characters that ``str.isalpha`` or ``str.isspace`` accept (the separators 0x1c-0x1f among them)
_ASCII_LETTERS = bytes(c for c in range(128) if chr(c).isalpha() or chr(c).isspace())
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _letters(text: str) -> float:
    """Share of letters and spaces (``str.isalpha`` or ``str.isspace``) in the first 20,000 characters.

    Counted at C speed, with the same answer as testing each character: the
    ASCII ones by deleting letters and spaces from their bytes, the others
    (few in most text) tested once per distinct character. Testing all
    20,000 one by one in Python took 0.8 ms a call, a tenth of routing prose.
    """
    sample = text[:20_000]
    ascii_bytes = sample.encode("ascii", "ignore")
    count = len(ascii_bytes) - len(ascii_bytes.translate(None, _ASCII_LETTERS))
    if len(ascii_bytes) < len(sample):
        others = Counter(_NON_ASCII.findall(sample))
        count += sum(n for c, n in others.items() if c.isalpha() or c.isspace())
    return count / max(1, len(sample))


def is_prose(text: str) -> bool:
    return line_share(text, _PROSE_RE, 0.4) and _letters(text) > 0.75


DETECTORS = (Detector("prose", "prose", is_prose),)


_ATX = re.compile(r"^#{1,6}[ \t]+\S")
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)")
_DATA_INFO = frozenset({"json", "jsonc", "json5", "diff", "patch", "udiff"})
_DATA_SHARE = 0.5  # fenced data holding this share of the document or more makes it data, not a document
_HEADINGS = 2  # ATX headings outside fences that make a markdown document
_MARKDOWN_SAMPLE = 200_000  # characters read: a README or a doc page is read whole, a huge piece by its head


def is_markdown(text: str, registry: Registry) -> bool:
    """A markdown document: two ``#`` headings or more outside fences, a fenced block or more, and
    text around the fences that is not code, whatever the fences hold.

    Such a document went to the ``mixed`` compressor when its fences held a fifth of it: every fenced
    example and every run of text between them became a section of its own, and a 120-250 token room
    was spent on their markers (a README of ten ``#####`` sections kept no line of prose, issue 12).
    Read as prose, a fenced block is one unit of the document, a heading leads its section, and a
    prose question keeps its line. Fences of JSON or a diff (npm's ``package.json`` docs,
    ``npm-query.md``'s results, Node's release notes) are examples of the document too: as ``mixed``,
    a page of a dozen small ``json`` examples was cut into a section per example and per text between,
    and the line asked about was lost at every budget (tenth round). ``mixed`` keeps outputs that
    concatenate contents without a document's headings (a log and a JSON body).
    """
    sample = text[:_MARKDOWN_SAMPLE]
    if ("```" not in sample and "~~~" not in sample) or "#" not in sample:
        return False  # most pieces (logs, code, tables) leave at once, before the walk over lines
    headings, fences, fence, data, opening = 0, 0, "", False, False
    in_data = 0  # characters of fenced blocks that hold data (JSON, a diff)
    around: list[str] = []
    for line in sample.split("\n"):
        if fence:
            if line.strip().startswith(fence):
                fence = ""
                continue
            if opening and line.strip():
                data, opening = data or line.strip()[0] in "{[", False
            in_data += (len(line) + 1) * data
            continue
        opened = _FENCE_OPEN.match(line)
        if opened:
            fence, fences, opening = opened.group(1), fences + 1, True
            data = opened.group(2).lower() in _DATA_INFO
            continue
        headings += bool(_ATX.match(line))
        around.append(line)
    if headings < _HEADINGS or not fences:  # without a fence the prose detector decides, as before
        return False
    if in_data >= _DATA_SHARE * len(sample):
        # data with notes, not a document with examples: npm's ``npm-sbom.md`` is 55% SBOM JSON, and a
        # question about it asks for a value the JSON compressor keeps (``mixed`` reads the blocks)
        return False
    prose = "\n".join(around)
    return _letters(prose) > 0.6 and not registry.check("code", prose)


def markdown_detector(registry: Registry) -> Detector:
    return Detector("markdown", "prose", lambda text: is_markdown(text, registry))
