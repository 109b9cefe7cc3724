"""The memory API written once: what ``AgentMemory`` (SQLite) and ``PostgresMemory`` share.

The two backends differ in few places, and each names them as class
attributes or small methods: the driver's placeholder (``?`` or ``%s``: the
SQL here is written with ``?`` and translated once), how the text column
reads (``text`` or compressed ``body``), how a text enters the search index
(FTS5 or postings in SQLite, a ``tsvector`` in PostgreSQL) and how the best
matches are ranked. Everything else (argument checks, keeping with
provenance, forgetting, recall, history, export and import, the hits a search
returns) is here, so the backends cannot drift apart.

``MemoryBase`` is a mixin listed before the store class
(``class AgentMemory(MemoryBase, SQLiteStore)``), so its ``put`` is the one a
``Headroom`` calls; it reaches the store's ``_transaction``, ``_put``,
``get`` and ``get_meta`` through the MRO and defines none of them itself.
Both drivers' ``execute`` returns a cursor, so ``db.execute(...).fetchall()``
reads the same on either.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from headroom.errors import HandleExpired, HandleForgotten, HandleNotFound, IntegrityError, StoreError
from headroom.handles import make_handle, parse_handle
from headroom.manifest import Degradation
from headroom.memory import common
from headroom.memory.common import (
    ALL_NAMESPACES,
    COMPRESSED,
    NOTE,
    MemoryHit,
    MemoryRecord,
    Provenance,
    Query,
    parse_query,
)
from headroom.secrets import redact

__all__ = ["MemoryBase", "searchable_text"]

_T = TypeVar("_T")
_PROVENANCE = "v.handle, v.agent, v.kind, v.first_seen, v.last_seen, v.times, v.meta, v.namespace"


def searchable_text(text: str) -> str:
    """What the search index holds for ``text``: the text with its secrets redacted (``headroom.secrets``).

    The original is kept as it is for ``recall``; a key or password in it must
    not become findable by searching for it (or for a prefix of it), so the
    index never sees one. Only the index reads this form.
    """
    return redact(text).text


class MemoryBase:
    """The ``AgentMemory`` API over any store that has ``_transaction``, ``_put``, ``get`` and ``get_meta``."""

    _mark: ClassVar[str] = "?"  # the driver's placeholder
    _least: ClassVar[str] = "MIN"  # the scalar min/max of two values in the dialect
    _greatest: ClassVar[str] = "MAX"
    _lock_row: ClassVar[str] = ""  # appended to a SELECT whose row is then updated (SQLite's write lock suffices)
    _text_column: ClassVar[str] = "text"
    _opened_as: ClassVar[str] = "AgentMemory(path"

    agent: str | None
    namespace: str
    degradations: tuple[Degradation, ...]
    ttl: float | None
    _clock: Callable[[], float]

    if TYPE_CHECKING:  # provided by the store class after this mixin in the MRO

        def _transaction(self) -> Any: ...  # a context manager giving a connection or cursor
        def _put(self, db: Any, handle: str, original: str, meta: Mapping[str, str] | None, now: float) -> bool: ...
        def get(self, handle: str) -> str: ...

    # -- what a backend provides ---------------------------------------------------------------------------

    def _read(self) -> AbstractContextManager[Any]:
        """One consistent snapshot for several statements."""
        raise NotImplementedError

    def _index(self, db: Any, handle: str, text: str) -> None:
        """Make the search index hold ``searchable_text(text)`` for ``handle`` (inside the write)."""
        raise NotImplementedError

    def _best(
        self, db: Any, query: Query, namespace: str, chosen: dict[str, str], count: int
    ) -> list[tuple[str, float]]:
        """The ``count`` best (handle, score) in scope, best first."""
        raise NotImplementedError

    def _decode(self, stored: Any) -> str:
        return str(stored)

    @property
    def _index_table(self) -> str:
        """The table ``_counts`` reports as the index."""
        return "memory_docs"

    # -- shared -------------------------------------------------------------------------------------------

    def _sql(self, statement: str) -> str:
        return statement if self._mark == "?" else statement.replace("?", self._mark)

    def _init_memory(self, agent: str | None, namespace: str) -> None:
        self.agent = None if agent is None else common.check_name(agent, "agent")
        self.namespace = common.check_namespace(namespace)
        self.degradations = ()

    def remember(
        self,
        text: str,
        *,
        agent: str | None = None,
        kind: str = NOTE,
        namespace: str | None = None,
        meta: Mapping[str, str] | None = None,
    ) -> str:
        """Keep ``text`` (once, whoever keeps it too) and return its handle; records who kept it, where."""
        text = common.check_text(text)
        handle = make_handle(text)
        space = self.namespace if namespace is None else common.check_namespace(namespace)
        self._keep(handle, text, common.check_meta(meta), self._agent(agent), common.check_name(kind, "kind"), space)
        return handle

    def put(self, handle: str, original: str, *, meta: Mapping[str, str] | None = None) -> None:
        self._keep(handle, original, common.check_meta(meta), self._agent(None), COMPRESSED, self.namespace)

    def _keep(self, handle: str, text: str, meta: dict[str, str], agent: str, kind: str, namespace: str) -> None:
        with self._transaction() as db:
            now = self._clock()
            if not self._put(db, handle, text, meta, now) and meta:
                self._merge_meta(db, handle, meta)
            self._index(db, handle, text)
            self._record(db, [Provenance(handle, agent, kind, now, now, 1, meta, namespace)])

    def _record(self, db: Any, records: Iterable[Provenance]) -> None:
        """Add provenance records; one already there widens its times and adds its count."""
        statement = self._sql(
            f"""INSERT INTO memory_provenance VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (handle, namespace, agent, kind) DO UPDATE
            SET first_seen = {self._least}(memory_provenance.first_seen, excluded.first_seen),
                last_seen = {self._greatest}(memory_provenance.last_seen, excluded.last_seen),
                times = memory_provenance.times + excluded.times"""
        )
        for p in records:
            values = (p.handle, p.namespace, p.agent, p.kind, p.first_seen, p.last_seen, p.times)
            db.execute(statement, (*values, json.dumps(dict(p.meta), sort_keys=True)))

    def _merge_meta(self, db: Any, handle: str, meta: dict[str, str]) -> None:
        """Keys the first keeper did not give are added (a content type a note lacked); none is overwritten."""
        row = db.execute(self._sql(f"SELECT meta FROM originals WHERE handle = ?{self._lock_row}"), (handle,))
        stored: dict[str, str] = json.loads(row.fetchone()[0])
        merged = {**meta, **stored}
        if merged != stored:
            statement = self._sql("UPDATE originals SET meta = ? WHERE handle = ?")
            db.execute(statement, (json.dumps(merged, sort_keys=True), handle))

    def forget(
        self,
        handle: str | None = None,
        *,
        agent: str | None = None,
        kind: str | None = None,
        namespace: str | None = None,
        before: float | None = None,
    ) -> int:
        """Forget ``handle`` for everyone, or the provenance records matching every filter given.

        Filters remove those records (``before``: last seen before that time);
        an original left with no record goes, index rows with it. A forgotten
        handle then raises ``HandleForgotten``. Returns how many originals went.
        """
        chosen = common.check_forget(handle, agent, kind, namespace, before)
        with self._transaction() as db:
            if handle is not None:
                handle = parse_handle(handle)
                deleted = db.execute(self._sql("DELETE FROM originals WHERE handle = ?"), (handle,)).rowcount
                gone = [handle] if deleted else []
            else:
                where = [f"{column} = ?" for column in chosen] + ([] if before is None else ["last_seen < ?"])
                params = [*chosen.values(), *([] if before is None else [before])]
                condition = " AND ".join(where)
                touched = db.execute(
                    self._sql(f"SELECT DISTINCT handle FROM memory_provenance WHERE {condition} ORDER BY handle"),
                    params,
                ).fetchall()
                db.execute(self._sql(f"DELETE FROM memory_provenance WHERE {condition}"), params)
                left = self._sql("SELECT 1 FROM memory_provenance WHERE handle = ?")
                gone = [h for (h,) in touched if db.execute(left, (h,)).fetchone() is None]
                for h in gone:
                    db.execute(self._sql("DELETE FROM originals WHERE handle = ?"), (h,))
            now = self._clock()
            remember = self._sql(
                "INSERT INTO memory_forgotten VALUES (?, ?) "
                "ON CONFLICT (handle) DO UPDATE SET forgotten_at = excluded.forgotten_at"
            )
            for h in gone:
                db.execute(remember, (h, now))
        return len(gone)

    def recall(self, handle: str) -> str:
        """The exact text behind ``handle``, whichever agent kept it (a handle is its own permission)."""
        return self.get(parse_handle(handle))

    def _unless_forgotten(self, fetch: Callable[[str], _T], handle: str) -> _T:
        """``fetch(handle)``; a miss on a handle ``forget`` removed says so (``HandleForgotten``)."""
        try:
            return fetch(handle)
        except HandleExpired:
            raise
        except HandleNotFound:
            with self._read() as db:
                statement = self._sql("SELECT forgotten_at FROM memory_forgotten WHERE handle = ?")
                row = db.execute(statement, (handle,)).fetchone()
            if row is not None:
                raise HandleForgotten(handle, row[0]) from None
            raise

    def search(
        self,
        query: str,
        *,
        agent: str | None = None,
        kind: str | None = None,
        namespace: str | None = None,
        limit: int = 10,
    ) -> list[MemoryHit]:
        """The ``limit`` best matches for ``query``, best first (ties by handle).

        ``query`` holds words, ``"phrases"`` and ``prefix*`` terms; a text matching
        any of them is a hit, and texts holding every one of them come first.
        ``agent``, ``kind`` and ``namespace`` keep what one provenance record
        matching all of them kept (``namespace`` defaults to this instance's;
        ``"*"`` is every namespace).
        """
        parsed = parse_query(query)
        count = common.check_limit(limit)
        space = self._scope_namespace(namespace)
        chosen = common.filters(agent, kind)
        with self._read() as db:
            return [
                MemoryHit(
                    handle, score, common.preview(self._text(db, handle), parsed), self._agents(db, handle, space)
                )
                for handle, score in self._best(db, parsed, space, chosen, count)
            ]

    def provenance(self, handle: str, *, namespace: str | None = None) -> list[Provenance]:
        """Every agent that kept ``handle`` in the namespace (``"*"``: any), as which kind, when; oldest first."""
        handle = parse_handle(handle)
        space = self._scope_namespace(namespace)
        with self._read() as db:
            row = db.execute(self._sql("SELECT created_at FROM originals WHERE handle = ?"), (handle,)).fetchone()
            if row is None:
                statement = self._sql("SELECT forgotten_at FROM memory_forgotten WHERE handle = ?")
                forgotten = db.execute(statement, (handle,)).fetchone()
                raise HandleNotFound(handle) if forgotten is None else HandleForgotten(handle, forgotten[0])
            if row[0] < self._oldest_live():
                raise HandleExpired(handle)
            where, params = ("", []) if space == ALL_NAMESPACES else (" AND namespace = ?", [space])
            rows = db.execute(
                self._sql(
                    f"SELECT {_PROVENANCE} FROM memory_provenance v WHERE handle = ?{where} "
                    "ORDER BY first_seen, agent, kind, namespace"
                ),
                [handle, *params],
            ).fetchall()
        return [common.provenance_of(r) for r in rows]

    def history(
        self,
        *,
        agent: str | None = None,
        kind: str | None = None,
        namespace: str | None = None,
        since: float | None = None,
        limit: int = 100,
    ) -> list[Provenance]:
        """What was kept, most recently seen first: by ``agent``, of ``kind``, in ``namespace``, since ``since``."""
        count = common.check_limit(limit)
        space = self._scope_namespace(namespace)
        where = ["o.created_at >= ?", "v.last_seen >= ?"]
        params: list[object] = [self._oldest_live(), -math.inf if since is None else since]
        chosen = common.filters(agent, kind)
        if space != ALL_NAMESPACES:
            chosen["namespace"] = space
        for column, value in chosen.items():
            where.append(f"v.{column} = ?")
            params.append(value)
        with self._read() as db:
            rows = db.execute(
                self._sql(
                    f"SELECT {_PROVENANCE} FROM memory_provenance v JOIN originals o ON o.handle = v.handle "
                    f"WHERE {' AND '.join(where)} ORDER BY v.last_seen DESC, v.handle, v.agent, v.kind LIMIT ?"
                ),
                [*params, count],
            ).fetchall()
        return [common.provenance_of(r) for r in rows]

    def export(self) -> Iterator[MemoryRecord]:
        """Every live original with its meta, creation time and every provenance record, by handle."""
        with self._read() as db:
            originals = db.execute(
                f"SELECT handle, {self._text_column}, meta, created_at FROM originals ORDER BY handle"
            ).fetchall()
            records: dict[str, list[Provenance]] = {}
            statement = f"SELECT {_PROVENANCE} FROM memory_provenance v ORDER BY handle, first_seen, agent, kind"
            for row in db.execute(statement).fetchall():
                records.setdefault(row[0], []).append(common.provenance_of(row))
        oldest = self._oldest_live()
        for handle, stored, meta, created in originals:
            if created >= oldest:
                text = self._decode(stored)
                yield MemoryRecord(handle, text, json.loads(meta), created, tuple(records.get(handle, ())))

    def import_records(self, records: Iterable[MemoryRecord]) -> int:
        """Keep every record as it was (times, agents, namespaces); each text must hash to its handle."""
        count = 0
        for record in records:
            if make_handle(record.text) != record.handle:
                raise IntegrityError(
                    f"{record.handle} does not hash to its text: the source store is damaged; run verify() on it"
                )
            with self._transaction() as db:
                self._put(db, record.handle, record.text, record.meta, record.created_at)
                self._index(db, record.handle, record.text)
                self._record(db, record.provenance)
            count += 1
        return count

    def _scope_namespace(self, namespace: str | None) -> str:
        if namespace is None:
            return self.namespace
        return ALL_NAMESPACES if namespace == ALL_NAMESPACES else common.check_namespace(namespace)

    def _agent(self, agent: str | None) -> str:
        if agent is not None:
            return common.check_name(agent, "agent")
        if self.agent is None:
            raise StoreError(
                f"no agent to record as the keeper: open the memory as {self._opened_as}, agent='worker-1'), "
                "or pass remember(text, agent='worker-1')"
            )
        return self.agent

    def _oldest_live(self) -> float:
        return -math.inf if self.ttl is None else self._clock() - self.ttl

    def _text(self, db: Any, handle: str) -> str:
        statement = self._sql(f"SELECT {self._text_column} FROM originals WHERE handle = ?")
        return self._decode(db.execute(statement, (handle,)).fetchone()[0])

    def _agents(self, db: Any, handle: str, namespace: str) -> tuple[str, ...]:
        where, params = ("", []) if namespace == ALL_NAMESPACES else (" AND namespace = ?", [namespace])
        statement = self._sql(f"SELECT DISTINCT agent FROM memory_provenance WHERE handle = ?{where} ORDER BY agent")
        return tuple(agent for (agent,) in db.execute(statement, [handle, *params]).fetchall())

    def _counts(self) -> dict[str, int]:
        """Rows per table of the memory (tests check that nothing outlives its original)."""
        tables = {
            "originals": "originals",
            "docs": "memory_docs",
            "index": self._index_table,
            "provenance": "memory_provenance",
            "forgotten": "memory_forgotten",
        }
        with self._read() as db:
            return {name: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for name, table in tables.items()}
