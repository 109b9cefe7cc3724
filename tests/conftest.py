"""Shared fixtures: the network is unreachable for every test, and the shared default resets."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

import headroom


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("network use in a test: headroom must work offline")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(autouse=True)
def fresh_default() -> Iterator[None]:
    headroom.set_default(None)
    yield
    headroom.set_default(None)


from tests.postgres_server import postgres_database, postgres_server  # noqa: E402, F401  (shared PostgreSQL fixtures)
