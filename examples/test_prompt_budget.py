"""A prompt-budget test with headroom's pytest plugin (loaded automatically once headroom is installed).

    python -m pytest examples/test_prompt_budget.py

`assert_prompt_fits` compresses the prompt your agent would send and fails,
briefly, naming the biggest messages, if it does not fit; it counts with the
model's real encoding. `headroom_client` is a `Headroom` with a store of its
own, the shared default for the length of the test.
"""

from __future__ import annotations

import pytest

import headroom

DIFF = "".join(
    f"diff --git a/src/mod{i}.py b/src/mod{i}.py\n--- a/src/mod{i}.py\n+++ b/src/mod{i}.py\n"
    f"@@ -1,3 +1,3 @@\n def f{i}():\n-    return {i}\n+    return {i + 1}\n"
    for i in range(300)
)


def build_prompt(diff: str) -> list[dict]:
    """What the agent under test would send: stands in for your own prompt builder."""
    return [
        {"role": "system", "content": "You review pull requests."},
        {"role": "user", "content": "Review this change."},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "git_diff", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "c1", "content": diff},
    ]


@pytest.mark.headroom_budget(2_000, model="gpt-4")
def test_review_prompt_fits(assert_prompt_fits, headroom_client):
    result = assert_prompt_fits(build_prompt(DIFF))
    assert result.tokens_after <= 2_000
    # what the model could ask for is in this test's own store
    assert headroom.retrieve(result.manifest.entries[0].handle) == DIFF


def test_short_prompt_is_left_alone(assert_prompt_fits):
    result = assert_prompt_fits(build_prompt("diff --git a/x b/x\n"), 500)
    assert result.manifest.entries == ()
