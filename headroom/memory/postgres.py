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

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from headroom.memory import common
from headroom.memory.base import MemoryBase, searchable_text
from headroom.memory.common import DEFAULT_NAMESPACE, Query
from headroom.stores.postgres import MIGRATIONS, PostgresStore, decode

if TYPE_CHECKING:
    from psycopg import Cursor

__all__ = ["PostgresMemory"]

_INDEXED_WORDS = 100_000


def index_text(text: str) -> str:
    """What ``to_tsvector`` reads: the tokens of the text with secrets redacted, the first ``_INDEXED_WORDS``."""
    return " ".join(common.tokens(searchable_text(text))[:_INDEXED_WORDS])


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


def _index_redacted(cur: Cursor[Any]) -> None:
    """The index holds texts with their secrets redacted: re-index every original that holds one."""
    cur.execute("SELECT handle, body FROM originals")
    for handle, body in cur.fetchall():
        text = decode(body)
        if searchable_text(text) != text:
            cur.execute(
                "UPDATE memory_docs SET tsv = to_tsvector('english', %s) WHERE handle = %s", (index_text(text), handle)
            )


def _tsquery(query: Query, join: str) -> tuple[str, list[object]]:
    """The tsquery expression (pieces joined by ``join``: ``||`` any, ``&&`` all) and its parameters."""
    parts = ["plainto_tsquery('english', %s)"] * len(query.words)
    params: list[object] = list(query.words)
    parts += ["to_tsquery('english', %s)"] * len(query.prefixes)
    params += [f"'{prefix}':*" for prefix in query.prefixes]  # tokens are letters and digits: no quote inside
    parts += ["phraseto_tsquery('english', %s)"] * len(query.phrases)
    params += [" ".join(phrase) for phrase in query.phrases]
    return f" {join} ".join(parts), params


class PostgresMemory(MemoryBase, PostgresStore):
    """``AgentMemory`` on PostgreSQL: the same arguments (``conninfo`` for ``path``) and the same methods."""

    schema_migrations = (
        *MIGRATIONS,
        ("memory_0001_create_index_and_provenance", _create_memory),
        ("memory_0002_index_existing_originals", _index_existing),
        ("memory_0003_index_texts_with_secrets_redacted", _index_redacted),
    )
    search_index = "tsvector"
    _mark = "%s"
    _least, _greatest = "LEAST", "GREATEST"
    _lock_row = " FOR UPDATE"  # READ COMMITTED: the meta merged must be the one updated
    _text_column = "body"
    _opened_as = "PostgresMemory(conninfo"

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
        self._init_memory(agent, namespace)
        super().__init__(conninfo, ttl=ttl, max_bytes=max_bytes, clock=clock, pool_size=pool_size)

    def get(self, handle: str) -> str:
        return self._unless_forgotten(super().get, handle)

    def get_meta(self, handle: str) -> dict[str, str]:
        return self._unless_forgotten(super().get_meta, handle)

    def _read(self) -> AbstractContextManager[Cursor[Any]]:
        transaction: AbstractContextManager[Cursor[Any]] = self._transaction()  # reads need no write lock here
        return transaction

    def _decode(self, stored: bytes | memoryview) -> str:
        return decode(stored)

    def _index(self, cur: Cursor[Any], handle: str, text: str) -> None:
        cur.execute("SELECT 1 FROM memory_docs WHERE handle = %s", (handle,))
        if cur.fetchone() is None:
            cur.execute(
                "INSERT INTO memory_docs VALUES (%s, to_tsvector('english', %s)) ON CONFLICT DO NOTHING",
                (handle, index_text(text)),
            )

    def _best(
        self, cur: Cursor[Any], query: Query, namespace: str, chosen: dict[str, str], count: int
    ) -> list[tuple[str, float]]:
        """Texts holding every piece first, then the rest; each by ``ts_rank`` (normalized by the log of length)."""
        scope, scope_params = common.scope(namespace, chosen, "r.handle", "%s")
        any_piece, any_params = _tsquery(query, "||")
        every_piece, every_params = _tsquery(query, "&&")
        passes = " AND ".join(
            ["EXISTS (SELECT 1 FROM originals o WHERE o.handle = r.handle AND o.created_at >= %s)", *scope]
        )
        fetch = 4 * count + 16
        while True:
            # Rank on the index table alone, then test the filters on the candidates: joining every
            # match to originals first would carry each matching text through the sort.
            cur.execute(
                f"""WITH ranked AS (
                    SELECT d.handle, ts_rank(d.tsv, q.q, 1) AS score, d.tsv @@ q.a AS whole
                    FROM memory_docs d, (SELECT {any_piece} AS q, {every_piece} AS a) q
                    WHERE d.tsv @@ q.q ORDER BY whole DESC, score DESC, d.handle LIMIT %s)
                SELECT r.handle, r.score, {passes} FROM ranked r ORDER BY r.whole DESC, r.score DESC, r.handle""",
                [*any_params, *every_params, fetch, self._oldest_live(), *scope_params],
            )
            ranked = cur.fetchall()
            rows = [(handle, float(score)) for handle, score, ok in ranked if ok]
            if len(rows) >= count or len(ranked) < fetch:
                return rows[:count]
            fetch *= 8
