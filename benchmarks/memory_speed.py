"""Agent memory speed at scale: SQLite with FTS5, SQLite on the fallback table index, and PostgreSQL, in one run.

    python benchmarks/memory_speed.py                 # 100,000 memories per backend (several minutes)
    python benchmarks/memory_speed.py --quick         # 5,000, for a quick look
    python benchmarks/memory_speed.py --backends fts5 postgres --count 50000

Texts: sliding windows of 12 lines over the committed benchmark fixtures
(benchmarks/corpus/fixtures: logs, JSON, code, diffs, prose, search results),
one window starting at each line, deduplicated; about 0.4 KB each. Every line
is in about 12 texts, so posting lists are about 12 times those of disjoint
texts: search is measured on a harder collection than a typical one.

Per backend, on a fresh store each time:
- writes/s with 1, 4 and 8 writer processes, each remembering ``--writes``
  texts no other writer has (all writes over the wall time from the first
  start to the last finish);
- the fill: 4 writers remember ``--count`` texts (its rate is printed too);
- search over the filled store: ``--queries`` two-word queries drawn from
  random texts (seeded), ``limit=10``, p50 and p95; the same for
  ``"two-word phrases"`` and ``prefix*`` queries; then the ranking query
  alone (no previews or agents), each query the best of 3 runs, so the
  figure holds less of the other jobs on a shared machine;
- size: the SQLite file (WAL folded in) or the PostgreSQL tables with their
  indexes, against the UTF-8 size of the texts; "index" is the search index
  alone (FTS5 tables or tsvector + GIN, and the handle-to-row map).

PostgreSQL runs on a throwaway local server (``headroom.stores.pg_local``)
with fsync on and ``synchronous_commit=off`` (what SQLite's WAL with
``synchronous=NORMAL`` gives). ``--team`` adds the cross-process check: 8
processes x 500 compress-and-remember calls against one PostgreSQL memory,
then every process resolves every marker all of them wrote.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sqlite3
import statistics
import tempfile
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

from headroom import HandleNotFound, Headroom
from headroom.memory import AgentMemory, PostgresMemory
from headroom.memory.common import parse_query, tokens
from headroom.relevance import STOP_WORDS
from headroom.stores.pg_local import LocalPostgres
from headroom.testing import FakeCounter

FIXTURES = Path(__file__).parent / "corpus" / "fixtures"
WINDOW = 12
Memory = AgentMemory | PostgresMemory


def corpus() -> list[str]:
    lines: list[str] = []
    for path in sorted(FIXTURES.iterdir()):
        lines += path.read_text(errors="replace").splitlines(keepends=True)
    windows = ("".join(lines[i : i + WINDOW]) for i in range(len(lines) - WINDOW))
    return list(dict.fromkeys(text for text in windows if len(tokens(text)) >= 4))


def open_memory(backend: str, location: str, agent: str | None = None) -> Memory:
    if backend == "postgres":
        return PostgresMemory(location, agent=agent, pool_size=2)
    return AgentMemory(location, agent=agent, search_index="fts5" if backend == "fts5" else "table")


def _writer(
    backend: str, location: str, agent: str, texts: list[str], start: Barrier, times: Queue[tuple[float, float]]
) -> None:
    with open_memory(backend, location, agent) as memory:
        start.wait()
        began = time.time()
        for text in texts:
            memory.remember(text, kind="tool_output")
        times.put((began, time.time()))


def write_rate(backend: str, location: str, writers: int, texts: list[str]) -> float:
    open_memory(backend, location).close()  # migrations once, before the clock starts
    context = multiprocessing.get_context("spawn")
    start, times = context.Barrier(writers), context.Queue()
    share = len(texts) // writers
    workers = [
        context.Process(
            target=_writer,
            args=(backend, location, f"agent-{n}", texts[n * share : (n + 1) * share], start, times),
        )
        for n in range(writers)
    ]
    for worker in workers:
        worker.start()
    spans: list[tuple[float, float]] = [times.get(timeout=3600) for _ in workers]
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise SystemExit(f"a writer process failed with exit code {worker.exitcode}")
    return writers * share / (max(end for _, end in spans) - min(began for began, _ in spans))


def latencies(memory: Memory, queries: list[str]) -> tuple[float, float, float, float]:
    """p50/p95 of ``search()`` in wall time, then in this thread's CPU time (without the waits for a shared core)."""
    times, cpus = [], []
    for query in queries:
        began, began_cpu = time.perf_counter(), time.thread_time()
        memory.search(query, limit=10)
        times.append(time.perf_counter() - began)
        cpus.append(time.thread_time() - began_cpu)
    times.sort()
    cpus.sort()
    at = int(0.95 * (len(times) - 1))
    return statistics.median(times) * 1000, times[at] * 1000, statistics.median(cpus) * 1000, cpus[at] * 1000


def query_alone(memory: Memory, queries: list[str]) -> tuple[float, float, float, float]:
    """The ranking query alone (``_best``: no previews, no agents), each the best of 3 runs in a row.

    p50/p95 of wall time, then of this thread's CPU time. The machine is shared: wall time
    holds the waits for a core the other jobs hold; CPU time is the query's own work (for
    SQLite, which runs in this thread; PostgreSQL's work is in the server's process).
    """
    walls, cpus = [], []
    with memory._read() as db:
        for query in queries:
            parsed = parse_query(query)
            wall, cpu = [], []
            for _ in range(3):
                began, began_cpu = time.perf_counter(), time.thread_time()
                memory._best(db, parsed, memory.namespace, {}, 10)
                wall.append(time.perf_counter() - began)
                cpu.append(time.thread_time() - began_cpu)
            walls.append(min(wall))
            cpus.append(min(cpu))
    walls.sort()
    cpus.sort()
    at = int(0.95 * (len(walls) - 1))
    return statistics.median(walls) * 1000, walls[at] * 1000, statistics.median(cpus) * 1000, cpus[at] * 1000


def queries(texts: list[str], count: int) -> dict[str, list[str]]:
    rng = random.Random(0)
    out: dict[str, list[str]] = {"two words": [], "phrase": [], "prefix": []}
    while len(out["two words"]) < count:
        words = [w for w in tokens(rng.choice(texts)) if len(w) > 2 and not w.isdigit() and w not in STOP_WORDS]
        if len(words) < 3 or len(set(words)) < 2:
            continue
        at = rng.randrange(len(words) - 1)
        out["two words"].append(" ".join(rng.sample(sorted(set(words)), 2)))
        out["phrase"].append(f'"{words[at]} {words[at + 1]}"')
        out["prefix"].append(words[at][:3] + "*")
    return out


def sizes(backend: str, memory: Memory) -> tuple[float, float]:
    """(whole store, search index alone) in MB."""
    if isinstance(memory, PostgresMemory):
        with memory._transaction() as cur:
            cur.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            )
            tables = dict(cur.fetchall())
        return sum(tables.values()) / 1e6, tables["memory_docs"] / 1e6
    db = sqlite3.connect(memory.path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL folded in, so the size is the database's
    pages = dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
    db.close()
    index_tables = ("memory_docs", "sqlite_autoindex_memory_docs_1")
    index_tables += ("memory_postings", "memory_postings_doc") if backend == "table" else ()
    index = sum(size for name, size in pages.items() if name.startswith("memory_fts") or name in index_tables)
    return Path(memory.path).stat().st_size / 1e6, index / 1e6


def run_backend(backend: str, texts: list[str], args: argparse.Namespace, fresh: object) -> None:
    print(f"\n== {backend} ==")
    used = 0
    for writers in (1, 4, 8):
        location = fresh()  # type: ignore[operator]
        batch = texts[used : used + writers * args.writes]
        used += len(batch)
        rate = write_rate(backend, location, writers, batch)
        print(f"write   {writers} writer(s) x {args.writes}: {rate:8.0f} writes/s")
    location = fresh()  # type: ignore[operator]
    filled = texts[: args.count]
    began = time.perf_counter()
    rate = write_rate(backend, location, 4, filled)
    print(f"fill    {len(filled)} memories by 4 writers: {rate:.0f} writes/s ({time.perf_counter() - began:.0f} s)")
    with open_memory(backend, location, "reader") as memory:
        for name, asked in queries(filled, args.queries).items():
            p50, p95, cpu50, cpu95 = latencies(memory, asked)
            print(
                f"search  {args.queries} {name} queries at {len(memory)}: p50 {p50:.2f} ms, p95 {p95:.2f} ms; "
                f"CPU time in this thread p50 {cpu50:.2f} ms, p95 {cpu95:.2f} ms"
            )
            p50, p95, cpu50, cpu95 = query_alone(memory, asked)
            print(
                f"  query alone (one thread, best of 3 per query): p50 {p50:.2f} ms, p95 {p95:.2f} ms; "
                f"its CPU time p50 {cpu50:.2f} ms, p95 {cpu95:.2f} ms"
            )
        handles = [memory.remember(text) for text in random.Random(1).sample(filled, 200)]
        recalls = []
        for handle in handles:
            began = time.perf_counter()
            memory.recall(handle)
            recalls.append(time.perf_counter() - began)
        print(f"recall  median {statistics.median(recalls) * 1000:.3f} ms")
        text_mb = sum(len(t.encode()) for t in filled) / 1e6
        whole, index = sizes(backend, memory)
        print(
            f"size    {whole:.1f} MB in all for {text_mb:.1f} MB of text ({whole / text_mb:.2f}x); "
            f"search index {index:.1f} MB ({index / text_mb:.2f}x the text)"
        )


def _team_member(
    location: str, agent: str, calls: int, start: Barrier, done: Barrier, out: Queue[tuple[str, object]]
) -> None:
    with PostgresMemory(location, agent=agent, pool_size=2) as memory:
        client = Headroom(store=memory, counter=FakeCounter())
        start.wait()
        handles = []
        for i in range(calls):
            log = "\n".join(f"{agent} call {i} line {n}: request {n * i} took {n % 17} ms" for n in range(60))
            result = client.compress_text(log, 60)
            marker = result.manifest.entries[0].handle
            handles += [marker, memory.remember(f"{agent} call {i} compressed to {marker}", namespace="team")]
        out.put((agent, handles))
        done.wait()  # every process has written: now each resolves what all of them wrote
        everyone = memory.history(namespace="*", limit=1_000_000)
        missing = []
        for record in everyone:
            try:
                memory.recall(record.handle)
            except HandleNotFound:
                missing.append(record.handle)
        out.put((agent, (len(everyone), missing)))


def team(location: str, processes: int, calls: int) -> None:
    PostgresMemory(location).close()
    context = multiprocessing.get_context("spawn")
    start, done, out = context.Barrier(processes), context.Barrier(processes), context.Queue()
    workers = [
        context.Process(target=_team_member, args=(location, f"p{n}", calls, start, done, out))
        for n in range(processes)
    ]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    written = dict(out.get(timeout=3600) for _ in workers)
    checks = dict(out.get(timeout=3600) for _ in workers)
    for worker in workers:
        worker.join()
        assert worker.exitcode == 0, f"a team process failed with exit code {worker.exitcode}"
    elapsed = time.perf_counter() - began
    with PostgresMemory(location) as memory:
        handles = {h for hs in written.values() for h in hs}  # type: ignore[attr-defined]
        absent = [h for h in handles if h not in memory]
        resolved = {agent: seen for agent, (seen, missing) in checks.items() if not missing}  # type: ignore[misc]
        print(
            f"team    {processes} processes x {calls} compress+remember: {elapsed:.1f} s; "
            f"{len(handles)} handles, {len(absent)} absent afterwards; "
            f"{len(resolved)} of {processes} processes resolved all {min(resolved.values(), default=0)} records"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", nargs="+", default=["fts5", "table", "postgres"])
    parser.add_argument("--count", type=int, default=100_000, help="memories in the store searched")
    parser.add_argument("--writes", type=int, default=500, help="texts each writer remembers in the write test")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--team", type=int, default=500, help="calls per process of the 8-process team (0: skip)")
    parser.add_argument("--quick", action="store_true", help="5,000 memories, 100 writes, 100 queries, team 50")
    args = parser.parse_args()
    if args.quick:
        args.count, args.writes, args.queries, args.team = 5_000, 100, 100, 50
    texts = corpus()
    if len(texts) < args.count:
        raise SystemExit(f"only {len(texts)} distinct texts; lower --count")
    random.Random(0).shuffle(texts)
    mean = sum(len(t.encode()) for t in texts[: args.count]) / args.count
    print(f"texts: {args.count} of {len(texts)} windows of {WINDOW} lines, mean {mean / 1024:.2f} KB")
    with tempfile.TemporaryDirectory() as folder:
        counter = iter(range(1_000_000))
        for backend in (b for b in args.backends if b != "postgres"):
            run_backend(backend, texts, args, lambda b=backend: str(Path(folder) / f"{b}-{next(counter)}.db"))
    if "postgres" in args.backends or args.team:
        with LocalPostgres(durable=True) as server:
            if "postgres" in args.backends:
                run_backend("postgres", texts, args, server.create_schema)
            if args.team:
                team(server.create_schema(), 8, args.team)


if __name__ == "__main__":
    main()
