"""A durable store on stdlib sqlite3: safe across threads and processes.

A file database runs in WAL mode with a busy timeout, so many agents (threads
or processes) can write at once and readers never block writers. Each thread
gets its own connection; ``":memory:"`` uses one shared connection under a
lock, because every sqlite connection to ``:memory:`` is a separate database.
Writes are single ``BEGIN IMMEDIATE`` transactions. The schema changes only
through the named migrations below, each applied once and recorded.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from types import TracebackType
from typing import ClassVar, TypeVar

from headroom.errors import HandleExpired, HandleNotFound, StoreError
from headroom.handles import digest, make_handle

__all__ = ["MIGRATIONS", "SQLiteStore"]

_S = TypeVar("_S", bound="SQLiteStore")
_BUSY_TIMEOUT_MS = 30_000


def _create_originals(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE originals (
            handle TEXT PRIMARY KEY,
            digest TEXT NOT NULL,
            text TEXT NOT NULL,
            meta TEXT NOT NULL DEFAULT '{}',
            size INTEGER NOT NULL,
            created_at REAL NOT NULL,
            last_access REAL NOT NULL
        )"""
    )


def _index_last_access(db: sqlite3.Connection) -> None:
    db.execute("CREATE INDEX originals_last_access ON originals (last_access)")


MIGRATIONS: tuple[tuple[str, Callable[[sqlite3.Connection], None]], ...] = (
    ("0001_create_originals", _create_originals),
    ("0002_index_last_access", _index_last_access),
)


class SQLiteStore:
    """Originals in a SQLite database at ``path`` (``":memory:"`` for a private one)."""

    # A subclass keeping more in the same file appends its own named steps.
    schema_migrations: ClassVar[tuple[tuple[str, Callable[[sqlite3.Connection], None]], ...]] = MIGRATIONS

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        ttl: float | None = None,
        max_bytes: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        names = [name for name, _ in self.schema_migrations]
        if len(set(names)) != len(names):
            raise StoreError(f"duplicate migration names in {names}; every migration needs its own name")
        self.path = os.fspath(path)
        self.ttl = ttl
        self.max_bytes = max_bytes
        self._clock = clock
        self._memory = self.path == ":memory:"
        self._local = threading.local()
        self._lock = threading.RLock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        with self._transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
            done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
            for name, migrate in self.schema_migrations:
                if name not in done:
                    migrate(db)
                    db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, time.time()))

    def _connect(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"the SQLiteStore at {self.path} is closed; open a new one")
        if self._memory:
            if not self._connections:
                self._connections.append(self._open())
            return self._connections[0]
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._open()
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        return db

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=_BUSY_TIMEOUT_MS / 1000)
        db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        if not self._memory:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        return db

    def _guard(self) -> AbstractContextManager[object]:
        """The process lock for ``:memory:`` (one connection shared by threads); a file needs none,
        SQLite's own locking serializes its connections."""
        return self._lock if self._memory else nullcontext()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._guard():
            db = self._connect()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def put(self, handle: str, original: str, *, meta: Mapping[str, str] | None = None) -> None:
        with self._transaction() as db:
            self._put(db, handle, original, meta, self._clock())

    def _put(
        self, db: sqlite3.Connection, handle: str, original: str, meta: Mapping[str, str] | None, now: float
    ) -> bool:
        """``put`` inside the caller's transaction; True when the original is new here."""
        full = digest(original)
        size = len(original.encode("utf-8", "surrogatepass"))
        if self.max_bytes is not None and size > self.max_bytes:
            raise StoreError(
                f"the original for {handle} is {size} bytes, more than this store's max_bytes={self.max_bytes}; "
                "open the store with a larger max_bytes"
            )
        row = db.execute("SELECT digest, created_at FROM originals WHERE handle = ?", (handle,)).fetchone()
        if row is not None and self._expired(row[1], now):
            db.execute("DELETE FROM originals WHERE handle = ?", (handle,))
            row = None
        if row is not None:
            if row[0] != full:
                raise StoreError(
                    f"{handle} already holds a different original (a hash collision); "
                    "keep this original in a separate store"
                )
            db.execute("UPDATE originals SET last_access = ? WHERE handle = ?", (now, handle))
            return False
        db.execute(
            "INSERT INTO originals VALUES (?, ?, ?, ?, ?, ?, ?)",
            (handle, full, original, json.dumps(dict(meta or {}), sort_keys=True), size, now, now),
        )
        if self.max_bytes is not None:
            self._evict(db)
        return True

    def _evict(self, db: sqlite3.Connection) -> None:
        assert self.max_bytes is not None
        total = db.execute("SELECT COALESCE(SUM(size), 0) FROM originals").fetchone()[0]
        while total > self.max_bytes:
            handle, size = db.execute(
                "SELECT handle, size FROM originals ORDER BY last_access, rowid LIMIT 1"
            ).fetchone()
            db.execute("DELETE FROM originals WHERE handle = ?", (handle,))
            total -= size

    def get(self, handle: str) -> str:
        return self._fetch(handle)[0]

    def get_meta(self, handle: str) -> dict[str, str]:
        meta: dict[str, str] = json.loads(self._fetch(handle)[1])
        return meta

    def _fetch(self, handle: str) -> tuple[str, str]:
        now = self._clock()
        with self._transaction() as db:
            row = db.execute("SELECT text, meta, created_at FROM originals WHERE handle = ?", (handle,)).fetchone()
            if row is None:
                raise HandleNotFound(handle)
            if self._expired(row[2], now):
                db.execute("DELETE FROM originals WHERE handle = ?", (handle,))
                expired = True
            else:
                db.execute("UPDATE originals SET last_access = ? WHERE handle = ?", (now, handle))
                expired = False
        if expired:
            raise HandleExpired(handle)
        return row[0], row[1]

    def _expired(self, created: float, now: float) -> bool:
        return self.ttl is not None and now - created > self.ttl

    def purge_expired(self) -> int:
        """Delete every expired original; returns how many went."""
        if self.ttl is None:
            return 0
        with self._transaction() as db:
            return db.execute("DELETE FROM originals WHERE created_at < ?", (self._clock() - self.ttl,)).rowcount

    def __contains__(self, handle: object) -> bool:
        if not isinstance(handle, str):
            return False
        with self._guard():
            row = self._connect().execute("SELECT created_at FROM originals WHERE handle = ?", (handle,)).fetchone()
        return row is not None and not self._expired(row[0], self._clock())

    def __len__(self) -> int:
        with self._guard():
            count: int = self._connect().execute("SELECT COUNT(*) FROM originals").fetchone()[0]
        return count

    def migrations(self) -> list[str]:
        """Names of the migrations applied to this database, in order."""
        with self._guard():
            rows = self._connect().execute("SELECT name FROM _migrations ORDER BY name").fetchall()
        return [row[0] for row in rows]

    def verify(self) -> list[str]:
        """Handles whose original no longer hashes to them (empty when healthy)."""
        with self._guard():
            rows = self._connect().execute("SELECT handle, digest, text FROM originals ORDER BY handle").fetchall()
        return [h for h, d, text in rows if digest(text) != d or make_handle(text) != h]

    def close(self) -> None:
        with self._lock:
            for db in self._connections:
                db.close()
            self._connections.clear()
            self._closed = True

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
