"""Whether a piece is mixed: fenced blocks, embedded JSON or an embedded diff among other content.

What a later detector takes whole stays its own: an HTML page, grep output,
``rg --heading`` output, a table whose cells hold JSON (``ps aux`` listing a
command line with a JSON argument: its rows were cut into character marks),
code (judged on the text around the blocks); a diff with its usual headers
and a structured log are declined by ``worth_splitting``. Those families are
asked through the registry's named checks (``html-page``, ``grep``,
``headed``, ``table``, ``code``), never imported, so the detector is built
for one registry.

Dominance (issue 11): the embedded blocks must hold at least 15% of the
piece's characters. A file bundle whose docstrings carry a few small JSON
examples, or a package's METADATA with one fenced snippet, is the content
around them, not mixed; the corpus's mixed cases hold 55% and 99%.
"""

from __future__ import annotations

from headroom.compressors.mixed._split import split_sections, worth_splitting
from headroom.plugins import Detector, Registry

__all__ = ["detector", "is_mixed"]

_AT_LEAST = 0.15


def is_mixed(text: str, registry: Registry) -> bool:
    if any(registry.check(name, text) for name in ("html-page", "grep", "headed", "table")):
        return False
    sections = split_sections(text)
    if sections is None or not worth_splitting(text, sections):
        return False
    blocks = sum(s.end - s.start for s in sections if s.kind == "block")
    if blocks < _AT_LEAST * len(text):
        return False
    around = "".join(text[s.start : s.end] for s in sections if s.kind == "text")
    return not registry.check("code", around)


def detector(registry: Registry) -> Detector:
    return Detector("mixed", "mixed", lambda text: is_mixed(text, registry))
