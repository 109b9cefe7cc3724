"""Same input, same output across processes: compress run under two ``PYTHONHASHSEED`` values.

The in-process determinism tests cannot see an order that depends on string
hashing: within one process a set of strings iterates the same way every
time, and only another process (another hash seed) reorders it. BM25 summed
a document's term weights in the order of a set of strings, so two processes
could score the same lines a few ulps apart and break a tie the other way
(a C header kept ``gcm_aes192_set_iv`` in one run, ``gcm_aes256_set_iv`` in
the next). Here every golden input of every family is compressed in two
fresh interpreters, under a question made of words from the input itself
(several of them match each line, so sums of three terms and more are
formed) and at a few budgets, and the outputs must be byte-identical.

Beside the goldens, a C header written for this test holds what the goldens
lack: families of declarations alike but for one word (``ring_u8_push``,
``ring_u16_push``...), whose regions score alike under a question naming the
family, so that a score a few ulps off decides which one is kept.

The worker is this file run as a script: it prints one JSON document of all
outputs, so the two runs compare as text.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).parent / "golden"
SHARES = (0.1, 0.25, 0.5)
HASH_SEEDS = ("1", "2")


def inputs() -> list[Path]:
    """Every golden input (not the stored outputs), family by family, in a fixed order."""
    return sorted(p for p in GOLDEN.glob("*/*") if p.is_file() and p.suffix != ".out")


def question(text: str) -> str:
    """The question names the wordiest line of the input's middle third: its words (and the parts
    of its identifiers) match many lines, near-duplicates of it score alike, and several of them
    meet in one line's score."""
    lines = text.splitlines()
    middle = lines[len(lines) // 3 : 2 * len(lines) // 3] or lines or [""]
    line = max(middle, key=lambda s: (len(set(re.findall(r"[A-Za-z_]{3,}", s))), s))
    return f"What does {line.strip()[:200]} mean here?"


def ring_header() -> str:
    """Five families of the same declarations, one per integer width."""
    ops = ("init", "set_key", "set_iv", "push", "pop", "peek", "clear", "size", "digest")
    widths = (8, 16, 32, 64, 128)
    out = ["/* ring.h: fixed-size rings of unsigned integers, one family per width. */", "", "#ifndef RING_H"]
    out += ["#define RING_H", ""]
    for width in widths:
        out += [f"#define ring_u{width}_{op} vendor_ring_u{width}_{op}" for op in ops] + [""]
    for width in widths:
        out.append(f"struct ring_u{width}_ctx {{ unsigned n; uint{min(width, 64)}_t slots[64]; }};")
        out += [
            f"void ring_u{width}_{op}(struct ring_u{width}_ctx *ctx, size_t length, const uint8_t *data);" for op in ops
        ]
        out.append("")
    return "\n".join(out + ["#endif"]) + "\n"


RING_QUESTIONS = (
    "What value does ring.h give ring_set_key?",
    "What does ring_u32_digest take in ring.h?",
    "Which ring_set_iv size push key is defined?",
)
RING_SHARES = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)


def conversation(shown: str, text: str, asked: str) -> list[dict[str, Any]]:
    arguments = json.dumps({"cmd": f"cat {shown}"})
    return [
        {"role": "system", "content": "You are a coding agent."},
        {"role": "user", "content": asked},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "sh", "arguments": arguments}}],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": text},
    ]


def cases() -> list[tuple[str, list[dict[str, Any]], tuple[float, ...]]]:
    """(name, conversation, shares of its tokens to compress it to)."""
    out = []
    for path in inputs():
        text = path.read_text(encoding="utf-8", errors="replace")
        out.append((str(path.relative_to(GOLDEN)), conversation(path.name, text, question(text)), SHARES))
    for number, asked in enumerate(RING_QUESTIONS):
        out.append((f"ring.h#{number}", conversation("ring.h", ring_header(), asked), RING_SHARES))
    return out


def outputs() -> dict[str, Any]:
    """Every case at each of its shares: the messages compress returns, keyed by case and share."""
    from headroom import Headroom, MemoryStore, TokenCounter

    counter = TokenCounter.for_model("gpt-4")
    out: dict[str, Any] = {}
    for name, messages, shares in cases():
        total = counter.count_messages(messages)
        for share in shares:
            result = Headroom(store=MemoryStore(), model="gpt-4").compress(messages, int(total * share))
            out[f"{name}@{share}"] = result.messages
    return out


def run_workers() -> list[dict[str, Any]]:
    """The outputs of one worker per hash seed, the workers run side by side."""
    workers = [
        subprocess.Popen(
            [sys.executable, __file__],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        for seed in HASH_SEEDS
    ]
    out = []
    for worker in workers:
        stdout, stderr = worker.communicate(timeout=900)
        assert worker.returncode == 0, stderr
        out.append(json.loads(stdout))
    return out


def test_compress_output_does_not_depend_on_the_hash_seed() -> None:
    first, second = run_workers()
    assert first.keys() == second.keys() and len(first) == sum(len(shares) for _, _, shares in cases())
    differ = [key for key in first if first[key] != second[key]]
    assert not differ, f"outputs differ between PYTHONHASHSEED={HASH_SEEDS[0]} and {HASH_SEEDS[1]}: {differ}"


if __name__ == "__main__":
    json.dump(outputs(), sys.stdout, sort_keys=True)
