"""Plugins through real entry points: the docs/plugins.md example, and a colliding plugin."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from headroom import Headroom, MemoryStore
from headroom.plugins import Registry
from headroom.testing import FakeCounter

DOC = (Path(__file__).parent.parent / "docs" / "plugins.md").read_text()


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", DOC, re.M | re.S)


def _install(root: Path, name: str, module: str, entry_points: str) -> None:
    """A real installed distribution: a module and a dist-info folder with its entry points."""
    (root / f"{name}.py").write_text(module)
    info = root / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("headroom_")]:
        del sys.modules[name]


def _docs_plugin(root: Path) -> None:
    (module,) = _blocks("python")
    (toml,) = _blocks("toml")
    group, point = toml.strip().splitlines()
    assert group == '[project.entry-points."headroom.compressors"]'
    name, target = re.fullmatch(r'(\w+) = "(.+)"', point).groups()  # type: ignore[union-attr]
    _install(root, "headroom_envdump", module, f"[headroom.compressors]\n{name} = {target}\n")


ENV = (
    "".join(f"VARIABLE_{i}=value number {i} of the environment\n" for i in range(200)) + "DATABASE_URL=postgres://db\n"
)


def test_the_documented_plugin_registers_through_its_entry_point_and_is_used(site: Path) -> None:
    _docs_plugin(site)
    registry = Registry()
    registry.load_entry_points()
    assert registry.problems == []
    assert "env" in registry.content_types and registry.router.names[0] == "env"
    hr = Headroom(counter=FakeCounter(), store=MemoryStore(), registry=registry)
    result = hr.compress_text(ENV, 300, query="where is the database_url")
    (entry,) = result.manifest.entries
    assert entry.compressor == "envdump" and entry.content_type == "env"
    assert result.within_budget and "DATABASE_URL=postgres://db" in result.text
    assert hr.retrieve(entry.handle) == ENV


def test_a_colliding_plugin_is_skipped_by_name_and_recorded_on_every_call(site: Path) -> None:
    _docs_plugin(site)
    clash = (
        "from headroom.plugins import Detector, Registry\n"
        "from headroom_envdump import EnvCompressor\n\n"
        "class Json(EnvCompressor):\n    content_type = 'json'\n\n"
        "def register(registry: Registry) -> None:\n"
        "    registry.add_detector(Detector('early', 'json', str.isupper), before='json')\n"
        "    registry.register(Json)\n"
    )
    _install(site, "headroom_clash", clash, "[headroom.compressors]\naclash = headroom_clash:register\n")
    registry = Registry()
    registry.load_entry_points()
    (problem,) = registry.problems
    assert "'aclash'" in problem and "'json'" in problem
    assert "early" not in registry.router.names  # skipped whole, not half registered
    assert "env" in registry.content_types  # the other plugin still loads
    hr = Headroom(counter=FakeCounter(), store=MemoryStore(), registry=registry)
    for _ in range(2):
        result = hr.compress_text('{"a": [1, 2, 3]}', None)
        assert [d.detail for d in result.manifest.degradations if d.kind == "plugin"] == [problem]
