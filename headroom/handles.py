"""Content-addressed handles.

A handle is ``hr1:`` followed by 15 decimal digits taken from the SHA-256 of the
original's UTF-8 bytes. ``1`` is the version of the hash and canonical form: a
future change gets a new version and old handles stay recognisable. Digits, not
hex, because cl100k and o200k tokenize three digits as one token: the handle
costs 8 tokens where 15 hex digits cost 11.
"""

from __future__ import annotations

import hashlib
import re

from headroom.errors import InvalidHandle

__all__ = ["HANDLE_RE", "HANDLE_VERSION", "digest", "is_handle", "make_handle", "parse_handle"]

HANDLE_VERSION = 1
_DIGITS = 15
HANDLE_RE = re.compile(rf"hr(?P<version>[1-9]\d*):(?P<digits>\d{{{_DIGITS}}})")


def digest(text: str) -> str:
    """Full SHA-256 hex digest of ``text`` (what stores keep to verify themselves)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def make_handle(text: str) -> str:
    """The handle of ``text``: same text, same handle."""
    raw = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    number = int.from_bytes(raw[:8], "big") % 10**_DIGITS
    return f"hr{HANDLE_VERSION}:{number:0{_DIGITS}d}"


def is_handle(value: object) -> bool:
    return isinstance(value, str) and HANDLE_RE.fullmatch(value) is not None


def parse_handle(value: object) -> str:
    """Return ``value`` if it is a handle this version can read, else raise InvalidHandle."""
    if not isinstance(value, str) or (m := HANDLE_RE.fullmatch(value.strip())) is None:
        raise InvalidHandle(
            f"{value!r} is not a headroom handle (expected 'hr1:' and {_DIGITS} digits, "
            "as printed at the start of a piece's first mark [hr1:... …N unit A-B])"
        )
    if int(m["version"]) != HANDLE_VERSION:
        raise InvalidHandle(
            f"{value!r} was made by handle version {m['version']}; this headroom reads "
            f"version {HANDLE_VERSION}. Use the headroom release that produced it."
        )
    return value.strip()
