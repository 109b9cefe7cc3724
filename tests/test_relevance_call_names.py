"""``without_call_names``: the question less the words naming what the tool call read (issue 12).

One rule for the prose, HTML and plain-text families (each had its own: prose dropped every
question word sharing a term with the call's arguments, keys included; plain text only words
shaped like the path). The calls are the shapes the agent benchmarks and the project's cases send.
"""

from __future__ import annotations

import pytest

from headroom.relevance import without_call_names


@pytest.mark.parametrize(
    ("query", "call", "left"),
    [
        # the page a man call read, and the command word itself
        ("How does xxd behave with -s?", '{"cmd": "man 1 xxd"}', "How does behave with -s?"),
        (
            "In man magic, how are direct and rela related?",
            '{"cmd": "man 5 magic"}',
            "In how are direct and rela related?",
        ),
        # a file name, whole or as its path's tail
        (
            "Where does Multiple-ABIs.html explain manual?",
            '{"cmd": "cat libffi8/html/Multiple-ABIs.html"}',
            "Where does explain manual?",
        ),
        (
            "What value does arpa/tftp.h give ENOTFOUND?",
            '{"cmd": "cat /usr/include/arpa/tftp.h"}',
            "What value does give ENOTFOUND?",
        ),
        # a dotted name one of whose parts the call does not name stays: it names a part of the file
        ("What does os.path.join return?", '{"path": "os/path.py"}', "What does os.path.join return?"),
        # a pipe's later stages filter what was read, they do not name it
        ("Which lines does head keep?", '{"cmd": "man 8 savelog | head -n 2000"}', "Which lines does head keep?"),
        # a search pattern or a query says what was asked, not what was read; keys are not names
        (
            "Where is ENOTFOUND set in the path?",
            '{"pattern": "ENOTFOUND", "path": "src"}',
            "Where is ENOTFOUND set in the path?",
        ),
        # a bare command line (not JSON) is read as one
        ("What does grep's -l print?", "man grep", "What does -l print?"),
        # nothing left: the question as it was
        ("xxd?", '{"cmd": "man 1 xxd"}', "xxd?"),
    ],
)
def test_the_words_naming_what_the_call_read_leave_the_question(query: str, call: str, left: str) -> None:
    assert without_call_names(query, call) == left


def test_no_call_or_no_query_leaves_the_query_as_it_is() -> None:
    assert without_call_names("What does -s do?", None) == "What does -s do?"
    assert without_call_names(None, '{"cmd": "man 1 xxd"}') is None
    assert without_call_names("What does -s do?", "not json {") == "What does -s do?"
