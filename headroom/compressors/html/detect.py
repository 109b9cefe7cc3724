"""Whether a piece is HTML: a page, or a fragment of one.

``is_page`` is also published as a named check (see ``register``), so the
mixed detector can decline a page without importing this family.
"""

from __future__ import annotations

import re

from headroom.plugins import Detector, line_share

__all__ = ["DETECTORS", "is_html", "is_page"]

# an XHTML page may open with an XML declaration (``<?xml version="1.0" ...?>``): 95 of the 291
# pages under /usr/share/doc do (libxslt's, DocBook's)
_HTML_RE = re.compile(r"^\s*(?:<\?xml[^<>]*\?>\s*)?(<!doctype html|<html[\s>])", re.I)
# the page may follow a few lines that are not markup: ``curl -i``'s status line and headers, a
# warning a tool printed first; at most this many lines, with no tag among them
_LEAD_LINES = 20
_LEAD_RE = re.compile(rf"\A(?:[^<\n]*\n){{1,{_LEAD_LINES}}}")
_HTML_FRAGMENT_RE = re.compile(r"^\s*<(head|body|main|article|section|div|table|ul|p)[\s>]", re.I)
_TAG_LINE_RE = re.compile(r"^\s*</?[A-Za-z]")


def is_page(text: str) -> bool:
    """A whole page: it opens with a doctype or an ``<html>`` tag (after an XML declaration, if
    any), or with a few lines holding no tag before one (a response's headers, a warning)."""
    head = text[:2_000]
    if _HTML_RE.match(head):
        return True
    lead = _LEAD_RE.match(head)
    return lead is not None and _HTML_RE.match(head[lead.end() :]) is not None


def is_html(text: str) -> bool:
    """A page, or a fragment of one: it opens with a block tag and most of its lines start with a tag."""
    if is_page(text):
        return True
    head = text[:2_000]
    if not _HTML_FRAGMENT_RE.match(head):
        return False
    return line_share(text, _TAG_LINE_RE, 0.5) or (head.count("\n") < 3 and head.count("</") >= 5)


DETECTORS = (Detector("html", "html", is_html),)
