"""The fallback search index: BM25 over an inverted index in plain tables, for a SQLite without FTS5.

Kept only for Pythons whose SQLite lacks FTS5 (a compile-time option); an
``AgentMemory`` chooses it at open and records the choice as a degradation.
It reads the same query language as FTS5 (``headroom.memory.common``):
words, ``prefix*`` (a range scan over the sorted terms) and ``"phrases"``
(every token present, then the phrase checked in the text), and orders
results as FTS5 search does: texts holding every piece first. The score is
the Okapi formula and constants of ``headroom.relevance.BM25``.

Terms (``index_terms``) follow FTS5's ``unicode61`` rule, so the two indexes
find the same words in any script: runs of letters and digits, lowercased,
diacritics folded (``café`` is ``cafe``). An ASCII run also yields its
identifier parts as ``headroom.relevance.terms`` splits them (``getUser``:
``getuser``, ``get``, ``user``). Unlike FTS5 there is no stemming, and stop
words and one-letter terms are not indexed.
"""

from __future__ import annotations

import heapq
import re
import sqlite3
import unicodedata
from collections import Counter

from headroom.memory.common import Query
from headroom.relevance import K1, STOP_WORDS, B, idf, terms
from headroom.stores.sqlite import _decode

__all__ = ["index_terms", "index_text", "search_table"]

_TOKEN = re.compile(r"[^\W_]+")  # unicode61's tokens: letters and digits

_MAX_PREFIX_TERMS = 64  # a one-letter-ish prefix would otherwise score the whole vocabulary


def fold(token: str) -> str:
    """Lowercased, diacritics removed (unicode61's default ``remove_diacritics``)."""
    if token.isascii():
        return token.lower()
    return "".join(c for c in unicodedata.normalize("NFKD", token.lower()) if not unicodedata.combining(c))


def index_terms(text: str) -> list[str]:
    """The terms the fallback index keeps for ``text`` (and looks up for a query word)."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if token.isascii():
            out += terms(token)
        else:
            folded = fold(token)
            if len(folded) > 1 and folded not in STOP_WORDS:
                out.append(folded)
    return out


def index_text(db: sqlite3.Connection, handle: str, counts: Counter[str]) -> None:
    doc = db.execute("INSERT INTO memory_docs (handle, length) VALUES (?, ?)", (handle, sum(counts.values()))).lastrowid
    db.executemany("INSERT INTO memory_postings VALUES (?, ?, ?)", ((t, doc, n) for t, n in counts.items()))


def _pieces(db: sqlite3.Connection, query: Query) -> list[tuple[set[str], re.Pattern[str] | None]]:
    """Per piece of the query, the index terms that stand for it, and for a phrase the pattern a text must hold."""
    pieces: list[tuple[set[str], re.Pattern[str] | None]] = [(set(index_terms(w)), None) for w in query.words]
    for prefix in map(fold, query.prefixes):
        rows = db.execute(
            "SELECT DISTINCT term FROM memory_postings WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
            (prefix, prefix + "\U0010ffff", _MAX_PREFIX_TERMS),
        )
        pieces.append(({term for (term,) in rows}, None))
    for phrase in query.phrases:
        pattern = re.compile(r"(?<![^\W_])" + r"[\W_]+".join(map(re.escape, phrase)) + r"(?![^\W_])", re.IGNORECASE)
        pieces.append(({term for token in phrase for term in index_terms(token)}, pattern))
    return pieces


def search_table(
    db: sqlite3.Connection, query: Query, where: list[str], params: list[object], count: int
) -> list[tuple[str, float]]:
    """The ``count`` best (handle, BM25 score) matching ``query`` within ``where`` (over ``d.handle``), best first.

    Texts holding every piece of the query come first, then those holding
    some, each group by score, ties by handle: the order FTS5 search gives.
    A phrase's words count for a text only where the text holds the phrase
    (unless the query names that word by itself too).
    """
    pieces = _pieces(db, query)
    plain = {term for found, pattern in pieces if pattern is None for term in found}
    wanted = sorted({term for found, _ in pieces for term in found})
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
    weights = {t: idf(total, n) for t, n in frequency.items()}
    texts: dict[str, str] = {}
    scores: dict[str, float] = {}
    held: dict[str, set[int]] = {}
    owners = {term: [n for n, (found, _) in enumerate(pieces) if term in found] for term in wanted}
    for handle, length, term, tf in rows:
        counts = term in plain
        for number in owners[term]:
            pattern = pieces[number][1]
            if pattern is not None:
                if handle not in texts:
                    stored = db.execute("SELECT text FROM originals WHERE handle = ?", (handle,)).fetchone()[0]
                    texts[handle] = _decode(stored)
                if not pattern.search(texts[handle]):
                    continue
            counts = True
            held.setdefault(handle, set()).add(number)
        if counts:
            norm = K1 * (1 - B + B * length / average)
            scores[handle] = scores.get(handle, 0.0) + weights[term] * tf * (K1 + 1) / (tf + norm)
    every = len(pieces)
    order = {handle: (len(held.get(handle, ())) < every, -score, handle) for handle, score in scores.items()}
    return [(handle, scores[handle]) for handle in heapq.nsmallest(count, order, key=order.__getitem__)]
