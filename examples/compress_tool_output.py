"""Compress a real tool output (grep over the Python standard library) under a budget.

Runs offline with no keys: python examples/compress_tool_output.py
"""

from pathlib import Path

from headroom import compress, find_markers, retrieve

grep_output = (Path(__file__).parent / "data" / "grep_argparse.txt").read_text()

messages = [
    {"role": "system", "content": "You are a coding agent. Answer from the tool output."},
    {"role": "user", "content": "Which stdlib modules define command-line options with add_argument?"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "run_shell", "arguments": '{"cmd": "grep -rn add_argument ."}'},
            }
        ],
    },
    {"role": "tool", "tool_call_id": "call_1", "content": grep_output},
]

result = compress(messages, budget=1_500)

print(
    f"tokens: {result.tokens_before} -> {result.tokens_after} "
    f"(budget 1500, within budget: {result.within_budget}, counted with {result.encoding})"
)
for degradation in result.degradations:
    print(f"  note ({degradation.kind}): {degradation.detail}")
for entry in result.manifest.entries:
    print(
        f"  {entry.handle}: {entry.content_type} via {entry.compressor}, "
        f"{entry.tokens_before} -> {entry.tokens_after} tokens, omitted {entry.omitted}"
    )
compressed = result.messages[-1]["content"]
print("\n--- what the model sees (first 12 lines) ---")
print("\n".join(compressed.splitlines()[:12]))
for marker in find_markers(compressed, result.manifest.handles):
    print(f"\n--- marker {marker.handle} stands for {marker.count} {marker.unit} ({marker.detail}) ---")
    if marker.unit == "lines" and marker.span:
        first, last = marker.span
        print(retrieve(marker.handle, lines=(first, min(last, first + 2))), end="")
assert retrieve(result.manifest.entries[0].handle) == grep_output
print("\nretrieve(handle) returned the exact original.")
