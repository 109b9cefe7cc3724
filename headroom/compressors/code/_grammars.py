"""What the ast-grep scan looks for in each language: tree-sitter node kinds by role, and the rules.

The rules run over one parse per file (in process, or in one ``ast-grep scan``), one rule per role. Relations
that would capture a node's parent or body (``inside``/``has`` with a
metavariable) make ast-grep print that node's whole text with every match, and
a file's JSON grows with the square of its nesting; so relations are written
as ``not: {not: ...}`` (which captures nothing) wherever only the condition
matters, and names are tied to their owners by position afterwards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = ["LANGUAGES", "Grammar", "Roles", "error_rule", "roles", "rules", "rules_text"]


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
    functions=(
        "function_declaration",
        "generator_function_declaration",
        "function_expression",
        "arrow_function",
        "method_definition",
    ),
    boxes=("class_declaration", "class"),
    blocks=(
        "statement_block",
        "arrow_function",
        "function_expression",
        "object",
        "arguments",
        "parenthesized_expression",
    ),
    items=(
        "function_declaration",
        "generator_function_declaration",
        "class_declaration",
        "lexical_declaration",
        "variable_declaration",
        "expression_statement",
        "export_statement",
        "import_statement",
        "method_definition",
        "field_definition",
        "comment",
        "if_statement",
    ),
    names=("identifier", "property_identifier", "private_property_identifier"),
    comments=("comment",),
    wrappers=("export_statement",),
)
_TS = Grammar(
    functions=_JS.functions,
    boxes=(*_JS.boxes, "abstract_class_declaration", "interface_declaration", "internal_module"),
    blocks=_JS.blocks,
    items=(
        *(k for k in _JS.items if k != "field_definition"),
        "abstract_class_declaration",
        "interface_declaration",
        "type_alias_declaration",
        "enum_declaration",
        "function_signature",
        "ambient_declaration",
        "public_field_definition",
        "method_signature",
        "abstract_method_signature",
        "internal_module",
        "property_signature",
    ),
    names=(*_JS.names, "type_identifier"),
    comments=("comment",),
    wrappers=("export_statement", "ambient_declaration"),
)
_C = Grammar(
    functions=("function_definition",),
    boxes=("struct_specifier", "union_specifier", "enum_specifier", "linkage_specification"),
    blocks=("compound_statement", "parameter_list", "initializer_list"),
    items=(
        "function_definition",
        "declaration",
        "type_definition",
        "struct_specifier",
        "union_specifier",
        "enum_specifier",
        "preproc_def",
        "preproc_function_def",
        "preproc_call",
        "comment",
        "linkage_specification",
        "preproc_if",
        "preproc_ifdef",
        "preproc_include",
    ),
    names=("identifier", "type_identifier", "field_identifier"),
    comments=("comment",),
    extra_names=(("declarator", "function_declarator"), ("declarator", "type_definition")),
    wrappers=("declaration", "type_definition"),
)
_CPP = Grammar(
    functions=("function_definition", "lambda_expression"),
    boxes=(*_C.boxes, "class_specifier", "namespace_definition"),
    blocks=(*_C.blocks, "lambda_expression", "template_argument_list"),
    items=(
        *_C.items,
        "class_specifier",
        "namespace_definition",
        "template_declaration",
        "field_declaration",
        "using_declaration",
        "alias_declaration",
        "friend_declaration",
    ),
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
        items=(
            "function_declaration",
            "method_declaration",
            "type_declaration",
            "const_declaration",
            "var_declaration",
            "import_declaration",
            "comment",
        ),
        names=("identifier", "field_identifier", "type_identifier"),
        comments=("comment",),
    ),
    "rust": Grammar(
        functions=("function_item", "closure_expression"),
        boxes=("impl_item", "trait_item", "mod_item"),
        blocks=("block", "closure_expression"),
        items=(
            "function_item",
            "impl_item",
            "trait_item",
            "mod_item",
            "struct_item",
            "enum_item",
            "union_item",
            "type_item",
            "const_item",
            "static_item",
            "use_declaration",
            "macro_definition",
            "attribute_item",
            "line_comment",
            "block_comment",
            "function_signature_item",
            "associated_type",
            "foreign_mod_item",
        ),
        names=("identifier", "type_identifier", "generic_type", "scoped_type_identifier"),
        comments=("line_comment", "block_comment"),
        extra_names=(("type", "impl_item"),),
    ),
    "java": Grammar(
        functions=(
            "method_declaration",
            "constructor_declaration",
            "compact_constructor_declaration",
            "lambda_expression",
        ),
        boxes=(
            "class_declaration",
            "interface_declaration",
            "enum_declaration",
            "record_declaration",
            "annotation_type_declaration",
        ),
        blocks=("block", "constructor_body", "lambda_expression", "switch_block"),
        items=(
            "class_declaration",
            "interface_declaration",
            "enum_declaration",
            "record_declaration",
            "method_declaration",
            "constructor_declaration",
            "field_declaration",
            "constant_declaration",
            "line_comment",
            "block_comment",
            "import_declaration",
            "static_initializer",
            "annotation_type_declaration",
        ),
        names=("identifier",),
        comments=("line_comment", "block_comment"),
    ),
    "c": _C,
    "cpp": _CPP,
}
_ATTRIBUTES_OF = {"rust": ("attribute_item",), "typescript": ("decorator",), "tsx": ("decorator",)}


def _any(kinds: tuple[str, ...]) -> dict[str, Any]:
    return {"any": [{"kind": k} for k in kinds]}


def _only_if(rule: dict[str, Any]) -> dict[str, Any]:
    """``rule`` as a condition that captures nothing, so no parent's text is printed with the match."""
    return {"not": {"not": rule}}


def rules(language: str) -> list[tuple[str, dict[str, Any]]]:
    """The rules, one per role: (rule id, rule).

    ``fn`` and ``box`` capture their body (its range is needed); ``name`` is a
    name in a ``name`` field (or a C declarator), ``own`` a name in the
    ``name`` field of a function, container or item (the thing it names is
    found by position); ``item`` and ``comment`` are items and comments outside
    executable blocks and not directly inside a wrapper.
    """
    g = LANGUAGES[language]
    owners = tuple(dict.fromkeys(g.functions + g.boxes + g.items))
    declarators = [{"inside": {"field": field, "kind": parent}} for field, parent in g.extra_names]
    body = {"has": {"field": "body", "pattern": "$BODY"}}
    outside = [{"inside": {"stopBy": "end", **_any(g.blocks)}}, *([{"inside": _any(g.wrappers)}] if g.wrappers else [])]
    found: dict[str, dict[str, Any]] = {
        "fn": {**_any(g.functions), **body},
        "name": {"all": [_any(g.names), _only_if({"inside": {"field": "name", "pattern": "$_"}})]},
        "own": {"all": [_any(g.names), _only_if({"inside": {"field": "name", **_any(owners)}})]},
        "item": {
            **_any(tuple(k for k in g.items + _ATTRIBUTES_OF.get(language, ()) if k not in g.comments)),
            "not": {"any": outside},
        },
        "comment": {**_any(g.comments), "not": {"any": outside}},
        "err": {"kind": "ERROR"},
    }
    if declarators:
        found["decl"] = {"all": [_any(g.names), _only_if({"any": declarators})]}
    if g.boxes:
        found["box"] = {**_any(g.boxes), **body}
    return list(found.items())


@dataclass(frozen=True)
class Roles:
    """The rules of one language as kinds to look up, for the in-process walk over its tree (``_scan``)."""

    order: tuple[str, ...]  # the rule ids, in ``rules`` order
    bodied: dict[str, tuple[str, ...]]  # kind -> ``fn`` and/or ``box``
    names: frozenset[str]
    owners: frozenset[str]
    declarators: dict[str, tuple[str, ...]]  # parent kind -> the fields whose names are declarators
    items: frozenset[str]
    comments: frozenset[str]
    blocks: frozenset[str]
    wrappers: frozenset[str]


@cache
def roles(language: str) -> Roles:
    """``rules(language)`` as kinds: the same roles, read by kind and parent instead of by search."""
    g = LANGUAGES[language]
    bodied: dict[str, tuple[str, ...]] = {}
    for rule_id, kinds in (("fn", g.functions), ("box", g.boxes)):
        for kind in kinds:
            bodied[kind] = (*bodied.get(kind, ()), rule_id)
    declarators: dict[str, tuple[str, ...]] = {}
    for field, parent in g.extra_names:
        declarators[parent] = (*declarators.get(parent, ()), field)
    return Roles(
        order=tuple(rule_id for rule_id, _ in rules(language)),
        bodied=bodied,
        names=frozenset(g.names),
        owners=frozenset(g.functions + g.boxes + g.items),
        declarators=declarators,
        items=frozenset(k for k in g.items + _ATTRIBUTES_OF.get(language, ()) if k not in g.comments),
        comments=frozenset(g.comments),
        blocks=frozenset(g.blocks),
        wrappers=frozenset(g.wrappers),
    )


def error_rule() -> list[tuple[str, dict[str, Any]]]:
    """The rule that finds error nodes, alone: how an output is checked."""
    return [("err", {"kind": "ERROR"})]


def rules_text(language: str, found: list[tuple[str, dict[str, Any]]]) -> str:
    """``found`` as the CLI's inline rules: JSON documents (YAML takes JSON)."""
    return "\n---\n".join(json.dumps({"id": rule_id, "language": language, "rule": rule}) for rule_id, rule in found)
