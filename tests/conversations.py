"""Small conversations in each provider's format, shared by the tests."""

from __future__ import annotations

from typing import Any


def openai_conversation(tool_output: str, question: str = "What failed?") -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": "You are a coding agent."},
        {"role": "user", "content": question},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "sh", "arguments": '{"cmd": "make"}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": tool_output},
    ]


def anthropic_conversation(tool_output: str, question: str = "What failed?") -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": [{"type": "text", "text": question}]},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Running the build."},
                {"type": "tool_use", "id": "toolu_1", "name": "sh", "input": {"cmd": "make"}},
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": tool_output}],
        },
    ]
