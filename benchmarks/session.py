"""The session benchmark: one long agent session under one fixed budget, compressed before every call.

    python benchmarks/session.py                    # budgets 24,000 and 100,000
    python benchmarks/session.py --budget 50000     # other budgets (repeat the option)
    python benchmarks/session.py --turns 24         # a shorter session (default 32 turns, ~326k tokens)

The session is built from the project's own corpus (corpus/cases, corpus/fixtures) the way
``run.py`` builds a case: a system prompt, then one turn per case: the user's question, an
assistant tool call naming the case's command, and the command's real output; then a short
assistant answer (it quotes no fact). Cases are picked deterministically: content types in
alphabetical order, round-robin, each type's cases in file order, skipping a fixture already used
and fixtures above ``MAX_FIXTURE_CHARS`` (the biggest are one huge file each, and would make the
session one fixture long).

At turn t the model is about to act on turn t's tool output, so the prompt is every message up to
and including that tool result (turn t's answer is what the model would write next). Each system
turns that prompt into what is sent, within the budget:

- **headroom**: ``Headroom(store=..., model=MODEL).compress(prompt, budget=B)``, one store for the
  whole session; nothing is carried between calls except the store.
- **drop oldest**: the system prompt and the newest whole turns that fit. When the current turn alone
  does not fit, its tool output keeps the longest head that fits (the only way to send anything).
- **truncate**: every tool output keeps the same share of its characters (its head), the largest
  share, to 1/10,000, at which the whole prompt fits: proportional truncation.

Measures, per call:

- **current facts kept**: turn t's facts verbatim in the text sent.
- **earlier recoverable**: facts of turns before t verbatim in the text sent, or inside an original
  that a handle in the result redeems from the store (handles from the manifest and any ``hr1:``
  handle in the text). The baselines keep no originals.
- **prefix share**: the provider-cache rule. Each message is serialized as canonical JSON
  (``json.dumps(message, sort_keys=True, ensure_ascii=False, separators=(",", ":"))``); a prompt is
  its messages in order. The repeated prefix of a call is the leading messages whose serialized form
  equals the previous call's message at the same position, plus the longest common character prefix
  of the first pair that differs (a partial message counts, as a provider caches by blocks inside a
  message too; this is generous by at most one message). Its tokens over the tokens of all the
  call's serialized messages (each serialized message counted on its own) is the share; the first
  call has no previous prompt and a share of 0 (medians are over calls 2..n).
- **cost**: repeated prefix tokens at 0.1, the rest of the serialized tokens at 1.0, summed over the
  session; "no cache" is the same tokens all at 1.0.
- **tokens sent**: ``TokenCounter.count_messages`` of what is sent (what the budget bounds).

Deterministic: the same corpus, code and budgets print the same tables, save the wall-time column
(seconds per call). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from headroom import HANDLE_RE, Headroom, MemoryStore, TokenCounter

sys.path.insert(0, str(Path(__file__).parent))
from run import text_of  # noqa: E402  (the one walk over messages the benchmarks share)

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
MODEL = "gpt-4"
SYSTEM = "You are a coding agent. Answer the user's question from the tool output; cite exact lines."
MAX_FIXTURE_CHARS = 130_000
DEFAULT_TURNS = 32
DEFAULT_BUDGETS = (24_000, 100_000)
CACHED_RATE = 0.1
# issue 11: the share of all prompt tokens (summed over the calls) that repeat the previous call's prefix
SHARE_BARS = {24_000: 0.6, 100_000: 0.8}

Message = dict[str, Any]


@dataclass
class Turn:
    """One case as a turn: its messages (question, tool call, tool result, answer) and its facts."""

    id: str
    type: str
    facts: list[str]
    messages: list[Message]

    @property
    def output(self) -> str:
        content = self.messages[2]["content"]
        assert isinstance(content, str)
        return content


@dataclass
class Session:
    system: Message
    turns: list[Turn]

    def prompt_groups(self, t: int) -> list[list[Message]]:
        """The turns the model sees at turn t (0-based): earlier turns whole, turn t up to its tool result."""
        return [turn.messages for turn in self.turns[:t]] + [self.turns[t].messages[:3]]

    def prompt(self, t: int) -> list[Message]:
        return [self.system] + [m for group in self.prompt_groups(t) for m in group]


def make_turn(index: int, raw: dict[str, Any], output: str, answer: bool = True) -> Turn:
    call_id = f"call_{index + 1}"
    messages: list[Message] = [
        {"role": "user", "content": raw["question"]},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": "run_shell", "arguments": json.dumps({"cmd": raw["command"]})},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "content": output},
    ]
    if answer:
        # a reply that quotes no fact, so a fact is only ever found in its tool output
        messages.append({"role": "assistant", "content": f"Read the output of `{raw['command']}`; answered above."})
    return Turn(raw["id"], raw["type"], list(raw["facts"]), messages)


def build_session(turns: int = DEFAULT_TURNS, answers: bool = True, corpus: Path = CORPUS) -> Session:
    """Round-robin over content types (alphabetical), each type's cases in file order."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for path in sorted((corpus / "cases").glob("*.json")):
        for raw in json.loads(path.read_text()):
            by_type.setdefault(raw["type"], []).append(raw)
    queues = {kind: list(cases) for kind, cases in sorted(by_type.items())}
    used: set[str] = set()
    chosen: list[Turn] = []
    while len(chosen) < turns and any(queues.values()):
        for kind in list(queues):
            while queues[kind]:
                raw = queues[kind].pop(0)
                fixture = corpus / "fixtures" / raw["fixture"]
                if raw["fixture"] in used or fixture.stat().st_size > MAX_FIXTURE_CHARS:
                    continue
                used.add(raw["fixture"])
                chosen.append(make_turn(len(chosen), raw, fixture.read_text(), answers))
                break
            if len(chosen) == turns:
                break
    if len(chosen) < turns:
        raise SystemExit(f"the corpus holds only {len(chosen)} eligible cases; ask for fewer --turns")
    return Session({"role": "system", "content": SYSTEM}, chosen)


# --- the measures (tests/test_session_bench.py checks them on hand-built inputs) ---


def serialize(message: Any) -> str:
    return json.dumps(message, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def common_prefix(a: str, b: str) -> str:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return a[:i]


def prefix_tokens(previous: Sequence[Any] | None, current: Sequence[Any], counter: TokenCounter) -> tuple[int, int]:
    """(tokens of ``current`` repeating ``previous`` as a prefix, tokens of ``current``), by the module's rule."""
    serialized = [serialize(m) for m in current]
    total = sum(counter.count(s) for s in serialized)
    if previous is None:
        return 0, total
    before = [serialize(m) for m in previous]
    repeated = 0
    for i, text in enumerate(serialized):
        if i < len(before) and before[i] == text:
            repeated += counter.count(text)
            continue
        if i < len(before):
            repeated += counter.count(common_prefix(before[i], text))
        break
    return repeated, total


def cache_cost(repeated: int, total: int, cached_rate: float = CACHED_RATE) -> float:
    """What a call costs in token units when its repeated prefix is billed at ``cached_rate``."""
    return repeated * cached_rate + (total - repeated)


def facts_kept(facts: Sequence[str], text: str) -> int:
    return sum(fact in text for fact in facts)


def facts_recoverable(facts: Sequence[str], text: str, originals: Sequence[str]) -> int:
    # one scan per fact over all originals at once; no fact holds NUL, so none can match across a seam
    joined = "\0".join(originals)
    return sum(fact in text or fact in joined for fact in facts)


# --- the systems ---


@dataclass
class Sent:
    """What one system sent at one turn, and the originals its handles redeem."""

    messages: list[Any]
    originals: list[str] = field(default_factory=list)


System = Callable[[Message, list[list[Message]], int], Sent]


def headroom_system(counter: TokenCounter) -> System:
    """A compressor with one store for the whole session."""
    hr = Headroom(store=MemoryStore(), model=MODEL, counter=counter)
    redeemed: dict[str, str] = {}

    def run(system: Message, groups: list[list[Message]], budget: int) -> Sent:
        result = hr.compress([system] + [m for g in groups for m in g], budget=budget)
        handles = set(result.manifest.handles) | {m.group(0) for m in HANDLE_RE.finditer(text_of(result.messages))}
        for handle in sorted(handles - redeemed.keys()):
            redeemed[handle] = hr.retrieve(handle)
        return Sent(list(result.messages), [redeemed[h] for h in sorted(handles)])

    return run


def longest_head(text: str, room: int, counter: TokenCounter) -> str:
    """The longest head of ``text`` within ``room`` tokens (binary search over characters)."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if counter.count(text[:middle]) <= room:
            low = middle
        else:
            high = middle - 1
    return text[:low]


def with_output(group: list[Message], output: str) -> list[Message]:
    """A copy of a turn whose tool result (its third message) says ``output``."""
    copied = [dict(m) for m in group]
    copied[2]["content"] = output
    return copied


def drop_oldest_system(counter: TokenCounter) -> System:
    def run(system: Message, groups: list[list[Message]], budget: int) -> Sent:
        kept = [groups[-1]]
        if counter.count_messages([system, *groups[-1]]) > budget:
            fixed = counter.count_messages([system, *with_output(groups[-1], "")])
            kept = [with_output(groups[-1], longest_head(groups[-1][2]["content"], budget - fixed, counter))]
        else:
            used = counter.count_messages([system, *groups[-1]])
            priming = counter.count_messages([])  # billed once per prompt, not once per turn
            for group in reversed(groups[:-1]):
                cost = counter.count_messages(group) - priming
                if used + cost > budget:
                    break
                kept.insert(0, group)
                used += cost
        return Sent([system] + [m for g in kept for m in g])

    return run


def truncate_system(counter: TokenCounter) -> System:
    """Proportional: every tool output keeps the same share of its characters, the largest that fits."""

    def cut(groups: list[list[Message]], share: int) -> list[Message]:
        return [m for g in groups for m in with_output(g, g[2]["content"][: len(g[2]["content"]) * share // 10_000])]

    def run(system: Message, groups: list[list[Message]], budget: int) -> Sent:
        whole = [system] + [m for g in groups for m in g]
        if counter.count_messages(whole) <= budget:
            return Sent(whole)
        low, high = 0, 10_000
        while low < high:
            middle = (low + high + 1) // 2
            if counter.count_messages([system, *cut(groups, middle)]) <= budget:
                low = middle
            else:
                high = middle - 1
        return Sent([system, *cut(groups, low)])

    return run


SYSTEMS: dict[str, Callable[[TokenCounter], System]] = {
    "headroom": headroom_system,
    "drop oldest": drop_oldest_system,
    "truncate": truncate_system,
}


# --- the run ---


@dataclass
class Call:
    turn: int
    sent: int
    within: bool
    current: int
    current_facts: int
    earlier: int
    earlier_facts: int
    repeated: int
    serialized: int
    seconds: float

    @property
    def share(self) -> float:
        return self.repeated / self.serialized if self.serialized else 0.0

    @property
    def cost(self) -> float:
        return cache_cost(self.repeated, self.serialized)


def run_system(session: Session, system: System, budget: int, counter: TokenCounter, label: str) -> list[Call]:
    calls: list[Call] = []
    previous: list[Any] | None = None
    for t, turn in enumerate(session.turns):
        started = time.perf_counter()
        sent = system(session.system, session.prompt_groups(t), budget)
        seconds = time.perf_counter() - started
        text = text_of(sent.messages)
        earlier = [fact for past in session.turns[:t] for fact in past.facts]
        repeated, serialized = prefix_tokens(previous, sent.messages, counter)
        tokens = counter.count_messages(sent.messages)
        calls.append(
            Call(
                t + 1,
                tokens,
                tokens <= budget,
                facts_kept(turn.facts, text),
                len(turn.facts),
                facts_recoverable(earlier, text, sent.originals),
                len(earlier),
                repeated,
                serialized,
                seconds,
            )
        )
        previous = sent.messages
        print(f"  {label} budget {budget:,} turn {t + 1}/{len(session.turns)}: {seconds:.1f}s", file=sys.stderr)
    return calls


def per_turn_table(session: Session, budget: int, prompts: list[int], results: dict[str, list[Call]]) -> list[str]:
    head = "| turn | case | prompt tokens |" + "".join(f" {name}: sent | kept | prefix | earlier |" for name in results)
    lines = [f"### Per turn, budget {budget:,}", "", head, "|" + "---|" * (3 + 4 * len(results))]
    for t, turn in enumerate(session.turns):
        row = f"| {t + 1} | {turn.id} | {prompts[t]:,} |"
        for calls in results.values():
            c = calls[t]
            mark = "" if c.within else " (over)"
            row += (
                f" {c.sent:,}{mark} | {c.current}/{c.current_facts} | {c.share:.0%} | {c.earlier}/{c.earlier_facts} |"
            )
        lines.append(row)
    return lines


def summary_table(budget: int, results: dict[str, list[Call]]) -> list[str]:
    lines = [
        f"### Summary, budget {budget:,}",
        "",
        "| system | within budget | tokens sent (total) | median sent | current facts kept | median prefix share "
        "| prefix share (all tokens) | cost with cache | cost without | earlier recoverable (last turn) "
        "| earlier recoverable (all calls) | median s/call |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, calls in results.items():
        last = calls[-1]
        repeated = sum(c.repeated for c in calls)
        serialized = sum(c.serialized for c in calls)
        lines.append(
            f"| {name} | {sum(c.within for c in calls)}/{len(calls)} | {sum(c.sent for c in calls):,} "
            f"| {statistics.median(c.sent for c in calls):,.0f} "
            f"| {sum(c.current for c in calls)}/{sum(c.current_facts for c in calls)} "
            f"| {statistics.median(c.share for c in calls[1:]) if len(calls) > 1 else 0:.0%} "
            f"| {repeated / serialized:.0%} | {sum(c.cost for c in calls):,.0f} | {serialized:,} "
            f"| {last.earlier}/{last.earlier_facts} "
            f"| {sum(c.earlier for c in calls)}/{sum(c.earlier_facts for c in calls)} "
            f"| {statistics.median(c.seconds for c in calls):.2f} |"
        )
    return lines


def bars(budget: int, results: dict[str, list[Call]]) -> list[str]:
    """Issue 11's bars for headroom at this budget, each with the figure it is judged on."""
    if "headroom" not in results:
        return []
    ours = results["headroom"]
    kept = sum(c.current for c in ours)
    target = SHARE_BARS.get(budget)
    share = sum(c.repeated for c in ours) / sum(c.serialized for c in ours)
    lines = [f"Bars at budget {budget:,} (headroom):"]
    if "drop oldest" in results:
        theirs = sum(c.current for c in results["drop oldest"])
        lines.append(f"- current-turn facts {kept} >= drop oldest {theirs}: {'met' if kept >= theirs else 'NOT met'}")
    verdict = "(the issue sets no bar at this budget)"
    if target is not None:
        verdict = f">= {target:.0%}: {'met' if share >= target else 'NOT met'}"
    lines.append(f"- prompt tokens repeated from the previous call, all calls: {share:.0%} {verdict}")
    last = ours[-1]
    lines.append(
        f"- earlier facts recoverable {last.earlier}/{last.earlier_facts} at the last call, "
        f"{sum(c.earlier for c in ours)}/{sum(c.earlier_facts for c in ours)} over all calls: "
        f"{'met' if all(c.earlier == c.earlier_facts for c in ours) else 'NOT met'}"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--budget", type=int, action="append", help="a budget in tokens (repeat for several)")
    parser.add_argument("--turns", type=int, default=DEFAULT_TURNS, help=f"turns (default {DEFAULT_TURNS})")
    parser.add_argument("--no-answers", action="store_true", help="no assistant answer after each tool result")
    parser.add_argument("--only", choices=sorted(SYSTEMS), action="append", help="run only these systems")
    args = parser.parse_args()
    budgets = args.budget or list(DEFAULT_BUDGETS)
    counter = TokenCounter.for_model(MODEL)
    session = build_session(args.turns, answers=not args.no_answers)
    prompts = [counter.count_messages(session.prompt(t)) for t in range(len(session.turns))]
    facts = sum(len(turn.facts) for turn in session.turns)
    out = [
        f"A session of {len(session.turns)} turns ({', '.join(sorted({t.type for t in session.turns}))}), "
        f"{prompts[-1]:,} tokens at the last call, {facts} facts; tokens counted with {counter.name} (model {MODEL})",
        "",
    ]
    for budget in budgets:
        results = {
            name: run_system(session, make(counter), budget, counter, name)
            for name, make in SYSTEMS.items()
            if not args.only or name in args.only
        }
        out += (
            summary_table(budget, results)
            + [""]
            + bars(budget, results)
            + [""]
            + per_turn_table(session, budget, prompts, results)
            + [""]
        )
    print("\n".join(out))


if __name__ == "__main__":
    main()
