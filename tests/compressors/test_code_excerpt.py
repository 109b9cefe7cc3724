"""Below the smallest skeleton, code keeps the lines the question asks for, their signatures and one
mark (issue 12: a unit shrinks before it is dropped), on real sources: the stdlib's textwrap.py,
fnmatch.py read with ``cat -n``, and semver's range.js."""

from __future__ import annotations

from pathlib import Path

import pytest

from headroom import PieceContext, TokenCounter, make_handle
from headroom.compressors.code import compressor as code_compressor
from headroom.compressors.code._excerpt import NOTE
from headroom.compressors.code.compressor import CodeCompressor
from headroom.markers import MARK_RE, parse_marker
from headroom.plugins import Compressed

GOLDEN = Path(__file__).parent.parent / "golden" / "code"
COUNTER = TokenCounter.for_model("gpt-4")
TEXTWRAP = (GOLDEN / "python_textwrap.py").read_text()
WRAP_QUERY = "How does _wrap_chunks raise when the placeholder is too large?"
WRAP_FACT = 'raise ValueError("placeholder too large for max width")'


def compress(source: str, query: str, target: int, args: str | None = None) -> Compressed | None:
    ctx = PieceContext(make_handle(source), COUNTER, query, "read_file", args)
    return CodeCompressor().compress(source, target, ctx)


def _the_excerpt(source: str, query: str, target: int, args: str | None = None) -> str:
    out = compress(source, query, target, args)
    assert out is not None
    assert NOTE in out.fallbacks  # not parsed: the core records the degradation
    assert COUNTER.count(out.text) + COUNTER.count(make_handle(source)) <= target + 2
    return out.text


@pytest.mark.parametrize("target", [60, 100])
def test_below_every_skeleton_the_asked_line_and_its_signature_stay(target: int) -> None:
    """Before, no prefix of the cuts fitted these targets and the compressor answered None: the
    generic cut then kept the file's first line and a mark."""
    text = _the_excerpt(TEXTWRAP, WRAP_QUERY, target)
    assert WRAP_FACT in text
    assert "    def _wrap_chunks(self, chunks):\n" in text
    assert text.index("def _wrap_chunks") < text.index(WRAP_FACT)  # in the file's order


def test_one_mark_stands_for_every_line_left_out() -> None:
    text = _the_excerpt(TEXTWRAP, WRAP_QUERY, 100)
    (mark,) = MARK_RE.finditer(text)
    marker = parse_marker(mark.group(0), make_handle(TEXTWRAP))
    lines = TEXTWRAP.splitlines()
    kept = [line for line in text.splitlines() if not MARK_RE.search(line)]
    spans = marker.spans
    assert sum(b - a + 1 for a, b in spans) == marker.count == len(lines) - len(kept)
    shown = [i for i in range(1, len(lines) + 1) if not any(a <= i <= b for a, b in spans)]
    assert [lines[i - 1] for i in shown] == kept  # what the mark does not stand for is what stayed


def test_a_skeleton_that_cut_the_asked_line_gives_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 200 tokens a skeleton fits, but with ``_wrap_chunks``'s body cut behind one mark."""
    monkeypatch.setattr(code_compressor, "excerpt", lambda doc, ctx, target: None)
    before = compress(TEXTWRAP, WRAP_QUERY, 200)
    assert before is not None and WRAP_FACT not in before.text
    monkeypatch.undo()
    assert WRAP_FACT in _the_excerpt(TEXTWRAP, WRAP_QUERY, 200)


def test_a_skeleton_that_keeps_the_asked_line_is_sent() -> None:
    out = compress(TEXTWRAP, WRAP_QUERY, 300)
    assert out is not None and NOTE not in out.fallbacks
    assert WRAP_FACT in out.text
    compile(out.text, "textwrap.py", "exec")


@pytest.mark.parametrize("target", [24, 30])
def test_a_room_below_every_excerpt_keeps_the_best_line_behind_a_bare_count(target: int) -> None:
    """A room of 20-35 tokens (a file read in a turn of several calls) held no excerpt: the summary mark
    with its ranges (``1-259,261-491``) left no room for the line, so the compressor answered None and
    the core sent the generic cut (a character slice of the docstring) or a bare marker. The tightest
    form is the best line after a mark that counts every other line."""
    text = _the_excerpt(TEXTWRAP, WRAP_QUERY, target)
    assert text.endswith("\t" + WRAP_FACT)  # its indentation says nothing without the lines around it
    (mark,) = MARK_RE.finditer(text)
    marker = parse_marker(mark.group(0), make_handle(TEXTWRAP))
    assert text.startswith(mark.group(0)) and marker.count == len(TEXTWRAP.splitlines()) - 1
    assert marker.spans == () and marker.selector == {}  # it stands for all but the line: retrieve it whole


def test_the_tightest_form_of_a_plain_read_numbers_its_line_when_the_token_fits() -> None:
    """Its mark has no ranges, so a plain read's line said nothing of where it was. The line now takes
    its number as ``cat -n`` writes it (one token for up to three digits); one token short, it goes
    without."""
    number = [line.strip() for line in TEXTWRAP.splitlines()].index(WRAP_FACT) + 1
    assert _the_excerpt(TEXTWRAP, WRAP_QUERY, 24).endswith(f"\n{number}\t{WRAP_FACT}")
    assert _the_excerpt(TEXTWRAP, WRAP_QUERY, 23).endswith("]\n" + WRAP_FACT)


def test_the_tightest_form_of_a_numbered_read_keeps_the_line_number() -> None:
    source = (GOLDEN / "python_fnmatch_cat_n.txt").read_text()
    text = _the_excerpt(
        source, "In fnmatch.py, how does translate add the STAR?", 25, '{"command": "cat -n fnmatch.py"}'
    )
    assert text.endswith("\n    90\t                add(STAR)")


def test_a_numbered_read_keeps_its_line_numbers() -> None:
    source = (GOLDEN / "python_fnmatch_cat_n.txt").read_text()
    query = "In fnmatch.py, how does translate add the STAR?"
    text = _the_excerpt(source, query, 60, '{"command": "cat -n fnmatch.py"}')
    assert "    74\tdef translate(pat):\n" in text
    assert "    90\t                add(STAR)\n" in text


def test_the_name_of_another_symbol_the_question_names_is_a_word_of_it() -> None:
    """``wrap`` names a method too; inside ``fill`` it is the word asked about."""
    text = _the_excerpt(TEXTWRAP, "In textwrap.py, how does TextWrapper.fill use wrap?", 50)
    assert 'return "\\n".join(self.wrap(text))' in text


def test_an_ast_grep_language_too() -> None:
    source = (GOLDEN / "js_semver_range.js").read_text()
    text = _the_excerpt(source, "How does parseRange handle the loose option?", 60)
    assert "  parseRange (range) {\n" in text
    assert "const loose = this.options.loose" in text


def test_no_question_no_excerpt() -> None:
    assert compress(TEXTWRAP, "", 60) is None


UNDERSCORE = (Path(__file__).parent.parent / "fixtures" / "code_underscore_umd.js").read_text()
DEBOUNCE = "Where does debounce in underscore.js check immediate?"


@pytest.mark.parametrize("share", [0.10, 0.25])
def test_a_file_that_is_one_item_keeps_the_matching_lines_and_spends_its_room(share: float) -> None:
    """underscore.js (Debian's libjs-underscore, 68 KB) is one UMD wrapper: no skeleton fits, and the
    compressor answered None, so the generic cut sent the file's head. Now the asked-for lines, the
    signature of ``debounce`` and the code around them fill the room."""
    target = int(COUNTER.count(UNDERSCORE) * share)
    text = _the_excerpt(UNDERSCORE, DEBOUNCE, target, '{"path": "underscore.js"}')
    assert "  function debounce(func, wait, immediate) {\n" in text
    assert "        if (!immediate) result = func.apply(context, args);\n" in text
    assert COUNTER.count(text) >= 0.9 * (target - COUNTER.count(make_handle(UNDERSCORE)) - 2)


CONFIGPARSER = (Path(__file__).parent.parent / "fixtures" / "code_configparser_errors.py.txt").read_text()


@pytest.mark.parametrize("target", [120, 250])
def test_a_word_of_the_class_name_the_question_says_on_its_own_still_ranks(target: int) -> None:
    """The stdlib's configparser exceptions: "interpolation inside __init__" names ten ``__init__``;
    ``interpolation`` is also a part of ``InterpolationMissingOptionError``, and taking the owner's
    name apart took it out of the question, so every line scored zero and only signatures stayed."""
    text = _the_excerpt(CONFIGPARSER, "What happens with interpolation inside __init__?", target)
    assert '"an interpolation key {!r} which is not a valid option name. "' in text


@pytest.mark.parametrize(
    ("name", "query", "share"),
    [
        ("cpp_stl_stack.h", "What does the main function do?", 0.25),  # no main: "function" in one comment
        ("go_pkg_errors.go", "Where is the entry point?", 0.15),  # "point" in two doc comments
        ("python_asyncio_streams.py", "Explain the main loop", 0.15),  # "loop" on 53 of 765 lines
    ],
)
def test_a_vague_question_keeps_the_skeleton_that_fits(name: str, query: str, share: float) -> None:
    """A question that names no symbol and whose best line holds one of its words by chance (a
    comment, the file's theme word) kept that line in an excerpt in place of the outline that fits."""
    source = (GOLDEN / name).read_text()
    target = int(COUNTER.count(source) * share)
    out = compress(source, query, target, name)
    assert out is not None and NOTE not in out.fallbacks
    assert COUNTER.count(out.text) >= target // 2


def test_a_question_whose_best_line_is_code_and_rare_is_not_vague() -> None:
    """ncurses' cursslk.h: "declaration" is on no line of the file and ``operator`` names no symbol
    (``operator()`` is not an identifier), yet the best line is the asked-for code: the excerpt of it
    still replaces the skeleton that cut it."""
    source = (Path(__file__).parent.parent / "fixtures" / "cpp_cursslk.h").read_text()
    target = int(COUNTER.count(source) * 0.25)
    out = compress(source, "What is the declaration of operator in ncursesw/cursslk.h?", target, "cursslk.h")
    assert out is not None and "inline char* operator()(void) const {" in out.text


@pytest.mark.parametrize("target", [69, 100])
def test_a_hyphenated_word_is_one_word_when_asking_whether_a_question_is_vague(target: int) -> None:
    """npm's arborist ``lib/unreviewed-scripts.js``: "the line that deals with strict-allow-scripts"
    read as ``strict``, ``allow`` and ``scripts``, each on more than one line in twenty, so the question
    was vague and a skeleton with every body cut was sent; the option's name as written is on two
    lines, and the excerpt keeps the one that prints it."""
    source = (Path(__file__).parent.parent / "fixtures" / "code_unreviewed_scripts.js").read_text()
    path = "node_modules/@npmcli/arborist/lib/unreviewed-scripts.js"
    text = _the_excerpt(source, f"Show me the line of {path} that deals with strict-allow-scripts.", target, path)
    assert "`--strict-allow-scripts: ${unreviewed.length} package(s) have install ` +" in text


@pytest.mark.parametrize("target", [100, 150])
def test_the_asked_symbols_name_inside_a_dotted_path_stays_a_word_of_the_question(target: int) -> None:
    """undici's ``lib/dispatcher/dispatcher-base.js``: "what does destroy do with this.destroy?" took
    ``destroy`` out of ``this.destroy`` with the symbol's name, ``this`` is a stop word, so every line of
    ``destroy`` scored zero and the skeleton cut its body whole; the recursive call is the answer."""
    source = (Path(__file__).parent.parent / "fixtures" / "code_undici_dispatcher_base.js").read_text()
    path = "node_modules/undici/lib/dispatcher/dispatcher-base.js"
    text = _the_excerpt(source, f"In {path}, what does destroy do with this.destroy?", target, path)
    assert "        this.destroy(err, (err, data) => {\n" in text
    assert "  destroy (err, callback) {\n" in text


@pytest.mark.parametrize("target", [120, 223])
def test_a_word_on_no_line_of_the_named_symbol_is_looked_for_around_it(target: int) -> None:
    """The debug package's ``src/common.js``: "what does debug do with enabledCache?" names the inner
    ``debug``, but ``enabledCache`` is a variable of ``createDebug`` around it; the excerpt looked at
    ``debug``'s lines only and kept ``if (!debug.enabled) {`` (``enabled``, a part of the word), and the
    skeleton kept ``debug``'s body whole. The question's word as written is on no line of the named
    symbol, so every line of the file is a candidate."""
    source = (Path(__file__).parent.parent / "fixtures" / "code_debug_common.js").read_text()
    path = "node_modules/debug/src/common.js"
    text = _the_excerpt(source, f"In {path}, what does debug do with enabledCache?", target, path)
    assert "\t\t\t\t\tenabledCache = createDebug.enabled(namespace);\n" in text


@pytest.mark.parametrize("target", [150, 209, 255])
def test_two_theme_words_side_by_side_are_a_line_not_a_theme(target: int) -> None:
    """npm's libnpmdiff ``lib/format-diff.js`` (one function holding the file): "how does it handle res
    and filename?" holds two words each on more than one line in twenty, so the question was vague
    and the skeleton with that function's body cut was sent; three lines hold both."""
    source = (Path(__file__).parent.parent / "fixtures" / "code_libnpmdiff_format_diff.js").read_text()
    path = "node_modules/libnpmdiff/lib/format-diff.js"
    text = _the_excerpt(source, f"How does {path} handle res and filename?", target, path)
    assert "      res += `${filename}\\n`\n" in text


def test_a_path_naming_another_symbol_is_a_word_about_the_asked_ones_lines() -> None:
    """The stdlib's reprlib.py: in "how is self.repr1 computed in repr?" ``self.repr1`` names
    ``repr1`` and is what ``repr``'s body is asked about; taken out for every symbol, ``repr`` had
    no word left to match and only the two signatures stayed."""
    source = (Path(__file__).parent.parent / "fixtures" / "code_reprlib.py.txt").read_text()
    out = compress(source, "I'm reading lib/python3.11/reprlib.py: how is self.repr1 computed in repr?", 100)
    assert out is not None and "        return self.repr1(x, self.maxlevel)\n" in out.text


def test_the_core_knows_a_numbered_line_for_the_line_it_numbers() -> None:
    """The core weighs the generic form against a typed one that leaves room by the question's lines each
    keeps whole (``forms._found``); the tightest form's ``260\traise ValueError(...)`` was not the line
    ``raise ValueError(...)`` to it, so a character slice of the docstring was sent in its place."""
    from headroom import MemoryStore, compress_text

    dedent = ("In textwrap.py, what does dedent do when margin?", "margin = margin[:i]")
    for budget, (query, fact) in ((22, dedent), (28, (WRAP_QUERY, WRAP_FACT))):
        result = compress_text(TEXTWRAP, budget, query=query, store=MemoryStore(), model="gpt-4")
        assert result.manifest.entries[0].level != "generic"
        assert fact in result.text
