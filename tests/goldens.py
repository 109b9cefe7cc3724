"""The one golden-file check: compare with the stored output, or rewrite it when asked.

``HEADROOM_UPDATE_GOLDEN=1 pytest`` rewrites every ``.out`` file from the
current output; review the diff before committing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def assert_golden(expected: Path, actual: str) -> None:
    if os.environ.get("HEADROOM_UPDATE_GOLDEN"):
        expected.write_text(actual)
    assert actual == expected.read_text(), f"{expected.name} differs; HEADROOM_UPDATE_GOLDEN=1 rewrites it"


def diff_under_question(name: str, query: str, command: str, target: int) -> str:
    """The diff compressor's output for the golden diff ``name`` (a ``run_shell`` call of ``command``)
    under ``query`` at ``target`` tokens, checked to fit its target."""
    from headroom import PieceContext, TokenCounter, make_handle
    from headroom.compressors.diff.compressor import DiffCompressor

    counter = TokenCounter.for_model("gpt-4")
    original = (Path(__file__).parent / "golden" / "diff" / name).read_text()
    args = json.dumps({"cmd": command})
    ctx = PieceContext(make_handle(original), counter, query, tool_name="run_shell", tool_args=args)
    out = DiffCompressor().compress(original, target, ctx)
    assert out is not None
    assert counter.count(out.text) <= target
    return out.text
