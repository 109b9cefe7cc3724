"""Typed, frozen settings, and the one place that reads them from a file.

``Config`` is passed explicitly; nothing reads the environment or a file at
import. ``Config.from_pyproject(path)`` reads the ``[tool.headroom]`` table;
with no path it looks for the nearest ``pyproject.toml`` from the current
folder upwards (the way pytest and ruff find theirs), and gives the defaults
when there is none. A name headroom does not know (a setting, a protectable
part, a compressor) is an error naming the nearest valid one: a misspelled
setting silently ignored is a budget silently not applied.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from headroom.errors import ConfigError

__all__ = ["DEFAULT_LEVELS", "PROTECTABLE", "Config", "find_pyproject"]

Protectable = Literal["system", "latest_user", "user_text", "assistant_text", "tool_args", "tool_output"]
PROTECTABLE: frozenset[str] = frozenset(Protectable.__args__)  # type: ignore[attr-defined]


DEFAULT_LEVELS: tuple[float, ...] = tuple(round(0.7**k, 4) for k in range(1, 21))
"""The lossy ladder: fractions of a piece's tokens, x0.7 a step (see ``Config.levels``)."""


class Config(BaseModel):
    """How ``compress`` behaves. Every field has a safe default.

    - ``protect``: what is never touched. By default the system prompt, the
      latest user turn, assistant text and tool-call arguments; older user
      turns and tool outputs are compressible. Drop a name to opt in.
    - ``levels``: a ladder of fractions of a piece's tokens, for a compressor
      that climbs one of its own over parts of a piece (the mixed splitter);
      the core asks each piece for a token target instead (docs/budget.md).
    - ``slack``: the share of the budget a compaction of history frees: history
      is compacted to at most ``1 - slack`` of the budget, so several more turns
      append before the next one (docs/budget.md).
    - ``turn_floor``: the share of the budget the newest turn is always left
      (or its whole size if smaller); history is compacted when it is not.
    - ``history_share``: the share of the budget a turn is reshaped to when it
      joins history and cannot keep its bytes (docs/budget.md).
    - ``min_tokens``: pieces smaller than this are left alone unless the
      budget forces them.
    - ``auto_query``: take the latest user turn before a piece as its query.
    - ``allow_network`` / ``network_timeout``: whether a missing tokenizer may
      be downloaded, and for how long at most.
    - ``compressors``: options per content type, e.g. ``{"text": {"max_tokens": 2000}}``.
    - ``model``: the model whose tokenizer counts, when the caller names none.
    - ``budget``: the budget of a call that passes none (None: no budget).
    - ``redact_secrets``: replace API keys, tokens, private keys and passwords in
      tool output by a typed mark (``headroom.secrets``); on by default.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    protect: frozenset[Protectable] = frozenset({"system", "latest_user", "assistant_text", "tool_args"})
    levels: tuple[float, ...] = DEFAULT_LEVELS
    slack: float = Field(default=0.7, gt=0.0, le=1.0)
    turn_floor: float = Field(default=0.2, ge=0.0, le=1.0)
    history_share: float = Field(default=0.03, ge=0.0, le=1.0)
    min_tokens: int = Field(default=48, ge=0)
    auto_query: bool = True
    allow_network: bool = False
    network_timeout: float = Field(default=10.0, gt=0.0, le=120.0)
    compressors: dict[str, dict[str, Any]] = Field(default_factory=dict)
    model: str | None = None
    budget: int | None = Field(default=None, ge=1)
    redact_secrets: bool = True

    def __init__(self, **data: Any) -> None:
        # pydantic's ValidationError is not a HeadroomError; callers catch one root
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise ConfigError(f"invalid Config: {_explain(error)}") from None

    @field_validator("levels")
    @classmethod
    def _levels_descend(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0.0 < v < 1.0 for v in value) or list(value) != sorted(value, reverse=True):
            raise ValueError("levels are fractions in (0, 1), strictly descending, e.g. (0.5, 0.25, 0.1)")
        if len(set(value)) != len(value):
            raise ValueError("levels must not repeat")
        return value

    @classmethod
    def from_pyproject(cls, path: str | Path | None = None) -> Config:
        """Settings from the ``[tool.headroom]`` table of ``path`` (defaults if absent).

        With no ``path``, the nearest ``pyproject.toml`` from the current folder
        upwards is read; with none found, the defaults.
        """
        if path is None:
            path = find_pyproject()
            if path is None:
                return cls()
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - exercised on 3.10 only
            import tomli as tomllib
        try:
            with open(path, "rb") as handle:
                table = tomllib.load(handle).get("tool", {}).get("headroom", {})
        except FileNotFoundError:
            raise ConfigError(f"{path} does not exist; pass the path of your pyproject.toml") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path} is not valid TOML: {error}") from None
        _check_names(table, path)
        try:
            return cls.model_validate(table)
        except ValidationError as error:
            raise ConfigError(f"[tool.headroom] in {path} is invalid: {error}") from None


def find_pyproject(start: str | Path | None = None) -> Path | None:
    """The nearest ``pyproject.toml`` in ``start`` (the current folder) or a folder above it."""
    folder = Path(start if start is not None else Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate / "pyproject.toml"
    return None


def _check_names(table: object, path: str | Path) -> None:
    """Refuse unknown names in the table, naming the nearest valid one."""
    if not isinstance(table, dict):
        raise ConfigError(f"[tool.headroom] in {path} must be a table, got {type(table).__name__}")
    _known("setting", table, Config.model_fields, path)
    protect = table.get("protect")
    if isinstance(protect, list):
        _known("protect entry", [p for p in protect if isinstance(p, str)], PROTECTABLE, path)
    compressors = table.get("compressors")
    if isinstance(compressors, dict):
        from headroom.registry import default_registry

        _known("compressor", compressors, default_registry().content_types, path)


def _known(what: str, names: Any, valid: Any, path: str | Path) -> None:
    valid = sorted(valid)
    for name in names:
        if name not in valid:
            near = difflib.get_close_matches(name, valid, n=1)
            hint = f"did you mean {near[0]!r}?" if near else f"valid: {', '.join(valid)}"
            raise ConfigError(f"[tool.headroom] in {path}: unknown {what} {name!r}; {hint}")


def _explain(error: ValidationError) -> str:
    """Each wrong field, what was wrong and what was passed, on one line."""
    parts = []
    for item in error.errors():
        where = ".".join(str(step) for step in item["loc"]) or "Config"
        parts.append(f"{where}: {item['msg']} (got {item.get('input')!r:.60})")
    return "; ".join(parts) + ". See help(headroom.Config) for each field's type and default."
