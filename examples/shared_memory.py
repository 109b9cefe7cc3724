"""Two agents, two processes, one memory: a marker one agent wrote resolves for the other.

The researcher compresses a long tool output into its prompt and leaves a
note; the reviewer, a separate process opening the same file, finds the note
by search, redeems the researcher's marker, and sees who kept what.

    python examples/shared_memory.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from headroom import HANDLE_RE, AgentMemory, Headroom
from headroom.memory import NOTE
from headroom.tools import run_retrieval_tool

TRACE = "".join(
    f"2024-05-01 12:{i // 60 % 60:02d}:{i % 60:02d} INFO worker-{i % 8} job {i} done in {20 + i % 7}ms\n"
    for i in range(2000)
)
TRACE += "2024-05-01 13:00:00 ERROR worker-3 job 2000 FAILED: deadlock on table 'ledger'\n"


def researcher(path: str) -> str:
    memory = AgentMemory(path, agent="researcher")
    hr = Headroom(store=memory, model="gpt-4")
    messages = [
        {"role": "user", "content": "Why did the batch stall?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "trace", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "c1", "content": TRACE},
    ]
    result = hr.compress(messages, budget=600)
    handle = result.manifest.entries[0].handle
    memory.remember(f"Batch stall: worker-3 deadlocked on the ledger table; full trace in {handle}")
    memory.close()
    return result.messages[2]["content"]


def reviewer(path: str) -> None:
    memory = AgentMemory(path, agent="reviewer")
    (note,) = memory.search("batch stall", kind=NOTE, limit=1)  # the researcher's note, not the trace itself
    print(f"reviewer found a note by {', '.join(note.agents)}: {note.preview!r}")
    handle = HANDLE_RE.search(memory.recall(note.handle))[0]
    hr = Headroom(store=memory, model="gpt-4")
    lines = run_retrieval_tool({"handle": handle, "query": "FAILED"}, hr)
    print("reviewer redeemed the researcher's marker:", lines.strip())
    assert "deadlock on table 'ledger'" in lines
    print("provenance:", [(p.agent, p.kind) for p in memory.provenance(handle)])
    memory.close()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--reviewer":
        reviewer(sys.argv[2])
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "memory.db")
            compressed = researcher(path)
            print(f"researcher sent {len(compressed):,} characters instead of {len(TRACE):,}")
            subprocess.run([sys.executable, __file__, "--reviewer", path], check=True)
            print("two processes shared one memory.")
