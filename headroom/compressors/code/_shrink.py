"""A Python function the question names shrinks to the statements that hold its words before it goes.

Issue 12: a unit shrinks before it is dropped. The body of a function the
query names is cut last of all, and then whole: under a tight target the
signature stayed and the body went, the line the question was about with it
(``seek`` asked about ``whence`` kept ``def seek(...)`` and a mark for its 28
lines). These cuts come first among those last cuts: each is a run of
consecutive statements of one block (a body, an ``else``, a handler) holding
none of the query's terms. A statement that holds one stays, and if it is a
compound statement (``if``, ``for``, ``try``, ``with``, ``match``) its own
blocks are shrunk the same way, so what stays is the path of headers down to
the matching lines. A run is whole statements at one indentation, so its mark
(``...  # [...]``) is a statement in their place and the output still parses;
the check (``_check``) would keep a run that broke the parse anyway.

A question's common words can hold half a body (``sys`` of ``sys.ps1``, a word
of the file's path): ``interact`` asked about ``sys.ps1`` kept ``sys.ps2`` and
``sys.version`` with it and no longer fitted. So a second set of runs holds none
of the lines with the query's rarest terms in that body (those on at most twice
as many lines as the rarest one); they score as holding none of its words, so
they are cut after the bodies that hold none and before this body goes whole.

The docstring is never part of a run (the function's docstring regions start
inside it, and a run must hold a region whole or not at all); its lines after
the first are a cut of their own (the first line kept and closed, as a
module's docstring is at the default level), ranked by how well it matches
like any cut: a long docstring otherwise came back whole with the body, and
the shrunk body did not fit. A body with no matching statement offers no run (its
one cut is the whole body, as before).
"""

from __future__ import annotations

import ast
import copy
import re
import textwrap

from headroom.compressors.code._outline import DEFAULT, Region, Symbol, indent_of
from headroom.compressors.code._python import _Builder
from headroom.relevance import terms

__all__ = ["statement_runs"]

_COMMENT = re.compile(r"^[ \t]*#")


def statement_runs(
    lines: list[str], symbol: Symbol, query: str, also: tuple[int, ...] = ()
) -> tuple[list[Region], list[Region]]:
    """Runs of ``symbol``'s statements that hold none of the query's terms, each as a region to cut;
    and runs that hold none of its rarest terms in the body (empty when those are all its terms).
    ``also``: lines that stay as if they held the query's terms (the signature of a named function
    defined inside this one, so the path of headers down to it stays)."""
    # the function's own name says which function, not which of its lines: every call and
    # recursion would hold it
    wanted = set(terms(query)) - set(terms(symbol.name.replace(".", " ")))
    if symbol.kind != "def" or not (wanted or also):
        return [], []
    snippet = textwrap.dedent("".join(lines[symbol.first : symbol.last + 1]))
    try:
        tree = ast.parse(snippet)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [], []
    node = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if node is None:
        return [], []
    held = {i: wanted & set(terms(lines[i])) for i in range(symbol.signature[1] + 1, symbol.last + 1)}
    hits = sorted({i for i, found in held.items() if found} | set(also))
    if not hits:
        return [], []
    runs = _runs(lines, symbol, node, snippet.splitlines(), hits)
    # a question's common words (``sys`` in "sys.ps1", a word of the file's path) can hold half a body:
    # the lines holding its rarest terms in this body are what it asks about
    spread = {term: sum(term in found for found in held.values()) for term in set().union(*held.values())}
    rare = {term for term, count in spread.items() if count <= 2 * min(spread.values(), default=0)}
    fewer = [i for i in hits if held.get(i, set()) & rare or i in also]
    thinner = _runs(lines, symbol, node, snippet.splitlines(), fewer) if len(fewer) < len(hits) else []
    return runs, [r for r in thinner if r not in runs]


def _runs(
    lines: list[str], symbol: Symbol, node: ast.FunctionDef | ast.AsyncFunctionDef, shown: list[str], hits: list[int]
) -> list[Region]:
    """Runs of the function's statements that hold none of the lines ``hits``, and its docstring's rest."""
    offset = symbol.first - 1  # the snippet's line 1 is the symbol's first line
    runs: list[tuple[int, int]] = []

    def holds_hit(first: int, last: int) -> bool:
        return any(first <= h <= last for h in hits)

    def walk(body: list[ast.stmt], docstring: bool) -> None:
        run: list[int] = []
        previous = -1  # the last line of the statement before it in this block
        for position, stmt in enumerate(body):
            first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])]) + offset
            last = (stmt.end_lineno or stmt.lineno) + offset
            above = first  # with the comment lines right above it (at its indentation): they say what it does
            while (
                position
                and above - 1 > previous
                and _COMMENT.match(lines[above - 1])
                and indent_of(lines[above - 1]) == indent_of(lines[first])
                and not holds_hit(above - 1, above - 1)
            ):
                above -= 1
            previous = last
            if docstring and position == 0 and _is_docstring(stmt):
                continue  # never in a run: see the module docstring
            head = shown[stmt.lineno - 1] if stmt.lineno <= len(shown) else ""
            if not getattr(stmt, "decorator_list", None) and len(head) - len(head.lstrip()) != stmt.col_offset:
                if run:  # on the line of its clause (``if x: y = 1``): a run would take the clause with it
                    runs.append((run[0], run[1]))
                    run = []
                continue
            if not holds_hit(first, last):
                run = [run[0], last] if run else [above, last]
                continue
            if run:
                runs.append((run[0], run[1]))
                run = []
            for part in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, part, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt) and not _is_def(stmt):
                    walk(inner, docstring=False)
            for block in getattr(stmt, "handlers", []) + getattr(stmt, "cases", []):
                walk(block.body, docstring=False)
        if run:
            runs.append((run[0], run[1]))

    walk(node.body, docstring=True)
    out = [Region(first, last, DEFAULT, "", indent_of(lines[first])) for first, last in runs]
    doc = copy.deepcopy(node.body[0]) if node.body and _is_docstring(node.body[0]) else None
    if doc is not None:
        ast.increment_lineno(doc, symbol.first)  # the snippet's lines as the file's (1-based)
        end = (doc.end_lineno or doc.lineno) - 1
        rest = _Builder(lines, 0)._trim(doc, end, DEFAULT, "docstring", indent_of(lines[doc.lineno - 1]), rides=True)
        if rest is not None and rest.last == end:
            out.append(rest)  # its first line stays, closed: the rest goes before the statements do
    return out


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _is_def(stmt: ast.stmt) -> bool:
    """A nested function or class is kept or cut whole: its body is not a block of this function."""
    return isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
