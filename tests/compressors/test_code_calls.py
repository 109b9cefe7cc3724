"""The Python outline's walk for calls by hand finds what ``ast.walk`` finds, in its order."""

from __future__ import annotations

import ast
import gc
from pathlib import Path

import pytest

from headroom.compressors.code._python import _called, _calls, outline_python

GOLDEN = Path(__file__).parent.parent / "golden" / "code"
_SOURCES = sorted(p for p in GOLDEN.iterdir() if p.suffix == ".py")


def _walked(body: list[ast.stmt]) -> list[str]:
    return [_called(n.func) for n in ast.walk(ast.Module(body=body, type_ignores=[])) if isinstance(n, ast.Call)]


@pytest.mark.parametrize("path", _SOURCES, ids=lambda p: p.name)
def test_calls_match_ast_walk_for_every_function(path: Path) -> None:
    functions = [
        n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    assert functions
    for node in functions:
        assert _calls(node.body) == _walked(node.body)


def test_calls_order_is_breadth_first() -> None:
    body = ast.parse("def f():\n    a(b(c()), d)\n    if x:\n        e(lambda: g())\n").body[0].body  # type: ignore[attr-defined]
    assert _calls(body) == _walked(body) == ["a", "b", "e", "c", "g"]


def test_outline_leaves_the_collector_as_found() -> None:
    assert gc.isenabled()
    outline_python(["def f():\n", "    return g()\n"], 3)
    assert gc.isenabled()
    gc.disable()
    try:
        outline_python(["x = (\n"], 3)  # does not parse
        assert not gc.isenabled()
    finally:
        gc.enable()
