"""Generated conversations against the invariants: thousands of them, OpenAI and Anthropic shapes mixed.

Each conversation is built from a seed: windows of the real fixtures of every
content type (logs, JSON, NDJSON, code, diffs, HTML, tables, prose), base64
lines, env dumps with secrets, marker look-alikes and surrogates as tool
outputs; images, unknown blocks, ``cache_control``, ``tool_use.input`` objects
and extra keys beside them; and aliasing (one block at two positions, one
message appended twice). Every call must hold:

- no exception at all (the input is valid);
- the input is not mutated;
- every handle in the manifest is redeemable, and gives its exact original;
- every change is in the manifest: a string that differs sits at an entry's
  path, and everything else (non-string values included) is equal in type and value;
- ``tokens_after`` equals a recount of the returned messages.
"""

from __future__ import annotations

import base64
import copy
import json
import random
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headroom import Config, Headroom, MemoryStore, make_handle

FIXTURES = sorted((Path(__file__).parent.parent / "benchmarks" / "corpus" / "fixtures").glob("*"))
_TEXTS = [path.read_text(errors="replace") for path in FIXTURES if path.is_file()]
_COUNTER = Headroom(model="gpt-4").counter


def _output(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.6:
        text = rng.choice(_TEXTS)
        start = rng.randrange(max(1, len(text) - 200))
        return text[start : start + rng.choice([50, 400, 2000, 6000])]
    if kind < 0.7:
        return base64.b64encode(rng.randbytes(rng.randint(10, 3000))).decode()
    if kind < 0.8:
        return (
            "HOME=/root\nGITHUB_TOKEN=ghp_"
            + "".join(rng.choices("abcdEFGH0123456789", k=36))
            + "\nDB_PASSWORD="
            + ("".join(rng.choices("abcdefXYZ0123!@#", k=12)) + "\n")
        )
    if kind < 0.9:
        return f"[hr1:{rng.randrange(10**15):015d} omitted {rng.randint(1, 99)} lines 1-9]\n" * rng.randint(1, 40)
    return "".join(
        rng.choice(["a", " ", "\n", "é", "中", "\udc80", "=", "{", "\t", "😀"]) for _ in range(rng.randint(0, 3000))
    )


def conversation(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    anthropic = rng.random() < 0.5
    messages: list[dict[str, Any]] = []
    if not anthropic:
        messages.append({"role": "system", "content": "You are a careful agent."})
    shared = {"type": "text", "text": _output(rng)}
    for turn in range(rng.randint(1, 5)):
        user: dict[str, Any] = {"role": "user", "content": f"step {turn}: what failed?"}
        if rng.random() < 0.2:
            user["content"] = [
                {"type": "text", "text": user["content"]},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}
                if anthropic
                else {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            ]
        if rng.random() < 0.1:
            user["metadata"] = {"trace": [1, 2, {"deep": [None, True, 1.5]}]}
        messages.append(user)
        call_id = f"call_{seed}_{turn}"
        arguments = {"path": f"/srv/app/{turn}.log", "lines": [1, rng.randint(2, 500)], "flags": {"tail": True}}
        if rng.random() < 0.3:
            arguments["note"] = _output(rng)[:1500]  # large enough to be compressed where tool_args are not protected
        if anthropic:
            messages.append(
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": call_id, "name": "read", "input": arguments}],
                }
            )
            inner: Any = _output(rng)
            if rng.random() < 0.4:
                inner = (
                    [{"type": "text", "text": _output(rng)}, shared]
                    if rng.random() < 0.5
                    else [{"type": "text", "text": inner}]
                )
            block: dict[str, Any] = {"type": "tool_result", "tool_use_id": call_id, "content": inner}
            if rng.random() < 0.1:
                block["cache_control"] = {"type": "ephemeral"}
            content: list[Any] = [block]
            if rng.random() < 0.1:
                content.append({"type": "document_ref", "id": seed, "tags": ["a", "b"], "meta": {"n": 1.5}})
            messages.append({"role": "user", "content": content})
        else:
            raw = rng.random() < 0.2
            messages.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": call_id,
                            "type": "function",
                            "function": {
                                "name": "read",
                                "arguments": arguments if raw else json.dumps(arguments),
                            },
                        }
                    ],
                }
            )
            tool = {"role": "tool", "tool_call_id": call_id, "content": _output(rng)}
            messages.append(tool)
            if rng.random() < 0.1:
                messages.append({"role": "assistant", "content": "noted"})
        if rng.random() < 0.15 and anthropic:
            messages.append({"role": "user", "content": [shared]})  # the same dict at a second position
    if rng.random() < 0.1 and not anthropic:
        last_tool = next(m for m in reversed(messages) if m["role"] == "tool")
        messages.append(last_tool)  # one message appended twice
    messages.append({"role": "user", "content": "so what now?"})
    return messages


def _changes(before: Any, after: Any, path: tuple[Any, ...], out: list[tuple[Any, ...]]) -> None:
    stack = [(before, after, path)]
    while stack:
        a, b, where = stack.pop()
        if isinstance(a, str) and isinstance(b, str):
            if a != b:
                out.append(where)
        elif type(a) is not type(b):
            out.append(where)
        elif isinstance(a, dict):
            if a.keys() != b.keys():
                out.append(where)
            else:
                stack.extend((a[k], b[k], (*where, k)) for k in a)
        elif isinstance(a, list):
            if len(a) != len(b):
                out.append(where)
            else:
                stack.extend((x, y, (*where, i)) for i, (x, y) in enumerate(zip(a, b)))
        elif a != b:
            out.append(where)


def check(messages: list[dict[str, Any]], budget: int | None, config: Config) -> None:
    store = MemoryStore()
    hr = Headroom(store=store, model="gpt-4", config=config, counter=_COUNTER)
    frozen = copy.deepcopy(messages)
    result = hr.compress(messages, budget)
    assert messages == frozen
    for entry in result.manifest.entries:
        original = hr.retrieve(entry.handle)
        assert make_handle(original) == entry.handle
    changed: list[tuple[Any, ...]] = []
    _changes(frozen, result.messages, (), changed)
    places = {(e.message_index, *e.path) for e in result.manifest.entries}
    for where in changed:
        assert any(where[: len(p)] == p for p in places), f"change at {where} without a manifest entry"
    assert result.tokens_after == hr.counter.count_messages(result.messages)


_CONFIGS = [
    Config(),
    Config(protect=frozenset({"system"})),
    Config(redact_secrets=False, levels=(0.5, 0.1)),
]


def test_seeded_conversations_hold_every_invariant() -> None:
    for seed in range(1700):
        rng = random.Random(seed * 7919)
        budget = rng.choice([None, 150, 600, 2000, 8000])
        check(conversation(seed), budget, _CONFIGS[seed % len(_CONFIGS)])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    budget=st.one_of(st.none(), st.integers(1, 20_000)),
    config=st.sampled_from(_CONFIGS),
)
def test_generated_conversations_hold_every_invariant(seed: int, budget: int | None, config: Config) -> None:
    check(conversation(seed), budget, config)
