"""Many processes compressing into one SQLite file: errors, handles missing, throughput.

    python benchmarks/concurrency.py                      # 8 processes x 500 calls, SQLiteStore and AgentMemory
    python benchmarks/concurrency.py --processes 4 --calls 100

Each process builds its own ``Headroom`` on the same file and runs ``calls``
compress calls of a small conversation whose tool output differs per call (so
every call stores new originals). It returns every handle its results named
and every exception it met. The parent then reopens the file and checks that
every handle is present and ``verify()`` is clean. Throughput is calls per
second of wall time over all processes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from pathlib import Path
from typing import Any


def _messages(worker: int, call: int) -> list[dict[str, Any]]:
    log = "\n".join(f"2026-11-24 03:{i % 60:02d}:11 INFO worker {worker} call {call} step {i}" for i in range(120))
    return [
        {"role": "user", "content": "what happened?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "logs", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "c1", "content": log},
        {"role": "user", "content": "and now?"},
    ]


def _work(args: tuple[str, str, int, int]) -> tuple[list[str], list[str]]:
    from headroom import AgentMemory, Headroom, SQLiteStore

    kind, path, worker, calls = args
    store = SQLiteStore(path) if kind == "sqlite" else AgentMemory(path, agent=f"worker-{worker}")
    headroom = Headroom(store=store, model="gpt-4")
    handles: list[str] = []
    errors: list[str] = []
    for call in range(calls):
        try:
            result = headroom.compress(_messages(worker, call), 120)
            handles.extend(entry.handle for entry in result.manifest.entries)
        except Exception as error:  # noqa: BLE001 - counted and reported, that is the point
            errors.append(f"{type(error).__name__}: {error}")
    store.close()
    return handles, errors


def run(kind: str, processes: int, calls: int) -> None:
    from headroom import AgentMemory, SQLiteStore

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / f"{kind}.db")
        (SQLiteStore(path) if kind == "sqlite" else AgentMemory(path, agent="setup")).close()
        started = time.perf_counter()
        with multiprocessing.Pool(processes) as pool:
            results = pool.map(_work, [(kind, path, worker, calls) for worker in range(processes)])
        seconds = time.perf_counter() - started
        handles = [h for hs, _ in results for h in hs]
        errors = [e for _, es in results for e in es]
        store = SQLiteStore(path) if kind == "sqlite" else AgentMemory(path, agent="check")
        missing = [h for h in handles if h not in store]
        damaged = store.verify()
        store.close()
    total = processes * calls
    print(
        f"{kind:<8} {processes} processes x {calls} calls: {len(errors)} errors, {len(handles)} handles, "
        f"{len(missing)} missing, {len(damaged)} damaged, {total / seconds:.0f} calls/s ({seconds:.1f} s)"
    )
    for error in errors[:5]:
        print("   ", error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    for kind in ("sqlite", "agent"):
        run(kind, args.processes, args.calls)


if __name__ == "__main__":
    main()
