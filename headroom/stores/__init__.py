"""Where originals live: the protocol and the stores that keep it.

The stores load on first use (PEP 562), as ``headroom``'s own names do: a call
that keeps its originals in memory imports ``base`` and ``memory`` alone, not
``sqlite3`` or the PostgreSQL store (about 7 ms of the first call, idle).
"""

from __future__ import annotations

from headroom._lazy import module_hooks

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from headroom.stores.base import Store
    from headroom.stores.memory import MemoryStore
    from headroom.stores.postgres import PostgresStore
    from headroom.stores.sqlite import SQLiteStore

__all__ = ["MemoryStore", "PostgresStore", "SQLiteStore", "Store"]

_HOME = {
    "Store": "headroom.stores.base",
    "MemoryStore": "headroom.stores.memory",
    "PostgresStore": "headroom.stores.postgres",
    "SQLiteStore": "headroom.stores.sqlite",
}


__getattr__, __dir__ = module_hooks(globals(), _HOME)
