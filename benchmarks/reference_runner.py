"""Runs the reference product (PyPI: headroom-ai) on the benchmark's conversations.

Executed by the reference's own virtual environment (see setup_reference.sh):
reads {"cases": [{"id", "messages", "budget", "model"}]} as JSON on stdin and
writes one JSON result per case on stdout. Kept free of this project's code,
because both packages are imported as ``headroom``.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import tracemalloc

logging.disable(logging.CRITICAL)


def main() -> None:
    request = json.load(sys.stdin)
    from headroom import compress  # the reference product's headroom

    out = []

    def run(case: dict) -> list:
        # model_limit is its only hard token bound; protect_recent=0 because the
        # tool output is among the last messages of every benchmark conversation
        return compress(case["messages"], model=case["model"], model_limit=case["budget"], protect_recent=0).messages

    for case in request["cases"]:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            messages, error = run(case), None
        except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
            messages, error = case["messages"], f"{type(exc).__name__}: {exc}"[:300]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        tracemalloc.start()  # memory on a second, untimed run, as for headroom
        try:
            run(case)
        except Exception:  # noqa: BLE001 - already recorded above
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        out.append(
            {
                "id": case["id"],
                "messages": messages,
                "seconds": seconds,
                "peak_bytes": peak,
                "error": error,
                "cpu_seconds": cpu,
            }
        )
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
