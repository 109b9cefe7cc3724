"""The pytest plugin: prompt-budget tests with an isolated store, loaded by the ``pytest11`` entry point.

    def test_prompt_fits(headroom_client, assert_prompt_fits):
        assert_prompt_fits(build_messages(), 8_000)

    @pytest.mark.headroom_budget(8_000, model="gpt-4o")
    def test_agent_prompt(assert_prompt_fits):
        assert_prompt_fits(build_messages())

Fixtures:

- ``headroom_client``: a ``Headroom`` with a fresh in-process store, installed
  as the shared default for the test (so ``headroom.compress`` / ``retrieve``
  inside the code under test use it) and removed afterwards. Without it, every
  test in a session shares one default store, and one test's handles resolve
  in another.
- ``assert_prompt_fits``: ``assert_within_budget`` bound to that client; the
  budget and model come from the call or from the ``headroom_budget`` marker.

Nothing is imported from pytest at ``import headroom``: this module is only
loaded by pytest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from headroom.client import Headroom
from headroom.errors import InvalidInput
from headroom.manifest import CompressResult
from headroom.stores.memory import MemoryStore
from headroom.testing import assert_within_budget

__all__ = ["assert_prompt_fits", "headroom_client"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "headroom_budget(budget, model=None): the prompt budget assert_prompt_fits checks in this test",
    )


@pytest.fixture
def headroom_client(request: pytest.FixtureRequest) -> Iterator[Headroom]:
    """A ``Headroom`` with its own store, the shared default for the length of the test."""
    from headroom.api import get_default, set_default

    marker = request.node.get_closest_marker("headroom_budget")
    model = marker.kwargs.get("model") if marker is not None else None
    previous = get_default()
    client = Headroom(store=MemoryStore(), model=model)
    set_default(client)
    try:
        yield client
    finally:
        set_default(previous)


@pytest.fixture
def assert_prompt_fits(request: pytest.FixtureRequest, headroom_client: Headroom) -> Callable[..., CompressResult]:
    """``check(messages, budget=None, **options)``: fail unless ``messages`` fit, counting with the real encoding."""
    marker = request.node.get_closest_marker("headroom_budget")
    default_budget = marker.args[0] if marker is not None and marker.args else None

    def check(messages: Any, budget: int | None = None, **options: Any) -> CompressResult:
        __tracebackhide__ = True
        chosen = budget if budget is not None else default_budget
        if chosen is None:
            raise InvalidInput("pass a budget, or mark the test with @pytest.mark.headroom_budget(N)")
        return assert_within_budget(messages, chosen, headroom=headroom_client, **options)

    return check
