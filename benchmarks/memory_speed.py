"""AgentMemory speed: writes per second across processes, the dedup path, search and recall latency.

    python benchmarks/memory_speed.py
    python benchmarks/memory_speed.py --processes 1 2 4 8 --writes 300 --queries 500

The texts are the committed benchmark fixtures (benchmarks/corpus/fixtures: logs,
JSON, code, diffs, prose, search results) cut into chunks of ``--lines`` lines,
about 1 KB each at 40 lines: a short tool output or a long note. For each process
count, a fresh database file in a temporary directory; each spawned process opens
its own ``AgentMemory`` under its own agent name, waits at a barrier, and
remembers ``--writes`` chunks no other process has. writes/s is all writes over
the wall time from the first start to the last finish (``time.time()`` across
processes). "dedup" is one process remembering chunks already kept (provenance
only, no copy, no indexing). Search latency is over the largest database:
queries of two words drawn from a random chunk (seeded), ``limit=10``, median
and 95th percentile; recall is the median of fetching random handles.
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

from headroom.memory import AgentMemory
from headroom.relevance import terms

FIXTURES = Path(__file__).parent / "corpus" / "fixtures"


def chunks(lines_per_chunk: int) -> list[str]:
    out: list[str] = []
    for path in sorted(FIXTURES.iterdir()):
        lines = path.read_text(errors="replace").splitlines(keepends=True)
        out += ["".join(lines[i : i + lines_per_chunk]) for i in range(0, len(lines), lines_per_chunk)]
    return list(dict.fromkeys(text for text in out if text.strip()))


def _writer(path: str, agent: str, texts: list[str], start: Barrier, times: Queue[tuple[float, float]]) -> None:
    with AgentMemory(path, agent=agent) as memory:
        start.wait()
        began = time.time()
        for text in texts:
            memory.remember(text, kind="tool_output")
        times.put((began, time.time()))


def write_rate(path: str, processes: int, texts: list[str], writes: int) -> float:
    AgentMemory(path).close()  # migrations once, before the clock starts
    context = multiprocessing.get_context("spawn")
    start, times = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(target=_writer, args=(path, f"agent-{n}", texts[n * writes : (n + 1) * writes], start, times))
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    spans: list[tuple[float, float]] = [times.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise SystemExit(f"a writer process failed with exit code {worker.exitcode}")
    elapsed = max(end for _, end in spans) - min(began for began, _ in spans)
    return processes * writes / elapsed


def file_mb(path: str) -> float:
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL folded in, so the size is the database's
    db.close()
    return Path(path).stat().st_size / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--writes", type=int, default=500, help="distinct texts each process remembers")
    parser.add_argument("--lines", type=int, default=40, help="lines per text")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    texts = chunks(args.lines)
    needed = max(args.processes) * args.writes
    if needed > len(texts):
        raise SystemExit(f"only {len(texts)} distinct chunks; lower --writes or --processes (needs {needed})")
    mean_kb = sum(len(t.encode()) for t in texts[:needed]) / needed / 1024
    print(f"texts: {needed} of {len(texts)} chunks, {args.lines} lines, mean {mean_kb:.1f} KB")
    with tempfile.TemporaryDirectory() as folder:
        for processes in args.processes:
            path = str(Path(folder) / f"memory-{processes}.db")
            rate = write_rate(path, processes, texts, args.writes)
            print(f"write  {processes} process(es) x {args.writes}: {rate:8.0f} writes/s")
        kept_mb = sum(len(t.encode()) for t in texts[:needed]) / 1e6
        print(f"file   {file_mb(path):.1f} MB for {kept_mb:.1f} MB of text (originals, index, provenance)")
        with AgentMemory(path, agent="again") as memory:
            began = time.perf_counter()
            for text in texts[: args.writes]:
                memory.remember(text, kind="tool_output")
            rate = args.writes / (time.perf_counter() - began)
            print(f"dedup  1 process x {args.writes} known texts: {rate:8.0f} writes/s")
            measure_reads(memory, texts[:needed], args.queries)


def measure_reads(memory: AgentMemory, texts: list[str], queries: int) -> None:
    rng = random.Random(0)
    asked: list[str] = []
    while len(asked) < queries:
        words = sorted(set(terms(rng.choice(texts))))
        if len(words) >= 2:
            asked.append(" ".join(rng.sample(words, 2)))
    latencies = []
    for query in asked:
        began = time.perf_counter()
        memory.search(query, limit=10)
        latencies.append(time.perf_counter() - began)
    latencies.sort()
    median, p95 = statistics.median(latencies), latencies[int(0.95 * (len(latencies) - 1))]
    size_mb = sum(len(t.encode()) for t in texts) / 1e6
    print(
        f"search {len(texts)} texts ({size_mb:.1f} MB), {queries} two-word queries: "
        f"median {median * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"
    )
    handles = [memory.remember(text, agent="reader") for text in rng.sample(texts, min(200, len(texts)))]
    recalls = []
    for handle in handles:
        began = time.perf_counter()
        memory.recall(handle)
        recalls.append(time.perf_counter() - began)
    print(f"recall median {statistics.median(recalls) * 1000:.3f} ms")


if __name__ == "__main__":
    main()
