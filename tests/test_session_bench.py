"""The session benchmark's measures, on hand-built inputs and a tiny 3-turn session.

The benchmark's figures are only as good as its arithmetic: the prefix rule, the cache cost and
recoverability are checked here against values worked out by hand.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from headroom.testing import FakeCounter

ROOT = Path(__file__).resolve().parent.parent


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("session_bench", ROOT / "benchmarks" / "session.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["session_bench"] = module
    spec.loader.exec_module(module)
    return module


bench = _load()


def test_prefix_identical_prompt_is_all_repeated() -> None:
    counter = FakeCounter()
    prompt = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "what failed?"}]
    repeated, total = bench.prefix_tokens(prompt, prompt, counter)
    assert repeated == total > 0


def test_prefix_first_call_repeats_nothing() -> None:
    counter = FakeCounter()
    prompt = [{"role": "user", "content": "hello there"}]
    assert bench.prefix_tokens(None, prompt, counter) == (0, counter.count(bench.serialize(prompt[0])))


def test_prefix_identical_messages_plus_common_prefix_of_first_difference() -> None:
    counter = FakeCounter()
    system = {"role": "system", "content": "s"}
    before = [system, {"role": "tool", "content": "aaaa bbbb cccc"}, {"role": "user", "content": "q1"}]
    after = [system, {"role": "tool", "content": "aaaa bbbb dddd"}, {"role": "user", "content": "q1"}]
    repeated, total = bench.prefix_tokens(before, after, counter)
    # the system message whole, then the tool message's serialized form up to where "cccc" and "dddd" differ;
    # the third message is identical but comes after a difference, so a prefix cache cannot reuse it
    shared = bench.common_prefix(bench.serialize(before[1]), bench.serialize(after[1]))
    assert shared.endswith("aaaa bbbb ")
    expected = counter.count(bench.serialize(system)) + counter.count(shared)
    assert repeated == expected
    assert total == sum(counter.count(bench.serialize(m)) for m in after)
    assert repeated < total


def test_prefix_appended_turn_repeats_the_whole_previous_prompt() -> None:
    counter = FakeCounter()
    before = [{"role": "system", "content": "s"}, {"role": "user", "content": "one"}]
    after = [*before, {"role": "assistant", "content": "two"}]
    repeated, total = bench.prefix_tokens(before, after, counter)
    assert repeated == sum(counter.count(bench.serialize(m)) for m in before)
    assert total - repeated == counter.count(bench.serialize(after[2]))


def test_prefix_shorter_prompt_stops_at_the_end_of_the_previous_one() -> None:
    counter = FakeCounter()
    before = [{"role": "system", "content": "s"}]
    after = [{"role": "system", "content": "s"}, {"role": "user", "content": "x y z"}]
    repeated, _ = bench.prefix_tokens(before, after, counter)
    assert repeated == counter.count(bench.serialize(before[0]))


def test_cache_cost_bills_the_prefix_at_a_tenth() -> None:
    assert bench.cache_cost(0, 100) == 100
    assert bench.cache_cost(100, 100) == pytest.approx(10)
    assert bench.cache_cost(60, 100) == pytest.approx(46)


def test_kept_and_recoverable_count_each_fact_once() -> None:
    facts = ["alpha 1", "beta 2", "gamma 3"]
    text = "xx alpha 1 yy"
    originals = ["... beta 2 ...", "beta 2 again"]
    assert bench.facts_kept(facts, text) == 1
    assert bench.facts_recoverable(facts, text, originals) == 2
    assert bench.facts_recoverable(facts, text, []) == 1
    assert bench.facts_recoverable([], text, originals) == 0


def _tiny_corpus(root: Path) -> Path:
    (root / "cases").mkdir(parents=True)
    (root / "fixtures").mkdir()
    cases: dict[str, list[dict[str, Any]]] = {"log": [], "search": []}
    for i, kind in enumerate(["log", "search", "log"]):
        lines = [f"{kind} line {j} of output {i}" for j in range(300)]
        lines[150] = f"FACT-{i} the answer is {i * 7}"
        name = f"{kind}_{i}.txt"
        (root / "fixtures" / name).write_text("\n".join(lines) + "\n")
        cases[kind].append(
            {
                "id": f"{kind}-{i}",
                "type": kind,
                "fixture": name,
                "question": f"what is the answer of output {i}?",
                "command": f"cat {name}",
                "facts": [f"FACT-{i} the answer is {i * 7}"],
            }
        )
    for kind, raws in cases.items():
        (root / "cases" / f"{kind}.json").write_text(json.dumps(raws))
    return root


def test_tiny_session_three_systems(tmp_path: Path) -> None:
    counter = FakeCounter()
    session = bench.build_session(3, corpus=_tiny_corpus(tmp_path))
    # round-robin over types in alphabetical order: log, search, then log again
    assert [t.id for t in session.turns] == ["log-0", "search-1", "log-2"]
    assert session.prompt(1)[-1]["role"] == "tool"
    budget = counter.count_messages(session.prompt(0)) // 2
    before = json.dumps(session.prompt(2))
    results = {
        name: bench.run_system(session, make(counter), budget, counter, name) for name, make in bench.SYSTEMS.items()
    }
    for name, calls in results.items():
        assert [c.turn for c in calls] == [1, 2, 3]
        assert all(c.within for c in calls), name
        assert calls[0].repeated == 0 and calls[0].earlier_facts == 0
        assert [c.earlier_facts for c in calls] == [0, 1, 2]
    # the baselines keep no originals, and at half of one turn no earlier output fits whole
    assert results["drop oldest"][2].earlier == 0
    # headroom keeps every earlier fact verbatim or behind a handle
    assert [c.earlier for c in results["headroom"]] == [0, 1, 2]
    # the benchmark never mutates the session it measures
    assert json.dumps(session.prompt(2)) == before
