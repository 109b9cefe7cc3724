"""Migrations of the SQLite memory past the namespaces one (the earlier ones: test_memory.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from headroom.memory import AgentMemory


def test_an_fts5_index_without_prefix_indexes_is_rebuilt_with_them(tmp_path: Path) -> None:
    path = tmp_path / "team.db"
    with AgentMemory(path, agent="w1") as memory:
        handles = [memory.remember(f"connection {n} reset by peer") for n in range(5)]
        other = memory.remember("disk full on db-3")
    db = sqlite3.connect(path)  # the index as memory_0004 made it before prefix indexes
    db.execute("DROP TABLE memory_fts")
    db.execute("CREATE VIRTUAL TABLE memory_fts USING fts5(text, content='', tokenize='porter unicode61')")
    db.execute(
        "INSERT INTO memory_fts (rowid, text) SELECT d.id, o.text FROM memory_docs d JOIN originals o USING (handle)"
    )
    db.execute("DELETE FROM _migrations WHERE name = 'memory_0007_fts5_prefix_indexes'")
    db.commit()
    db.close()
    with AgentMemory(path, agent="w1") as memory:
        sql = memory._connect().execute("SELECT sql FROM sqlite_master WHERE name = 'memory_fts'").fetchone()[0]
        assert "prefix='2 3'" in sql
        assert sorted(hit.handle for hit in memory.search("co*")) == sorted(handles)
        assert [hit.handle for hit in memory.search("db*")] == [other]
        assert memory.forget(handles[0]) == 1 and len(memory.search("co*")) == 4
        memory._connect().execute("INSERT INTO memory_fts (memory_fts) VALUES ('integrity-check')")
