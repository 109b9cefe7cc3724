"""HTML pages: the main content rendered to compact text with the standard library, then treated as prose.

The page is parsed into a tree (``_html_tree``) and only its main content is
rendered: ``<main>``/``role="main"``, else the biggest ``<article>``, else the
smallest container holding most of the text. Inside it, scripts, styles,
navigation, asides, footers, forms and elements whose class or id names page
furniture (menu, sidebar, breadcrumb, cookie, toc...) go. Headings become
``#`` lines, list items ``- `` lines (indented when nested), links
``[text](href)`` (in-page ``#`` anchors lose their target), code blocks are
fenced, inline code gets backticks, table rows become ``| a | b |`` lines.

The rendering starts with a marker counting the tags it dropped and the words
of page chrome left out; it redeems the original HTML. Under a budget the
rules of the page's style sheets (``<style>``, in ``<head>`` too) follow the
text, a rule a line, last: the renderer used to drop them, so a question about
a page's fonts or margins found nothing. They join only when the question has
a word they hold and the text does not (``Verdana margin-right``), and then
come last, so the text's lines keep their numbers and the rules win room by
the question's words alone; otherwise the output is what it was without them
(a sheet after the text costs the text's last kept line a marker behind it). Under a budget the
prose compressor then picks the sentences and paragraphs. Line ranges in
markers refer to the rendering, and ``retrieve(handle, lines=...)`` and
``query=`` answer from the rendering too, while ``retrieve(handle)`` gives
the original HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from headroom.compressors.html._tree import (
    Element,
    comments,
    is_chrome,
    main_content,
    read,
    style_sheets,
    text_length,
)
from headroom.plugins import Compressed, Compressor, PieceContext
from headroom.relevance import terms

__all__ = ["HtmlCompressor", "Rendering", "render"]

_BLOCK = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "blockquote",
        "ul",
        "ol",
        "dl",
        "table",
        "figure",
        "figcaption",
        "details",
        "summary",
        "hr",
        "center",
        "address",
        "fieldset",
        "body",
    }
)
_HEADING = re.compile(r"h[1-6]")
_BREAK = re.compile(r"[\r\n\f\v]")
_CODE_LINES = 12  # a code block longer than this is fenced a stretch between blank lines at a time
_CODE_PART = 3  # lines a stretch of code needs to be fenced on its own
_HEADER_SHARE = 8  # under a target this many times the header's cost, the header says only ``html``


@dataclass(frozen=True)
class Rendering:
    """The page as compact text; how many tags and words of page chrome it left out; how the
    content was found; and its style sheets' rules, a block each (``styles``, empty or starting
    with a blank line), which follow the text only under a budget (``full``)."""

    text: str
    tags: int
    chrome_words: int
    found: str
    styles: str = ""

    @property
    def full(self) -> str:
        """The text and the style sheets after it: what a budget chooses from and markers count lines of."""
        return self.text + self.styles


class _Writer:
    def __init__(self, lengths: dict[int, int], total: int) -> None:
        self.out: list[str] = []
        self.lengths, self.total = lengths, max(1, total)
        self.words = 0

    def children(self, element: Element, depth: int, pre: bool) -> None:
        for child in element.children:
            if isinstance(child, str):
                self.words += len(child.split())
                # a line break and the indentation around it read as one space; the spaces
                # within a line stay as written (two after a sentence), so a quote still matches
                self.out.append(child if pre else _unbreak(child))
            else:
                self.element(child, depth, pre)

    def element(self, element: Element, depth: int, pre: bool) -> None:
        tag = element.tag
        if is_chrome(element, text_length(element, self.lengths) / self.total):
            return
        if pre:
            self.children(element, depth, pre)
        elif _HEADING.fullmatch(tag):
            self.out.append("\n\n" + "#" * int(tag[1]) + " ")
            self.children(element, depth, pre)
            self.out.append("\n\n")
        elif tag == "pre":
            outer, self.out = self.out, []
            self.children(element, depth, True)
            code, self.out = "".join(self.out).strip("\n"), outer
            fence = "```"
            while fence in code:  # a code block that shows a fenced block gets a longer fence
                fence += "`"
            self.out.append("".join(f"\n\n{fence}\n{part}\n{fence}\n\n" for part in _code_parts(code)))
        elif tag in ("ul", "ol"):
            self.out.append("\n\n" if depth == 0 else "")
            self.children(element, depth + 1, pre)
            self.out.append("\n\n" if depth == 0 else "")
        elif tag == "li":
            self.out.append("\n" + "  " * max(0, depth - 1) + "- ")
            self.children(element, depth, pre)
        elif tag == "dt":
            self.out.append("\n- ")
            self.children(element, depth, pre)
        elif tag == "dd":
            self.out.append("\n  ")
            self.children(element, depth, pre)
        elif tag == "tr":
            self.out.append("\n|")
            self.children(element, depth, pre)
        elif tag in ("td", "th"):
            self.out.append(" ")
            self.children(element, depth, pre)
            self.out.append(" |")
        elif tag == "code":
            self.out.append("`")
            self.children(element, depth, pre)
            self.out.append("`")
        elif tag == "a":
            href = element.attrs.get("href", "")
            if href.startswith("#") and not any(c.isalnum() for c in _text(element)):
                return  # a permalink sign next to a heading (¶, #, §)
            linked = bool(href) and not href.startswith(("#", "javascript:"))
            self.out.append("[" if linked else "")
            self.children(element, depth, pre)
            self.out.append(f"]({href})" if linked else "")
        elif tag == "br":
            self.out.append("\n")
        elif tag in _BLOCK:
            self.out.append("\n\n")
            self.children(element, depth, pre)
            self.out.append("\n\n")
        else:
            self.children(element, depth, pre)


def _code_parts(code: str) -> list[str]:
    """``code`` as the stretches between its blank lines, each fenced apart, when it is longer than
    ``_CODE_LINES`` lines; else whole. Under a budget the prose compressor keeps or drops a fenced
    block whole, so a long example went for want of room with the one line a question asks about
    (libffi's closure example, 48 lines: "Where does the page explain Initialize?" is answered by
    ``/* Initialize the closure, setting stream to stdout */``, and no room under 330 tokens held
    the block). Cut where its author left a blank line, the part holding the asked-for line is a
    unit of its own. A stretch of fewer than ``_CODE_PART`` lines joins the next one (a lone
    ``#include`` or closing brace is not worth a unit and its fences)."""
    lines = code.split("\n")
    if len(lines) <= _CODE_LINES:
        return [code]
    parts: list[list[str]] = [[]]
    for line in lines:
        if not line.strip() and len(parts[-1]) >= _CODE_PART:
            parts.append([])
        elif line.strip() or parts[-1]:
            parts[-1].append(line)
    if len(parts) > 1 and len(parts[-1]) < _CODE_PART:  # a short tail joins the stretch before it
        tail = parts.pop()
        parts[-1] += ["", *tail]
    return ["\n".join(part).rstrip("\n") for part in parts if any(line.strip() for line in part)]


def render(html: str) -> Rendering:
    """The page's main content as compact text."""
    page = read(html)
    root = page.root
    main, found = main_content(root, page.landmarks)
    lengths: dict[int, int] = {}
    writer = _Writer(lengths, text_length(main, lengths))
    writer.element(main, 0, False)
    notes = comments(page.notes)
    if notes:  # after the content, so they lead nothing and win room only when the question names them
        writer.out.append("".join(f"\n\n<!-- {_unbreak(note)} -->" for note in notes))
    text = _tidy("".join(writer.out))
    title = _title(root)
    if title and not re.search(r"^# ", text, re.M):
        text = f"# {title}\n\n{text}"
        writer.words += len(title.split())
    chrome = max(0, page.words - writer.words)
    styles = "".join(f"\n{sheet}\n" for sheet in style_sheets(page.styles))
    return Rendering(text, page.tags, chrome, found, styles)


def _names_styles(rendering: Rendering, query: str | None) -> bool:
    """Whether ``query`` has a term the page's style sheets hold and its text does not. The text
    is searched for the few terms the sheets match as lower-cased substrings (a superset of its
    terms, so a term found inside a longer word counts as held): reading the terms of a
    megabyte's rendering cost more than the rest of the call."""
    if not rendering.styles or not query:
        return False
    named = set(terms(query)) & set(terms(rendering.styles))
    if not named:
        return False
    text = rendering.text.lower()
    return any(term not in text for term in named)


def _unbreak(text: str) -> str:
    """``text`` with each line break and the blanks around it as one space, and tabs as spaces;
    the spaces within a line as written. (Split, not one pattern: ``[ \\t]*\\n\\s*`` is
    quadratic on a long run of blanks without a break.)"""
    parts = _BREAK.split(text)
    if len(parts) > 1:
        inner = [part.strip() for part in parts[1:-1]]
        parts = [parts[0].rstrip(), *(part for part in inner if part), parts[-1].lstrip()]
        text = " ".join(parts)
    return text.replace("\t", " ")


def _tidy(text: str) -> str:
    parts = re.split(r"(\n(?:`{3,})\n.*?\n`{3,}\n)", text, flags=re.S)  # leave code blocks as they are
    for i in range(0, len(parts), 2):
        prose = re.sub(r"\[\s*\]\([^)]*\)", "", parts[i])  # icon links with no text
        lines = [line.rstrip() for line in prose.split("\n")]
        lines = [line if line.lstrip().startswith("- ") else line.strip() for line in lines]
        lines = [line for line in lines if line.strip() not in ("-", "|", "``")]
        parts[i] = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return re.sub(r"\n{3,}", "\n\n", "".join(parts)).strip() + "\n"


def _text(element: Element) -> str:
    return "".join(c if isinstance(c, str) else _text(c) for c in element.children)


def _title(root: Element) -> str:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.tag == "title":
            return " ".join("".join(c for c in node.children if isinstance(c, str)).split())
        if node.tag not in ("body", "script", "style"):
            stack.extend(c for c in node.children if isinstance(c, Element))
    return ""


class HtmlCompressor(Compressor):
    content_type = "html"
    name = "html"
    lossless_default = False  # its default output is always lossy: skipped under a budget

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        rendering = self._render(text)
        detail = f"html rendered as text, {rendering.found} content"
        if rendering.chrome_words:
            detail += f", {rendering.chrome_words} words of page chrome left out"
        header = ctx.marker(rendering.tags, "tags", detail) + "\n\n"
        if target is not None and ctx.counter.count(header) * _HEADER_SHARE > target:
            # a tight room spends its tokens on the page, not on how it was read
            header = ctx.marker(rendering.tags, "tags", "html") + "\n\n"
        # the style sheets follow the text only when the question has a word only they hold
        source = rendering.full if target is not None and _names_styles(rendering, ctx.query) else rendering.text
        whole = header + source
        if target is None or ctx.counter.count(whole) <= target:
            if target is not None and ctx.query and rendering.chrome_words > len(rendering.text.split()):
                # fewer words kept than left out as chrome: the part found is a title page's few
                # lines beside a table of contents or an index, whose text is links (valgrind's
                # manual.html: 16 words kept, 946 left out). With a question, the core keeps a
                # rendering that fits whole (only tags left out) over the generic cut; this one
                # it should not keep. Without one the core weighs no generic form: unchanged
                return None
            return Compressed(whole, omitted={"tags": rendering.tags})
        prose: Compressor = getattr(self, "_prose", None) or ctx.compressor("prose")
        self._prose = prose  # one per piece, so its ranking is computed once
        inner = prose.compress(source, target - ctx.counter.count(header), ctx)
        if inner is None:
            return None
        return Compressed(header + inner.text, omitted={"tags": rendering.tags, **inner.omitted})

    def _render(self, text: str) -> Rendering:
        return self.once_per_piece(text, lambda: render(text))

    def select(self, original: str, selector: str, value: Any) -> str:
        if selector in ("lines", "query"):  # the units the markers speak in are the rendering's
            return super().select(render(original).full, selector, value)
        return super().select(original, selector, value)
