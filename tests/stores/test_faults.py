"""Store faults with real files: each comes out as a StoreError saying what to do, and nothing committed is lost."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from headroom import Config, Headroom, SQLiteStore, StoreError, make_handle

LOG = "\n".join(f"2026-11-24 03:{i % 60:02d}:11 INFO worker {i} started" for i in range(300))


def _put(store: SQLiteStore, text: str) -> str:
    handle = make_handle(text)
    store.put(handle, text)
    return handle


def test_a_directory_as_the_path(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory.*headroom.db"):
        SQLiteStore(tmp_path)


def test_a_missing_parent_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist; create it first"):
        SQLiteStore(tmp_path / "nope" / "s.db")


@pytest.mark.parametrize("damage", ["random", "truncated"])
def test_a_damaged_file(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "s.db"
    if damage == "random":
        path.write_bytes(os.urandom(8192))
    else:
        with SQLiteStore(path) as store:
            for i in range(200):
                _put(store, f"original {i} " * 50)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
        for extra in ("-wal", "-shm"):
            Path(str(path) + extra).unlink(missing_ok=True)
    with pytest.raises(StoreError, match="damaged|not a SQLite database|move the file aside") as caught:
        store = SQLiteStore(path)
        store.verify()  # a truncation may surface on the first read of a lost page
        for i in range(200):
            store.get(make_handle(f"original {i} " * 50))
    assert not isinstance(caught.value, sqlite3.Error)


def test_a_read_only_file_stays_readable_and_refuses_writes_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.db"
    with SQLiteStore(path) as store:
        handle = _put(store, "kept before the file became read-only")
    # the suite may run as root, for whom chmod does not bind: the store is told as a user would be
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK else real(p, mode))
    store = SQLiteStore(path)
    assert store.read_only and store.get(handle) == "kept before the file became read-only"
    with pytest.raises(StoreError, match="read-only; reads still work"):
        _put(store, "new")
    hr = Headroom(store=store, model="gpt-4", config=Config())
    with pytest.raises(StoreError, match="read-only"):  # raised whole, never a result with dead handles
        hr.compress_text(LOG, 100)
    store.close()


_HOLDER = textwrap.dedent(
    """
    import sqlite3, sys, time
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO _migrations VALUES ('holder', 0)")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    db.execute("ROLLBACK")
    """
)


def test_a_second_process_holding_the_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = SQLiteStore(path, busy_timeout=0.2)
    handle = _put(store, "already there")
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path), "5"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(StoreError, match="locked by another writer.*busy_timeout"):
            _put(store, "waits for the lock")
        assert time.monotonic() - started < 4  # bounded: a few busy timeouts, not forever
        assert store.get(handle) == "already there"  # reads take no write lock
        hr = Headroom(store=store, model="gpt-4")
        with pytest.raises(StoreError, match="locked"):
            hr.compress_text(LOG, 100)
    finally:
        holder.wait(10)
        if holder.stdout is not None:
            holder.stdout.close()
    _put(store, "after the lock is gone")
    store.close()


_WRITER = textwrap.dedent(
    """
    import sys
    from headroom import SQLiteStore, make_handle
    store = SQLiteStore(sys.argv[1])
    with open(sys.argv[2], "a") as log:
        for i in range(100000):
            text = f"original {i} " + "x" * (i % 977)
            store.put(make_handle(text), text)
            log.write(make_handle(text) + "\\n")
            log.flush()
    """
)


def test_kill_9_of_a_writer_mid_batch_loses_nothing_committed(tmp_path: Path) -> None:
    path, log = tmp_path / "s.db", tmp_path / "committed.txt"
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(log)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not log.exists() or log.stat().st_size < 20_000):
        time.sleep(0.05)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    committed = log.read_text().split()
    assert len(committed) > 500
    with SQLiteStore(path) as store:
        assert store.verify() == []
        missing = [h for h in committed if h not in store]
        assert missing == []
        assert len(store) >= len(committed)


def test_lone_surrogates_survive_a_reopen(tmp_path: Path) -> None:
    text = "a \ud800 b \udfff c"
    with SQLiteStore(tmp_path / "s.db") as store:
        handle = _put(store, text)
    with SQLiteStore(tmp_path / "s.db") as store:
        assert store.get(handle) == text and store.verify() == []


def test_bad_arguments(tmp_path: Path) -> None:
    bad: list[dict[str, Any]] = [{"ttl": 0}, {"max_bytes": 0}, {"max_bytes": "1"}, {"busy_timeout": -1}]
    for options in bad:
        with pytest.raises(StoreError.__mro__[1], match=next(iter(options))):  # HeadroomError
            SQLiteStore(tmp_path / "s.db", **options)
