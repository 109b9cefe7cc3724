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


def test_quoted_spans_match_whole_even_single_letters_and_stop_words() -> None:
    from headroom.relevance import BM25, quoted_scores

    lines = [
        "warning: unused variable: `x` --> src/main.rs:26:9",
        "warning: variable does not need to be mutable (unused_map)",
        "let index = 0x10; // x marks nothing here: max",
        "error: permission denied while opening the file",
    ]
    scores = BM25(lines).scores("Where is the unused variable `x` reported?")
    assert max(range(len(lines)), key=scores.__getitem__) == 0
    # whole and case-insensitive; a span of stop words still selects
    assert set(quoted_scores('why "Permission denied"?', lines)) == {3}
    assert set(quoted_scores('what does "while" do', lines)) == {3}
    assert quoted_scores("no quotes here", lines) == {}
    assert quoted_scores("`xyz`", lines) == {}
