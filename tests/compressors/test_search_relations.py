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
