"""The one golden-file check: compare with the stored output, or rewrite it when asked.

``HEADROOM_UPDATE_GOLDEN=1 pytest`` rewrites every ``.out`` file from the
current output; review the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path


def assert_golden(expected: Path, actual: str) -> None:
    if os.environ.get("HEADROOM_UPDATE_GOLDEN"):
        expected.write_text(actual)
    assert actual == expected.read_text(), f"{expected.name} differs; HEADROOM_UPDATE_GOLDEN=1 rewrites it"
