"""Cross-agent memory: originals and notes several agents share, on SQLite (one machine) or PostgreSQL (many).

``AgentMemory`` keeps everything in one SQLite file; ``PostgresMemory`` (the
``headroom[postgres]`` extra, imported lazily) keeps the same API on a
PostgreSQL server that agents on several machines reach. ``copy_memory``
moves every original and provenance record from one to the other.
"""

from headroom.memory.common import (
    ALL_NAMESPACES,
    COMPRESSED,
    DEFAULT_NAMESPACE,
    NOTE,
    MemoryHit,
    MemoryRecord,
    Provenance,
)
from headroom.memory.postgres import PostgresMemory  # psycopg itself is imported only when one is opened
from headroom.memory.sqlite import AgentMemory, fts5_available
from headroom.memory.transfer import copy_memory

__all__ = [
    "ALL_NAMESPACES",
    "COMPRESSED",
    "DEFAULT_NAMESPACE",
    "NOTE",
    "AgentMemory",
    "MemoryHit",
    "MemoryRecord",
    "PostgresMemory",
    "Provenance",
    "copy_memory",
    "fts5_available",
]
