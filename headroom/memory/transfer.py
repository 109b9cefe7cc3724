"""Moving a memory between store kinds (SQLite file and PostgreSQL) without losing a handle or a record.

Handles are content-addressed, so the copy keeps every one; ``import_records``
re-hashes each text and refuses one that does not match its handle, so a
damaged source cannot plant a handle that resolves to other content. The
source is read as one snapshot; the target is written one original (with its
provenance) per transaction, and importing twice adds the counts of the
second copy's provenance records (``times``) rather than failing.

    python -m headroom.memory.transfer team.db postgresql://host/agents
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from headroom.memory.postgres import PostgresMemory
    from headroom.memory.sqlite import AgentMemory

__all__ = ["copy_memory", "open_memory"]


def copy_memory(source: AgentMemory | PostgresMemory, target: AgentMemory | PostgresMemory) -> int:
    """Copy every live original and provenance record of ``source`` into ``target``; returns how many originals."""
    return target.import_records(source.export())


def open_memory(location: str) -> AgentMemory | PostgresMemory:
    """A ``postgresql://`` or ``postgres://`` URL opens a ``PostgresMemory``; anything else is a SQLite path."""
    if location.startswith(("postgresql://", "postgres://")):
        from headroom.memory.postgres import PostgresMemory

        return PostgresMemory(location)
    from headroom.memory.sqlite import AgentMemory

    return AgentMemory(location)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m headroom.memory.transfer",
        description="Copy every original and provenance record from one agent memory to another.",
    )
    parser.add_argument("source", help="a SQLite file path or a postgresql:// URL")
    parser.add_argument("target", help="a SQLite file path or a postgresql:// URL")
    args = parser.parse_args(argv)
    with open_memory(args.source) as source, open_memory(args.target) as target:
        count = copy_memory(source, target)
        problems = target.verify()
    print(f"copied {count} originals with their provenance from {args.source} to {args.target}")
    if problems:
        print(f"verify found {len(problems)} damaged originals in the target: {problems[:5]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
