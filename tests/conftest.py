"""Shared fixtures: the network is unreachable for every test, and the shared default resets.

Under ``CI`` hypothesis draws the same examples on every run (``derandomize``): a submission lands
or not on its own code, not on which examples a run happened to draw. A run elsewhere draws new
ones each time, so it keeps looking for the next counterexample; one it finds is replayed from
the local database and written into a test on real output.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

import headroom

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


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
