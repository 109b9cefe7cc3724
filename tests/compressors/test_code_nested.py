"""A function defined inside a method is a symbol of the outline: a question that names it keeps its
signature and its matching lines (issue 12; on a real source, CPython 3.11's ``asyncio/streams.py``,
where ``StreamReaderProtocol.connection_made`` defines ``callback`` inside an ``if``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from headroom import PieceContext, TokenCounter, make_handle
from headroom.compressors.code._document import parse_document
from headroom.compressors.code._order import named
from headroom.compressors.code._symbols import symbol_lines
from headroom.compressors.code.compressor import CodeCompressor

SOURCE = (Path(__file__).parent.parent / "golden" / "code" / "python_asyncio_streams.py").read_text()
COUNTER = TokenCounter.for_model("gpt-4")
QUERY = "How does the callback report an exception raised by the task?"
FACTS = ("def callback(task):", "'message': 'Unhandled exception in client_connected_cb',")


def compressed(share: float, query: str = QUERY) -> tuple[str, int]:
    target = int(COUNTER.count(SOURCE) * share)
    ctx = PieceContext(make_handle(SOURCE), COUNTER, query, "read_file", None)
    out = CodeCompressor().compress(SOURCE, target, ctx)
    assert out is not None
    return out.text, target


def test_a_def_inside_a_method_is_a_symbol_with_its_path_and_signature() -> None:
    (outline,) = parse_document(SOURCE, "streams.py", 3).outlines
    assert outline is not None
    lines = SOURCE.splitlines()
    (callback,) = [s for s in outline.symbols if s.name == "StreamReaderProtocol.connection_made.callback"]
    assert callback.kind == "def"
    assert lines[callback.signature[0]].strip() == lines[callback.signature[1]].strip() == "def callback(task):"
    assert lines[callback.last].strip() == "transport.close()"
    assert callback.name in [outline.symbols[i].name for i in named(outline.symbols, QUERY)]


@pytest.mark.parametrize("share", [0.06, 0.10, 0.15, 0.25])
def test_the_nested_function_the_question_names_keeps_its_lines(share: float) -> None:
    text, target = compressed(share)
    for fact in FACTS:
        assert fact in text
    assert "    def connection_made(self, transport):" in text  # the path down to it stays
    assert COUNTER.count(text) <= target
    compile(text, "streams.py", "exec")


def test_the_method_around_it_still_shrinks() -> None:
    """Under a tight target only the statements on the path to the nested function stay."""
    text, _ = compressed(0.06)
    assert "            if coroutines.iscoroutine(res):" in text
    assert "self._over_ssl = transport.get_extra_info('sslcontext') is not None" not in text


def test_the_nested_function_is_retrievable_by_name() -> None:
    doc = parse_document(SOURCE, "streams.py", 3)
    text = symbol_lines(doc, "connection_made.callback", 3)
    assert text.lstrip().startswith("def callback(task):")
    assert text.rstrip().endswith("transport.close()")
