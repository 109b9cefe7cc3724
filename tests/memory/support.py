"""What the memory tests share: a fake clock, and an opener of memories on each backend under test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

from headroom.memory import AgentMemory, PostgresMemory

Memory = AgentMemory | PostgresMemory


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class Barrier(Protocol):
    def wait(self, timeout: float | None = None) -> int: ...


class Opener:
    """Opens memories on one shared location of the backend under test, and closes them all after."""

    def __init__(self, backend: str, location: str) -> None:
        self.backend = backend
        self.location = location
        self.opened: list[Memory] = []

    def __call__(self, **options: object) -> Memory:
        memory: Memory
        if self.backend == "postgres":
            memory = PostgresMemory(self.location, **options)  # type: ignore[arg-type]
        else:
            memory = AgentMemory(self.location, search_index=self.backend, **options)  # type: ignore[arg-type]
        self.opened.append(memory)
        return memory

    def close(self) -> None:
        for memory in self.opened:
            memory.close()


@pytest.fixture(params=["fts5", "table", "postgres"])
def open_memory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    if request.param == "postgres":
        location = request.getfixturevalue("postgres_database")
    else:
        location = str(tmp_path / "team.db")
    opener = Opener(request.param, location)
    yield opener
    opener.close()
