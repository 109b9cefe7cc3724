"""Markdown read as one document of headings and the units under them (issue 12, eleventh round): a
``#`` heading wherever it stands, the section a question names, near-duplicates in other sections,
lines kept without headings that do not fit, two-line paragraphs by line. Each case is a generalisation
case as built (the file ``cat``-ed whole, the question and the line asked about), lost before its step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from headroom import TokenCounter
from headroom.compressors.base import split_lines
from headroom.compressors.prose._units import segment

from .test_prose import compressed, shell_context
from .test_prose_markdown import asked

GOLDEN = Path(__file__).parent.parent / "golden"
COUNTER = TokenCounter.for_model("gpt-4")


def test_a_heading_without_blank_lines_around_it_is_a_heading() -> None:
    # safer-buffer's porting guide: ``## Variant 1: ...`` follows the list above it with no blank line;
    # it was one more item of that list, and the lines under it fell under the guide's other headings
    text = (GOLDEN / "prose" / "safer_buffer_porting.md").read_text()
    doc = segment(text, split_lines(text), wrapped_by_line=True)
    headings = [text[b.start : b.end].strip() for b in doc.blocks if b.kind == "heading"]
    assert "## Variant 1: Drop support for Node.js ≤ 4.4.x and 5.0.0 — 5.9.x." in headings
    assert "## Variant 2: Use a polyfill" in headings
    # charset-normalizer's changelog: ``### Fixed`` with its items right under it was one heading block,
    # the items kept with the outline or not at all; the items are a list of their own now
    text = (GOLDEN / "prose" / "charset_normalizer_changelog.md").read_text()
    doc = segment(text, split_lines(text), wrapped_by_line=True)
    item = "- Regression on some detection case showcased in the documentation (#371)"
    block = next(b for b in doc.blocks if item in text[b.start : b.end])
    assert block.kind != "heading" and text[block.start : block.end].startswith("- Unintentional memory usage")


def test_a_hash_line_inside_a_fence_is_no_heading() -> None:
    text = "# Title\n\nSome text.\n```sh\n# a shell comment\nls\n```\n\n## Next\n\nMore text.\n"
    doc = segment(text, split_lines(text), wrapped_by_line=True)
    headings = [text[b.start : b.end].strip() for b in doc.blocks if b.kind == "heading"]
    assert headings == ["# Title", "## Next"]


@pytest.mark.parametrize("share", [0.10, 0.12, 0.16])
def test_the_words_of_the_section_named_do_not_rank_its_lines(share: float) -> None:
    # the question names the section by its whole heading; its eleven words ranked the table of contents'
    # link to it and the next variant's "exactly the same steps as in Variant 1" over the line holding
    # the two words asked about, lost at every room up to 387 tokens
    question = (
        "What does the Variant 1: Drop support for Node.js ≤ 4.4.x and 5.0.0 — 5.9.x. section of "
        "Porting-Buffer.md say about replace and number?"
    )
    fact = "- For `new Buffer(number)`, replace it with `Buffer.alloc(number)`."
    text = (GOLDEN / "prose" / "safer_buffer_porting.md").read_text()
    assert fact in asked(text, question, share, "cat Porting-Buffer.md")


@pytest.mark.parametrize("share", [0.10, 0.15])
def test_a_near_duplicate_in_another_section_is_kept(share: float) -> None:
    # Node's SECURITY.md says "If Node.js automatically loads a configuration file which is documented"
    # under one heading and "... which is not documented" under the next: each section says its own thing,
    # and the second was skipped as a repeat of the first
    question = (
        "What does the External Control of System or Configuration Setting (CWE-15) section of SECURITY.md "
        "say about file and documented?"
    )
    fact = "* If Node.js automatically loads a configuration file which is not documented"
    text = (GOLDEN / "prose" / "nodejs_security.md").read_text()
    assert fact in asked(text, question, share, "cat SECURITY.md")


def test_a_matching_sentence_is_kept_without_headings_that_do_not_fit() -> None:
    # cssesc's README opens with a title of badges (70 tokens): every sentence under it wanted the title
    # with it, so a 117-token room kept one sentence and fell to the generic cut
    case = json.loads((GOLDEN.parent / "fixtures" / "markdown_cssesc_conversation.json").read_text())
    text = case["messages"][-1]["content"]
    question = "What does the cssesc(value, options) section of README.md say about characters and shortest?"
    fact = "escaped using the shortest possible (but valid) [escape sequences for use in CSS strings or identifiers]"
    assert fact in asked(text, question, 0.10, "cat README.md")


def test_a_paragraph_of_two_lines_is_read_by_line() -> None:
    # npm-doctor's "Also, in addition to this, ... old versions of npm." then "Since npm is constantly
    # improving, ..." on the next line: one 41-token unit that a 60-token room could not hold beside the
    # handle and two marks; the line asked about is 22 tokens
    question = "Where does npm-doctor.md mention addition versions?"
    fact = "Also, in addition to this, there are also very many issue reports due to using old versions of npm."
    text = (GOLDEN / "prose" / "npm_doctor.md").read_text()
    assert fact in asked(text, question, 0.09, "cat npm-doctor.md")


@pytest.mark.parametrize("target", [80, 85, 90])
def test_the_room_left_brings_the_headings_of_the_kept_lines(target: int) -> None:
    # Node's backporting guide: the line asked about fits, its heading did not beside it at first (the
    # guide's title and section headings together), and the room they would have taken went unused; the
    # line's own heading fits in what is left, and it says where the line stands
    question = (
        "In backporting-to-release-lines.md, under Identifying changes that require a backport, "
        "how do apply and request relate?"
    )
    text = (GOLDEN / "prose" / "nodejs_backporting.md").read_text()
    out = compressed(text, shell_context(text, question, "cat backporting-to-release-lines.md"), target)
    assert "If a cherry-pick from `main` doesn't apply cleanly on a staging branch, the pull request" in out
    assert "## Identifying changes that require a backport" in out
