"""Real token counts, offline.

``counter``: ``TokenCounter.for_model(model)`` and the tiktoken counter, the
encodings (loaded on first use, never at import) and the rule of where the
tokenizer always cuts between lines. ``lines``: exact counts of a text's lines
and of texts joined from counted pieces, by arithmetic. ``remembering``: the
counter the core wraps around the caller's for one call, which counts each
line once. The module was one file of 587 lines; it is split along these seams.
"""

from headroom.tokens.counter import TiktokenCounter, TokenCounter, count_around_runs, encoding_for_model
from headroom.tokens.lines import LineCounts, count_joined, line_counts
from headroom.tokens.remembering import RememberingCounter

__all__ = [
    "LineCounts",
    "RememberingCounter",
    "TiktokenCounter",
    "TokenCounter",
    "count_around_runs",
    "count_joined",
    "encoding_for_model",
    "line_counts",
]
