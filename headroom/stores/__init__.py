"""Where originals live: the protocol and the stores that keep it."""

from headroom.stores.base import Store
from headroom.stores.memory import MemoryStore
from headroom.stores.postgres import PostgresStore
from headroom.stores.sqlite import SQLiteStore

__all__ = ["MemoryStore", "PostgresStore", "SQLiteStore", "Store"]
