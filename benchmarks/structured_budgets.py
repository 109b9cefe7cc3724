"""Structured data under tight budgets: the json, table and mixed cases at 10, 15, 20 and 25%.

    python benchmarks/structured_budgets.py           # the side-by-side table
    python benchmarks/structured_budgets.py --cases   # also one line per case and budget

The cases, budgets, scoring and systems are those of ``run.py`` (imported, not
copied); only the budget's share of the conversation changes. A budget is never
below what the untouched parts need plus 64 tokens, so on the smallest cases the
lowest shares meet that floor.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from run import MODEL, Case, Outcome, load_cases, run_headroom, run_naive, table  # noqa: E402

from headroom import TokenCounter  # noqa: E402

SHARES = (0.10, 0.15, 0.20, 0.25)
TYPES = ("json", "table", "mixed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--cases", action="store_true", help="also print one line per case and budget")
    args = parser.parse_args()
    counter = TokenCounter.for_model(MODEL)
    ours: dict[str, list[Outcome]] = {}
    naive: dict[str, list[Outcome]] = {}
    lines: list[str] = []
    for share in SHARES:
        for kind in TYPES:
            cases = load_cases(kind, counter, share)
            if not cases:
                continue
            label = f"{kind} {share:.0%}"
            ours[label] = [run_headroom(c, counter) for c in cases]
            naive[label] = [run_naive(c, counter) for c in cases]
            lines += [_case_line(label, c, o, n) for c, o, n in zip(cases, ours[label], naive[label])]
    for rows in (ours, naive):
        rows["all"] = [o for label, outcomes in rows.items() for o in outcomes]
    out = [
        f"json, table and mixed cases at {', '.join(f'{s:.0%}' for s in SHARES)} of the conversation; "
        f"tokens counted with {counter.name} (model {MODEL})",
        "",
    ]
    out += table("headroom (this project)", ours) + [""]
    out += table("naive baseline: truncate the tool output's tail", naive) + [""]
    structured = [o for label, outcomes in ours.items() if label.split()[0] in ("json", "table") for o in outcomes]
    mixed = [o for label, outcomes in ours.items() if label.split()[0] == "mixed" for o in outcomes]
    out += _verdict(
        "json and table cases (the issue's bar: every case fits, 100% recoverable, 90% verbatim)", structured
    )
    if mixed:
        out += [""] + _verdict("mixed cases", mixed)
    if args.cases:
        out += [
            "",
            "| budget | case | budget tokens | headroom after | kept | recoverable | naive kept | ms |",
            "|---|---|---|---|---|---|---|---|",
            *lines,
        ]
    print("\n".join(out))


def _case_line(label: str, case: Case, ours: Outcome, naive: Outcome) -> str:
    return (
        f"| {label} | {case.id} | {case.budget} | {ours.tokens_after} | {ours.kept}/{ours.facts} "
        f"| {ours.recoverable}/{ours.facts} | {naive.kept}/{naive.facts} | {ours.seconds * 1000:.1f} |"
    )


def _verdict(title: str, outcomes: list[Outcome]) -> list[str]:
    facts = sum(o.facts for o in outcomes)
    kept = sum(o.kept for o in outcomes)
    seconds = sum(o.seconds for o in outcomes)
    return [
        f"### {title}",
        "",
        f"- within budget: {sum(o.fits for o in outcomes)}/{len(outcomes)}",
        f"- facts recoverable: {sum(o.recoverable for o in outcomes)}/{facts}",
        f"- facts kept verbatim: {kept}/{facts} ({kept / facts:.0%})",
        f"- latency: median {statistics.median(o.seconds for o in outcomes) * 1000:.1f} ms, "
        f"{sum(o.input_bytes for o in outcomes) / 1e6 / seconds:.1f} MB/s",
    ]


if __name__ == "__main__":
    main()
