"""The SQLite memory's tables, triggers and named migrations, and how a text enters its search index.

Search runs on FTS5 (a contentless table, ``porter unicode61`` tokens)
wherever the build has it. Contentless because the text is already in
``originals``: the index holds only tokens and positions. Triggers on
``originals`` index every original whoever writes it (a plain
``SQLiteStore`` too) and remove its index rows and provenance whichever code
path deletes it (TTL, size limit, ``forget``). The fallback keeps postings in
plain tables (``headroom.memory.table_index``).

The index holds a text with its secrets redacted (``base.searchable_text``).
Where that differs from the original, ``memory_docs.indexed`` keeps the
redacted form: a contentless FTS5 table can only un-index the exact text it
indexed, so the delete trigger reads it from there. An original whose meta
says its secrets were redacted (what a ``Headroom`` records) is not indexed
by the trigger at all: the memory indexes its redacted form in the same
write, and a plain store writing one into the file leaves it unsearchable.
"""

from __future__ import annotations

import functools
import sqlite3
from collections import Counter

from headroom.memory.base import searchable_text
from headroom.memory.common import DEFAULT_NAMESPACE
from headroom.memory.table_index import index_terms, index_text
from headroom.stores.sqlite import MIGRATIONS, _decode, _encode

__all__ = ["FTS5_MIGRATION", "FTS5_MIGRATIONS", "TABLE_MIGRATIONS", "fts5_available", "index_searchable"]

FTS5_MIGRATION = "memory_0004_fts5_index"
# Prefix indexes for 2- and 3-character prefixes: a short ``prefix*`` otherwise merges the doclists of every
# term it names before the first row comes out (p95 28.7 ms against 2.5 ms at 100k texts; the index 2.2x larger).
_FTS5_TABLE = "fts5(text, content='', tokenize='porter unicode61', prefix='2 3')"
_SECRETS_MARK = '"secrets": "redacted"'  # how json.dumps(meta, sort_keys=True) writes headroom's secrets flag


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


def _has(db: sqlite3.Connection, table: str, column: str | None = None) -> bool:
    if column is None:
        return db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone() is not None
    return any(row[1] == column for row in db.execute(f"PRAGMA table_info({table})"))


def _triggers(db: sqlite3.Connection) -> None:
    """(Re)create the triggers that keep the index and provenance in step with ``originals``, for this schema."""
    fts, redacted = _has(db, "memory_fts"), _has(db, "memory_docs", "indexed")
    for name in ("memory_forget", "memory_fts_insert", "memory_fts_update"):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    indexed = "COALESCE(indexed, old.text)" if redacted else "old.text"
    unindex = (
        f"INSERT INTO memory_fts (memory_fts, rowid, text) SELECT 'delete', id, {indexed} FROM memory_docs "
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
    if not fts:
        return
    unmarked = f"WHEN instr(new.meta, '{_SECRETS_MARK}') = 0" if redacted else ""
    db.execute(
        f"""CREATE TRIGGER memory_fts_insert AFTER INSERT ON originals {unmarked} BEGIN
            INSERT INTO memory_docs (handle, length) VALUES (new.handle, 0);
            INSERT INTO memory_fts (rowid, text) SELECT id, new.text FROM memory_docs WHERE handle = new.handle;
        END"""
    )
    db.execute(
        f"""CREATE TRIGGER memory_fts_update AFTER UPDATE OF text ON originals BEGIN
            INSERT INTO memory_fts (memory_fts, rowid, text) SELECT 'delete', id, {indexed} FROM memory_docs
                WHERE handle = old.handle;
            INSERT INTO memory_fts (rowid, text) SELECT id, new.text FROM memory_docs WHERE handle = new.handle;
            {"UPDATE memory_docs SET indexed = NULL WHERE handle = new.handle;" if redacted else ""}
        END"""
    )


def index_searchable(db: sqlite3.Connection, handle: str, text: str, *, fts: bool) -> None:
    """Make the index (FTS5 or postings) hold ``handle``'s text with secrets redacted; a no-op when it does."""
    searchable = searchable_text(text)
    row = db.execute("SELECT id, indexed FROM memory_docs WHERE handle = ?", (handle,)).fetchone()
    if row is not None and (searchable == text or row[1] is not None):
        return
    if fts:
        if row is None:
            doc = db.execute("INSERT INTO memory_docs (handle, length) VALUES (?, 0)", (handle,)).lastrowid
        else:
            doc = row[0]
            db.execute(
                "INSERT INTO memory_fts (memory_fts, rowid, text) SELECT 'delete', ?, text FROM originals "
                "WHERE handle = ?",
                (doc, handle),
            )
        db.execute("INSERT INTO memory_fts (rowid, text) VALUES (?, ?)", (doc, _encode(searchable)))
    else:
        if row is not None:
            db.execute("DELETE FROM memory_postings WHERE doc = ?", (row[0],))
            db.execute("DELETE FROM memory_docs WHERE id = ?", (row[0],))
        index_text(db, handle, Counter(index_terms(searchable)))
    if searchable != text:
        db.execute("UPDATE memory_docs SET indexed = ? WHERE handle = ?", (_encode(searchable), handle))


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
    _triggers(db)


def _index_existing(db: sqlite3.Connection) -> None:
    """Make originals a plain SQLiteStore kept in this file before searchable (they have no provenance)."""
    for handle, text in db.execute("SELECT handle, text FROM originals ORDER BY rowid").fetchall():
        index_text(db, handle, Counter(index_terms(_decode(text))))


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
    _triggers(db)


def _fts5_index(db: sqlite3.Connection) -> None:
    """Move search to FTS5: index every original, drop the table index's postings, let triggers keep it current."""
    db.execute(f"CREATE VIRTUAL TABLE memory_fts USING {_FTS5_TABLE}")
    db.execute("DELETE FROM memory_postings")
    db.execute(
        "INSERT INTO memory_docs (handle, length) SELECT handle, 0 FROM originals "
        "WHERE handle NOT IN (SELECT handle FROM memory_docs) ORDER BY rowid"
    )
    redacted = _has(db, "memory_docs", "indexed")  # a table-index file that already redacts moving to FTS5
    db.execute(
        f"INSERT INTO memory_fts (rowid, text) SELECT d.id, {'COALESCE(d.indexed, o.text)' if redacted else 'o.text'} "
        "FROM memory_docs d JOIN originals o USING (handle)"
    )
    _triggers(db)
    if redacted:
        _index_redacted_texts(db)


def _index_redacted(db: sqlite3.Connection) -> None:
    """The index holds texts with their secrets redacted: re-index every original that holds one."""
    db.execute("ALTER TABLE memory_docs ADD COLUMN indexed TEXT")
    _triggers(db)
    _index_redacted_texts(db)


def _index_redacted_texts(db: sqlite3.Connection) -> None:
    fts = _has(db, "memory_fts")
    for handle, text in db.execute("SELECT handle, text FROM originals ORDER BY rowid"):  # streamed: a large file
        index_searchable(db, handle, _decode(text), fts=fts)


def _unicode_terms(db: sqlite3.Connection) -> None:
    """The fallback index's terms follow unicode61 (any script, diacritics folded): rebuild its postings."""
    if _has(db, "memory_fts"):
        return  # FTS5 tokenizes for itself; its file keeps no postings
    db.execute("DELETE FROM memory_postings")
    docs = "SELECT d.id, COALESCE(d.indexed, o.text) FROM memory_docs d JOIN originals o USING (handle)"
    for doc, text in db.execute(docs).fetchall():
        counts = Counter(index_terms(_decode(text)))
        db.execute("UPDATE memory_docs SET length = ? WHERE id = ?", (sum(counts.values()), doc))
        db.executemany("INSERT INTO memory_postings VALUES (?, ?, ?)", ((t, doc, n) for t, n in counts.items()))


def _fts5_prefixes(db: sqlite3.Connection) -> None:
    """Rebuild an FTS5 index made before prefix indexes with them (same rows, same rowids)."""
    row = db.execute("SELECT sql FROM sqlite_master WHERE name = 'memory_fts'").fetchone()
    if row is None or "prefix=" in row[0]:
        return  # the fallback index, or an FTS5 table made with prefixes already
    db.execute("DROP TABLE memory_fts")
    db.execute(f"CREATE VIRTUAL TABLE memory_fts USING {_FTS5_TABLE}")
    db.execute(
        "INSERT INTO memory_fts (rowid, text) SELECT d.id, COALESCE(d.indexed, o.text) "
        "FROM memory_docs d JOIN originals o USING (handle)"
    )
    _triggers(db)


_MEMORY_MIGRATIONS = (
    *MIGRATIONS,
    ("memory_0001_create_index_and_provenance", _create_memory),
    ("memory_0002_index_existing_originals", _index_existing),
    ("memory_0003_namespaces_and_forgetting", _namespaces_and_forgetting),
)
_LATER = (
    ("memory_0005_index_texts_with_secrets_redacted", _index_redacted),
    ("memory_0006_unicode_fallback_terms", _unicode_terms),
    ("memory_0007_fts5_prefix_indexes", _fts5_prefixes),
)
TABLE_MIGRATIONS = (*_MEMORY_MIGRATIONS, *_LATER)
FTS5_MIGRATIONS = (*_MEMORY_MIGRATIONS, (FTS5_MIGRATION, _fts5_index), *_LATER)
