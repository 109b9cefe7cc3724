"""headroom's logger, ``logging.getLogger("headroom")``, and the once-per-process warning.

headroom never configures logging (that is the application's call); it only
emits. Warnings are for what a user should fix and would otherwise only find
in ``result.degradations`` (the requested encoding replaced by an estimate):
one per process and cause, since an agent calls ``compress`` on every turn.
Debug lines record routing and allocation decisions.
"""

from __future__ import annotations

import logging
import threading

__all__ = ["logger", "warn_once"]

logger = logging.getLogger("headroom")
_warned: set[str] = set()
_lock = threading.Lock()


def warn_once(message: str) -> None:
    """Log ``message`` as a warning the first time this process sees it."""
    with _lock:
        if message in _warned:
            return
        _warned.add(message)
    logger.warning(message)
