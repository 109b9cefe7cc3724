"""Cross-agent memory: one SQLite file that several agents (threads or processes) share.

What an agent learns (a tool output it fetched, a note) is kept once per
content, under the same content-addressed handle headroom uses everywhere;
each agent that keeps it adds a provenance record (who, what kind, when), not
a second copy. ``AgentMemory`` is a ``SQLiteStore`` with more tables in the
same file, so ``Headroom(store=AgentMemory(path, agent="worker-1"))`` keeps
its originals here and a marker one agent's ``compress`` wrote resolves for
every agent that opens the file.

Search ranks with BM25 (the terms and formula of ``headroom.relevance``) over
an inverted index kept in ordinary tables, not with SQLite's FTS5: FTS5 is a
compile-time option some Pythons lack, and a Python without it cannot write to
a file whose triggers touch an FTS5 table, while a shared file has to work for
every agent that opens it. One index also ranks the same on every machine and
splits identifiers (``parse_args`` finds ``parse``) as the compressors do.
Index and provenance rows leave with their original (TTL, size limit) by
trigger, whichever code path deletes it.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from headroom.errors import HandleExpired, HandleNotFound, InvalidInput, StoreError
from headroom.handles import make_handle, parse_handle
from headroom.relevance import terms
from headroom.stores.sqlite import MIGRATIONS, SQLiteStore

__all__ = ["COMPRESSED", "NOTE", "AgentMemory", "MemoryHit", "Provenance"]

NOTE = "note"
COMPRESSED = "compressed"  # the kind ``put`` records: an original a Headroom compressed

_K1, _B = 1.2, 0.75  # the Okapi constants headroom.relevance.BM25 uses
_PREVIEW_CHARS = 200
_PROVENANCE = "handle, agent, kind, first_seen, last_seen, times, v.meta"


@dataclass(frozen=True)
class Provenance:
    """One agent keeping one original as one kind: when first and last, how often, with what meta."""

    handle: str
    agent: str
    kind: str
    first_seen: float
    last_seen: float
    times: int
    meta: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class MemoryHit:
    """A search result: the handle to ``recall``, its BM25 score, the line that matched, who kept it."""

    handle: str
    score: float
    preview: str
    agents: tuple[str, ...]


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
            handle TEXT NOT NULL,
            agent TEXT NOT NULL,
            kind TEXT NOT NULL,
            first_seen REAL NOT NULL,
            last_seen REAL NOT NULL,
            times INTEGER NOT NULL,
            meta TEXT NOT NULL,
            PRIMARY KEY (handle, agent, kind)
        )"""
    )
    db.execute("CREATE INDEX memory_provenance_agent ON memory_provenance (agent, kind)")
    db.execute("CREATE INDEX memory_provenance_last_seen ON memory_provenance (last_seen)")
    db.execute(
        """CREATE TRIGGER memory_forget AFTER DELETE ON originals BEGIN
            DELETE FROM memory_postings WHERE doc IN (SELECT id FROM memory_docs WHERE handle = old.handle);
            DELETE FROM memory_docs WHERE handle = old.handle;
            DELETE FROM memory_provenance WHERE handle = old.handle;
        END"""
    )


def _index_existing(db: sqlite3.Connection) -> None:
    """Make originals a plain SQLiteStore kept in this file before searchable (they have no provenance)."""
    for handle, text in db.execute("SELECT handle, text FROM originals ORDER BY rowid"):
        _index(db, handle, Counter(terms(text)))


def _index(db: sqlite3.Connection, handle: str, counts: Counter[str]) -> None:
    doc = db.execute("INSERT INTO memory_docs (handle, length) VALUES (?, ?)", (handle, sum(counts.values()))).lastrowid
    db.executemany("INSERT INTO memory_postings VALUES (?, ?, ?)", ((t, doc, n) for t, n in counts.items()))


class AgentMemory(SQLiteStore):
    """Originals and notes several agents share, with provenance, dedup by content, and search.

    ``agent`` names who writes through this instance (``remember`` may name
    another per call); ``put``, the call a ``Headroom`` makes, records it with
    kind ``"compressed"``. ``ttl``, ``max_bytes`` and ``clock`` are those of
    ``SQLiteStore``: an original that expires or is evicted leaves with its
    provenance and index entries. Open one instance per agent on the same file
    (threads or processes); ``":memory:"`` is private to one instance.
    """

    schema_migrations = (
        *MIGRATIONS,
        ("memory_0001_create_index_and_provenance", _create_memory),
        ("memory_0002_index_existing_originals", _index_existing),
    )

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        agent: str | None = None,
        ttl: float | None = None,
        max_bytes: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.agent = None if agent is None else _name(agent, "agent")
        super().__init__(path, ttl=ttl, max_bytes=max_bytes, clock=clock)

    def remember(
        self, text: str, *, agent: str | None = None, kind: str = NOTE, meta: Mapping[str, str] | None = None
    ) -> str:
        """Keep ``text`` (once, whoever keeps it too) and return its handle; records who kept it."""
        if not isinstance(text, str):
            raise InvalidInput(f"remember() keeps text, got {type(text).__name__}; pass str (json.dumps data first)")
        handle = make_handle(text)
        self._keep(handle, text, _meta(meta), self._agent(agent), _name(kind, "kind"))
        return handle

    def put(self, handle: str, original: str, *, meta: Mapping[str, str] | None = None) -> None:
        self._keep(handle, original, _meta(meta), self._agent(None), COMPRESSED)

    def recall(self, handle: str) -> str:
        """The exact text behind ``handle``, whichever agent kept it."""
        return self.get(parse_handle(handle))

    def _keep(self, handle: str, text: str, meta: dict[str, str], agent: str, kind: str) -> None:
        # Tokenized before the write lock is taken: a large text takes a while.
        counts = None if self._indexed(handle) else Counter(terms(text))
        with self._transaction() as db:
            now = self._clock()
            if not self._put(db, handle, text, meta, now) and meta:
                self._merge_meta(db, handle, meta)
            if db.execute("SELECT 1 FROM memory_docs WHERE handle = ?", (handle,)).fetchone() is None:
                _index(db, handle, counts if counts is not None else Counter(terms(text)))
            db.execute(
                """INSERT INTO memory_provenance VALUES (?, ?, ?, ?, ?, 1, ?)
                ON CONFLICT (handle, agent, kind) DO UPDATE SET last_seen = excluded.last_seen, times = times + 1""",
                (handle, agent, kind, now, now, json.dumps(meta, sort_keys=True)),
            )

    def _merge_meta(self, db: sqlite3.Connection, handle: str, meta: dict[str, str]) -> None:
        """Keys the first keeper did not give are added (a content type a note lacked); none is overwritten."""
        row = db.execute("SELECT meta FROM originals WHERE handle = ?", (handle,)).fetchone()
        stored: dict[str, str] = json.loads(row[0])
        merged = {**meta, **stored}
        if merged != stored:
            db.execute("UPDATE originals SET meta = ? WHERE handle = ?", (json.dumps(merged, sort_keys=True), handle))

    def _indexed(self, handle: str) -> bool:
        with self._read() as db:
            return db.execute("SELECT 1 FROM memory_docs WHERE handle = ?", (handle,)).fetchone() is not None

    def search(
        self, query: str, *, agent: str | None = None, kind: str | None = None, limit: int = 10
    ) -> list[MemoryHit]:
        """The ``limit`` best matches for ``query`` by BM25, best first (ties by handle).

        ``agent`` and ``kind`` keep only what that agent kept, or kept as that kind.
        """
        if not isinstance(query, str):
            raise InvalidInput(f"search() takes a query string, got {type(query).__name__}")
        count = _limit(limit)
        wanted = sorted(set(terms(query)))
        if not wanted:
            raise InvalidInput(
                f"the query {query!r} has no searchable words (stop words and single characters are skipped); "
                "search with the words the text you want contains"
            )
        marks = ", ".join("?" * len(wanted))
        where = [f"p.term IN ({marks})", "o.created_at >= ?"]
        params: list[object] = [*wanted, self._oldest_live()]
        kept = _filters(agent, kind)
        if kept:  # one record must match both: kept by that agent as that kind
            tests = " AND ".join(f"{column} = ?" for column in kept)
            where.append(f"d.handle IN (SELECT handle FROM memory_provenance WHERE {tests})")
            params += kept.values()
        with self._read() as db:
            total, average = db.execute("SELECT COUNT(*), AVG(length) FROM memory_docs").fetchone()
            frequency = dict(
                db.execute(f"SELECT term, COUNT(*) FROM memory_postings WHERE term IN ({marks}) GROUP BY term", wanted)
            )
            rows = db.execute(
                "SELECT d.handle, d.length, p.term, p.tf FROM memory_postings p "
                "JOIN memory_docs d ON d.id = p.doc JOIN originals o ON o.handle = d.handle "
                f"WHERE {' AND '.join(where)}",
                params,
            ).fetchall()
            idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}
            scores: dict[str, float] = {}
            for handle, length, term, tf in rows:
                norm = _K1 * (1 - _B + _B * length / average)
                scores[handle] = scores.get(handle, 0.0) + idf[term] * tf * (_K1 + 1) / (tf + norm)
            best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:count]
            rarest_first = sorted(idf, key=lambda t: (-idf[t], t))
            return [
                MemoryHit(handle, score, _preview(self._text(db, handle), rarest_first), self._agents(db, handle))
                for handle, score in best
            ]

    def provenance(self, handle: str) -> list[Provenance]:
        """Every agent that kept ``handle``, as which kind, when; oldest first."""
        handle = parse_handle(handle)
        with self._read() as db:
            row = db.execute("SELECT created_at FROM originals WHERE handle = ?", (handle,)).fetchone()
            if row is None:
                raise HandleNotFound(handle)
            if row[0] < self._oldest_live():
                raise HandleExpired(handle)
            rows = db.execute(
                f"SELECT {_PROVENANCE} FROM memory_provenance v WHERE handle = ? ORDER BY first_seen, agent, kind",
                (handle,),
            ).fetchall()
        return [_provenance(r) for r in rows]

    def history(
        self, *, agent: str | None = None, kind: str | None = None, since: float | None = None, limit: int = 100
    ) -> list[Provenance]:
        """What was kept, most recently seen first: by ``agent``, of ``kind``, seen at or after ``since``."""
        count = _limit(limit)
        where = ["o.created_at >= ?", "v.last_seen >= ?"]
        params: list[object] = [self._oldest_live(), -math.inf if since is None else since]
        for column, value in _filters(agent, kind).items():
            where.append(f"{column} = ?")
            params.append(value)
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_PROVENANCE} FROM memory_provenance v JOIN originals o USING (handle) "
                f"WHERE {' AND '.join(where)} ORDER BY last_seen DESC, handle, agent, kind LIMIT ?",
                [*params, count],
            ).fetchall()
        return [_provenance(r) for r in rows]

    def _agent(self, agent: str | None) -> str:
        if agent is not None:
            return _name(agent, "agent")
        if self.agent is None:
            raise StoreError(
                "no agent to record as the keeper: open the memory as AgentMemory(path, agent='worker-1'), "
                "or pass remember(text, agent='worker-1')"
            )
        return self.agent

    def _oldest_live(self) -> float:
        return -math.inf if self.ttl is None else self._clock() - self.ttl

    @staticmethod
    def _text(db: sqlite3.Connection, handle: str) -> str:
        text: str = db.execute("SELECT text FROM originals WHERE handle = ?", (handle,)).fetchone()[0]
        return text

    @staticmethod
    def _agents(db: sqlite3.Connection, handle: str) -> tuple[str, ...]:
        rows = db.execute("SELECT DISTINCT agent FROM memory_provenance WHERE handle = ? ORDER BY agent", (handle,))
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


def _name(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} must be a non-empty string such as 'worker-1' or 'note', got {value!r}")
    return value


def _filters(agent: str | None, kind: str | None) -> dict[str, str]:
    """The provenance columns a caller narrows to, checked."""
    return {column: _name(value, column) for column, value in (("agent", agent), ("kind", kind)) if value is not None}


def _limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInput(f"limit must be a positive int, got {limit!r}")
    return min(limit, 2**63 - 1)  # SQLite's integer range; a larger limit means the same: all of them


def _meta(meta: Mapping[str, str] | None) -> dict[str, str]:
    out = dict(meta or {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in out.items()):
        raise InvalidInput(f"meta must map str to str, got {out!r}; convert values with str() or json.dumps()")
    return out


def _provenance(row: tuple[str, str, str, float, float, int, str]) -> Provenance:
    handle, agent, kind, first, last, times, meta = row
    return Provenance(handle, agent, kind, first, last, times, json.loads(meta))


def _preview(text: str, rarest_first: list[str]) -> str:
    """The line holding the rarest query term the text has (the first line if none is found whole)."""
    for term in rarest_first:
        match = re.search(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", text, re.IGNORECASE)
        if match:
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.start())
            line = text[start : len(text) if end < 0 else end]
            column = match.start() - start
            left = max(0, min(column - _PREVIEW_CHARS // 3, len(line) - _PREVIEW_CHARS))
            return line[left : left + _PREVIEW_CHARS].strip()
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:_PREVIEW_CHARS]
