"""Checked by mypy --strict in tests/test_typing.py: the retrieval tool goes into both SDKs' tools= as is."""

from __future__ import annotations

import anthropic
import openai

from headroom.tools import retrieval_tool


def send(anthropic_client: anthropic.Anthropic, openai_client: openai.OpenAI) -> None:
    anthropic_client.messages.create(
        model="claude-sonnet-4-5", max_tokens=1024, messages=[], tools=[retrieval_tool("anthropic")]
    )
    openai_client.chat.completions.create(model="gpt-4o", messages=[], tools=[retrieval_tool("openai")])
    openai_client.chat.completions.create(model="gpt-4o", messages=[], tools=[retrieval_tool()])
    openai_client.responses.create(model="gpt-4o", input="hi", tools=[retrieval_tool("openai-responses")])
