"""The default skipped under a budget (``Compressor.lossless_default``): the same results as when it was built.

Under a budget only a lossless default output is sent, so the core does not run
a compressor that declares it never makes one. These tests hold the two sides of
that: the built-ins that declare it are honest on every golden input, and a
result (text, manifest, degradations) is byte-identical with and without the skip.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from headroom import (
    Compressed,
    Compressor,
    Detector,
    Headroom,
    MemoryStore,
    PieceContext,
    Registry,
    TokenCounter,
    make_handle,
)
from headroom.registry import builtin_registry

GOLDEN = Path(__file__).parent / "golden"
INPUTS = sorted(p for p in GOLDEN.glob("*/*") if p.is_file() and p.suffix != ".out")
COUNTER = TokenCounter.for_model("gpt-4")


def _lossy_types() -> list[str]:
    registry = builtin_registry()
    return [t for t in registry.content_types if not registry.build(t, {}).lossless_default]


def test_the_built_ins_that_skip_are_the_lossy_ones() -> None:
    assert set(_lossy_types()) == {"code", "diff", "html", "log", "prose", "search", "text"}


@pytest.mark.parametrize("content_type", _lossy_types())
def test_a_declared_lossy_default_is_never_lossless(content_type: str) -> None:
    compressor = builtin_registry().build(content_type, {})
    for path in INPUTS:
        text = path.read_text()
        if len(text) > 60_000:
            continue
        out = compressor.compress(text, None, PieceContext(make_handle(text), COUNTER))
        assert out is None or not out.lossless, (content_type, path.name)


def _result(
    text: str, budget: int, skip: bool, monkeypatch: pytest.MonkeyPatch, registry: Registry | None = None
) -> str:
    with monkeypatch.context() as patch:
        if not skip:
            for content_type in _lossy_types():
                patch.setattr(type(builtin_registry().build(content_type, {})), "lossless_default", True)
            patch.setattr(Lossy, "lossless_default", True)
        result = Headroom(store=MemoryStore(), registry=registry).compress_text(text, budget)
        return f"{result.text}\n{result.manifest.model_dump_json()}"


@pytest.mark.parametrize("path", [p for p in INPUTS if p.stat().st_size < 30_000][::3], ids=lambda p: p.name)
def test_the_same_result_with_and_without_the_skip(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text()
    tokens = COUNTER.count(text)
    for budget in (tokens * 2, tokens * 2 // 3, tokens // 5):
        assert _result(text, budget, True, monkeypatch) == _result(text, budget, False, monkeypatch), budget


class Lossy(Compressor):
    """Keeps every other line and says it could not do as designed: its fall must still be reported
    when the original is what is sent, though its default was never built."""

    content_type = "lossy"
    name = "lossy"
    lossless_default = False

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        lines = text.splitlines(keepends=True)
        return Compressed("".join(lines[::2]), omitted={"lines": len(lines) // 2}, fallbacks=("no parser",))


def test_a_skipped_default_sent_keeps_its_falls(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = Registry()
    registry.register(Lossy)
    registry.add_detector(Detector("lossy", "lossy", lambda t: t.startswith("lossy\n")), before="json")
    text = "lossy\n" + "".join(f"row {k} of the table\n" for k in range(200))
    tokens = COUNTER.count(text)
    for budget in (tokens * 3, tokens // 4):
        skipped = _result(text, budget, True, monkeypatch, registry)
        assert skipped == _result(text, budget, False, monkeypatch, registry)
        assert "lossy: no parser" in skipped
