"""The pytest plugin, run as a user's test suite runs it: in a fresh pytest process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

USER_TESTS = """
import pytest
import headroom

LOG = "".join(f"src/app/module_{i}.py:{i}: error: Incompatible types [arg-type]\\n" for i in range(400))

def conversation(tool_output):
    return [
        {"role": "system", "content": "You fix type errors."},
        {"role": "user", "content": "Fix the mypy errors."},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "mypy", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": tool_output},
    ]

def test_fits(assert_prompt_fits, headroom_client):
    result = assert_prompt_fits(conversation(LOG), 1_500)
    handle = result.manifest.entries[0].handle
    assert headroom.retrieve(handle) == LOG  # the fixture's store is the default during the test

@pytest.mark.headroom_budget(1_500)
def test_budget_from_marker(assert_prompt_fits):
    assert assert_prompt_fits(conversation(LOG)).tokens_after <= 1_500

def test_isolated(headroom_client):
    assert len(headroom_client.store) == 0

@pytest.mark.headroom_budget(60)
def test_too_big(assert_prompt_fits):
    assert_prompt_fits([{"role": "system", "content": "You are careful. " * 100}] + conversation(LOG)[1:])
"""


def test_plugin_fixtures_marker_and_short_failure(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "test_user.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout
    assert "1 failed, 3 passed" in out, out
    failure = out[out.index("test_too_big") :]
    assert "prompt over budget" in failure and "budget 60" in failure
    assert "Biggest after compression: [0] system" in failure
    assert "headroom/testing.py" not in failure and "pytest_plugin.py" not in failure  # __tracebackhide__
    assert "You are careful. You are careful." not in failure.split("E   ")[-1]  # no message dump
