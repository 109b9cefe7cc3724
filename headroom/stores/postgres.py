"""A store on PostgreSQL: originals that agents on several machines share (the ``headroom[postgres]`` extra).

psycopg 3 with a ``psycopg_pool.ConnectionPool``: each call borrows a
connection for one transaction, so threads of one process share a few
connections and many processes (or machines) share the server. The text is
kept as UTF-8 ``bytea``, not ``text``, because PostgreSQL text cannot hold
NUL characters and a store must give back every original byte for byte.
The schema changes only through named migrations, applied once under an
advisory lock so agents opening the database together do not race; a size
limit evicts under a second advisory lock, so two writers never both decide
the total is fine.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from headroom.errors import HandleExpired, HandleNotFound, MissingExtra, StoreError
from headroom.handles import digest, make_handle
from headroom.stores.base import check_same_original

if TYPE_CHECKING:
    from psycopg import Cursor

__all__ = ["MIGRATIONS", "PostgresStore"]

_S = TypeVar("_S", bound="PostgresStore")
_MIGRATION_LOCK = 0x68726D31  # pg_advisory_xact_lock keys: any constants, the same in every process
_EVICTION_LOCK = 0x68726D32

Migration = tuple[str, Callable[["Cursor[Any]"], None]]


def _create_originals(cur: Cursor[Any]) -> None:
    cur.execute(
        """CREATE TABLE originals (
            handle text PRIMARY KEY,
            digest text NOT NULL,
            body bytea NOT NULL,
            meta text NOT NULL DEFAULT '{}',
            size bigint NOT NULL,
            created_at double precision NOT NULL,
            last_access double precision NOT NULL
        )"""
    )
    cur.execute("CREATE INDEX originals_last_access ON originals (last_access)")


MIGRATIONS: tuple[Migration, ...] = (("0001_create_originals", _create_originals),)


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def decode(body: bytes | memoryview) -> str:
    return bytes(body).decode("utf-8", "surrogatepass")


class PostgresStore:
    """Originals in the PostgreSQL database ``conninfo`` names (a libpq string or ``postgresql://`` URL).

    ``pool_size`` bounds the connections this instance holds; ``ttl``,
    ``max_bytes`` and ``clock`` mean what they mean for ``SQLiteStore`` (the
    clock must agree across machines that share a TTL: pass ``time.time``).
    """

    schema_migrations: ClassVar[tuple[Migration, ...]] = MIGRATIONS
    kind = "postgres"

    def __init__(
        self,
        conninfo: str,
        *,
        ttl: float | None = None,
        max_bytes: int | None = None,
        clock: Callable[[], float] = time.time,
        pool_size: int = 4,
    ) -> None:
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError as error:
            raise MissingExtra("PostgresStore", "postgres") from error
        names = [name for name, _ in self.schema_migrations]
        if len(set(names)) != len(names):
            raise StoreError(f"duplicate migration names in {names}; every migration needs its own name")
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 1:
            raise StoreError(f"pool_size must be a positive int, got {pool_size!r}")
        self.conninfo = conninfo
        self.ttl = ttl
        self.max_bytes = max_bytes
        self._clock = clock
        self._closed = True
        # One plain connection first: a wrong conninfo fails here at once (a pool would retry until its
        # timeout), and the migrations run on it under an advisory lock before any pooled work starts.
        try:
            first = psycopg.connect(conninfo)
        except psycopg.Error as error:  # OperationalError (no server), ProgrammingError (a malformed conninfo)
            raise StoreError(
                f"cannot connect to PostgreSQL ({str(error).strip()}); "
                "check the conninfo and that the server is running"
            ) from error
        with first, first.cursor() as cur:
            self._migrate(cur)
        self._pool: ConnectionPool[Any] = ConnectionPool(
            conninfo, min_size=1, max_size=pool_size, open=False, name="headroom"
        )
        self._pool.open(wait=True, timeout=30)
        self._closed = False

    def _migrate(self, cur: Cursor[Any]) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        cur.execute("CREATE TABLE IF NOT EXISTS _migrations (name text PRIMARY KEY, applied_at double precision)")
        cur.execute("SELECT name FROM _migrations")
        done = {row[0] for row in cur.fetchall()}
        for name, migrate in self.schema_migrations:
            if name not in done:
                migrate(cur)
                cur.execute("INSERT INTO _migrations VALUES (%s, %s)", (name, time.time()))

    @contextmanager
    def _transaction(self) -> Iterator[Cursor[Any]]:
        """One transaction on a pooled connection: committed on return, rolled back on an exception."""
        if self._closed:
            raise StoreError("this PostgresStore is closed; open a new one")
        with self._pool.connection() as conn, conn.cursor() as cur:
            yield cur

    def put(self, handle: str, original: str, *, meta: Mapping[str, str] | None = None) -> None:
        with self._transaction() as cur:
            self._put(cur, handle, original, meta, self._clock())

    def _put(self, cur: Cursor[Any], handle: str, original: str, meta: Mapping[str, str] | None, now: float) -> bool:
        """``put`` inside the caller's transaction; True when the original is new here."""
        body = encode(original)
        if self.max_bytes is not None and len(body) > self.max_bytes:
            raise StoreError(
                f"the original for {handle} is {len(body)} bytes, more than this store's max_bytes={self.max_bytes}; "
                "open the store with a larger max_bytes"
            )
        full = digest(original)
        row = ("", -1.0)
        for _ in range(2):  # a second round only after deleting an expired copy
            cur.execute(
                "INSERT INTO originals VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (handle) DO NOTHING",
                (handle, full, body, json.dumps(dict(meta or {}), sort_keys=True), len(body), now, now),
            )
            if cur.rowcount == 1:
                if self.max_bytes is not None:
                    self._evict(cur)
                return True
            cur.execute("SELECT digest, created_at FROM originals WHERE handle = %s FOR UPDATE", (handle,))
            found = cur.fetchone()
            if found is None:  # deleted by another agent between the two statements
                continue
            row = found
            if not self._expired(row[1], now):
                break
            cur.execute("DELETE FROM originals WHERE handle = %s", (handle,))
        check_same_original(handle, row[0], full)
        cur.execute("UPDATE originals SET last_access = %s WHERE handle = %s", (now, handle))
        return False

    def _evict(self, cur: Cursor[Any]) -> None:
        assert self.max_bytes is not None
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (_EVICTION_LOCK,))
        cur.execute("SELECT COALESCE(SUM(size), 0) FROM originals")
        total = int(cur.fetchone()[0])  # type: ignore[index]
        while total > self.max_bytes:
            cur.execute("SELECT handle, size FROM originals ORDER BY last_access, created_at, handle LIMIT 1")
            handle, size = cur.fetchone()  # type: ignore[misc]
            cur.execute("DELETE FROM originals WHERE handle = %s", (handle,))
            total -= size

    def get(self, handle: str) -> str:
        return decode(self._fetch(handle)[0])

    def get_meta(self, handle: str) -> dict[str, str]:
        meta: dict[str, str] = json.loads(self._fetch(handle)[1])
        return meta

    def _fetch(self, handle: str) -> tuple[bytes, str]:
        now = self._clock()
        with self._transaction() as cur:
            cur.execute("SELECT body, meta, created_at FROM originals WHERE handle = %s", (handle,))
            row = cur.fetchone()
            if row is None:
                raise HandleNotFound(handle)
            expired = self._expired(row[2], now)
            if expired:
                cur.execute("DELETE FROM originals WHERE handle = %s", (handle,))
            else:
                cur.execute("UPDATE originals SET last_access = %s WHERE handle = %s", (now, handle))
        if expired:
            raise HandleExpired(handle)
        return row[0], row[1]

    def _expired(self, created: float, now: float) -> bool:
        return self.ttl is not None and now - created > self.ttl

    def purge_expired(self) -> int:
        """Delete every expired original; returns how many went."""
        if self.ttl is None:
            return 0
        with self._transaction() as cur:
            cur.execute("DELETE FROM originals WHERE created_at < %s", (self._clock() - self.ttl,))
            return cur.rowcount

    def __contains__(self, handle: object) -> bool:
        if not isinstance(handle, str):
            return False
        with self._transaction() as cur:
            cur.execute("SELECT created_at FROM originals WHERE handle = %s", (handle,))
            row = cur.fetchone()
        return row is not None and not self._expired(row[0], self._clock())

    def __len__(self) -> int:
        with self._transaction() as cur:
            cur.execute("SELECT COUNT(*) FROM originals")
            count: int = cur.fetchone()[0]  # type: ignore[index]
        return count

    def migrations(self) -> list[str]:
        """Names of the migrations applied to this database, in order."""
        with self._transaction() as cur:
            cur.execute("SELECT name FROM _migrations ORDER BY name")
            return [row[0] for row in cur.fetchall()]

    def verify(self) -> list[str]:
        """Handles whose original no longer hashes to them (empty when healthy)."""
        with self._transaction() as cur:
            cur.execute("SELECT handle, digest, body FROM originals ORDER BY handle")
            rows = cur.fetchall()
        return [h for h, d, body in rows if digest(decode(body)) != d or make_handle(decode(body)) != h]

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._pool.close()

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
