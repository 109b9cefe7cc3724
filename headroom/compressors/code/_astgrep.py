"""JavaScript, TypeScript, Go, Rust, Java, C and C++ outlined from one ast-grep scan per file.

``_scan`` reads the roles of ``_grammars`` (functions with their bodies,
containers, items at file or class level, names, comments, error nodes) from
one parse; this module turns those matches into an outline. A cut is only
offered where it is clean: whole lines, a brace body whose ``{`` ends its line
and whose ``}`` starts its line, an item alone on its lines. Checking an
output is a parse for error nodes alone (``_scan.error_spans``).
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from headroom.compressors.code._outline import (
    DEFAULT,
    DOC,
    ITEM,
    SHORT,
    Outline,
    Region,
    Symbol,
    calls_in,
    indent_of,
    short_list,
    value_region,
)
from headroom.compressors.code._python import sanitize
from headroom.compressors.code._scan import AstGrep, Match, scan
from headroom.plugins import split_lines

__all__ = ["outline_astgrep"]

_GO_RECEIVER = re.compile(r"func\s*\(\s*\w*\s*\*?\s*([A-Za-z_]\w*)")
_C_COMMENTS = re.compile(rb"/\*.*?\*/|//[^\n]*", re.S)
_KEYWORD_NAME = re.compile(r"\b(?:class|struct|union|namespace)\s+([A-Za-z_]\w*)")


class _Node(NamedTuple):
    """A match as the outline reads it (a tuple: a 1 MB C header makes 20,000 of them, and a frozen
    dataclass cost three times as much to build)."""

    start: int  # byte offsets
    end: int
    first: int  # lines, 0-based
    last: int
    body: tuple[int, int, int, int] | None = None  # byte start, byte end, first line, last line


def outline_astgrep(engine: AstGrep, language: str, lines: list[str], short: int) -> Outline:
    """The outline of one file in ``language`` (a key of ``LANGUAGES``); raises ``AstGrepError``."""
    matches = scan(engine, language, "".join(lines))
    return _Builder(language, lines, short, matches).outline()


def _plain_name(text: str) -> str:
    """``Tree<K, V>::\n  erase`` as ``Tree::erase``: no spaces, no template arguments."""
    if text.isidentifier():
        return text
    # two words apart are a type and a name the parser read as one (``_GLIBCXX_NODISCARD`` above
    # ``const_reference`` and ``top() const`` named the method ``const_referencetop``): the name is the last
    text = re.split(r"(?<=[\w>])\s+(?=[A-Za-z_~])", text.strip())[-1]
    text = re.sub(r"\s+", "", text)
    while True:
        shorter = re.sub(r"<[^<>]*>", "", text)
        if shorter == text:
            return text
        text = shorter


def _marker_line(indent: str, marker: str) -> str:
    return f"{indent}// {marker}"


def _nesting(nodes: list[_Node]) -> list[int]:
    """For each node (sorted by start, outer first), the index of the innermost node whose body holds it, or -1."""
    out: list[int] = []
    path: list[int] = []
    for index, node in enumerate(nodes):
        while path and not _holds(nodes[path[-1]], node):
            path.pop()
        out.append(path[-1] if path else -1)
        path.append(index)
    return out


def _containers(items: list[_Node], bodied: list[_Node], qualified: list[str | None]) -> dict[tuple[int, int], str]:
    """Each item's innermost container (a class, struct, impl, namespace: a bodied node whose body holds it)
    by its dotted name, in one sweep over both lists sorted by start. A member declared in its class
    (``path& remove_filename();``, a TypeScript interface's method) is a symbol under its class's path,
    ``path.remove_filename``, as a method defined there is; it was its bare name alone, so a question
    naming ``path::remove_filename`` found nothing."""
    out: dict[tuple[int, int], str] = {}
    events = sorted(
        [(n.start, -n.end, 0, i) for i, n in enumerate(bodied)] + [(n.start, -n.end, 1, i) for i, n in enumerate(items)]
    )
    open_: list[int] = []  # bodied nodes (indexes) whose span holds the current start
    for start, _, is_item, index in events:
        while open_ and bodied[open_[-1]].end <= start:
            open_.pop()
        if not is_item:
            open_.append(index)
            continue
        node = items[index]
        for at in reversed(open_):
            if _holds(bodied[at], node):
                name = qualified[at]
                if name:
                    out[(node.start, node.end)] = name
                break
    return out


def _holds(outer: _Node, node: _Node) -> bool:
    return outer.body is not None and outer.body[0] <= node.start and node.end <= outer.body[1]


class _Builder:
    def __init__(self, language: str, lines: list[str], short: int, matches: list[Match]) -> None:
        self.language, self.lines, self.short = language, lines, short
        self.encoded = [line.encode("utf-8") for line in split_lines(sanitize("".join(lines)))]
        self.source = b"".join(self.encoded)
        self.line_start = [0]
        for data in self.encoded:
            self.line_start.append(self.line_start[-1] + len(data))
        by: dict[str, list[Match]] = {}
        for match in matches:
            by.setdefault(match.rule, []).append(match)
        self.errors = [self._node(m) for m in by.get("err", [])]
        self.fns = [self._node(m) for m in by.get("fn", [])]
        self.boxes = [self._node(m) for m in by.get("box", [])]
        self.demoted: set[tuple[int, int]] = set()
        if language in ("c", "cpp"):
            self._demote_misparsed()
        self.items = [self._node(m) for m in by.get("item", []) + by.get("comment", [])]
        self.comments = {(m.start, m.end) for m in by.get("comment", [])}
        self.error_spans = tuple((m.line, m.column, m.end_line, m.end_column) for m in by.get("err", []))
        self.names = sorted(
            {(m.start, _plain_name(m.text), m.rule == "decl") for m in by.get("name", []) + by.get("decl", [])}
        )
        self.name_starts = [start for start, _, _ in self.names]
        self.own = self._owners(sorted((m.start, _plain_name(m.text)) for m in by.get("own", [])))
        self._bodied = sorted(self.fns + self.boxes, key=lambda n: (n.start, -n.end))  # outer first
        self._bodied_keys = [(n.start, -n.end) for n in self._bodied]
        self._values: dict[tuple[int, int], Region | None] = {}
        self._item_starts = sorted((n.start, -n.end) for n in self.items if (n.start, n.end) not in self.comments)
        # doc comments and attributes alone on their lines lead the item below them
        self.leads = {
            n.last: (n.first, (n.start, n.end) in self.comments)
            for n in self.items
            if ((n.start, n.end) in self.comments or self._is_attribute(n)) and self._clean(n)
        }

    def _node(self, match: Match) -> _Node:
        last = match.end_line
        if last > match.line and match.end == self.line_start[last]:
            last -= 1  # a node that takes its line's newline (a Rust line comment) ends on that line
        return _Node(match.start, match.end, match.line, last, match.body)

    def _demote_misparsed(self) -> None:
        """A C or C++ "function" with no parameter list in its head (comments aside) is a container the
        parser misread after an unknown macro (``MACRO namespace x {``, ``MACRO template<...> class y {``):
        it is kept as a container, its body never cut as one."""
        demoted = {
            (n.start, n.end)
            for n in self.fns
            if n.body
            and not self.source.startswith(b"[", n.start)
            and b"(" not in _C_COMMENTS.sub(b"", self.source[n.start : n.body[0]])
        }
        self.demoted = demoted
        self.boxes += [n for n in self.fns if (n.start, n.end) in demoted]
        self.fns = [n for n in self.fns if (n.start, n.end) not in demoted]

    def _owners(self, names: list[tuple[int, str]]) -> dict[tuple[int, int], str]:
        """Each function's, container's or item's own name: the first name in a ``name`` field that
        lies in its head (before its body) and in no smaller node."""
        nodes = sorted(
            {(n.start, n.end): n for n in self.items + self.boxes + self.fns}.values(), key=lambda n: (n.start, -n.end)
        )
        own: dict[tuple[int, int], str] = {}
        open_: list[_Node] = []
        at = 0
        for start, text in names:
            while at < len(nodes) and nodes[at].start <= start:
                while open_ and open_[-1].end <= nodes[at].start:
                    open_.pop()
                open_.append(nodes[at])
                at += 1
            while open_ and open_[-1].end <= start:
                open_.pop()
            if open_ and (open_[-1].body is None or start < open_[-1].body[0]):
                own.setdefault((open_[-1].start, open_[-1].end), text)
        return own

    def outline(self) -> Outline:
        regions: list[Region] = []
        symbols: list[Symbol] = []
        fns = {(n.start, n.end) for n in self.fns}
        ordered = self._bodied
        qualified: list[str | None] = []  # each node's dotted name, or None
        named: dict[tuple[int, int], str] = {}
        for node, parent in zip(ordered, _nesting(ordered)):
            name = self._keyword_name(node) or self._name(node)
            if self.language == "go" and name and node.body:
                receiver = _GO_RECEIVER.match(self.source[node.start : node.body[0]].decode(errors="replace"))
                if receiver:
                    name = f"{receiver.group(1)}.{name}"  # a Go method is named by its receiver's type
            outer = qualified[parent] if parent >= 0 else None
            qualified.append(f"{outer}.{name}" if outer and name else name or outer)
            if name:
                named[(node.start, node.end)] = name
                kind = "function" if (node.start, node.end) in fns else "class"
                symbols.append(
                    Symbol(qualified[-1] or name, kind, self._lead(node.first), node.last, self._signature(node))
                )
        for node in self.fns:
            region = self._body(node)
            if region is not None:
                regions.append(region)
        spans = {(s.first, s.last) for s in symbols}
        container = _containers(self.items, ordered, qualified)
        for node in self.items:
            if (node.start, node.end) in self.comments or not self._clean(node):
                continue
            name = named.get((node.start, node.end)) or self._name(node)
            first = self._lead(node.first)
            if name and (first, node.last) not in spans:
                outer = container.get((node.start, node.end))
                symbols.append(
                    Symbol(f"{outer}.{name}" if outer else name, "declaration", first, node.last, self._signature(node))
                )
            regions.append(Region(first, node.last, ITEM, name or "", indent_of(self.lines[node.first])))
            value = self._value(node)
            if value is not None:
                regions.append(value)
        regions.extend(self._comment_regions())
        symbols.extend(self._misread_members(ordered, qualified, {s.first for s in symbols}))
        symbols.sort(key=lambda s: (s.first, -s.last))
        return Outline(
            "ast-grep", tuple(symbols), tuple(self._clear_of_errors(regions)), _marker_line, errors=self.error_spans
        )

    def _misread_members(self, ordered: list[_Node], qualified: list[str | None], taken: set[int]) -> list[Symbol]:
        """Member prototypes inside a misread container (``_demote_misparsed``): the parser took its body
        for a block, so ``path& remove_filename();`` in a class inside it is no item. Each declarator
        name there outside every function is one: from its line to the line ending its ``;`` (at most
        three lines on), under its container's path."""
        if not self.demoted:
            return []
        spans = [(n.start, n.end) for n in self.boxes if (n.start, n.end) in self.demoted]
        bodies = sorted((n.start, n.end) for n in self.fns)
        found: list[tuple[_Node, str]] = []
        for start, name, is_decl in self.names:
            if not is_decl or not any(a < start < b for a, b in spans):
                continue
            at = bisect.bisect_right(bodies, (start, len(self.source) + 1)) - 1
            if at >= 0 and bodies[at][0] <= start < bodies[at][1]:
                continue  # a function's own declarator, or a name inside one
            first = bisect.bisect_right(self.line_start, start) - 1
            if first in taken:
                continue
            last = next(
                (i for i in range(first, min(first + 4, len(self.encoded))) if self.encoded[i].rstrip().endswith(b";")),
                None,
            )
            if last is None:
                continue
            taken.add(first)
            found.append((_Node(start, start + 1, first, last), name))
        container = _containers([node for node, _ in found], ordered, qualified)  # one sweep for them all
        out: list[Symbol] = []
        for node, name in found:
            outer = container.get((node.start, node.end))
            span = (node.first, node.last)
            out.append(Symbol(f"{outer}.{name}" if outer else name, "declaration", *span, span))
        return out

    def _keyword_name(self, node: _Node) -> str | None:
        """A misread container's name (``_demote_misparsed``): the word after its head's last ``class``,
        ``struct``, ``union`` or ``namespace``. Its first name was a type's in its template's head:
        ``MACRO template<typename _Tp, typename _Sequence = deque<_Tp> > class stack {`` was ``deque``,
        and every method of ``stack`` was ``deque.top``."""
        if (node.start, node.end) not in self.demoted or node.body is None:
            return None
        head = _C_COMMENTS.sub(b" ", self.source[node.start : node.body[0]]).decode(errors="replace")
        found = _KEYWORD_NAME.findall(head)
        return found[-1] if found else None

    def _signature(self, node: _Node) -> tuple[int, int]:
        """Attributes through the line that opens the body: its own, or that of the function or
        container it wraps (``template<...>``, ``x = function () {``); only the first line of an item
        that holds items (``#ifdef``); else the whole declaration."""
        start = self._lead(node.first, False)
        if node.body:
            return start, node.body[2]
        inner = self._bodied_inside(node)
        if inner is not None and inner.body:
            return start, inner.body[2]
        if self._holds_items(node) or self._value(node) is not None:
            return start, node.first
        return start, node.last

    def _bodied_inside(self, node: _Node) -> _Node | None:
        """The first function or container with a body inside ``node``."""
        at = bisect.bisect_left(self._bodied_keys, (node.start, -node.end))
        bodied = self._bodied
        while at < len(bodied):  # not a slice: a copy of the rest per item was most of the time
            inner = bodied[at]
            if inner.start >= node.end:
                break
            if inner.end <= node.end and inner.body:
                return inner
            at += 1
        return None

    def _holds_items(self, node: _Node) -> bool:
        at = bisect.bisect_right(self._item_starts, (node.start, -node.end))
        return at < len(self._item_starts) and self._item_starts[at][0] < node.end

    def _value(self, node: _Node) -> Region | None:
        """The values of a literal assigned in a declaration that holds no function, container or
        item (a table, not a module pattern or a struct's definition). Asked twice per item (its
        signature, its regions): found once."""
        key = (node.start, node.end)
        if key not in self._values:
            found = None
            if self._bodied_inside(node) is None and not self._holds_items(node):
                found = value_region(self.lines, node.first, node.last, self.short)
            self._values[key] = found
        return self._values[key]

    def _name(self, node: _Node) -> str | None:
        """The node's own name, else the first name in its head (before its body), a C declarator's
        first, else for a function the last name on its line before it (``const f = () => {``)."""
        own = self.own.get((node.start, node.end))
        if own:
            return own
        head_end = node.body[0] if node.body else node.end
        found = self.names[
            bisect.bisect_left(self.name_starts, node.start) : bisect.bisect_left(self.name_starts, head_end)
        ]
        declarators = [n for n in found if n[2]]  # C/C++: the declarator's name, not a type's in the head
        if declarators or found:
            return (declarators or found)[0][1]
        if node.body is None:
            return None
        before = bisect.bisect_left(self.name_starts, node.start) - 1
        if before >= 0 and self.names[before][0] >= self.line_start[node.first]:
            return self.names[before][1]
        return None

    def _lead(self, first: int, comments: bool = True) -> int:
        """``first`` moved up over the attributes (and doc comments) right above it."""
        while first - 1 in self.leads:
            top, is_comment = self.leads[first - 1]
            if top >= first or (is_comment and not comments):
                break
            first = top
        return first

    def _is_attribute(self, node: _Node) -> bool:
        return self.source.startswith((b"#[", b"@"), node.start) and node.first == node.last

    def _body(self, node: _Node) -> Region | None:
        if node.body is None:
            return None
        start, end, open_line, close_line = node.body
        if close_line >= len(self.encoded):
            return None  # the parser closed the body past the text's end (a file cut inside a function)
        opening = self.encoded[open_line][start - self.line_start[open_line] :]
        closing = self.encoded[close_line][: end - self.line_start[close_line]]
        if not opening.startswith(b"{") or opening[1:].strip() or closing.strip() != b"}":
            return None
        first, last = open_line + 1, close_line - 1
        if last - first < 1:
            return None
        if not self._name(node) and any(f is not node and start < f.start and f.end <= end for f in self.fns):
            return None  # an anonymous wrapper (a module pattern, a test suite): its functions are cut one by one
        stage = DEFAULT if last - first + 1 > self.short else SHORT
        calls = calls_in("".join(self.lines[first : last + 1]))
        return Region(first, last, stage, "calls: " + short_list(calls) if calls else "", indent_of(self.lines[first]))

    def _clean(self, node: _Node) -> bool:
        """Whether ``node`` is alone on its lines (a trailing ``;`` allowed)."""
        before = self.encoded[node.first][: node.start - self.line_start[node.first]]
        after = self.encoded[node.last][node.end - self.line_start[node.last] :]
        return not before.strip() and after.strip() in (b"", b";")

    def _comment_regions(self) -> list[Region]:
        """Blocks of comment items on consecutive lines: all but the first line at first, whole at stage 3."""
        blocks: list[list[_Node]] = []
        for node in sorted(
            (n for n in self.items if (n.start, n.end) in self.comments and self._clean(n)), key=lambda n: n.start
        ):
            if (
                blocks
                and blocks[-1][-1].last + 1 == node.first
                and indent_of(self.lines[node.first]) == indent_of(self.lines[blocks[-1][0].first])
            ):
                blocks[-1].append(node)
            else:
                blocks.append([node])
        out: list[Region] = []
        for block in blocks:
            first, last = block[0].first, block[-1].last
            indent = indent_of(self.lines[first])
            out.append(Region(first, last, DOC, "comment", indent))
            keep = first if any(c.isalnum() for c in self.lines[first]) else first + 1
            if last - keep < 2:
                continue
            end, host, closed_one = last, None, None
            if self._is_block(block[-1]) and block[-1].first < block[-1].last:
                host = self._closing(keep, block[-1])
                if host is None:
                    end = last - 1  # the line that closes the comment stays
                else:
                    closed_one = block[-1]  # cut into on purpose: its kept line now closes it
            if host is None:
                host = self._open_end(keep, next(c for c in block if c.first <= keep <= c.last))
            trim = Region(keep + 1, end, DEFAULT, "comment", indent, host, rides=True)
            if end - keep >= 2 and not any(_cuts(trim, c) for c in block if c is not closed_one):
                out.append(trim)
        return out

    def _is_block(self, comment: _Node) -> bool:
        return self.source.startswith(b"/*", comment.start)

    def _closing(self, keep: int, comment: _Node) -> tuple[int, str, str] | None:
        """Line ``keep`` of a ``/* ... */`` comment closed with `` */``, so what follows it may go,
        split where a marker may ride on it (``Region.host``); None when that line cannot take it
        (it opens or closes a comment itself)."""
        if not comment.first <= keep < comment.last:
            return None
        line = self.lines[keep]
        text = line.rstrip("\r\n")
        inner = text.lstrip()[2:] if keep == comment.first else text
        if "/*" in inner or "*/" in inner or text.endswith("\\"):
            return None
        return keep, text.rstrip(), " */" + line[len(text) :]

    def _open_end(self, keep: int, comment: _Node) -> tuple[int, str, str] | None:
        """Line ``keep`` split at its end when the comment ``comment`` runs on past it (a line
        comment, or a block comment that does not close there), so a marker there is comment text;
        None otherwise, or when a ``\\`` would carry the marker into the next line."""
        line = self.lines[keep]
        text = line.rstrip("\r\n")
        if text.endswith("\\") or (self._is_block(comment) and (keep == comment.last or "*/" in text)):
            return None
        return keep, text.rstrip(), line[len(text) :]

    def _clear_of_errors(self, regions: list[Region]) -> list[Region]:
        """The regions that hold each error node whole or lie inside it: a cut through one would let
        the parser's recovery re-read what is left differently."""
        edges = sorted({(line, i) for i, e in enumerate(self.errors) for line in (e.first, e.last)})
        keys = [line for line, _ in edges]
        out = []
        for region in regions:
            near = {
                i for _, i in edges[bisect.bisect_left(keys, region.first) : bisect.bisect_right(keys, region.last)]
            }
            if not any(_cuts(region, self.errors[i]) for i in near):
                out.append(region)
        return out


def _cuts(region: Region, node: _Node) -> bool:
    """Whether ``region`` cuts into ``node`` without holding it whole or staying strictly inside it."""
    if region.last < node.first or node.last < region.first:
        return False
    inside = node.first < region.first and region.last < node.last
    return not (region.first <= node.first and node.last <= region.last) and not inside
