"""Query relevance shared by every compressor that selects: terms, stop words, BM25.

BM25 (Robertson and Zaragoza's Okapi form, k1 = 1.2, b = 0.75) over the
documents a compressor chooses among (rows, lines, matches, hunks, sentences),
with the real inverse document frequency of those documents, so a term that
appears everywhere counts for little. Identifiers are indexed whole and by
their parts: ``parse_args`` and ``parseArgs`` also match ``parse`` and ``args``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

__all__ = ["BM25", "STOP_WORDS", "terms"]

STOP_WORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing done down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    me more most my no nor not now of off on once only or other our out over own same she should
    so some such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your
    yours please show tell find give get see look want need know let lets use using used""".split()
)

_WORD = re.compile(r"[A-Za-z0-9_]+")
_CAMEL = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def terms(text: str) -> list[str]:
    """Lowercased search terms of ``text``: words and identifier parts, stop words removed."""
    out: list[str] = []
    for word in _WORD.findall(text):
        lowered = word.lower()
        parts = [p.lower() for chunk in word.split("_") for p in _CAMEL.findall(chunk)]
        for term in dict.fromkeys([lowered, *parts]):
            if len(term) > 1 and term not in STOP_WORDS:
                out.append(term)
    return out


class BM25:
    """Scores documents against a query; documents are fixed at construction."""

    def __init__(self, documents: Sequence[str], *, k1: float = 1.2, b: float = 0.75) -> None:
        self._counts = [Counter(terms(doc)) for doc in documents]
        self._lengths = [sum(c.values()) for c in self._counts]
        self._average = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
        frequency: Counter[str] = Counter()
        for counts in self._counts:
            frequency.update(counts.keys())
        total = len(documents)
        self._idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}
        self._k1, self._b = k1, b

    def scores(self, query: str | None) -> list[float]:
        """One score per document (all zero for an empty query)."""
        wanted = set(terms(query or ""))
        if not wanted or not self._average:
            return [0.0] * len(self._counts)
        out = []
        for counts, length in zip(self._counts, self._lengths):
            norm = self._k1 * (1 - self._b + self._b * length / self._average)
            score = 0.0
            for term in wanted & counts.keys():
                tf = counts[term]
                score += self._idf[term] * tf * (self._k1 + 1) / (tf + norm)
            out.append(score)
        return out
