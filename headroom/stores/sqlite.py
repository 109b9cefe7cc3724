"""A durable store on stdlib sqlite3: safe across threads and processes.

A file database runs in WAL mode with a busy timeout, so many agents (threads
or processes) can write at once and readers never block writers. Each thread
gets its own connection; ``":memory:"`` uses one shared connection under a
lock, because every sqlite connection to ``:memory:`` is a separate database.
Writes are single ``BEGIN IMMEDIATE`` transactions. The schema changes only
through the named migrations below, each applied once and recorded.

Faults come out as ``StoreError`` saying what to do, never as a raw
``sqlite3`` error: a missing folder, a directory or a damaged file at the
path, a read-only file (which stays readable: reads take no write lock, and a
file that cannot be written is opened read-only), and a lock held by another
writer past the busy timeout (retried a bounded number of times first). Text
that is not valid UTF-8 (lone surrogates) is kept as ``surrogatepass`` bytes
and read back exactly.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from types import TracebackType
from typing import Any, ClassVar, TypeVar

from headroom.errors import HandleExpired, HandleNotFound, IntegrityError, InvalidInput, StoreError, StoreFull
from headroom.handles import digest, make_handle
from headroom.log import logger
from headroom.stores.base import Pins, check_max_bytes, check_same_original, check_ttl

__all__ = ["MIGRATIONS", "SQLiteStore"]

_S = TypeVar("_S", bound="SQLiteStore")
_BUSY_TIMEOUT = 30.0  # seconds SQLite itself waits for another writer's lock
_RETRIES = 3  # then a few more tries, for the SQLITE_BUSY cases the busy handler does not wait on
_T = TypeVar("_T")


def _encode(text: str) -> str | bytes:
    """What goes into the ``text`` column: the str, or its surrogatepass bytes when it is not valid UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")
    return text


def _decode(value: str | bytes) -> str:
    return value.decode("utf-8", "surrogatepass") if isinstance(value, bytes) else value


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


def _create_pins(db: sqlite3.Connection) -> None:
    """Pins every process sharing the file honours (issue 17): a call's originals until it returns."""
    db.execute("CREATE TABLE pins (handle TEXT NOT NULL, owner TEXT NOT NULL, until REAL NOT NULL)")
    db.execute("CREATE INDEX pins_handle ON pins (handle)")
    db.execute("CREATE INDEX pins_owner ON pins (owner)")


MIGRATIONS: tuple[tuple[str, Callable[[sqlite3.Connection], None]], ...] = (
    ("0001_create_originals", _create_originals),
    ("0002_index_last_access", _index_last_access),
    ("0003_pins", _create_pins),
)
# only writers need these: a read-only file made before them still opens, and reads
_WRITERS_ONLY = frozenset({"0003_pins"})
_PIN_LEASE = 600.0  # seconds a pin outlives a process that died holding it


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
        busy_timeout: float = _BUSY_TIMEOUT,
    ) -> None:
        names = [name for name, _ in self.schema_migrations]
        if len(set(names)) != len(names):
            raise StoreError(f"duplicate migration names in {names}; every migration needs its own name")
        if not isinstance(path, (str, os.PathLike)):
            raise InvalidInput(
                f"path must be a file path (str or pathlib.Path) or ':memory:', got {type(path).__name__}; "
                "e.g. SQLiteStore('headroom.db')"
            )
        check_ttl(ttl)
        check_max_bytes(max_bytes, optional=True)
        if isinstance(busy_timeout, bool) or not isinstance(busy_timeout, (int, float)) or busy_timeout < 0:
            raise InvalidInput(f"busy_timeout must be seconds >= 0, got {busy_timeout!r}; e.g. busy_timeout=30")
        self.path = os.fspath(path)
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.busy_timeout = float(busy_timeout)
        self._clock = clock
        self._memory = self.path == ":memory:"
        self._local = threading.local()
        self._lock = threading.RLock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        self._pins = Pins()
        self._pin_rows: set[str] = set()  # owners (pinned blocks) that wrote rows to the pins table
        self.read_only = False
        if not self._memory:
            self.read_only = _check_path(self.path)
        try:
            self._with_retries(self._migrate)
        except BaseException:
            self.close()
            raise

    def _migrate(self) -> None:
        done = self._applied()
        if all(name in done for name, _ in self.schema_migrations):
            return  # nothing to write: a read-only file opens, and stays readable
        if self.read_only and all(name in done or name in _WRITERS_ONLY for name, _ in self.schema_migrations):
            return  # it cannot write, so it never evicts nor pins: the pin table is not needed to read
        if self.read_only:
            raise StoreError(
                f"{self.path} is read-only and its schema is out of date; open it once with write access "
                "so headroom can migrate it, or copy it somewhere writable"
            )
        with self._transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
            done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
            for name, migrate in self.schema_migrations:
                if name not in done:
                    migrate(db)
                    db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, time.time()))

    def _applied(self) -> set[str]:
        with self._guard():
            db = self._connect()
            exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'").fetchone()
            return {row[0] for row in db.execute("SELECT name FROM _migrations")} if exists else set()

    @contextmanager
    def pinned(self, handles: Iterable[str]) -> Iterator[None]:
        """Keep ``handles`` from eviction while the block runs (a compress call's originals).

        In this process the pins are in memory. In a file, each ``put`` the
        block's thread makes also writes a row to the ``pins`` table in the
        same transaction, which every process's eviction skips; the rows go
        when the block ends. A process killed inside the block leaves its rows
        for ``_PIN_LEASE`` seconds, after which eviction ignores and deletes them.
        """
        handles = list(handles)
        owner = f"{os.getpid()}-{uuid.uuid4().hex}"
        outer: str | None = getattr(self._local, "pin_owner", None)
        self._local.pin_owner = owner
        try:
            with self._pins.hold(handles):
                yield
        finally:
            self._local.pin_owner = outer
            if owner in self._pin_rows:
                self._pin_rows.discard(owner)
                self._unpin(owner)

    def _unpin(self, owner: str) -> None:
        try:
            with self._transaction() as db:
                db.execute("DELETE FROM pins WHERE owner = ?", (owner,))
        except StoreError as error:  # the rows lapse after _PIN_LEASE; a result is not withheld for them
            logger.warning("could not release pins in %s (%s); they lapse in %g s", self.path, error, _PIN_LEASE)

    def _with_retries(self, action: Callable[[], _T]) -> _T:
        """Run ``action``; on SQLITE_BUSY try again a few times, then say what is wrong as a StoreError."""
        for attempt in range(_RETRIES + 1):
            try:
                return action()
            except sqlite3.Error as error:
                if _busy(error) and attempt < _RETRIES:
                    time.sleep(0.05 * 2**attempt)
                    continue
                raise self._translate(error) from error
        raise AssertionError("unreachable")  # pragma: no cover

    def _translate(self, error: sqlite3.Error) -> StoreError:
        text = str(error)
        where = f"the SQLite store at {self.path}"
        if _busy(error):
            return StoreError(
                f"{where} stayed locked by another writer for more than {self.busy_timeout:g} s "
                f"(tried {_RETRIES + 1} times); retry later, or open the store with a larger busy_timeout"
            )
        if "readonly" in text or "read-only" in text:
            return StoreError(
                f"{where} is read-only ({text}); reads still work. To store originals make the file and its "
                "folder writable, or open a store at a writable path"
            )
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return StoreError(
                f"{where} is not a SQLite database or is damaged ({text}); move the file aside and open "
                "a new store at that path, or restore it from a backup"
            )
        if "unable to open" in text:
            return StoreError(f"cannot open {where} ({text}); check the path exists and is a file you may read")
        return StoreError(f"{where} failed: {text}")

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
        if self.read_only:
            uri = "file:" + urllib.parse.quote(os.path.abspath(self.path)) + "?mode=ro"
            db = sqlite3.connect(
                uri, uri=True, isolation_level=None, check_same_thread=False, timeout=self.busy_timeout
            )
        else:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=self.busy_timeout)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            if not self._memory and not self.read_only:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")
            db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # a damaged file fails here, not later
        except BaseException:
            db.close()
            raise
        return db

    def _guard(self) -> AbstractContextManager[object]:
        """The process lock for ``:memory:`` (one connection shared by threads); a file needs none,
        SQLite's own locking serializes its connections."""
        return self._lock if self._memory else nullcontext()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: all of it commits or none of it (a failure inside rolls back).

        SQLITE_BUSY on ``BEGIN IMMEDIATE`` (another writer past the busy
        timeout) is retried a few times; any sqlite3 error becomes a StoreError.
        """
        if self.read_only:
            raise StoreError(
                f"the SQLite store at {self.path} is read-only; reads still work. To store originals make the "
                "file and its folder writable, or open a store at a writable path"
            )
        with self._guard():
            try:
                db = self._connect()
                for attempt in range(_RETRIES + 1):
                    try:
                        db.execute("BEGIN IMMEDIATE")
                        break
                    except sqlite3.OperationalError as error:
                        if not _busy(error) or attempt == _RETRIES:
                            raise
                        time.sleep(0.05 * 2**attempt)
            except sqlite3.Error as error:
                raise self._translate(error) from error
            try:
                yield db
                db.execute("COMMIT")
            except BaseException as error:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error):
                    raise self._translate(error) from error
                raise

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
            raise StoreFull(
                f"the original for {handle} is {size} bytes, more than this store's max_bytes={self.max_bytes}; "
                "open the store with a larger max_bytes"
            )
        self._pin_row(db, handle, now)
        row = db.execute("SELECT digest, created_at FROM originals WHERE handle = ?", (handle,)).fetchone()
        if row is not None and self._expired(row[1], now):
            db.execute("DELETE FROM originals WHERE handle = ?", (handle,))
            row = None
        if row is not None:
            check_same_original(handle, row[0], full)
            db.execute("UPDATE originals SET last_access = ? WHERE handle = ?", (now, handle))
            return False
        db.execute(
            "INSERT INTO originals VALUES (?, ?, ?, ?, ?, ?, ?)",
            (handle, full, _encode(original), json.dumps(dict(meta or {}), sort_keys=True), size, now, now),
        )
        if self.max_bytes is not None:
            self._evict(db, handle, size)
        return True

    def _pin_row(self, db: sqlite3.Connection, handle: str, now: float) -> None:
        """Inside ``pinned``, in a file: record the pin where other processes' eviction sees it."""
        owner: str | None = getattr(self._local, "pin_owner", None)
        if owner is None or self._memory:
            return
        db.execute("INSERT INTO pins VALUES (?, ?, ?)", (handle, owner, now + _PIN_LEASE))
        self._pin_rows.add(owner)

    def _evict(self, db: sqlite3.Connection, new: str, size: int) -> None:
        """Oldest first, never a pinned original nor the one just put.

        StoreFull (the insert rolls back with it) when only those are left.
        """
        assert self.max_bytes is not None
        now = self._clock()
        db.execute("DELETE FROM pins WHERE until < ?", (now,))  # left by a process that died holding them
        pinned = {row[0] for row in db.execute("SELECT DISTINCT handle FROM pins")}
        keep = json.dumps(sorted(self._pins.current() | pinned | {new}))
        held = db.execute(
            "SELECT COALESCE(SUM(size), 0) FROM originals WHERE handle IN (SELECT value FROM json_each(?))", (keep,)
        ).fetchone()[0]
        if held > self.max_bytes:
            raise StoreFull(
                f"the original for {new} ({size} bytes) does not fit beside the originals in use within "
                f"max_bytes={self.max_bytes}; open the store with a larger max_bytes"
            )
        total = db.execute("SELECT COALESCE(SUM(size), 0) FROM originals").fetchone()[0]
        while total > self.max_bytes:
            handle, size = db.execute(
                "SELECT handle, size FROM originals WHERE handle NOT IN (SELECT value FROM json_each(?)) "
                "ORDER BY last_access, rowid LIMIT 1",
                (keep,),
            ).fetchone()
            db.execute("DELETE FROM originals WHERE handle = ?", (handle,))
            total -= size

    def get(self, handle: str) -> str:
        text, _, stored = self._fetch(handle)
        if digest(text) != stored or make_handle(text) != handle:
            raise IntegrityError(
                f"the original stored for {handle} in {self.path} no longer matches its hash (changed on disk); "
                "call store.verify() to list damaged originals and store.repair() to drop them, "
                "then compress the source again"
            )
        return text

    def get_meta(self, handle: str) -> dict[str, str]:
        meta: dict[str, str] = json.loads(self._fetch(handle)[1])
        return meta

    def _fetch(self, handle: str) -> tuple[str, str, str]:
        """Text, meta and digest of ``handle``: a plain read, no write lock (a read-only file stays readable).

        Expiry deletion and the LRU touch are best-effort writes that never wait
        for another writer: a read must not queue behind a long batch.
        """
        now = self._clock()

        def read() -> tuple[str | bytes, str, str, float] | None:
            with self._guard():
                row = (
                    self._connect()
                    .execute("SELECT text, meta, digest, created_at FROM originals WHERE handle = ?", (handle,))
                    .fetchone()
                )
            return None if row is None else (row[0], row[1], row[2], row[3])

        row = self._with_retries(read)
        if row is None:
            raise HandleNotFound(handle)
        if self._expired(row[3], now):
            self._try_write("DELETE FROM originals WHERE handle = ?", (handle,))
            raise HandleExpired(handle)
        if self.max_bytes is not None:
            self._try_write("UPDATE originals SET last_access = ? WHERE handle = ?", (now, handle))
        return _decode(row[0]), row[1], row[2]

    def _try_write(self, statement: str, values: tuple[object, ...]) -> None:
        """One write if the lock is free right now; skipped otherwise (a stale LRU time, a later purge)."""
        if self.read_only:
            return
        with self._guard():
            db = self._connect()
            try:
                db.execute("PRAGMA busy_timeout = 0")
                db.execute(statement, values)
            except sqlite3.Error:
                pass
            finally:
                db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")

    def _expired(self, created: float, now: float) -> bool:
        return self.ttl is not None and now - created > self.ttl

    def purge_expired(self) -> int:
        """Delete every expired original; returns how many went."""
        if self.ttl is None:
            return 0
        ttl = self.ttl

        with self._transaction() as db:
            count: int = db.execute("DELETE FROM originals WHERE created_at < ?", (self._clock() - ttl,)).rowcount
        return count

    def __contains__(self, handle: object) -> bool:
        if not isinstance(handle, str):
            return False
        row = self._read_all("SELECT created_at FROM originals WHERE handle = ?", (handle,))
        return bool(row) and not self._expired(row[0][0], self._clock())

    def __len__(self) -> int:
        count: int = self._read_all("SELECT COUNT(*) FROM originals", ())[0][0]
        return count

    def migrations(self) -> list[str]:
        """Names of the migrations applied to this database, in order."""
        return [row[0] for row in self._read_all("SELECT name FROM _migrations ORDER BY name", ())]

    def _read_all(self, statement: str, values: tuple[object, ...]) -> list[tuple[Any, ...]]:
        def read() -> list[tuple[Any, ...]]:
            with self._guard():
                return self._connect().execute(statement, values).fetchall()

        return self._with_retries(read)

    def verify(self) -> list[str]:
        """Handles whose original no longer hashes to them (empty when healthy)."""
        rows = self._read_all("SELECT handle, digest, text FROM originals ORDER BY handle", ())
        return [h for h, d, text in rows if not isinstance(text, (str, bytes)) or _damaged(h, d, _decode(text))]

    def repair(self) -> list[str]:
        """Delete every original ``verify`` finds damaged; returns their handles (their markers stop resolving).

        The repair path: ``verify()`` lists, ``repair()`` removes, and compressing
        the source again stores a good copy under the same handle.
        """
        bad = self.verify()
        if bad:
            with self._transaction() as db:
                db.executemany("DELETE FROM originals WHERE handle = ?", [(h,) for h in bad])
        return bad

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


def _damaged(handle: str, stored: str, text: str) -> bool:
    return digest(text) != stored or make_handle(text) != handle


def _busy(error: sqlite3.Error) -> bool:
    return isinstance(error, sqlite3.OperationalError) and ("locked" in str(error) or "busy" in str(error))


def _check_path(path: str) -> bool:
    """Raise a StoreError for a path that cannot hold a database; True when it can only be read."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise StoreError(
            f"{path} is a directory; pass the path of a database file, e.g. {os.path.join(path, 'headroom.db')}"
        )
    if not os.path.isdir(folder):
        raise StoreError(f"the folder {folder} does not exist; create it first (os.makedirs) or choose another path")
    if os.path.exists(path):
        return not os.access(path, os.W_OK) or not os.access(folder, os.W_OK)
    if not os.access(folder, os.W_OK):
        raise StoreError(f"cannot create {path}: the folder {folder} is not writable; choose a writable path")
    return False
