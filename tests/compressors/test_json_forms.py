"""The lossless JSON encodings: minification keeps every lexeme; the row table (plain, dotted,
mixed shapes, nested in a document) decodes to equal data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom.compressors.json import _forms as forms

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
# keys that mimic real records: short names, some with dots (versions, file names), some empty
keys = st.one_of(st.sampled_from(["id", "name", "dist", "url", "a.b", "", "meta", "x"]), st.text(max_size=6))


@settings(max_examples=150, deadline=None)
@given(values, st.sampled_from([None, 1, 2, "\t"]))
def test_minify_keeps_every_lexeme(value: Any, indent: Any) -> None:
    text = json.dumps(value, indent=indent)
    assert forms.minify(text) == json.dumps(value, separators=(",", ":"))
    assert json.loads(forms.minify(text)) == json.loads(text)


@st.composite
def records(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Rows drawn from a few shapes, with small nested objects and nested values of any kind."""
    shapes = draw(st.lists(st.lists(keys, min_size=1, max_size=4, unique=True), min_size=1, max_size=3))
    nested = st.dictionaries(keys, scalars | st.dictionaries(keys, scalars, max_size=2), max_size=3)
    cell = scalars | nested | values
    count = draw(st.integers(2, 16))
    return [{k: draw(cell) for k in draw(st.sampled_from(shapes))} for _ in range(count)]


@st.composite
def documents(draw: st.DrawFn) -> tuple[Any, list[str | int]]:
    rows = draw(records())
    where = draw(st.sampled_from(["top", "key", "deep"]))
    if where == "top":
        return rows, []
    if where == "key":
        return {"meta": draw(scalars), "items": rows}, ["items"]
    return {"data": [draw(scalars), {"hits": rows, "total": len(rows)}]}, ["data", 1, "hits"]


@settings(max_examples=300, deadline=None)
@given(documents(), st.booleans())
def test_row_table_decodes_to_equal_data(case: tuple[Any, list[str | int]], dotted: bool) -> None:
    data, path = case
    rows: Any = data
    for step in path:
        rows = rows[step]
    shape = forms.layout(rows, dotted=dotted)
    if shape is None:  # too many shapes, a dotted key, or nothing to flatten: the table is not offered
        return
    text = forms.encode_table(data, path, rows, shape, len(rows))
    assert text.startswith(forms.TABLE_TAG + " ")
    assert forms.decode_table(text) == data
    assert len(text.split("\n")) == len(rows) + 1


def test_flattened_and_mixed_shapes_read_as_documented() -> None:
    rows = [
        {"name": "a", "dist": {"url": "u1", "size": 1}},
        {"name": "b", "dist": {"url": "u2", "size": 2}},
        {"name": "c", "dist": {"url": "u3", "size": 3}},
        {"name": "d", "dist": {"url": "u4", "size": 4}},
        {"name": "e", "dist": None},
    ]
    shape = forms.layout(rows, dotted=True)
    assert shape is not None and shape.dotted
    text = forms.encode_table(rows, [], rows, shape, len(rows))
    head, *lines = text.split("\n")
    header = json.loads(head[len(forms.TABLE_TAG) :])
    assert header["columns"] == ["name", "dist.url", "dist.size"] and header["dotted"] is True
    assert header["shapes"] == {"1": ["name", "dist"]}
    assert lines[0] == '["a","u1",1]' and lines[4] == '1["e",null]'
    assert forms.decode_table(text) == rows


def test_dotted_keys_are_never_flattened() -> None:
    rows = [{"v1.0": {"a": 1}}, {"v1.0": {"a": 2}}]
    assert forms.layout(rows, dotted=True) is None
    shape = forms.layout(rows, dotted=False)
    assert shape is not None
    assert forms.decode_table(forms.encode_table(rows, [], rows, shape, 2)) == rows


@pytest.mark.parametrize("rows", [[1, 2, 3], [{"a": 1}, [1]], []])
def test_not_a_table(rows: list[Any]) -> None:
    assert forms.layout(rows, dotted=False) is None


def test_too_many_shapes_is_not_a_table() -> None:
    rows = [{f"k{i}": i} for i in range(20)]
    assert forms.layout(rows, dotted=False) is None


def test_string_spans_find_every_literal() -> None:
    text = '{"a": "x\\"y", "b": ["\\\\", "\\u00e9"]}'
    spans = forms.string_spans(text)
    assert [text[s:e] for s, e in spans] == ["a", 'x\\"y', "b", "\\\\", "\\u00e9"]


def test_style_is_read_from_the_input_without_its_indentation() -> None:
    pretty = json.dumps({"a": [1, 2], "b": {"c": "x, y: z"}}, indent=2)
    assert forms.style_of(pretty) == forms.Style(",", ": ")
    assert forms.style_of('[{"name": "x", "version": "1"}, {"name": "y"}]') == forms.Style(", ", ": ")
    assert forms.style_of('{"a":1,"b":[1,2]}') == forms.COMPACT
    assert forms.minify(pretty, forms.style_of(pretty)) == '{"a": [1,2],"b": {"c": "x, y: z"}}'


@given(values)
@settings(max_examples=150, deadline=None)
def test_a_styled_dump_parses_back_to_the_same_data(value: Any) -> None:
    spelled = frozenset({id(value)})
    for style in (forms.COMPACT, forms.Style(",", ": "), forms.Style(", ", ": ")):
        assert json.loads(forms.dump(value, style)) == value
        assert json.loads(forms.dump(value, style, spelled)) == value


def test_rows_the_question_asks_for_are_spelled_as_objects_and_decode_back() -> None:
    rows = [{"name": "a", "version": "1"}, {"name": "b", "version": "2"}, {"name": "c", "version": "3"}]
    data = {"installed": rows}
    shape = forms.layout(rows, dotted=False)
    assert shape is not None
    style = forms.Style(", ", ": ")
    table = forms.encode_table(data, ["installed"], rows, shape, 3, spelled=frozenset({id(rows[1])}), style=style)
    assert '\n{"name": "b", "version": "2"}\n' in table and '["a","1"]' in table
    assert forms.decode_table(table) == data


named_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=16
)


@given(named_values, st.sampled_from(["name", "url id", "meta x", "a b"]))
@settings(max_examples=150, deadline=None)
def test_containers_written_in_one_call_read_as_the_walk_writes_them(value: Any, query: str) -> None:
    # the shrinker's plain containers (nothing named or spelled in them) take the C encoder's
    # fast path; every dump must read exactly as the walk over each entry writes it
    from headroom import PieceContext, TokenCounter, make_handle
    from headroom.compressors.json._select import Shrinker

    text = json.dumps(value, indent=2)
    shrinker = Shrinker(
        value,
        text,
        PieceContext(make_handle(text), TokenCounter.for_model("gpt-4"), query),
        long_string=300,
        tokens_per_char=0.3,
    )
    spelled = shrinker.spelled()
    for style in (forms.Style(",", ": "), forms.Style(", ", ": ")):
        walked = forms.dump(value, style, spelled, shrinker.named)
        assert forms.dump(value, style, spelled, shrinker.named, shrinker.plain()) == walked
