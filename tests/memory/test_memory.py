"""Agent memory on every backend: one copy per content, provenance, search, namespaces, forgetting, limits.

Most tests run three times: SQLite with FTS5, SQLite on the plain-table
fallback index, and PostgreSQL against a real local server (skipped, with the
reason, where the server binaries are missing).
"""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headroom import (
    HandleExpired,
    HandleForgotten,
    HandleNotFound,
    Headroom,
    IntegrityError,
    InvalidHandle,
    InvalidInput,
    SQLiteStore,
    StoreError,
    copy_memory,
    make_handle,
    retrieve,
)
from headroom.memory import COMPRESSED, NOTE, AgentMemory, MemoryRecord, PostgresMemory
from headroom.memory import sqlite as memory_sqlite
from headroom.memory.base import searchable_text
from headroom.memory.common import tokens
from headroom.memory.table_index import fold, index_terms
from headroom.testing import FakeCounter
from tests.memory.support import Barrier, Clock, Memory, Opener

FIXTURES = Path(__file__).parent.parent / "stores" / "fixtures"
LATER = [
    "memory_0005_index_texts_with_secrets_redacted",
    "memory_0006_unicode_fallback_terms",
    "memory_0007_fts5_prefix_indexes",
]


def test_same_content_is_kept_once_with_every_keeper(open_memory: Opener) -> None:
    clock = Clock()
    planner, w1 = open_memory(agent="planner", clock=clock), open_memory(agent="w1", clock=clock)
    handle = planner.remember("pytest: 3 failed, 120 passed", meta={"source": "pytest -q"})
    clock.now += 5
    assert (
        w1.remember("pytest: 3 failed, 120 passed", kind="tool_output")
        == handle
        == make_handle("pytest: 3 failed, 120 passed")
    )
    clock.now += 5
    w1.remember("pytest: 3 failed, 120 passed", kind="tool_output")
    assert len(planner) == 1 and planner._counts()["docs"] == 1
    assert [(p.agent, p.kind, p.first_seen, p.last_seen, p.times, dict(p.meta)) for p in w1.provenance(handle)] == [
        ("planner", NOTE, 1_000.0, 1_000.0, 1, {"source": "pytest -q"}),
        ("w1", "tool_output", 1_005.0, 1_010.0, 2, {}),
    ]
    assert w1.recall(handle) == "pytest: 3 failed, 120 passed"


def test_a_marker_one_agent_wrote_resolves_for_another(open_memory: Opener) -> None:
    log = "\n".join(f"2026-11-24 10:{i // 60:02d}:{i % 60:02d} INFO request {i} in {i % 7} ms" for i in range(400))
    w1, w2, planner = open_memory(agent="w1"), open_memory(agent="w2"), open_memory(agent="planner")
    result = Headroom(store=w1, counter=FakeCounter()).compress_text(log, 200)
    assert result.manifest.entries, "the log should have been compressed"
    handle = result.manifest.entries[0].handle
    assert handle in result.text
    assert planner.recall(handle) == log
    assert retrieve(handle, store=planner, lines=(3, 4)) == "".join(log.splitlines(keepends=True)[2:4])
    (kept,) = planner.provenance(handle)
    assert (kept.agent, kept.kind, kept.meta.get("content_type")) == ("w1", COMPRESSED, "log")
    second = Headroom(store=w2, counter=FakeCounter()).compress_text(log, 200)  # the same fetch, again
    assert second.manifest.entries[0].handle == handle
    assert [p.agent for p in open_memory().provenance(handle)] == ["w1", "w2"]
    assert len(planner) == 1


def test_meta_keys_accumulate_and_the_first_value_wins(open_memory: Opener) -> None:
    memory = open_memory(agent="w1")
    handle = memory.remember("{}", meta={"source": "curl api/v1"})
    memory.put(handle, "{}", meta={"content_type": "json", "source": "later"})
    assert memory.get_meta(handle) == {"content_type": "json", "source": "curl api/v1"}


def test_search_ranks_and_filters(open_memory: Opener) -> None:
    memory = open_memory()
    dense = memory.remember("timeout\ntimeout talking to db-3\nretry timeout", agent="w1", kind="tool_output")
    sparse = memory.remember(
        "deploy log\n" + "step ok\n" * 30 + "one timeout at step 31\n", agent="w2", kind="tool_output"
    )
    note = memory.remember("db-3 is flaky; see the parse_args fix", agent="planner")
    memory.remember("all green", agent="w1")
    assert [hit.handle for hit in memory.search("timeout")] == [dense, sparse]
    assert [hit.handle for hit in memory.search("timeout", agent="w2")] == [sparse]
    assert [hit.handle for hit in memory.search("db-3 timeout", kind=NOTE)] == [note]
    assert memory.search("timeout", kind=NOTE) == []
    memory.remember("timeout\ntimeout talking to db-3\nretry timeout", agent="w2", kind=NOTE)
    assert memory.search("timeout", agent="w1", kind=NOTE) == []  # w1 kept it, but not as a note
    assert [hit.handle for hit in memory.search("timeout", agent="w2", kind=NOTE)] == [dense]
    (hit,) = memory.search("parse flaky")  # identifier parts match, as in the compressors
    assert (hit.handle, hit.agents) == (note, ("planner",))
    assert memory.search("timeout", limit=1)[0].handle == dense
    assert memory.search("timeout")[1].preview == "one timeout at step 31"
    assert memory.search("nothing-here-at-all") == []


def test_phrases_prefixes_and_stems(open_memory: Opener) -> None:
    memory = open_memory(agent="w1")
    reset = memory.remember("ERROR connection reset by peer (db-3)")
    apart = memory.remember("the connection was fine; a reset of the cache followed")
    refused = memory.remember("connecting to db-4: refused")
    found = [h.handle for h in memory.search("connection reset")]
    assert set(found[:2]) == {reset, apart}  # both words first; a stemming index adds "connecting" after
    assert [h.handle for h in memory.search('"connection reset"')] == [reset]
    assert sorted(h.handle for h in memory.search("connect*")) == sorted([reset, apart, refused])
    assert [h.handle for h in memory.search("refus*")] == [refused]
    if open_memory.backend != "table":  # the fallback index does not stem (recorded when it is chosen)
        assert sorted(h.handle for h in memory.search("resets")) == sorted([reset, apart])
        assert [h.handle for h in memory.search("refusing")] == [refused]


def test_preview_is_the_line_of_the_rarest_term_cut_around_it(open_memory: Opener) -> None:
    memory = open_memory(agent="w1")
    memory.remember("common words\ncommon\n" + "x" * 500 + " needle " + "y" * 500)
    memory.remember("common ground")
    (hit,) = memory.search("common needle", limit=1)
    assert "needle" in hit.preview and len(hit.preview) <= 200


def test_equal_scores_rank_by_handle(open_memory: Opener) -> None:
    memory = open_memory(agent="w1")
    handles = [memory.remember(f"same words here {n}") for n in range(5)]
    assert [hit.handle for hit in memory.search("same words")] == sorted(handles)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.search("the and of"), "no searchable words"),
        (lambda m: m.search(""), "no searchable words"),
        (lambda m: m.search(42), "query string"),
        (lambda m: m.search("timeout", limit=0), "positive int"),
        (lambda m: m.history(limit=True), "positive int"),
        (lambda m: m.remember(b"bytes"), "pass str"),
        (lambda m: m.remember("x", agent=""), "agent must be a non-empty string"),
        (lambda m: m.remember("x", kind=" "), "kind must be a non-empty string"),
        (lambda m: m.remember("x", meta={"n": 3}), "meta must map str to str"),
        (lambda m: m.remember("x", namespace="*"), "every namespace"),
        (lambda m: m.search("timeout", agent=7), "agent must be a non-empty string"),
        (lambda m: m.forget(), "would forget everything"),
        (lambda m: m.forget(make_handle("x"), agent="w1"), "either a handle or filters"),
        (lambda m: m.forget(before="yesterday"), "time in seconds"),
    ],
)
def test_bad_input_says_what_to_do(call: Callable[[AgentMemory], object], message: str) -> None:
    with AgentMemory(agent="w1") as memory, pytest.raises(InvalidInput, match=message):
        call(memory)


def test_writing_needs_an_agent_and_handles_must_be_handles(open_memory: Opener) -> None:
    memory = open_memory()
    with pytest.raises(StoreError, match=r"\(.*agent='worker-1'\)"):
        memory.remember("who wrote this?")
    with pytest.raises(StoreError, match="agent="):
        memory.put(make_handle("x"), "x")
    assert len(memory) == 0
    with pytest.raises(InvalidHandle):
        memory.recall("not-a-handle")
    with pytest.raises(HandleNotFound, match="never stored"):
        memory.provenance(make_handle("absent"))


def test_expired_memories_leave_search_and_take_their_rows_along(open_memory: Opener) -> None:
    clock = Clock()
    memory = open_memory(agent="w1", ttl=60, clock=clock)
    old = memory.remember("stale timeout report")
    clock.now += 30
    fresh = memory.remember("fresh timeout report")
    clock.now += 40
    assert [hit.handle for hit in memory.search("timeout")] == [fresh]
    assert [p.handle for p in memory.history()] == [fresh]
    with pytest.raises(HandleExpired):
        memory.provenance(old)
    assert memory.purge_expired() == 1
    counts = memory._counts()
    assert (counts["originals"], counts["docs"], counts["provenance"]) == (1, 1, 1) and counts["index"] >= 1
    assert memory.remember("stale timeout report") == old  # kept again, indexed again
    assert [hit.handle for hit in memory.search("stale")] == [old]


def test_size_limit_evicts_least_recently_used_with_its_index(open_memory: Opener) -> None:
    clock = Clock()
    memory = open_memory(agent="w1", max_bytes=70, clock=clock)
    a = memory.remember("alpha " * 5)
    clock.now += 1
    memory.remember("bravo " * 5)
    clock.now += 1
    memory.recall(a)
    clock.now += 1
    c = memory.remember("charlie " * 4)
    assert sorted(hit.handle for hit in memory.search("alpha bravo charlie")) == sorted([a, c])
    counts = memory._counts()
    assert (counts["originals"], counts["docs"], counts["provenance"]) == (2, 2, 2)
    with pytest.raises(StoreError, match="larger max_bytes"):
        memory.remember("z" * 71)


def test_history_is_newest_first_and_filters(open_memory: Opener) -> None:
    clock = Clock()
    memory = open_memory(clock=clock)
    first = memory.remember("first finding", agent="w1")
    clock.now += 1
    second = memory.remember("second finding", agent="w2", kind="tool_output")
    clock.now += 1
    memory.remember("first finding", agent="w1")
    assert [(p.handle, p.agent) for p in memory.history()] == [(first, "w1"), (second, "w2")]
    assert [p.handle for p in memory.history(agent="w2")] == [second]
    assert [p.handle for p in memory.history(kind=NOTE, since=1_001.5)] == [first]
    assert memory.history(limit=1)[0].times == 2


def test_namespaces_keep_teams_apart_unless_asked(open_memory: Opener) -> None:
    red, blue = open_memory(agent="r1", namespace="team-red"), open_memory(agent="b1", namespace="team-blue")
    plan = red.remember("deploy plan: drain db-3 first")
    shared = red.remember("db-3 disk is 91% full")
    blue.remember("db-3 disk is 91% full")
    secret = blue.remember("db-3 root password rotated")
    assert sorted(h.handle for h in red.search("db")) == sorted([plan, shared])
    assert sorted(h.handle for h in blue.search("db")) == sorted([shared, secret])
    assert red.search("password") == [] and [h.handle for h in red.search("password", namespace="team-blue")] == [
        secret
    ]
    assert len(red.search("db", namespace="*")) == 3
    assert [h.agents for h in red.search("disk")] == [("r1",)]  # who kept it, in this namespace
    assert [h.agents for h in red.search("disk", namespace="*")] == [("b1", "r1")]
    assert [p.agent for p in red.provenance(shared)] == ["r1"]
    assert {p.namespace for p in red.provenance(shared, namespace="*")} == {"team-red", "team-blue"}
    assert [p.handle for p in blue.history()] == [secret, shared]
    assert red.recall(secret) == "db-3 root password rotated"  # a handle is its own permission
    assert red.remember("a note filed elsewhere", namespace="team-blue") in [p.handle for p in blue.history()]


def test_forget_a_handle_removes_it_with_its_index_and_says_so(open_memory: Opener) -> None:
    memory, other = open_memory(agent="w1"), open_memory(agent="w2")
    handle = memory.remember("api key sk-test leaked in this log")
    other.remember("api key sk-test leaked in this log", kind="tool_output")
    kept = memory.remember("an unrelated finding about the api")
    assert memory.forget(handle) == 1 and memory.forget(handle) == 0
    for call in (memory.recall, other.get, other.get_meta, memory.provenance):
        with pytest.raises(HandleForgotten, match=r"was forgotten \(forget\(\) removed it"):
            call(handle)
    with pytest.raises(HandleNotFound, match="never stored"):  # a plain miss still says so
        memory.recall(make_handle("never kept"))
    assert handle not in memory and [h.handle for h in memory.search("api")] == [kept]
    assert memory._counts() | {"index": 0} == {"originals": 1, "docs": 1, "index": 0, "provenance": 1, "forgotten": 1}
    assert memory.remember("api key sk-test leaked in this log") == handle  # kept again: no longer forgotten
    assert memory.recall(handle).startswith("api key") and memory._counts()["forgotten"] == 0


def test_forget_by_agent_kind_namespace_and_age(open_memory: Opener) -> None:
    clock = Clock()
    memory = open_memory(clock=clock)
    both = memory.remember("seen by both agents", agent="w1")
    memory.remember("seen by both agents", agent="w2", kind="tool_output")
    only_w1 = memory.remember("seen by w1 only", agent="w1")
    clock.now += 100
    fresh = memory.remember("fresh note from w2", agent="w2")
    elsewhere = memory.remember("a note in another namespace", agent="w3", namespace="team-x")
    assert memory.forget(agent="w1") == 1  # w1's only original goes; the shared one stays, kept by w2
    with pytest.raises(HandleForgotten):
        memory.recall(only_w1)
    assert [p.agent for p in memory.provenance(both)] == ["w2"]
    assert memory.forget(kind="tool_output", before=1_050) == 1
    assert both not in memory and fresh in memory
    assert memory.forget(namespace="team-x") == 1 and elsewhere not in memory
    assert memory.forget(agent="w2", kind="nothing-of-this-kind") == 0
    assert [p.handle for p in memory.history(namespace="*")] == [fresh]


def test_a_plain_store_file_becomes_searchable_memory(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with SQLiteStore(path) as store:
        store.put(make_handle("kept before memory existed"), "kept before memory existed")
    with AgentMemory(path, agent="w1") as memory:
        (hit,) = memory.search("existed")
        assert hit.agents == () and memory.provenance(hit.handle) == []
        assert memory.search_index == "fts5" and "memory_0004_fts5_index" in memory.migrations()
    with SQLiteStore(path) as store:  # a plain store writing here is indexed by the trigger
        store.put(make_handle("written by a plain store"), "written by a plain store")
    with AgentMemory(path, agent="w2") as memory:
        assert [hit.agents for hit in memory.search("plain")] == [()]
        memory.remember("written by a plain store")
        assert [hit.agents for hit in memory.search("plain")] == [("w2",)]
        with SQLiteStore(path) as store:
            store.purge_expired()
            raw = store._connect()
            raw.execute("DELETE FROM originals WHERE handle = ?", (make_handle("written by a plain store"),))
        assert memory.search("plain") == [] and memory._counts()["docs"] == 1


@pytest.mark.parametrize("index", ["fts5", "table"])
def test_a_file_of_the_previous_schema_migrates_without_losing_a_record(tmp_path: Path, index: str) -> None:
    path = tmp_path / "memory.db"
    db = sqlite3.connect(path)  # the dump of a file the table-index schema wrote, before namespaces
    db.executescript((FIXTURES / "memory_schema_0002.sql").read_text())
    db.close()
    with AgentMemory(path, agent="reader", search_index=index) as memory:  # type: ignore[arg-type]
        steps = ["memory_0003_namespaces_and_forgetting", "memory_0004_fts5_index", *LATER]
        assert memory.migrations()[-5:] == (
            steps if index == "fts5" else ["memory_0002_index_existing_originals", steps[0], *LATER]
        )
        assert len(memory) == 3 and memory.verify() == []
        (hit,) = memory.search('"connection reset"')
        assert [(p.agent, p.kind, p.times, p.namespace) for p in memory.provenance(hit.handle)] == [
            ("w1", "tool_output", 1, "default"),
            ("w2", "tool_output", 2, "default"),
        ]
        (note,) = memory.search("load")
        assert memory.provenance(note.handle)[0].meta == {"source": "incident 812"}
        assert [h.agents for h in memory.search("plain store")] == [()]
        counts = memory._counts()
        assert (counts["docs"], counts["provenance"]) == (3, 3)
        postings = memory._connect().execute("SELECT COUNT(*) FROM memory_postings").fetchone()[0]
        assert postings == 0 if index == "fts5" else postings > 3
        memory.forget(hit.handle)
        assert memory.search('"connection reset"') == [] and memory._counts()["docs"] == 2


def test_the_fallback_index_is_chosen_visibly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with AgentMemory(tmp_path / "a.db") as memory:
        assert (memory.search_index, memory.degradations) == ("fts5", ())
    with AgentMemory(tmp_path / "b.db", search_index="table") as memory:
        assert (memory.search_index, memory.degradations) == ("table", ())  # asked for: no degradation
    monkeypatch.setattr(memory_sqlite, "fts5_available", lambda: False)
    with caplog.at_level(logging.WARNING, logger="headroom.memory"), AgentMemory(tmp_path / "c.db") as memory:
        assert memory.search_index == "table"
        assert [d.kind for d in memory.degradations] == ["memory-search-fallback"]
    assert "no FTS5" in caplog.text
    with pytest.raises(StoreError, match="lacks"):
        AgentMemory(tmp_path / "a.db")  # moved to FTS5 already: refused, not failing on the first write
    with pytest.raises(StoreError, match="has no FTS5"):
        AgentMemory(tmp_path / "d.db", search_index="fts5")


def _work(memory: Memory, agent: str, shared: int, own: int, start: Barrier) -> None:
    start.wait(60)  # every writer begins together, so the writes really overlap
    for i in range(max(shared, own)):
        if i < shared:
            memory.remember(f"shared finding {i}: cache miss on key k{i}", agent=agent)
        if i < own:
            handle = memory.remember(f"{agent} finding {i}: latency {i} ms", agent=agent, kind="tool_output")
            assert memory.recall(handle).startswith(agent)
        if i % 10 == 0:
            memory.search("cache miss", limit=3)


def _check_team(memory: Memory, agents: list[str], shared: int, own: int) -> None:
    assert len(memory) == shared + own * len(agents)
    counts = memory._counts()
    assert counts["docs"] == len(memory) and counts["provenance"] == (shared + own) * len(agents)
    for i in range(shared):
        handle = make_handle(f"shared finding {i}: cache miss on key k{i}")
        assert [p.agent for p in sorted(memory.provenance(handle), key=lambda p: p.agent)] == sorted(agents)
    assert len(memory.search('"cache miss"', limit=1_000)) == shared
    assert memory.verify() == []


def test_threads_share_one_memory_without_losing_or_doubling(open_memory: Opener) -> None:
    agents = [f"t{n}" for n in range(6)]
    memories = [open_memory(agent=agent) for agent in agents]
    start = threading.Barrier(len(agents))
    threads = [threading.Thread(target=_work, args=(m, a, 40, 40, start)) for m, a in zip(memories, agents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _check_team(memories[0], agents, 40, 40)


def test_threads_share_one_private_memory() -> None:
    with AgentMemory() as memory:
        agents = [f"t{n}" for n in range(4)]
        start = threading.Barrier(len(agents))
        threads = [threading.Thread(target=_work, args=(memory, a, 30, 30, start)) for a in agents]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(memory) == 30 + 4 * 30
        assert len(memory.search('"cache miss"', limit=1_000)) == 30
        shared = memory.provenance(make_handle("shared finding 0: cache miss on key k0"))
        assert {p.agent for p in shared} == set(agents)


def test_copying_between_kinds_keeps_every_handle_and_record(tmp_path: Path, postgres_database: str) -> None:
    clock = Clock()
    with AgentMemory(tmp_path / "a.db", agent="w1", clock=clock) as source:
        source.remember("nul\x00inside and é 漢字", meta={"source": "odd bytes"})
        clock.now += 1
        source.remember("shared timeout finding", agent="w2", kind="tool_output", namespace="team-x")
        source.remember("shared timeout finding", agent="w3")
        with SQLiteStore(source.path) as plain:
            plain.put(make_handle("an original with no keeper"), "an original with no keeper")
        expected = list(source.export())
        with PostgresMemory(postgres_database) as middle, AgentMemory(tmp_path / "b.db", search_index="table") as end:
            assert copy_memory(source, middle) == 3
            assert copy_memory(middle, end) == 3
            for target in (middle, end):
                assert list(target.export()) == expected
                assert target.verify() == []
                assert [h.agents for h in target.search("timeout", namespace="*")] == [("w2", "w3")]
            bad = MemoryRecord(make_handle("real text"), "other text", {}, 0.0, ())
            for target in (middle, end):
                with pytest.raises(IntegrityError, match="does not hash"):
                    target.import_records([bad])
                assert make_handle("real text") not in target


def _english_stop_word(memory: PostgresMemory, word: str) -> bool:
    with memory._transaction() as cur:
        cur.execute("SELECT to_tsvector('english', %s) = ''::tsvector", (word,))
        return bool(cur.fetchone()[0])  # type: ignore[index]


def _team_member(conninfo: str, agent: str, calls: int, start: Barrier, done: Barrier) -> None:
    with PostgresMemory(conninfo, agent=agent, pool_size=2) as memory:
        client = Headroom(store=memory, counter=FakeCounter())
        start.wait(60)
        for i in range(calls):
            log = "\n".join(f"{agent} call {i} line {n}: request {n * i} took {n % 17} ms" for n in range(60))
            marker = client.compress_text(log, 60).manifest.entries[0].handle
            memory.remember(f"{agent} call {i} compressed to {marker}", namespace="team")
        done.wait(60)  # all have written: every marker any of them wrote resolves here
        for record in memory.history(namespace="*", limit=100_000):
            memory.recall(record.handle)


def test_processes_share_one_postgres_memory(postgres_database: str) -> None:
    """The 8 x 500 run is in benchmarks/memory_speed.py (--team); this is the same check, smaller."""
    agents, calls = [f"p{n}" for n in range(8)], 10
    PostgresMemory(postgres_database).close()
    context = multiprocessing.get_context("spawn")
    start, done = context.Barrier(len(agents)), context.Barrier(len(agents))
    workers = [context.Process(target=_team_member, args=(postgres_database, a, calls, start, done)) for a in agents]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    with PostgresMemory(postgres_database) as memory:
        assert len(memory) == 2 * calls * len(agents) and memory.verify() == []
        notes = memory.history(namespace="team", limit=1_000)
        assert len(notes) == calls * len(agents)
        for note in notes:
            marker = memory.recall(note.handle).rsplit(" ", 1)[1]
            assert marker in memory and memory.provenance(marker)[0].kind == COMPRESSED


_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789éü漢字", min_size=1, max_size=12)
_GLUE = st.sampled_from([" ", "\n", ", ", "-", "_", "/", "\t", "\x00", "::"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(alphabet=st.characters(blacklist_categories=["Cs"])), words=st.lists(_WORDS, max_size=8), glue=_GLUE
)
def test_any_text_round_trips_and_is_found_by_its_words(
    open_memory: Opener, text: str, words: list[str], glue: str
) -> None:
    memory = open_memory.opened[0] if open_memory.opened else open_memory(agent="h")
    handle = memory.remember(text)
    assert memory.recall(handle) == text and handle == make_handle(text)
    worded_text = glue.join(words) + " " + text
    worded = memory.remember(worded_text)
    for word in words:
        if word.lower() not in tokens(searchable_text(worded_text)):
            continue  # part of what headroom.secrets redacts ("pwd::00123"): unsearchable by design
        if open_memory.backend == "table" and fold(word) not in index_terms(worded_text):
            continue  # the fallback index keeps no stop words and no one-letter terms
        if isinstance(memory, PostgresMemory) and _english_stop_word(memory, word):
            continue  # PostgreSQL's english configuration indexes no stop words ("a", "the")
        assert worded in [hit.handle for hit in memory.search(f'"{word}"', limit=1_000)]
