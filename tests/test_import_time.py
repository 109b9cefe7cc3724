"""`import headroom` reads its own ``__init__`` and the hooks that load names (``_lazy``); the engine loads
when a public name is first used.

No timed assertions (the machine's load moves those): each probe runs in a
fresh interpreter and asserts which modules are not yet in ``sys.modules``.
benchmarks/speed.py --startup prints the times.
"""

from __future__ import annotations

import json
import subprocess
import sys

import headroom

# Modules `import headroom` used to pull in eagerly: pydantic (through the config),
# sqlite3 (stores, memory), the core, and every family's option models.
_HEAVY = ("pydantic", "sqlite3", "tiktoken", "headroom.config", "headroom.core", "headroom.client", "headroom.memory")

_PROBE = r"""
import json, sys
{statement}
watched = ("headroom.", "pydantic", "sqlite3", "tiktoken", "ast_grep")
print(json.dumps(sorted(m for m in sys.modules if m == "headroom" or m.startswith(watched))))
"""


def _loaded_after(statement: str) -> list[str]:
    code = _PROBE.format(statement=statement)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    loaded: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return loaded


_INIT = ["headroom", "headroom._lazy"]  # the package's __init__ and its PEP 562 hooks (no imports of their own)


def test_import_headroom_loads_only_its_init() -> None:
    assert _loaded_after("import headroom") == _INIT


def test_importing_the_functions_does_not_load_the_engine() -> None:
    loaded = _loaded_after("from headroom import compress, compress_text, retrieve")
    assert loaded == [*_INIT, "headroom.api"]
    assert not any(module.startswith(_HEAVY) for module in loaded)


def test_an_error_class_loads_only_the_errors_module() -> None:
    assert _loaded_after("from headroom import HeadroomError") == [*_INIT, "headroom.errors"]


def test_the_first_call_loads_the_engine_but_not_the_memory() -> None:
    loaded = _loaded_after("import headroom; headroom.compress_text('a plain line of prose\\n' * 300, 50)")
    assert {"pydantic", "headroom.core", "headroom.config", "tiktoken"} <= set(loaded)
    assert not any(module.startswith("headroom.memory") for module in loaded)
    # the call keeps its originals in memory: neither sqlite3 nor the PostgreSQL store is imported
    assert not any(
        module.startswith(("sqlite3", "headroom.stores.sqlite", "headroom.stores.postgres")) for module in loaded
    )


_LOG = "".join(
    f"2024-05-01 12:00:{i % 60:02d} {'ERROR' if i % 7 == 0 else 'INFO'} worker {i}: job {i * 3} done\n"
    for i in range(300)
)


def test_building_the_registry_imports_detectors_but_no_compressor() -> None:
    loaded = _loaded_after("from headroom.registry import Registry; Registry()")
    from headroom.registry import BUILTIN_FAMILIES

    assert set(BUILTIN_FAMILIES) <= set(loaded)  # every family registered ...
    assert not [m for m in loaded if m.endswith(".compressor")]  # ... and none of their compressors imported
    assert not [m for m in loaded if m.startswith("ast_grep")]


def test_compressing_a_log_loads_the_log_family_alone() -> None:
    loaded = _loaded_after(f"import headroom; headroom.compress_text({_LOG!r}, 60)")
    assert "headroom.compressors.log.compressor" in loaded
    # of the code family, only its detector and what the detector reads; no compressor, no ast-grep
    code = [m for m in loaded if m.startswith("headroom.compressors.code")]
    assert code == ["headroom.compressors.code", "headroom.compressors.code._lang", "headroom.compressors.code.detect"]
    assert not [m for m in loaded if m.startswith("ast_grep")]


def test_every_public_name_resolves_to_its_module_object() -> None:
    from headroom.client import Headroom
    from headroom.errors import HeadroomError
    from headroom.stores import SQLiteStore

    assert sorted(headroom._HOME) == sorted(headroom.__all__)
    assert headroom.Headroom is Headroom
    assert headroom.HeadroomError is HeadroomError
    assert headroom.SQLiteStore is SQLiteStore
    for name in headroom.__all__:
        assert getattr(headroom, name) is getattr(sys.modules[headroom._HOME[name]], name)
    assert set(headroom.__all__) <= set(dir(headroom))


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        headroom.compresss  # noqa: B018 - the access is the test
    except AttributeError as error:
        assert "compresss" in str(error)
    else:
        raise AssertionError("a misspelled name must raise AttributeError")
