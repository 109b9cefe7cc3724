"""What the budget covers besides the messages: Anthropic's ``system=`` and the tool definitions.

A provider bills the whole request. Anthropic takes the system prompt beside
the messages (``system=``) and both providers bill the ``tools`` definitions
(the retrieval tool alone is about 290 tokens). ``compress(..., system=...,
tools=...)`` counts them first and gives the messages what is left; neither is
ever changed (a system prompt is protected, and a tool schema the model reads
must stay exact). Tool definitions are counted by their JSON: providers render
them into their own prompt format, so this is an estimate (docs/messages.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from headroom.errors import BudgetExceeded, InvalidInput
from headroom.manifest import CompressResult
from headroom.messages import MESSAGE_OVERHEAD
from headroom.shapes import Shaped, _plain, from_core, remap
from headroom.tokens import TokenCounter

__all__ = ["Extra", "count_system", "count_tools", "fit_extra"]


def count_system(system: Any, counter: TokenCounter) -> int:
    """Tokens of a separate system prompt: a string, or a list of Anthropic text blocks."""
    if system is None:
        return 0
    system = _plain(system)
    if isinstance(system, str):
        return MESSAGE_OVERHEAD + counter.count(system)
    if isinstance(system, list):
        total = MESSAGE_OVERHEAD
        for block in system:
            is_text = isinstance(block, Mapping) and isinstance(block.get("text"), str)
            total += counter.count(block["text"] if is_text else json.dumps(block, ensure_ascii=False, default=str))
        return total
    raise InvalidInput(f"system must be a string or a list of text blocks, got {type(system).__name__}")


def count_tools(tools: Sequence[Any] | None, counter: TokenCounter) -> int:
    """Tokens of tool definitions, counted on their JSON (an estimate of how providers render them)."""
    if tools is None:
        return 0
    if isinstance(tools, (str, bytes, Mapping)) or not isinstance(tools, Sequence):
        raise InvalidInput(f"tools must be a list of tool definitions, got {type(tools).__name__}")
    return sum(counter.count(json.dumps(_plain(tool), ensure_ascii=False, default=str)) for tool in tools)


@dataclass(frozen=True)
class Extra:
    """The request's tokens outside the messages, and the budget left for them."""

    tokens: int
    requested: int | None
    budget: int | None  # what the messages may use; None when there is no budget or nothing is left

    def account(self, shaped: Shaped, result: CompressResult) -> CompressResult:
        """The core's result in the caller's shapes, with the extra tokens counted in."""
        manifest = remap(shaped, result.manifest)
        if self.tokens:
            update: dict[str, Any] = {"budget": self.requested}
            if self.requested is not None and self.budget is None:
                update.update(within_budget=False, reason=self._alone())
            elif manifest.reason:
                update["reason"] = f"{manifest.reason}, besides {self.tokens} tokens of system prompt and tools"
            manifest = manifest.model_copy(update=update)
        return CompressResult(
            messages=from_core(shaped, result.messages),
            manifest=manifest,
            tokens_before=result.tokens_before + self.tokens,
            tokens_after=result.tokens_after + self.tokens,
        )

    def _alone(self) -> str:
        return f"the system prompt and tool definitions alone need {self.tokens} tokens"


def fit_extra(
    budget: int | None, system: Any, tools: Sequence[Any] | None, counter: TokenCounter, *, strict: bool = False
) -> Extra:
    """Count ``system`` and ``tools`` and say what is left of ``budget`` for the messages."""
    tokens = count_system(system, counter) + count_tools(tools, counter)
    if budget is None or not tokens or isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        return Extra(tokens, budget, budget)  # a bad budget is the core's to report
    left = budget - tokens
    if left < 1:
        extra = Extra(tokens, budget, None)
        if strict:
            raise BudgetExceeded(budget, tokens, extra._alone())
        return extra
    return Extra(tokens, budget, left)
