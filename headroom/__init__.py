"""headroom: compress what an AI agent sends to an LLM, within a hard token budget, losing nothing."""

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
from headroom.tools import RETRIEVAL_TOOL_NAME, ToolResult, retrieval_tool, retrieval_tool_result, run_retrieval_tool

__version__ = "0.1.0"

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
