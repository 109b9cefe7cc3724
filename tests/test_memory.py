"""AgentMemory: one copy per content, provenance per agent, BM25 search, limits, threads and processes."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path
from typing import Protocol

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import (
    HandleExpired,
    HandleNotFound,
    Headroom,
    InvalidHandle,
    InvalidInput,
    SQLiteStore,
    StoreError,
    make_handle,
    retrieve,
)
from headroom.memory import COMPRESSED, NOTE, AgentMemory
from headroom.relevance import terms
from headroom.testing import FakeCounter


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class Barrier(Protocol):
    def wait(self, timeout: float | None = None) -> int: ...


def rows(memory: AgentMemory, table: str) -> int:
    db = sqlite3.connect(memory.path)
    try:
        count: int = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        db.close()
    return count


def index_rows(memory: AgentMemory) -> tuple[int, int, int]:
    return rows(memory, "memory_docs"), rows(memory, "memory_postings"), rows(memory, "memory_provenance")


def test_same_content_is_kept_once_with_every_keeper(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "team.db"
    with AgentMemory(path, agent="planner", clock=clock) as planner, AgentMemory(path, agent="w1", clock=clock) as w1:
        handle = planner.remember("pytest: 3 failed, 120 passed", meta={"source": "pytest -q"})
        clock.now += 5
        assert (
            w1.remember("pytest: 3 failed, 120 passed", kind="tool_output")
            == handle
            == make_handle("pytest: 3 failed, 120 passed")
        )
        clock.now += 5
        w1.remember("pytest: 3 failed, 120 passed", kind="tool_output")
        assert len(planner) == 1 and rows(planner, "memory_docs") == 1
        assert [(p.agent, p.kind, p.first_seen, p.last_seen, p.times, dict(p.meta)) for p in w1.provenance(handle)] == [
            ("planner", NOTE, 1_000.0, 1_000.0, 1, {"source": "pytest -q"}),
            ("w1", "tool_output", 1_005.0, 1_010.0, 2, {}),
        ]
        assert w1.recall(handle) == "pytest: 3 failed, 120 passed"


def test_a_marker_one_agent_wrote_resolves_for_another(tmp_path: Path) -> None:
    path = tmp_path / "team.db"
    log = "\n".join(f"2026-11-24 10:{i // 60:02d}:{i % 60:02d} INFO request {i} in {i % 7} ms" for i in range(400))
    with AgentMemory(path, agent="w1") as w1, AgentMemory(path, agent="w2") as w2:
        result = Headroom(store=w1, counter=FakeCounter()).compress_text(log, 200)
        assert result.manifest.entries, "the log should have been compressed"
        handle = result.manifest.entries[0].handle
        assert handle in result.text
        with AgentMemory(path, agent="planner") as planner:
            assert planner.recall(handle) == log
            assert retrieve(handle, store=planner, lines=(3, 4)) == "".join(log.splitlines(keepends=True)[2:4])
            (kept,) = planner.provenance(handle)
            assert (kept.agent, kept.kind, kept.meta.get("content_type")) == ("w1", COMPRESSED, "log")
        second = Headroom(store=w2, counter=FakeCounter()).compress_text(log, 200)  # the same fetch, again
        assert second.manifest.entries[0].handle == handle
    with AgentMemory(path) as reader:
        assert [p.agent for p in reader.provenance(handle)] == ["w1", "w2"]
        assert len(reader) == 1


def test_meta_keys_accumulate_and_the_first_value_wins() -> None:
    with AgentMemory(agent="w1") as memory:
        handle = memory.remember("{}", meta={"source": "curl api/v1"})
        memory.put(handle, "{}", meta={"content_type": "json", "source": "later"})
        assert memory.get_meta(handle) == {"content_type": "json", "source": "curl api/v1"}


def test_search_ranks_by_bm25_and_filters() -> None:
    with AgentMemory() as memory:
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


def test_preview_is_the_line_of_the_rarest_term_cut_around_it() -> None:
    with AgentMemory(agent="w1") as memory:
        memory.remember("common words\ncommon\n" + "x" * 500 + " needle " + "y" * 500)
        memory.remember("common ground")
        (hit,) = memory.search("common needle", limit=1)
        assert "needle" in hit.preview and len(hit.preview) <= 200


def test_equal_scores_rank_by_handle() -> None:
    with AgentMemory(agent="w1") as memory:
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
        (lambda m: m.search("timeout", agent=7), "agent must be a non-empty string"),
    ],
)
def test_bad_input_says_what_to_do(call: object, message: str) -> None:
    with AgentMemory(agent="w1") as memory, pytest.raises(InvalidInput, match=message):
        call(memory)  # type: ignore[operator]


def test_writing_needs_an_agent_and_handles_must_be_handles() -> None:
    with AgentMemory() as memory:
        with pytest.raises(StoreError, match=r"AgentMemory\(path, agent='worker-1'\)"):
            memory.remember("who wrote this?")
        with pytest.raises(StoreError, match="agent="):
            memory.put(make_handle("x"), "x")
        assert len(memory) == 0
        with pytest.raises(InvalidHandle):
            memory.recall("not-a-handle")
        with pytest.raises(HandleNotFound, match="never stored"):
            memory.provenance(make_handle("absent"))


def test_expired_memories_leave_search_and_take_their_rows_along(tmp_path: Path) -> None:
    clock = Clock()
    with AgentMemory(tmp_path / "ttl.db", agent="w1", ttl=60, clock=clock) as memory:
        old = memory.remember("stale timeout report")
        clock.now += 30
        fresh = memory.remember("fresh timeout report")
        clock.now += 40
        assert [hit.handle for hit in memory.search("timeout")] == [fresh]
        assert [p.handle for p in memory.history()] == [fresh]
        with pytest.raises(HandleExpired):
            memory.provenance(old)
        assert memory.purge_expired() == 1
        docs, postings, provenance = index_rows(memory)
        assert (docs, provenance) == (1, 1) and postings == len(set(terms("fresh timeout report")))
        assert memory.remember("stale timeout report") == old  # kept again, indexed again
        assert [hit.handle for hit in memory.search("stale")] == [old]


def test_size_limit_evicts_least_recently_used_with_its_index(tmp_path: Path) -> None:
    clock = Clock()
    with AgentMemory(tmp_path / "lru.db", agent="w1", max_bytes=70, clock=clock) as memory:
        a = memory.remember("alpha " * 5)
        clock.now += 1
        memory.remember("bravo " * 5)
        clock.now += 1
        memory.recall(a)
        clock.now += 1
        c = memory.remember("charlie " * 4)
        assert [hit.handle for hit in memory.search("alpha bravo charlie")] == sorted([a, c])
        assert index_rows(memory) == (2, 2, 2)
        with pytest.raises(StoreError, match="larger max_bytes"):
            memory.remember("z" * 71)


def test_history_is_newest_first_and_filters() -> None:
    clock = Clock()
    with AgentMemory(clock=clock) as memory:
        first = memory.remember("first finding", agent="w1")
        clock.now += 1
        second = memory.remember("second finding", agent="w2", kind="tool_output")
        clock.now += 1
        memory.remember("first finding", agent="w1")
        assert [(p.handle, p.agent) for p in memory.history()] == [(first, "w1"), (second, "w2")]
        assert [p.handle for p in memory.history(agent="w2")] == [second]
        assert [p.handle for p in memory.history(kind=NOTE, since=1_001.5)] == [first]
        assert memory.history(limit=1)[0].times == 2


def test_a_plain_store_file_becomes_searchable_memory(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with SQLiteStore(path) as store:
        store.put(make_handle("kept before memory existed"), "kept before memory existed")
    with AgentMemory(path, agent="w1") as memory:
        (hit,) = memory.search("existed")
        assert hit.agents == () and memory.provenance(hit.handle) == []
        assert memory.migrations()[-2:] == [
            "memory_0001_create_index_and_provenance",
            "memory_0002_index_existing_originals",
        ]
    with SQLiteStore(path) as store:  # a plain store still writes here, unindexed ...
        store.put(make_handle("written by a plain store"), "written by a plain store")
    with AgentMemory(path, agent="w2") as memory:
        assert memory.search("plain") == []
        memory.remember("written by a plain store")  # ... until an agent keeps it
        assert [hit.agents for hit in memory.search("plain")] == [("w2",)]


def _work(memory: AgentMemory, agent: str, shared: int, own: int, start: Barrier) -> None:
    start.wait(60)  # every writer begins together, so the writes really overlap
    for i in range(max(shared, own)):
        if i < shared:
            memory.remember(f"shared finding {i}: cache miss on key k{i}", agent=agent)
        if i < own:
            handle = memory.remember(f"{agent} finding {i}: latency {i} ms", agent=agent, kind="tool_output")
            assert memory.recall(handle).startswith(agent)
        if i % 10 == 0:
            memory.search("cache miss", limit=3)


def _check_team(memory: AgentMemory, agents: list[str], shared: int, own: int) -> None:
    assert len(memory) == shared + own * len(agents)
    assert rows(memory, "memory_docs") == len(memory)
    assert rows(memory, "memory_provenance") == (shared + own) * len(agents)
    for i in range(shared):
        handle = make_handle(f"shared finding {i}: cache miss on key k{i}")
        assert [p.agent for p in sorted(memory.provenance(handle), key=lambda p: p.agent)] == sorted(agents)
    assert len(memory.search("cache miss", limit=1_000)) == shared
    assert memory.verify() == []


def test_threads_share_one_file_without_losing_or_doubling(tmp_path: Path) -> None:
    path = tmp_path / "threads.db"
    agents = [f"t{n}" for n in range(6)]
    memories = [AgentMemory(path, agent=agent) for agent in agents]
    start = threading.Barrier(len(agents))
    threads = [threading.Thread(target=_work, args=(m, a, 40, 40, start)) for m, a in zip(memories, agents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _check_team(memories[0], agents, 40, 40)
    for memory in memories:
        memory.close()


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
        assert len(memory.search("cache miss", limit=1_000)) == 30
        shared = memory.provenance(make_handle("shared finding 0: cache miss on key k0"))
        assert {p.agent for p in shared} == set(agents)


def _process(path: str, agent: str, start: Barrier) -> None:
    with AgentMemory(path, agent=agent) as memory:
        _work(memory, agent, 60, 60, start)


def test_processes_share_one_file_without_losing_or_doubling(tmp_path: Path) -> None:
    path = str(tmp_path / "processes.db")
    AgentMemory(path).close()
    agents = [f"p{n}" for n in range(4)]
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(agents))
    workers = [context.Process(target=_process, args=(path, agent, start)) for agent in agents]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    with AgentMemory(path) as memory:
        _check_team(memory, agents, 60, 60)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"])))
def test_any_text_round_trips_and_is_found_by_its_words(text: str) -> None:
    with AgentMemory(agent="h") as memory:
        handle = memory.remember(text)
        assert memory.recall(handle) == text and handle == make_handle(text)
        for term in set(terms(text)):
            assert handle in [hit.handle for hit in memory.search(term)]
