"""The prose compressor on real man pages in tight rooms: which entry a question finds, and what a
60-130 token room spends on it (issue 12, eighth pass). Pages rendered here with ``man -P cat``."""

from __future__ import annotations

from pathlib import Path

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
