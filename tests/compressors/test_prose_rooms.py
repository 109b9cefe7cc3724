"""The prose compressor on real man pages in tight rooms: which entry a question finds, and what a
60-130 token room spends on it (issue 12, eighth pass). Pages rendered here with ``man -P cat``."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import PieceContext, TokenCounter, make_handle
from headroom.compressors.prose._profile import build_profile
from headroom.compressors.prose.compressor import ProseCompressor
from headroom.relevance import defines

from .test_prose import check

GOLDEN = Path(__file__).parent.parent / "golden" / "prose"
COUNTER = TokenCounter.for_model("gpt-4")


def man_context(original: str, query: str, page: str) -> PieceContext:
    return PieceContext(make_handle(original), COUNTER, query, "run_shell", f'{{"cmd": "man {page}"}}')


def kept(original: str, ctx: PieceContext, target: int) -> str:
    out = ProseCompressor().compress(original, target, ctx)
    assert out is not None and COUNTER.count(out.text) <= target
    check(original, out.text, dict(out.omitted))
    return out.text


def test_an_entry_listing_its_forms_on_lines_of_their_own_defines_each_of_them() -> None:
    # addr2line lists ``-r``, ``-R``, ``--recurse-limit`` ... one per line over the description; only the
    # first line was read for the options an entry defines, so a question naming ``-R`` found no entry
    # and the entry's later paragraph (``Note this option is only effective if the -C ...``) was lost at
    # every room up to 25% of the page
    original = (GOLDEN / "man_addr2line.txt").read_text()
    head = "       -r\n       -R\n       --recurse-limit\n       --no-recurse-limit\n           Enables or disables"
    assert defines("How does addr2line behave with -R?", head)
    assert defines("What is --no-recurse-limit?", head)
    assert not defines("What is -C?", head) and not defines("-R?", "-r   see also\n    -R is not listed here")
    ctx = man_context(original, "How does addr2line behave with -R?", "1 addr2line")
    note = "           Note this option is only effective if the -C or --demangle option\n"
    for target in (330, 430):
        assert note in kept(original, ctx, target), target


def test_a_line_kept_from_the_middle_of_a_man_section_costs_two_markers_not_four() -> None:
    # openssl's pages list the commands' pages in SEE ALSO; a question naming two of them is answered
    # by one line in the middle of that block. Kept alone it cost four markers (the blocks before,
    # the lines before, the lines after, the blocks after): with the page's title, 68 tokens of
    # planning, so a 64-token room kept the NAME line instead. The dropped lines at a block's edge
    # and the dropped blocks next to them are one ``lines`` marker
    original = (GOLDEN / "man_openssl_cmds.txt").read_text()
    ctx = man_context(original, "In man srp, how are openssl-speed and openssl-spkac related?", "1 srp")
    line = "       openssl-speed(1), openssl-spkac(1), openssl-srp(1),\n"
    for target in (60, 64):
        out = kept(original, ctx, target)
        assert line in out, target
        assert out.count("[") <= 5, out  # the page's head, NAME's text, and the lines around the answer
    out = kept(original, ctx, 64)
    # the room spends nothing on headings it cannot afford beside the line after the answer: one
    # marker before, the answer and the line after it, one marker after
    after = "       openssl-storeutl(1), openssl-ts(1), openssl-verify(1),\n"
    assert "       […38 lines 1-38]\n" + line + after + "       […21 lines 41-61]\n" in out


def best_line(original: str, ctx: PieceContext) -> str:
    profile = build_profile(original, ctx)
    unit = profile.doc.units[profile.order[0]]
    return original[unit.start : unit.end].strip()


def test_of_two_lines_holding_the_questions_words_the_one_holding_them_side_by_side_leads() -> None:
    # "how are s_time and sess_id related?" on openssl's page: SEE ALSO's "openssl-s_time(1),
    # openssl-sess_id(1), ..." and NAME's "s_server, s_time, sess_id, ..." hold both words; BM25 put the
    # shorter first, and rooms of 120-130 tokens kept it and lost the line naming the two side by side
    original = (GOLDEN / "man_openssl_cmds.txt").read_text()
    ctx = man_context(original, "In man engine, how are s_time and sess_id related?", "1 engine")
    line = "s_server, s_time, sess_id, smime, speed, spkac, srp, storeutl, ts,"
    assert best_line(original, ctx) == line
    assert line in kept(original, ctx, 120)


def test_a_man_line_that_goes_on_with_a_sentence_brings_the_line_it_began_on() -> None:
    # "compose and file" are words of most lines of XCompose's page, and the best match was the short
    # "file by using:", the end of a sentence begun on the line before; a 180-token room kept that line
    # by its rank, and a 240-token room, whose outline of headings now fitted, lost it
    original = (GOLDEN / "man_xcompose.txt").read_text()
    ctx = man_context(original, "What does the XCompose man page say about compose and file?", "5 XCompose")
    line = "       For example, you can include in your compose file the  default  Compose\n       file by using:\n"
    for target in (130, 180, 240, 300):
        assert line in kept(original, ctx, target), target


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["man_addr2line.txt", "man_openssl_cmds.txt", "man_xcompose.txt", "man_grep.txt"]),
    st.integers(40, 700),
    st.sampled_from(["How does it behave with -R?", "s_time and sess_id", "compose file", "-v --invert-match"]),
)
def test_a_man_page_at_any_room_is_accounted_with_joined_markers(name: str, target: int, query: str) -> None:
    # the joined ``lines`` markers of a man page: at any room the output fits, every unit is kept or
    # inside a marker's range, the counts add up, and what stands between markers is verbatim
    original = (GOLDEN / name).read_text()
    out = ProseCompressor().compress(original, target, man_context(original, query, "1 page"))
    if out is not None:
        assert COUNTER.count(out.text) <= target
        check(original, out.text, dict(out.omitted))


DUMPE2FS_M = (
    "       -m     If  the  mmp feature is enabled on the file system, check if de‐\n",
    "              vice is in use by another node, see e2mmpstatus(8) for full  de‐\n",
)


def test_a_tiny_room_keeps_the_option_line_and_the_line_after_it_before_headings() -> None:
    # dumpe2fs's ``-m`` entry: its option line and the line under it were one unit of 46 tokens, which
    # a 50-60 token room could not hold beside the page's handle, the OPTIONS heading and the markers
    # that heading splits, so the answer was lost whole (issue 12). The option line holds the start of
    # its description and is a unit of its own; a room that cannot hold it with its headings and the
    # line after it keeps the two lines and drops the headings
    original = (GOLDEN / "man_dumpe2fs.txt").read_text()
    ctx = man_context(original, "What does the -m option of dumpe2fs do?", "8 dumpe2fs")
    for target in (50, 55, 60):  # before, these rooms kept nothing of the entry
        assert DUMPE2FS_M[0] in kept(original, ctx, target), target
    for target in (65, 70, 80):
        assert "".join(DUMPE2FS_M) in kept(original, ctx, target), target
