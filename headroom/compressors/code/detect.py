"""Whether a piece is source code: enough of its first 200 lines look like code (see ``_lang.looks_like_code``).

``looks_like_code`` is also published as the named check ``code`` (see
``register``): the mixed detector asks it of the text around the blocks.
"""

from __future__ import annotations

from headroom.compressors.code._lang import looks_like_code
from headroom.plugins import Detector

__all__ = ["DETECTORS", "looks_like_code"]

DETECTORS = (Detector("code", "code", looks_like_code),)
