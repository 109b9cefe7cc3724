"""`import headroom` loads no compressor family, no option model of one, and no tokenizer; it starts no thread.

The encoding loads on first use, once per process, in the calling thread
(cl100k ships offline; only a download the caller allowed runs in a thread).
"""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = r"""
import json, sys, threading
import headroom
after_import = {
    "families": sorted(m for m in sys.modules if m.startswith("headroom.compressors.") and m.count(".") >= 2
                       and not m.endswith(".base")),
    "tiktoken": "tiktoken" in sys.modules,
    "threads": threading.active_count(),
}
from headroom.tokens import TokenCounter
from headroom.tokens.counter import _encoding
first = TokenCounter.for_model("gpt-4")
second = TokenCounter.for_model("gpt-3.5-turbo")
after_use = {
    "same_encoding": first._encoding is second._encoding,
    "loads": _encoding.cache_info().misses,
    "threads": threading.active_count(),
}
print(json.dumps([after_import, after_use]))
"""


def test_import_is_lazy_and_the_encoding_loads_once_without_threads() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=120)
    after_import, after_use = json.loads(out.stdout.strip().splitlines()[-1])
    assert after_import == {"families": [], "tiktoken": False, "threads": 1}
    assert after_use == {"same_encoding": True, "loads": 1, "threads": 1}
