"""An OpenAI Chat Completions agent loop with headroom and its retrieval tool.

The real `openai` client is used; only its transport is a stub, so the request
the SDK builds is real and nothing leaves the machine (no key, no network). The
stub "model" calls a tool, reads the marker in the compressed output, redeems
it with the retrieval tool, and answers from the original lines.

    python examples/openai_agent_loop.py
"""

from __future__ import annotations

import json
import re

import httpx2  # the HTTP library the openai SDK is built on
import openai

from headroom import MARKER_RE, Headroom
from headroom.tools import RETRIEVAL_TOOL_NAME, retrieval_tool, run_retrieval_tool

LOG = "".join(f"tests/test_cart.py::test_{i} PASSED\n" for i in range(1500))
LOG += "tests/test_cart.py::test_totals FAILED - KeyError: 'sku'\n"
BUDGET = 1_200


def stub_model(request: httpx2.Request) -> httpx2.Response:
    """Plays the model: sees the request exactly as the SDK sent it."""
    body = json.loads(request.content)
    last = body["messages"][-1]
    if last["role"] == "user":
        call = {"id": "call_1", "type": "function", "function": {"name": "run_tests", "arguments": "{}"}}
        reply = {"role": "assistant", "content": None, "tool_calls": [call]}
    elif last["tool_call_id"] == "call_1":
        marker = MARKER_RE.search(last["content"])  # the model was sent the compressed output
        assert marker is not None
        arguments = json.dumps({"handle": marker["handle"], "query": "FAILED"})
        call = {"id": "call_2", "type": "function", "function": {"name": RETRIEVAL_TOOL_NAME, "arguments": arguments}}
        reply = {"role": "assistant", "content": None, "tool_calls": [call]}
    else:
        reply = {"role": "assistant", "content": f"This test failed: {last['content'].strip()}"}
    completion = {"id": "c", "object": "chat.completion", "created": 0, "model": body["model"]}
    completion["choices"] = [{"index": 0, "finish_reason": "stop", "message": reply}]
    return httpx2.Response(200, json=completion)


def run_tests() -> str:
    return LOG


client = openai.OpenAI(
    api_key="stub",
    base_url="http://stub.invalid/v1",
    http_client=httpx2.Client(transport=httpx2.MockTransport(stub_model)),
)
hr = Headroom(model="gpt-4o")
tools = [
    {"type": "function", "function": {"name": "run_tests", "description": "Run the test suite.", "parameters": {}}},
    retrieval_tool("openai"),
]
messages: list = [{"role": "user", "content": "Which test failed, and why?"}]

for turn in range(5):
    # compress before every call: the budget covers the tool definitions too; the history keeps the originals
    result = hr.compress(messages, budget=BUDGET, tools=tools)
    print(f"turn {turn}: {result.tokens_before:,} -> {result.tokens_after:,} tokens")
    completion = client.chat.completions.create(model="gpt-4o", messages=result.messages, tools=tools)
    reply = completion.choices[0].message
    messages.append(reply)  # the SDK object itself; headroom reads it and gives it back
    if not reply.tool_calls:
        break
    for call in reply.tool_calls:
        if call.function.name == RETRIEVAL_TOOL_NAME:
            output = run_retrieval_tool(call.function.arguments, hr)  # never raises for the model's mistakes
        else:
            output = run_tests()
        messages.append({"role": "tool", "tool_call_id": call.id, "content": output})

answer = messages[-1].content
print("answer:", answer)
assert re.search(r"test_totals FAILED - KeyError: 'sku'", answer)
assert messages[2]["content"] == LOG  # the history keeps the original; only what is sent is compressed
print("the model redeemed the marker and answered from the original line.")
