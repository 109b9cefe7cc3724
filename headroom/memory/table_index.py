"""The fallback search index: BM25 over an inverted index in plain tables, for a SQLite without FTS5.

Kept only for Pythons whose SQLite lacks FTS5 (a compile-time option); an
``AgentMemory`` chooses it at open and records the choice as a degradation.
It reads the same query language as FTS5 (``headroom.memory.common``):
words, ``prefix*`` (a range scan over the sorted terms) and ``"phrases"``
(every token present, then the phrase checked in the text). Terms are those
of ``headroom.relevance.terms`` (identifier parts split, no stemming), and the
score is the Okapi formula and constants of ``headroom.relevance.BM25``.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter

from headroom.memory.common import Query
from headroom.relevance import terms

__all__ = ["index_text", "search_table"]

_K1, _B = 1.2, 0.75
_MAX_PREFIX_TERMS = 64  # a one-letter-ish prefix would otherwise score the whole vocabulary


def index_text(db: sqlite3.Connection, handle: str, counts: Counter[str]) -> None:
    doc = db.execute("INSERT INTO memory_docs (handle, length) VALUES (?, ?)", (handle, sum(counts.values()))).lastrowid
    db.executemany("INSERT INTO memory_postings VALUES (?, ?, ?)", ((t, doc, n) for t, n in counts.items()))


def _expand(db: sqlite3.Connection, query: Query) -> tuple[list[str], dict[str, re.Pattern[str]]]:
    """The index terms the query names, and per phrase-only term the phrase a text must hold for it to count."""
    wanted = [t for word in query.words for t in terms(word)] or []
    for prefix in query.prefixes:
        rows = db.execute(
            "SELECT DISTINCT term FROM memory_postings WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
            (prefix, prefix + "\U0010ffff", _MAX_PREFIX_TERMS),
        )
        wanted += [term for (term,) in rows]
    phrased: dict[str, re.Pattern[str]] = {}
    for phrase in query.phrases:
        pattern = re.compile(r"(?<![^\W_])" + r"[\W_]+".join(map(re.escape, phrase)) + r"(?![^\W_])", re.IGNORECASE)
        for token in phrase:
            for term in terms(token):
                if term not in wanted:
                    phrased.setdefault(term, pattern)
    return list(dict.fromkeys([*wanted, *phrased])), phrased


def search_table(
    db: sqlite3.Connection, query: Query, where: list[str], params: list[object]
) -> list[tuple[str, float]]:
    """(handle, BM25 score) of every text matching ``query`` within the caller's ``where`` (over ``d.handle``)."""
    wanted, phrased = _expand(db, query)
    if not wanted:
        return []
    marks = ", ".join("?" * len(wanted))
    total, average = db.execute("SELECT COUNT(*), AVG(length) FROM memory_docs").fetchone()
    frequency = dict(
        db.execute(f"SELECT term, COUNT(*) FROM memory_postings WHERE term IN ({marks}) GROUP BY term", wanted)
    )
    rows = db.execute(
        "SELECT d.handle, d.length, p.term, p.tf FROM memory_postings p "
        "JOIN memory_docs d ON d.id = p.doc JOIN originals o ON o.handle = d.handle "
        f"WHERE p.term IN ({marks}) AND {' AND '.join(where)}",
        [*wanted, *params],
    ).fetchall()
    idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}
    texts: dict[str, str] = {}
    scores: dict[str, float] = {}
    for handle, length, term, tf in rows:
        if term in phrased:
            if handle not in texts:
                texts[handle] = db.execute("SELECT text FROM originals WHERE handle = ?", (handle,)).fetchone()[0]
            if not phrased[term].search(texts[handle]):
                continue
        norm = _K1 * (1 - _B + _B * length / average)
        scores[handle] = scores.get(handle, 0.0) + idf[term] * tf * (_K1 + 1) / (tf + norm)
    return list(scores.items())
