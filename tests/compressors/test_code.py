"""The code compressor on real source files of each language: parses, accounts, restores, keeps what is named."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import Headroom, MemoryStore, PieceContext, TokenCounter, find_markers, make_handle
from headroom.compressors.base import split_lines
from headroom.compressors.code import _astgrep as _code_astgrep
from headroom.compressors.code import _check, _document, _scan
from headroom.compressors.code import compressor as _code_compressor
from headroom.compressors.code._astgrep import outline_astgrep
from headroom.compressors.code._excerpt import NOTE
from headroom.compressors.code._grammars import LANGUAGES, roles, rules
from headroom.compressors.code._lang import file_name_in, language_of, split_piece
from headroom.compressors.code._outline import DEFAULT, Region, Rendered, skeleton
from headroom.compressors.code._python import compiles
from headroom.compressors.code._scan import AstGrep, error_spans, find_binary, find_engine
from headroom.compressors.code.compressor import CodeCompressor, parse_document
from headroom.errors import InvalidInput
from headroom.markers import MARK_RE, mark_piece, render_mark
from headroom.registry import Registry

GOLDEN = Path(__file__).parent.parent / "golden" / "code"
COUNTER = TokenCounter.for_model("gpt-4")
SOURCES = {
    "python_textwrap.py": "python",
    "js_semver_range.js": "javascript",
    "ts_rxjs_observable.ts": "typescript",
    "go_pkg_errors.go": "go",
    "rust_semver_parse.rs": "rust",
    "java_stringjoiner.java": "java",
    "c_xxmodule.c": "c",
    "cpp_stl_stack.h": "cpp",
}
ENGINE = find_engine()


def ctx(text: str, query: str | None = None, args: str | None = None) -> PieceContext:
    return PieceContext(make_handle(text), COUNTER, query, "read_file", args)


def read(name: str) -> str:
    return (GOLDEN / name).read_text()


def parses_as_well(original: str, output: str, language: str) -> bool:
    if language == "python":
        return compiles(output)
    assert ENGINE is not None
    return len(error_spans(ENGINE, language, output)) <= len(error_spans(ENGINE, language, original))


def restore(hr: Headroom, text: str, handles: frozenset[str]) -> list[str]:
    """The output's lines with every marker replaced by the original lines it names: a marker line
    by them, a marker riding on a kept comment or docstring line by nothing, the lines following."""
    out: list[str] = []
    for line in split_lines(text):
        found = find_markers(line, handles)
        if found:
            span = found[0].span
            assert span is not None
            before, after = line[: found[0].start], line[found[0].end :]
            if not re.fullmatch(r"\s*(\.\.\.)?\s*(#|//)?\s*", before):
                out.append(before.rstrip() + after)
            out.extend(split_lines(hr.retrieve(found[0].handle, lines=span)))
        else:
            out.append(line)
    return out


def same_but_closed_docstrings(restored: list[str], original: list[str]) -> bool:
    """Equal line for line, except kept first lines of docstrings and block comments, closed with
    their quotes or `` */``."""
    if len(restored) != len(original):
        return False
    for new, old in zip(restored, original):
        if new != old and not (new.rstrip().endswith(('"""', "'''", " */")) and new.startswith(old.rstrip())):
            return False
    return True


def test_languages_are_detected_from_content_and_names() -> None:
    for name, language in SOURCES.items():
        assert language_of(read(name)) == language, name
        assert language_of(read(name), name) == language
    assert language_of("x", "src/lib.rs") == "rust"
    assert language_of(read("cpp_stl_stack.h"), "stl_stack.h") == "cpp"  # a .h in C++
    assert file_name_in(json.dumps({"path": "src/lib.rs"})) == "src/lib.rs"
    assert file_name_in(json.dumps({"cmd": "cat -n argparse.py | head"})) == "argparse.py"
    assert file_name_in(json.dumps({"cmd": "ls -la"})) is None
    assert file_name_in("[" * 100_000 + "]" * 100_000) is None  # nested past json's depth: read as text


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_default_keeps_the_skeleton_parses_and_restores(name: str) -> None:
    original = read(name)
    language = SOURCES[name]
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(original)
    (entry,) = result.manifest.entries
    assert entry.content_type == "code" and entry.compressor == "code"
    assert result.manifest.degradations == ()
    assert result.tokens_after < result.tokens_before * 0.8
    markers = find_markers(result.text, result.manifest.handles)
    assert markers and sum(m.count for m in markers) == entry.omitted["lines"]
    assert parses_as_well(original, result.text, language)
    assert same_but_closed_docstrings(restore(hr, result.text, result.manifest.handles), split_lines(original))


def test_every_python_signature_and_import_stays_verbatim() -> None:
    original = read("python_textwrap.py")
    out = CodeCompressor().compress(original, None, ctx(original))
    assert out is not None and out.output_kind == "python"
    kept = set(split_lines(out.text))
    lines = split_lines(original)
    tree = ast.parse(original)
    top = [*tree.body, *(s for c in tree.body if isinstance(c, ast.ClassDef) for s in c.body)]
    for node in top:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            for number in range(first, node.lineno + 1):
                assert lines[number - 1] in kept
    assert "class TextWrapper:\n" in kept and '    """\n' not in kept


@pytest.mark.parametrize(
    ("name", "query", "symbol", "inside"),
    [
        (
            "python_textwrap.py",
            "How does TextWrapper._split work?",
            "TextWrapper._split",
            "chunks = self.wordsep_re.split(text)",
        ),
        ("go_pkg_errors.go", "What does Wrapf do when err is nil?", "Wrapf", "if err == nil {"),
        (
            "rust_semver_parse.rs",
            "how is a numeric_identifier parsed?",
            "numeric_identifier",
            "while let Some(&digit) = input.as_bytes().get(len) {",
        ),
        (
            "js_semver_range.js",
            "What does parseRange do with hyphen ranges?",
            "Range.parseRange",
            "const hr = loose ? re[t.HYPHENRANGELOOSE] : re[t.HYPHENRANGE]",
        ),
        ("java_stringjoiner.java", "How does StringJoiner.merge work?", "StringJoiner.merge", "other.compactElts();"),
    ],
)
def test_the_symbol_the_query_names_keeps_its_whole_body(name: str, query: str, symbol: str, inside: str) -> None:
    original = read(name)
    whole = CodeCompressor().select(original, "symbol", symbol)
    assert inside in whole
    for share in (None, 0.3):
        compressor = CodeCompressor()
        target = None if share is None else int(COUNTER.count(original) * share)
        out = compressor.compress(original, target, ctx(original, query))
        assert out is not None and whole in out.text
        assert target is None or COUNTER.count(out.text) <= target


@pytest.mark.parametrize("name", ["python_textwrap.py", "ts_rxjs_observable.ts", "cpp_stl_stack.h", "go_pkg_errors.go"])
@settings(max_examples=6, deadline=None)
@given(share=st.floats(0.08, 0.9), pick=st.integers(0, 10_000))
def test_under_any_target_the_output_parses_fits_and_accounts(name: str, share: float, pick: int) -> None:
    original = read(name)
    symbols = [s.name for o in parse_document(original, name, 3).outlines if o for s in o.symbols]
    query = f"what does {symbols[pick % len(symbols)]} do"
    compressor = CodeCompressor()
    context = ctx(original, query)
    target = int(COUNTER.count(original) * share)
    out = compressor.compress(original, target, context)
    if out is None:
        return  # nothing that fits and parses: the core moves on to the bare marker
    assert COUNTER.count(out.text) <= target
    if NOTE in out.fallbacks:  # below every skeleton: an excerpt of the original's lines, said not to parse
        lines = split_lines(original)
        assert all(line in lines or MARK_RE.search(line) for line in split_lines(out.text))
    else:
        assert parses_as_well(original, out.text, SOURCES[name])
    markers = find_markers(out.text, {context.handle})
    assert sum(m.count for m in markers) == out.omitted["lines"]
    spans = [span for m in markers for span in m.spans]  # an excerpt's one mark lists several ranges
    assert len(spans) >= len(markers) and spans == sorted(spans)
    assert CodeCompressor().compress(original, target, context) == out  # deterministic, from a fresh instance too


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_retrieve_by_symbol_returns_exactly_its_lines(name: str) -> None:
    original = read(name)
    doc = parse_document(original, None, 3)
    lines = split_lines(original)
    compressor = CodeCompressor()
    outline = doc.outlines[0]
    assert outline is not None and outline.symbols
    names = [s.name for s in outline.symbols]
    for symbol in outline.symbols:
        if names.count(symbol.name) == 1:
            assert compressor.select(original, "symbol", symbol.name) == "".join(lines[symbol.first : symbol.last + 1])


def test_retrieve_by_symbol_through_the_store_and_its_errors() -> None:
    original = read("python_textwrap.py")
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    handle = hr.compress_text(original).manifest.entries[0].handle
    text = hr.retrieve(handle, symbol="TextWrapper.wrap")
    assert text.startswith("    def wrap(self, text):\n") and text.endswith("return self._wrap_chunks(chunks)\n")
    assert hr.retrieve(handle, symbol="dedent").startswith("def dedent(text):")
    with pytest.raises(InvalidInput, match="no symbol named 'nope'.*TextWrapper"):
        hr.retrieve(handle, symbol="nope")
    with pytest.raises(InvalidInput, match="symbol= takes a name"):
        hr.retrieve(handle, symbol=3)


def test_the_file_the_call_read_is_kept_with_the_original_and_names_the_language_of_symbol_retrieval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = read("java_stringjoiner.java")
    messages = [
        {"role": "user", "content": "How does StringJoiner.merge work?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "read_file", "arguments": json.dumps({"path": "src/StringJoiner.java"})},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": original},
    ]
    store = MemoryStore()
    hr = Headroom(store=store, model="gpt-4")
    (entry,) = hr.compress(messages).manifest.entries
    assert entry.content_type == "code"
    assert store.get_meta(entry.handle) == {"file": "src/StringJoiner.java", "content_type": "code"}
    names: list[str | None] = []
    real = _document.split_piece
    monkeypatch.setattr(_document, "split_piece", lambda text, name=None: names.append(name) or real(text, name))
    merged = hr.retrieve(entry.handle, symbol="StringJoiner.merge")
    assert "    public StringJoiner merge(StringJoiner other) {\n" in merged and names == ["src/StringJoiner.java"]
    text_only = hr.compress_text(original + "\n").manifest.entries[0].handle  # no call, no file: a guess
    assert hr.retrieve(text_only, symbol="StringJoiner.merge") == merged and names[-1] is None


def test_cat_n_reads_keep_their_numbers() -> None:
    original = read("python_fnmatch_cat_n.txt")
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(original)
    (entry,) = result.manifest.entries
    assert entry.compressor == "code"
    for line in split_lines(result.text):
        assert re.match(r"^ +\d+\t", line) or find_markers(line, result.manifest.handles)
    markers = find_markers(result.text, result.manifest.handles)
    assert markers and sum(m.count for m in markers) == entry.omitted["lines"]
    assert same_but_closed_docstrings(restore(hr, result.text, result.manifest.handles), split_lines(original))
    code_only = "".join(re.sub(r"^ +\d+\t", "", line) for line in split_lines(result.text))
    assert compiles(code_only)


def test_agent_read_arrows_are_recognised_like_cat_n() -> None:
    original = re.sub(r"(?m)^( +\d+)\t", r"\1→", read("python_fnmatch_cat_n.txt"))
    chunks = split_piece(original)
    assert [c.language for c in chunks] == ["python"] and chunks[0].prefixes[0] == "     1→"
    assert Registry().router.detect(original) == "code"
    out = CodeCompressor().compress(original, None, ctx(original))
    assert out is not None and "    74→def translate(pat):\n" in out.text


def test_a_file_cut_inside_a_function_is_compressed() -> None:
    # issue 12: a window of `tail`-style output ending inside a Go function (its closing brace not
    # there) raised IndexError: the parser closes the body with a missing `}` past the last line, and
    # the body's closing line was read from there; the chain fell back and recorded a crash
    original = read("multi_tail_colorsys_stack.txt")
    cut = original[: original.index("\t_, line := fn.FileLine(f.pc())")]
    out = CodeCompressor().compress(cut, None, ctx(cut))
    assert out is not None and "func (f Frame) file() string {\n" in out.text


def test_files_under_headers_are_compressed_one_by_one() -> None:
    original = read("multi_tail_colorsys_stack.txt")
    chunks = split_piece(original)
    assert [(c.language, c.name) for c in chunks] == [
        (None, None),
        ("python", "colorsys.py"),
        (None, None),
        ("go", "stack.go"),
    ]
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(original)
    assert result.manifest.entries[0].compressor == "code"
    assert "==> colorsys.py <==\n" in result.text and "==> stack.go <==\n" in result.text
    assert (
        "def rgb_to_hls(r, g, b):\n" in result.text
        and "func (f Frame) Format(s fmt.State, verb rune) {\n" in result.text
    )
    assert same_but_closed_docstrings(restore(hr, result.text, result.manifest.handles), split_lines(original))


def test_non_ascii_source_is_cut_at_the_right_places() -> None:
    # multi-byte characters before the bodies: ast-grep's byte offsets must not shift the cuts
    original = read("js_semver_range.js").replace("// hoisted", "// höisted ✓ 日本語")
    original = "const ÿ = '✓✓✓'; // ünïcödé\n" + original
    out = CodeCompressor().compress(original, None, ctx(original))
    assert out is not None and parses_as_well(original, out.text, "javascript")
    assert "class Range {\n" in out.text and "  parseRange (range) {\n" in out.text


def test_undecodable_bytes_in_python_are_kept_and_checked() -> None:
    raw = read("python_textwrap.py").encode() + b"\n# caf\xe9 latin-1 bytes\nX = '\xff'\n"
    original = raw.decode("utf-8", "surrogateescape")
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    out = CodeCompressor().compress(original, None, ctx(original))
    assert out is not None and out.output_kind == "text"  # the core's compile() would refuse the surrogates
    assert "X = '\udcff'\n" in out.text
    result = hr.compress_text(original)
    assert hr.retrieve(result.manifest.entries[0].handle) == original


def test_without_ast_grep_the_fallback_is_used_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_document, "find_engine", lambda: None)
    original = read("go_pkg_errors.go")
    out = CodeCompressor().compress(original, None, ctx(original))
    assert out is not None and out.output_kind == "text"
    assert out.fallbacks and "ast-grep not found" in out.fallbacks[0]
    assert "func Wrapf(err error, format string, args ...interface{}) error {\n" in out.text


def test_a_failing_ast_grep_is_a_reported_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_document, "find_engine", lambda: AstGrep("/nonexistent/ast-grep"))
    original = read("rust_semver_parse.rs")
    out = CodeCompressor().compress(original, None, ctx(original))
    assert out is not None and "could not run" in out.fallbacks[0]


def test_languages_without_a_parser_get_the_brace_and_indent_fallback() -> None:
    kotlin = (
        "package demo\n\nclass Greeter(private val name: String) {\n"
        + "".join(
            f"    fun greet{i}(times: Int): String {{\n        val parts = mutableListOf<String>()\n"
            f'        for (i in 0 until times) {{\n            parts.add("hello $name $i")\n        }}\n'
            f'        val joined = parts.joinToString(", ")\n        println("greeting number {i}: $joined")\n'
            f"        return joined\n    }}\n\n"
            for i in range(6)
        )
        + "}\n"
    )
    out = CodeCompressor().compress(kotlin, None, ctx(kotlin, args=json.dumps({"path": "Greeter.kt"})))
    assert out is not None and "kotlin: no parser" in out.fallbacks[0]
    assert out.text.count("fun greet") == 6 and "parts.add" not in out.text
    assert CodeCompressor().select(kotlin, "symbol", "greet3").startswith("    fun greet3(times: Int)")
    ruby = "".join(
        f'def step{i}(x)\n  y = x * {i} + offset_for(x)\n  z = y + scale_for(x)\n  puts "step {i}: #{{z}}"\n'
        f"  log_step(z, {i}, x)\n  record_history(:step, {i}, x, y, z)\n"
        "  notify_watchers(z, :after_step)\n  refresh_cache_for(x)\n  z\nend\n\n"
        for i in range(8)
    )
    out = CodeCompressor().compress(ruby, None, ctx(ruby, args=json.dumps({"path": "steps.rb"})))
    assert out is not None and out.text.count("def step") == 8 and "puts " not in out.text


def test_the_router_sends_numbered_reads_and_headers_to_code_but_not_logs_or_greps() -> None:
    router = Registry().router
    assert router.detect(read("python_fnmatch_cat_n.txt")) == "code"
    assert router.detect(read("multi_tail_colorsys_stack.txt")) == "code"
    for name in SOURCES:
        assert router.detect(read(name)) == "code", name
    grep_n = "".join(f"{n}:    return {n}\n" for n in (3, 17, 40, 41, 90))
    assert router.detect(grep_n) != "code"


def test_short_inputs_and_tight_targets_give_none() -> None:
    small = "def f(x):\n    return x\n"
    assert CodeCompressor().compress(small, None, ctx(small)) is None
    original = read("go_pkg_errors.go")
    assert CodeCompressor().compress(original, 5, ctx(original)) is None


def test_one_scan_per_file_whatever_the_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    scans: list[str] = []
    checks: list[str] = []
    real_scan, real_check = _code_astgrep.scan, _check.error_spans

    def scanning(engine: AstGrep, language: str, text: str) -> list[object]:
        scans.append(text)
        return real_scan(engine, language, text)  # type: ignore[return-value]

    def checking(engine: AstGrep, language: str, text: str) -> list[tuple[int, int, int, int]]:
        checks.append(text)
        return real_check(engine, language, text)

    monkeypatch.setattr(_code_astgrep, "scan", scanning)
    monkeypatch.setattr(_check, "error_spans", checking)
    original = read("rust_semver_parse.rs")
    compressor = CodeCompressor()
    context = ctx(original, "parse")
    total = COUNTER.count(original)
    for share in (None, 0.7, 0.5, 0.3, 0.7):
        compressor.compress(original, None if share is None else int(total * share), context)
    assert len(scans) == 1  # the outline; the checks parse one distinct output each
    assert len(checks) == len(set(checks))
    before = len(checks)
    compressor.compress(original, int(total * 0.5), context)
    assert len(checks) == before  # an output already checked is not checked again


FIXTURES = Path(__file__).parent.parent.parent / "benchmarks" / "corpus" / "fixtures"
ALL_FILES = sorted(GOLDEN.iterdir()) + sorted(FIXTURES.glob("code_*"))


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_signature_outside_a_body_stays_verbatim_at_the_default_level(path: Path) -> None:
    original = path.read_text(encoding="utf-8", errors="surrogateescape")
    out = CodeCompressor().compress(original, None, ctx(original))
    assert out is not None
    shown = split_lines(out.text)
    lines = split_lines(original)
    for chunk, outline in zip(*(lambda d: (d.chunks, d.outlines))(parse_document(original, None, 3))):
        if outline is None:
            continue
        comments = {i for r in outline.regions if r.label == "comment" for i in range(r.first, r.last + 1)}
        for symbol in skeleton(outline.symbols):
            first, last = symbol.signature
            assert symbol.first <= first <= last <= symbol.last
            at = 0
            for i in range(first, last + 1):
                if i not in comments:
                    at = shown.index(lines[chunk.start + i], at) + 1  # ValueError: a signature line was cut


def test_an_attribute_inside_a_line_leads_nothing() -> None:
    # `unsafe impl<#[may_dangle] A: Array> Drop` once pulled the `fn drop` below it up over the impl's
    # own first line, and cutting that "item" broke the parse of the whole file
    original = (FIXTURES / "code_smallvec_lib.rs").read_text()
    lines = split_lines(original)
    (outline,) = parse_document(original, "lib.rs", 3).outlines
    assert outline is not None
    for symbol in outline.symbols:
        if symbol.name == "SmallVec.drop":
            assert lines[symbol.first].lstrip().startswith(("fn drop", "#[")), lines[symbol.first]
    query = "What does SmallVec::insert do when the index is past the end?"
    target = int(COUNTER.count(original) * 0.25)
    out = CodeCompressor().compress(original, target, ctx(original, query))
    assert out is not None and COUNTER.count(out.text) <= target
    assert "    pub fn insert(&mut self, index: usize, element: A::Item) {\n" in out.text
    assert parses_as_well(original, out.text, "rust")


def test_a_container_misread_as_a_function_after_a_macro_is_never_cut_as_a_body() -> None:
    # after an unknown macro, `template<...> class stack {` and `namespace __detail {` read as functions
    # without a parameter list; their members are the skeleton, not one body to cut
    original = read("cpp_stl_stack.h")
    (outline,) = parse_document(original, "stl_stack.h", 3).outlines
    assert outline is not None
    holder = [s for s in outline.symbols if s.first < 98 < s.last and s.last > 300]
    assert holder and all(s.kind == "class" for s in holder)
    out = CodeCompressor().compress(original, None, ctx(original))
    assert out is not None and "    class stack\n" in out.text and "      top()\n" in out.text
    header = (FIXTURES / "code_regex.h").read_text()
    out = CodeCompressor().compress(header, None, ctx(header))
    assert out is not None and "  enum class _RegexExecutorPolicy : int { _S_auto, _S_alternate };\n" in out.text


def _with_extra_region(monkeypatch: pytest.MonkeyPatch, name: str, region: Region) -> None:
    real = getattr(_document, name)

    def patched(*args: object) -> object:
        outline = real(*args)
        return dataclasses.replace(outline, regions=(*outline.regions, region)) if outline is not None else None

    monkeypatch.setattr(_document, name, patched)


def test_a_cut_that_breaks_the_parse_is_traced_and_its_lines_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    original = read("go_pkg_errors.go")
    plain = CodeCompressor().compress(original, None, ctx(original))
    assert plain is not None
    # New's closing brace and the comment after it: Errorf would be read as nested in New
    _with_extra_region(monkeypatch, "outline_astgrep", Region(106, 110, DEFAULT, "broken", ""))
    checked: list[str] = []
    real = _check.error_spans
    monkeypatch.setattr(_check, "error_spans", lambda *a: checked.append(a[2]) or real(*a))
    out = CodeCompressor().compress(original, None, ctx(original))
    assert out is not None and len(checked) == 2 and "broken" in checked[0]
    # the breaking cut is dropped; so may be the one cut the parser's complaint also covers (Errorf's
    # body, read as nested in New), never one elsewhere
    spans = {m.span for m in find_markers(plain.text, {make_handle(original)})}
    kept = {m.span for m in find_markers(out.text, {make_handle(original)})}
    assert kept <= spans and {s for s in spans - kept if s is not None and not 100 <= s[0] <= 120} == set()
    assert "broken" not in out.text


def test_a_python_cut_that_breaks_compiling_is_traced_and_its_lines_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    original = read("python_textwrap.py")
    plain = CodeCompressor().compress(original, None, ctx(original))
    assert plain is not None
    start = split_lines(original).index("def dedent(text):\n")
    _with_extra_region(monkeypatch, "outline_python", Region(start, start + 2, DEFAULT, "broken", ""))
    out = CodeCompressor().compress(original, None, ctx(original))
    assert out is not None and out.text == plain.text and compiles(out.text)


def test_a_complaint_over_the_whole_output_is_traced_by_bisection(monkeypatch: pytest.MonkeyPatch) -> None:
    original = read("go_pkg_errors.go")
    plain = CodeCompressor().compress(original, None, ctx(original))
    assert plain is not None
    culprits: list[Region] = []
    seen: list[int] = []

    def complaints(doc: object, index: int, rendered: Rendered) -> tuple[tuple[int, int], ...]:
        if not culprits:  # a parser that complains about every line whenever the middle cut is made
            culprits.append(rendered.groups[len(rendered.groups) // 2][0])
        seen.append(len(rendered.groups))
        return ((0, len(rendered.origin) - 1),) if any(culprits[0] in group for group in rendered.groups) else ()

    monkeypatch.setattr(_check, "complaints", complaints)
    out = CodeCompressor().compress(original, None, ctx(original))
    assert out is not None and 2 < len(seen) <= 12
    # that one cut is undone (a cut inside it, such as the rest of a whole comment, may then stand), no other
    before, after = (set(re.findall(r"…\d+ lines (\d+-\d+)", o.text)) for o in (plain, out))
    culprit = f"{culprits[0].first + 1}-{culprits[0].last + 1}"
    assert culprit in before and culprit not in after and before - {culprit} <= after
    assert len(after) <= len(before)


def test_cuts_that_shift_the_recovery_of_an_unparsed_header_are_traced() -> None:
    # stl_tree.h parses as one ERROR node around the whole file: an error count cannot tell a new error
    # from a moved one, and excluding cuts inside items holding errors would exclude every cut
    original = (FIXTURES / "code_stl_tree.h").read_text()
    query = "How does _Rb_tree::_M_erase free the nodes without rebalancing?"
    target = int(COUNTER.count(original) * 0.235)
    out = CodeCompressor().compress(original, target, ctx(original, query))
    assert out is not None and COUNTER.count(out.text) <= target
    assert "\t  _M_drop_node(__x);\n" in out.text
    assert parses_as_well(original, out.text, "cpp")


def test_a_symbol_missed_under_the_first_guess_of_language_is_found_under_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the store keeps no file name, so retrieval guesses the language from content; a wrong first guess
    # (here forced: Java read as TypeScript) must not hide a symbol the right parser sees
    original = read("java_stringjoiner.java")
    expected = CodeCompressor().select(original, "symbol", "StringJoiner.merge")
    real = _document.split_piece
    monkeypatch.setattr(
        _document,
        "split_piece",
        lambda text, name=None: [dataclasses.replace(c, language="typescript") for c in real(text, name)],
    )
    assert "StringJoiner.merge" not in {
        s.name for o in parse_document(original, None, 3).outlines if o for s in o.symbols
    }
    assert CodeCompressor().select(original, "symbol", "StringJoiner.merge") == expected
    assert "    public StringJoiner merge(StringJoiner other) {\n" in expected


def test_comment_blocks_keep_their_first_line_with_the_marker_riding_on_it() -> None:
    python = read("python_textwrap.py")
    out = CodeCompressor().compress(python, None, ctx(python))
    assert out is not None and compiles(out.text)
    riding = r"\[(?:hr1:\d+ )?…\d+ lines \d+-\d+\]"
    assert re.search(rf"^    # This funky little regex is just the trick for splitting {riding}$", out.text, re.M)
    java = read("java_stringjoiner.java")
    text = _first_lines_only(java)
    assert parses_as_well(java, text, "java")
    lines = split_lines(text)
    at = next(i for i, line in enumerate(lines) if line.startswith(" * Copyright (c) 2013, 2021, Oracle"))
    assert re.fullmatch(
        rf" \* Copyright \(c\) 2013, 2021, Oracle and/or its affiliates\. All rights reserved\. {riding} \*/\n",
        lines[at],
    )
    assert lines[at - 1] == "/*\n" and not lines[at + 1].startswith("//")  # closed on its kept line, no marker line
    go = read("go_pkg_errors.go")  # a line comment: the marker goes at the end of its first line
    assert re.match(
        rf"// Package errors provides simple error handling primitives\. {riding}\npackage errors\n",
        _first_lines_only(go),
    )


def _first_lines_only(original: str) -> str:
    """``original`` with the rests of its comment blocks cut, nothing else: a budget's first cuts (the
    default level of the ast-grep languages cuts whole comment blocks, issue 13)."""
    doc = parse_document(original, None, 3)
    outline = doc.outlines[0]
    assert outline is not None
    rests = [r for r in outline.regions if r.label == "comment" and r.stage == DEFAULT]
    return _document.cut(doc, 0, rests, lambda count, detail: render_mark(count, "lines", detail)).text


def test_the_default_level_cuts_whole_comment_blocks_in_brace_languages_but_not_the_named_ones() -> None:
    original = (FIXTURES / "code_stdio.h").read_text()
    out = CodeCompressor().compress(original, None, ctx(original))
    assert out is not None and parses_as_well(original, out.text, "c")
    assert "/* Close STREAM." not in out.text and "extern int fclose (FILE *__stream);\n" in out.text
    assert re.search(r"^// \[…\d+ lines \d+-\d+ comment\]\nextern int fclose \(FILE \*__stream\);$", out.text, re.M)
    named = CodeCompressor().compress(original, None, ctx(original, "What does fclose do?"))
    assert named is not None and "/* Close STREAM." in named.text


def test_an_output_the_parser_cannot_check_is_not_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    original = read("go_pkg_errors.go")
    calls: list[int] = []

    def failing(*args: object) -> list[tuple[int, int, int, int]]:
        calls.append(1)
        raise _scan.AstGrepError("ast-grep timed out")

    monkeypatch.setattr(_check, "error_spans", failing)
    assert CodeCompressor().compress(original, None, ctx(original)) is None
    assert len(calls) == 1  # no search for culprits when the parser itself fails


def test_a_long_literal_value_goes_like_a_body_and_stays_when_the_question_is_about_it() -> None:
    original = read("c_xxmodule.c")
    out = CodeCompressor().compress(original, None, ctx(original))
    assert out is not None and parses_as_well(original, out.text, "c")
    found = re.search(
        r"^static PyTypeObject Xxo_Type = \{\n    // (\[(?:hr1:\d+ )?…43 lines (\d+)-(\d+) values\])\n\};$",
        out.text,
        re.M,
    )
    assert found is not None
    hr = Headroom(store=MemoryStore())
    result = hr.compress_text(original)
    markers = [
        m for m in find_markers(result.text, result.manifest.handles) if m.detail and m.detail.endswith("values")
    ]
    assert len(markers) == 5  # three type objects, the method table and the module definition
    for marker in markers:
        assert marker.span is not None
        restored = hr.retrieve(marker.handle, lines=marker.span)
        assert restored == "".join(split_lines(original)[marker.span[0] - 1 : marker.span[1]])
    asked = CodeCompressor().compress(original, None, ctx(original, query="which slot holds Xxo_getattro?"))
    assert asked is not None and "(getattrofunc)Xxo_getattro, /*tp_getattro*/" in asked.text
    names = "".join(f'    "a_rather_long_public_name_{i}",\n' for i in range(6))
    rows = "".join(f"        'setting_number_{i}': {i} * 1024,\n" for i in range(6))
    source = f"X = 1\n__all__ = [\n{names}]\n\n\nclass C:\n    table = {{\n{rows}    }}\n"
    out = CodeCompressor().compress(source, None, ctx(source, args=json.dumps({"path": "m.py"})))
    assert out is not None and compiles(out.text)
    assert re.search(r"^__all__ = \[\n    # \[(?:hr1:\d+ )?…6 lines 3-8 values\]\n\]$", out.text, re.M)
    assert re.search(r"^    table = \{\n        # \[(?:hr1:\d+ )?…6 lines 14-19 values\]\n    \}$", out.text, re.M)


def test_definitions_and_wrappers_are_not_taken_for_literal_values() -> None:
    c_source = (
        "typedef struct {\n" + "".join(f"    unsigned long long field_number_{i};\n" for i in range(8)) + "} Point;\n"
    )
    assert (
        CodeCompressor().compress(c_source, None, ctx(c_source, args=json.dumps({"path": "point.c"}))) is None
    )  # a type's definition stays
    body = "".join(f"    var value_{j} = compute(argument, {j}) * configuration.scale;\n" for j in range(4))
    js = (
        "module.exports = {\n"
        + "".join(f"  f{i}: function (argument) {{\n{body}    log(value_0);\n  }},\n" for i in range(3))
        + "};\n"
    )
    out = CodeCompressor().compress(js, None, ctx(js, args=json.dumps({"path": "m.js"})))
    assert (
        out is not None and "values" not in out.text and out.text.count("calls: compute, log") == 3
    )  # its functions go one by one


def test_a_literal_the_question_is_about_keeps_the_entries_it_names_and_cuts_the_rest() -> None:
    original = read("c_xxmodule.c")
    out = CodeCompressor().compress(original, None, ctx(original, query="which slot holds Xxo_getattro?"))
    assert out is not None and parses_as_well(original, out.text, "c")
    start = out.text.index("static PyTypeObject Xxo_Type = {")
    literal = out.text[start : out.text.index("};", start)]
    assert "(getattrofunc)Xxo_getattro, /*tp_getattro*/" in literal
    assert "/*tp_setattro*/" not in literal and literal.count("values]") == 2  # before and after the entry


@pytest.mark.parametrize("name", ["python_textwrap.py", "js_semver_range.js", "go_pkg_errors.go", "c_xxmodule.c"])
@pytest.mark.parametrize("share", [0.1, 0.25, 0.5])
def test_a_target_is_reached_or_the_shortfall_recorded(name: str, share: float) -> None:
    original = read(name)
    target = int(COUNTER.count(original) * share)
    context = ctx(original, query="what does it do")
    out = CodeCompressor().compress(original, target, context)
    assert out is not None
    tokens = COUNTER.count(mark_piece(out.text, original, context.handle))  # with the handle the core writes
    assert tokens <= target
    assert tokens >= 0.9 * target or any("of a" in note and "target" in note for note in out.fallbacks)


def test_a_one_line_body_goes_at_the_default_level_only_where_that_saves() -> None:
    cheap = "    return self._x\n"
    costly = "    return self._compute(first_argument, second_argument, third_argument, {fourth: fifth, sixth: 7})\n"
    source = f"class C:\n    def a(self):\n    {cheap}\n    def b(self):\n    {costly}"
    out = CodeCompressor().compress(source, None, ctx(source, args=json.dumps({"path": "c.py"})))
    assert out is not None and compiles(out.text)
    assert cheap.strip() in out.text and costly.strip() not in out.text


@pytest.mark.skipif(find_binary() is None, reason="the ast-grep CLI is not installed")
@pytest.mark.parametrize("name", [n for n, lang in SOURCES.items() if lang != "python"])
def test_the_binding_and_the_cli_see_the_same_outline_and_errors(name: str) -> None:
    # the in-process binding replaced one CLI process per file and per checked output; where it is
    # missing the CLI stands in, so both must give the same outline, errors included
    binary = find_binary()
    assert binary is not None
    original = read(name) + "\n/* caf\u00e9 \U0001f600 */ int broken( {\n"  # wide characters, an error node
    lines = split_piece(original, None)[0].lines
    language = SOURCES[name]
    in_process, cli = AstGrep(), AstGrep(binary)
    a, b = outline_astgrep(in_process, language, lines, 3), outline_astgrep(cli, language, lines, 3)
    assert (a.symbols, a.regions, a.errors) == (b.symbols, b.regions, b.errors)
    assert a.errors and error_spans(in_process, language, original) == error_spans(cli, language, original)


def _files_in_ast_grep_languages() -> list[tuple[str, str]]:
    out = []
    for path in ALL_FILES:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        for chunk in split_piece(text, path.name):
            if chunk.language in LANGUAGES:
                out.append((f"{path.name}:{chunk.start}", chunk.language))
    return out


@pytest.mark.parametrize(("where", "language"), _files_in_ast_grep_languages(), ids=lambda v: str(v))
def test_the_one_walk_finds_what_the_rules_find(where: str, language: str) -> None:
    # the in-process scan reads every role in one walk over the tree instead of one search per
    # rule (0.44 s of 0.62 s on a 1 MB C header); the rules stay the definition, so over every
    # fixture, with an error node and wide characters added, both find the same nodes in the same order
    name, start = where.rsplit(":", 1)
    path = next(p for p in ALL_FILES if p.name == name)
    chunk = next(
        c
        for c in split_piece(path.read_text(encoding="utf-8", errors="surrogateescape"), name)
        if str(c.start) == start
    )
    code = "".join(chunk.lines) + "\n/* caf\u00e9 \U0001f600 */ int broken( {\n"
    root, to_byte = _scan._parse(language, code)
    walked = _scan._walk(root, roles(language), to_byte)
    searched = _scan.rule_matches(language, rules(language), code)
    assert walked == searched
    assert {m.rule for m in walked} >= {"name", "item", "err"}


def test_a_declarator_field_counts_only_its_first_node() -> None:
    # error recovery in a C typedef of a function pointer behind an unknown macro puts four nodes
    # in the type_definition's declarator field; the rule (and so the walk) takes only the first
    code = (
        "typedef EGLBoolean (EGLAPIENTRYP PFNEGLCHOOSECONFIGPROC) (EGLDisplay dpy, const EGLint *attrib_list,"
        " EGLConfig *configs, EGLint config_size, EGLint *num_config);\n"
    )
    root, to_byte = _scan._parse("c", code)
    walked = [m.text for m in _scan._walk(root, roles("c"), to_byte) if m.rule == "decl"]
    assert walked == [m.text for m in _scan.rule_matches("c", rules("c"), code) if m.rule == "decl"]
    assert "config_size" not in walked


def test_under_a_budget_only_outputs_that_fit_are_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # the default level (bodies cut, nothing else) cannot be sent under a budget, yet it was rendered and
    # parsed again on every call: for a 1 MB C header a second full parse, 0.3 s of 1.8 s
    original = read("c_xxmodule.c")
    budget = COUNTER.count(original) // 4
    checked: list[str] = []
    targets: list[int | None] = []
    real, answer = _check.error_spans, CodeCompressor._answer
    monkeypatch.setattr(_check, "error_spans", lambda *a: checked.append(a[2]) or real(*a))
    monkeypatch.setattr(CodeCompressor, "_answer", lambda self, *a, **k: targets.append(a[1]) or answer(self, *a, **k))
    result = Headroom(model="gpt-4").compress_text(original, budget)
    assert result.within_budget and checked and None not in targets
    assert max(COUNTER.count(text) for text in checked) <= max(t for t in targets if t is not None)


def test_a_render_over_every_target_is_made_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # when every cut still leaves the piece over the targets (a 1 MB file at an 8k budget) each target
    # asked rendered and counted the same output again: seven renders of 37k tokens for one answer
    original = read("cpp_stl_stack.h")
    renders: list[int] = []
    real = _code_compressor.cut
    monkeypatch.setattr(_code_compressor, "cut", lambda *a: renders.append(1) or real(*a))
    compressor = CodeCompressor()
    context = ctx(original)
    for target in (20, 30, 40, 25):
        assert compressor.compress(original, target, context) is None
    assert len(renders) == len(compressor._document(original, None).chunks)


def test_a_comment_of_one_or_two_lines_may_go_under_a_budget_only() -> None:
    # only blocks of three lines were offered, so under a tight target a licence line or a banner
    # between two cuts stayed (ElementInclude.py kept 25 tokens of them at 15% and lost the asked line)
    original = read("python_textwrap.py")
    lines = split_piece(original, "textwrap.py")[0].lines
    outline = parse_document(original, "textwrap.py", 3).outlines[0]
    assert outline is not None
    short = [r for r in outline.regions if r.label == "comment" and r.last - r.first < 2]
    assert any(lines[r.first].lstrip().startswith("# XXX this is not locale") and r.last == r.first + 1 for r in short)
    plain = CodeCompressor().compress(original, None, ctx(original, args=json.dumps({"path": "textwrap.py"})))
    assert plain is not None and "# XXX this is not locale" in plain.text  # the default level keeps it
    target = COUNTER.count(original) // 4
    out = CodeCompressor().compress(original, target, ctx(original, "wrap", json.dumps({"path": "textwrap.py"})))
    assert out is not None and compiles(out.text) and COUNTER.count(out.text) <= target
    assert "# XXX this is not locale" not in out.text


def test_an_answer_does_not_depend_on_the_targets_asked_before_it() -> None:
    """A warm instance sends what a fresh one sends (DESIGN: deterministic).

    Cuts found to break a parse while answering one target used to stay for the next, and forms
    are kept across calls, so after four budgets this C file came out 2,085 characters long in a
    warm instance and 1,838 in a fresh one.
    """
    text = (GOLDEN / "c_xxmodule.c").read_text()
    tokens = COUNTER.count(text)
    call = {"id": "c1", "type": "function", "function": {"name": "read_file", "arguments": '{"path": "xxmodule.c"}'}}

    def messages() -> list[dict[str, object]]:
        question = {"role": "user", "content": "what does the main function do"}
        return [
            question,
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "c1", "content": text},
        ]

    warm = Headroom(model="gpt-4")
    for share in (0.5, 0.3, 0.2, 0.12):
        warm.compress(messages(), budget=int(tokens * share) + 200)
    budget = int(tokens * 0.15) + 200
    sent = warm.compress(messages(), budget=budget).messages[-1]["content"]
    assert sent == Headroom(model="gpt-4").compress(messages(), budget=budget).messages[-1]["content"]
