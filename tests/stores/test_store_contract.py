"""One contract, every store: exact round trips, limits, expiry, integrity, concurrency."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import (
    AgentMemory,
    HandleExpired,
    HandleNotFound,
    MemoryStore,
    PostgresMemory,
    PostgresStore,
    SQLiteStore,
    Store,
    StoreError,
    make_handle,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


Factory = Callable[..., Store]


@pytest.fixture(
    params=[
        "memory",
        "sqlite-memory",
        "sqlite-file",
        "agent-memory",
        "agent-memory-table",
        "postgres",
        "postgres-memory",
    ]
)
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Factory]:
    opened: list[Store] = []
    conninfo = request.getfixturevalue("postgres_database") if request.param.startswith("postgres") else ""

    def factory(**options: object) -> Store:
        if request.param == "memory":
            store: Store = MemoryStore(**options)  # type: ignore[arg-type]
        elif request.param == "sqlite-memory":
            store = SQLiteStore(":memory:", **options)  # type: ignore[arg-type]
        elif request.param == "sqlite-file":
            store = SQLiteStore(tmp_path / "store.db", **options)  # type: ignore[arg-type]
        elif request.param == "postgres":
            store = PostgresStore(conninfo, **options)  # type: ignore[arg-type]
        elif request.param == "postgres-memory":
            store = PostgresMemory(conninfo, agent="contract", **options)  # type: ignore[arg-type]
        else:  # the cross-agent memory is a store too: a Headroom keeps its originals there
            index = "table" if request.param == "agent-memory-table" else "fts5"
            store = AgentMemory(tmp_path / "memory.db", agent="contract", search_index=index, **options)  # type: ignore[arg-type]
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


def put(store: Store, text: str, **meta: str) -> str:
    handle = make_handle(text)
    store.put(handle, text, meta=meta or None)
    return handle


@pytest.mark.parametrize("text", ["", "plain", "é ü 漢字 🚀", "nul\x00inside", "crlf\r\nlines\r\n", "x" * 5_000_000])
def test_round_trip_is_byte_exact(make: Factory, text: str) -> None:
    store = make()
    handle = put(store, text)
    assert store.get(handle) == text
    assert handle in store and "hr1:000000000000000" not in store


def test_put_is_idempotent_and_keeps_meta(make: Factory) -> None:
    store = make()
    handle = put(store, "same", content_type="log")
    put(store, "same", content_type="log")
    assert len(store) == 1  # type: ignore[arg-type]
    assert store.get_meta(handle) == {"content_type": "log"}


def test_unknown_handle_says_what_to_do(make: Factory) -> None:
    with pytest.raises(HandleNotFound, match="was never stored here or was evicted"):
        make().get(make_handle("absent"))


def test_ttl_expiry(make: Factory) -> None:
    clock = Clock()
    store = make(ttl=60, clock=clock)
    handle = put(store, "short-lived")
    clock.now += 59
    assert store.get(handle) == "short-lived"
    clock.now += 2
    assert handle not in store
    with pytest.raises(HandleExpired, match="expired"):
        store.get(handle)
    with pytest.raises(HandleNotFound):
        store.get(handle)


def test_size_limit_evicts_least_recently_used(make: Factory) -> None:
    clock = Clock()
    store = make(max_bytes=30, clock=clock)
    a = put(store, "a" * 10)
    clock.now += 1
    b = put(store, "b" * 10)
    clock.now += 1
    store.get(a)  # a is now more recent than b
    clock.now += 1
    c = put(store, "c" * 15)
    assert a in store and c in store and b not in store
    with pytest.raises(StoreError, match="larger max_bytes"):
        put(store, "d" * 31)


def test_collision_is_refused(make: Factory) -> None:
    store = make()
    handle = put(store, "first")
    with pytest.raises(StoreError, match="collision"):
        store.put(handle, "second")
    assert store.get(handle) == "first"


def test_verify_finds_tampering(make: Factory) -> None:
    store = make()
    good = put(store, "good")
    bad = put(store, "tamper me")
    assert store.verify() == []
    if isinstance(store, MemoryStore):
        store._entries[bad].text = "tampered"
    elif isinstance(store, PostgresStore):
        with store._transaction() as cur:
            cur.execute("UPDATE originals SET body = 'tampered'::bytea WHERE handle = %s", (bad,))
    elif store.path == ":memory:":
        store._connect().execute("UPDATE originals SET text = 'tampered' WHERE handle = ?", (bad,))
    else:
        raw = sqlite3.connect(store.path)
        with raw:
            raw.execute("UPDATE originals SET text = 'tampered' WHERE handle = ?", (bad,))
        raw.close()
    assert store.verify() == [bad]
    assert store.get(good) == "good"


def test_concurrent_threads_lose_nothing(make: Factory) -> None:
    store = make()
    texts = [[f"thread {t} item {i}" for i in range(200)] for t in range(8)]
    threads = [threading.Thread(target=lambda ts=ts: [put(store, t) for t in ts]) for ts in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(store.get(make_handle(t)) == t for ts in texts for t in ts)
    assert len(store) == 1600  # type: ignore[arg-type]


def _write_many(path: str, worker: int) -> None:
    with SQLiteStore(path) as store:
        for i in range(200):
            text = f"process {worker} item {i}"
            store.put(make_handle(text), text)


def test_concurrent_processes_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    SQLiteStore(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_many, args=(path, w)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    with SQLiteStore(path) as store:
        assert len(store) == 800
        assert store.get(make_handle("process 3 item 199")) == "process 3 item 199"


def test_migrations_apply_once(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with SQLiteStore(path) as store:
        put(store, "kept")
        first = store.migrations()
    with SQLiteStore(path) as store:
        assert store.migrations() == first == ["0001_create_originals", "0002_index_last_access", "0003_pins"]
        assert store.get(make_handle("kept")) == "kept"


def test_closed_store_says_so(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "c.db")
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.get(make_handle("x"))


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_any_text_round_trips(text: str) -> None:
    for store in (MemoryStore(), SQLiteStore()):
        with store:
            assert store.get(put(store, text)) == text


def test_postgres_migrations_apply_once_and_a_plain_database_becomes_memory(postgres_database: str) -> None:
    with PostgresStore(postgres_database) as store:
        put(store, "kept before memory existed")
        assert store.migrations() == ["0001_create_originals"]
    with PostgresMemory(postgres_database, agent="w1") as memory:
        (hit,) = memory.search("existed")
        assert hit.agents == () and memory.provenance(hit.handle) == []
        first = memory.migrations()
    with PostgresMemory(postgres_database) as memory:
        assert (
            memory.migrations()
            == first
            == [
                "0001_create_originals",
                "memory_0001_create_index_and_provenance",
                "memory_0002_index_existing_originals",
                "memory_0003_index_texts_with_secrets_redacted",
            ]
        )


def test_postgres_without_a_server_says_what_to_do(tmp_path: Path) -> None:
    pytest.importorskip("psycopg_pool", reason="psycopg is not installed: pip install 'headroom[postgres]'")
    with pytest.raises(StoreError, match="server is running"):
        PostgresStore(f"host={tmp_path} dbname=none user=none connect_timeout=1", pool_size=1)
