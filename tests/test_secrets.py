"""headroom.secrets: each format found, ordinary code and config left alone, marks typed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from headroom import secrets
from headroom.secrets import find_secrets, redact

FOUND = [
    ("export AWS_ACCESS_KEY_ID=AKIAQ3EGZZ6T5EXAMPL7", "aws access key"),
    ("GITHUB_TOKEN=ghp_aBcdEfGhIjKlMnOpQrStUvWxYz0123456789", "github token"),
    ("key sk-proj-Ab3dEf6hIjKlMnOpQrStUvWxYz0123456789ABCD", "openai key"),
    ("x-api-key: sk-ant-api03-" + "a1B2c3D4e5" * 9 + "xyzAA", "anthropic key"),
    ("SLACK=xoxb-123456789012-123456789012-abcdefghijklABCDEFGHIJKL", "slack token"),
    ("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----", "private key"),
    ("postgres://app:p@ss#w0rd@db.internal:5432/app", "url password"),
    ("DB_PASSWORD=hunter2hunter", "password"),
    ('"client_secret": "Zx81kLm0Qp27RtYv55Nw"', "secret"),
]

LEFT_ALONE = [
    "token = self.token",
    "api_key = os.environ['OPENAI_API_KEY']",
    "password: ${DB_PASSWORD}",
    "secret_key_base = <your-secret-here>",
    "max_tokens: 4096",
    "def get_password(self, user): return self.store[user]",
    "auth_key_mode = always-impersonate",
    "https://example.com/path?page=2",
    "sha256: 3b1f0c9e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c",
]


@pytest.mark.parametrize(("text", "kind"), FOUND)
def test_each_format_is_found_and_marked_by_kind(text: str, kind: str) -> None:
    (found,) = find_secrets(text)
    assert found.kind == kind
    out = redact(text)
    assert f"[secret: {kind}, {found.end - found.start} chars]" in out.text
    assert text[found.start : found.end] not in out.text


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_code_placeholders_and_settings_are_left_alone(text: str) -> None:
    assert find_secrets(text) == []


def test_long_lines_without_secrets_are_scanned_quickly_enough_to_finish() -> None:
    # not timed: a backtracking pattern would not finish at all on these
    for text in ("a" * 200_000, "password" * 20_000, "=" * 200_000, "token: " + "x" * 100_000, " " * 200_000):
        redact(text)


_FLAT_WORDS = re.compile(  # the secret words as first written, one alternative each
    r"(?P<word>password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|"
    r"auth[_-]?key|credentials?|client[_-]?secret)"
)
_CORPUS = sorted((Path(__file__).parent.parent / "benchmarks" / "corpus" / "fixtures").glob("*"))


@pytest.mark.parametrize("path", _CORPUS[::4], ids=lambda p: p.name)
def test_the_word_tree_and_the_hint_searches_find_what_the_flat_tests_found(path: Path) -> None:
    # speed with identical results: the words as a tree of shared letters, a format's hints in one search
    text = path.read_text().lower()
    assert [m.span() for m in secrets._WORDS.finditer(text)] == [m.span() for m in _FLAT_WORDS.finditer(text)]
    original = path.read_text()
    for kind, hints in secrets._HINTS.items():
        search = secrets._HINT_SEARCH.get(kind)
        found = original.__contains__(hints[0]) if search is None else search(original) is not None
        assert found == any(hint in original for hint in hints), kind


@given(
    st.lists(
        st.sampled_from(
            [
                "pass",
                "word",
                "wd",
                "phrase",
                "api",
                "_",
                "-",
                "key",
                "private",
                "auth",
                "access",
                "credential",
                "s",
                "client",
                "secret",
                "token",
                "p",
                "x",
                " ",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_the_word_tree_matches_the_flat_list_on_any_run_of_word_pieces(text: str) -> None:
    assert [m.span() for m in secrets._WORDS.finditer(text)] == [m.span() for m in _FLAT_WORDS.finditer(text)]
