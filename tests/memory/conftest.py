"""The memory tests' fixture: ``open_memory``, once per backend (SQLite FTS5, the fallback index, PostgreSQL)."""

from tests.memory.support import open_memory

__all__ = ["open_memory"]
