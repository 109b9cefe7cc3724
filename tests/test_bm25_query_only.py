"""Query-only BM25 scores exactly as a full term count per document does.

``BM25`` counts terms only in the documents that hold a query term; the
reference below is the full-count form it replaced (every document's terms
counted at construction). Scores must be equal as floats, not merely close:
a compressor orders by them and breaks ties by position.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from headroom.relevance import BM25, LineTerms, quoted_scores, terms


class _FullBM25:
    def __init__(self, documents: Sequence[str], *, k1: float = 1.2, b: float = 0.75) -> None:
        self._documents = documents
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
        wanted = set(terms(query or ""))
        quoted = quoted_scores(query, self._documents)
        if not (wanted or quoted) or not self._average:
            return [0.0] * len(self._counts)
        out = []
        for index, (counts, length) in enumerate(zip(self._counts, self._lengths)):
            norm = self._k1 * (1 - self._b + self._b * length / self._average)
            score = 0.0
            for term in sorted(wanted & counts.keys()):  # the order BM25 sums in
                tf = counts[term]
                score += self._idf[term] * tf * (self._k1 + 1) / (tf + norm)
            out.append(score + quoted.get(index, 0.0))
        return out


_WORDS = [
    "cache", "Cache", "handle", "parse_args", "parseArgs", "os.path.join", "3.11.2", "42", "the", "a", "x",
    "error", "timeout", "--verbose", "%d", "`cache`", '"time out"', "src/util.py", "über", "-", ".", "\n",
]  # fmt: skip
_text = st.lists(st.sampled_from(_WORDS), max_size=25).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(
    documents=st.lists(_text, max_size=12),
    queries=st.lists(st.one_of(st.none(), _text), min_size=1, max_size=3),
    b=st.sampled_from([0.75, 0.5, 0.0]),
)
def test_query_only_scores_equal_full_count_scores(documents: list[str], queries: list[str | None], b: float) -> None:
    fast, full = BM25(documents, b=b), _FullBM25(documents, b=b)
    given_terms = BM25(documents, b=b, tokenized=lambda: [terms(doc) for doc in documents])
    for query in queries:  # one scorer asked several times keeps its counts
        expected = full.scores(query)
        assert fast.scores(query) == expected
        assert given_terms.scores(query) == expected


_lines = st.lists(st.lists(st.sampled_from([w for w in _WORDS if w != "\n"]), max_size=6).map(" ".join), max_size=8)


@settings(max_examples=300, deadline=None)
@given(lines=_lines, last=st.booleans(), data=st.data())
def test_terms_of_joined_lines_are_their_lines_terms(lines: list[str], last: bool, data: st.DataObject) -> None:
    """What ``LineTerms`` and the shared passes of diff and prose rely on: no term spans a line break
    (or the space after a path)."""
    text_lines = [line + "\n" for line in lines]
    if last and text_lines:
        text_lines[-1] = text_lines[-1][:-1]
    per_line = LineTerms(text_lines)
    first = data.draw(st.integers(0, len(text_lines)))
    end = data.draw(st.integers(first, len(text_lines)))
    assert per_line.of(first, end) == terms("".join(text_lines[first:end]))
    head = data.draw(st.sampled_from(["src/util.py", "a b", ""])).replace("/", " ") + " "
    assert terms(head + "".join(text_lines)) == terms(head) + per_line.of(0, len(text_lines))


@settings(max_examples=100, deadline=None)
@given(documents=st.lists(_text, max_size=8), query=_text)
def test_a_scorer_reads_its_documents_only_when_asked_with_a_query(documents: list[str], query: str) -> None:
    asked: list[int] = []

    def tokenized() -> list[list[str]]:
        asked.append(1)
        return [terms(doc) for doc in documents]

    scorer = BM25(documents, tokenized=tokenized)
    assert scorer.scores(None) == scorer.scores("") == [0.0] * len(documents)
    assert not asked
    assert scorer.scores(query) == scorer.scores(query) == _FullBM25(documents).scores(query)
    assert len(asked) == (1 if terms(query) or quoted_scores(query, documents) else 0)
