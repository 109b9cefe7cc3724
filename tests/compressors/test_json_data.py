"""The JSON compressor: lossless forms decode to the same data; lossy forms account for every row."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import Headroom, MemoryStore, PieceContext, TokenCounter, find_markers, make_handle
from headroom.compressors import _json_forms as forms
from headroom.compressors.json_data import JsonCompressor

GOLDEN = Path(__file__).parent.parent / "golden" / "json"
COUNTER = TokenCounter.for_model("gpt-4")

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


def ctx(text: str, query: str | None = None) -> PieceContext:
    return PieceContext(make_handle(text), COUNTER, query)


@settings(max_examples=150, deadline=None)
@given(values, st.sampled_from([None, 1, 2, "\t"]))
def test_minify_keeps_every_lexeme(value: Any, indent: Any) -> None:
    text = json.dumps(value, indent=indent)
    assert forms.minify(text) == json.dumps(value, separators=(",", ":"))
    assert json.loads(forms.minify(text)) == json.loads(text)


@st.composite
def tables(draw: st.DrawFn) -> Any:
    columns = draw(st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=4, unique=True))
    rows = draw(st.lists(st.fixed_dictionaries({c: values for c in columns}), min_size=2, max_size=12))
    rows = [{c: row[c] for c in columns} for row in rows]
    if draw(st.booleans()):
        return rows, []
    return {"meta": draw(scalars), "items": rows}, ["items"]


@settings(max_examples=150, deadline=None)
@given(tables())
def test_row_table_decodes_to_the_same_data(case: Any) -> None:
    data, path = case
    rows = data if not path else data["items"]
    columns = forms.uniform_columns(rows)
    assert columns is not None
    text = forms.encode_table(data, path, columns, [forms.row_line(r, columns) for r in rows])
    assert forms.decode_table(text) == data


def test_default_is_lossless_and_cheaper() -> None:
    text = (GOLDEN / "iso4217.json").read_text()
    out = JsonCompressor().compress(text, None, ctx(text))
    assert out is not None and out.lossless and not out.omitted
    assert COUNTER.count(out.text) < COUNTER.count(text)
    decoded = forms.decode_table(out.text) if out.text.startswith(forms.TABLE_TAG) else json.loads(out.text)
    assert decoded == json.loads(text)


def marker_totals(text: str, handle: str) -> Counter[str]:
    totals: Counter[str] = Counter()
    for marker in find_markers(text, {handle}):
        totals[marker.unit] += marker.count
    return totals


@pytest.mark.parametrize("name", ["iso4217.json", "pip_inspect.json", "npm_express.json"])
@pytest.mark.parametrize("share", [0.5, 0.2, 0.08])
def test_lossy_forms_parse_fit_and_account_for_everything(name: str, share: float) -> None:
    text = (GOLDEN / name).read_text()
    target = int(COUNTER.count(text) * share)
    out = JsonCompressor().compress(text, target, ctx(text))
    assert out is not None
    assert COUNTER.count(out.text) <= target
    if out.lossless:  # the row table alone fits: nothing omitted, data decodes back
        assert forms.decode_table(out.text) == json.loads(text) and not out.omitted
        return
    json.loads(out.text)  # still JSON
    assert out.output_kind == "json"
    assert marker_totals(out.text, make_handle(text)) == Counter(out.omitted)


@pytest.mark.parametrize("name", ["pip_inspect.json", "npm_express.json"])
def test_golden(name: str) -> None:
    text = (GOLDEN / name).read_text()
    out = JsonCompressor().compress(text, int(COUNTER.count(text) * 0.15), ctx(text, "Which version of hypothesis?"))
    assert out is not None
    expected = GOLDEN / (name + ".out")
    if os.environ.get("HEADROOM_UPDATE_GOLDEN"):
        expected.write_text(out.text)
    assert out.text == expected.read_text()


def records() -> list[dict[str, Any]]:
    rows = [{"id": i, "path": f"/api/items/{i}", "status": 200, "ms": 20 + i % 7, "msg": "ok"} for i in range(300)]
    rows[117] = {"id": 117, "path": "/api/items/117", "status": 503, "ms": 25, "msg": "upstream timeout"}
    rows[201] = {"id": 201, "path": "/api/orders/refund", "status": 200, "ms": 22, "msg": "ok"}
    return rows


def test_failures_and_query_matches_are_kept_in_order() -> None:
    text = json.dumps(records(), indent=2)
    out = JsonCompressor().compress(text, 600, ctx(text, "what happened to the refund order?"))
    assert out is not None
    kept = [row for row in json.loads(out.text) if isinstance(row, dict)]
    ids = [row["id"] for row in kept]
    assert 117 in ids and 201 in ids and 0 in ids and 299 in ids
    assert ids == sorted(ids)
    assert out.omitted["rows"] == 300 - len(kept)
    assert "status 200x" in out.text  # the dropped rows are summarized


def test_partial_retrieval_by_rows_and_query() -> None:
    text = json.dumps(records())
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(text, 300)
    (entry,) = result.manifest.entries
    assert entry.compressor == "json" and entry.content_type == "json"
    assert hr.retrieve(entry.handle) == text
    assert hr.retrieve(entry.handle, rows=(118, 118)) == "118: " + json.dumps(records()[117]) + "\n"
    assert hr.retrieve(entry.handle, query="refund").startswith("202: ")


def test_not_json_after_all_goes_to_the_generic_cut() -> None:
    text = "{ this is not json\n" * 300
    out = JsonCompressor().compress(text, 200, ctx(text))
    assert out is not None and out.omitted == {"lines": out.omitted["lines"]}


def test_ndjson_lines() -> None:
    text = "\n".join(json.dumps(r) for r in records()) + "\n"
    lossless = JsonCompressor().compress(text, None, ctx(text))
    assert lossless is None or lossless.lossless
    out = JsonCompressor().compress(text, 400, ctx(text))
    assert out is not None and out.output_kind == "text"
    assert all(json.loads(line) is not None for line in out.text.split("\n"))
