"""Search order: texts holding every piece of the query first, then the rest; FTS5 scores in windows, newest first."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from headroom.memory import AgentMemory
from headroom.memory import common as memory_common
from headroom.memory.common import parse_query
from headroom.memory.fts5_search import fts5_best
from tests.memory.support import Opener


def test_texts_holding_every_word_rank_before_those_holding_the_rarest_often(open_memory: Opener) -> None:
    memory = open_memory(agent="w1")
    for n in range(30):
        memory.remember(f"worker {n} common status line")
    rare_only = memory.remember("zebra zebra zebra zebra")
    both = memory.remember("zebra appeared once in a longer common line about the worker pool and its queue")
    hits = [hit.handle for hit in memory.search("zebra common", limit=5)]
    assert hits[:2] == [both, rare_only]  # plain BM25 over an OR would put the four zebras first
    assert [hit.handle for hit in memory.search("zebra common", limit=1)] == [both]
    assert len(hits) == 5  # the OR fills the limit with texts holding one of the words


def _reference(
    db: sqlite3.Connection, match: str, scope: dict[int, str], count: int, window: int, taken: set[str]
) -> list[tuple[str, float]]:
    """The contract, written plainly: newest ``window`` matches at a time, best in scope of each, until enough."""
    rows = db.execute(
        "SELECT rowid, bm25(memory_fts) FROM memory_fts WHERE memory_fts MATCH ? ORDER BY rowid DESC", (match,)
    ).fetchall()
    out: list[tuple[str, float]] = []
    for start in range(0, len(rows), window):
        chunk = [(scope[r], -s) for r, s in rows[start : start + window] if r in scope and scope[r] not in taken]
        out += sorted(chunk, key=lambda hit: (-hit[1], hit[0]))
        if len(out) >= count:
            break
    return out[:count]


_VOCAB = ["name", "type", "value", "timeout", "db", "cache", "reset", "peer", "ok", "retry", "disk", "full"]


@settings(max_examples=60, deadline=None)
@given(
    docs=st.lists(
        st.tuples(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=10), st.sampled_from(["a", "b"])),
        min_size=1,
        max_size=50,
    ),
    asked=st.lists(st.sampled_from([*_VOCAB, "conn*", '"cache miss"', "re*"]), min_size=1, max_size=4),
    limit=st.integers(1, 12),
    window=st.sampled_from([1, 3, 7, 1_000]),
)
def test_fts5_results_are_the_windowed_every_piece_first_order(
    docs: list[tuple[list[str], str]], asked: list[str], limit: int, window: int
) -> None:
    with AgentMemory(agent="p") as memory:
        for n, (words, namespace) in enumerate(docs):
            text = " ".join(["name", *words]) + (" cache miss" if n % 5 == 0 else "") + f" n{n}"
            memory.remember(text, namespace=namespace)
        query = parse_query(" ".join(asked))
        sql, params = memory_common.scope("a", {}, "d.handle", "?")
        with memory._read() as db:
            scope = dict(
                db.execute(f"SELECT d.id, d.handle FROM memory_docs d WHERE {' AND '.join(sql)}", params).fetchall()
            )
            got = fts5_best(db, query, ["o.created_at >= ?", *sql], [-1.0, *params], limit, window=window)
            want = _reference(db, query.fts5(" AND "), scope, limit, window, set())
            if len(want) < limit:
                taken = {handle for handle, _ in want}
                want += _reference(db, query.fts5(" OR "), scope, limit - len(want), window, taken)
        assert [h for h, _ in got] == [h for h, _ in want]
        assert [round(s, 9) for _, s in got] == [round(s, 9) for _, s in want]
        if window == 1_000:  # every match scored: the public search gives the same order
            assert [hit.handle for hit in memory.search(" ".join(asked), namespace="a", limit=limit)] == [
                h for h, _ in want
            ]
