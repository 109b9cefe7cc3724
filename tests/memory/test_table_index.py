"""The fallback index finds words in any script as FTS5's unicode61 does: letters and digits, diacritics folded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from headroom import make_handle
from headroom.memory import AgentMemory
from headroom.memory.table_index import index_terms

TEXT = "Größe der Datei: 4096 Bytes\nцентр обработки данных недоступен\n東京 サーバー 応答なし\ncafé getUserName"


def test_terms_follow_unicode61_and_keep_identifier_parts() -> None:
    assert index_terms("Größe café ДАННЫХ getUserName") == [
        "große",
        "cafe",
        "данных",
        "getusername",  # "get" is a stop word
        "user",
        "name",
    ]


@pytest.mark.parametrize("index", ["table", "fts5"])
@pytest.mark.parametrize(
    "query",
    [
        "größe",
        "GROESSE".lower().replace("oe", "ö").replace("ss", "ß"),
        "данных",
        '"центр обработки"',
        "обраб*",
        "東京",
        "サーバー",
        "cafe",
        "café",
    ],
)
def test_words_in_any_script_are_found_on_both_indexes(tmp_path: Path, index: str, query: str) -> None:
    with AgentMemory(tmp_path / "m.db", agent="w1", search_index=index) as memory:  # type: ignore[arg-type]
        handle = memory.remember(TEXT)
        memory.remember("an unrelated note about disks")
        assert [hit.handle for hit in memory.search(query)] == [handle]


def test_a_fallback_file_of_ascii_terms_is_reindexed_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with AgentMemory(path, agent="w1", search_index="table") as old:
        old.remember(TEXT)
    db = sqlite3.connect(path)  # the file as the ASCII-only terms left it, before memory_0006
    db.execute("DELETE FROM memory_postings WHERE term = 'данных'")
    db.execute("DELETE FROM _migrations WHERE name = 'memory_0006_unicode_fallback_terms'")
    db.commit()
    db.close()
    with AgentMemory(path, agent="w1", search_index="table") as memory:
        assert "memory_0006_unicode_fallback_terms" in memory.migrations()
        assert [hit.handle for hit in memory.search("данных")] == [make_handle(TEXT)]
        assert memory._counts()["docs"] == 1 and memory.verify() == []
