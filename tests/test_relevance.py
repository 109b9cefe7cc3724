"""Terms and BM25 used by the selecting compressors."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from headroom.relevance import BM25, STOP_WORDS, as_number, sparse_scores, superlative, terms

STOPS = sorted(STOP_WORDS | {word.title() for word in STOP_WORDS} | {"A", "I", "7", "x", "X1", "The"})


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


def test_terms_split_dotted_scoped_and_path_identifiers_and_keep_versions() -> None:
    found = terms("Does os.path.join call std::fs::read or src/util/fileHelper.py in 3.11.2?")
    for term in ("os.path.join", "join", "std::fs::read", "fs", "read", "file", "helper", "3.11.2"):
        assert term in found, term
    assert "11" in terms("python 3.11") and "3.11" in terms("python 3.11")
    assert terms("Where is parse_args defined?") == ["parse_args", "parse", "args", "defined"]


def test_option_letters_and_format_codes_the_question_names_are_matched() -> None:
    # man-page options and printf codes: single letters that the plain terms leave out
    lines = [
        "  -o, --only-matching   Print only the matched parts of a matching line.",
        "  -v, --invert-match    Select non-matching lines.",
        "  %d   the day of the month",
        "  %H   the hour, 00..23",
        "the o and d letters alone mean nothing here",
    ]
    scores = BM25(lines).scores("What does -o do?")
    assert max(range(len(lines)), key=scores.__getitem__) == 0 and scores[4] == 0.0
    scores = BM25(lines).scores("what does the %H format code print")
    assert max(range(len(lines)), key=scores.__getitem__) == 3
    assert set(sparse_scores(lines, "what does -v do")) == {1}


def test_superlatives_are_a_vocabulary_with_numeric_strings_as_numbers() -> None:
    assert superlative("Which package is largest?") == ("largest", 1)
    assert superlative("what is the oldest release") == ("oldest", -1)
    assert superlative("which test was slowest") == ("slowest", 1)
    assert superlative("which has the fewest deps") == ("fewest", -1)
    assert superlative("what does it do") is None
    assert as_number("2048") == 2048.0 and as_number(" 1.5 ") == 1.5 and as_number(7) == 7.0
    assert as_number("1.2.3") is None and as_number(True) is None and as_number("abc") is None


def test_word_forms_and_a_query_with_them() -> None:
    from headroom.relevance import with_forms, word_forms

    assert {"failed", "fails", "fail"} <= word_forms({"fail"}) and "handlers" in word_forms({"handler"})
    expanded = with_forms('why do uploads fail with "x" and -v 3.11')
    assert expanded is not None and expanded.startswith('why do uploads fail with "x" and -v 3.11 ')
    added = set(expanded.split()[9:])
    assert {"upload", "failed"} <= added and not any(word.startswith("3.11") for word in added)
    assert with_forms(None) is None and with_forms("") == ""


def test_rows_find_a_word_in_another_form() -> None:
    from headroom.compressors._rows import priority

    rows = [{"file": f"f{i}.txt", "action": "copied"} for i in range(30)]
    rows[17] = {"file": "report.pdf", "action": "uploaded"}
    ranking = priority(rows, "which file uploads?")
    assert ranking.order[0] == 17


def test_a_column_reads_as_numbers_dates_or_versions() -> None:
    from headroom.relevance import as_ordered

    versions = as_ordered(["1.9.0", "1.10.2", "3.11", "2.0.1", None], share=0.75)
    assert versions is not None and versions[1] is not None and versions[0] is not None
    assert versions[1] > versions[0] and versions[4] is None
    dates = as_ordered(["2025-11-17T18:28:56.206000+00:00", "2025-12-15T04:50:38Z", "2024-01-02"])
    assert dates is not None and dates[1] is not None and dates[0] is not None and dates[2] is not None
    assert dates[1] > dates[0] > dates[2]
    assert as_ordered(["2048", 12, "7"]) == [(2048.0,), (12.0,), (7.0,)]
    assert as_ordered(["alpha", "beta", "1"]) is None


def test_latest_and_oldest_rank_versions_and_dates() -> None:
    from headroom.compressors._rows import priority

    rows = [{"name": f"pkg{i}", "version": f"1.{i}.0", "released": f"2024-0{i % 9 + 1}-10"} for i in range(12)]
    assert priority(rows, "which is the latest version?").order[0] == 11  # 1.11.0, after 1.9.0
    assert priority(rows, "which one was released earliest?").order[0] == 0  # 2024-01-10, before row 9


def test_the_entry_that_defines_an_option() -> None:
    from headroom.relevance import defines

    assert defines("How does xxd behave with -s?", "       -s [+][-]seek\n")
    assert defines("what does `--shadow` do?", "  --shadow, -s  edit the shadow file")
    assert not defines("How does xxd behave with -s?", "       % xxd -s 0x30 file")
    assert not defines("How does xxd behave with -s?", "  -sx  another option")
    assert not defines(None, "-s") and not defines("no option here", "-s")


def test_an_es_plural_of_a_word_ending_in_e_finds_its_singular() -> None:
    from headroom.relevance import word_forms

    assert {"handle", "handled"} <= word_forms({"handles"}) and "opcode" in word_forms({"opcodes"})
    assert "fail" in word_forms({"fails"}) and "boxes" in word_forms({"box"})


@given(st.from_regex(r"[A-Za-z0-9_]{1,12}((\.|::|/)[A-Za-z0-9_]{1,6}){0,2}", fullmatch=True) | st.sampled_from(STOPS))
def test_a_word_is_split_as_its_rules_say(word: str) -> None:
    """``_split``'s shortcut for a plain word ("the", "Python", "42") gives what the rules give."""
    from headroom.relevance import _split, _split_parts

    assert _split.__wrapped__(word) == _split_parts(word)
