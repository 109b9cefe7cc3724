"""Whether a piece is a configuration file, read by its structure: the text family's detector.

A configuration file named without a suffix (``sshd_config``, ``/etc/login.defs``, ``wgetrc``,
``postgresql.conf.sample``) has no extension to hint it, and its comment blocks are sentences: the
prose detector took it whole (``login.defs``: 12 KB of settings documented in comments), and the
prose cut, which reads paragraphs, has no key path. Placed just before prose in the routing table,
this detector sends such a piece to the generic compressor, whose ranking reads key paths
(``_keys.py``). Code, logs, tables and the rest are judged before it and keep their routes.
"""

from __future__ import annotations

from headroom.compressors.text._keys import config_shaped
from headroom.plugins import Detector, sample_lines

__all__ = ["DETECTORS", "is_config"]


def is_config(text: str) -> bool:
    """Settings, sections and comments make up the sampled lines (``_keys.config_shaped``)."""
    return config_shaped([line for window in sample_lines(text) for line in window])


DETECTORS = (Detector("config", "text", is_config),)
