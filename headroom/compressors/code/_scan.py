"""How ast-grep is reached and what a scan returns: the matches of ``_grammars``' roles in one file.

Where the ``ast-grep-py`` binding is installed (a dependency, so a fresh install
has it) the tree is built in this process: no process to start, which cost
about 8 ms per file and per checked output. The roles are then read in one walk
over the tree's named nodes, each node's kind looked up in ``Roles`` and its
relation to its parent (the field it sits in, a block above it) carried down
the walk: nine ``find_all`` searches, one per rule, each walked the whole tree
again and took 0.44 s of CPU on a 1 MB C header against 0.18 s for the parse
itself. The walk is the rules' reading, not a second definition: a test runs
both over every fixture and asks for the same matches. Checking an output is
one search for error nodes.

Without the binding, one ``ast-grep scan`` process reads the file on stdin with
all the rules and prints every match as a JSON line; only positions are read
from those lines (a match's text is taken from the source when needed), which
keeps the cost linear in the output's size. Both paths give the same matches:
byte offsets into the UTF-8 text (the binding counts characters; its offsets
are converted), 0-based lines, and columns in characters, which only ever meet
columns from the same engine.
"""

from __future__ import annotations

import bisect
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from headroom.compressors.code._grammars import Roles, error_rule, roles, rules, rules_text
from headroom.compressors.code._python import sanitize

__all__ = ["AstGrep", "AstGrepError", "Match", "error_spans", "find_binary", "find_engine", "rule_matches", "scan"]

_TIMEOUT = 20.0
# In JSON text an unescaped quote only ever delimits a string, so these keys
# cannot be forged by the source text that ast-grep quotes before them.
_RANGE_KEY = b'"range":{"byteOffset":'
_RANGE = re.compile(
    rb'"range":\{"byteOffset":\{"start":(\d+),"end":(\d+)\},"start":\{"line":(\d+),"column":(\d+)\},"end":\{"line":(\d+),"column":(\d+)\}'
)
_RULE = re.compile(rb'"ruleId":"([^"\\]*)"')
_BODY_KEY = b'"BODY":{'
_WIDE = re.compile(r"[^\x00-\x7f]")
_TEXT_IDS = frozenset({"name", "own", "decl"})  # the only roles whose text is read
_TEXT_OF = frozenset(r.encode() for r in _TEXT_IDS)
_TEXT = re.compile(rb'\{"text":("(?:[^"\\]|\\.)*")')


class AstGrepError(Exception):
    """ast-grep is missing, timed out or failed; the message says which."""


def find_binary() -> str | None:
    """``ast-grep`` next to this interpreter (the venv that installed ast-grep-cli), else on PATH."""
    here = Path(sys.executable).parent
    for name in ("ast-grep", "ast-grep.exe", "sg", "sg.exe"):
        if (here / name).is_file():
            return str(here / name)
    return shutil.which("ast-grep")


class Match(NamedTuple):
    rule: str
    start: int  # byte offsets
    end: int
    line: int  # 0-based
    column: int
    end_line: int
    end_column: int
    body: tuple[int, int, int, int] | None  # byte start, byte end, first line, last line
    text: str  # names only


@dataclass(frozen=True)
class AstGrep:
    """How this process reaches ast-grep: the in-process binding (``binary`` None) or a CLI binary."""

    binary: str | None = None

    @property
    def in_process(self) -> bool:
        return self.binary is None


def find_engine() -> AstGrep | None:
    """The ``ast-grep-py`` binding when it is installed, else the ``ast-grep`` binary, else None."""
    if importlib.util.find_spec("ast_grep_py") is not None:
        return AstGrep()
    binary = find_binary()
    return AstGrep(binary) if binary else None


def scan(engine: AstGrep, language: str, code: str) -> list[Match]:
    """Every match of the outline's roles (``_grammars.rules``) in ``code``, parsed once."""
    if engine.binary is None:
        root, to_byte = _parse(language, code)
        return _walk(root, roles(language), to_byte)
    return _scan_cli(engine.binary, rules_text(language, rules(language)), code)


def error_spans(engine: AstGrep, language: str, code: str) -> list[tuple[int, int, int, int]]:
    """The ERROR nodes ``code`` parses with: (line, column, last line, column), 0-based."""
    found = error_rule()
    if engine.binary is None:
        matches = _find_all(*_parse(language, code), found)
    else:
        matches = _scan_cli(engine.binary, rules_text(language, found), code)
    return [(m.line, m.column, m.end_line, m.end_column) for m in matches]


def rule_matches(language: str, found: list[tuple[str, dict[str, Any]]], code: str) -> list[Match]:
    """The matches of the rules ``found``, one binding search each: what the walk must agree with."""
    return _find_all(*_parse(language, code), found)


def _parse(language: str, code: str) -> tuple[Any, Callable[[int], int]]:
    """The binding's tree of ``code`` and how its character offsets become byte offsets."""
    from ast_grep_py import SgRoot  # a compiled extension: imported on the first parse, never at import

    text = sanitize(code)
    try:
        root = SgRoot(text, language).root()
    except BaseException as error:  # a Rust panic surfaces as BaseException
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        raise AstGrepError(f"ast-grep-py could not parse ({type(error).__name__}: {error})") from None
    return root, _byte_offsets(text)


def _match(rule_id: str, node: Any, to_byte: Callable[[int], int], body_node: Any) -> Match:
    where = node.range()
    body = None
    if body_node is not None:
        inner = body_node.range()
        body = (to_byte(inner.start.index), to_byte(inner.end.index), inner.start.line, inner.end.line)
    start, end = where.start, where.end  # each read of ``where.start`` builds a new position object
    return Match(
        rule_id,
        to_byte(start.index),
        to_byte(end.index),
        start.line,
        start.column,  # characters, as the CLI prints them
        end.line,
        end.column,
        body,
        node.text() if rule_id in _TEXT_IDS else "",
    )


def _find_all(root: Any, to_byte: Callable[[int], int], found: list[tuple[str, dict[str, Any]]]) -> list[Match]:
    out: list[Match] = []
    for rule_id, rule in found:
        config: Any = {"rule": rule}  # the binding's Config, typed as a TypedDict of its own
        for node in root.find_all(config):
            body = node.get_match("BODY") if rule_id in ("fn", "box") else None
            out.append(_match(rule_id, node, to_byte, body))
    return out


def _walk(root: Any, r: Roles, to_byte: Callable[[int], int]) -> list[Match]:
    """The rules' matches in one pass over the named nodes, in the order each rule finds them.

    A node's roles come from its kind and its parent: ``fn``/``box`` with a named
    ``body`` field; ``name`` in its parent's ``name`` field (``own`` when that
    parent is an owner, ``decl`` in a declarator's field); ``item``/``comment``
    with no block above it and no wrapper right above it.
    """
    found: dict[str, list[Match]] = {rule_id: [] for rule_id in r.order}
    # (node, its kind, its parent, the parent's kind, a block above it)
    stack: list[tuple[Any, str, Any, str, bool]] = [(root, root.kind(), None, "", False)]
    while stack:
        node, kind, parent, parent_kind, blocked = stack.pop()
        if kind in r.names and parent is not None:
            if parent.field("name") == node:
                found["name"].append(_match("name", node, to_byte, None))
                if parent_kind in r.owners:
                    found["own"].append(_match("own", node, to_byte, None))
            fields = r.declarators.get(parent_kind)
            if fields and any(parent.field(field) == node for field in fields):
                found["decl"].append(_match("decl", node, to_byte, None))
        if kind in r.bodied:
            body = node.field("body")
            if body is not None and body.is_named():
                for rule_id in r.bodied[kind]:
                    found[rule_id].append(_match(rule_id, node, to_byte, body))
        if not blocked and parent_kind not in r.wrappers:
            if kind in r.items:
                found["item"].append(_match("item", node, to_byte, None))
            elif kind in r.comments:
                found["comment"].append(_match("comment", node, to_byte, None))
        if kind == "ERROR":
            found["err"].append(_match("err", node, to_byte, None))
        below = blocked or kind in r.blocks
        children = node.named_children()
        for child in reversed(children):
            stack.append((child, child.kind(), node, kind, below))
    return [m for rule_id in r.order for m in found[rule_id]]


def _byte_offsets(text: str) -> Callable[[int], int]:
    """A character offset into ``text`` as a byte offset into its UTF-8 form."""
    if text.isascii():
        return lambda index: index
    at: list[int] = []
    extra = [0]
    for found in _WIDE.finditer(text):
        at.append(found.start())
        extra.append(extra[-1] + len(found.group().encode("utf-8", "surrogatepass")) - 1)
    return lambda index: index + extra[bisect.bisect_left(at, index)]


def _scan_cli(binary: str, rules_text: str, code: str) -> list[Match]:
    try:
        done = subprocess.run(
            [binary, "scan", "--inline-rules", rules_text, "--stdin", "--json=stream"],
            input=sanitize(code).encode("utf-8"),
            capture_output=True,
            timeout=_TIMEOUT,
            cwd=str(Path(binary).parent),
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise AstGrepError(f"ast-grep could not run ({type(error).__name__}: {error})") from None
    if done.returncode != 0:
        raise AstGrepError(
            f"ast-grep exited with {done.returncode}: {done.stderr.decode(errors='replace')[-300:].strip()}"
        )
    return [_cli_match(line) for line in done.stdout.split(b"\n") if line]


def _cli_match(line: bytes) -> Match:
    """One JSON line's rule and positions, without decoding the (often long) texts it quotes."""
    at = line.find(_RANGE_KEY)
    found = _RANGE.match(line, at) if at >= 0 else None
    rule = _RULE.search(line, at) if found else None
    if rule is None or found is None:
        raise AstGrepError(f"ast-grep printed a line this version cannot read: {line[:120]!r}")
    start, end, first, column, last, end_column = map(int, found.groups())
    rule_id = rule.group(1)
    body = None
    at = line.find(_BODY_KEY, found.end())
    if at >= 0:
        inner = _RANGE.search(line, at)
        if inner is None:
            raise AstGrepError(f"ast-grep printed a body without a range: {line[:120]!r}")
        b_start, b_end, b_first, _, b_last, _ = map(int, inner.groups())
        body = (b_start, b_end, b_first, b_last)
    text = ""
    if rule_id in _TEXT_OF:
        quoted = _TEXT.match(line)
        text = json.loads(quoted.group(1)) if quoted else json.loads(line)["text"]
    return Match(rule_id.decode(), start, end, first, column, last, end_column, body, text)
