"""HTML pages: rendered to compact text with the standard library, then treated as prose.

Scripts, styles, navigation, forms and other chrome go; headings become
``#`` lines, list items ``- `` lines, links ``[text](href)`` (in-page ``#``
anchors lose their target), code blocks are fenced, table rows become
``| a | b |`` lines. The rendering starts with a marker counting the tags it
dropped, which redeems the original HTML; under a budget the prose compressor
then picks the paragraphs. Line ranges in markers refer to the rendering, and
``retrieve(handle, lines=...)`` and ``query=`` answer from the rendering too,
while ``retrieve(handle)`` gives the original HTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from headroom.compressors.base import Compressed, Compressor, PieceContext
from headroom.compressors.prose import ProseCompressor

__all__ = ["HtmlCompressor", "render"]

_SKIP = frozenset({"script", "style", "noscript", "svg", "nav", "head", "button", "form", "iframe", "template", "select"})
_BLOCK = frozenset({"p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote",
                    "ul", "ol", "dl", "table", "figure", "details", "summary", "hr"})
_VOID = frozenset({"br", "img", "hr", "meta", "link", "input", "wbr", "source", "col", "area", "base", "embed", "track"})


class _Renderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping: list[str] = []
        self.pre = 0
        self.links: list[str | None] = []
        self.tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        if self.skipping:
            if tag == self.skipping[-1] and tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag in _SKIP:
            self.skipping.append(tag)
            return
        if re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in _BLOCK:
            self.out.append("\n\n")
        elif tag == "br":
            self.out.append("\n")
        elif tag in ("li", "dt"):
            self.out.append("\n- ")
        elif tag == "dd":
            self.out.append("\n  ")
        elif tag == "tr":
            self.out.append("\n|")
        elif tag in ("td", "th"):
            self.out.append(" ")
        elif tag == "pre":
            self.pre += 1
            self.out.append("\n\n```\n")
        elif tag == "code" and not self.pre:
            self.out.append("`")
        elif tag == "a":
            href = dict(attrs).get("href")
            self.links.append(None if not href or href.startswith("#") else href)
            self.out.append("[" if self.links[-1] else "")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if re.fullmatch(r"h[1-6]", tag) or tag in _BLOCK:
            self.out.append("\n\n")
        elif tag in ("td", "th"):
            self.out.append(" |")
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self.out.append("\n```\n\n")
        elif tag == "code" and not self.pre:
            self.out.append("`")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.out.append(f"]({href})")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        self.out.append(data if self.pre else re.sub(r"\s+", " ", data))


def render(html: str) -> tuple[str, int]:
    """The page as compact text, and how many tags were dropped to make it."""
    parser = _Renderer()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    parts = re.split(r"(\n```\n.*?\n```\n)", text, flags=re.S)  # leave code blocks as they are
    for i in range(0, len(parts), 2):
        prose = re.sub(r"\[\s*\]\([^)]*\)", "", parts[i])  # icon links with no text
        lines = [line.strip() for line in prose.split("\n") if line.strip() not in ("-", "|")]
        parts[i] = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return "".join(parts).strip() + "\n", parser.tags


class HtmlCompressor(Compressor):
    content_type = "html"
    name = "html"

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        rendering, tags = self._render(text)
        header = ctx.marker(tags, "tags", "html rendered as text") + "\n\n"
        whole = header + rendering
        if target is None or ctx.counter.count(whole) <= target:
            return Compressed(whole, omitted={"tags": tags})
        prose: ProseCompressor = getattr(self, "_prose", None) or ProseCompressor()
        self._prose = prose  # one per piece, so its paragraph ranking is computed once
        inner = prose.compress(rendering, target - ctx.counter.count(header), ctx)
        if inner is None:
            return None
        return Compressed(header + inner.text, omitted={"tags": tags, **inner.omitted})

    def _render(self, text: str) -> tuple[str, int]:
        cached: tuple[str, tuple[str, int]] | None = getattr(self, "_cache", None)
        if cached is None or cached[0] != text:
            cached = (text, render(text))
            self._cache = cached
        return cached[1]

    def select(self, original: str, selector: str, value: Any) -> str:
        if selector in ("lines", "query"):  # the units the markers speak in are the rendering's
            return super().select(render(original)[0], selector, value)
        return super().select(original, selector, value)
