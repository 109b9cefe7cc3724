"""Members declared or defined in a class are symbols under the class's path, in languages ast-grep
reads (issue 12), on real sources: libstdc++'s ``bits/stl_stack.h`` and ``bits/fs_path.h``,
TypeScript (rxjs's ``Observable``) and Java (``StringJoiner``).

Every libstdc++ header opens its namespace with a macro alone on its line
(``_GLIBCXX_BEGIN_NAMESPACE_VERSION``), which the parser reads as a function
whose body is a block: the class ``stack`` inside it was named ``deque`` (a
name in its template's head), a method under ``_GLIBCXX_NODISCARD`` was
``const_referencetop``, and no member declared in ``path`` (``path&
remove_filename();``) was a symbol at all. Member declarations elsewhere were
symbols by their bare name only (``operator++``, ``prefix``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from headroom import Headroom, MemoryStore, PieceContext, TokenCounter, make_handle
from headroom.compressors.code._document import parse_document
from headroom.compressors.code._order import named
from headroom.compressors.code.compressor import CodeCompressor

HERE = Path(__file__).parent.parent
STACK = (HERE / "golden" / "code" / "cpp_stl_stack.h").read_text()
FS_PATH = (HERE / "fixtures" / "cpp_fs_path.h").read_text()
COUNTER = TokenCounter.for_model("gpt-4")


def names(source: str, file_name: str) -> list[str]:
    (outline,) = parse_document(source, file_name, 3).outlines
    assert outline is not None
    return [s.name for s in outline.symbols]


def test_a_class_opened_after_a_namespace_macro_is_named_by_its_own_name() -> None:
    found = names(STACK, "stl_stack.h")
    assert "std.stack" in found and "std.deque" not in found
    assert found.count("std.stack.top") == 2  # the const overload too, under _GLIBCXX_NODISCARD
    assert not any("const_referencetop" in n for n in found)
    assert {"std.stack.push", "std.stack.pop", "std.stack.empty", "std.stack.size"} <= set(found)


def test_members_declared_in_a_class_inside_a_misread_namespace_are_symbols() -> None:
    found = names(FS_PATH, "fs_path.h")
    for member in ("make_preferred", "remove_filename", "replace_extension", "swap", "u16string"):
        assert f"std.filesystem.path.{member}" in found, member
    assert "std.path::iterator.operator++" in found  # a declared operator, under its class's path


def test_member_declarations_of_typescript_and_java_classes_carry_their_class() -> None:
    golden = HERE / "golden" / "code"
    ts = names((golden / "ts_rxjs_observable.ts").read_text(), "observable.ts")
    assert "Observable.source" in ts and "source" not in ts
    java = names((golden / "java_stringjoiner.java").read_text(), "StringJoiner.java")
    assert {"StringJoiner.prefix", "StringJoiner.delimiter"} <= set(java)


@pytest.mark.parametrize("name", ["stack::top", "stack.top", "std::stack::top", "top"])
def test_retrieve_a_method_by_its_qualified_or_bare_name(name: str) -> None:
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    handle = make_handle(STACK)
    hr.store.put(handle, STACK, meta={"content_type": "code", "file_name": "stl_stack.h"})
    text = hr.retrieve(handle, symbol=name)
    assert "      top()\n" in text and "      top() const\n" in text and "return c.back();" in text


def test_a_question_naming_a_declared_member_finds_it() -> None:
    (outline,) = parse_document(FS_PATH, "fs_path.h", 3).outlines
    assert outline is not None
    query = "What does path::remove_filename return?"
    asked = {outline.symbols[i].name for i in named(outline.symbols, query)}
    assert "std.filesystem.path.remove_filename" in asked
    target = int(COUNTER.count(FS_PATH) * 0.05)
    ctx = PieceContext(make_handle(FS_PATH), COUNTER, query, "read_file", "bits/fs_path.h")
    out = CodeCompressor().compress(FS_PATH, target, ctx)
    assert out is not None and "path& remove_filename();" in out.text
