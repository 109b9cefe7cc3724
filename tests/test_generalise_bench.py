"""The generalisation benchmark's case building (benchmarks/generalise_cases): its invariants.

Built from a handful of real inputs (modules of the running interpreter's standard library, a
log, a table, JSON and a real diff written to a temporary directory), so the test is fast and
holds on any machine; the benchmark itself scans the whole machine.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from generalise_cases import Case, half_of, valid  # noqa: E402
from generalise_cases.code import python_case  # noqa: E402
from generalise_cases.common import Call, holding, telling  # noqa: E402
from generalise_cases.data import ambiguous_rows, json_case, naming_sibling, table_case  # noqa: E402
from generalise_cases.diffs import changed_line_case  # noqa: E402
from generalise_cases.logs import log_case  # noqa: E402

MODULES = [Path(m.__file__) for m in (random, textwrap, json.encoder, subprocess, shutil)]  # type: ignore[arg-type]


def code_cases(seed: int) -> list[Case]:
    rng = random.Random(seed)
    return [c for c in (python_case(rng, path) for path in MODULES) if c is not None]


def check(case: Case) -> None:
    assert case.question.strip()
    assert valid(case)
    outputs = [call.output for call in case.calls]
    for fact in case.facts:
        assert sum(o.count(fact) for o in outputs) == 1, fact  # in one output, once
        assert fact not in case.question
    roles = [m["role"] for m in case.messages]
    assert roles[:2] == ["system", "user"] and roles.count("tool") == len(case.calls)


def test_code_cases_keep_their_invariants_and_repeat_with_the_seed() -> None:
    first, again, other = code_cases(7), code_cases(7), code_cases(8)
    assert len(first) >= 3
    for case in first:
        check(case)
        assert case.calls[0].command.startswith("cat ")
    assert [(c.id, c.question, c.facts) for c in first] == [(c.id, c.question, c.facts) for c in again]
    assert [c.id for c in first] != [c.id for c in other]


def test_halves_are_disjoint_deterministic_and_both_used() -> None:
    cases = code_cases(7) + code_cases(8) + code_cases(9)
    tune = {c.id for c in cases if half_of(c, 12) == "tune"}
    test = {c.id for c in cases if half_of(c, 12) == "test"}
    assert tune.isdisjoint(test) and tune | test == {c.id for c in cases}
    assert tune == {c.id for c in cases if half_of(c, 12) == "tune"}
    assert tune and test


def test_saved_cases_read_back_as_built(tmp_path: Path) -> None:
    from generalise import load_cases, save_cases

    cases = code_cases(7)
    save_cases(tmp_path / "cases.json", 7, cases, ["no man pages"])
    seed, read, skipped = load_cases(tmp_path / "cases.json")
    assert (seed, skipped) == (7, ["no man pages"])
    assert read == cases  # calls, facts and the conversation built from them


def test_log_table_and_json_cases(tmp_path: Path) -> None:
    log = tmp_path / "daemon.log"
    log.write_text(
        "".join(f"2024-01-{d:02d} 10:00:00 started worker-{d} with pool size {d * 3}\n" for d in range(1, 29))
    )
    log.write_text(log.read_text() + "2024-01-29 10:00:00 error: cannot open spool directory /var/spool/queue\n")
    rng = random.Random(3)
    for maker in (lambda: log_case(rng, log),):
        case = maker()
        assert case is not None
        check(case)
    rows = "name,version,size\n" + "".join(f"pkg{i},1.{i}.0,{i * 17}\n" for i in range(40))
    table = table_case(rng, "cat packages.csv", rows, ",")
    assert table is not None
    check(table)
    assert table.facts[0] in rows.split("\n")
    data = json.dumps(
        [{"name": f"lib{i}", "version": f"2.{i}", "license": f"L{i % 3}-{i}"} for i in range(30)], indent=2
    )
    case = json_case(rng, "cat deps.json", data)
    assert case is not None
    check(case)


def test_a_table_question_names_a_row_its_first_cell_does_not_identify_by_its_key() -> None:
    # the shape of numpy's umath-validation-set-*.csv: every row starts with one of two dtypes
    rows = "dtype,input,output,ulperrortol\n" + "".join(
        f"np.float{32 if i % 2 else 64},0x{i * 7919:08x},0x{i * 104729:08x},{i % 3 + 1}\n" for i in range(60)
    )
    for seed in range(5):
        case = table_case(random.Random(seed), "cat umath-validation-set-log.csv", rows, ",")
        assert case is not None
        check(case)
        assert ambiguous_rows(case) == 1, case.question  # before: 30 rows held "np float64" equally
        key = case.facts[0].split(",")[1]
        assert key in case.question or case.facts[0].split(",")[2] in case.question


def test_a_search_question_asks_with_the_words_that_single_out_its_line() -> None:
    # the shape of asttokens' prev_token matches: "name" on many lines, "equals" on one
    lines = [f"        name = self._code.prev_token(tok{i})" for i in range(15)]
    lines.insert(7, "      name = self._code.prev_token(equals)")
    fact = lines[7]
    assert holding(lines, ["name"]) == 16  # before: the question asked with "name"
    chosen = telling(["name"], fact, lines, ["prev_token"])
    assert chosen == ["equals"] and holding(lines, chosen) == 1
    # words that already single the line out are kept, and a line every word of which recurs stays
    assert telling(["equals"], fact, lines, ["prev_token"]) == ["equals"]
    twice = ["Resolver.__init__(self)"] * 2
    assert telling(["Resolver.__init__"], twice[0], twice, ["__init__"]) == ["Resolver.__init__"]


def test_a_log_question_asks_with_two_words_that_single_out_its_line() -> None:
    # the shape of dpkg.log: "status unpacked" on every line, the package names once each
    lines = [
        f"2026-11-02 10:{i:02d}:11 status unpacked lib{name}:amd64 1.{i}-1+deb12u1"
        for i, name in enumerate(["ssl3", "curl4", "xml2", "zstd1", "gnutls30", "krb5-3"])
    ]
    fact = lines[4]
    assert holding(lines, ["status", "unpacked"]) == 6
    chosen = telling(["status", "unpacked"], fact, lines, [], alone=2)
    assert holding(lines, chosen) == 1 and len(chosen) == 2


def test_a_json_entry_named_by_a_shared_value_is_named_by_its_own_unique_one() -> None:
    # the shape of a JSON schema's properties: every entry says "type": "string"
    text = json.dumps(
        {name: {"type": "string", "title": f"Entry {name}", "maxLength": 8 + i} for i, name in enumerate("abc")},
        indent=2,
    )
    lines = text.split("\n")
    line_no = next(i for i, line in enumerate(lines) if '"maxLength": 9' in line)
    found = naming_sibling(lines, line_no, "maxLength", text)
    assert found is not None and found.group(1, 2) == ("title", "Entry b")  # not the shared "string"
    shared = text.replace("Entry b", "Entry a")  # then no value of the entry occurs once
    assert naming_sibling(shared.split("\n"), line_no, "maxLength", shared) is None


@pytest.mark.skipif(shutil.which("diff") is None, reason="diff is not installed")
def test_diff_case_takes_a_changed_line(tmp_path: Path) -> None:
    old = Path(textwrap.__file__).read_text()
    new = old.replace("def wrap(", "def wrap_lines(").replace("width=70", "width=88")
    (tmp_path / "a.py").write_text(old)
    (tmp_path / "b.py").write_text(new)
    done = subprocess.run(["diff", "-u", "a.py", "b.py"], cwd=tmp_path, capture_output=True, text=True, check=False)
    case = changed_line_case(
        random.Random(1),
        "diff",
        "diff:textwrap",
        "diff -u a.py b.py",
        done.stdout,
        {"file": "textwrap.py", "old": "a", "new": "b"},
    )
    assert case is not None
    check(case)
    assert any(line.startswith(("+", "-")) and fact in line for fact in case.facts for line in done.stdout.split("\n"))


def test_a_fact_quoted_by_the_question_or_repeated_is_invalid() -> None:
    output = "alpha beta gamma\nrepeated line here\nrepeated line here\n"
    assert not valid(Case("x", "log", "What about alpha beta gamma?", ["alpha beta gamma"], [Call("cat f", output)]))
    assert not valid(Case("x", "log", "What repeats?", ["repeated line here"], [Call("cat f", output)]))
    assert valid(Case("x", "log", "What follows alpha?", ["alpha beta gamma"], [Call("cat f", output)]))


def _more_sources(root: Path) -> None:
    """A small machine for the ``more`` builder: a JavaScript module, a README, two config files
    and a directory tree to list, in the shapes npm, Debian and PostgreSQL ship them."""
    (root / "lib").mkdir(parents=True)
    for name in ("index", "queue", "cache"):
        functions = "".join(
            f"function {name}Step{i} (input, options = {{}}) {{\n"
            f"  const limit{i} = options.limit ?? {i * 10}\n"
            f"  if (input.length > limit{i}) {{\n"
            f"    throw new RangeError('{name}Step{i}: input longer than ' + limit{i})\n"
            f"  }}\n"
            f"  return input.map(item => item.trim{i}())\n"
            f"}}\n\n"
            for i in range(24)
        )
        (root / "lib" / f"{name}.js").write_text("'use strict'\n\n" + functions + "module.exports = {}\n")
    sections = "".join(
        f"## Option {name} for {unit}\n\nThe {name} option sets how many {unit} the client keeps before it flushes\n"
        f"them to disk; a value of zero turns the {name} buffer off entirely for {unit}.\n"
        f"Raising {name} above the default trades memory for fewer writes of {unit}.\n\n"
        for name in ("cache", "queue", "batch", "spool", "journal", "pool", "window", "ring")
        for unit in ("entries", "jobs")
    )
    (root / "README.md").write_text(
        "# mytool\n\nA tool that keeps things for a while before writing them.\n\n" + sections
    )
    (root / "server.conf").write_text(
        "".join(f"# setting {i} of the server\n[section{i // 5}]\nkey_{i} = value-{i * 7}\n" for i in range(80))
    )
    (root / "deploy.yaml").write_text(
        "".join(f"service{i}:\n  image: registry/app{i}:1.{i}\n  replicas: {i % 4 + 1}\n" for i in range(80))
    )
    for sub in range(2):
        folder = root / "share" / f"pkg{sub}"
        folder.mkdir(parents=True)
        for i in range(35):
            (folder / f"file_{sub}_{i}.txt").write_text("x" * (i * 13 + sub))


def test_the_more_builder_repeats_with_its_seed_and_skips_missing_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generalise_cases import more, runs

    _more_sources(tmp_path / "root")
    # relative roots: a listing's paths, and so which entries single themselves out, must not
    # depend on the random name of the test's temporary folder
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(more, "ROOTS", ("root", "missing"))
    monkeypatch.setattr(more, "python_roots", lambda: [])
    monkeypatch.setattr(runs, "test_modules", lambda: [])  # no test suite here: skipped, never an error
    first, skipped = more.build(random.Random("5:more"), 2)
    again, _ = more.build(random.Random("5:more"), 2)
    assert [(c.id, c.question, c.facts, [x.output for x in c.calls]) for c in first] == [
        (c.id, c.question, c.facts, [x.output for x in c.calls]) for c in again
    ]
    assert "test: no sources found" in skipped
    kinds = {c.kind for c in first}
    assert {"code_js", "markdown", "config", "listing"} <= kinds and "test" not in kinds
    for case in first:
        check(case)
    # a kind whose every run fails (a loaded machine timing test runs out) moves no other kind's cases
    monkeypatch.setattr(runs, "test_modules", lambda: [tmp_path / f"test_m{i}.py" for i in range(5)])
    monkeypatch.setattr(runs, "test_case", lambda rng, path: None if rng.random() < 2 else None)
    failing, skipped = more.build(random.Random("5:more"), 2)
    assert "test: 0 of 2 cases built" in skipped
    assert [c.id for c in failing] == [c.id for c in first]
    js = next(c for c in first if c.kind == "code_js")
    assert js.facts[0].startswith("function ") and not {"const", "throw"} & set(js.question.split())


def test_a_test_case_is_a_real_run_with_one_failing_assertion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generalise_cases import runs

    monkeypatch.setattr(runs, "SCRATCH", tmp_path / "scratch")  # not the benchmark's, which may be running

    modules = [p for p in runs.test_modules() if p.stem in ("test_decorators", "test_numeric_tower", "test_opcache")]
    if not modules:
        pytest.skip("the standard library's test suite is not installed")
    case = next((c for seed in range(4) for c in [runs.test_case(random.Random(seed), modules[0])] if c), None)
    assert case is not None
    check(case)
    message, where = case.facts
    assert message.removeprefix("E").strip().startswith("AssertionError") and " == " in message
    assert "line" in where or where.endswith("AssertionError")
    assert not runs.SCRATCH.exists()  # the copy of the module is gone


def test_every_template_has_two_rewordings_with_its_slots_and_questions_read_back() -> None:
    from generalise_cases.phrasings import _REWORDED, slots_of

    for templates, rewordings in _REWORDED:
        assert len(templates) == len(rewordings)
        for template, reworded in zip(templates, rewordings):
            assert all(slots_of(other) == slots_of(template) for other in reworded), template
            assert len(set(reworded) | {template}) == 3


def test_a_question_is_asked_again_in_the_rewording_of_its_template() -> None:
    from generalise_cases.phrasings import rephrase

    cases = code_cases(3)
    assert cases
    for case in cases:
        for phrasing in ("alt", "heldout"):
            again = rephrase(case.question, phrasing)
            assert again != case.question
            # the slots' words come through: each identifier of the question is still asked about
            assert set(re.findall(r"\w*_\w*", case.question)) <= set(re.findall(r"\w*_\w*", again))
    # the longer template wins where two could produce a question, and a foreign question stays
    keyed = "In t.tsv, which zone goes with CA and code 12?"
    assert rephrase(keyed, "alt") == "what zone has the CA entry with code 12 (t.tsv)"
    assert rephrase("what is this?", "alt") == "what is this?"
    with pytest.raises(ValueError, match="unknown phrasing"):
        rephrase(keyed, "other")
