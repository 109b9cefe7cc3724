"""Config found from pyproject.toml with no path; model and budget keys; unknown names refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from headroom import Config, ConfigError, Headroom
from headroom.config import find_pyproject


def test_found_from_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.headroom]\nmodel = "gpt-4"\nbudget = 1200\n')
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "src" / "pkg")
    assert find_pyproject() == (tmp_path / "pyproject.toml").resolve()
    config = Config.from_pyproject()
    assert config.model == "gpt-4" and config.budget == 1200
    hr = Headroom(config=config)
    assert hr.model == "gpt-4"
    result = hr.compress([{"role": "user", "content": "hi"}])
    assert result.manifest.budget == 1200


def test_defaults_when_there_is_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    if find_pyproject() is None:  # a pyproject.toml above the temp folder would be found, rightly
        assert Config.from_pyproject() == Config()


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ("budgte = 100", "unknown setting 'budgte'; did you mean 'budget'?"),
        ('protect = ["sytem"]', "unknown protect entry 'sytem'; did you mean 'system'?"),
        ("[tool.headroom.compressors.jsn]\nmax_tokens = 5", "unknown compressor 'jsn'; did you mean 'json'?"),
        ("budget = 0", "greater than or equal to 1"),
    ],
)
def test_unknown_names_are_refused_with_the_nearest(tmp_path: Path, table: str, words: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.headroom]\n" + table + "\n")
    with pytest.raises(ConfigError, match=words.replace("?", r"\?").replace("[", r"\[")):
        Config.from_pyproject(path)
