"""Whether a piece is a table: its first 200 lines parse as CSV, TSV or a markdown table."""

from __future__ import annotations

from headroom.compressors.table._parse import parse_table
from headroom.plugins import Detector, split_lines

__all__ = ["DETECTORS", "looks_like_table"]


def looks_like_table(text: str) -> bool:
    """Whether the first 200 lines of ``text`` parse as a table (the router's cheap check)."""
    head = "".join(split_lines(text)[:200])
    return parse_table(head) is not None


DETECTORS = (Detector("table", "table", looks_like_table),)
