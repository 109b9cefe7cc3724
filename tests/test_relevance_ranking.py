"""Which of two lines holding the question's words ranks first (BM25 in headroom/relevance.py).

The rules measured on the generalisation benchmark's tuning half (docs/benchmarks.md, "Ranking
two lines that hold the question's words"): these tests hold what the shared scorer promises
whatever its length normalisation, for the dense ``BM25`` and the sparse ``sparse_scores`` alike.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from headroom.relevance import BM25, sparse_scores

# words that are terms as written (no stop words, no identifier parts), distinct from the filler
_QUERY_WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
_FILLER = ["zulu", "yankee", "xray", "whiskey", "victor", "uniform", "tango"]


@st.composite
def _two_lines(draw: st.DrawFn) -> tuple[str, str, str, list[str]]:
    """A query, a line holding a strict superset of the query words another line holds, both of
    the same number of terms, and other lines around them."""
    query = draw(st.lists(st.sampled_from(_QUERY_WORDS), min_size=2, max_size=6, unique=True))
    fewer = draw(st.integers(1, len(query) - 1))
    more = draw(st.integers(fewer + 1, len(query)))
    length = more + draw(st.integers(0, 12))
    filler = st.sampled_from(_FILLER)
    rich = query[:more] + draw(st.lists(filler, min_size=length - more, max_size=length - more))
    poor = query[:fewer] + draw(st.lists(filler, min_size=length - fewer, max_size=length - fewer))
    rich = draw(st.permutations(rich))
    poor = draw(st.permutations(poor))
    others = draw(st.lists(st.lists(filler, min_size=1, max_size=10).map(" ".join), max_size=8))
    return " ".join(query), " ".join(rich), " ".join(poor), others


@settings(max_examples=200, deadline=None)
@given(_two_lines(), st.booleans())
def test_of_two_lines_of_equal_length_the_one_holding_more_distinct_query_words_ranks_first(
    case: tuple[str, str, str, list[str]], poor_first: bool
) -> None:
    query, rich, poor, others = case
    lines = [poor, rich, *others] if poor_first else [rich, poor, *others]
    at_rich, at_poor = (1, 0) if poor_first else (0, 1)
    dense = BM25(lines).scores(query)
    assert dense[at_rich] > dense[at_poor]
    sparse = sparse_scores(lines, query)
    assert sparse.get(at_rich, 0.0) >= sparse.get(at_poor, 0.0)


def test_the_dense_and_sparse_scorers_rank_alike() -> None:
    """The two forms share one formula: on lines where no query term is in more than half of
    them (the sparse form drops those), they give the same order."""
    lines = [
        "def open_code(path): return io.open_code(path)",
        "    with io.open_code(filename) as stream:",
        "import io",
        "class Loader: pass",
        "def load(self, name): return self.loader.load(name)",
    ]
    query = "where is io.open_code called with a filename"
    dense = BM25(lines).scores(query)
    sparse = sparse_scores(lines, query, sample=len(lines))
    assert sorted(range(len(lines)), key=lambda i: -dense[i])[:2] == sorted(sparse, key=lambda i: -sparse[i])[:2]
