"""Python through the standard library's ``ast``: exact, fast, and the output is checked by compiling it.

Line numbers come from the tree, so a body is cut from its first line after
the signature (comments there included) to its last. A multi-line docstring
keeps its first line, closed with its own quotes so the code still compiles;
each cut becomes ``...  # [marker]``, a statement, so every block stays
non-empty.
"""

from __future__ import annotations

import ast
import gc
import re
from collections import deque

from headroom.compressors.code._outline import (
    DEFAULT,
    DOC,
    ITEM,
    SHORT,
    Outline,
    Region,
    Symbol,
    indent_of,
    short_list,
    value_region,
)

__all__ = ["compiles", "outline_python", "sanitize", "syntax_error"]

_SURROGATES = re.compile("[\ud800-\udfff]")
_PRAGMA = re.compile(r"^#!|^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")  # PEP 263
_COMMENT = re.compile(r"^[ \t]*#")
_DOC_OPEN = re.compile(r"^(\s*)([rRuU]?)(\"\"\"|''')(.*?)\s*$")
_Def = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_Literals = (ast.List, ast.Tuple, ast.Set, ast.Dict)
# nodes that hold no call (a name, a constant, a name's load/store flag): the walk for calls skips them
_LEAVES = frozenset({ast.Name, ast.Constant, ast.Load, ast.Store, ast.Del, ast.alias, ast.Pass})
_Blocks = (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)


def sanitize(source: str) -> str:
    """``source`` with lone surrogates (undecodable bytes) replaced, same length, so ``ast`` takes it."""
    return _SURROGATES.sub("\ufffd", source)


def compiles(code: str) -> bool:
    return syntax_error(code) is None


def syntax_error(code: str) -> tuple[int, int] | None:
    """None when ``code`` compiles, else the 0-based lines the compiler complains about."""
    try:
        compile(sanitize(code), "<headroom>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        first = max(0, (error.lineno or 1) - 1)
        return first, max(first, (error.end_lineno or first + 1) - 1)
    except (ValueError, RecursionError, MemoryError):
        return 0, code.count("\n")
    return None


def _marker_line(indent: str, marker: str) -> str:
    return f"{indent}...  # {marker}"


def _comment_line(indent: str, marker: str) -> str:
    return f"{indent}# {marker}"


def outline_python(lines: list[str], short: int) -> Outline | None:
    """The outline of a Python file, or None when it does not parse.

    The cyclic garbage collector is paused while the tree is built and read: a
    1 MB file is some two million nodes, none in a cycle, and the collections
    their allocation set off walked them all again and again for nothing (a
    quarter of the parse, 0.06 s of 0.24 s). It is switched back on after, as
    it was found; nothing is collected later than it would have been.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _outline(lines, short)
    finally:
        if paused:
            gc.enable()


def _outline(lines: list[str], short: int) -> Outline | None:
    try:
        tree = ast.parse(sanitize("".join(lines)))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    builder = _Builder(lines, short)
    builder.docstring(tree.body)
    builder.block(tree.body, "", items=True)
    opening = 0  # a shebang and a coding line stay whole
    while opening < min(2, len(lines)) and _PRAGMA.match(lines[opening]):
        opening += 1
    builder.comments(opening, _head(tree.body[0]) if tree.body else len(lines))
    if tree.body:
        builder.comments(tree.body[-1].end_lineno or len(lines), len(lines))
    return Outline("ast", tuple(builder.symbols), tuple(builder.regions), _marker_line, _comment_line)


class _Builder:
    def __init__(self, lines: list[str], short: int) -> None:
        self.lines, self.short = lines, short
        self.symbols: list[Symbol] = []
        self.regions: list[Region] = []

    def block(self, body: list[ast.stmt], prefix: str, *, items: bool) -> None:
        previous_end = -1
        for index, stmt in enumerate(body):
            if index:
                self.comments(previous_end + 1, _head(stmt))
            first = self._first(stmt, previous_end)
            last = stmt.end_lineno - 1 if stmt.end_lineno else stmt.lineno - 1
            following = body[index + 1].lineno - 1 if index + 1 < len(body) else None
            clean = first > previous_end and (following is None or following > last)
            previous_end = last
            if isinstance(stmt, _Def):
                name = prefix + stmt.name
                kind = "class" if isinstance(stmt, ast.ClassDef) else "def"
                self.symbols.append(Symbol(name, kind, first, last, self._signature(stmt)))
                if isinstance(stmt, ast.ClassDef):
                    self.docstring(stmt.body)
                    self.block(stmt.body, name + ".", items=True)
                else:
                    self.function(stmt)
                    self.nested(stmt.body, name + ".")
                label = f"{kind} {stmt.name}"
            elif isinstance(stmt, _Blocks):
                for part in ("body", "orelse", "finalbody", "handlers"):
                    inner = getattr(stmt, part, [])
                    self.block([s for h in inner for s in h.body] if part == "handlers" else inner, prefix, items=False)
                label = type(stmt).__name__.lower()
            else:
                label = short_list(
                    t.id for t in getattr(stmt, "targets", [getattr(stmt, "target", None)]) if isinstance(t, ast.Name)
                )
            if items and clean:
                self.regions.append(Region(first, last, ITEM, label, indent_of(self.lines[stmt.lineno - 1])))
                value = getattr(stmt, "value", None)
                if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(value, _Literals) and value.end_lineno:
                    found = value_region(self.lines, value.lineno - 1, value.end_lineno - 1, self.short)
                    if found is not None:
                        self.regions.append(found)

    def nested(self, body: list[ast.stmt], prefix: str) -> None:
        """The functions defined inside a function's body, at any depth, as symbols (``C.m.f``): no
        regions (the body around them is cut or kept as one), but a question that names one keeps it
        like a named function, its signature and its matching lines (issue 12: ``callback`` defined
        inside ``StreamReaderProtocol.connection_made``, under an ``if``, went with the method's body)."""
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                last = (stmt.end_lineno or stmt.lineno) - 1
                self.symbols.append(Symbol(prefix + stmt.name, "def", _head(stmt), last, self._signature(stmt)))
                self.nested(stmt.body, prefix + stmt.name + ".")
            elif isinstance(stmt, ast.ClassDef):
                self.nested(stmt.body, prefix + stmt.name + ".")  # its methods; the class is not a symbol
            else:
                for part in ("body", "orelse", "finalbody"):
                    inner = getattr(stmt, part, None)
                    if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                        self.nested(inner, prefix)
                for block in getattr(stmt, "handlers", []) + getattr(stmt, "cases", []):
                    self.nested(block.body, prefix)

    def comments(self, start: int, end: int) -> None:
        """Comment blocks of three lines or more in lines ``start``..``end - 1`` (lines between
        statements, so only comments and blank lines): all but the first line by default, whole at stage 3."""
        block: list[int] = []
        for i in range(start, end):
            comment = _COMMENT.match(self.lines[i]) is not None
            if comment and block and indent_of(self.lines[i]) == indent_of(self.lines[block[0]]):
                block.append(i)
                continue
            self._comment_block(block)
            block = [i] if comment else []
        self._comment_block(block)

    def _comment_block(self, block: list[int]) -> None:
        if block and len(block) < 3:
            # under a budget only (the default level keeps Python's comments whole): a licence line or a
            # banner between two cuts kept 10-25 tokens a tight target needed for the body it asks about
            self.regions.append(
                Region(block[0], block[-1], DOC, "comment", indent_of(self.lines[block[0]]), comment=True)
            )
        if len(block) >= 3:
            indent = indent_of(self.lines[block[0]])
            text = self.lines[block[0]].rstrip("\r\n")
            host = (block[0], text.rstrip(), self.lines[block[0]][len(text) :])
            self.regions.append(Region(block[1], block[-1], DEFAULT, "comment", indent, host, rides=True, comment=True))
            self.regions.append(Region(block[0], block[-1], DOC, "comment", indent, comment=True))

    def _first(self, stmt: ast.stmt, previous_end: int) -> int:
        """The first line of ``stmt`` with its decorators and the comment lines right above it."""
        first = _head(stmt)
        while first - 1 > previous_end and self.lines[first - 1].lstrip().startswith("#"):
            first -= 1
        return first

    def _signature(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> tuple[int, int]:
        """Decorators through the line that ends the header (comments opening the body excluded)."""
        start = _head(node)
        end = node.body[0].lineno - 1
        if end == node.lineno - 1:
            return start, end  # def f(): return 1
        end -= 1
        while end > node.lineno - 1 and self.lines[end].lstrip().startswith("#"):
            end -= 1
        return start, end

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        body = node.body
        if body[0].lineno == node.lineno:
            return  # def f(): return 1
        start = body[0].lineno - 1
        while start - 1 > node.lineno - 1 and self.lines[start - 1].lstrip().startswith("#"):
            start -= 1  # comments opening the body belong to it
        end = (node.end_lineno or node.lineno) - 1
        stage = DEFAULT if end - start + 1 > self.short else SHORT
        calls = _calls(body)
        label = "calls: " + short_list(c for c in calls if c) if any(calls) else ""
        indent = indent_of(self.lines[body[0].lineno - 1])
        doc = _doc_node(body)
        trimmed = self._trim(doc, end, stage, label, indent) if doc is not None else None
        if trimmed is not None:
            self.regions.append(trimmed)
        if end - start >= 1 or trimmed is None:  # a one-line body too: cut where its mark saves (real tokens)
            self.regions.append(Region(start, end, DOC if trimmed is not None else stage, label, indent))

    def docstring(self, body: list[ast.stmt]) -> None:
        """A long module or class docstring keeps its first line by default and goes whole at stage 3."""
        doc = _doc_node(body)
        if doc is None or doc.end_lineno is None or doc.end_lineno - doc.lineno < 2:
            return
        end = doc.end_lineno - 1
        trimmed = self._trim(doc, end, DEFAULT, "docstring", indent_of(self.lines[doc.lineno - 1]), rides=True)
        if trimmed is not None:
            self.regions.append(trimmed)
        self.regions.append(Region(doc.lineno - 1, end, DOC, "docstring", indent_of(self.lines[doc.lineno - 1])))

    def _trim(self, doc: ast.stmt, end: int, stage: int, label: str, indent: str, rides: bool = False) -> Region | None:
        """The region after a docstring's first line, which is rewritten to close the string
        (``rides``: the region's marker may go inside it, see ``Region.host``)."""
        first = doc.lineno - 1
        doc_end = (doc.end_lineno or doc.lineno) - 1
        if doc_end == first:  # a one-line docstring stays as it is
            return Region(first + 1, end, stage, label, indent) if end - first >= 2 else None
        found = _DOC_OPEN.match(self.lines[first].rstrip("\r\n"))
        if not found:
            return None
        lead, flag, quote, summary = found.groups()
        cut = first + 1
        if not summary:
            summary = self.lines[first + 1].strip() if first + 1 < doc_end else ""
            cut = first + 2 if summary else first + 1
        if not summary or quote in summary or summary.endswith(("\\", quote[0])):
            return None
        ending = "\r\n" if self.lines[first].endswith("\r\n") else "\n"
        host = (first, f"{lead}{flag}{quote}{summary}", f"{quote}{ending}")
        return Region(first + 1, end, stage, label, indent, host, rides=rides) if end - cut >= 1 else None


def _head(stmt: ast.stmt) -> int:
    """The first line of ``stmt``, its decorators included."""
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno - 1] + [d.lineno - 1 for d in decorators])


def _doc_node(body: list[ast.stmt]) -> ast.stmt | None:
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first
    return None


def _calls(body: list[ast.stmt]) -> list[str]:
    """The names called in ``body``, in ``ast.walk``'s order (breadth first, fields in order).

    The walk by hand: ``ast.walk`` goes through two generators per node, a third
    of the Python outline's time on a long file.
    """
    out: list[str] = []
    todo: deque[ast.AST] = deque(body)
    pop, push, extend = todo.popleft, todo.append, todo.extend
    AST, Call = ast.AST, ast.Call
    while todo:
        node = pop()
        if isinstance(node, Call):
            out.append(_called(node.func))
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, AST):
                if type(value) not in _LEAVES:  # nothing called inside: leaving it out keeps the order
                    push(value)
            elif isinstance(value, list):
                extend(item for item in value if isinstance(item, AST) and type(item) not in _LEAVES)
    return out


def _called(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""
