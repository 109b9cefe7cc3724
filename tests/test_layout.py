"""The package's shape, held by tests: families stay apart, no import cycle, the error tree is drawn true."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import headroom.errors
from headroom.registry import BUILTIN_FAMILIES, Registry
from headroom.router import DETECTION_ORDER

PACKAGE = Path(headroom.errors.__file__).parent
FAMILIES = PACKAGE / "compressors"
# what a family may import: the plugin surface and the shared helpers, never another family
SHARED = {
    "headroom.plugins",
    "headroom.relevance",
    "headroom.markers",
    "headroom.errors",
    "headroom.tokens",
    "headroom.compressors._rows",
    "headroom.compressors._reach",
    "headroom.compressors._spans",
    "headroom.compressors._hunks",
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """The headroom modules ``path`` imports; with ``top_level_only``, only those run at import time."""
    tree = ast.parse(path.read_text())
    nodes = list(ast.walk(tree)) if not top_level_only else _import_time(tree.body)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if _exists(candidate) else node.module)
    return {name for name in found if name == "headroom" or name.startswith("headroom.")}


def _import_time(body: list[ast.stmt]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, (ast.If, ast.Try)):
            out.extend(_import_time(node.body))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(node)
    return out


def _exists(module: str) -> bool:
    base = PACKAGE.parent.joinpath(*module.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


FAMILY_FILES = sorted(p for p in FAMILIES.glob("*/*.py"))


@pytest.mark.parametrize("path", FAMILY_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_family_imports_only_the_plugin_surface_and_shared_helpers(path: Path) -> None:
    own = f"headroom.compressors.{path.parent.name}"
    foreign = {m for m in _imports(path, top_level_only=False) if m not in SHARED and not m.startswith(own)}
    assert not foreign, f"{path.parent.name}/{path.name} imports {sorted(foreign)}; go through the registry"


def test_every_family_folder_is_a_builtin_with_a_register_function() -> None:
    folders = {p.parent.name for p in FAMILIES.glob("*/__init__.py")}
    assert {name.rsplit(".", 1)[1] for name in BUILTIN_FAMILIES} == folders
    for name in BUILTIN_FAMILIES:
        module = __import__(name, fromlist=["register"])
        assert list(inspect.signature(module.register).parameters) == ["registry"]


def test_the_detection_order_is_the_chain() -> None:
    assert Registry().router.names == DETECTION_ORDER


def test_no_import_cycle_at_import_time() -> None:
    graph = {_module(p): _imports(p, top_level_only=True) for p in PACKAGE.rglob("*.py")}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycle = path[path.index(target) :] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target in graph and target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_the_error_tree_in_the_docstring_is_the_class_tree() -> None:
    drawn: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in (headroom.errors.__doc__ or "").splitlines():
        found = re.match(r"^    [│├└─ ]*([A-Z]\w+)", line)
        if not found:
            continue
        depth = (found.start(1) - 4) // 4
        while stack and stack[-1][0] >= depth:
            stack.pop()
        drawn[found[1]] = stack[-1][1] if stack else None
        stack.append((depth, found[1]))
    actual = {
        name: next((b.__name__ for b in cls.__bases__ if issubclass(b, headroom.errors.HeadroomError)), None)
        for name, cls in vars(headroom.errors).items()
        if isinstance(cls, type) and issubclass(cls, headroom.errors.HeadroomError)
    }
    assert drawn == actual
