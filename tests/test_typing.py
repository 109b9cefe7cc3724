"""The package type-checks under mypy --strict (pyproject's [tool.mypy]), so CI holds it there.

The same run checks ``tests/typing/sdk_tools.py``: the retrieval tool definitions go into both
SDKs' ``tools=`` parameters as they are (one mypy run, since each takes most of a minute).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_package_and_sdk_tool_types_pass_mypy_strict() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "headroom", "tests/typing/sdk_tools.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
