"""A throwaway local PostgreSQL server, for tests and benchmarks of ``PostgresStore``.

``initdb`` into a temporary folder, ``pg_ctl start`` listening on a Unix
socket in that folder only (``listen_addresses=''``: no TCP port is ever
opened), ``pg_ctl stop`` and the folder removed on exit. PostgreSQL refuses to
run as root, so under root (a CI container) the server runs as the
``postgres`` system user, which Debian's package creates. Durability
settings are relaxed (``fsync=off``) because the data dies with the folder;
``durable=True`` keeps fsync on, with ``synchronous_commit=off`` (crash-safe,
may lose the last commits on power loss: what SQLite's WAL with
``synchronous=NORMAL`` gives), for a benchmark that should pay what a real
server pays.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from types import TracebackType

from headroom.errors import StoreError

__all__ = ["LocalPostgres", "find_server"]

_HOW = (
    "install PostgreSQL's server (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql) "
    "or put its bin folder (initdb, pg_ctl) on PATH"
)


def find_server() -> str | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (PATH first, then Debian's versioned folders), or None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl", path=os.path.dirname(found)):
        return os.path.dirname(found)
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(os.path.join(folder, "initdb"), os.X_OK):
            return folder
    return None


class LocalPostgres:
    """``with LocalPostgres() as server: PostgresStore(server.create_database())``."""

    def __init__(self, *, durable: bool = False) -> None:
        folder = find_server()
        if folder is None:
            raise StoreError(f"no PostgreSQL server binaries found: {_HOW}")
        self._bin = folder
        self._durable = durable
        self._root = tempfile.mkdtemp(prefix="headroom-pg-")
        self._data = os.path.join(self._root, "data")
        self._socket = os.path.join(self._root, "socket")
        self._as: list[str] = []
        self._started = False

    def __enter__(self) -> LocalPostgres:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        os.makedirs(self._socket)
        if os.geteuid() == 0:  # initdb and postgres refuse root; run them as the postgres system user
            runuser = shutil.which("runuser")
            if runuser is None:
                raise StoreError("running as root needs runuser (util-linux) to start PostgreSQL as 'postgres'")
            shutil.chown(self._root, "postgres")
            shutil.chown(self._socket, "postgres")
            self._as = [runuser, "-u", "postgres", "--"]
        self._run("initdb", "-D", self._data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale")
        options = f"-c listen_addresses='' -c unix_socket_directories='{self._socket}' -c max_connections=200"
        options += " -c synchronous_commit=off"
        if not self._durable:
            options += " -c fsync=off -c full_page_writes=off"
        log = os.path.join(self._root, "server.log")
        self._run("pg_ctl", "-D", self._data, "-l", log, "-o", options, "-w", "-t", "60", "start")
        self._started = True

    def _run(self, program: str, *args: str) -> None:
        command = [*self._as, os.path.join(self._bin, program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise StoreError(f"{program} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")

    def conninfo(self, dbname: str = "postgres") -> str:
        return f"host={self._socket} dbname={dbname} user=postgres"

    def create_database(self) -> str:
        """A fresh, empty database; returns its conninfo."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:16]
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.conninfo(name)

    def create_schema(self) -> str:
        """A fresh, empty schema in the server's default database, as the conninfo of a store confined to it.

        Much cheaper than a database (no template copy): what a test suite wants per test.
        """
        import psycopg

        name = "t_" + uuid.uuid4().hex[:16]
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {name}")
        return f"{self.conninfo()} options='-c search_path={name}'"

    def drop(self, conninfo: str) -> None:
        """Drop what ``create_database`` or ``create_schema`` made for ``conninfo``."""
        import psycopg

        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            if "search_path=" in conninfo:
                name = conninfo.rsplit("search_path=", 1)[1].rstrip("'")
                conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            else:
                name = conninfo.rsplit("dbname=", 1)[1].split()[0]
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        if self._started:
            self._started = False
            self._run("pg_ctl", "-D", self._data, "-m", "fast", "-w", "stop")
        shutil.rmtree(self._root, ignore_errors=True)
