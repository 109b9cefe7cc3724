"""Every error headroom raises, under one root.

    HeadroomError
    ├── InvalidInput (ValueError)   the caller's messages or arguments are malformed
    │   ├── InvalidMessages         a message list that no provider would accept
    │   └── InvalidHandle           the string is not a headroom handle at all
    ├── BudgetExceeded              strict=True and the protected parts do not fit
    ├── RegistryError               a compressor or detector registered twice, or unknown
    ├── MissingExtra (ImportError)  an optional feature whose extra is not installed
    ├── ConfigError (ValueError)    a [tool.headroom] table or Config value is wrong
    └── StoreError                  a store could not keep or give back an original
        ├── StoreFull                  an original does not fit beside the originals in use
        ├── HandleNotFound (KeyError)  no original for that handle (never stored, or evicted)
        │   ├── HandleExpired          the original outlived the store's TTL
        │   └── HandleForgotten        an agent memory's forget() removed the original
        └── IntegrityError             a stored original no longer matches its handle

Each message says what is wrong and what to do next.
"""

from __future__ import annotations

import time

__all__ = [
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
]


class HeadroomError(Exception):
    """Root of every error headroom raises."""


class InvalidInput(HeadroomError, ValueError):
    """An argument is malformed."""


class InvalidMessages(InvalidInput):
    """A message list is malformed; ``index`` names the message at fault."""

    def __init__(self, index: int | None, problem: str, fix: str) -> None:
        self.index = index
        self.problem = problem
        where = "messages" if index is None else f"messages[{index}]"
        super().__init__(f"{where}: {problem}. {fix}")


class BudgetExceeded(HeadroomError):
    """``strict=True`` and the result cannot fit the budget."""

    def __init__(self, budget: int, tokens: int, reason: str) -> None:
        self.budget = budget
        self.tokens = tokens
        super().__init__(
            f"cannot fit {budget} tokens: the smallest result is {tokens} tokens ({reason}). "
            "Raise the budget, or let headroom compress protected parts via Config(protect=...)."
        )


class RegistryError(HeadroomError):
    """A name was registered twice, or is not registered."""


class MissingExtra(HeadroomError, ImportError):
    """An optional feature was used without its extra installed."""

    def __init__(self, feature: str, extra: str) -> None:
        super().__init__(f"{feature} needs the optional extra: pip install 'headroom[{extra}]'")


class ConfigError(HeadroomError, ValueError):
    """A configuration value is wrong."""


class StoreError(HeadroomError):
    """A store could not keep or give back an original."""


class StoreFull(StoreError):
    """An original is larger than the room the store can free without evicting originals still in use.

    ``compress`` catches it and leaves that piece as it was (recorded as a
    degradation), unless ``strict=True``.
    """


class HandleNotFound(StoreError, KeyError):
    """No original is stored under the handle."""

    def __init__(self, handle: str) -> None:
        self.handle = handle
        super().__init__(
            f"no original stored for {handle}: it was never stored here or was evicted. "
            "Pass the store that compress() used (store=...), or give it a larger size limit."
        )

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class HandleExpired(HandleNotFound):
    """The original outlived the store's TTL and was removed."""

    def __init__(self, handle: str) -> None:
        StoreError.__init__(
            self,
            f"the original for {handle} expired (the store's ttl passed). "
            "Compress the source again, or give the store a longer ttl.",
        )
        self.handle = handle


class HandleForgotten(HandleNotFound):
    """An agent memory's ``forget`` removed the original on purpose."""

    def __init__(self, handle: str, when: float) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(when))
        StoreError.__init__(
            self,
            f"the original for {handle} was forgotten (forget() removed it at {stamp}); it is not coming back. "
            "Keep the text again (remember or compress it) if it is needed.",
        )
        self.handle = handle
        self.forgotten_at = when


class InvalidHandle(InvalidInput):
    """The string is not a headroom handle."""


class IntegrityError(StoreError):
    """A stored original does not hash to its handle."""
