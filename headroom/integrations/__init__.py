"""Integrations with agent frameworks, each behind its own optional extra.

Nothing is imported here: ``import headroom`` must not pull in a framework.
Import the one you use, e.g. ``headroom.integrations.langchain``
(``pip install "headroom[langchain]"``). The provider-neutral retrieval tool
(OpenAI and Anthropic definitions) needs no extra: ``headroom.tools``.
"""
