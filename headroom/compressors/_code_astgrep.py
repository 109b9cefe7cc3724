"""JavaScript, TypeScript, Go, Rust, Java, C and C++ through one ``ast-grep scan`` per file.

One process reads the file on stdin with a handful of inline rules, one per
category (functions with their bodies, classes and other containers, items at
file or class level, names, comments, error nodes), and prints every match as
JSON. Positions are byte offsets into the UTF-8 text, so columns are checked
against each line's bytes, never its characters. A cut is only offered where
it is clean: whole lines, a brace body whose ``{`` ends its line and whose
``}`` starts its line, an item alone on its lines. Checking an output is a
second scan with the error rule alone: it may not have more error nodes than
the original (real headers full of macros have some already).
"""

from __future__ import annotations

import bisect
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from headroom.compressors._code_outline import DEFAULT, DOC, ITEM, SHORT, Outline, Region, Symbol, calls_in, indent_of, short_list
from headroom.compressors._code_python import sanitize

__all__ = ["LANGUAGES", "AstGrepError", "error_count", "find_binary", "outline_astgrep"]

_TIMEOUT = 20.0
_GO_RECEIVER = re.compile(r"func\s*\(\s*\w*\s*\*?\s*([A-Za-z_]\w*)")


@dataclass(frozen=True)
class Grammar:
    functions: tuple[str, ...]  # kinds whose ``body`` may go
    boxes: tuple[str, ...]  # named kinds whose body holds items (classes, impls, namespaces)
    blocks: tuple[str, ...]  # kinds of executable code: nothing inside them is an item
    items: tuple[str, ...]  # kinds that may go whole when they are children of a list
    names: tuple[str, ...]  # kinds of the nodes that name things
    comments: tuple[str, ...]
    extra_names: tuple[tuple[str, str], ...] = ()  # (field, parent kind): names outside a ``name`` field
    wrappers: tuple[str, ...] = ()  # kinds whose child is not an item on its own (``template<...>`` + its function)


_JS = Grammar(
    functions=("function_declaration", "generator_function_declaration", "function_expression", "arrow_function", "method_definition"),
    boxes=("class_declaration", "class"),
    blocks=("statement_block", "arrow_function", "function_expression", "object", "arguments", "parenthesized_expression"),
    items=("function_declaration", "generator_function_declaration", "class_declaration", "lexical_declaration",
           "variable_declaration", "expression_statement", "export_statement", "import_statement", "method_definition",
           "field_definition", "comment", "if_statement"),
    names=("identifier", "property_identifier", "private_property_identifier"),
    comments=("comment",),
    wrappers=("export_statement",),
)
_TS = Grammar(
    functions=_JS.functions,
    boxes=(*_JS.boxes, "abstract_class_declaration", "interface_declaration", "internal_module"),
    blocks=_JS.blocks,
    items=(*(k for k in _JS.items if k != "field_definition"), "abstract_class_declaration", "interface_declaration", "type_alias_declaration", "enum_declaration",
           "function_signature", "ambient_declaration", "public_field_definition", "method_signature",
           "abstract_method_signature", "internal_module", "property_signature"),
    names=(*_JS.names, "type_identifier"),
    comments=("comment",),
    wrappers=("export_statement", "ambient_declaration"),
)
_C = Grammar(
    functions=("function_definition",),
    boxes=("struct_specifier", "union_specifier", "enum_specifier", "linkage_specification"),
    blocks=("compound_statement", "parameter_list", "initializer_list"),
    items=("function_definition", "declaration", "type_definition", "struct_specifier", "union_specifier", "enum_specifier",
           "preproc_def", "preproc_function_def", "preproc_call", "comment", "linkage_specification", "preproc_if",
           "preproc_ifdef", "preproc_include"),
    names=("identifier", "type_identifier", "field_identifier"),
    comments=("comment",),
    extra_names=(("declarator", "function_declarator"), ("declarator", "type_definition")),
    wrappers=("declaration", "type_definition"),
)
_CPP = Grammar(
    functions=("function_definition", "lambda_expression"),
    boxes=(*_C.boxes, "class_specifier", "namespace_definition"),
    blocks=(*_C.blocks, "lambda_expression", "template_argument_list"),
    items=(*_C.items, "class_specifier", "namespace_definition", "template_declaration", "field_declaration",
           "using_declaration", "alias_declaration", "friend_declaration"),
    names=(*_C.names, "namespace_identifier", "qualified_identifier", "destructor_name", "operator_name"),
    comments=("comment",),
    extra_names=_C.extra_names,
    wrappers=(*_C.wrappers, "template_declaration", "field_declaration"),
)
LANGUAGES: dict[str, Grammar] = {
    "javascript": _JS,
    "typescript": _TS,
    "tsx": _TS,
    "go": Grammar(
        functions=("function_declaration", "method_declaration", "func_literal"),
        boxes=(),
        blocks=("block", "func_literal"),
        items=("function_declaration", "method_declaration", "type_declaration", "const_declaration", "var_declaration",
               "import_declaration", "comment"),
        names=("identifier", "field_identifier", "type_identifier"),
        comments=("comment",),
    ),
    "rust": Grammar(
        functions=("function_item", "closure_expression"),
        boxes=("impl_item", "trait_item", "mod_item"),
        blocks=("block", "closure_expression"),
        items=("function_item", "impl_item", "trait_item", "mod_item", "struct_item", "enum_item", "union_item", "type_item",
               "const_item", "static_item", "use_declaration", "macro_definition", "attribute_item", "line_comment",
               "block_comment", "function_signature_item", "associated_type", "foreign_mod_item"),
        names=("identifier", "type_identifier", "generic_type", "scoped_type_identifier"),
        comments=("line_comment", "block_comment"),
        extra_names=(("type", "impl_item"),),
    ),
    "java": Grammar(
        functions=("method_declaration", "constructor_declaration", "compact_constructor_declaration", "lambda_expression"),
        boxes=("class_declaration", "interface_declaration", "enum_declaration", "record_declaration", "annotation_type_declaration"),
        blocks=("block", "constructor_body", "lambda_expression", "switch_block"),
        items=("class_declaration", "interface_declaration", "enum_declaration", "record_declaration", "method_declaration",
               "constructor_declaration", "field_declaration", "constant_declaration", "line_comment", "block_comment",
               "import_declaration", "static_initializer", "annotation_type_declaration"),
        names=("identifier",),
        comments=("line_comment", "block_comment"),
    ),
    "c": _C,
    "cpp": _CPP,
}
_ATTRIBUTES = ("attribute_item", "decorator")


class AstGrepError(Exception):
    """ast-grep is missing, timed out or failed; the message says which."""


def find_binary() -> str | None:
    """``ast-grep`` next to this interpreter (the venv that installed ast-grep-cli), else on PATH."""
    here = Path(sys.executable).parent
    for name in ("ast-grep", "ast-grep.exe", "sg", "sg.exe"):
        if (here / name).is_file():
            return str(here / name)
    return shutil.which("ast-grep")


def _any(kinds: tuple[str, ...]) -> dict[str, Any]:
    return {"any": [{"kind": k} for k in kinds]}


def _rules(language: str) -> str:
    """The inline rules, one per category, as JSON documents (YAML takes JSON)."""
    g = LANGUAGES[language]
    places = [{"inside": {"field": "name", "pattern": "$DEF"}}]
    places += [{"inside": {"field": field, "kind": parent}} for field, parent in g.extra_names]
    body = {"has": {"field": "body", "pattern": "$BODY"}}
    rules: dict[str, dict[str, Any]] = {
        "fn": {**_any(g.functions), **body},
        "name": {"all": [_any(g.names), {"any": places}]},
        # "not inside" adds no labels: an "inside" match would print the whole parent with every item
        "item": {**_any(g.items + _ATTRIBUTES_OF.get(language, ())), "not": {"any": [
            {"inside": {"stopBy": "end", **_any(g.blocks)}}, *([{"inside": _any(g.wrappers)}] if g.wrappers else [])]}},
        "comment": _any(g.comments),
        "err": {"kind": "ERROR"},
    }
    if g.boxes:
        rules["box"] = {**_any(g.boxes), **body}
    return "\n---\n".join(json.dumps({"id": rule_id, "language": language, "rule": rule}) for rule_id, rule in rules.items())


_ATTRIBUTES_OF = {"rust": ("attribute_item",), "typescript": ("decorator",), "tsx": ("decorator",)}


def _scan(binary: str, rules: str, code: str) -> list[dict[str, Any]]:
    try:
        done = subprocess.run(
            [binary, "scan", "--inline-rules", rules, "--stdin", "--json=stream"],
            input=sanitize(code).encode("utf-8"),
            capture_output=True,
            timeout=_TIMEOUT,
            cwd=str(Path(binary).parent),
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise AstGrepError(f"ast-grep could not run ({type(error).__name__}: {error})") from None
    if done.returncode != 0:
        raise AstGrepError(f"ast-grep exited with {done.returncode}: {done.stderr.decode(errors='replace')[-300:].strip()}")
    try:
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    except ValueError:
        raise AstGrepError("ast-grep printed something that is not JSON") from None


def error_count(binary: str, language: str, code: str) -> int:
    """How many ERROR nodes ``code`` parses with."""
    return len(_scan(binary, json.dumps({"id": "err", "language": language, "rule": {"kind": "ERROR"}}), code))


@dataclass(frozen=True)
class _Node:
    start: int  # byte offsets
    end: int
    first: int  # lines, 0-based
    last: int
    text: str
    body: tuple[int, int, int, int] | None = None  # byte start, byte end, first line, last line


def outline_astgrep(binary: str, language: str, lines: list[str], short: int) -> Outline:
    """The outline of one file in ``language`` (a key of ``LANGUAGES``); raises ``AstGrepError``."""
    matches = _scan(binary, _rules(language), "".join(lines))
    return _Builder(language, lines, short, matches).outline()


def _plain_name(text: str) -> str:
    """``Tree<K, V>::\n  erase`` as ``Tree::erase``: no spaces, no template arguments."""
    text = re.sub(r"\s+", "", text)
    while True:
        shorter = re.sub(r"<[^<>]*>", "", text)
        if shorter == text:
            return text
        text = shorter


def _marker_line(indent: str, marker: str) -> str:
    return f"{indent}// {marker}"


class _Builder:
    def __init__(self, language: str, lines: list[str], short: int, matches: list[dict[str, Any]]) -> None:
        self.language, self.lines, self.short = language, lines, short
        self.encoded = [sanitize(line).encode("utf-8") for line in lines]
        self.line_start = [0]
        for data in self.encoded:
            self.line_start.append(self.line_start[-1] + len(data))
        by: dict[str, list[dict[str, Any]]] = {}
        for match in matches:
            by.setdefault(match.get("ruleId", ""), []).append(match)
        self.fns = [self._node(m, m["metaVariables"]["single"].get("BODY")) for m in by.get("fn", [])]
        self.boxes = [self._node(m, m["metaVariables"]["single"].get("BODY")) for m in by.get("box", [])]
        self.items = [self._node(m) for m in by.get("item", [])]
        self.comments = {(n.start, n.end): n for n in map(self._node, by.get("comment", []))}
        self.errors = [self._node(m) for m in by.get("err", [])]
        self.names: list[tuple[int, str, tuple[int, int] | None]] = []
        for m in by.get("name", []):
            owner = m.get("metaVariables", {}).get("single", {}).get("DEF")
            span = (owner["range"]["byteOffset"]["start"], owner["range"]["byteOffset"]["end"]) if owner else None
            self.names.append((m["range"]["byteOffset"]["start"], _plain_name(m["text"]), span))
        self.names.sort()
        self.name_starts = [start for start, _, _ in self.names]
        self.own = {span: text for _, text, span in reversed(self.names) if span}
        self.leads = {n.last: n.first for n in self.items if (n.start, n.end) in self.comments or self._is_attribute(n)}

    def _node(self, match: dict[str, Any], body: dict[str, Any] | None = None) -> _Node:
        r = match["range"]
        start, end = r["byteOffset"]["start"], r["byteOffset"]["end"]
        last = r["end"]["line"]
        if last > r["start"]["line"] and end == self.line_start[last]:
            last -= 1  # a node that takes its line's newline (a Rust line comment) ends on that line
        b = None
        if body is not None:
            br = body["range"]
            b = (br["byteOffset"]["start"], br["byteOffset"]["end"], br["start"]["line"], br["end"]["line"])
        return _Node(start, end, r["start"]["line"], last, match["text"], b)

    def outline(self) -> Outline:
        regions: list[Region] = []
        symbols: list[Symbol] = []
        fns = {(n.start, n.end) for n in self.fns}
        path: list[tuple[_Node, str | None]] = []  # the containers around the node at hand, outermost first
        named: dict[tuple[int, int], str] = {}
        for node in sorted(self.boxes + self.fns, key=lambda n: (n.start, -n.end)):
            while path and not (path[-1][0].body and path[-1][0].body[0] <= node.start and node.end <= path[-1][0].body[1]):
                path.pop()
            name = self._name(node)
            receiver = _GO_RECEIVER.match(node.text) if self.language == "go" and name else None
            if receiver:
                name = f"{receiver.group(1)}.{name}"  # a Go method is named by its receiver's type
            path.append((node, name))
            if name:
                named[(node.start, node.end)] = name
                qualified = ".".join(n for _, n in path if n)
                kind = "function" if (node.start, node.end) in fns else "class"
                symbols.append(Symbol(qualified, kind, self._lead(node.first), node.last))
        for node in self.fns:
            region = self._body(node)
            if region is not None:
                regions.append(region)
        spans = {(s.first, s.last) for s in symbols}
        for node in self.items:
            if (node.start, node.end) in self.comments or not self._clean(node):
                continue
            name = named.get((node.start, node.end)) or self._name(node)
            first = self._lead(node.first)
            if name and (first, node.last) not in spans:
                symbols.append(Symbol(name, "declaration", first, node.last))
            regions.append(Region(first, node.last, ITEM, name or "", indent_of(self.lines[node.first])))
        regions.extend(self._comment_regions())
        regions = [r for r in regions if not any(self._cuts(r, e) for e in self.errors)]
        symbols.sort(key=lambda s: (s.first, -s.last))
        return Outline("ast-grep", tuple(symbols), tuple(regions), _marker_line, len(self.errors))

    def _name(self, node: _Node) -> str | None:
        """The node's own name, else the first name in its head (before its body), else for a
        function the last name on its line before it (``const f = () => {``)."""
        own = self.own.get((node.start, node.end))
        if own:
            return own
        head_end = node.body[0] if node.body else node.end
        at = bisect.bisect_left(self.name_starts, node.start)
        found = [n for n in self.names[at : bisect.bisect_left(self.name_starts, head_end)] if n[2] is None or n[2][0] >= node.start]
        declarators = [n for n in found if n[2] is None]  # C/C++: the declarator's name, not a type's in the head
        if declarators or found:
            return (declarators or found)[0][1]
        if node.body is None:
            return None
        before = bisect.bisect_left(self.name_starts, node.start) - 1
        if before >= 0 and self.names[before][0] >= self.line_start[node.first]:
            return self.names[before][1]
        return None

    def _lead(self, first: int) -> int:
        """``first`` moved up over the doc comments and attributes right above it."""
        while first - 1 in self.leads and self.leads[first - 1] < first:
            first = self.leads[first - 1]
        return first

    def _is_attribute(self, node: _Node) -> bool:
        return node.text.startswith(("#[", "@")) and node.first == node.last

    def _body(self, node: _Node) -> Region | None:
        if node.body is None:
            return None
        start, end, open_line, close_line = node.body
        opening = self.encoded[open_line][start - self.line_start[open_line] :]
        closing = self.encoded[close_line][: end - self.line_start[close_line]]
        if not opening.startswith(b"{") or opening[1:].strip() or closing.strip() != b"}":
            return None
        first, last = open_line + 1, close_line - 1
        if last - first < 1:
            return None
        inner = [f for f in self.fns if f is not node and start < f.start and f.end <= end]
        if inner and not self.own.get((node.start, node.end)) and not self._name(node):
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
        for node in sorted((n for n in self.items if (n.start, n.end) in self.comments and self._clean(n)), key=lambda n: n.start):
            if blocks and blocks[-1][-1].last + 1 == node.first and indent_of(self.lines[node.first]) == indent_of(self.lines[blocks[-1][0].first]):
                blocks[-1].append(node)
            else:
                blocks.append([node])
        out: list[Region] = []
        for block in blocks:
            first, last = block[0].first, block[-1].last
            indent = indent_of(self.lines[first])
            out.append(Region(first, last, DOC, "comment", indent))
            keep = first if any(c.isalnum() for c in self.lines[first]) else first + 1
            end = last - 1 if block[-1].text.startswith("/*") and block[-1].first < block[-1].last else last
            trim = Region(keep + 1, end, DEFAULT, "comment", indent)
            if end - keep >= 2 and not any(self._cuts(trim, c) for c in block):
                out.append(trim)
        return out

    @staticmethod
    def _cuts(region: Region, node: _Node) -> bool:
        """Whether ``region`` cuts into ``node`` without holding it whole or staying strictly inside it."""
        if region.last < node.first or node.last < region.first:
            return False
        inside = node.first < region.first and region.last < node.last
        return not (region.first <= node.first and node.last <= region.last) and not inside
