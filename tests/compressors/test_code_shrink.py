"""A Python function the question names shrinks to the statements holding the question's words
before its body is cut whole (issue 12: units shrink, not only drop), on a real source."""

from __future__ import annotations

from pathlib import Path

import pytest

from headroom import PieceContext, TokenCounter, make_handle
from headroom.compressors.code import _order
from headroom.compressors.code import compressor as code_compressor
from headroom.compressors.code._document import Document, parse_document
from headroom.compressors.code._order import named
from headroom.compressors.code._outline import Symbol
from headroom.compressors.code._shrink import statement_runs
from headroom.compressors.code.compressor import CodeCompressor
from headroom.relevance import terms

SOURCE = (Path(__file__).parent.parent / "golden" / "code" / "python_textwrap.py").read_text()
COUNTER = TokenCounter.for_model("gpt-4")
QUERY = "How does _wrap_chunks raise when the placeholder is too large?"
FACT = 'raise ValueError("placeholder too large for max width")'


def compressed(target: int) -> str:
    ctx = PieceContext(make_handle(SOURCE), COUNTER, QUERY, "read_file", None)
    out = CodeCompressor().compress(SOURCE, target, ctx)
    assert out is not None
    return out.text


@pytest.mark.parametrize("target", [600, 700, 800, 900])
def test_the_named_function_keeps_the_line_the_question_is_about(target: int) -> None:
    text = compressed(target)
    assert FACT in text
    assert "    def _wrap_chunks(self, chunks):" in text
    assert COUNTER.count(text) <= target
    compile(text, "textwrap.py", "exec")  # the runs' marks are statements: it still parses


def test_without_the_runs_the_body_went_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the compressor sent before the runs existed: the signature and one mark for the body."""
    monkeypatch.setattr(_order, "statement_runs", lambda lines, symbol, query, also=(): ([], []))
    # and without the excerpt, which now takes the place of a skeleton that lost the asked line
    monkeypatch.setattr(code_compressor, "excerpt", lambda doc, ctx, target: None)
    assert FACT not in compressed(800)


def _asked_symbol(source: str, path: str, query: str) -> tuple[Document, list[str], Symbol]:
    """The file as the compressor parses it, its lines, and the one symbol ``query`` names."""
    doc = parse_document(source, path, 3)
    outline = doc.outlines[0]
    assert outline is not None
    (symbol,) = [outline.symbols[i] for i in named(outline.symbols, query)]
    return doc, doc.chunks[0].lines, symbol


def test_runs_are_whole_statements_without_the_query_words() -> None:
    _, lines, symbol = _asked_symbol(SOURCE, "textwrap.py", QUERY)
    found, _ = statement_runs(lines, symbol, QUERY)
    (docstring,) = [r for r in found if r.label == "docstring"]
    assert docstring.rides and docstring.host is not None  # its first line stays, closed
    assert lines[docstring.first - 1].strip() == '"""_wrap_chunks(chunks : [string]) -> [string]'
    runs = [r for r in found if r is not docstring]
    assert runs
    wanted = set(terms(QUERY)) - set(terms(symbol.name.replace(".", " ")))
    for region in runs:
        assert symbol.signature[1] < region.first <= region.last <= symbol.last
        assert not any(wanted & set(terms(line)) for line in lines[region.first : region.last + 1])
        # the run replaced by one statement at its indentation: the file still compiles
        mark = f"{region.indent}...  # cut\n"
        compile("".join(lines[: region.first]) + mark + "".join(lines[region.last + 1 :]), "textwrap.py", "exec")


def test_a_statement_on_its_clause_line_is_never_a_run() -> None:
    """``if ready: count = 0`` keeps its line: a run of ``count = 0`` would take the ``if`` with it."""
    lines = [
        "def drain(queue, ready):\n",
        "    if ready: count = 0\n",
        "    else:\n",
        "        count = queue.whence()\n",
        "    return count\n",
    ]
    symbol = parse_document("".join(lines), "drain.py", 3).outlines[0].symbols[0]  # type: ignore[union-attr]
    runs, _ = statement_runs(lines, symbol, "how does drain use whence")
    assert all(region.first != 1 for region in runs)
    assert [(r.first, r.last) for r in runs] == [(4, 4)]


SHLEX = (Path(__file__).parent.parent.parent / "benchmarks" / "corpus" / "fixtures" / "code_shlex.py").read_text()


def test_runs_without_the_rarest_words_are_cut_before_the_body() -> None:
    """A question's common word holds half a body (``self`` of ``self.whitespace_split``; ``sys`` of
    ``sys.ps1`` in code.py's ``interact``, which kept sys.ps2, sys.version... and lost the asked line at
    15%): thinner runs keep only the lines holding its rarest terms in that body, cut before the body goes."""
    query = "what does read_token do with self.whitespace_split"
    doc, lines, symbol = _asked_symbol(SHLEX, "shlex.py", query)
    runs, thinner = statement_runs(lines, symbol, query)
    assert runs and thinner
    cut = {line for region in thinner for line in range(region.first, region.last + 1)}
    body = range(symbol.signature[1] + 1, symbol.last + 1)
    assert not any("whitespace_split" in lines[i] for i in cut)
    assert any("self." in lines[i] and "whitespace_split" not in lines[i] for i in cut)
    assert any("self." in lines[i] for i in body if i not in cut)  # what stays is the path to the asked lines
    _order.mark_costs(doc, COUNTER)
    order, _ = _order.order(doc, query, [[COUNTER.count(line) for line in lines]], COUNTER)
    spans = [(r.first, r.last) for _, r in order]
    body_cut = spans.index((symbol.signature[1] + 1, symbol.last))
    offered = [spans.index((r.first, r.last)) for r in thinner if (r.first, r.last) in spans]
    assert offered and max(offered) < body_cut  # those that save more than their mark costs, before the body


@pytest.mark.parametrize("target", [600, 700, 800, 900])
def test_a_comment_right_above_a_run_goes_with_it(target: int) -> None:
    """``# Arrange in reverse order ... from a stack of chucks.`` says what ``chunks.reverse()`` does;
    it stayed alone above the mark that took that statement (``tests/golden``'s textwrap.py)."""
    lines = compressed(target).splitlines()
    for line, after in zip(lines, lines[1:]):
        if line.lstrip().startswith("#") and after.lstrip().startswith("...  # ["):
            assert len(line) - len(line.lstrip()) != len(after) - len(after.lstrip()), (line, after)
    assert "from a stack of chucks" not in "\n".join(lines)
