"""The module-level functions: per-call overrides replace only what they name on the default Headroom."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from headroom import Config, Headroom, InvalidInput, MemoryStore, Registry, compress_text, retrieve, set_default
from headroom.api import _pick
from headroom.testing import FakeCounter


@pytest.fixture
def default() -> Iterator[Headroom]:
    chosen = Headroom(model="gpt-4", counter=FakeCounter(), registry=Registry(), store=MemoryStore())
    set_default(chosen)
    yield chosen
    set_default(None)


def test_an_override_keeps_the_defaults_model_counter_and_registry(default: Headroom) -> None:
    picked = _pick(None, None, Config(levels=(0.5,)))
    assert picked is not default
    assert picked.model == "gpt-4" and picked.counter is default.counter and picked.registry is default.registry
    assert picked.store is default.store and picked.config.levels == (0.5,)
    store = MemoryStore()
    assert _pick(None, store, None).store is store and _pick(None, store, None).counter is default.counter


def test_a_model_override_counts_with_that_model(default: Headroom) -> None:
    picked = _pick("gpt-4o", None, None)
    assert picked.model == "gpt-4o" and picked.registry is default.registry
    assert not isinstance(picked.counter, FakeCounter)


def test_rows_selector_refuses_floats_with_invalid_input(default: Headroom) -> None:
    table = "name,size\n" + "".join(f"file{i},{i}\n" for i in range(300))
    array = "[" + ",".join(f'{{"id": {i}, "name": "row {i}"}}' for i in range(300)) + "]"
    for text in (table, array):
        (entry,) = compress_text(text, 60, config=Config()).manifest.entries
        assert retrieve(entry.handle, rows=(1, 2)).count("\n") >= 2
        with pytest.raises(InvalidInput, match="rows="):
            retrieve(entry.handle, rows=(1.0, 3))


def test_a_config_override_with_a_model_counts_with_that_model(default: Headroom) -> None:
    picked = _pick(None, None, Config(model="gpt-4o"))
    assert picked.model == "gpt-4o" and picked.registry is default.registry
    assert not isinstance(picked.counter, FakeCounter)
    assert _pick(None, None, Config()).model == "gpt-4"  # a config without a model keeps the default's
