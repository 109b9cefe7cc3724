"""A secret kept in memory is recalled by its handle, never found by search: the index holds the redacted text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from headroom import Headroom, SQLiteStore, make_handle
from headroom.memory import AgentMemory
from headroom.memory.sqlite_schema import FTS5_MIGRATIONS
from headroom.testing import FakeCounter
from tests.memory.support import Memory, Opener

TOKEN = "ghp_Zq7Xk2Lm9Pw4Rt8Yv3Bn6Cd1Fg5Hj0Kl2Mn4"
LOG = f"deploy log for mailer\nGITHUB_TOKEN={TOKEN}\nrollout finished on db-3"
SECRET_SEARCHES = [TOKEN, "zq7xk2lm9pw4rt8yv3bn6cd1fg5hj0kl2mn4", "Zq7Xk2*", f'"ghp {TOKEN[4:]}"']


def _found(memory: Memory, handle: str) -> list[str]:
    return [query for query in SECRET_SEARCHES if handle in [hit.handle for hit in memory.search(query)]]


def test_a_remembered_secret_is_recalled_but_not_searchable(open_memory: Opener) -> None:
    memory = open_memory(agent="w1")
    handle = memory.remember(LOG)
    assert memory.recall(handle) == LOG  # the caller's original, secret and all
    assert _found(memory, handle) == []
    (hit,) = memory.search("rollout mailer")  # the rest of the text is as findable as ever
    assert hit.handle == handle and TOKEN not in hit.preview
    memory.remember(LOG, agent="w2")  # kept again: still indexed once, redacted
    assert _found(memory, handle) == [] and memory._counts()["docs"] == 1
    assert memory.forget(handle) == 1 and memory._counts()["docs"] == 0  # un-indexing the redacted form works


def test_a_compressed_tool_output_with_a_secret_is_not_searchable(open_memory: Opener) -> None:
    memory = open_memory(agent="w1")
    messages = [
        {"role": "user", "content": "deploy the mailer"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {}}]},
        {"role": "tool", "tool_call_id": "c1", "content": LOG},
    ]
    result = Headroom(store=memory, counter=FakeCounter()).compress(messages)
    (entry,) = [e for e in result.manifest.entries if e.level == "redacted"]
    assert memory.get(entry.handle) == LOG and memory.get_meta(entry.handle)["secrets"] == "redacted"
    assert _found(memory, entry.handle) == []
    assert [hit.handle for hit in memory.search("rollout")] == [entry.handle]


def test_a_plain_store_writing_a_redacted_original_leaves_it_unsearchable(tmp_path: Path) -> None:
    path = tmp_path / "team.db"
    AgentMemory(path).close()
    with SQLiteStore(path) as store:  # knows nothing of the index: the trigger must not index the secret
        store.put(make_handle(LOG), LOG, meta={"secrets": "redacted"})
    with AgentMemory(path, agent="w1") as memory:
        assert _found(memory, make_handle(LOG)) == [] and memory.search("rollout") == []
        memory.remember(LOG)  # a memory keeping it indexes the redacted form
        assert _found(memory, make_handle(LOG)) == []
        assert [hit.handle for hit in memory.search("rollout")] == [make_handle(LOG)]


class _BeforeRedaction(AgentMemory):
    schema_migrations = FTS5_MIGRATIONS[:-3]  # a file as the schema before memory_0005 left it


def test_a_file_indexed_before_redaction_is_reindexed_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _BeforeRedaction(path).close()
    with SQLiteStore(path) as store:  # the old trigger indexes the text as it is, secret included
        store.put(make_handle(LOG), LOG)
    db = sqlite3.connect(path)
    assert db.execute("SELECT COUNT(*) FROM memory_fts WHERE memory_fts MATCH ?", (f'"{TOKEN[4:]}"',)).fetchone()[0]
    db.close()
    with AgentMemory(path, agent="w1") as memory:
        assert "memory_0005_index_texts_with_secrets_redacted" in memory.migrations()
        assert _found(memory, make_handle(LOG)) == []
        assert [hit.handle for hit in memory.search("rollout")] == [make_handle(LOG)]
        assert memory.forget(make_handle(LOG)) == 1 and memory._counts()["docs"] == 0
        memory._connect().execute("INSERT INTO memory_fts (memory_fts) VALUES ('integrity-check')")
