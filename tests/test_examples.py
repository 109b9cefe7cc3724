"""The README's example runs as documented: offline, no keys, and it redeems a marker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_compress_tool_output_example_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "compress_tool_output.py")], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "within budget: True" in done.stdout
    assert "retrieve(handle) returned the exact original." in done.stdout


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*args], capture_output=True, text=True, timeout=300, env=env, cwd=EXAMPLES.parent, check=False
    )


def test_openai_agent_loop_example_runs() -> None:
    done = _run(sys.executable, str(EXAMPLES / "openai_agent_loop.py"))
    assert done.returncode == 0, done.stderr
    assert "the model redeemed the marker and answered from the original line." in done.stdout


def test_anthropic_agent_loop_example_runs() -> None:
    done = _run(sys.executable, str(EXAMPLES / "anthropic_agent_loop.py"))
    assert done.returncode == 0, done.stderr
    assert "within budget at every turn" in done.stdout


def test_langchain_agent_example_runs() -> None:
    done = _run(sys.executable, str(EXAMPLES / "langchain_agent.py"))
    assert done.returncode == 0, done.stderr
    assert "state keeps originals" in done.stdout


def test_prompt_budget_pytest_example_runs() -> None:
    done = _run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(EXAMPLES / "test_prompt_budget.py"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_shared_memory_example_runs() -> None:
    done = _run(sys.executable, str(EXAMPLES / "shared_memory.py"))
    assert done.returncode == 0, done.stderr
    assert "two processes shared one memory." in done.stdout


def test_cli_pipeline_example_runs() -> None:
    import os

    done = _run("sh", str(EXAMPLES / "cli_pipeline.sh"), env={**os.environ, "PYTHON": sys.executable})
    assert done.returncode == 0, done.stderr
    assert "pipeline done" in done.stdout
    assert done.stderr.count("headroom: ") >= 1 and "Traceback" not in done.stderr
