"""Cross-agent memory in one SQLite file that several agents (threads or processes) share.

What an agent learns (a tool output it fetched, a note) is kept once per
content, under the same content-addressed handle headroom uses everywhere;
each agent that keeps it adds a provenance record (which namespace, who, what
kind, when), not a second copy. ``AgentMemory`` is a ``SQLiteStore`` with more
tables in the same file (``headroom.memory.sqlite_schema``), so
``Headroom(store=AgentMemory(path, agent="w1"))`` keeps its originals here and
a marker one agent's ``compress`` wrote resolves for every agent that opens
the file. The API itself is ``headroom.memory.base``, shared with PostgreSQL.

Search runs on SQLite's FTS5 wherever the build has it, checked once at open
(``headroom.memory.fts5_search``). A SQLite without FTS5 falls back to the
plain-table BM25 index (``headroom.memory.table_index``), and the memory
records that as a degradation; a file already moved to FTS5 refuses to open
there rather than fail on its first write.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

from headroom.errors import InvalidInput, StoreError
from headroom.manifest import Degradation
from headroom.memory import common
from headroom.memory.base import MemoryBase
from headroom.memory.common import DEFAULT_NAMESPACE, Query
from headroom.memory.fts5_search import fts5_best
from headroom.memory.sqlite_schema import (
    FTS5_MIGRATION,
    FTS5_MIGRATIONS,
    TABLE_MIGRATIONS,
    fts5_available,
    index_searchable,
)
from headroom.memory.table_index import search_table
from headroom.stores.sqlite import SQLiteStore, _decode

__all__ = ["AgentMemory", "fts5_available"]

log = logging.getLogger("headroom.memory")

SearchIndex = Literal["auto", "fts5", "table"]


class AgentMemory(MemoryBase, SQLiteStore):
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

    schema_migrations = FTS5_MIGRATIONS

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
        self._init_memory(agent, namespace)
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
            self.schema_migrations = TABLE_MIGRATIONS  # type: ignore[misc]
        super().__init__(path, ttl=ttl, max_bytes=max_bytes, clock=clock)
        if not use_fts and FTS5_MIGRATION in self.migrations():
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

    def get(self, handle: str) -> str:
        return self._unless_forgotten(super().get, handle)

    def get_meta(self, handle: str) -> dict[str, str]:
        return self._unless_forgotten(super().get_meta, handle)

    def _index(self, db: sqlite3.Connection, handle: str, text: str) -> None:
        index_searchable(db, handle, text, fts=self.search_index == "fts5")

    def _best(
        self, db: sqlite3.Connection, query: Query, namespace: str, chosen: dict[str, str], count: int
    ) -> list[tuple[str, float]]:
        scope, params = common.scope(namespace, chosen, "d.handle", "?")
        where = ["o.created_at >= ?", *scope]
        params = [self._oldest_live(), *params]
        if self.search_index == "fts5":
            return fts5_best(db, query, where, params, count)
        return search_table(db, query, where, params, count)

    def _decode(self, stored: str | bytes) -> str:
        return _decode(stored)

    @property
    def _index_table(self) -> str:
        return "memory_fts_docsize" if self.search_index == "fts5" else "memory_postings"

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
