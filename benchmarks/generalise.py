"""The generalisation benchmark: cases generated from real output on this machine, never tuned to.

    python benchmarks/generalise.py                    # both halves, aggregates only for the test half
    python benchmarks/generalise.py --half tune --cases  # the tuning half, one row per case and budget
    python benchmarks/generalise.py --kinds log,json --per-kind 10
    python benchmarks/generalise.py --seed 83 --save cases-83.json    # build once ...
    python benchmarks/generalise.py --load cases-83.json --half tune  # ... run many times
    python benchmarks/generalise.py --load cases-83.json --phrasing alt  # the same cases asked in other words

Each case (benchmarks/generalise_cases/) is a conversation in the shape benchmarks/run.py builds:
system prompt, a question filled from a template with words around a fact picked at random by a
seeded RNG, one to three assistant tool calls and their real outputs. The cases are split by a
hash of the seed and the case id into a tuning half and a test half; the test half is only ever
printed as aggregates, so no one tunes a compressor to one of its cases.

Budgets are 10, 15, 20 and 25% of the conversation's tokens, never below the untouched parts plus
64 (as in run.py). "kept": the fact is verbatim in the compressed messages; "recoverable": kept, or
inside an original that a handle of the result redeems. Beside headroom, the naive baseline cuts
each tool output to its head, every output to the same share of its tokens, so the whole fits.

``--phrasing alt`` or ``heldout`` asks every question in another wording of its template, with the
same slots (generalise_cases/phrasings.py): the gap to ``asked`` is what the compressors learnt of
the templates' own words. ``heldout`` is read as aggregates only, like the test half.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from generalise_cases import FIRST_KINDS, KINDS, Call, Case, build_cases, half_of, valid  # noqa: E402
from generalise_cases.data import ambiguous_entries, ambiguous_rows  # noqa: E402
from generalise_cases.logs import ambiguous_log_lines  # noqa: E402
from generalise_cases.phrasings import PHRASINGS, rephrase  # noqa: E402
from generalise_cases.search import ambiguous_lines  # noqa: E402
from run import text_of  # noqa: E402  (the one walk over messages the benchmarks share)

from headroom import Headroom, MemoryStore, TokenCounter  # noqa: E402

MODEL = "gpt-4"
SHARES = (0.10, 0.15, 0.20, 0.25)
BAR_SHARE = 0.15


@dataclass
class Outcome:
    kind: str
    share: float
    facts: int
    kept: int
    in_order: int
    recoverable: int
    tokens_before: int
    tokens_after: int
    budget: int
    error: str | None = None

    @property
    def fits(self) -> bool:
        return self.error is None and self.tokens_after <= self.budget


def budget_for(case: Case, share: float, counter: TokenCounter) -> tuple[int, int, int]:
    """(budget, tokens of the conversation, tokens of its untouched parts)."""
    total = counter.count_messages(case.messages)
    untouched = total - sum(counter.count(call.output) for call in case.calls)
    return max(int(share * total + 0.999999), untouched + 64), total, untouched


def words_in_order(fact: str, seen: str) -> bool:
    """The fact's words appear in the text in the same order with only non-word characters between them.

    Counts a fact whose spacing or quoting was re-encoded (JSON minified, a table re-aligned) as
    kept, as issue 11's held-out table does beside the verbatim figure.
    """
    terms = re.findall(r"\w+", fact)
    if not terms:
        return fact in seen
    return re.search(r"(?<!\w)" + r"\W+".join(map(re.escape, terms)) + r"(?!\w)", seen) is not None


def score(
    case: Case, share: float, messages: Any, originals: list[str], counter: TokenCounter, budget: int, total: int
) -> Outcome:
    seen = text_of(messages)
    kept = sum(fact in seen for fact in case.facts)
    in_order = sum(words_in_order(fact, seen) for fact in case.facts)
    recoverable = sum(fact in seen or any(fact in o for o in originals) for fact in case.facts)
    after = counter.count_messages(messages)
    return Outcome(case.kind, share, len(case.facts), kept, in_order, recoverable, total, after, budget)


def run_headroom(case: Case, share: float, counter: TokenCounter) -> Outcome:
    budget, total, _ = budget_for(case, share, counter)
    hr = Headroom(store=MemoryStore(), model=MODEL)
    try:
        result = hr.compress(case.messages, budget)
    except Exception as error:  # a crash is a finding of the benchmark, reported beside the figures
        failure = f"{type(error).__name__}: {error}"
        return Outcome(case.kind, share, len(case.facts), 0, 0, 0, total, total, budget, failure)
    originals = [hr.retrieve(entry.handle) for entry in result.manifest.entries]
    return score(case, share, result.messages, originals, counter, budget, total)


def head_that_fits(text: str, room: int, counter: TokenCounter) -> str:
    """The longest head of ``text`` within ``room`` tokens, searched near the proportional guess first."""
    if room <= 0:
        return ""
    tokens = counter.count(text)
    if tokens <= room:
        return text
    low, high = 0, len(text)
    guess = len(text) * room // tokens
    for probe in (guess, int(guess * 1.05)):  # narrow the bounds around the guess before bisecting
        if counter.count(text[:probe]) <= room:
            low = max(low, probe)
        else:
            high = min(high, probe - 1)
    while low < high:
        middle = (low + high + 1) // 2
        if counter.count(text[:middle]) <= room:
            low = middle
        else:
            high = middle - 1
    return text[:low]


def run_naive(case: Case, share: float, counter: TokenCounter) -> Outcome:
    budget, total, untouched = budget_for(case, share, counter)
    sizes = [counter.count(call.output) for call in case.calls]
    room = budget - untouched
    messages = json.loads(json.dumps(case.messages))
    tools = [m for m in messages if m["role"] == "tool"]
    for message, call, size in zip(tools, case.calls, sizes):
        # every output cut to the same share of itself; a token or two of slack for the joins
        message["content"] = head_that_fits(call.output, room * size // max(1, sum(sizes)) - 2, counter)
    return score(case, share, messages, [], counter, budget, total)


def aggregate(title: str, rows: dict[str, list[tuple[Outcome, Outcome]]]) -> list[str]:
    lines = [
        f"#### {title}",
        "",
        "| kind | cases | facts | kept | words in order | recoverable | within budget | budget used (median) "
        "| tokens before | tokens after | truncation kept | kept ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, pairs in rows.items():
        ours = [p[0] for p in pairs]
        naive = [p[1] for p in pairs]
        facts = sum(o.facts for o in ours)
        kept = sum(o.kept for o in ours)
        theirs = sum(o.kept for o in naive)
        ratio = f"{kept / theirs:.2f}x" if theirs else ("inf" if kept else "-")
        recoverable = sum(o.recoverable for o in ours)
        used = statistics.median(o.tokens_after / o.budget for o in ours)
        lines.append(
            f"| {kind} | {len(ours)} | {facts} | {kept} ({kept / facts:.0%}) "
            f"| {sum(o.in_order for o in ours) / facts:.0%} | {recoverable / facts:.0%} "
            f"| {sum(o.fits for o in ours)}/{len(ours)} | {used:.2f} "
            f"| {sum(o.tokens_before for o in ours):,} | {sum(o.tokens_after for o in ours):,} "
            f"| {theirs} ({theirs / facts:.0%}) | {ratio} |"
        )
    return lines


def copies(case: Case) -> int:
    """How many result lines of a search case's output carry its fact's text after ``path:N:``
    (its indentation aside: a line indented deeper elsewhere reads the same to the question)."""
    text = case.facts[0].split(":", 2)[-1].strip()
    return sum(line.split(":", 2)[-1].strip() == text for line in case.calls[0].output.split("\n"))


def report(
    half: str,
    cases: list[Case],
    results: dict[tuple[str, float], tuple[Outcome, Outcome]],
    show_cases: bool,
    built: dict[str, Case],
) -> list[str]:
    out = [f"### {half} half: {len(cases)} cases, {sum(len(c.facts) for c in cases)} facts", ""]
    for share in SHARES:
        rows: dict[str, list[tuple[Outcome, Outcome]]] = {}
        for case in cases:
            rows.setdefault(case.kind, []).append(results[case.id, share])
        rows = {kind: rows[kind] for kind in KINDS if kind in rows}
        rows["all"] = [results[c.id, share] for c in cases]
        first = [c for c in cases if c.kind in FIRST_KINDS]
        if first and len(first) < len(cases):  # the overall of earlier rounds, comparable with their figures
            rows[f"all, first {len(FIRST_KINDS)} kinds"] = [results[c.id, share] for c in first]
        out += aggregate(f"{half} half, budget {share:.0%}", rows) + [""]
    bar = [results[c.id, BAR_SHARE] for c in cases]
    facts = sum(o.facts for o, _ in bar)
    kept = sum(o.kept for o, _ in bar)
    theirs = sum(n.kept for _, n in bar)
    in_order = sum(o.in_order for o, _ in bar)
    per_case = statistics.mean(o.kept / o.facts for o, _ in bar) if bar else 0.0
    ratio = f"{kept / theirs:.2f}x" if theirs else ("inf" if kept else "-")
    theirs_in_order = sum(n.in_order for _, n in bar)

    def verdict(ours: int, baseline: int) -> str:
        return "met" if ours >= 0.9 * facts and ours >= 2 * baseline else "not met"

    out.append(
        f"**{half} half at {BAR_SHARE:.0%}: facts kept {kept}/{facts} ({kept / max(1, facts):.1%}; mean per case "
        f"{per_case:.1%}), truncation {theirs}/{facts} ({theirs / max(1, facts):.1%}), ratio {ratio}; "
        f"words in order {in_order}/{facts} ({in_order / max(1, facts):.1%}) vs truncation {theirs_in_order}/{facts}. "
        f"Bar >= 90% and >= 2x truncation: verbatim {verdict(kept, theirs)}, "
        f"words in order {verdict(in_order, theirs_in_order)}**"
    )
    first = [results[c.id, BAR_SHARE] for c in cases if c.kind in FIRST_KINDS]
    if first and len(first) < len(bar):
        first_facts = sum(o.facts for o, _ in first)
        out.append(
            f"first {len(FIRST_KINDS)} kinds at {BAR_SHARE:.0%} (the overall of earlier rounds): facts kept "
            f"{sum(o.kept for o, _ in first)}/{first_facts}, truncation {sum(n.kept for _, n in first)}/{first_facts}"
        )
    tables = [c for c in cases if c.kind == "table"]
    if tables:  # a question that matches many rows equally well names no row a reader could find
        out.append(
            f"table questions whose own words match more than 5 rows equally well: "
            f"{sum(ambiguous_rows(built[c.id]) > 5 for c in tables)} of {len(tables)}"
        )
    lined = [c for c in cases if c.kind in ("search", "multi")]
    if lined:  # a question whose words several lines hold names none of them
        out.append(
            f"search and multi questions whose own words more than one line holds: "
            f"{sum(ambiguous_lines(built[c.id]) > 1 for c in lined)} of {len(lined)}"
        )
        # what the compressors keep where the question does point to one line, per kind: the rest
        # is a copy or a near-copy the question cannot tell from the one asked for
        for kind in ("search", "multi"):
            told = [results[c.id, BAR_SHARE][0] for c in lined if c.kind == kind and ambiguous_lines(built[c.id]) <= 1]
            if told:
                out.append(
                    f"{kind} at {BAR_SHARE:.0%}, questions that point to one line: facts kept "
                    f"{sum(o.kept for o in told)}/{sum(o.facts for o in told)}"
                )
        # a grep fact whose text (after ``path:N:``, indentation aside) another result line repeats: the question names
        # no file, so it cannot tell the copy it counts from the others
        searched = [c for c in lined if c.kind == "search"]
        copied = [c for c in searched if copies(c) > 1]
        if searched:
            kept = [results[c.id, BAR_SHARE][0].kept for c in copied]
            out.append(
                f"search facts whose line has an identical copy in the output: {len(copied)} of {len(searched)}, "
                f"kept at {BAR_SHARE:.0%} {sum(kept)}/{len(copied)}"
            )
    entries = [c for c in cases if c.kind == "json"]
    if entries:
        out.append(
            f"json questions whose entry's name occurs more than once in the output: "
            f"{sum(ambiguous_entries(built[c.id]) > 1 for c in entries)} of {len(entries)}"
        )
    logs = [c for c in cases if c.kind == "log"]
    if logs:
        out.append(
            f"log questions whose first two own words more than one line holds: "
            f"{sum(ambiguous_log_lines(built[c.id]) > 1 for c in logs)} of {len(logs)}"
        )
    errors = [(c.id, results[c.id, s][0].error) for c in cases for s in SHARES if results[c.id, s][0].error]
    if errors:
        out.append(f"headroom raised on {len(errors)} case-budgets" + ("" if half == "test" else f": {errors[:5]}"))
    if show_cases and half == "tune":
        out += [
            "",
            "| case | kind | budget share | budget | after | kept | recoverable | truncation kept |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for case in cases:
            for share in SHARES:
                ours, naive = results[case.id, share]
                out.append(
                    f"| {case.id} | {case.kind} | {share:.0%} | {ours.budget} | {ours.tokens_after} "
                    f"| {ours.kept}/{ours.facts} "
                    f"| {ours.recoverable}/{ours.facts} | {naive.kept}/{naive.facts} |"
                )
    return out + [""]


def save_cases(path: Path, seed: int, cases: list[Case], skipped: list[str]) -> None:
    """Write built cases as JSON, so runs on other code read the same cases without building them
    again (the ``test`` kind runs real test modules, and one of them prints run-dependent output)."""
    records = [
        {"id": c.id, "kind": c.kind, "question": c.question, "facts": c.facts, "calls": [vars(k) for k in c.calls]}
        for c in cases
    ]
    path.write_text(json.dumps({"seed": seed, "skipped": skipped, "cases": records}))


def load_cases(path: Path) -> tuple[int, list[Case], list[str]]:
    """(seed, cases, skipped sources) as ``save_cases`` wrote them."""
    saved = json.loads(path.read_text())
    cases = [
        Case(r["id"], r["kind"], r["question"], r["facts"], [Call(**k) for k in r["calls"]]) for r in saved["cases"]
    ]
    return saved["seed"], cases, saved["skipped"]


def asked_in(cases: list[Case], phrasing: str) -> tuple[list[Case], int]:
    """The cases with each question in ``phrasing``, and how many were reworded. A case is kept as
    built where the rewording would quote one of its facts."""
    out, reworded = [], 0
    for case in cases:
        question = rephrase(case.question, phrasing)
        again = Case(case.id, case.kind, question, case.facts, case.calls)
        if question != case.question and valid(again):
            out.append(again)
            reworded += 1
        else:
            out.append(case)
    return out, reworded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=12, help="picks the cases and splits the halves (default 12)")
    parser.add_argument(
        "--half", choices=("tune", "test", "all"), help="one half, or all cases as one (default: both, apart)"
    )
    parser.add_argument("--kinds", help=f"comma-separated kinds among {', '.join(KINDS)}")
    parser.add_argument("--per-kind", type=int, default=28, help="cases built per kind (default 28)")
    parser.add_argument("--limit", type=int, help="run at most this many cases of each half (after the split)")
    parser.add_argument("--cases", action="store_true", help="one row per case and budget (tuning half only)")
    parser.add_argument("--save", type=Path, help="write the built cases to this JSON file, then run as usual")
    parser.add_argument("--load", type=Path, help="read cases --save wrote (its seed) instead of building them")
    parser.add_argument(
        "--phrasing", choices=PHRASINGS, default="asked", help="ask each question in another wording (default: asked)"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    kinds = [k.strip() for k in args.kinds.split(",")] if args.kinds else None
    if kinds and set(kinds) - set(KINDS):
        parser.error(f"unknown kinds {sorted(set(kinds) - set(KINDS))}; choose among {', '.join(KINDS)}")
    if args.load:
        args.seed, cases, skipped = load_cases(args.load)
        cases = [c for c in cases if kinds is None or c.kind in kinds]
    else:
        cases, skipped = build_cases(args.seed, args.per_kind, kinds)
    if args.save:
        save_cases(args.save, args.seed, cases, skipped)
    built_as = {c.id: c for c in cases}  # the diagnostics below read a question's words as its template wrote them
    cases, reworded = asked_in(cases, args.phrasing)
    built = time.perf_counter() - started
    halves = {
        "tune": [c for c in cases if half_of(c, args.seed) == "tune"],
        "test": [c for c in cases if half_of(c, args.seed) == "test"],
    }
    if args.half == "all":
        halves = {"all": cases}
    elif args.half:
        halves = {args.half: halves[args.half]}
    if args.limit is not None:
        halves = {name: chosen[: args.limit] for name, chosen in halves.items()}
    counter = TokenCounter.for_model(MODEL)
    results = {
        (case.id, share): (run_headroom(case, share, counter), run_naive(case, share, counter))
        for chosen in halves.values()
        for case in chosen
        for share in SHARES
    }
    counts = {kind: sum(c.kind == kind for c in cases) for kind in KINDS if any(c.kind == kind for c in cases)}
    ran = time.perf_counter() - started - built
    out = [
        f"{len(cases)} cases (seed {args.seed}; {', '.join(f'{k} {n}' for k, n in counts.items())}), "
        f"tokens counted with {counter.name} (model {MODEL}); {'read' if args.load else 'built'} in {built:.0f} s, "
        f"run in {ran:.0f} s",
        f"phrasing: {args.phrasing}" + (f" ({reworded} of {len(cases)} questions reworded)" if reworded else ""),
        "skipped sources: " + ("; ".join(skipped) if skipped else "none"),
        "",
    ]
    for name, chosen in halves.items():
        # the test half is printed as aggregates only: its rows stay unseen while tuning
        out += report(name, chosen, results, args.cases and name != "test" and args.phrasing != "heldout", built_as)
    print("\n".join(out))


if __name__ == "__main__":
    main()
