"""The code compressor's token estimates: one walk over cuts placed in line order once, equal to the
two-pass walk (the cuts no other holds, then the runs parted only by blank lines) on real sources,
each group of cuts charged the mark line its real rendering writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import PieceContext, TokenCounter, make_handle
from headroom.compressors.code._document import Cut, Document, cut, join
from headroom.compressors.code._outline import Region, effective, groups
from headroom.compressors.code.compressor import CodeCompressor
from headroom.markers import render_mark

GOLDEN = Path(__file__).parent.parent / "golden" / "code"
COUNTER = TokenCounter.for_model("gpt-4")
SOURCES = ["python_textwrap.py", "c_xxmodule.c", "cpp_stl_stack.h", "js_semver_range.js", "go_pkg_errors.go"]


def two_pass(cuts: list[Cut], doc: Document, total: int) -> int:
    """The estimate as the budget search first computed it, region lists sorted and grouped per chunk;
    a group of several cuts charged the mark line the real rendering writes for it."""
    by_chunk: dict[int, list[Region]] = {}
    for index, region in cuts:
        by_chunk.setdefault(index, []).append(region)
    saved = 0
    for index, regions in by_chunk.items():
        sums = doc.sums[index]
        marks = rendered_group_marks(doc, index, regions)
        for group in groups(effective(regions), doc.chunks[index].lines, doc.filled[index]):
            cost = sums[group[-1].last + 1] - sums[group[0].first]
            saved += cost - (marks[tuple(group)] if len(group) > 1 else doc.mark_costs.get((index, group[0]), 0))
    return total - saved


def rendered_group_marks(doc: Document, index: int, regions: list[Region]) -> dict[tuple[Region, ...], int]:
    """Tokens of the mark line each group of cuts gets in the chunk rendered with ``regions`` cut."""
    rendered = cut(doc, index, regions, lambda count, detail: render_mark(count, "lines", detail))
    lines = rendered.code.splitlines(keepends=True)
    out = {}
    for number, group in enumerate(rendered.groups):
        line = lines[rendered.origin.index(-1 - number)]
        out[group] = COUNTER.count(line if line.endswith("\n") else line + "\n")
    return out


def prepared(name: str, query: str | None) -> tuple[CodeCompressor, Document, PieceContext]:
    text = (GOLDEN / name).read_text()
    compressor = CodeCompressor()
    ctx = PieceContext(make_handle(text), COUNTER, query, "read_file", f'{{"path": "{name}"}}')
    doc = compressor._document(text, name)
    compressor._order(doc, ctx)
    return compressor, doc, ctx


@pytest.mark.parametrize("name", SOURCES)
@pytest.mark.parametrize("query", [None, "how is the error reported"])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_estimates_equal_the_two_pass_walk(name: str, query: str | None, data: st.DataObject) -> None:
    compressor, doc, ctx = prepared(name, query)
    estimates = compressor._estimates(doc, ctx)
    order = doc.orders[query][0]
    count = data.draw(st.integers(0, len(order)))
    total = sum(map(sum, doc.costs or []))
    assert estimates.prefix(count) == two_pass(order[:count], doc, total)
    # the give-back asks for a prefix less one cut, and any subset keeps the order's ties
    picked = data.draw(st.lists(st.sampled_from(order), max_size=len(order)) if order else st.just([]))
    subset = [c for c in order if c in set(picked)]
    assert estimates.of(subset) == two_pass(subset, doc, total)
    # the give-back's way: the subset's ranks, sorted, one left out as a cut would be
    ranks = estimates.ranks(subset)
    assert estimates.of_ranks(sorted(ranks)) == estimates.of(subset)
    if subset:
        undone = data.draw(st.sampled_from(ranks))
        less = [c for c, rank in zip(subset, ranks) if rank != undone]
        assert estimates.of_ranks([r for r in sorted(ranks) if r != undone]) == two_pass(less, doc, total)


def test_a_prefix_asked_again_is_answered_from_memory() -> None:
    compressor, doc, ctx = prepared("c_xxmodule.c", None)
    estimates = compressor._estimates(doc, ctx)
    first = estimates.prefix(5)
    doc.sums = [[0] * len(s) for s in doc.sums]  # a second walk would now answer differently
    assert estimates.prefix(5) == first


@pytest.mark.parametrize("name", ["python_fnmatch_cat_n.txt", "c_xxmodule.c", "cpp_stl_stack.h"])
def test_estimates_stay_near_the_rendered_tokens(name: str) -> None:
    """Each quarter of the order, estimated and rendered: a numbered read (``cat -n``) was estimated
    a quarter short when its line numbers were not counted, so most targets rendered twice."""
    compressor, doc, ctx = prepared(name, None)
    estimates = compressor._estimates(doc, ctx)
    order = doc.orders[None][0]
    for count in (len(order) // 4, len(order) // 2, 3 * len(order) // 4):
        chosen: dict[int, list[Region]] = {}
        for index, region in order[:count]:
            chosen.setdefault(index, []).append(region)
        marker = lambda n, detail: render_mark(n, "lines", detail)  # noqa: E731
        rendered = {index: cut(doc, index, regions, marker) for index, regions in chosen.items()}
        real = COUNTER.count(join(doc, rendered))
        assert abs(estimates.prefix(count) - real) <= 0.1 * real, (count, estimates.prefix(count), real)


@pytest.mark.parametrize("name", [*SOURCES, "python_fnmatch_cat_n.txt"])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_a_rendering_keeps_every_uncut_line_as_it_was(name: str, data: st.DataObject) -> None:
    # a rendering copies the runs of lines nothing rewrote in slices (speed, issue 14): every output
    # line that shows a file line is that line, with its number prefix (``cat -n``), or the rewrite of
    # the kept first line of a cut comment; and every line outside the cuts is shown, in order
    _, doc, _ = prepared(name, None)
    for index, outline in enumerate(doc.outlines):
        assert outline is not None
        chunk = doc.chunks[index]
        chosen = data.draw(st.lists(st.sampled_from(outline.regions), max_size=40, unique=True))
        rendered = cut(doc, index, chosen, lambda count, detail: render_mark(count, "lines", detail))
        rewritten = {r.host[0] for group in rendered.groups for r in group if r.host}
        text, code = rendered.text.splitlines(keepends=True), rendered.code.splitlines(keepends=True)
        assert len(text) == len(code) == len(rendered.origin)
        held = {i for group in rendered.groups for i in range(group[0].first, group[-1].last + 1)}
        shown = [i for i in rendered.origin if i >= 0]
        assert shown == sorted(set(shown))
        # a kept line a mark rides on is the mark's line (its origin names the group), else shown
        assert set(range(len(chunk.lines))) - held - set(shown) <= rewritten
        for line, bare, origin in zip(text, code, rendered.origin):
            if origin < 0:
                continue
            assert line == chunk.prefixes[origin] + bare
            assert bare == chunk.lines[origin] or origin in rewritten
