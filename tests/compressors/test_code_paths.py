"""A path the question quotes says where the file lives, never which symbol is asked about (issue 12).

Agents name the file they read by its path, and the folders of a package's path are often the names
of its symbols: picomatch's ``lib/picomatch.js`` defines ``const picomatch = (glob, ...) => {``
holding almost the whole file. "Show me where output handles opts.matchBase in
node_modules/picomatch/lib/picomatch.js" named ``picomatch`` through the folder: the excerpt looked
only at lines of ``picomatch`` that hold the other words, and the skeleton kept that symbol whole, so
at 10-25% the line with ``opts.matchBase`` was lost (npm's minimatch under ``minimatch/dist/esm/`` the
same). Real source: picomatch 4's ``lib/picomatch.js`` (MIT), as npm ships it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from headroom import PieceContext, TokenCounter, make_handle
from headroom.compressors.code._order import named
from headroom.compressors.code.compressor import CodeCompressor

SOURCE = (Path(__file__).parent.parent / "fixtures" / "code_picomatch.js").read_text()
COUNTER = TokenCounter.for_model("gpt-4")
PATH = "node_modules/tinyglobby/node_modules/picomatch/lib/picomatch.js"
QUERY = f"Show me where output handles opts.matchBase in {PATH}."
FACT = "if (opts.matchBase === true || opts.basename === true) {"


def _symbols() -> dict[str, int]:
    compressor = CodeCompressor()
    doc = compressor._document(SOURCE, PATH)
    (outline,) = doc.outlines
    assert outline is not None
    return {s.name: i for i, s in enumerate(outline.symbols)}


def test_the_folders_of_a_quoted_path_name_no_symbol() -> None:
    symbols = _symbols()
    assert "picomatch" in symbols
    (outline,) = CodeCompressor()._document(SOURCE, PATH).outlines
    assert outline is not None
    assert symbols["picomatch"] not in named(outline.symbols, QUERY)
    assert symbols["picomatch"] not in named(outline.symbols, "What does /usr/lib/picomatch/x.js do?")
    # said on its own, it still names the symbol
    assert symbols["picomatch"] in named(outline.symbols, f"How does picomatch use opts.matchBase in {PATH}?")


@pytest.mark.parametrize("share", [0.10, 0.15, 0.20, 0.25])
def test_the_asked_line_stays_when_the_path_holds_a_symbol_name(share: int) -> None:
    target = int(share * COUNTER.count(SOURCE))
    ctx = PieceContext(make_handle(SOURCE), COUNTER, QUERY, "run_shell", json.dumps({"cmd": f"cat {PATH}"}))
    out = CodeCompressor().compress(SOURCE, target, ctx)
    assert out is not None
    assert FACT in out.text
    assert COUNTER.count(out.text) <= target
