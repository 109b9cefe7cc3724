"""Routing by what dominates, hints first (issue 11; docs/routing.md)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import Headroom, MemoryStore
from headroom.hints import hint_for
from headroom.registry import Registry
from headroom.testing import FakeCounter

ROUTER = Registry().router

LOG = "".join(f"2024-05-01 12:00:{k % 60:02d} INFO worker {k} finished job {k * 7}\n" for k in range(120))
GREP = "".join(f"src/pkg/mod{k % 9}.py:{k + 10}:    value = compute({k})\n" for k in range(120))
CODE = "".join(f"fn helper_{k}(x: u32) -> u32 {{\n    let y = x + {k};\n    y * 2\n}}\n\n" for k in range(40))
DIFF = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n" + "".join(
    f"@@ -{k * 10},3 +{k * 10},3 @@\n context {k}\n-old line {k}\n+new line {k}\n" for k in range(40)
)
FOREIGN = (
    "diff --git a/tests/fixture.rs b/tests/fixture.rs",
    '{"name": "example", "version": 1}',
    "ERROR something failed here",
    "src/other.py:12: a grep line",
    "@@ -1,3 +1,3 @@",
)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from((LOG, GREP, CODE, DIFF)), st.sampled_from(FOREIGN), st.floats(0.0, 1.0))
def test_one_foreign_line_never_flips_a_piece(text: str, foreign: str, where: float) -> None:
    lines = text.split("\n")
    at = int(where * len(lines))
    changed = "\n".join([*lines[:at], foreign, *lines[at:]])
    assert ROUTER.detect(changed) == ROUTER.detect(text)


def test_the_base_texts_route_as_their_family() -> None:
    assert [ROUTER.detect(t) for t in (LOG, GREP, CODE, DIFF)] == ["log", "search", "code", "diff"]


def test_a_long_stat_section_is_still_a_diff() -> None:
    stat = "".join(f" src/module_{k}.py | {k % 40 + 1} {'+' * (k % 20)}\n" for k in range(1_500))
    text = "commit 0123456789abcdef\nAuthor: a <a@b>\nDate:   now\n\n    a change\n---\n" + stat + DIFF * 3
    assert len(text.split("diff --git")[0]) > 20_000
    assert ROUTER.detect(text) == "diff"


def test_hints_come_from_the_command_or_the_path() -> None:
    assert hint_for("x", "run", json.dumps({"cmd": "git show HEAD~2"})) == ("diff", "command 'git'")
    assert hint_for("x", "run", json.dumps({"cmd": "pip install -v requests"})) == ("log", "command 'pip'")
    assert hint_for("x", "read_file", json.dumps({"path": "src/lib.rs"})) == ("code", "extension .rs")
    assert hint_for("x", "run", json.dumps({"cmd": "cat -n src/lib.rs"})) == ("code", "extension .rs")
    assert hint_for("x", "run", json.dumps({"cmd": "grep -rn needle src/"})) == ("search", "command 'grep'")
    # a JSON hint needs output that parses: an HTML error page from curl is not JSON
    assert hint_for("<html>oops</html>", "run", json.dumps({"cmd": "curl https://x.org/a.json"})) is None
    assert hint_for('{"a": 1}', "run", json.dumps({"cmd": "curl https://x.org/a.json"}))[0] == "json"
    assert hint_for("x", "run", json.dumps({"cmd": "echo hello"})) is None


def test_the_hint_outranks_a_stray_line_and_is_recorded() -> None:
    source = CODE + "// fixture:\n" + DIFF.split("\n@@")[0] + "\n" + CODE
    messages = [
        {"role": "user", "content": "what does helper_3 return?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "read", "arguments": '{"path": "src/lib.rs"}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": source},
    ]
    result = Headroom(counter=FakeCounter(), store=MemoryStore()).compress(messages, 300)
    entry = result.manifest.entries[0]
    assert entry.content_type == "code" and entry.route == "hint: extension .rs"


def test_small_json_examples_in_docstrings_do_not_make_a_file_mixed() -> None:
    example = '```json\n{"name": "x", "id": 1}\n```\n'
    doc = "".join(f"def handler_{k}(request):\n    return respond(request, {k})\n\n" for k in range(60))
    bundle = "Handlers of the service, with one example of their input:\n\n" + example + doc
    assert ROUTER.detect(bundle) != "mixed"


def test_pip_verbose_output_is_a_log_by_its_content() -> None:
    text = "".join(
        f"Using pip 24.0 from /usr/lib/python3/dist-packages/pip (python 3.11)\n"
        f"Looking in indexes: https://pypi.org/simple\n"
        f"Created temporary directory: /tmp/pip-build-{k}\n"
        f"  Found link https://files.example.org/pkg-{k}.tar.gz, version: 1.{k}\n"
        f"  Skipping link: not a file: https://files.example.org/pkg-{k}/\n"
        f"Added pkg=={k} to build tracker '/tmp/pip-tracker'\n"
        f"  Link requires a different Python (3.12 not in: '>=3.13'): https://x.org/pkg-{k}.whl\n"
        f"Removed pkg=={k} from build tracker '/tmp/pip-tracker'\n"
        for k in range(20)
    )
    assert ROUTER.detect(text) == "log"


def test_source_extensions_are_the_code_familys_own() -> None:
    """One list of source extensions: hints ask the code family's table (an Objective-C ``.m`` file
    was code to the family and nothing to the hints when each kept its own)."""
    from headroom.compressors.code._lang import EXTENSIONS as SOURCE
    from headroom.hints import EXTENSIONS, extension_type

    assert all(extension_type(ext) == "code" for ext in SOURCE if ext not in EXTENSIONS)
    assert hint_for("x", "read", '{"path": "src/View.M"}') == ("code", "extension .m")
    assert extension_type("md") is None


GOLDEN = Path(__file__).parent / "golden"
REAL = {
    name: (GOLDEN / name).read_text(encoding="utf-8")
    for name in (
        "code/python_textwrap.py",
        "code/c_xxmodule.c",
        "code/js_semver_range.js",
        "prose/man_grep.txt",
        "prose/man_ls.txt",
        "prose/readme_jq.txt",
        "text/gpl3.txt",
    )
}


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(sorted(REAL)), st.floats(0.0, 1.0))
def test_one_stray_hunk_header_in_real_code_or_text_changes_nothing(name: str, where: float) -> None:
    """A hunk is its ``@@`` line's counts: a stray one no longer claims every indented line below
    it (a man page went to the diff compressor, a Python module too when it sat near the top)."""
    lines = REAL[name].split("\n")
    at = int(where * len(lines))
    changed = "\n".join([*lines[:at], "@@ -1,3 +1,3 @@", *lines[at:]])
    assert ROUTER.detect(changed) == ROUTER.detect(REAL[name])


def test_a_page_after_a_response_s_headers_or_a_warning_is_still_html() -> None:
    """``curl -i`` prints the status line and headers before the page; a tool may print a warning
    first. Both went to the generic compressor or to code, a page's markup cut as lines."""
    page = (GOLDEN / "html" / "sphinx_shlex.html").read_text(encoding="utf-8")
    headers = "HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\nContent-Length: 41234\n\n"
    assert ROUTER.detect(headers + page) == ROUTER.detect("warning: certificate not verified\n" + page) == "html"
    # twenty lines before the page at most, none holding a tag
    assert ROUTER.detect("note\n" * 21 + page) != "html"
    assert ROUTER.detect("see <b>this</b>\n" + page) != "html"


def test_a_real_csv_routes_as_a_table_with_a_line_above_or_below_it() -> None:
    """A title or a warning above a CSV file, a count or a prompt under it, are notes: the file
    went to the generic compressor. distro-info's debian.csv went to the search compressor, its
    dates read as grep context lines (``1.1,Buzz,buzz,1993-08-16``: ``path-08-``)."""
    for name in ("debian.csv", "umath-log.csv", "mt19937.csv"):
        text = (GOLDEN / "table" / name).read_text(encoding="utf-8")
        assert ROUTER.detect(text) == "table", name
        assert ROUTER.detect("Results of the query:\n" + text) == "table", name
        assert ROUTER.detect(text.rstrip("\n") + "\n(120 rows)\n") == "table", name
        assert ROUTER.detect("warning: stale cache\n" + text.rstrip("\n") + "\n$ ") == "table", name
        # two lines that are no record are not notes
        assert ROUTER.detect("Results\nof the query:\n" + text) != "table", name
    # a note is kept, as a comment is, where it stood
    from headroom.compressors.table._parse import parse_table

    table = parse_table("Results of the query:\n" + (GOLDEN / "table" / "debian.csv").read_text(encoding="utf-8"))
    assert table is not None and table.lines[0] == "Results of the query:\n" and table.rows[0] == {}
    assert table.head == ["version,codename,series,created,release,eol,eol-lts,eol-elts\n"]
