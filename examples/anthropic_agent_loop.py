"""An Anthropic Messages agent loop with headroom and its retrieval tool.

The real `anthropic` client is used with a stub transport (no key, no
network). `response.content` blocks go back into the history as they come;
the separate `system=` prompt and the tool definitions count against the
budget. The stub model redeems a marker by a line range and answers.

    python examples/anthropic_agent_loop.py
"""

from __future__ import annotations

import json

import anthropic
import httpx2  # the HTTP library the anthropic SDK is built on

from headroom import MARKER_RE, Headroom, find_markers
from headroom.tools import RETRIEVAL_TOOL_NAME, retrieval_tool, retrieval_tool_result

LOG = "".join(f"GET /api/items/{i} 200 3ms\n" for i in range(1500)) + "GET /api/cart 500 upstream timeout\n"
SYSTEM = "You are an on-call engineer. Answer from the logs."
BUDGET = 1_500


def stub_model(request: httpx2.Request) -> httpx2.Response:
    """Plays the model: calls the logs tool, then the retrieval tool on the marker's lines, then answers."""
    body = json.loads(request.content)
    last = body["messages"][-1]["content"]
    if isinstance(last, str):
        content = [{"type": "tool_use", "id": "toolu_1", "name": "read_logs", "input": {}}]
    elif last[0]["tool_use_id"] == "toolu_1":
        text = last[0]["content"]
        marker = next(m for m in find_markers(text, {MARKER_RE.search(text)["handle"]}) if m.span)
        arguments = {"handle": marker.handle, "lines": list(marker.span)}
        content = [
            {"type": "text", "text": "Let me see the omitted lines."},
            {"type": "tool_use", "id": "toolu_2", "name": RETRIEVAL_TOOL_NAME, "input": arguments},
        ]
    else:
        seen = "\n".join(
            m["content"][0]["content"]
            for m in body["messages"]
            if isinstance(m["content"], list) and m["content"][0].get("type") == "tool_result"
        )
        failing = [line for line in seen.splitlines() if " 500 " in line]
        content = [{"type": "text", "text": f"The omitted lines are all 200s. The failing request: {failing[0]}"}]
    stop = "tool_use" if content[-1]["type"] == "tool_use" else "end_turn"
    message = {"id": "msg", "type": "message", "role": "assistant", "model": body["model"], "content": content}
    message.update(stop_reason=stop, stop_sequence=None, usage={"input_tokens": 1, "output_tokens": 1})
    return httpx2.Response(200, json=message)


client = anthropic.Anthropic(
    api_key="stub",
    base_url="http://stub.invalid",
    http_client=httpx2.Client(transport=httpx2.MockTransport(stub_model)),
)
hr = Headroom(model="claude-sonnet-4-5")
tools = [
    {"name": "read_logs", "description": "Read the server logs.", "input_schema": {"type": "object"}},
    retrieval_tool("anthropic"),
]
messages: list = [{"role": "user", "content": "Why did the cart request fail?"}]

for turn in range(5):
    result = hr.compress(messages, budget=BUDGET, system=SYSTEM, tools=tools)
    assert result.within_budget
    print(f"turn {turn}: {result.tokens_before:,} -> {result.tokens_after:,} tokens (system and tools included)")
    response = client.messages.create(
        model="claude-sonnet-4-5", max_tokens=1024, system=SYSTEM, messages=result.messages, tools=tools
    )
    messages.append({"role": "assistant", "content": response.content})  # SDK blocks, as they come
    if response.stop_reason != "tool_use":
        break
    results = []
    for block in response.content:
        if block.type == "tool_use":
            if block.name == RETRIEVAL_TOOL_NAME:
                # cap the answer: 1,441 lines would not fit the next request (a larger answer comes back
                # compressed, with markers of its own, so the model can drill further)
                text, is_error = retrieval_tool_result(block.input, hr, max_tokens=400)
            else:
                text, is_error = LOG, False
            results.append({"type": "tool_result", "tool_use_id": block.id, "content": text, "is_error": is_error})
    messages.append({"role": "user", "content": results})

answer = messages[-1]["content"][0].text
print("answer:", answer)
assert "GET /api/cart 500 upstream timeout" in answer
print("the model redeemed the marker's lines, within budget at every turn.")
