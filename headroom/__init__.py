"""headroom: compress what an AI agent sends to an LLM, within a hard token budget, losing nothing.

The public names below are loaded on first use (PEP 562): ``import headroom``
reads this file and ``_lazy`` (the two module hooks, which import nothing), and
``headroom.compress`` imports the modules behind it the first time it is
touched. An agent that imports headroom but compresses late, or a CLI that
only prints its help, does not pay for pydantic, the stores or the memory at
import (docs/benchmarks.md, Speed). ``_EXPORTS`` is the table of every public
name and the module that holds it; the
``TYPE_CHECKING`` imports give type checkers and readers the same names.
"""

from __future__ import annotations

from headroom._lazy import module_hooks

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers read it as True)
if TYPE_CHECKING:
    from headroom.api import compress, compress_text, get_default, retrieve, set_default
    from headroom.client import Headroom
    from headroom.config import Config
    from headroom.errors import (
        BudgetExceeded,
        ConfigError,
        HandleExpired,
        HandleForgotten,
        HandleNotFound,
        HeadroomError,
        IntegrityError,
        InvalidHandle,
        InvalidInput,
        InvalidMessages,
        MissingExtra,
        RegistryError,
        StoreError,
        StoreFull,
    )
    from headroom.handles import HANDLE_RE, make_handle
    from headroom.manifest import CompressResult, Degradation, Manifest, ManifestEntry, TextResult
    from headroom.markers import MARKER_RE, Marker, find_markers, result_markers
    from headroom.memory import AgentMemory, MemoryHit, PostgresMemory, Provenance, copy_memory
    from headroom.plugins import Compressed, Compressor, Detector, PieceContext
    from headroom.registry import Registry, default_registry
    from headroom.stores import MemoryStore, PostgresStore, SQLiteStore, Store
    from headroom.tokens import TokenCounter
    from headroom.tools import (
        RETRIEVAL_TOOL_NAME,
        ToolResult,
        retrieval_tool,
        retrieval_tool_result,
        run_retrieval_tool,
    )

__version__ = "0.1.0"

_EXPORTS: dict[str, tuple[str, ...]] = {
    "headroom.api": ("compress", "compress_text", "get_default", "retrieve", "set_default"),
    "headroom.client": ("Headroom",),
    "headroom.config": ("Config",),
    "headroom.errors": (
        "BudgetExceeded",
        "ConfigError",
        "HandleExpired",
        "HandleForgotten",
        "HandleNotFound",
        "HeadroomError",
        "IntegrityError",
        "InvalidHandle",
        "InvalidInput",
        "InvalidMessages",
        "MissingExtra",
        "RegistryError",
        "StoreError",
        "StoreFull",
    ),
    "headroom.handles": ("HANDLE_RE", "make_handle"),
    "headroom.manifest": ("CompressResult", "Degradation", "Manifest", "ManifestEntry", "TextResult"),
    "headroom.markers": ("MARKER_RE", "Marker", "find_markers", "result_markers"),
    "headroom.memory": ("AgentMemory", "MemoryHit", "PostgresMemory", "Provenance", "copy_memory"),
    "headroom.plugins": ("Compressed", "Compressor", "Detector", "PieceContext"),
    "headroom.registry": ("Registry", "default_registry"),
    "headroom.stores": ("MemoryStore", "PostgresStore", "SQLiteStore", "Store"),
    "headroom.tokens": ("TokenCounter",),
    "headroom.tools": (
        "RETRIEVAL_TOOL_NAME",
        "ToolResult",
        "retrieval_tool",
        "retrieval_tool_result",
        "run_retrieval_tool",
    ),
}
"""Which module holds each public name, read the first time the name is asked for."""

_HOME: dict[str, str] = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = [
    "HANDLE_RE",
    "MARKER_RE",
    "RETRIEVAL_TOOL_NAME",
    "AgentMemory",
    "BudgetExceeded",
    "CompressResult",
    "Compressed",
    "Compressor",
    "Config",
    "ConfigError",
    "Degradation",
    "Detector",
    "HandleExpired",
    "HandleForgotten",
    "HandleNotFound",
    "Headroom",
    "HeadroomError",
    "IntegrityError",
    "InvalidHandle",
    "InvalidInput",
    "InvalidMessages",
    "Manifest",
    "ManifestEntry",
    "Marker",
    "MemoryHit",
    "MemoryStore",
    "MissingExtra",
    "PieceContext",
    "PostgresMemory",
    "PostgresStore",
    "Provenance",
    "Registry",
    "RegistryError",
    "SQLiteStore",
    "Store",
    "StoreError",
    "StoreFull",
    "TextResult",
    "TokenCounter",
    "ToolResult",
    "compress",
    "compress_text",
    "copy_memory",
    "default_registry",
    "find_markers",
    "get_default",
    "make_handle",
    "result_markers",
    "retrieval_tool",
    "retrieval_tool_result",
    "retrieve",
    "run_retrieval_tool",
    "set_default",
]


__getattr__, __dir__ = module_hooks(globals(), _HOME)
