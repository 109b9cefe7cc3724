"""The words by which a question says how the asked name relates to the lines, on real ``grep -rnw``
output: a vocabulary of the language (verbs of use, words of standing together), not one
template's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from headroom import PieceContext, TokenCounter, make_handle
from headroom.compressors.search.compressor import SearchCompressor

FIXTURES = Path(__file__).parent.parent / "fixtures"
COUNTER = TokenCounter.for_model("gpt-4")


def fitted(name: str, query: str, target: int) -> list[str]:
    text = (FIXTURES / name).read_text()
    out = SearchCompressor().compress(text, target, PieceContext(make_handle(text), COUNTER, query))
    assert out is not None and COUNTER.count(out.text) <= target
    return out.text.splitlines()


@pytest.mark.parametrize("target", [32, 60])
@pytest.mark.parametrize(
    "query",
    [
        "find the definition of MarkedYAMLError in yaml; how does it use self.context_mark.line",
        "where is MarkedYAMLError declared in yaml, and which fields does it use?",
    ],
)
def test_a_question_for_the_definition_that_says_use_still_asks_for_the_definition(query: str, target: int) -> None:
    """``grep -rnw --include=*.py MarkedYAMLError yaml/`` (real, PyYAML in site-packages), asked for
    the definition and how it uses a word of its body: ``use`` took the definition's gain away, as
    in "where is X used", and ``class ConstructorError(MarkedYAMLError):`` kept the room. A question
    that asks for the definition asks for it whatever else it says."""
    fact = "yaml/error.py:48:class MarkedYAMLError(YAMLError):"
    assert fact in fitted("search_grep_yaml_marked_yaml_error.txt", query + '\n{"cmd": "cat yaml/error.py"}', target)


@pytest.mark.parametrize("target", [56, 80])
@pytest.mark.parametrize(
    "query",
    ["what file in scipy passes condlist to _lazyselect", "which module of scipy hands condlist to _lazyselect?"],
)
def test_a_verb_of_use_is_no_question_about_the_definition(query: str, target: int) -> None:
    """``grep -rnw --include=*.py _lazyselect scipy/`` (real, scipy in site-packages): "passes
    condlist to _lazyselect" asks where the name is used, as "calls" does; not knowing the verb, the
    ranking gave ``def _lazyselect(condlist, choicelist, arrays, default=0):`` the definition's gain
    and the one call holding ``condlist`` on its line went."""
    fact = "scipy/stats/_continuous_distns.py:7333:        _a = _lazyselect(condlist,"
    assert fact in fitted("search_grep_scipy_lazyselect.txt", query, target)


@pytest.mark.parametrize("target", [60, 90])
@pytest.mark.parametrize(
    "query",
    [
        "where in packaging do __hash__, defined and overridden show up on one line",
        "packaging: where do __hash__, defined and overridden appear on the same line?",
    ],
)
def test_words_on_one_line_are_no_question_about_the_definition(query: str, target: int) -> None:
    """``grep -rnw --include=*.py __hash__ packaging/`` (real, packaging in site-packages): "show
    up on one line" says the words stand together, like "meets"; read as words, it left ``defined``
    (a word the question lists) asking for the definition, and every ``def __hash__(self) -> int:``
    came before the comment holding the three words."""
    fact = "packaging/version.py:572:    # __hash__ must be defined when __eq__ is overridden,"
    assert fact in fitted("search_grep_packaging_hash.txt", query, target)


@pytest.mark.parametrize("target", [62, 90])
def test_a_word_of_use_right_after_a_verb_is_its_object(target: int) -> None:
    """``grep -rnw --include=*.py write pexpect/`` (real, pexpect): in "what file in pexpect passes
    calls to write", ``calls`` is what is passed, a word of the line asked for (``'''This calls
    write() for each element in the sequence.``), not how ``write`` relates to the lines."""
    fact = "pexpect/popen_spawn.py:123:        '''This calls write() for each element in the sequence."
    assert fact in fitted("search_grep_pexpect_write.txt", "what file in pexpect passes calls to write", target)


@pytest.mark.parametrize("target", [56, 80])
def test_a_word_form_of_the_searched_name_is_no_word_of_the_question(target: int) -> None:
    """``grep -rnw --include=*.py search pexpect/`` (real, pexpect): every match holds ``search``,
    the name ``grep -w`` matched; a line's ``searches`` is no more the question's than its other
    words, yet as a query term of its own (rare, so weighty) it ranked ``'''This searches 'buffer'
    for the first occurrence of one of the search`` over the one line holding the question's
    ``returned``. The forms of the searched name leave the query."""
    fact = "pexpect/expect.py:300:        match - the re.match object returned by a successful re.search"
    assert fact in fitted("search_grep_pexpect_search.txt", "Which file in pexpect calls search with returned?", target)


@pytest.mark.parametrize(
    ("name", "query", "fact", "target"),
    [
        (
            "search_grep_httpx_handle_request.txt",
            "Find handle_request in httpx: how does it handle httpx.HTTPTransport?\n"
            '{"cmd": "cat httpx/_transports/base.py"}',
            "httpx/_transports/base.py:26:    def handle_request(self, request: Request) -> Response:",
            49,
        ),
        (
            "search_grep_turtledemo_show_text.txt",
            'Find show_text in turtledemo: how does it handle goto?\n{"cmd": "cat turtledemo/sorting_animate.py"}',
            "turtledemo/sorting_animate.py:134:def show_text(text, line=0):",
            56,
        ),
        (
            "search_grep_httpx_handle_request.txt",
            'what does handle_request do with an HTTPTransport?\n{"cmd": "cat httpx/_transports/base.py"}',
            "httpx/_transports/base.py:26:    def handle_request(self, request: Request) -> Response:",
            49,
        ),
    ],
)
def test_a_question_about_what_the_name_does_asks_for_its_definition(
    name: str, query: str, fact: str, target: int
) -> None:
    """ "How does it handle X", "what does X do with Y": the asked name acts, so its body answers,
    and the grep's line for it is where it is defined. With half the best score, the definition lost
    to ``resp = transport.handle_request(req)`` (``transport``, a part of the question's
    ``HTTPTransport``) and to ``show_text("Selection Sort")`` (``sort``, a form of the next call's
    ``sorting_animate``); asked "where is X defined" it had the whole best score already."""
    assert fact in fitted(name, query, target)


@pytest.mark.parametrize(
    ("name", "query", "tied", "target"),
    [
        (
            "search_grep_networkx_neighbors_cw_order.txt",
            "Where in networkx is neighbors_cw_order used together with nbr?",
            "for nbr in embedding.neighbors_cw_order(",
            61,
        ),
        (
            "search_grep_pluggy_plugin_manager.txt",
            "Find the place in pluggy where PluginManager meets functions and same.",
            "PluginManager",
            60,
        ),
    ],
)
def test_one_counting_mark_keeps_more_of_the_lines_the_question_ranks(
    name: str, query: str, tied: str, target: int
) -> None:
    """``grep -rnw`` output (real, networkx and pluggy), every result line naming its own file and
    line number: in 60 tokens a range mark on each side of a kept line (17 tokens with the handle,
    then 8) left room for one line of two the question cannot tell apart, and the other was the
    one asked for. One mark that counts every omitted line (13 tokens, no range, docs/markers.md)
    keeps both."""
    text = (FIXTURES / name).read_text()
    out = fitted(name, query, target)
    marks = [line for line in out if line.startswith("[")]
    assert len(marks) == 1 and "lines]" in marks[0]
    kept = [line for line in out if not line.startswith("[")]
    assert len(kept) >= 2 and all(line + "\n" in text for line in kept)
    assert tied in " ".join(kept)
