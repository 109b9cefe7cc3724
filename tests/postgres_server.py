"""One real PostgreSQL server per test session (started on first use), a fresh database per test."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest

from headroom.stores.pg_local import LocalPostgres, find_server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[LocalPostgres]:
    if importlib.util.find_spec("psycopg") is None or importlib.util.find_spec("psycopg_pool") is None:
        pytest.skip("psycopg is not installed: pip install -e '.[postgres]' (or '.[dev]') to test PostgresStore")
    if find_server() is None:
        pytest.skip(
            "no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql (Debian/Ubuntu), "
            "brew install postgresql (macOS), or put them on PATH; .ci/run installs them"
        )
    with LocalPostgres() as server:
        yield server


@pytest.fixture
def postgres_database(postgres_server: LocalPostgres) -> Iterator[str]:
    """The conninfo of an empty schema of its own (cheaper than a database), dropped after the test."""
    conninfo = postgres_server.create_schema()
    yield conninfo
    postgres_server.drop(conninfo)
