"""Budget use and facts kept on the project's own cases at 10, 15, 20 and 25% of each conversation.

    python benchmarks/budget_use.py           # per kind and overall
    python benchmarks/budget_use.py --cases   # also one line per case and budget

The cases, budgets and scoring are those of ``run.py`` (imported, not copied);
only the budget's share changes. "use" is tokens sent over the budget, counted
only where compression was needed (the conversation is larger than its
budget); a case whose budget is the floor (untouched parts plus 64) is still
counted. The issue's bar (DESIGN invariant 10): median use at least 0.95, no
case below 0.85 unless the content is smaller.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from run import MODEL, Case, Outcome, load_cases, score  # noqa: E402

from headroom import Headroom, MemoryStore, TokenCounter  # noqa: E402

SHARES = (0.10, 0.15, 0.20, 0.25)


def run_headroom(case: Case, counter: TokenCounter) -> Outcome:
    """As run.py's, without the timing and the second, traced call (this script measures no speed)."""
    hr = Headroom(store=MemoryStore(), model=MODEL)
    result = hr.compress(case.messages, case.budget)
    originals = [hr.retrieve(entry.handle) for entry in result.manifest.entries]
    return score(case, result.messages, originals, counter, 0.0, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--cases", action="store_true", help="also print one line per case and budget")
    parser.add_argument("--only", help="one content type")
    args = parser.parse_args()
    counter = TokenCounter.for_model(MODEL)
    rows: dict[tuple[str, float], list[Outcome]] = {}
    lines: list[str] = []
    for share in SHARES:
        for case in load_cases(args.only, counter, share):
            outcome = run_headroom(case, counter)
            rows.setdefault((case.type, share), []).append(outcome)
            rows.setdefault(("all", share), []).append(outcome)
            lines.append(
                f"| {case.id} | {share:.0%} | {case.budget} | {outcome.tokens_after} "
                f"| {outcome.tokens_after / case.budget:.2f} | {outcome.kept}/{outcome.facts} |"
            )
    kinds = sorted({kind for kind, _ in rows if kind != "all"}) + ["all"]
    out = [
        f"budget use and facts kept at {', '.join(f'{s:.0%}' for s in SHARES)} (tokens: {counter.name}, model {MODEL})",
        "",
        "| kind | " + " | ".join(f"{s:.0%} use med/min | {s:.0%} kept" for s in SHARES) + " |",
        "|---|" + "---|---|" * len(SHARES),
    ]
    for kind in kinds:
        cells = []
        for share in SHARES:
            outcomes = rows.get((kind, share), [])
            uses = [o.tokens_after / o.budget for o in outcomes if o.tokens_before > o.budget]
            use = f"{statistics.median(uses):.2f}/{min(uses):.2f}" if uses else "-"
            kept = f"{sum(o.kept for o in outcomes)}/{sum(o.facts for o in outcomes)}"
            fits = all(o.fits for o in outcomes)
            cells.append(f"{use} | {kept}{'' if fits else ' (over budget!)'}")
        out.append(f"| {kind} | " + " | ".join(cells) + " |")
    if args.cases:
        out += ["", "| case | share | budget | after | use | kept |", "|---|---|---|---|---|---|", *lines]
    print("\n".join(out))


if __name__ == "__main__":
    main()
