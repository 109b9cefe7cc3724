"""Logging under ``headroom`` and the readable summary of a result."""

from __future__ import annotations

import logging

import pytest

from headroom import Headroom
from headroom import log as headroom_log

LOG = "".join(f"2024-05-01 12:00:{i % 60:02d} INFO request {i} ok\n" for i in range(2000))
MESSAGES = [
    {"role": "user", "content": "Why did the payment fail?"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "logs", "arguments": "{}"}}],
    },
    {"role": "tool", "tool_call_id": "c1", "content": LOG + "12:01:00 ERROR payment failed\n"},
]


def test_a_replaced_encoding_warns_once_per_process(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(headroom_log, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="headroom"):
        for _ in range(3):
            Headroom(model="claude-sonnet-4").compress(MESSAGES, budget=500)
    warnings = [r for r in caplog.records if r.name == "headroom" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "cl100k_base" in warnings[0].getMessage()


def test_routing_and_allocation_are_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="headroom"):
        Headroom(model="gpt-4").compress(MESSAGES, budget=500)
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "headroom")
    assert "route: message 2" in text and "-> log" in text
    assert "allocate: budget 500" in text


def test_summary_says_what_was_kept_and_dropped() -> None:
    result = Headroom(model="gpt-4").compress(MESSAGES, budget=500)
    summary = result.summary()
    first, *pieces = summary.splitlines()
    assert f"{result.tokens_before:,} -> {result.tokens_after:,} tokens (budget 500)" in first
    assert "message 2['content']: log via" in pieces[0] and "lines" in pieces[0]
    assert result.manifest.entries[0].handle in pieces[0]
    untouched = Headroom(model="gpt-4").compress(MESSAGES[:1], budget=500).summary()
    assert "nothing compressed" in untouched
    over = Headroom(model="gpt-4").compress([{"role": "system", "content": "x " * 900}], budget=100).summary()
    assert "NOT met" in over
