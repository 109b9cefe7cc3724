"""Pins hold across processes sharing one SQLite file (issue 17, "no dead handle").

A compress call pins its originals until it returns. The pins were in
memory, so another process evicting from the same file (its own
``max_bytes``) could delete an original the first process was about to hand
out. Now a ``put`` inside ``pinned`` also writes a row to the file's ``pins``
table, which every process's eviction skips; the rows go when the block ends
and lapse after a lease if the process dies holding them.

The test runs a real second process: the first process holds a pin while the
second floods a small store; the pinned original survives, and is evictable
again once the block has ended.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from headroom import SQLiteStore, make_handle
from headroom.stores import sqlite as sqlite_store

MAX_BYTES = 4_000
PINNED = "the pinned original, kept while its call is in flight " * 20

_FLOOD = textwrap.dedent(
    """
    import sys
    from headroom import SQLiteStore, StoreFull, make_handle
    store = SQLiteStore(sys.argv[1], max_bytes=int(sys.argv[2]))
    refused = 0
    for i in range(int(sys.argv[3])):
        text = f"flood {sys.argv[4]} {i} " + "y" * 400
        try:
            store.put(make_handle(text), text)
        except StoreFull:
            refused += 1
    print(refused)
    """
)


def _flood(path: Path, count: int, tag: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _FLOOD, str(path), str(MAX_BYTES), str(count), tag],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(done.stdout.strip())


def test_another_process_cannot_evict_an_original_pinned_here(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    handle = make_handle(PINNED)
    with SQLiteStore(path, max_bytes=MAX_BYTES) as store:
        with store.pinned([handle]):
            store.put(handle, PINNED)
            assert _flood(path, 40, "a") == 0  # the flood evicts its own older originals, never this one
            assert store.get(handle) == PINNED
        assert store._read_all("SELECT COUNT(*) FROM pins", ()) == [(0,)]  # released when the block ended
        _flood(path, 40, "b")
        assert handle not in store  # unpinned, it is evicted like any other least recently used original


def test_pins_of_a_process_that_died_lapse(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    now = [1_000.0]
    with SQLiteStore(path, max_bytes=MAX_BYTES, clock=lambda: now[0]) as store:
        handle = make_handle(PINNED)
        with store._transaction() as db:  # what a killed process leaves: a row and no one to delete it
            store._put(db, handle, PINNED, None, now[0])
            db.execute("INSERT INTO pins VALUES (?, ?, ?)", (handle, "99999-gone", now[0] + sqlite_store._PIN_LEASE))
        for i in range(20):
            text = f"later {i} " + "z" * 400
            store.put(make_handle(text), text)
        assert handle in store
        now[0] += sqlite_store._PIN_LEASE + 1
        for i in range(20):
            text = f"after the lease {i} " + "z" * 400
            store.put(make_handle(text), text)
        assert handle not in store
        assert store._read_all("SELECT COUNT(*) FROM pins", ()) == [(0,)]


def test_a_read_only_file_from_before_the_pin_table_still_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    with SQLiteStore(path) as store:
        handle = make_handle("kept")
        store.put(handle, "kept")
    db = sqlite3.connect(path)
    db.execute("DROP TABLE pins")
    db.execute("DELETE FROM _migrations WHERE name = '0003_pins'")
    db.commit()
    db.close()
    with monkeypatch.context() as patch:
        # the suite may run as root, for whom chmod does not bind: the store is told as a user would be
        real = os.access
        patch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK else real(p, mode))
        with SQLiteStore(path) as store:
            assert store.read_only and store.get(handle) == "kept"
            assert "0003_pins" not in store.migrations()
    with SQLiteStore(path) as store:  # a writer adds the table
        assert "0003_pins" in store.migrations()
