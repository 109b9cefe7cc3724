"""The diff compressor on real diffs: kept hunks apply to the real pre-image, everything omitted is marked.

``tomli.diff`` is ``diff -ruN tomli-2.0.1 tomli-2.1.0`` of the two sdists from PyPI,
``git_diff_W_tomli.txt`` the same change as ``git diff -W`` (whole functions as
context) in a repository of tomli's releases, ``git_show_tomli.txt`` ``git show
--stat -p`` of its 2.2.1 commit and ``git_diff_stat_packaging.txt`` ``git diff
--stat`` between packaging 24.1 and 24.2, ``git_log_p_tomli.txt`` ``git log -p --stat -3``
of that repository. ``tomli-2.0.1/`` holds the files of the
2.0.1 sdist that the diffs touch: the real pre-image.
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom import Headroom, MemoryStore, PieceContext, TokenCounter, find_markers, make_handle
from headroom.compressors.base import split_lines
from headroom.compressors.diff._forms import focus, plain, runs
from headroom.compressors.diff._parse import parse_diff
from headroom.compressors.diff._select import choose
from headroom.compressors.diff.compressor import DiffCompressor
from headroom.errors import InvalidInput
from headroom.registry import Registry

GOLDEN = Path(__file__).parent.parent / "golden" / "diff"
CORPUS = Path(__file__).parent.parent.parent / "benchmarks" / "corpus" / "fixtures"
PREIMAGE = GOLDEN / "tomli-2.0.1"
COUNTER = TokenCounter.for_model("gpt-4")
REAL = ["tomli.diff", "git_diff_W_tomli.txt", "git_show_tomli.txt", "git_log_p_tomli.txt"]
# diff -> (leading parts of its parsed paths that are not in the pre-image, the -p level of its paths)
APPLIES = {"tomli.diff": (1, 1), "git_diff_W_tomli.txt": (0, 1)}


def compress(text: str, target: int, query: str | None = None) -> str | None:
    out = DiffCompressor().compress(text, target, PieceContext(make_handle(text), COUNTER, query))
    if out is None:
        return None
    assert COUNTER.count(out.text) <= target
    markers = find_markers(out.text, {make_handle(text)})
    for unit in ("hunks", "lines", "files", "commits"):
        assert sum(m.count for m in markers if m.unit == unit) == out.omitted.get(unit, 0)
    return out.text


def hunks_of(text: str) -> list[tuple[str, int, list[str], int, list[str]]]:
    """Each hunk of a diff as (path, old start, old lines, new start, new lines), lines without endings."""
    diff = parse_diff(split_lines(text))
    out = []
    for hunk in diff.hunks:
        body = diff.lines[hunk.start + 1 : hunk.end]
        old = [line[1:].rstrip("\n") for line in body if line[:1] in (" ", "-")]
        new = [line[1:].rstrip("\n") for line in body if line[:1] in (" ", "+")]
        match = re.match(r"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@", diff.lines[hunk.start])
        assert match and int(match[1] or 1) == len(old) and int(match[2] or 1) == len(new), diff.lines[hunk.start]
        out.append((diff.files[hunk.file].path, hunk.old_start, old, hunk.new_start, new))
    return out


def apply(pre: list[str], hunks: list[tuple[str, int, list[str], int, list[str]]]) -> list[str]:
    """Apply the hunks of one file to its lines, checking every old line where the header says it is."""
    post = list(pre)
    shift = 0
    for _, old_start, old, _, new in hunks:
        at = (old_start if old else old_start + 1) - 1 + shift
        assert post[at : at + len(old)] == old, f"hunk at -{old_start} does not match the pre-image"
        post[at : at + len(old)] = new
        shift += len(new) - len(old)
    return post


def check_applies(original: str, compressed: str, strip: int) -> None:
    """Every kept hunk matches the real pre-image where its header says, and yields the real post-image there."""
    by_file: dict[str, list[tuple[str, int, list[str], int, list[str]]]] = {}
    for hunk in hunks_of(original):
        by_file.setdefault(hunk[0], []).append(hunk)
    for path, old_start, old, new_start, new in hunks_of(compressed):
        relative = path.split("/", strip)[-1] if strip else path
        pre = (PREIMAGE / relative).read_text().split("\n")[:-1]
        post = apply(pre, by_file[path])
        if old:
            assert pre[old_start - 1 : old_start - 1 + len(old)] == old, f"{path} -{old_start}"
        if new:
            assert post[new_start - 1 : new_start - 1 + len(new)] == new, f"{path} +{new_start}"


def accepting_tools(patch_text: str, tmp_path: Path, strip: int) -> set[str]:
    """Which of ``git apply --check`` and ``patch --dry-run`` (where installed) accept the patch on the pre-image."""
    tmp_path.mkdir()
    (tmp_path / "out.patch").write_text(patch_text)
    commands = {
        "git": ["git", "apply", "--check", f"-p{strip}"],
        "patch": ["patch", "--dry-run", "--force", "--fuzz=0", f"-p{strip}", "-i"],
    }
    accepted = set()
    for tool, command in commands.items():
        if shutil.which(tool):
            tree = tmp_path / tool
            shutil.copytree(PREIMAGE, tree)
            done = subprocess.run([*command, str(tmp_path / "out.patch")], cwd=tree, capture_output=True, text=True)
            if done.returncode == 0:
                accepted.add(tool)
    return accepted


def check_accounting(original: str, compressed: str) -> None:
    """Markers cover disjoint line ranges; every other line is kept verbatim and in order (or re-headed, if @@)."""
    lines = split_lines(original)
    handle = make_handle(original)
    covered: set[int] = set()
    for marker in find_markers(compressed, {handle}):
        assert marker.spans, marker  # one range, or a summary mark's many (the diff's tightest form)
        for first, last in marker.spans:
            assert not covered & set(range(first, last + 1)), "markers overlap"
            covered |= set(range(first, last + 1))
    out = [re.sub(r" \[(?:hr1:\d+ )?…[^\]]*\]$", "", line.rstrip("\n")) for line in split_lines(compressed)]
    out_iter = iter(out)
    for number, line in enumerate(lines, 1):
        if number in covered or line.startswith("@@"):
            continue
        assert any(kept == line.rstrip("\n") for kept in out_iter), (
            f"line {number} is neither kept nor marked: {line!r}"
        )


def test_parse_real_diffs() -> None:
    for name in REAL:
        diff = parse_diff(split_lines((GOLDEN / name).read_text()))
        assert diff.hunks and all(a.end <= b.start for a, b in zip(diff.hunks, diff.hunks[1:]))
        hunks_of((GOLDEN / name).read_text())  # every header's counts match its lines
    show = parse_diff(split_lines((GOLDEN / "git_show_tomli.txt").read_text()))
    assert [f.path for f in show.files] == [
        "PKG-INFO",
        "README.md",
        "pyproject.toml",
        "src/tomli/__init__.py",
        "src/tomli/_parser.py",
        "src/tomli/_re.py",
    ]
    assert sorted(show.stat.values()) == [3, 5, 12, 71, 73, 90]
    ruN = parse_diff(split_lines((GOLDEN / "tomli.diff").read_text()))
    assert ruN.files[3].path == "tomli-2.1.0/src/tomli/__init__.py" and all(f.collapsible for f in ruN.files)


def test_crlf_and_bare_hunks() -> None:
    text = "@@ -1,3 +1,3 @@\r\n a\r\n-b\r\n+c\r\n\r\n@@ -10,2 +10,2 @@\r\n-x\r\n+y\r\n z\r\n"
    diff = parse_diff(split_lines(text))
    assert [(h.start, h.end, h.added, h.removed) for h in diff.hunks] == [(0, 5, 1, 1), (5, 9, 1, 1)]
    out = compress(text * 3, 40)
    assert out is not None and "? +" not in out  # a diff without file headers names no file


@pytest.mark.parametrize("name", list(APPLIES))
@pytest.mark.parametrize("share", [0.8, 0.45, 0.2, 0.08])
@pytest.mark.parametrize("query", [None, "version", "parse_basic_str escape"])
def test_kept_hunks_apply_to_the_real_preimage(name: str, share: float, query: str | None, tmp_path: Path) -> None:
    original = (GOLDEN / name).read_text()
    target = int(COUNTER.count(original) * share)
    compressed = compress(original, target, query)
    assert compressed is not None
    check_accounting(original, compressed)
    result = DiffCompressor().compress(original, target, PieceContext(make_handle(original), COUNTER, query))
    assert result is not None
    if any("no longer applies as a patch" in note for note in result.fallbacks):
        # file headers went to marks to keep the lines the query ranks first, and the result says so
        assert query is not None
        return
    check_applies(original, compressed, APPLIES[name][0])
    # a tool that applies the original applies the compressed diff too (git apply takes diff -ruN's 1970
    # timestamp on PKG-INFO for a new file; patch takes git -W's uneven context for a hunk at a file's edge)
    accepted = accepting_tools(original, tmp_path / "original", APPLIES[name][1])
    assert accepted or not (shutil.which("git") or shutil.which("patch"))
    assert accepted <= accepting_tools(compressed, tmp_path / "compressed", APPLIES[name][1])


def test_context_is_trimmed_and_reheaded() -> None:
    original = (GOLDEN / "git_diff_W_tomli.txt").read_text()
    compressed = compress(original, int(COUNTER.count(original) * 0.6))
    assert compressed is not None
    before, after = hunks_of(original), hunks_of(compressed)
    assert len(after) > len(before) // 2  # most hunks survive: the whole-function context went first
    # context lines cut: fewer old-side lines than the share of the room (room left once every hunk
    # is in buys context back, so the target is reached)
    assert sum(len(h[2]) for h in after) < 0.6 * sum(len(h[2]) for h in before)
    assert {(h[0], h[1]) for h in after} - {(h[0], h[1]) for h in before}, "some hunk was re-headed"
    assert all(m.unit in ("lines", "hunks") for m in find_markers(compressed, {make_handle(original)}))


@pytest.mark.parametrize("name", REAL)
@pytest.mark.parametrize("share", [0.5, 0.15])
def test_headers_and_markers_through_the_client(name: str, share: float) -> None:
    original = (GOLDEN / name).read_text()
    lines = split_lines(original)
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(original, int(COUNTER.count(original) * share), query="version")
    (entry,) = result.manifest.entries
    assert result.within_budget and entry.compressor == "diff"
    out = result.text
    diff = parse_diff(lines)
    markers = find_markers(out, result.manifest.handles)
    for section in diff.files:  # every file keeps its header, or a marker names it with its counts
        header = "".join(lines[section.start : section.header_end])
        assert header in out or any(
            any(section.path.endswith(word) for word in (m.detail or "").split()) for m in markers
        ), section.path
    in_hunks = {i for h in diff.hunks for i in range(h.start, h.end)}
    for index, line in enumerate(lines):  # commit headers, messages and --stat lines are all kept
        if index not in in_hunks and line.startswith(("commit ", "    ", " src/")):
            assert line in out
    for marker in markers:
        assert marker.span is not None
        first, last = marker.span
        assert hr.retrieve(marker.handle, lines=(first, last)) == "".join(lines[first - 1 : last])
    check_accounting(original, out)


def test_file_markers_carry_counts() -> None:
    original = (GOLDEN / "git_show_tomli.txt").read_text()
    compressed = compress(original, 700, "version")
    assert compressed is not None
    diff = parse_diff(split_lines(original))
    named = 0
    for marker in find_markers(compressed, {make_handle(original)}):
        if marker.unit not in ("hunks", "files"):
            continue  # a lines mark inside a kept hunk carries its range only
        for part in (marker.detail or "").split(" ", 1)[1].split(", "):
            found = re.fullmatch(r"(?:(\S+) )?\+(\d+) -(\d+)", part)
            assert found, part
            path, added, removed = found.groups()
            if path:
                (section,) = [f for f in diff.files if f.path.endswith(path)]
                hunks = [diff.hunks[h] for h in section.hunks]
                assert (int(added), int(removed)) == (sum(h.added for h in hunks), sum(h.removed for h in hunks))
                named += 1
    assert named


def test_whole_commits_go_when_their_headers_do_not_fit() -> None:
    """At 300 tokens three commits' headers leave no room for a patch: the commit holding no strong
    match goes whole to a mark, the others keep their commit line, subject and the matching lines."""
    original = (GOLDEN / "git_log_p_tomli.txt").read_text()
    diff = parse_diff(split_lines(original))
    assert len(diff.commits) == 3
    out = DiffCompressor().compress(
        original, 300, PieceContext(make_handle(original), COUNTER, "DEPRECATED_DEFAULT sentinel")
    )
    assert out is not None and COUNTER.count(out.text) <= 300
    compressed = out.text
    markers = find_markers(compressed, {make_handle(original)})
    assert markers[-1].unit == "commits" and markers[-1].count == 1  # the oldest commit: no match
    assert "    tomli 2.1.0\n" in compressed and "commit 54c7c8a4a776e38405a5289c865236fc666b55dc\n" in compressed
    assert "+class DEPRECATED_DEFAULT:\n" in compressed  # the sentinel the question names, in the commit that adds it
    assert any("given whole to marks" in note for note in out.fallbacks)
    check_accounting(original, compressed)


def test_query_hunk_is_kept() -> None:
    original = (GOLDEN / "tomli.diff").read_text()
    compressed = compress(original, 1200, "__version__")
    assert compressed is not None and '+__version__ = "2.1.0"' in compressed


def test_stat_listing() -> None:
    original = (GOLDEN / "git_diff_stat_packaging.txt").read_text()
    assert Registry().router.detect(original) == "diff"
    compressed = compress(original, 200, "licenses")
    assert compressed is not None
    assert " 27 files changed, 1572 insertions(+), 176 deletions(-)\n" in compressed
    assert " src/packaging/licenses/_spdx.py         | 759 " in compressed
    markers = find_markers(compressed, {make_handle(original)})
    assert markers and all(m.unit == "files" for m in markers)
    kept = sum(1 for line in split_lines(compressed) if " | " in line)
    assert kept + sum(m.count for m in markers) == 27


def test_files_selector() -> None:
    original = (GOLDEN / "git_show_tomli.txt").read_text()
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(original, 600)
    (entry,) = result.manifest.entries
    part = hr.retrieve(entry.handle, files="_re.py")
    assert part.startswith("diff --git a/src/tomli/_re.py b/src/tomli/_re.py\n") and part in original
    assert hr.retrieve(entry.handle, files=("README.md", "pyproject.toml")).count("diff --git") == 2
    with pytest.raises(InvalidInput, match="no file in this diff"):
        hr.retrieve(entry.handle, files="nope.py")
    with pytest.raises(InvalidInput, match="files= takes"):
        hr.retrieve(entry.handle, files=3)


def lines_strategy() -> st.SearchStrategy[list[str]]:
    return st.lists(
        st.sampled_from(["alpha", "beta", "gamma", "delta", "def f():", "    return 1", ""]), min_size=1, max_size=80
    )


@settings(max_examples=80, deadline=None)
@given(lines_strategy(), st.data(), st.integers(1, 9), st.floats(0.05, 0.95))
def test_any_unified_diff_stays_applicable(before: list[str], data: st.DataObject, context: int, share: float) -> None:
    after = list(before)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(after)))
        if data.draw(st.booleans()) and at < len(after):
            del after[at]
        else:
            after.insert(at, data.draw(st.sampled_from(["new", "changed line", "    return 2"])))
    body = list(
        difflib.unified_diff(
            [line + "\n" for line in before], [line + "\n" for line in after], "a/x.py", "b/x.py", n=context
        )
    )
    if not body:
        return
    text = "diff --git a/x.py b/x.py\n" + "".join(body)
    target = max(30, int(COUNTER.count(text) * share))
    out = compress(text, target, data.draw(st.sampled_from([None, "return", "gamma delta"])))
    if out is None:
        return
    check_accounting(text, out)
    old_lines = before
    new_lines = after
    for _, old_start, old, new_start, new in hunks_of(out):
        if old:
            assert old_lines[old_start - 1 : old_start - 1 + len(old)] == old
        if new:
            assert new_lines[new_start - 1 : new_start - 1 + len(new)] == new


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 6), st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=12),
    st.integers(40, 600),
)
def test_any_diff_is_accounted(hunks: list[tuple[int, int, int]], target: int) -> None:
    text = ""
    for n, (context, removed, added) in enumerate(hunks):
        if n % 3 == 0:
            text += f"diff --git a/x{n}.py b/x{n}.py\n--- a/x{n}.py\n+++ b/x{n}.py\n"
        text += f"@@ -{n * 20 + 1},{context + removed} +{n * 20 + 1},{context + added} @@\n"
        text += " ctx\n" * context + "-old line\n" * removed + "+new line\n" * added
    out = compress(text, target)
    if out is not None:
        check_accounting(text, out)


# issue 12's patterns. ``git_log_p_contextlib.txt`` is ``git log -p`` of a repository with one
# commit per CPython release from 3.6.15 to 3.13.0, each holding that release's Lib/contextlib.py:
# eight commits, the oldest one long all-added hunk (the new file).
SUBJECT = re.compile(r"^    Python 3\.\d+\.\d+: contextlib as released$", re.M)


def test_a_git_log_of_eight_commits_keeps_subjects_and_the_asked_for_hunk() -> None:
    """The headers are most of the room: 8 commits' essentials cost about 750 tokens with today's
    marks. In a log of one file the commits holding no strong match go whole to marks (pressure
    level 3), so the subjects kept are those of the commits the question matches, the release that
    added ``chdir`` among them, and the room buys the asked-for hunk's lines (24 matching changed
    lines where keeping all 8 subjects left room for 14)."""
    original = (GOLDEN / "git_log_p_contextlib.txt").read_text()
    headers = sum(COUNTER.count(line) for line in split_lines(original) if not line.startswith(("+", "-", " ", "@")))
    for target in (1000, 1200):
        assert target < 2 * headers
        out = compress(original, target, "Which release added the chdir context manager, and how does it work?")
        assert out is not None
        assert "    Python 3.11.7: contextlib as released\n" in out, target
        assert 3 <= len(SUBJECT.findall(out)) < 8, target
        assert "+class chdir(AbstractContextManager):\n" in out, target
        assert "+        os.chdir(self.path)\n" in out, target
        assert any(m.unit == "commits" for m in find_markers(out, {make_handle(original)})), target


def test_a_long_all_added_hunk_shrinks_to_the_asked_for_lines() -> None:
    original = (GOLDEN / "git_log_p_contextlib.txt").read_text()
    query = "In the first commit, what does ContextDecorator's _recreate_cm return?"
    out = compress(original, 1000, query)
    assert out is not None
    # "the first commit" is the oldest, listed last (its one hunk adds the whole file, 384 lines)
    # parts of the new file's one hunk: under @@ lines of their own while the room allows them, or
    # plain under the marks that say where they stand (``[…4 lines 1506-1509]``)
    oldest = out[out.rindex("\ncommit ") :]
    added = [line for line in oldest.splitlines() if line.startswith("+")]
    assert 0 < len(added) < 384
    assert "+            with self._recreate_cm():" in added and "+        return self" in added


def test_code_hunks_win_over_docs_hunks_when_no_query_word_matches() -> None:
    """On a tie (no query word anywhere) code goes before README and changelog hunks."""
    original = (GOLDEN / "tomli.diff").read_text()
    out = compress(original, 400, "What changed in this release?")
    assert out is not None
    kept = [m for m in re.finditer(r"^diff -ruN \S+ (\S+)$", out, re.M)]
    assert kept and all(m[1].endswith(".py") for m in kept), [m[1] for m in kept]


@pytest.mark.parametrize("name", ["tomli.diff", "git_diff_stat_packaging.txt", "git_log_p_contextlib.txt"])
@pytest.mark.parametrize("share", [0.05, 0.2, 0.4])
def test_a_result_reaches_its_target_or_says_why(name: str, share: float) -> None:
    """Between 0.9 and 1 of the target, or a fallback that says why not (issue 12)."""
    original = (GOLDEN / name).read_text()
    target = max(64, int(COUNTER.count(original) * share))
    out = DiffCompressor().compress(original, target, PieceContext(make_handle(original), COUNTER, "error in parse"))
    assert out is not None
    used = COUNTER.count(out.text)
    assert used <= target
    short = [note for note in out.fallbacks if "under 0.9 of the target" in note]
    assert bool(short) == (used < 0.9 * target), (used, target)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["tomli.diff", "git_log_p_tomli.txt", "git_log_p_contextlib.txt", "git_diff_stat_packaging.txt"]),
    st.sampled_from([None, "version", "parse_basic_str escape", "In the first commit, what does _recreate_cm return?"]),
    st.integers(0, 3000),
    st.integers(1, 3000),
    st.sampled_from([0, 1, 2]),  # the text applies; headless; headless with plain forms
)
def test_a_larger_room_keeps_every_unit_a_smaller_one_kept(
    name: str, query: str | None, room: int, more: int, headless: int
) -> None:
    """The selection is monotone in its room (issue 12): no unit kept at a room is lost at a larger one."""
    original = (GOLDEN / name).read_text()
    compressor = DiffCompressor()
    profile = compressor._profile(original, PieceContext(make_handle(original), COUNTER, query))
    smaller = choose(profile, room, headless=headless)
    larger = choose(profile, room + more, headless=headless)
    assert smaller.keys() <= larger.keys()


def test_a_scope_lends_a_line_only_the_query_words_the_line_lacks() -> None:
    """``isSet = is_set`` under ``@@ class Event`` outranks the body of ``def isSet`` that says
    ``isSet()`` again: the definition line does not count the line's own word a second time."""
    original = (GOLDEN / "threading_3.9_3.10.diff").read_text()
    query = "What changed in Event of threading.py between python3.9 and python3.10, especially around isSet?"
    for target in (80, 160):
        out = compress(original, target, query)
        assert out is not None and "-    isSet = is_set\n" in out, target


def test_a_tiny_room_gives_hunk_headers_to_marks_to_keep_another_matching_hunk() -> None:
    """At 44 tokens the two hunks that move ``import warnings`` are both kept, their @@ lines
    given to the marks before them; with more room the @@ lines come back. (Until the tenth round
    this held at 56 tokens; since a line's score counts the question's words it holds, 56 tokens
    keep both lines under their @@ lines. Since the eleventh round a room up to 128 tokens may hold
    the tightest form, the lines under one summary mark, so the @@ lines come back above it.)"""
    original = (GOLDEN / "getpass_3.12_3.13.diff").read_text()
    query = "What changed in the module of getpass.py between python3.12 and python3.13, especially around warnings?"
    out = compress(original, 44, query)
    assert out is not None
    assert "-import warnings\n" in out and "+    import warnings\n" in out
    assert "@@" not in out
    check_accounting(original, out)
    roomy = compress(original, 160, query)
    assert roomy is not None and "-import warnings\n" in roomy and "@@ -" in roomy


def test_a_git_log_keeps_a_hunk_at_every_room_that_holds_its_smallest_form() -> None:
    """Three commits all match the question and their headers fill the room: the commit holding
    the hunk ranked first stays alone (pressure level 5), and the room is searched from what the
    choice of nothing really costs (from the whole target the search stopped a step above the
    smallest form: a hunk kept at 200 tokens and none at 208)."""
    original = (GOLDEN / "git_log_p_fnmatch.txt").read_text()
    query = "Show me the change to _translate in Lib/fnmatch.py that touched STAR."
    for target in range(150, 240, 6):
        out = compress(original, target, query)
        assert out is not None and re.search(r"^\+.*_translate", out, re.M), target


def test_a_question_that_asks_for_a_function_keeps_its_definition_line() -> None:
    """ "Which new function ..." asks for a definition: the ``def`` line that holds the question's
    words is kept, not only the lines of its body and docstring that repeat its name
    (``diff -ruN packaging-24.1 packaging-24.2``, benchmarks/run.py's case)."""
    original = (CORPUS / "diff_packaging_24.1_24.2.diff").read_text()
    query = "Which new function for license expressions was added to packaging's source code?"
    for target in (9000, 9450):
        out = compress(original, target, query)
        assert out is not None and "+def canonicalize_license_expression(\n" in out, target


# Round four of issue 12, on outputs of the generalisation benchmark's tuning half (seed 12): ``git
# log -p`` of one stdlib module in a repository with a commit per Python release, and ``diff -u`` /
# ``git diff --no-index`` of one module between two releases (install prefixes removed from paths).
# Each failed on the main of 2026-12-06 (8b9d502) at every target below.


def test_a_one_file_git_log_gives_its_headers_to_keep_every_strongly_matched_hunk() -> None:
    """Three commits of ``Lib/pkgutil.py`` change ``warnings.warn`` in two ``__init__`` methods:
    the level that kept every header kept the first one only; in a one-file diff the level that
    keeps every hunk the question matches strongly wins over the one whose text still applies."""
    original = (GOLDEN / "git_log_p_pkgutil.txt").read_text()
    query = "Which commit changed warnings.warn in __init__ of Lib/pkgutil.py, and how?"
    fact = '+        warnings.warn("This emulation is deprecated and slated for removal in "\n'
    for target in range(320, 500, 40):
        out = compress(original, target, query)
        assert out is not None and fact in out, target
        assert "    Update Lib/ to python3.10\n" in out  # the subject of the commit that holds it


def test_a_git_log_keeps_a_changed_line_where_no_commit_line_fits() -> None:
    """At 65-98 tokens three commits' ``commit`` lines and subjects do not fit beside any hunk: the
    asked-for line stays under marks (pressure level 6) instead of one mark for all three commits."""
    original = (GOLDEN / "git_log_p_operator.txt").read_text()
    query = "Show me the change to __init__ in Lib/operator.py that touched attr."
    for target in range(65, 100, 3):
        text = DiffCompressor().compress(original, target, PieceContext(make_handle(original), COUNTER, query))
        assert text is not None and "+    def __init__(self, attr, /, *attrs):\n" in text.text, target
        assert any("commit lines and subjects given to marks" in note for note in text.fallbacks)
        check_accounting(original, text.text)


@pytest.mark.parametrize(
    ("name", "query", "fact", "low"),
    [
        (
            "mimetypes_3.11_3.12.diff",
            "What changed in _default_mime_types of mimetypes.py between python3.11 (system) and python3.12, "
            "especially around text?",
            "+        '.mjs'    : 'text/javascript',\n",
            56,
        ),
        (
            "runpy_3.12_3.13.diff",
            "What changed in _get_code_from_file of runpy.py between python3.12 and python3.13, "
            "especially around io.open_code?",
            "+        with io.open_code(code_path) as f:\n",
            68,
        ),
    ],
)
def test_lines_that_tie_with_the_best_are_kept_together(name: str, query: str, fact: str, low: int) -> None:
    """``'.js'`` and ``'.mjs'`` both map to ``text/javascript``; one ``with io.open_code`` line
    stands at two indents: equal scores, so the smallest form keeps both, not the first."""
    original = (GOLDEN / name).read_text()
    for target in range(low, 120, 8):
        out = compress(original, target, query)
        assert out is not None and fact in out, target
        check_accounting(original, out)


def test_a_headless_hunk_grows_one_best_line_at_a_time() -> None:
    """``runcall`` lost its ``needs an argument`` error and its ``expected at least 1 positional
    argument`` one: at 48 tokens and up the second best line is kept beside the best, where the
    next larger form (the best line with its context) left 21 tokens of a 64-token room unused."""
    original = (GOLDEN / "profile_3.8_3.9.diff").read_text()
    query = "In the diff of profile.py, what happened to argument in runcall?"
    for target in range(48, 120, 8):
        out = compress(original, target, query)
        assert out is not None, target
        assert '-                            "needs an argument")\n' in out, target
        assert "-            raise TypeError('runcall expected at least 1 positional argument, '\n" in out, target
        check_accounting(original, out)


def test_a_long_new_file_hunk_grows_line_by_line_to_its_target() -> None:
    """``git log -p -8`` of ``Lib/csv.py``, its oldest commit one 300-line new file: at 1,000 and
    1,200 tokens the hunk had 4 matching lines (561 tokens) and stopped, the next form (every line at
    half the best score, with context) costing 700; its ladder of best lines now reaches the target,
    and of two levels keeping the one strongly matched hunk the one keeping more of its lines wins."""
    original = (GOLDEN / "git_log_p_csv.txt").read_text()
    query = "Which commit changed delim in _guess_quote_and_delimiter of Lib/csv.py, and how?"
    for target in (1000, 1200):
        out = DiffCompressor().compress(original, target, PieceContext(make_handle(original), COUNTER, query))
        assert out is not None
        used = COUNTER.count(out.text)
        assert 0.9 * target <= used <= target, (target, used)
        assert not any("under 0.9 of the target" in note for note in out.fallbacks)
        kept = [line for line in out.text.splitlines() if line.startswith("+") and "delim" in line]
        assert len(kept) >= 20, target
        check_accounting(original, out.text)


# Round six of issue 12, on outputs of the generalisation benchmark's tuning half (seed 12). Each
# failed on the main of 2026-12-06 (204668c) at the targets named.


def test_the_definition_of_the_function_the_question_names_outranks_a_call_to_it() -> None:
    """ "The change to _translate that touched STAR": ``def _translate(pat, STAR, QUESTION_MARK)``
    defines the name the question holds and holds another of its words; the shorter call ``parts =
    _translate(pat, STAR, '.')`` had ranked first, and at 195 and 270 tokens only it was kept."""
    original = (GOLDEN / "git_log_p_fnmatch.txt").read_text()
    query = "Show me the change to _translate in Lib/fnmatch.py that touched STAR."
    profile = DiffCompressor()._profile(original, PieceContext(make_handle(original), COUNTER, query))
    lines = profile.diff.lines
    definition = lines.index("+def _translate(pat, STAR, QUESTION_MARK):\n")
    call = lines.index("+    parts = _translate(pat, STAR, '.')\n")
    assert profile.scores[definition] > profile.scores[call]
    for target in range(150, 300, 15):
        out = compress(original, target, query)
        assert out is not None and "+def _translate(pat, STAR, QUESTION_MARK):\n" in out, target


def test_the_new_side_of_a_change_is_kept_when_both_sides_hold_the_question_words() -> None:
    """``-s = rangec / (2.0-sumc)`` and the line that replaced it hold the same words of the
    question; BM25 ranked the shorter old side first, and at 48-60 tokens it was kept alone (the
    pair costs 62). The new side now ties with it and is the one kept, without its @@ line where
    that line would not fit (``git diff --no-index`` of colorsys.py, install prefixes removed)."""
    original = (GOLDEN / "colorsys_3.11_3.12.diff").read_text()
    query = "In the diff of colorsys.py, what happened to rangec in rgb_to_hls?"
    fact = "+        s = rangec / (2.0-maxc-minc)  # Not always 2.0-sumc: gh-106498.\n"
    for target in range(48, 72, 4):
        out = compress(original, target, query)
        assert out is not None and fact in out, target
        check_accounting(original, out)


def test_a_bulky_matching_hunk_comes_after_the_others_so_the_room_is_filled() -> None:
    """``diff -ruN packaging-24.1 packaging-24.2`` at 3,707 tokens (budget_use.py's 10% case): a
    140-line added block of ``test_metadata.py`` matches strongly and must stay whole while the text
    applies (1,470 tokens); the run of steps stopped at it with a fifth of the room unused. Added
    after the other matching hunks, the room is used to 0.9 and the asked-for definition stays."""
    original = (CORPUS / "diff_packaging_24.1_24.2.diff").read_text()
    query = "Which new function for license expressions was added to packaging's source code?"
    out = DiffCompressor().compress(original, 3707, PieceContext(make_handle(original), COUNTER, query))
    assert out is not None and "+def canonicalize_license_expression(\n" in out.text
    assert COUNTER.count(out.text) >= 0.9 * 3707
    assert not any("under 0.9 of the target" in note for note in out.fallbacks)


@given(st.lists(st.booleans(), max_size=60))
def test_runs_are_the_stretches_of_true(flags: list[bool]) -> None:
    """``runs`` finds stretches by a regular expression over bytes; a walk over the flags says the same."""
    walked, start = [], None
    for index, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            walked.append((start, index))
            start = None
    assert runs(flags) == walked


def test_a_hunks_forms_are_built_only_when_asked_for() -> None:
    """The smaller forms and ladder rungs are built on first use (issue 14) and equal an eager build."""
    original = (GOLDEN / "tomli.diff").read_text()
    query = "hex escape in strings"
    profile = DiffCompressor()._profile(original, PieceContext(make_handle(original), COUNTER, query))
    assert not profile.bare._known and not profile.ladder["top4"]._known  # nothing built before a choice asks
    fresh = DiffCompressor()._profile(original, PieceContext(make_handle(original), COUNTER, query))
    for index in range(len(profile.diff.hunks)):
        assert profile.bare[index] == focus(
            profile.diff.lines, profile.diff.hunks[index], profile.scores, 0, 1.0, applies=False
        )
        assert fresh.ladder["plain_top4"][index] == plain(fresh.ladder["top4"][index])


# Round nine of issue 12, on outputs of the generalisation benchmark's tuning half (seed 12, 60
# cases a kind). Each failed on the main of 2026-12-06 (3113816) at the targets named.


def test_the_words_naming_the_file_the_call_read_do_not_rank_its_lines() -> None:
    """``git log -p -- Lib/csv.py`` asked which commit changed "basic": every line of the log is
    about ``csv``, and ``-csv.py - read/write/investigate CSV files`` (``csv`` twice, ``py``)
    outranked ``+basic APIs: ...`` at 220-300 tokens. Lines are ranked by the question less the
    words that name what the call read (``relevance.without_call_names``), as prose and text are."""
    original = (GOLDEN / "git_log_p_csv.txt").read_text()
    query = "Which commit changed basic in the module of Lib/csv.py, and how?"
    args = '{"cmd": "git log -p -8 -- Lib/csv.py"}'
    fact = "+basic APIs: reading, writing, and registration of dialects.\n"
    for target in range(180, 400, 20):
        ctx = PieceContext(make_handle(original), COUNTER, query, tool_args=args)
        out = DiffCompressor().compress(original, target, ctx)
        assert out is not None and fact in out.text, target
        check_accounting(original, out.text)


@pytest.mark.parametrize(
    ("query", "wanted", "low"),
    [
        ("What was json.py renamed to?", ["rename from pkg/json.py\n", "rename to pkg/json_impl.py\n"], 80),
        ("Which file did errors.py move to?", ["rename to pkg/errors_impl.py\n"], 80),
        (
            "Which mode did utils.py get, and what happened to tool.bin?",
            ["old mode 100644\n", "new mode 100755\n", "Binary files a/pkg/tool.bin and b/pkg/tool.bin differ\n"],
            120,
        ),
    ],
)
def test_a_rename_a_mode_change_and_a_binary_file_stay_when_the_question_names_them(
    query: str, wanted: list[str], low: int
) -> None:
    """``git show -M --stat -p`` of a commit that renames four modules (copied from site-packages),
    changes a binary file and a file's mode: a file without hunks is nothing but its header, so once
    file headers went to marks (below about 260 tokens) the rename or mode asked about was lost and
    no mark named it; the question matched no changed line, so no level gave the headers up and the
    diff compressor kept nothing below 250. The entries the question matches stay."""
    original = (GOLDEN / "git_show_renames.txt").read_text()
    args = '{"cmd": "git show -M --stat -p HEAD"}'
    for target in range(low, 260, 10):
        ctx = PieceContext(make_handle(original), COUNTER, query, tool_args=args)
        out = DiffCompressor().compress(original, target, ctx)
        assert out is not None and all(line in out.text for line in wanted), target
        assert COUNTER.count(out.text) <= target
        check_accounting(original, out.text)


def test_a_question_that_names_code_keeps_the_code_hunks_before_the_docs_that_name_it() -> None:
    """``diff -ruN`` of tomli 2.0.1 and 2.1.0 asked about ``parse_float``: the README and the
    PKG-INFO that carries it name ``parse_float`` in 370-token hunks, which ranked beside the code
    and stopped the run of steps: at 150-200 tokens the changed ``if parse_float is float:`` was
    lost, at 350-450 a third of the room went unused. A question naming code (an identifier as code
    writes it) now ranks every code hunk before the docs hunks it matches."""
    original = (GOLDEN / "tomli.diff").read_text()
    query = "What changed in loads for parse_float?"
    for target in range(150, 800, 50):
        out = DiffCompressor().compress(original, target, PieceContext(make_handle(original), COUNTER, query))
        assert out is not None and "+    if parse_float is float:\n" in out.text, target
        assert COUNTER.count(out.text) >= 0.85 * target, target
        check_accounting(original, out.text)


def test_a_question_word_a_changed_line_writes_stays_though_it_names_the_file() -> None:
    """``git log -p -3 -- Lib/copy.py`` asked which commit changed ``copy.copy``: every part of
    ``copy.copy`` names the file the call read, so the rule that drops such words from the ranking
    (above) left only "module", "commit" and "changed", and ``x = copy.copy(y)`` was lost at every
    room. A word a changed line writes as the question does is kept."""
    original = (Path(__file__).parent.parent / "fixtures" / "gitlog_p3_copy.py.txt").read_text()
    query = "Which commit changed copy.copy in the module of Lib/copy.py, and how?"
    args = '{"cmd": "git log -p -3 -- Lib/copy.py"}'
    for target in range(90, 360, 30):
        ctx = PieceContext(make_handle(original), COUNTER, query, tool_args=args)
        out = DiffCompressor().compress(original, target, ctx)
        assert out is not None and "copy.copy(y)" in out.text, target
        check_accounting(original, out.text)
