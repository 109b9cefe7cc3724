"""`import headroom` does no I/O and no network; compress works with the network unreachable."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Run in a fresh interpreter: the audit hook must be in place before headroom
# and its dependencies are imported. Reading Python modules and package
# metadata is what importing is; anything else is I/O headroom did at import.
_AUDIT = r"""
import json, sys
events = []
allowed = (".py", ".pyc", ".so", ".pth", ".typed", ".zip", "__path_hook__")

def hook(event, args):
    if event.startswith("socket.") or event in ("urllib.Request", "http.client.connect"):
        events.append([event, repr(args)[:200]])
    elif event == "open" and args and isinstance(args[0], str):
        path = args[0]
        if not path.endswith(allowed) and "dist-info" not in path and "egg-info" not in path:
            events.append([event, path])
    elif event in ("subprocess.Popen", "os.system", "sqlite3.connect"):
        events.append([event, repr(args)[:200]])

sys.addaudithook(hook)
import headroom
print(json.dumps(events))
"""


def test_import_does_no_io() -> None:
    out = subprocess.run([sys.executable, "-c", _AUDIT], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


_OFFLINE = r"""
import socket, sys, json
def refuse(*args, **kwargs):
    raise OSError("network attempted")
socket.socket.connect = refuse
socket.getaddrinfo = refuse
socket.create_connection = refuse
attempts = []
sys.addaudithook(lambda e, a: attempts.append(e) if e.startswith("socket.") else None)
import headroom
text = open(sys.argv[1]).read()
messages = [
    {"role": "user", "content": "which modules add arguments?"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "c", "type": "function", "function": {"name": "grep", "arguments": "{}"}}],
    },
    {"role": "tool", "tool_call_id": "c", "content": text},
]
result = headroom.compress(messages, budget=600)
handle = result.manifest.entries[0].handle
assert headroom.retrieve(handle) == text
print(json.dumps({"encoding": result.encoding, "kinds": [d.kind for d in result.degradations],
                  "fits": result.within_budget, "attempts": attempts}))
"""


def test_compress_works_with_the_network_unreachable(tmp_path: Path) -> None:
    fixture = Path(__file__).parent / "golden" / "text" / "grep_stdlib.txt"
    env = {"TIKTOKEN_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", _OFFLINE, str(fixture)], capture_output=True, text=True, check=True, env=env, timeout=120
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report == {"encoding": "cl100k_base", "kinds": ["tokenizer"], "fits": True, "attempts": []}
