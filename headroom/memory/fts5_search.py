"""Top results from the FTS5 index: ``bm25()`` order, the caller's filters, and pruning of very common words.

FTS5 computes ``bm25()`` for every row an OR query matches; it has no top-k
pruning, so one word found in half the texts costs as much as ranking half the
collection. The pruning here is the idea of Elasticsearch's common-terms query
(``cutoff_frequency``) made exact, MaxScore style. Words found in more than
``COMMON_SHARE`` of the texts are "common" (C), the other pieces "rare" (R).
Two cheap queries then give exact ``bm25()`` scores: ``R`` alone (exact for a
text holding no common word) and ``(R) AND (C)`` (every piece of the query is
in that expression, so its ``bm25()`` is the full query's). A text holding
only common words scores at most the sum over them of ``idf * (k1 + 1)``,
FTS5's own formula with k1 = 1.2. When the results found beat every score a
text left out could have, they are the full query's exactly; otherwise the
full query runs. Document counts come from ``fts5vocab``; a word's index form
(its Porter stem) from a scratch FTS5 table with the same tokenizer, so
nothing FTS5 does is written again here.
"""

from __future__ import annotations

import math
import sqlite3

from headroom.memory.common import Query

__all__ = ["COMMON_SHARE", "fts5_best"]

COMMON_SHARE = 0.02
_K1 = 1.2  # FTS5's bm25() constant (fts5_aux.c)


def fts5_best(
    db: sqlite3.Connection, query: Query, where: list[str], params: list[object], count: int, *, prune: bool = True
) -> list[tuple[str, float]]:
    """The ``count`` best (handle, score) by ``bm25()`` passing the filters (over ``d``, ``o``), ties by handle.

    FTS5 ranks its own rows fastest alone, so it ranks first and the filters
    (TTL, provenance scope) join only the candidates. Too few survive, or the
    last one does not beat every row left out: rank deeper and filter again.
    """
    fetch = 4 * count + 16
    pruned = _pruned(db, query, fetch) if prune else None
    if pruned is not None:
        best = _filtered(db, pruned[0], where, params)
        if len(best) >= count and best[count - 1][1] > pruned[1]:
            return best[:count]
    while True:
        ranked = _ranked(db, query.fts5(), fetch)
        if not ranked:
            return []
        best = _filtered(db, ranked, where, params)
        if len(ranked) < fetch or (len(best) >= count and best[count - 1][1] > ranked[-1][1]):
            return best[:count]
        fetch *= 8


def _ranked(db: sqlite3.Connection, match: str, fetch: int) -> list[tuple[int, float]]:
    rows = db.execute(
        "SELECT rowid, bm25(memory_fts) AS r FROM memory_fts WHERE memory_fts MATCH ? ORDER BY r LIMIT ?",
        (match, fetch),
    ).fetchall()
    return [(rowid, -r) for rowid, r in rows]


def _filtered(
    db: sqlite3.Connection, ranked: list[tuple[int, float]], where: list[str], params: list[object]
) -> list[tuple[str, float]]:
    if not ranked:
        return []
    marks = ", ".join("?" * len(ranked))
    rows = db.execute(
        f"SELECT d.handle, d.id FROM memory_docs d JOIN originals o ON o.handle = d.handle "
        f"WHERE d.id IN ({marks}) AND {' AND '.join(where)}",
        [rowid for rowid, _ in ranked] + params,
    ).fetchall()
    score = dict(ranked)
    return sorted(((handle, score[rowid]) for handle, rowid in rows), key=lambda item: (-item[1], item[0]))


def _pruned(db: sqlite3.Connection, query: Query, fetch: int) -> tuple[list[tuple[int, float]], float] | None:
    """Exact scores of the texts found through the rare pieces, and a bound on every other text's; None: no gain."""
    if not query.words or len(query.words) + len(query.prefixes) + len(query.phrases) < 2:
        return None
    rows = db.execute("SELECT MAX(id) FROM memory_docs").fetchone()[0] or 0  # >= FTS5's row count: a safe bound
    frequency = _document_counts(db, query.words)
    common = [w for w in query.words if frequency.get(w, 0) > COMMON_SHARE * rows]
    if not common or len(common) == len(query.words) + len(query.prefixes) + len(query.phrases):
        return None
    rare = Query(tuple(w for w in query.words if w not in common), query.prefixes, query.phrases)
    rare_only = _ranked(db, rare.fts5(), fetch)
    both = _ranked(db, f"({rare.fts5()}) AND ({Query(tuple(common), (), ()).fts5()})", fetch)
    floor_rare = rare_only[-1][1] if len(rare_only) == fetch else -math.inf
    floor_both = both[-1][1] if len(both) == fetch else -math.inf
    exact = dict(both)
    for rowid, score in rare_only:
        # Not among the best texts holding a common word: exact if it holds none. It surely holds none when
        # its rare-only score already beats every such text left out; otherwise it stays under floor_both.
        if rowid not in exact and (len(both) < fetch or score > floor_both):
            exact[rowid] = score
    only_common = sum(max(math.log((rows - frequency[w] + 0.5) / (frequency[w] + 0.5)), 1e-6) for w in common)
    floor = max(floor_rare, floor_both, only_common * (_K1 + 1))
    return sorted(exact.items(), key=lambda item: -item[1]), floor


def _document_counts(db: sqlite3.Connection, words: tuple[str, ...]) -> dict[str, int]:
    """How many texts hold each word, as FTS5 indexes it (stemmed); words that are not one token are left out."""
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.memory_stem USING fts5(text, tokenize='porter unicode61')")
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.memory_stem_vocab USING fts5vocab(temp, memory_stem, 'row')")
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.memory_vocab USING fts5vocab(main, memory_fts, 'row')")
    out: dict[str, int] = {}
    for word in words:
        db.execute("INSERT INTO temp.memory_stem (rowid, text) VALUES (1, ?)", (word,))
        stems = [term for (term,) in db.execute("SELECT term FROM temp.memory_stem_vocab")]
        db.execute("DELETE FROM temp.memory_stem")
        if len(stems) == 1:
            row = db.execute("SELECT doc FROM temp.memory_vocab WHERE term = ?", (stems[0],)).fetchone()
            out[word] = 0 if row is None else row[0]
    return out
