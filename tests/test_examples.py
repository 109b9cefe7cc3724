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
