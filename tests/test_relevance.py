"""Terms and BM25 used by the selecting compressors."""

from __future__ import annotations

from headroom.relevance import BM25, terms


def test_terms_split_identifiers_and_drop_stop_words() -> None:
    assert terms("Where is parse_args defined?") == ["parse_args", "parse", "args", "defined"]
    assert terms("parseArgs HTTPServer") == ["parseargs", "parse", "args", "httpserver", "http", "server"]


def test_bm25_prefers_rare_matching_terms() -> None:
    docs = ["error in module alpha", "info module beta", "info module gamma", "info module alpha"]
    scores = BM25(docs).scores("alpha error")
    assert scores[0] == max(scores) and scores[1] == 0.0
    assert scores[3] > 0.0
    assert BM25(docs).scores("") == [0.0] * 4
    assert BM25([]).scores("x") == []
