"""Whether a piece is JSON: the whole of it parses, or every line does (NDJSON)."""

from __future__ import annotations

from headroom.compressors.json._depth import TooDeep, loads
from headroom.plugins import SAMPLE_LINES, Detector

__all__ = ["DETECTORS", "is_json", "is_ndjson"]


def is_json(text: str) -> bool:
    stripped = text.strip()
    if not stripped or stripped[0] not in "[{":
        return False
    try:
        loads(stripped)
    except TooDeep:
        return True  # too deep to parse: the JSON compressor compresses it as text and records why
    except ValueError:
        return False
    return True


def is_ndjson(text: str) -> bool:
    lines = [line for line in text.strip().split("\n")[:SAMPLE_LINES] if line.strip()]
    if len(lines) < 2:
        return False
    return all(line.lstrip()[:1] in "[{" and is_json(line) for line in lines)


DETECTORS = (Detector("json", "json", is_json), Detector("ndjson", "json", is_ndjson))
