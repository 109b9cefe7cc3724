"""Top results from the FTS5 index: texts holding every piece of the query first, in bounded windows.

FTS5 computes ``bm25()`` for every row a query matches and has no top-k
pruning: an OR of two words each found in half the texts costs as much as
ranking half the collection (141 ms p95 at 100k texts). Two decisions bound
that work, and docs/memory.md records them as the ranking contract:

- **Every piece first.** The query runs as an AND of its pieces first; only
  when fewer than ``limit`` texts in scope hold them all does the OR of the
  pieces fill the rest. A text holding every word the caller typed thus ranks
  above one holding only the rarest word many times, which plain BM25 over an
  OR would sometimes put first. The fallback index and PostgreSQL order their
  results the same way.
- **Newest window first.** Each of the two queries is scored ``WINDOW`` matching
  texts at a time, newest first (FTS5 walks its rowids backwards and stops at
  the ``LIMIT``, so the work is bounded), and the best of a window are kept
  before an older window is looked at. Where fewer than ``WINDOW`` texts match,
  which is nearly every query on a specific word, the result is exactly the
  ``bm25()`` order. Where more match, a query of very common words, the best of
  the most recent ``WINDOW`` matches are returned: recent memories over an
  exhaustive score of words that say little.

``bm25()`` scores are exact (its document frequencies are the whole index's),
and the filters (TTL, provenance scope) are tested on the candidates in score
order, so a window yields its best texts in scope.
"""

from __future__ import annotations

import sqlite3

from headroom.memory.common import Query

__all__ = ["WINDOW", "fts5_best"]

WINDOW = 1_000
_NEWEST = 2**63 - 1  # above every rowid


def fts5_best(
    db: sqlite3.Connection,
    query: Query,
    where: list[str],
    params: list[object],
    count: int,
    *,
    window: int = WINDOW,
) -> list[tuple[str, float]]:
    """The ``count`` best (handle, score) passing the filters (over ``d``, ``o``): every piece first, then any."""
    every = query.fts5(" AND ")
    best = _tier(db, every, where, params, count, window, set())
    if len(best) < count and every != (some := query.fts5(" OR ")):
        best += _tier(db, some, where, params, count - len(best), window, {handle for handle, _ in best})
    return best


def _tier(
    db: sqlite3.Connection,
    match: str,
    where: list[str],
    params: list[object],
    count: int,
    window: int,
    taken: set[str],
) -> list[tuple[str, float]]:
    """Up to ``count`` texts matching ``match`` in scope and not ``taken``: by score within a window, newest first."""
    found: list[tuple[str, float]] = []
    below = _NEWEST
    while len(found) < count:
        rows = db.execute(
            "SELECT rowid, bm25(memory_fts) FROM memory_fts WHERE memory_fts MATCH ? AND rowid < ? "
            "ORDER BY rowid DESC LIMIT ?",
            (match, below, window),
        ).fetchall()
        if not rows:
            break
        below = rows[-1][0]
        found += _in_scope(db, sorted(rows, key=lambda row: row[1]), where, params, count - len(found), taken)
        if len(rows) < window:
            break
    return found


def _in_scope(
    db: sqlite3.Connection,
    ranked: list[tuple[int, float]],
    where: list[str],
    params: list[object],
    count: int,
    taken: set[str],
) -> list[tuple[str, float]]:
    """The best ``count`` of ``ranked`` (rowid, bm25 ascending) that pass the filters, ties by handle."""
    out: list[tuple[str, float]] = []
    step = 4 * count + 16
    for start in range(0, len(ranked), step):
        chunk = ranked[start : start + step]
        marks = ", ".join("?" * len(chunk))
        rows = db.execute(
            f"SELECT d.id, d.handle FROM memory_docs d JOIN originals o ON o.handle = d.handle "
            f"WHERE d.id IN ({marks}) AND {' AND '.join(where)}",
            [rowid for rowid, _ in chunk] + params,
        ).fetchall()
        handles = dict(rows)
        out += [(handles[rowid], -score) for rowid, score in chunk if rowid in handles]
        out = [hit for hit in out if hit[0] not in taken]
        # Ties may straddle the chunk's end: stop only once the next chunk starts below the last score kept.
        if len(out) >= count and (start + step >= len(ranked) or -ranked[start + step][1] < out[count - 1][1]):
            break
    return sorted(out, key=lambda hit: (-hit[1], hit[0]))[:count]
