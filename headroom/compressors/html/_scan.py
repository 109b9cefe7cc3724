"""The markup of a page read by regular expressions, with ``html.parser``'s events, for speed.

``html.parser`` reads a start tag with four or more regular expressions and a few
method calls (``check_for_whole_start_tag``, ``updatepos`` counting line breaks for
positions nobody reads here): on the speed benchmark's megabyte of documentation it
was 40% of a whole ``compress`` call. ``scan`` reads the markup the way the installed
``html.parser`` reads it, one expression a tag, and calls the same handlers with the
same arguments in the same order: the text between tags in one chunk with its
character references decoded, a ``<`` that starts no tag as a chunk of its own, tag
and attribute names lower-cased, attribute values unquoted and decoded by the
parser's own function, the content of the elements the parser reads as raw text
(``script``, ``style``; newer versions add more, read from the parser's class) whole.
At the first thing it does not read exactly so, it stops, and the page from there
goes to ``html.parser`` itself, so the tree is the one the parser alone builds. What
it hands over: a tag written unusually (``<a/ b>``, ``<a b="c"d>``, a space other
than ASCII's inside it, an empty unquoted value), ``<![CDATA[`` and other ``<!``
declarations, a comment parser versions end differently (``-- >``, ``--!>``,
``<!-->``), a raw-text element written ``<script/>`` or whose end tag is written
unusually, a script holding ``<!--``, a title or textarea holding ``&`` where the parser
reads them raw, and ``<plaintext>``.

Tested against the parser's own events on the golden pages and on generated tag soup.
"""

from __future__ import annotations

import html.parser
import re
from collections.abc import Callable
from html import unescape
from typing import Protocol

__all__ = ["Handler", "scan"]

_WS = r"[ \t\n\r\f]"  # the spaces every version reads alike (``\s`` also matches U+00A0 in a tag)
_BARE = r"[^\s\"'=<>`]+"  # an unquoted value, read as far as the parser reads it
_START = re.compile(
    rf"<([a-zA-Z][a-zA-Z0-9-]*)((?:{_WS}+[a-zA-Z_:][-a-zA-Z0-9_:.]*"
    rf"(?:{_WS}*={_WS}*(?:\"[^\"]*\"|'[^']*'|{_BARE}(?=[ \t\n\r\f>])))?)*){_WS}*(/?)>"
)
_ATTR = re.compile(rf"([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:{_WS}*={_WS}*(?:\"([^\"]*)\"|'([^']*)'|({_BARE})))?")
_END = re.compile(rf"</([a-zA-Z][a-zA-Z0-9-]*){_WS}*>")
_COMMENT_END = re.compile(r"--(?:\s*|!)>")  # every way a version of the parser ends a comment
_LETTER = re.compile("[a-zA-Z]")
_DOCTYPE = re.compile(r"<!doctype[^<>]*>", re.I)
_PI = re.compile(r"<\?[^<>]*>")
# the elements whose content the installed parser reads as text up to their end tag (older
# versions: script and style; newer ones add iframe, xmp, ...; title and textarea decoded)
_DECODED = frozenset(getattr(html.parser.HTMLParser, "RCDATA_CONTENT_ELEMENTS", ()))
_RAW = frozenset(html.parser.HTMLParser.CDATA_CONTENT_ELEMENTS) | _DECODED
_SPECIAL = _RAW | {"plaintext"}  # read here only up to a clean end tag, or by the parser
_RAW_END = {tag: re.compile(rf"</\s*{tag}", re.I) for tag in _RAW}  # where a version may end one
# how the installed parser decodes an attribute value: newer versions decode only exact names
_VALUE: Callable[[str], str] = getattr(html.parser, "_unescape_attrvalue", unescape)


class Handler(Protocol):
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None: ...
    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None: ...
    def handle_endtag(self, tag: str) -> None: ...
    def handle_data(self, data: str) -> None: ...
    def handle_comment(self, data: str) -> None: ...
    def handle_decl(self, decl: str) -> None: ...
    def handle_pi(self, data: str) -> None: ...


def scan(page: str, handler: Handler) -> int:
    """Call ``handler`` for the markup of ``page`` from its start, and return where it stopped:
    ``len(page)``, or the ``<`` of the first thing ``html.parser`` must read."""
    find, n = page.find, len(page)
    data, start, end = handler.handle_data, handler.handle_starttag, handler.handle_endtag
    start_match, end_match = _START.match, _END.match
    i = 0
    while True:
        j = find("<", i)
        if j < 0:
            if i < n:
                text = page[i:]
                data(unescape(text) if "&" in text else text)
            return n
        if i < j:
            text = page[i:j]
            data(unescape(text) if "&" in text else text)
        if page.startswith("</", j):
            m = end_match(page, j)
            if m is None:
                return j
            end(m.group(1).lower())
            i = m.end()
            continue
        m = start_match(page, j)
        if m is not None:
            tag, written, empty = m.groups()
            tag = tag.lower()
            attrs = _attrs(written) if written else []
            i = m.end()
            if tag in _SPECIAL:
                raw = _raw_content(page, i, tag, bool(empty))
                if raw is None:
                    return j
                content, i = raw
                start(tag, attrs)
                if content:
                    data(content)
                end(tag)
            elif empty:
                handler.handle_startendtag(tag, attrs)
            else:
                start(tag, attrs)
            continue
        nxt = page[j + 1 : j + 2]
        if nxt == "!":
            if page.startswith("<!--", j):
                if page.startswith((">", "->"), j + 4):
                    return j
                close = _COMMENT_END.search(page, j + 4)
                if close is None or close.group() != "-->":
                    return j
                handler.handle_comment(page[j + 4 : close.start()])
                i = close.end()
            else:
                m = _DOCTYPE.match(page, j)
                if m is None:
                    return j
                handler.handle_decl(page[j + 2 : m.end() - 1])
                i = m.end()
        elif nxt == "?":
            m = _PI.match(page, j)
            if m is None:
                return j
            handler.handle_pi(page[j + 2 : m.end() - 1])
            i = m.end()
        elif nxt and not _LETTER.match(nxt):  # ``a < b``: the parser gives the sign as text of its own
            data("<")
            i = j + 1
        else:  # a start tag written unusually, or a ``<`` that ends the page
            return j


def _attrs(written: str) -> list[tuple[str, str | None]]:
    """A start tag's attributes as the parser gives them: names lower-cased, a value unquoted and
    decoded, ``None`` for an attribute written without one."""
    out: list[tuple[str, str | None]] = []
    for m in _ATTR.finditer(written):
        name, double, single, bare = m.groups()
        value = double if double is not None else single if single is not None else bare
        if value and "&" in value:
            value = _VALUE(value)
        out.append((name.lower(), value))
    return out


def _raw_content(page: str, start: int, tag: str, empty: bool) -> tuple[str, int] | None:
    """The text of a raw-text element from ``start`` up to its end tag and where that tag ends, or
    None when a version of the parser would read it otherwise (written ``<tag/>``, an end tag
    written unusually, a script holding ``<!--``, markup or a reference inside an element only
    newer versions read raw)."""
    if empty or tag == "plaintext":
        return None
    found = _RAW_END[tag].search(page, start)
    end = _END.match(page, found.start()) if found is not None else None
    if end is None or end.group(1).lower() != tag:
        return None
    content = page[start : end.start()]
    if (tag == "script" and "<!--" in content) or (tag in _DECODED and "&" in content):
        return None  # a script's escaped state, a raw text's references: read by the parser
    return content, end.end()
