"""A forgiving HTML tree with the standard library, and where a page's main content is.

``parse`` builds elements from ``html.parser`` events, closing what real pages
leave open (``<p>``, ``<li>``, table cells). ``main_content`` picks the element
to render: ``<main>`` or ``role="main"``, else the ``<article>`` with the most
text, else the smallest container that holds most of the page's text (so a
sidebar or a footer is left out), and ``is_chrome`` says which elements inside
it are navigation, menus, sidebars, footers, breadcrumbs, cookie banners or
tables of contents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from headroom.compressors.html._scan import scan

__all__ = [
    "COMMENT",
    "INVISIBLE",
    "Element",
    "Page",
    "comments",
    "is_chrome",
    "main_content",
    "parse",
    "read",
    "style_sheets",
    "text_length",
]

COMMENT = "#comment"  # the tag of an element that holds one comment's text
_LONG_CSS = 200  # characters: a longer line of a style sheet is cut into its rules
_PROSE_WORDS = 8  # a comment of at least this many words is the author's prose, not a generator's stamp

# never shown and not counted as page chrome: code, styling, the head, comments
INVISIBLE = frozenset({"script", "style", "head", "template", "noscript", "svg", COMMENT})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
# never shown: their content is code, styling, controls or page furniture
DROPPED = frozenset(
    {
        COMMENT,
        "script",
        "style",
        "noscript",
        "svg",
        "nav",
        "head",
        "button",
        "form",
        "iframe",
        "template",
        "select",
        "aside",
        "footer",
        "dialog",
        "canvas",
        "object",
        "map",
    }
)
_CLOSES_P = frozenset(
    {
        "p",
        "div",
        "ul",
        "ol",
        "dl",
        "table",
        "pre",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "main",
        "nav",
        "aside",
        "form",
        "figure",
    }
)
_SIBLINGS = {
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "tr": {"tr", "td", "th"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "option": {"option"},
    "p": {"p"},
}
# the open elements a start tag closes (its siblings, and a ``<p>`` before a block), by tag
_CLOSES = {
    tag: frozenset(_SIBLINGS.get(tag, set()) | ({"p"} if tag in _CLOSES_P else set()))
    for tag in {*_SIBLINGS, *_CLOSES_P}
}
_NOTHING: frozenset[str] = frozenset()
_CHROME_WORDS = frozenset(
    {
        "nav",
        "navbar",
        "navigation",
        "menu",
        "menubar",
        "sidebar",
        "sidenav",
        "footer",
        "header",
        "breadcrumb",
        "breadcrumbs",
        "cookie",
        "cookies",
        "consent",
        "toc",
        "banner",
        "skip",
        "skiplink",
        "pagination",
        "pager",
        "share",
        "social",
        "related",
        "advert",
        "ads",
        "masthead",
        "topbar",
        "toolbar",
        "searchbox",
        "popup",
    }
)
_WORD = re.compile(r"[a-z]+")
_CONTAINERS = frozenset({"div", "section", "main", "article", "td", "center", "span", "font", "table", "tbody", "tr"})
_LANDMARKS = frozenset({"main", "article", "body"})
_FURNITURE = frozenset({"div", "section", "header", "ul", "ol", "dl", "table", "p"})  # what a class may mark as chrome
_CHROME_SHARE = 0.3  # an element marked as chrome is dropped only while it holds less than this of the text
_MOST = 0.7  # the main element holds at least this share of the text of the element it is found in


@dataclass(slots=True)
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = None
    hidden: bool = False  # whether it or an element around it is never shown (``INVISIBLE``)
    dropped: bool = False  # whether it or an element around it is left out with its content (``DROPPED``)


@dataclass
class Page:
    """A parsed page: its tree, its tag count (declarations, comments and processing instructions
    included), its comment and ``<style>`` elements in page order, the words of its text
    outside ``INVISIBLE`` elements, and the elements ``main_content`` looks for first
    (``<main>``, ``role="main"``, ``<article>``, ``<body>`` outside ``DROPPED`` ones, in page
    order). Gathered while the tree is built, not by walking it again: four more walks of a
    megabyte's tree cost a tenth of a call."""

    root: Element
    tags: int
    notes: list[Element]
    styles: list[Element]
    words: int
    landmarks: list[Element]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.stack = [self.root]
        self.tags = 0
        self.notes: list[Element] = []
        self.styles: list[Element] = []
        self.words = 0
        self.landmarks: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        closes = _CLOSES.get(tag, _NOTHING)
        while len(self.stack) > 1 and self.stack[-1].tag in closes:
            if tag in ("td", "th") and self.stack[-1].tag == "tr":
                break
            self.stack.pop()
        values = dict(attrs)  # built in C; an attribute written without a value reads as ""
        if None in values.values():
            values = {k: v or "" for k, v in values.items()}
        parent = self.stack[-1]
        dropped = parent.dropped or tag in DROPPED
        element = Element(tag, values, [], parent, parent.hidden or tag in INVISIBLE, dropped)  # type: ignore[arg-type]
        parent.children.append(element)
        if tag == "style":
            self.styles.append(element)
        elif not dropped and (tag in _LANDMARKS or values.get("role") == "main"):
            self.landmarks.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        top = self.stack[-1]
        top.children.append(data)
        if not top.hidden:
            self.words += len(data.split())

    # a doctype, a comment or a processing instruction is markup the rendering leaves out too:
    # counted, so a page made of nothing else still says what its marker omitted
    def handle_decl(self, decl: str) -> None:
        self.tags += 1

    def handle_comment(self, data: str) -> None:
        self.tags += 1
        # kept in the tree (never rendered in place: see ``COMMENT``), so the rendering can show
        # the comments that hold the author's prose
        note = Element(COMMENT, {}, [data], self.stack[-1], True, True)
        self.stack[-1].children.append(note)
        self.notes.append(note)

    def handle_pi(self, data: str) -> None:
        self.tags += 1

    def unknown_decl(self, data: str) -> None:
        self.tags += 1


def read(html: str) -> Page:
    """The page's tree and what the rendering counts and gathers from it (see ``Page``)."""
    builder = _Builder()
    stop = scan(html, builder)  # the markup read by regular expressions, as the parser reads it
    if stop < len(html):
        builder.feed(html[stop:])
    builder.close()
    return Page(builder.root, builder.tags, builder.notes, builder.styles, builder.words, builder.landmarks)


def parse(html: str) -> tuple[Element, int]:
    """The page's tree and how many tags it has (declarations, comments and processing instructions included)."""
    page = read(html)
    return page.root, page.tags


def text_length(element: Element, lengths: dict[int, int]) -> int:
    """Characters of visible, non-link text under ``element`` (memoized in ``lengths`` by id)."""
    known = lengths.get(id(element))
    if known is not None:
        return known
    total = 0
    if element.tag not in DROPPED and element.tag != "a":
        for child in element.children:
            total += len(" ".join(child.split())) if isinstance(child, str) else text_length(child, lengths)
    lengths[id(element)] = total
    return total


def is_chrome(element: Element, share: float) -> bool:
    """Whether a class or id names page furniture, for an element holding ``share`` of the main text."""
    if element.tag in DROPPED:
        return True
    if share >= _CHROME_SHARE or element.tag not in _FURNITURE:
        return False
    names = (
        element.attrs.get("class", "") + " " + element.attrs.get("id", "") + " " + element.attrs.get("role", "")
    ).lower()
    return any(word in _CHROME_WORDS for word in _WORD.findall(names)) or element.attrs.get("aria-hidden") == "true"


def main_content(root: Element, landmarks: list[Element] | None = None) -> tuple[Element, str]:
    """The element holding the page's main content, and how it was found (``landmarks``: the
    ``Page``'s, else read from the tree)."""
    elements = _walk(root) if landmarks is None else landmarks
    lengths: dict[int, int] = {}
    for element in elements:
        if element.tag == "main" or element.attrs.get("role") == "main":
            return element, "main"
    articles = [e for e in elements if e.tag == "article"]
    if articles:
        return max(articles, key=lambda e: text_length(e, lengths)), "article"
    body = next((e for e in elements if e.tag == "body"), root)
    current = body
    while True:
        total = text_length(current, lengths)
        inner = [c for c in current.children if isinstance(c, Element) and c.tag in _CONTAINERS]
        best = max(inner, key=lambda e: text_length(e, lengths), default=None)
        if best is None or total == 0 or text_length(best, lengths) < _MOST * total:
            break
        if _has_peers(best, inner, lengths):
            break  # one of several sections of the same class: they are the content together
        current = best
    return current, "densest" if current is not body else "body"


def _has_peers(best: Element, siblings: list[Element], lengths: dict[int, int]) -> bool:
    """Whether ``best`` has a sibling of its tag and (non-empty) class that holds text: the
    chapters of a manual (``div.sect1``) are peers, while a layout's main column and its sidebar
    differ in class."""
    kind = best.attrs.get("class", "").strip()
    return bool(kind) and any(
        other is not best
        and other.tag == best.tag
        and other.attrs.get("class", "").strip() == kind
        and text_length(other, lengths) > 0
        for other in siblings
    )


def comments(notes: list[Element]) -> list[str]:
    """The text of the comments (``Page.notes``) that hold prose (at least a few words and more
    words than markup), in page order, wherever they sit: a license or a note the author wrote."""
    out = []
    for node in notes:
        text = "".join(c for c in node.children if isinstance(c, str)).strip()
        words = text.split()
        if len(words) >= _PROSE_WORDS and text.count("<") < len(words) / 4:
            out.append(text)
    return out


def style_sheets(styles: list[Element]) -> list[str]:
    """The text of the page's ``<style>`` elements (``Page.styles``), in page order, wherever they
    sit (``<head>`` too): one rule or declaration a line as written, blank lines left out, and a line
    longer than ``_LONG_CSS`` (a minified sheet) cut after each ``}``, so a rule is a line a question
    can find."""
    out = []
    for node in styles:
        lines: list[str] = []
        for line in "".join(c for c in node.children if isinstance(c, str)).split("\n"):
            line = line.strip()
            if len(line) > _LONG_CSS:
                lines += [rule.strip() + "}" for rule in line.split("}")[:-1] if rule.strip()]
                line = line.rsplit("}", 1)[-1].strip()
            if line and line not in ("<!--", "-->"):  # the old way of hiding a sheet from old browsers
                lines.append(line)
        if lines:
            out.append("".join(line + ("\n\n" if line.endswith("}") else "\n") for line in lines).rstrip("\n"))
    return out


def _walk(element: Element) -> list[Element]:
    out = []
    stack = [element]
    while stack:
        node = stack.pop()
        if node.tag in DROPPED:
            continue
        out.append(node)
        stack.extend(reversed([c for c in node.children if isinstance(c, Element)]))
    return out
