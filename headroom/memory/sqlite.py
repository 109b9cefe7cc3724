"""Cross-agent memory in one SQLite file that several agents (threads or processes) share.

What an agent learns (a tool output it fetched, a note) is kept once per
content, under the same content-addressed handle headroom uses everywhere;
each agent that keeps it adds a provenance record (which namespace, who, what
kind, when), not a second copy. ``AgentMemory`` is a ``SQLiteStore`` with more
tables in the same file, so ``Headroom(store=AgentMemory(path, agent="w1"))``
keeps its originals here and a marker one agent's ``compress`` wrote resolves
for every agent that opens the file.

Search runs on SQLite's FTS5 (a contentless table, ``porter unicode61``
tokens, ``bm25()`` ranking) wherever the build has it, checked once at open.
Contentless because the text is already in ``originals``: the index holds
only tokens and positions. A trigger on ``originals`` indexes every original
whoever writes it (a plain ``SQLiteStore`` too) and removes its index rows and
provenance whichever code path deletes it (TTL, size limit, ``forget``). A
SQLite without FTS5 falls back to the plain-table BM25 index
(``headroom.memory.table_index``), and the memory records that as a
degradation; a file already moved to FTS5 refuses to open there rather than
fail on its first write.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Literal

from headroom.errors import (
    HandleExpired,
    HandleForgotten,
    HandleNotFound,
    IntegrityError,
    InvalidInput,
    StoreError,
)
from headroom.handles import make_handle, parse_handle
from headroom.manifest import Degradation
from headroom.memory import common
from headroom.memory.common import (
    ALL_NAMESPACES,
    COMPRESSED,
    DEFAULT_NAMESPACE,
    NOTE,
    MemoryHit,
    MemoryRecord,
    Provenance,
    parse_query,
)
from headroom.memory.fts5_search import fts5_best
from headroom.memory.table_index import index_text, search_table
from headroom.relevance import terms
from headroom.stores.sqlite import MIGRATIONS, SQLiteStore

__all__ = ["AgentMemory", "fts5_available"]

log = logging.getLogger("headroom.memory")

SearchIndex = Literal["auto", "fts5", "table"]
_FTS5_MIGRATION = "memory_0004_fts5_index"
_PROVENANCE = "v.handle, v.agent, v.kind, v.first_seen, v.last_seen, v.times, v.meta, v.namespace"


@functools.cache
def fts5_available() -> bool:
    """Whether this Python's SQLite was built with FTS5 (asked once per process)."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE VIRTUAL TABLE probe USING fts5(text)")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        db.close()


def _create_memory(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE memory_docs (id INTEGER PRIMARY KEY, handle TEXT NOT NULL UNIQUE, length INTEGER NOT NULL)"
    )
    db.execute(
        """CREATE TABLE memory_postings (
            term TEXT NOT NULL, doc INTEGER NOT NULL, tf INTEGER NOT NULL, PRIMARY KEY (term, doc)
        ) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX memory_postings_doc ON memory_postings (doc)")
    db.execute(
        """CREATE TABLE memory_provenance (
            handle TEXT NOT NULL, agent TEXT NOT NULL, kind TEXT NOT NULL, first_seen REAL NOT NULL,
            last_seen REAL NOT NULL, times INTEGER NOT NULL, meta TEXT NOT NULL, PRIMARY KEY (handle, agent, kind)
        )"""
    )
    db.execute("CREATE INDEX memory_provenance_agent ON memory_provenance (agent, kind)")
    db.execute("CREATE INDEX memory_provenance_last_seen ON memory_provenance (last_seen)")
    _forget_trigger(db, fts=False)


def _forget_trigger(db: sqlite3.Connection, *, fts: bool) -> None:
    unindex = (
        "INSERT INTO memory_fts (memory_fts, rowid, text) SELECT 'delete', id, old.text FROM memory_docs "
        "WHERE handle = old.handle;"
        if fts
        else "DELETE FROM memory_postings WHERE doc IN (SELECT id FROM memory_docs WHERE handle = old.handle);"
    )
    db.execute(
        f"""CREATE TRIGGER memory_forget AFTER DELETE ON originals BEGIN
            {unindex}
            DELETE FROM memory_docs WHERE handle = old.handle;
            DELETE FROM memory_provenance WHERE handle = old.handle;
        END"""
    )


def _index_existing(db: sqlite3.Connection) -> None:
    """Make originals a plain SQLiteStore kept in this file before searchable (they have no provenance)."""
    for handle, text in db.execute("SELECT handle, text FROM originals ORDER BY rowid"):
        index_text(db, handle, Counter(terms(text)))


def _namespaces_and_forgetting(db: sqlite3.Connection) -> None:
    """Provenance gains a namespace (existing records go to ``default``); forgotten handles are remembered."""
    db.execute("DROP TRIGGER memory_forget")
    db.execute("DROP INDEX memory_provenance_agent")
    db.execute("DROP INDEX memory_provenance_last_seen")
    db.execute("ALTER TABLE memory_provenance RENAME TO memory_provenance_0002")
    db.execute(
        """CREATE TABLE memory_provenance (
            handle TEXT NOT NULL, namespace TEXT NOT NULL, agent TEXT NOT NULL, kind TEXT NOT NULL,
            first_seen REAL NOT NULL, last_seen REAL NOT NULL, times INTEGER NOT NULL, meta TEXT NOT NULL,
            PRIMARY KEY (handle, namespace, agent, kind)
        )"""
    )
    db.execute(
        "INSERT INTO memory_provenance SELECT handle, ?, agent, kind, first_seen, last_seen, times, meta "
        "FROM memory_provenance_0002",
        (DEFAULT_NAMESPACE,),
    )
    db.execute("DROP TABLE memory_provenance_0002")
    db.execute("CREATE INDEX memory_provenance_scope ON memory_provenance (namespace, agent, kind)")
    db.execute("CREATE INDEX memory_provenance_last_seen ON memory_provenance (last_seen)")
    db.execute("CREATE TABLE memory_forgotten (handle TEXT PRIMARY KEY, forgotten_at REAL NOT NULL)")
    db.execute(
        "CREATE TRIGGER memory_unforget AFTER INSERT ON originals BEGIN "
        "DELETE FROM memory_forgotten WHERE handle = new.handle; END"
    )
    _forget_trigger(db, fts=False)


def _fts5_index(db: sqlite3.Connection) -> None:
    """Move search to FTS5: index every original, drop the table index's postings, let triggers keep it current."""
    db.execute("CREATE VIRTUAL TABLE memory_fts USING fts5(text, content='', tokenize='porter unicode61')")
    db.execute("DELETE FROM memory_postings")
    db.execute(
        "INSERT INTO memory_docs (handle, length) SELECT handle, 0 FROM originals "
        "WHERE handle NOT IN (SELECT handle FROM memory_docs) ORDER BY rowid"
    )
    db.execute(
        "INSERT INTO memory_fts (rowid, text) SELECT d.id, o.text FROM memory_docs d JOIN originals o USING (handle)"
    )
    db.execute("DROP TRIGGER memory_forget")
    _forget_trigger(db, fts=True)
    db.execute(
        """CREATE TRIGGER memory_fts_insert AFTER INSERT ON originals BEGIN
            INSERT INTO memory_docs (handle, length) VALUES (new.handle, 0);
            INSERT INTO memory_fts (rowid, text) SELECT id, new.text FROM memory_docs WHERE handle = new.handle;
        END"""
    )
    db.execute(
        """CREATE TRIGGER memory_fts_update AFTER UPDATE OF text ON originals BEGIN
            INSERT INTO memory_fts (memory_fts, rowid, text) SELECT 'delete', id, old.text FROM memory_docs
                WHERE handle = old.handle;
            INSERT INTO memory_fts (rowid, text) SELECT id, new.text FROM memory_docs WHERE handle = new.handle;
        END"""
    )


_MEMORY_MIGRATIONS = (
    *MIGRATIONS,
    ("memory_0001_create_index_and_provenance", _create_memory),
    ("memory_0002_index_existing_originals", _index_existing),
    ("memory_0003_namespaces_and_forgetting", _namespaces_and_forgetting),
)


class AgentMemory(SQLiteStore):
    """Originals and notes several agents share, with provenance, dedup by content, namespaces, search, forgetting.

    ``agent`` names who writes through this instance (``remember`` may name
    another per call); ``put``, the call a ``Headroom`` makes, records it with
    kind ``"compressed"``. ``namespace`` (a task or session id) is where this
    instance writes and what it searches; ``namespace="*"`` on a read call
    looks across all. ``search_index`` is ``"auto"`` (FTS5 where the build has
    it), ``"fts5"`` (refuse to open without it) or ``"table"`` (the fallback,
    for a file shared with Pythons that lack FTS5). ``ttl``, ``max_bytes`` and
    ``clock`` are those of ``SQLiteStore``.
    """

    schema_migrations = (*_MEMORY_MIGRATIONS, (_FTS5_MIGRATION, _fts5_index))

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        agent: str | None = None,
        namespace: str = DEFAULT_NAMESPACE,
        search_index: SearchIndex = "auto",
        ttl: float | None = None,
        max_bytes: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.agent = None if agent is None else common.check_name(agent, "agent")
        self.namespace = common.check_namespace(namespace)
        self.degradations: tuple[Degradation, ...] = ()
        if search_index not in ("auto", "fts5", "table"):
            raise InvalidInput(f"search_index must be 'auto', 'fts5' or 'table', got {search_index!r}")
        if search_index == "fts5" and not fts5_available():
            raise StoreError(
                "search_index='fts5' but this Python's SQLite has no FTS5; use a Python whose sqlite3 has it "
                "(python.org, Debian and conda builds do) or search_index='auto'"
            )
        use_fts = search_index != "table" and fts5_available()
        self.search_index: Literal["fts5", "table"] = "fts5" if use_fts else "table"
        if not use_fts:
            # This instance applies fewer steps than the class lists: a file without FTS5 stays on the table index.
            self.schema_migrations = _MEMORY_MIGRATIONS  # type: ignore[misc]
        super().__init__(path, ttl=ttl, max_bytes=max_bytes, clock=clock)
        if not use_fts and _FTS5_MIGRATION in self.migrations():
            self.close()
            raise StoreError(
                f"the memory at {self.path} searches with FTS5, which "
                + ("this Python's SQLite lacks" if search_index == "auto" else "search_index='table' would bypass")
                + "; open it with search_index='auto' on a Python whose sqlite3 has FTS5"
            )
        if search_index == "auto" and not use_fts:
            detail = "this Python's SQLite has no FTS5: search uses the plain-table BM25 index (no stemming)"
            self.degradations = (Degradation(kind="memory-search-fallback", detail=detail),)
            log.warning("AgentMemory at %s: %s", self.path, detail)

    # -- writing ---------------------------------------------------------------------------------------------

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
        # The table index tokenizes in Python, before the write lock is taken: a large text takes a while.
        table = self.search_index == "table"
        counts = Counter(terms(text)) if table and not self._indexed(handle) else None
        with self._transaction() as db:
            now = self._clock()
            if not self._put(db, handle, text, meta, now) and meta:
                self._merge_meta(db, handle, meta)
            if table and db.execute("SELECT 1 FROM memory_docs WHERE handle = ?", (handle,)).fetchone() is None:
                index_text(db, handle, counts if counts is not None else Counter(terms(text)))
            db.execute(
                """INSERT INTO memory_provenance VALUES (?, ?, ?, ?, ?, ?, 1, ?)
                ON CONFLICT (handle, namespace, agent, kind)
                DO UPDATE SET last_seen = excluded.last_seen, times = times + 1""",
                (handle, namespace, agent, kind, now, now, json.dumps(meta, sort_keys=True)),
            )

    def _merge_meta(self, db: sqlite3.Connection, handle: str, meta: dict[str, str]) -> None:
        """Keys the first keeper did not give are added (a content type a note lacked); none is overwritten."""
        stored: dict[str, str] = json.loads(
            db.execute("SELECT meta FROM originals WHERE handle = ?", (handle,)).fetchone()[0]
        )
        merged = {**meta, **stored}
        if merged != stored:
            db.execute("UPDATE originals SET meta = ? WHERE handle = ?", (json.dumps(merged, sort_keys=True), handle))

    def _indexed(self, handle: str) -> bool:
        with self._read() as db:
            return db.execute("SELECT 1 FROM memory_docs WHERE handle = ?", (handle,)).fetchone() is not None

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
                gone = [handle] if db.execute("DELETE FROM originals WHERE handle = ?", (handle,)).rowcount else []
            else:
                where = [f"{column} = ?" for column in chosen] + ([] if before is None else ["last_seen < ?"])
                params = [*chosen.values(), *([] if before is None else [before])]
                condition = " AND ".join(where)
                touched = [
                    h for (h,) in db.execute(f"SELECT DISTINCT handle FROM memory_provenance WHERE {condition}", params)
                ]
                db.execute(f"DELETE FROM memory_provenance WHERE {condition}", params)
                gone = [
                    h
                    for h in touched
                    if db.execute("SELECT 1 FROM memory_provenance WHERE handle = ?", (h,)).fetchone() is None
                ]
                db.executemany("DELETE FROM originals WHERE handle = ?", [(h,) for h in gone])
            now = self._clock()
            db.executemany("INSERT OR REPLACE INTO memory_forgotten VALUES (?, ?)", [(h, now) for h in gone])
        return len(gone)

    # -- reading ---------------------------------------------------------------------------------------------

    def recall(self, handle: str) -> str:
        """The exact text behind ``handle``, whichever agent kept it (a handle is its own permission)."""
        return self.get(parse_handle(handle))

    def get(self, handle: str) -> str:
        try:
            return super().get(handle)
        except HandleExpired:
            raise
        except HandleNotFound:
            self._raise_if_forgotten(handle)
            raise

    def get_meta(self, handle: str) -> dict[str, str]:
        try:
            return super().get_meta(handle)
        except HandleExpired:
            raise
        except HandleNotFound:
            self._raise_if_forgotten(handle)
            raise

    def _raise_if_forgotten(self, handle: str) -> None:
        with self._read() as db:
            row = db.execute("SELECT forgotten_at FROM memory_forgotten WHERE handle = ?", (handle,)).fetchone()
        if row is not None:
            raise HandleForgotten(handle, row[0]) from None

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
        any of them is a hit. ``agent``, ``kind`` and ``namespace`` keep what one
        provenance record matching all of them kept (``namespace`` defaults to
        this instance's; ``"*"`` is every namespace).
        """
        parsed = parse_query(query)
        count = common.check_limit(limit)
        space = self._scope_namespace(namespace)
        scope, params = common.scope(space, common.filters(agent, kind), "d.handle", "?")
        where = ["o.created_at >= ?", *scope]
        params = [self._oldest_live(), *params]
        with self._read() as db:
            if self.search_index == "fts5":
                best = fts5_best(db, parsed, where, params, count)
            else:
                scored = search_table(db, parsed, where, params)
                best = sorted(scored, key=lambda item: (-item[1], item[0]))[:count]
            return [
                MemoryHit(
                    handle, score, common.preview(self._text(db, handle), parsed), self._agents(db, handle, space)
                )
                for handle, score in best
            ]

    def provenance(self, handle: str, *, namespace: str | None = None) -> list[Provenance]:
        """Every agent that kept ``handle`` in the namespace (``"*"``: any), as which kind, when; oldest first."""
        handle = parse_handle(handle)
        space = self._scope_namespace(namespace)
        with self._read() as db:
            row = db.execute("SELECT created_at FROM originals WHERE handle = ?", (handle,)).fetchone()
            if row is None:
                forgotten = db.execute(
                    "SELECT forgotten_at FROM memory_forgotten WHERE handle = ?", (handle,)
                ).fetchone()
                raise HandleNotFound(handle) if forgotten is None else HandleForgotten(handle, forgotten[0])
            if row[0] < self._oldest_live():
                raise HandleExpired(handle)
            where, params = ("", []) if space == ALL_NAMESPACES else (" AND namespace = ?", [space])
            rows = db.execute(
                f"SELECT {_PROVENANCE} FROM memory_provenance v WHERE handle = ?{where} "
                "ORDER BY first_seen, agent, kind, namespace",
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
                f"SELECT {_PROVENANCE} FROM memory_provenance v JOIN originals o ON o.handle = v.handle "
                f"WHERE {' AND '.join(where)} ORDER BY v.last_seen DESC, v.handle, v.agent, v.kind LIMIT ?",
                [*params, count],
            ).fetchall()
        return [common.provenance_of(r) for r in rows]

    def export(self) -> Iterator[MemoryRecord]:
        """Every live original with its meta, creation time and every provenance record, by handle."""
        with self._read() as db:
            originals = db.execute("SELECT handle, text, meta, created_at FROM originals ORDER BY handle").fetchall()
            records: dict[str, list[Provenance]] = {}
            for row in db.execute(f"SELECT {_PROVENANCE} FROM memory_provenance v ORDER BY handle, first_seen, agent"):
                records.setdefault(row[0], []).append(common.provenance_of(row))
        oldest = self._oldest_live()
        for handle, text, meta, created in originals:
            if created >= oldest:
                yield MemoryRecord(handle, text, json.loads(meta), created, tuple(records.get(handle, ())))

    def import_records(self, records: Iterable[MemoryRecord]) -> int:
        """Keep every record as it was (times, agents, namespaces); each text must hash to its handle."""
        count = 0
        for record in records:
            if make_handle(record.text) != record.handle:
                raise IntegrityError(
                    f"{record.handle} does not hash to its text: the source store is damaged; run verify() on it"
                )
            table = self.search_index == "table"
            with self._transaction() as db:
                self._put(db, record.handle, record.text, record.meta, record.created_at)
                if (
                    table
                    and db.execute("SELECT 1 FROM memory_docs WHERE handle = ?", (record.handle,)).fetchone() is None
                ):
                    index_text(db, record.handle, Counter(terms(record.text)))
                db.executemany(
                    """INSERT INTO memory_provenance VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (handle, namespace, agent, kind) DO UPDATE
                    SET first_seen = MIN(first_seen, excluded.first_seen),
                        last_seen = MAX(last_seen, excluded.last_seen), times = times + excluded.times""",
                    [
                        (
                            p.handle,
                            p.namespace,
                            p.agent,
                            p.kind,
                            p.first_seen,
                            p.last_seen,
                            p.times,
                            json.dumps(dict(p.meta), sort_keys=True),
                        )
                        for p in record.provenance
                    ],
                )
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
                "no agent to record as the keeper: open the memory as AgentMemory(path, agent='worker-1'), "
                "or pass remember(text, agent='worker-1')"
            )
        return self.agent

    def _oldest_live(self) -> float:
        return -math.inf if self.ttl is None else self._clock() - self.ttl

    def _counts(self) -> dict[str, int]:
        """Rows per table of the memory (tests check that nothing outlives its original)."""
        index = "memory_fts_docsize" if self.search_index == "fts5" else "memory_postings"
        with self._read() as db:
            return {
                name: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for name, table in (
                    ("originals", "originals"),
                    ("docs", "memory_docs"),
                    ("index", index),
                    ("provenance", "memory_provenance"),
                    ("forgotten", "memory_forgotten"),
                )
            }

    @staticmethod
    def _text(db: sqlite3.Connection, handle: str) -> str:
        text: str = db.execute("SELECT text FROM originals WHERE handle = ?", (handle,)).fetchone()[0]
        return text

    @staticmethod
    def _agents(db: sqlite3.Connection, handle: str, namespace: str) -> tuple[str, ...]:
        where, params = ("", []) if namespace == ALL_NAMESPACES else (" AND namespace = ?", [namespace])
        rows = db.execute(
            f"SELECT DISTINCT agent FROM memory_provenance WHERE handle = ?{where} ORDER BY agent", [handle, *params]
        )
        return tuple(agent for (agent,) in rows)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One consistent snapshot for several statements, without taking the write lock."""
        with self._guard():
            db = self._connect()
            db.execute("BEGIN")
            try:
                yield db
            finally:
                db.execute("COMMIT")
