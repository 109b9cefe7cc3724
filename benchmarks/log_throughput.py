"""Log compression throughput on a ~10 MB log built from the real logs committed in this repository.

    python benchmarks/log_throughput.py                  # 10 MB, 3 runs, budget 20,000 and none
    python benchmarks/log_throughput.py --mb 2 --runs 5 --budget 8000

The log is the committed plain-text log fixtures (benchmarks/corpus/fixtures/log_*.txt,
tests/golden/log/*.txt; the JSON-lines one is left out, as one log file holds one format)
concatenated until it reaches the size. Two variants are
timed: ``plain`` (the copies as they are, so many lines repeat exactly) and
``stamped`` (every line prefixed with a distinct timestamp, as a service log
writes them, so no line repeats and no per-line cache can help). Each run
compresses with a fresh ``Headroom`` through ``compress_text``; the tokenizer
is loaded once before timing. MB/s is input megabytes over the median wall
time; the router's detection alone is timed too (a run before each compress
call), so a slow detector shows as such; peak memory is the tracemalloc peak
of one more, untimed run.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from headroom import Headroom, MemoryStore, TokenCounter

ROOT = Path(__file__).parent.parent
SOURCES = sorted((ROOT / "benchmarks" / "corpus" / "fixtures").glob("log_*.txt")) + sorted(
    (ROOT / "tests" / "golden" / "log").glob("*.txt")
)


def build(megabytes: float, stamped: bool) -> str:
    parts = [path.read_text() for path in SOURCES]
    one = "".join(part if part.endswith("\n") else part + "\n" for part in parts)
    size = int(megabytes * 1_000_000)
    text = one * (size // len(one) + 1)
    text = text[: text.rfind("\n", 0, size) + 1]
    if not stamped:
        return text
    start = datetime(2026, 11, 24, 8, 0, 0)
    lines = text.split("\n")[:-1]
    stamps = (start + timedelta(milliseconds=3 * i) for i in range(len(lines)))
    out = "".join(f"{stamp:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z {line}\n" for stamp, line in zip(stamps, lines))
    return out[: out.rfind("\n", 0, size) + 1]


@dataclass
class Row:
    seconds: float
    routing: float
    peak: int
    tokens_after: int
    compressor: str


def measure(text: str, budget: int | None, runs: int, counter: TokenCounter) -> Row:
    seconds, routing = [], []
    result = None
    for _ in range(runs):
        hr = Headroom(store=MemoryStore(), counter=counter)
        started = time.perf_counter()
        hr.registry.router.detect(text)
        routing.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = hr.compress_text(text, budget)
        seconds.append(time.perf_counter() - started)
    assert result is not None
    tracemalloc.start()
    Headroom(store=MemoryStore(), counter=counter).compress_text(text, budget)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    compressor = result.manifest.entries[0].compressor if result.manifest.entries else "none"
    return Row(statistics.median(seconds), statistics.median(routing), peak, result.tokens_after, compressor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--mb", type=float, default=10.0, help="size of the log in megabytes (default 10)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per row; the median counts (default 3)")
    parser.add_argument("--budget", type=int, default=20_000, help="token budget of the budgeted rows (default 20,000)")
    args = parser.parse_args()
    counter = TokenCounter.for_model("gpt-4")
    print(
        f"{len(SOURCES)} committed logs, concatenated; tokens counted with {counter.name}; median of {args.runs} runs"
    )
    print("")
    print(
        "| log | MB | lines | tokens | budget | tokens after | compressor | median s | MB/s "
        "| of it routing s | MB/s without routing | peak MiB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for stamped in (False, True):
        text = build(args.mb, stamped)
        megabytes = len(text.encode()) / 1e6
        tokens = counter.count(text)
        for budget in (None, args.budget):
            row = measure(text, budget, args.runs, counter)
            print(
                f"| {'stamped' if stamped else 'plain'} | {megabytes:.1f} | {text.count(chr(10)):,} | {tokens:,} "
                f"| {budget if budget else 'none'} | {row.tokens_after:,} | {row.compressor} | {row.seconds:.2f} "
                f"| {megabytes / row.seconds:.1f} | {row.routing:.2f} | {megabytes / (row.seconds - row.routing):.1f} "
                f"| {row.peak / 2**20:.0f} |"
            )


if __name__ == "__main__":
    main()
