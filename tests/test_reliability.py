"""Issue 17's promises: no silent change, no dead handle, integrity enforced, nothing raw escapes."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from headroom import (
    AgentMemory,
    Config,
    ConfigError,
    Headroom,
    HeadroomError,
    IntegrityError,
    InvalidInput,
    InvalidMessages,
    MemoryStore,
    SQLiteStore,
    StoreError,
    TokenCounter,
    compress,
    make_handle,
    retrieve,
    run_retrieval_tool,
)
from headroom.errors import StoreFull
from headroom.markers import render_marker, result_markers

LOG = "\n".join(f"2026-11-24 03:{i % 60:02d}:11 INFO worker {i} started, queue depth {i * 7}" for i in range(300))


def _hr(store: Any = None, **config: Any) -> Headroom:
    return Headroom(store=store if store is not None else MemoryStore(), model="gpt-4", config=Config(**config))


def _calls(k: int, output: str) -> list[dict[str, Any]]:
    return [
        {
            "role": "assistant",
            "tool_calls": [{"id": f"c{k}", "type": "function", "function": {"name": "sh", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": f"c{k}", "content": output},
    ]


def test_an_object_at_two_positions_is_changed_only_where_the_plan_says() -> None:
    block = {"type": "text", "text": LOG}
    messages = [
        {"role": "user", "content": "start"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "sh", "input": {"cmd": "ls"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": [block]}]},
        {"role": "user", "content": [block]},  # the latest user turn shares the dict: protected
    ]
    hr = _hr()
    result = hr.compress(messages, 400)
    assert result.messages[3]["content"][0]["text"] == LOG
    assert result.messages[2]["content"][0]["content"][0]["text"] != LOG
    assert [e.message_index for e in result.manifest.entries] == [2]
    assert result.tokens_after == hr.counter.count_messages(result.messages)


def test_one_message_appended_twice_is_two_messages() -> None:
    tool = {"role": "tool", "tool_call_id": "c0", "content": LOG}
    messages = [{"role": "user", "content": "q"}, *_calls(0, LOG)[:1], tool, tool, {"role": "user", "content": "?"}]
    hr = _hr()
    result = hr.compress(messages, 300)
    assert result.messages[2] is not result.messages[3]
    assert result.tokens_after == hr.counter.count_messages(result.messages)
    assert tool["content"] == LOG  # the input is never mutated


def test_tool_use_input_comes_back_as_the_object_it_was() -> None:
    arguments = {"query": "x " * 400, "nested": {"list": [1, 2.5, None, True]}}
    messages = [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": arguments}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": LOG}]},
        {"role": "user", "content": "now?"},
    ]
    for protect in ({"system", "latest_user"}, {"system", "latest_user", "tool_args"}):
        hr = _hr(protect=frozenset(protect))
        result = hr.compress(messages, 200)
        value = result.messages[1]["content"][0]["input"]
        assert isinstance(value, dict)
        assert result.tokens_after == hr.counter.count_messages(result.messages)
        changed = {(e.message_index, e.path) for e in result.manifest.entries}
        if (1, ("content", 0, "input")) not in changed:
            assert value == arguments


@pytest.mark.parametrize(
    "bad",
    [{"a": {1, 2}}, {"a": b"bytes"}, {1: "x"}, {"a": float("nan")}],
    ids=["set", "bytes", "int-key", "nan"],
)
def test_tool_input_that_is_not_json_is_named(bad: dict[Any, Any]) -> None:
    messages = [{"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "f", "input": bad}]}]
    with pytest.raises(InvalidMessages, match="input holds"):
        compress(messages)


@pytest.mark.parametrize("role", [["user"], {"r": 1}, None, 5])
def test_roles_of_any_type_raise_invalid_messages(role: object) -> None:
    with pytest.raises(InvalidMessages, match="unknown role"):
        compress([{"role": role, "content": "x"}])


def _deep(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"k": [value]}
    return value


def test_structures_nested_a_thousand_deep_raise_nothing_raw() -> None:
    deep = _deep(1500)
    messages = [
        {"role": "user", "content": "q", "extra": deep},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "f", "input": deep}]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t", "content": LOG}, {"type": "odd", "x": deep}],
        },
        {"role": "user", "content": "and?"},
    ]
    hr = _hr()
    result = hr.compress(messages, 2000)
    assert result.messages[0]["extra"] is not deep
    assert result.tokens_after == hr.counter.count_messages(result.messages)
    assert run_retrieval_tool({"handle": deep}).startswith("Error:")
    assert run_retrieval_tool('{"handle": ' + "[" * 5000 + "]" * 5000 + "}").startswith("Error:")


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: compress([], model=5), "model"),  # type: ignore[arg-type]
        (lambda: compress([], config={"slack": 0.1}), "config"),  # type: ignore[arg-type]
        (lambda: compress([], store=object()), "store"),  # type: ignore[arg-type]
        (lambda: compress([], query=3), "query"),  # type: ignore[arg-type]
        (lambda: compress([], strict="yes"), "strict"),  # type: ignore[arg-type]
        (lambda: MemoryStore(max_bytes="1"), "max_bytes"),  # type: ignore[arg-type]
        (lambda: MemoryStore(ttl=-1), "ttl"),
        (lambda: SQLiteStore(None), "path"),  # type: ignore[arg-type]
        (lambda: Config(slack="lots"), "slack"),
    ],
)
def test_wrong_arguments_name_themselves(call: Any, argument: str) -> None:
    with pytest.raises(HeadroomError, match=argument):
        call()


def test_config_errors_are_config_errors_not_pydantic() -> None:
    with pytest.raises(ConfigError, match="levels"):
        Config(levels=(0.2, 0.5))


def test_headroom_without_a_model_takes_the_default() -> None:
    assert Headroom(model=None).model == "gpt-4o"


@pytest.mark.parametrize("rows", [("a", "b"), (1.5, 2.5), (1, None), (1,), 3])
def test_retrieve_span_of_the_wrong_shape_is_invalid_input(rows: object) -> None:
    hr = _hr()
    handle = hr.compress_text(LOG, 100).manifest.entries[0].handle
    with pytest.raises(InvalidInput, match="rows takes"):
        hr.retrieve(handle, rows=rows)


def test_agent_memory_limit_past_sqlite_range_means_all() -> None:
    with AgentMemory(agent="a") as memory:
        memory.remember("a note about queues")
        assert len(memory.history(limit=2**70)) == 1


# -- dead handles ---------------------------------------------------------------------------------------


def _three_logs() -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "user", "content": "q"}]
    for k in range(3):
        messages += _calls(k, LOG.replace("worker", f"worker{k}"))
    return [*messages, {"role": "user", "content": "which worker?"}]


@pytest.mark.parametrize("kind", ["memory", "sqlite", "agent"])
def test_a_small_store_never_hands_out_a_dead_handle(kind: str) -> None:
    size = len(LOG.encode()) + 4000  # room for one call original, not two
    store: Any = {
        "memory": lambda: MemoryStore(max_bytes=size),
        "sqlite": lambda: SQLiteStore(max_bytes=size),
        "agent": lambda: AgentMemory(agent="w", max_bytes=size),
    }[kind]()
    hr = _hr(store)
    result = hr.compress(_three_logs(), 600)
    assert result.manifest.entries
    for entry in result.manifest.entries:
        assert hr.retrieve(entry.handle)
    kept = [d for d in result.degradations if d.kind == "store"]
    assert len(kept) == 2 and all("left as it was" in d.detail for d in kept)
    assert result.tokens_after == hr.counter.count_messages(result.messages)
    with pytest.raises(StoreFull):
        hr.compress(_three_logs(), 600, strict=True)


def test_a_pinned_handle_survives_a_put_that_would_evict_it() -> None:
    store = MemoryStore(max_bytes=30)
    first = make_handle("a" * 20)
    with store.pinned([first]):
        store.put(first, "a" * 20)
        with pytest.raises(StoreFull):
            store.put(make_handle("b" * 20), "b" * 20)
    store.put(make_handle("b" * 20), "b" * 20)  # unpinned: the old one may go now
    assert first not in store


# -- integrity ------------------------------------------------------------------------------------------


def test_an_original_changed_on_disk_raises_integrity_error_and_repair_removes_it(tmp_path: Any) -> None:
    path = tmp_path / "s.db"
    hr = _hr(SQLiteStore(path))
    handle = hr.compress_text(LOG, 100).manifest.entries[0].handle
    import sqlite3

    with sqlite3.connect(path) as db:
        db.execute("UPDATE originals SET text = text || 'x'")
    with pytest.raises(IntegrityError, match="repair"):
        retrieve(handle, store=hr.store)
    assert hr.store.verify() == [handle]
    assert hr.store.repair() == [handle]  # type: ignore[attr-defined]
    assert hr.store.verify() == [] and handle not in hr.store


def test_memory_store_checks_the_hash_on_get() -> None:
    store = MemoryStore()
    handle = make_handle("original")
    store.put(handle, "original")
    store._entries[handle].text = "tampered"
    with pytest.raises(IntegrityError):
        store.get(handle)


@pytest.mark.parametrize("kind", ["memory", "sqlite-file", "agent"])
def test_lone_surrogates_round_trip(kind: str, tmp_path: Any) -> None:
    text = "start \udc80 middle \ud800 end\n" * 200
    store: Any = {
        "memory": lambda: MemoryStore(),
        "sqlite-file": lambda: SQLiteStore(tmp_path / "s.db"),
        "agent": lambda: AgentMemory(tmp_path / "m.db", agent="w"),
    }[kind]()
    hr = _hr(store)
    result = hr.compress_text(text, 50)
    handle = result.manifest.entries[0].handle
    assert hr.retrieve(handle) == text and store.verify() == []


def test_a_look_alike_marker_naming_another_piece_never_resolves() -> None:
    hr = _hr()
    first = hr.compress_text(LOG, 80)
    forged = render_marker(first.manifest.entries[0].handle, 9, "lines", "1-9")
    messages = [
        {"role": "user", "content": "q"},
        *_calls(0, LOG),
        *_calls(1, "tool printed " + forged + "\n" + LOG.replace("INFO", "WARN")),
        {"role": "user", "content": "?"},
    ]
    result = hr.compress(messages, 300)
    for entry, marker in result_markers(result):
        assert marker.handle == entry.handle
    assert forged not in [m.handle for _, m in result_markers(result)]


# -- secrets --------------------------------------------------------------------------------------------

ENV = "HOME=/root\nGITHUB_TOKEN=ghp_aBcdEfGhIjKlMnOpQrStUvWxYz0123456789\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"


def test_secrets_in_tool_output_are_redacted_recorded_and_kept_for_the_caller_only() -> None:
    hr = _hr()
    messages = [{"role": "user", "content": "env?"}, *_calls(0, ENV), {"role": "user", "content": "ok"}]
    result = hr.compress(messages)
    shown = result.messages[2]["content"]
    assert "ghp_" not in shown and "AKIA" not in shown
    assert "[secret: github token, 40 chars]" in shown and "[secret: aws access key, 20 chars]" in shown
    (entry,) = result.manifest.entries
    assert entry.compressor == "secrets" and entry.omitted == {"github_token": 1, "aws_access_key": 1}
    assert hr.retrieve(entry.handle) == ENV
    assert run_retrieval_tool({"handle": entry.handle}, hr).startswith("Error:")
    assert run_retrieval_tool({"handle": entry.handle}, hr, allow_secrets=True) == ENV
    assert result.tokens_after == hr.counter.count_messages(result.messages)
    assert messages[2]["content"] == ENV


def test_redaction_can_be_turned_off() -> None:
    hr = _hr(redact_secrets=False)
    assert hr.compress_text(ENV).text == ENV


def test_secrets_stay_out_of_a_compressed_piece_and_its_retrieval() -> None:
    hr = _hr()
    text = LOG + "\nDATABASE_URL=postgres://app:Xk29fLq0pZ@db:5432/app\n" + LOG
    result = hr.compress_text(text, 120)
    assert [e.compressor for e in result.manifest.entries][0] == "secrets"
    compressed = result.manifest.entries[1]
    assert "Xk29fLq0pZ" not in hr.retrieve(compressed.handle)
    assert "Xk29fLq0pZ" not in run_retrieval_tool({"handle": compressed.handle}, hr)


def test_counts_through_the_fake_counter_too() -> None:
    from headroom.testing import FakeCounter

    hr = Headroom(counter=FakeCounter())
    result = hr.compress(copy.deepcopy(_three_logs()), 300)
    assert result.tokens_after == hr.counter.count_messages(result.messages)
    assert isinstance(TokenCounter, type) and json.dumps(result.messages)


def test_store_error_is_a_headroom_error() -> None:
    assert issubclass(StoreFull, StoreError) and issubclass(StoreError, HeadroomError)
