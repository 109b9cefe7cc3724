"""The generic compressor on real captured output, against golden files."""

from __future__ import annotations

from pathlib import Path

import pytest
from goldens import assert_golden
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import Headroom, MemoryStore, Registry, find_markers
from headroom.compressors.text.compressor import GenericCompressor

GOLDEN = Path(__file__).parent.parent / "golden" / "text"
# real captured output the mixed detector claims (so not under golden/text): one JSON message a line
CARGO = Path(__file__).parent.parent.parent / "benchmarks" / "corpus" / "fixtures" / "mixed_cargo_json_messages.txt"
CASES = [("grep_stdlib.txt", 600), ("gpl3.txt", 900), ("gcc_error.txt", 60)]


def generic_only() -> Headroom:
    """A Headroom whose only compressor is the generic one, whatever the router says."""
    registry = Registry(builtins=False)
    registry.register(GenericCompressor)
    return Headroom(store=MemoryStore(), model="gpt-4", registry=registry)


@pytest.mark.parametrize(("name", "budget"), CASES)
def test_golden(name: str, budget: int) -> None:
    original = (GOLDEN / name).read_text()
    hr = generic_only()
    result = hr.compress_text(original, budget)
    assert_golden(GOLDEN / (name + ".out"), result.text)
    assert result.tokens_after <= budget and result.within_budget
    assert hr.retrieve(result.manifest.entries[0].handle) == original


@pytest.mark.parametrize(("name", "budget"), CASES)
def test_markers_account_for_every_omitted_line(name: str, budget: int) -> None:
    original = (GOLDEN / name).read_text()
    hr = generic_only()
    result = hr.compress_text(original, budget)
    (entry,) = result.manifest.entries
    markers = find_markers(result.text, result.manifest.handles)
    assert sum(m.count for m in markers) == sum(entry.omitted.values())
    # putting each omitted part back where its marker stands restores the original exactly
    text = result.text
    for marker in reversed(markers):
        assert marker.span is not None
        part = hr.retrieve(marker.handle, **{marker.unit: marker.span})
        start, end = (marker.start, marker.end + 1) if marker.unit == "lines" else (marker.start - 1, marker.end + 1)
        text = text[:start] + part + text[end:]
    assert text == original


def test_single_long_line_is_cut_by_characters() -> None:
    text = "x" * 20_000
    hr = generic_only()
    result = hr.compress_text(text, 300)
    assert result.tokens_after <= 300
    assert result.manifest.entries[0].omitted.keys() == {"chars"}


def test_default_policy_leaves_moderate_text_alone() -> None:
    hr = generic_only()
    text = "".join((GOLDEN / "grep_stdlib.txt").read_text().splitlines(keepends=True)[:100])
    assert hr.compress_text(text).text == text


def test_the_lines_right_after_a_match_come_with_it() -> None:
    # the generic compressor is every family's fallback: on a man page, the line the question
    # matches is an option and its description follows it (issue 12)
    original = (Path(__file__).parent.parent / "golden" / "prose" / "man_ls.txt").read_text()
    hr = generic_only()
    result = hr.compress_text(original, 300, query="Which values does --sort=WORD accept?")
    assert "--sort=WORD\n\t      sort by WORD instead of name: none (-U), size (-S)" in result.text
    assert result.tokens_after <= 300


def _generic(text: str, target: int, query: str, tool_args: str | None = None) -> str:
    from headroom import PieceContext, TokenCounter, make_handle

    ctx = PieceContext(make_handle(text), TokenCounter.for_model("gpt-4"), query, "run_shell", tool_args)
    out = GenericCompressor().compress(text, target, ctx)
    assert out is not None and ctx.counter.count(out.text) <= target
    return out.text


def test_the_line_defining_what_the_question_names_leads_and_the_file_name_is_not_a_line_term() -> None:
    """A C header at 55 tokens: "arpa/tftp.h" in the question matched the header guard
    ``_ARPA_TFTP_H`` (three terms) above the one line the question asks for. The path the call
    read names the file, not a line; and the ``#define`` of the name the question names leads."""
    text = (GOLDEN / "tftp.h").read_text()
    out = _generic(text, 55, "What value does arpa/tftp.h give ENOTFOUND?", '{"cmd": "cat /usr/include/arpa/tftp.h"}')
    assert "#define\tENOTFOUND\t1\t\t/* file not found */\n" in out


def test_lines_matching_another_form_of_a_question_word_fill_room_nothing_better_wants() -> None:
    """No line of the header holds "opcodes"; the ``th_opcode`` field holds "opcode", another form
    of it (an "-es" plural of a word ending in "e": its stem keeps the "e"). Lines matching by a
    form come after the exact matches and take room nothing better wants."""
    text = (GOLDEN / "tftp.h").read_text()
    out = _generic(text, 70, "Which opcodes are there?")
    assert "th_opcode" in out


def test_a_few_very_long_lines_fill_the_target_with_one_cut_by_characters() -> None:
    """``cargo build --message-format=json``: eleven lines, each message one JSON line of
    1,000-2,000 characters. Whole lines reached 69 of 472 tokens (the next line alone was
    bigger than the room left) and the question's line went to a mark. The line the
    question matches now keeps its head and tail characters, sized to the room left."""
    text = CARGO.read_text()
    hr = generic_only()
    result = hr.compress_text(text, 472, query="Where is the unused variable `x` reported, and did the build succeed?")
    assert 0.9 * 472 <= result.tokens_after <= 472
    for fact in ("unused variable: `x`", "src/main.rs:26:9", '"success":true'):
        assert fact in result.text
    (entry,) = result.manifest.entries
    assert entry.omitted.keys() == {"lines", "chars"}
    # the cut line's mark gives back exactly the characters it stands for
    (mark,) = [m for m in find_markers(result.text, result.manifest.handles) if m.unit == "chars"]
    assert mark.span is not None
    start, end = mark.span
    assert hr.retrieve(mark.handle, chars=mark.span) == text[start - 1 : end]


def test_every_line_kept_with_one_cut_by_characters_omits_characters_only() -> None:
    """Cargo's first three messages at 80% of their tokens: every line stays, one is cut by
    characters. The manifest named ``lines: 0`` beside the characters, a unit nothing of was
    omitted (hypothesis found it on an apt history window)."""
    text = "".join(CARGO.read_text().splitlines(keepends=True)[:3])
    hr = generic_only()
    budget = int(hr.counter.count(text) * 0.8)
    result = hr.compress_text(text, budget, query="unused variable x")
    (entry,) = result.manifest.entries
    assert entry.omitted.keys() == {"chars"}
    assert all(count > 0 for count in entry.omitted.values())


@pytest.mark.parametrize("budget", [357, 472, 535])
def test_the_long_line_cut_counts_for_the_question_when_a_typed_form_leaves_room(budget: int) -> None:
    """The same output routes as mixed, whose form kept 219 of 472 tokens and none of the
    warning's lines. The generic form's cut line keeps the question's words, so it counts (at
    the share of the line it keeps) when the two forms are weighed (``headroom.forms``)."""
    text = CARGO.read_text()
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(
        text, budget, query="Where is the unused variable `x` reported, and did the build succeed?"
    )
    assert 0.85 * budget <= result.tokens_after <= budget
    for fact in ("unused variable: `x`", "src/main.rs:26:9", '"success":true'):
        assert fact in result.text


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_candidate_is_counted_exactly_from_its_lines_costs(data: st.DataObject) -> None:
    """``_tokens`` (what ``_fill`` and the fit loop count a candidate with) equals counting its render,
    on real output with blank lines, lines starting with ``/`` and very long lines (where a mark meets
    the line after it, the tokenizer does not cut, and the parts are counted together)."""
    from headroom.compressors.base import PieceContext, split_lines
    from headroom.compressors.text.compressor import _Profile, _starts, _tokens, render
    from headroom.tokens import RememberingCounter, TokenCounter

    name = data.draw(st.sampled_from(["grep_stdlib.txt", "gpl3.txt", "gcc_error.txt", "cargo"]))
    text = CARGO.read_text() if name == "cargo" else (GOLDEN / name).read_text()
    lines = split_lines(text)[:400]
    counter = RememberingCounter(TokenCounter.for_model("gpt-4"))
    ctx = PieceContext("hr1:0123456789abcdef", counter)
    profile = _Profile(lines, [counter.count(line) for line in lines], [], _starts(lines), {})
    keep = set(data.draw(st.lists(st.integers(0, len(lines) - 1), max_size=60)))
    cuts = {}
    for index in data.draw(st.lists(st.sampled_from(sorted(keep)), max_size=3)) if keep else []:
        body = len(lines[index].rstrip("\n"))
        head = data.draw(st.integers(0, body // 2))
        cuts[index] = (head, data.draw(st.integers(0, body - head)))
    rendered = render(lines, keep, ctx, cuts)
    assert _tokens(profile, keep, ctx, cuts) == counter.count(rendered[0])
    # the profile's offsets handed to ``render`` (as ``_cut_lines`` does) give the same output
    assert render(lines, keep, ctx, cuts, profile.starts) == rendered


@pytest.mark.parametrize(("head", "tail"), [(0, 120), (300, 0), (0, 0), (700, 900)])
def test_the_generic_and_the_log_cut_render_kept_stretches_alike(head: int, tail: int) -> None:
    """The generic cut (head and tail of a long line) and the log family's long-line cut (head,
    windows, tail) share one renderer (``compressors/_spans.py``): parts joined by single blanks, none
    before a mark that opens the line or after one that closes it (the generic cut wrote `` [`` and
    ``] `` there), and a head and tail that overlap keep the line whole with no mark of nothing.
    On cargo's JSON messages (real output, lines of 1,000-2,000 characters)."""
    from headroom.compressors.base import PieceContext, split_lines
    from headroom.compressors.log.compressor import _cut_line
    from headroom.compressors.text.compressor import render
    from headroom.tokens import TokenCounter

    lines = split_lines(CARGO.read_text())
    ctx = PieceContext("hr1:0123456789abcdef", TokenCounter.for_model("gpt-4"))
    index = max(range(len(lines)), key=lambda i: len(lines[i]))
    body = len(lines[index].rstrip("\n"))
    generic = render(lines, set(range(len(lines))), ctx, {index: (head, tail)})[0].splitlines(keepends=True)[index]
    spans = [(0, head), (body - tail, body)]
    assert generic == _cut_line(lines, index, spans, ctx)[0]
    assert not generic.startswith(" ") and not generic.rstrip("\n").endswith(" ")
    if head + tail >= body:
        assert generic == lines[index]
