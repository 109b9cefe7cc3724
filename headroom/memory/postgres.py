"""Cross-agent memory on PostgreSQL: the ``AgentMemory`` API for agents on several machines.

A ``PostgresStore`` with more tables in the same database, as ``AgentMemory``
is a ``SQLiteStore`` with more tables in the same file: keeping an original,
indexing it and recording provenance is one transaction. Search is
PostgreSQL's own full text: a ``tsvector`` per original under a GIN index,
the ``english`` configuration (Snowball stemming), ``ts_rank`` ordering. The
text is split into tokens by ``headroom.memory.common.tokens`` before
PostgreSQL sees it, so a query finds the same words here as in SQLite (the
``default`` parser would read ``db3.internal`` as one host name); only the
first ``_INDEXED_WORDS`` words are indexed, as a tsvector is capped at 1 MB.
Index and provenance rows reference their original ``ON DELETE CASCADE``, so
they leave with it whichever path deletes it (TTL, size limit, ``forget``).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from headroom.errors import HandleExpired, HandleForgotten, HandleNotFound, IntegrityError, StoreError
from headroom.handles import make_handle, parse_handle
from headroom.memory import common
from headroom.memory.common import (
    ALL_NAMESPACES,
    COMPRESSED,
    DEFAULT_NAMESPACE,
    NOTE,
    MemoryHit,
    MemoryRecord,
    Provenance,
    Query,
    parse_query,
)
from headroom.stores.postgres import MIGRATIONS, PostgresStore, decode

if TYPE_CHECKING:
    from psycopg import Cursor

__all__ = ["PostgresMemory"]

_INDEXED_WORDS = 100_000
_PROVENANCE = "v.handle, v.agent, v.kind, v.first_seen, v.last_seen, v.times, v.meta, v.namespace"


def index_text(text: str) -> str:
    """What ``to_tsvector`` reads: the text's tokens, space-separated, the first ``_INDEXED_WORDS`` of them."""
    return " ".join(common.tokens(text)[:_INDEXED_WORDS])


def _create_memory(cur: Cursor[Any]) -> None:
    cur.execute(
        """CREATE TABLE memory_docs (
            handle text PRIMARY KEY REFERENCES originals ON DELETE CASCADE, tsv tsvector NOT NULL
        )"""
    )
    cur.execute("CREATE INDEX memory_docs_tsv ON memory_docs USING GIN (tsv)")
    cur.execute(
        """CREATE TABLE memory_provenance (
            handle text NOT NULL REFERENCES originals ON DELETE CASCADE,
            namespace text NOT NULL, agent text NOT NULL, kind text NOT NULL,
            first_seen double precision NOT NULL, last_seen double precision NOT NULL,
            times integer NOT NULL, meta text NOT NULL,
            PRIMARY KEY (handle, namespace, agent, kind)
        )"""
    )
    cur.execute("CREATE INDEX memory_provenance_scope ON memory_provenance (namespace, agent, kind)")
    cur.execute("CREATE INDEX memory_provenance_last_seen ON memory_provenance (last_seen)")
    cur.execute("CREATE TABLE memory_forgotten (handle text PRIMARY KEY, forgotten_at double precision NOT NULL)")
    # An original kept again, by whichever store, is no longer forgotten.
    cur.execute(
        """CREATE FUNCTION memory_unforget() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN DELETE FROM memory_forgotten WHERE handle = NEW.handle; RETURN NULL; END $$"""
    )
    cur.execute(
        "CREATE TRIGGER memory_unforget AFTER INSERT ON originals FOR EACH ROW EXECUTE FUNCTION memory_unforget()"
    )


def _index_existing(cur: Cursor[Any]) -> None:
    """Make originals a plain PostgresStore kept in this database before searchable (they have no provenance)."""
    cur.execute("SELECT handle, body FROM originals WHERE handle NOT IN (SELECT handle FROM memory_docs)")
    for handle, body in cur.fetchall():
        cur.execute(
            "INSERT INTO memory_docs VALUES (%s, to_tsvector('english', %s))", (handle, index_text(decode(body)))
        )


def _tsquery(query: Query) -> tuple[str, list[object]]:
    """The tsquery expression (pieces ORed) and its parameters."""
    parts = ["plainto_tsquery('english', %s)"] * len(query.words)
    params: list[object] = list(query.words)
    parts += ["to_tsquery('english', %s)"] * len(query.prefixes)
    params += [f"'{prefix}':*" for prefix in query.prefixes]  # tokens are letters and digits: no quote inside
    parts += ["phraseto_tsquery('english', %s)"] * len(query.phrases)
    params += [" ".join(phrase) for phrase in query.phrases]
    return " || ".join(parts), params


class PostgresMemory(PostgresStore):
    """``AgentMemory`` on PostgreSQL: the same arguments (``conninfo`` for ``path``) and the same methods."""

    schema_migrations = (
        *MIGRATIONS,
        ("memory_0001_create_index_and_provenance", _create_memory),
        ("memory_0002_index_existing_originals", _index_existing),
    )
    search_index = "tsvector"

    def __init__(
        self,
        conninfo: str,
        *,
        agent: str | None = None,
        namespace: str = DEFAULT_NAMESPACE,
        ttl: float | None = None,
        max_bytes: int | None = None,
        clock: Callable[[], float] = time.time,
        pool_size: int = 4,
    ) -> None:
        self.agent = None if agent is None else common.check_name(agent, "agent")
        self.namespace = common.check_namespace(namespace)
        self.degradations = ()
        super().__init__(conninfo, ttl=ttl, max_bytes=max_bytes, clock=clock, pool_size=pool_size)

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
        with self._transaction() as cur:
            now = self._clock()
            if not self._put(cur, handle, text, meta, now) and meta:
                self._merge_meta(cur, handle, meta)
            cur.execute("SELECT 1 FROM memory_docs WHERE handle = %s", (handle,))
            if cur.fetchone() is None:
                cur.execute(
                    "INSERT INTO memory_docs VALUES (%s, to_tsvector('english', %s)) ON CONFLICT DO NOTHING",
                    (handle, index_text(text)),
                )
            cur.execute(
                """INSERT INTO memory_provenance VALUES (%s, %s, %s, %s, %s, %s, 1, %s)
                ON CONFLICT (handle, namespace, agent, kind) DO UPDATE
                SET last_seen = GREATEST(memory_provenance.last_seen, excluded.last_seen),
                    times = memory_provenance.times + 1""",
                (handle, namespace, agent, kind, now, now, json.dumps(meta, sort_keys=True)),
            )

    def _merge_meta(self, cur: Cursor[Any], handle: str, meta: dict[str, str]) -> None:
        """Keys the first keeper did not give are added; none is overwritten."""
        cur.execute("SELECT meta FROM originals WHERE handle = %s FOR UPDATE", (handle,))
        stored: dict[str, str] = json.loads(cur.fetchone()[0])  # type: ignore[index]
        merged = {**meta, **stored}
        if merged != stored:
            cur.execute(
                "UPDATE originals SET meta = %s WHERE handle = %s", (json.dumps(merged, sort_keys=True), handle)
            )

    def forget(
        self,
        handle: str | None = None,
        *,
        agent: str | None = None,
        kind: str | None = None,
        namespace: str | None = None,
        before: float | None = None,
    ) -> int:
        """As ``AgentMemory.forget``: a handle for everyone, or the records matching every filter given."""
        chosen = common.check_forget(handle, agent, kind, namespace, before)
        with self._transaction() as cur:
            if handle is not None:
                cur.execute("DELETE FROM originals WHERE handle = %s RETURNING handle", (parse_handle(handle),))
            else:
                where = [f"{column} = %s" for column in chosen] + ([] if before is None else ["last_seen < %s"])
                params = [*chosen.values(), *([] if before is None else [before])]
                cur.execute(
                    f"""WITH gone AS (DELETE FROM memory_provenance WHERE {" AND ".join(where)} RETURNING handle)
                    DELETE FROM originals o WHERE o.handle IN (SELECT handle FROM gone)
                    AND NOT EXISTS (SELECT 1 FROM memory_provenance p WHERE p.handle = o.handle
                                    AND (p.handle, p.namespace, p.agent, p.kind) NOT IN
                                        (SELECT handle, namespace, agent, kind FROM memory_provenance
                                         WHERE {" AND ".join(where)}))
                    RETURNING o.handle""",
                    [*params, *params],
                )
            gone = [row[0] for row in cur.fetchall()]
            now = self._clock()
            for forgotten in gone:
                cur.execute(
                    "INSERT INTO memory_forgotten VALUES (%s, %s) ON CONFLICT (handle) DO UPDATE "
                    "SET forgotten_at = excluded.forgotten_at",
                    (forgotten, now),
                )
        return len(gone)

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
        with self._transaction() as cur:
            cur.execute("SELECT forgotten_at FROM memory_forgotten WHERE handle = %s", (handle,))
            row = cur.fetchone()
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
        """As ``AgentMemory.search``; the score is ``ts_rank`` (normalized by the log of the text's length)."""
        parsed = parse_query(query)
        count = common.check_limit(limit)
        space = self._scope_namespace(namespace)
        scope, scope_params = common.scope(space, common.filters(agent, kind), "r.handle", "%s")
        expression, query_params = _tsquery(parsed)
        passes = " AND ".join(
            ["EXISTS (SELECT 1 FROM originals o WHERE o.handle = r.handle AND o.created_at >= %s)", *scope]
        )
        fetch = 4 * count + 16
        with self._transaction() as cur:
            while True:
                # Rank on the index table alone, then test the filters on the candidates: joining every
                # match to originals first would carry each matching text through the sort.
                cur.execute(
                    f"""WITH ranked AS (
                        SELECT d.handle, ts_rank(d.tsv, q.q, 1) AS score
                        FROM memory_docs d, (SELECT {expression} AS q) q
                        WHERE d.tsv @@ q.q ORDER BY score DESC, d.handle LIMIT %s)
                    SELECT r.handle, r.score, {passes} FROM ranked r ORDER BY r.score DESC, r.handle""",
                    [*query_params, fetch, self._oldest_live(), *scope_params],
                )
                ranked = cur.fetchall()
                rows = [(handle, score) for handle, score, ok in ranked if ok]
                if len(rows) >= count or len(ranked) < fetch:
                    break
                fetch *= 8
            hits = []
            for handle, score in rows[:count]:
                cur.execute("SELECT body FROM originals WHERE handle = %s", (handle,))
                text = decode(cur.fetchone()[0])  # type: ignore[index]
                hits.append(
                    MemoryHit(handle, float(score), common.preview(text, parsed), self._agents(cur, handle, space))
                )
            return hits

    def provenance(self, handle: str, *, namespace: str | None = None) -> list[Provenance]:
        """As ``AgentMemory.provenance``."""
        handle = parse_handle(handle)
        space = self._scope_namespace(namespace)
        with self._transaction() as cur:
            cur.execute("SELECT created_at FROM originals WHERE handle = %s", (handle,))
            row = cur.fetchone()
            if row is None:
                cur.execute("SELECT forgotten_at FROM memory_forgotten WHERE handle = %s", (handle,))
                forgotten = cur.fetchone()
                raise HandleNotFound(handle) if forgotten is None else HandleForgotten(handle, forgotten[0])
            if row[0] < self._oldest_live():
                raise HandleExpired(handle)
            where, params = ("", []) if space == ALL_NAMESPACES else (" AND namespace = %s", [space])
            cur.execute(
                f"SELECT {_PROVENANCE} FROM memory_provenance v WHERE handle = %s{where} "
                "ORDER BY first_seen, agent, kind, namespace",
                [handle, *params],
            )
            return [common.provenance_of(r) for r in cur.fetchall()]

    def history(
        self,
        *,
        agent: str | None = None,
        kind: str | None = None,
        namespace: str | None = None,
        since: float | None = None,
        limit: int = 100,
    ) -> list[Provenance]:
        """As ``AgentMemory.history``."""
        count = common.check_limit(limit)
        space = self._scope_namespace(namespace)
        where = ["o.created_at >= %s", "v.last_seen >= %s"]
        params: list[object] = [self._oldest_live(), -math.inf if since is None else since]
        chosen = common.filters(agent, kind)
        if space != ALL_NAMESPACES:
            chosen["namespace"] = space
        for column, value in chosen.items():
            where.append(f"v.{column} = %s")
            params.append(value)
        with self._transaction() as cur:
            cur.execute(
                f"SELECT {_PROVENANCE} FROM memory_provenance v JOIN originals o ON o.handle = v.handle "
                f"WHERE {' AND '.join(where)} ORDER BY v.last_seen DESC, v.handle, v.agent, v.kind LIMIT %s",
                [*params, count],
            )
            return [common.provenance_of(r) for r in cur.fetchall()]

    def export(self) -> Iterator[MemoryRecord]:
        """Every live original with its meta, creation time and every provenance record, by handle."""
        with self._transaction() as cur:
            cur.execute("SELECT handle, body, meta, created_at FROM originals ORDER BY handle")
            originals = cur.fetchall()
            cur.execute(f"SELECT {_PROVENANCE} FROM memory_provenance v ORDER BY handle, first_seen, agent, kind")
            records: dict[str, list[Provenance]] = {}
            for row in cur.fetchall():
                records.setdefault(row[0], []).append(common.provenance_of(row))
        oldest = self._oldest_live()
        for handle, body, meta, created in originals:
            if created >= oldest:
                yield MemoryRecord(handle, decode(body), json.loads(meta), created, tuple(records.get(handle, ())))

    def import_records(self, records: Iterable[MemoryRecord]) -> int:
        """Keep every record as it was (times, agents, namespaces); each text must hash to its handle."""
        count = 0
        for record in records:
            if make_handle(record.text) != record.handle:
                raise IntegrityError(
                    f"{record.handle} does not hash to its text: the source store is damaged; run verify() on it"
                )
            with self._transaction() as cur:
                self._put(cur, record.handle, record.text, record.meta, record.created_at)
                cur.execute(
                    "INSERT INTO memory_docs VALUES (%s, to_tsvector('english', %s)) ON CONFLICT DO NOTHING",
                    (record.handle, index_text(record.text)),
                )
                for p in record.provenance:
                    cur.execute(
                        """INSERT INTO memory_provenance VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
                        ON CONFLICT (handle, namespace, agent, kind) DO UPDATE
                        SET first_seen = LEAST(memory_provenance.first_seen, excluded.first_seen),
                            last_seen = GREATEST(memory_provenance.last_seen, excluded.last_seen),
                            times = memory_provenance.times + excluded.times""",
                        (
                            p.handle,
                            p.namespace,
                            p.agent,
                            p.kind,
                            p.first_seen,
                            p.last_seen,
                            p.times,
                            json.dumps(dict(p.meta), sort_keys=True),
                        ),
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
                "no agent to record as the keeper: open the memory as PostgresMemory(conninfo, agent='worker-1'), "
                "or pass remember(text, agent='worker-1')"
            )
        return self.agent

    def _oldest_live(self) -> float:
        return -math.inf if self.ttl is None else self._clock() - self.ttl

    @staticmethod
    def _agents(cur: Cursor[Any], handle: str, namespace: str) -> tuple[str, ...]:
        where, params = ("", []) if namespace == ALL_NAMESPACES else (" AND namespace = %s", [namespace])
        cur.execute(
            f"SELECT DISTINCT agent FROM memory_provenance WHERE handle = %s{where} ORDER BY agent", [handle, *params]
        )
        return tuple(row[0] for row in cur.fetchall())

    def _counts(self) -> dict[str, int]:
        """Rows per table of the memory (tests check that nothing outlives its original)."""
        out: dict[str, int] = {}
        with self._transaction() as cur:
            for name, table in (
                ("originals", "originals"),
                ("docs", "memory_docs"),
                ("index", "memory_docs"),
                ("provenance", "memory_provenance"),
                ("forgotten", "memory_forgotten"),
            ):
                cur.execute(f"SELECT COUNT(*) FROM {table}")
                out[name] = cur.fetchone()[0]  # type: ignore[index]
        return out
