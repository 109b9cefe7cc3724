"""Integrations with agent frameworks, each behind its own optional extra.

Nothing is imported here: ``import headroom`` must not pull in a framework.
Import the one you use: ``headroom.integrations.langchain`` (tools, the
retrieve tool, message lists; ``pip install "headroom[langchain]"``) or
``headroom.integrations.agents`` (LangChain 1.x middleware, LangGraph
pre-model hook; ``pip install "headroom[agents]"``). The provider-neutral
retrieval tool (OpenAI and Anthropic definitions) needs no extra:
``headroom.tools``; SDK objects and Responses API items need none either
(``headroom.shapes`` reads them by duck typing on pydantic).
"""
