"""Where originals live: the protocol and the two stores that keep it."""

from headroom.stores.base import Store
from headroom.stores.memory import MemoryStore
from headroom.stores.sqlite import SQLiteStore

__all__ = ["MemoryStore", "SQLiteStore", "Store"]
