"""Config is typed and frozen; [tool.headroom] is read in one place."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from headroom import Config, ConfigError


def test_defaults_protect_what_the_contract_says() -> None:
    assert Config().protect == {"system", "latest_user", "assistant_text", "tool_args"}
    with pytest.raises(ValidationError):  # assigning to a frozen model: pydantic's own error
        Config().slack = 0.5  # type: ignore[misc]
    with pytest.raises(ConfigError):
        Config(unknown=1)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="descending"):
        Config(levels=(0.2, 0.5))


def test_from_pyproject(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.headroom]\nslack = 0.3\nprotect = ["system"]\n[tool.headroom.compressors.text]\nmax_tokens = 999\n'
    )
    config = Config.from_pyproject(path)
    assert config.slack == 0.3 and config.protect == {"system"}
    assert config.compressors == {"text": {"max_tokens": 999}}


def test_from_pyproject_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Config.from_pyproject(tmp_path / "missing.toml")
    bad = tmp_path / "pyproject.toml"
    bad.write_text("[tool.headroom]\nslack = 7\n")
    with pytest.raises(ConfigError, match=r"\[tool.headroom\]"):
        Config.from_pyproject(bad)
    (tmp_path / "broken.toml").write_text("[tool.headroom\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Config.from_pyproject(tmp_path / "broken.toml")


def test_compressor_options_are_validated() -> None:
    from headroom.compressors.text.compressor import GenericCompressor

    with pytest.raises(ConfigError, match="generic"):
        GenericCompressor({"max_tokens": 1})
