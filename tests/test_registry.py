"""Registry and router: built-ins and plugins alike, duplicates refused."""

from __future__ import annotations

from typing import Any

import pytest

from headroom import Compressed, Compressor, Detector, Headroom, MemoryStore, PieceContext, Registry, RegistryError
from headroom import registry as registry_module
from headroom.testing import FakeCounter


class Upper(Compressor):
    content_type = "shout"
    name = "upper"

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        return Compressed(text[: len(text) // 4], omitted={"chars": len(text) - len(text) // 4})


def test_duplicate_compressor_is_an_error_unless_replacing() -> None:
    registry = Registry()
    registry.register(Upper)
    with pytest.raises(RegistryError, match="already has"):
        registry.register(Upper)
    registry.register(Upper, replace=True)
    assert "shout" in registry.content_types


def test_duplicate_detector_name_is_an_error() -> None:
    registry = Registry()
    with pytest.raises(RegistryError, match="already in the chain"):
        registry.add_detector(Detector("json", "json", lambda t: True))
    registry.add_detector(Detector("shout", "shout", lambda t: t.isupper()), before="json")
    assert registry.router.names[0] == "shout"
    assert registry.router.detect("LOUD TEXT") == "shout"


def test_router_finds_structure_first() -> None:
    router = Registry().router
    assert router.detect('{"a": [1, 2]}') == "json"
    assert router.detect('{"a": 1}\n{"a": 2}\n') == "json"
    assert router.detect("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n") == "diff"
    assert router.detect("src/a.py:1:import os\nsrc/b.py:7:import sys\nsrc/c.py:9:x = 1\n") == "search"
    assert router.detect("just some words\nand more words\nand an end\n") == "text"


def test_plugin_goes_through_the_registry_and_is_used() -> None:
    registry = Registry()
    registry.register(Upper)
    registry.add_detector(Detector("shout", "shout", lambda t: t.isupper()), before="json")
    hr = Headroom(counter=FakeCounter(), store=MemoryStore(), registry=registry)
    text = "\n".join(["A LOUD LINE OF WORDS"] * 200)
    result = hr.compress_text(text, 400)
    (entry,) = result.manifest.entries
    assert entry.compressor == "upper" and entry.content_type == "shout"


def test_entry_points_load_classes_and_functions(monkeypatch: pytest.MonkeyPatch) -> None:
    class Point:
        def __init__(self, name: str, target: Any) -> None:
            self.name, self._target = name, target

        def load(self) -> Any:
            return self._target

    def add_detector(registry: Registry) -> None:
        registry.add_detector(Detector("shout", "shout", str.isupper))

    points = [Point("b", add_detector), Point("a", Upper)]
    monkeypatch.setattr(registry_module, "entry_points", lambda group: points)
    monkeypatch.setattr(registry_module, "_default", None)
    default = registry_module.default_registry()
    assert "shout" in default.content_types and "shout" in default.router.names
    assert registry_module.default_registry() is default


def test_failing_plugin_is_recorded_and_data_kept() -> None:
    class Broken(Upper):
        def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
            raise RuntimeError("boom")

    registry = Registry()
    registry.register(Broken)
    registry.add_detector(Detector("shout", "shout", str.isupper), before="json")
    hr = Headroom(counter=FakeCounter(), store=MemoryStore(), registry=registry)
    text = "\n".join(["A LOUD LINE OF WORDS"] * 200)
    result = hr.compress_text(text, 400)
    assert result.within_budget
    assert any(d.kind == "compressor" and "boom" in d.detail for d in result.manifest.degradations)
    assert hr.retrieve(result.manifest.entries[0].handle) == text


def test_a_compressor_registered_by_name_loads_on_first_build() -> None:
    from headroom.compressors.text.compressor import GenericCompressor

    registry = Registry(builtins=False)
    registry.register_lazy("text", "headroom.compressors.text.compressor:GenericCompressor")
    assert registry.content_types == ("text",)
    with pytest.raises(RegistryError, match="already has the 'headroom.compressors.text.compressor:Generic"):
        registry.register(GenericCompressor)
    assert type(registry.build("text", {})) is GenericCompressor
    assert type(registry.build("shout", {})) is GenericCompressor  # the fallback, resolved the same way
    with pytest.raises(RegistryError, match="already has the 'generic' compressor"):  # resolved: named by class now
        registry.register_lazy("text", "headroom.compressors.text.compressor:GenericCompressor")


@pytest.mark.parametrize("target", ["no_colon", ":Upper", "tests.test_registry:", "tests.test_registry:not a name"])
def test_a_name_not_shaped_module_attribute_is_refused_at_once(target: str) -> None:
    with pytest.raises(RegistryError, match="'module:attribute'"):
        Registry(builtins=False).register_lazy("shout", target)


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("headroom_no_such_module:Upper", "cannot be loaded"),
        ("headroom.compressors.text.compressor:Missing", "cannot be loaded"),
        ("headroom.testing:FakeCounter", "not a Compressor subclass"),
        ("headroom.compressors.log.compressor:LogCompressor", "with content type 'shout'"),
    ],
)
def test_a_name_that_does_not_resolve_to_its_compressor_fails_when_built(target: str, says: str) -> None:
    registry = Registry(builtins=False)
    registry.register_lazy("shout", target)
    with pytest.raises(RegistryError, match=says):
        registry.build("shout", {})
