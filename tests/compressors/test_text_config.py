"""The generic compressor reads key paths in configuration files and entry names in listings (issue 12).

Real captured output: a Cloud SDK resource file (YAML, forty resources each with a
``collection:``), oauth2client's ``tox.ini`` (a ``commands =`` in every section), and ``ls -la``
of pytz's ``zoneinfo/Etc`` (``GMT+10`` beside ``GMT-10``) and of npm's ``man/man1``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from headroom import PieceContext, TokenCounter, make_handle
from headroom.compressors.text._keys import key_paths, listing_names, path_parts
from headroom.compressors.text.compressor import GenericCompressor
from headroom.hints import hint_for

GOLDEN = Path(__file__).parent.parent / "golden" / "text"


def _generic(text: str, target: int, query: str, tool_args: str) -> str:
    ctx = PieceContext(make_handle(text), TokenCounter.for_model("gpt-4"), query, "run_shell", tool_args)
    out = GenericCompressor().compress(text, target, ctx)
    assert out is not None and ctx.counter.count(out.text) <= target
    return out.text


def test_a_yaml_key_under_the_parent_the_question_names_is_kept_with_its_parent() -> None:
    """Every resource has a ``collection:`` line: the words tie, and the head won (none kept)."""
    path = "/usr/lib/google-cloud-sdk/lib/googlecloudsdk/command_lib/workstations/resources.yaml"
    text = (GOLDEN / "config_workstations_resources.yaml").read_text()
    question = f"In {path}, which value does workstation give collection?"
    out = _generic(text, 80, question, f'{{"cmd": "cat {path}"}}')
    fact = "  collection: workstations.projects.locations.workstationClusters.workstationConfigs.workstations\n"
    assert fact in out
    assert "\nworkstation:\n" in out  # its parent, so the answer says whose value it is


def test_an_ini_key_in_the_section_the_question_names_is_kept_with_its_header() -> None:
    """``basepython = python2.7`` is written the same in four sections; the one asked for is kept."""
    text = (GOLDEN / "config_oauth2client_tox.ini").read_text()
    question = "What is basepython set to under [coverbase] in tox.ini?"
    out = _generic(text, 50, question, '{"cmd": "cat tox.ini"}')
    assert "[coverbase]\nbasepython = python2.7\n" in out


def test_key_paths_give_sections_and_indentation_parents() -> None:
    lines = (GOLDEN / "config_workstations_resources.yaml").read_text().splitlines(keepends=True)
    paths = key_paths(lines)
    assert paths is not None
    at = lines.index("workstation:\n")
    key, parents = paths[at + 2]
    assert key == "collection" and parents == (at,)
    ini = (GOLDEN / "config_oauth2client_tox.ini").read_text().splitlines(keepends=True)
    ini_paths = key_paths(ini)
    assert ini_paths is not None
    assert ini_paths[ini.index("[testenv:flake8]\n") + 1] == ("commands", (ini.index("[testenv:flake8]\n"),))


def test_prose_and_a_listing_have_no_key_paths() -> None:
    assert key_paths((GOLDEN / "gpl3.txt").read_text().splitlines(keepends=True)) is None
    assert key_paths((GOLDEN / "ls_zoneinfo_etc.txt").read_text().splitlines(keepends=True)) is None


def test_the_listing_entry_named_whole_beats_its_near_copy() -> None:
    """``GMT+10`` holds the same words as ``GMT-10`` for BM25, and came first in the listing."""
    directory = "/usr/lib/google-cloud-sdk/lib/third_party/pytz/zoneinfo/Etc"
    text = (GOLDEN / "ls_zoneinfo_etc.txt").read_text()
    question = f"How big is GMT-10 in {directory}, and when was it last changed?"
    out = _generic(text, 60, question, f'{{"cmd": "ls -la {directory}"}}')
    assert "-rw-r--r--  1 root root  118 Jan  1  1980 GMT-10\n" in out


def test_an_entry_named_by_a_word_of_the_listed_directory_is_still_found() -> None:
    """``npm`` is a word of the path listed, which the line query leaves out, and so lost the name."""
    directory = "/usr/lib/node_modules/npm/man/man1"
    text = (GOLDEN / "ls_npm_man1.txt").read_text()
    out = _generic(text, 80, f"When was npm-bugs.1 in {directory} modified?", f'{{"cmd": "ls -la {directory}"}}')
    assert any(line.endswith(" npm-bugs.1") for line in out.splitlines())


def test_listing_names() -> None:
    assert listing_names("lrwxrwxrwx  1 root root   4 Jan  1  1980 UTC -> Zulu\n") == ("utc",)
    assert listing_names("/usr/share/doc/adduser/copyright\n") == ("/usr/share/doc/adduser/copyright", "copyright")
    assert listing_names("The quick brown fox.\n") == ()


def test_configuration_files_are_hinted_to_the_generic_compressor() -> None:
    """postgresql.conf's comment blocks made the prose detector claim it; prose has no key paths."""
    for name in ("postgresql.conf", "config.yaml", "pyproject.toml", "tox.ini", "setup.cfg"):
        found = hint_for("x = 1\n", "run_shell", f'{{"cmd": "cat /etc/{name}"}}')
        assert found is not None and found[0] == "text"


def test_a_key_under_a_parent_of_its_own_name_is_the_one_asked_for() -> None:
    """Cloud SDK's AuthzPolicy schema: "description under description" is the ``description:`` key of
    the ``description:`` property, not the schema's top-level ``description:``; both covered the one
    word of the question, and the shallower won."""
    text = (GOLDEN / "config_authz_policy_schema.yaml").read_text()
    question = "What is description set to under description in AuthzPolicy.yaml?"
    out = _generic(text, 50, question, '{"cmd": "cat AuthzPolicy.yaml"}')
    assert "  description:\n    description: A human-readable description of the resource.\n" in out


def test_the_key_asked_for_takes_its_room_before_the_head_and_tail() -> None:
    """A 35-token ``resource_spec: !REF ...`` line did not fit the half of a 61-token room the head and
    tail leave the question's lines, so the file's first line and last lines were kept instead."""
    text = (GOLDEN / "config_odb_subnets_create.yaml").read_text()
    question = "In _create_alpha.yaml, which value does params give resource_spec?"
    out = _generic(text, 61, question, '{"cmd": "cat _create_alpha.yaml"}')
    assert "resource_spec: !REF googlecloudsdk.command_lib.oracle_database.v1alpha_resources:" in out


@pytest.mark.parametrize(
    "path",
    [
        "workstation.collection",
        "workstation/collection",
        "workstation>collection",
        "workstation->collection",
        "workstation::collection",
        "[workstation]collection",
        "workstation's collection",
    ],
)
def test_a_key_path_written_as_one_word_names_its_parent_and_key(path: str) -> None:
    """People write a key under its parent with whatever separator they use; joined into one word, the
    path named neither the parent nor the key, and the head of the file was kept instead."""
    file = "/usr/lib/google-cloud-sdk/lib/googlecloudsdk/command_lib/workstations/resources.yaml"
    text = (GOLDEN / "config_workstations_resources.yaml").read_text()
    out = _generic(text, 80, f"{file}: {path}?", f'{{"cmd": "cat {file}"}}')
    fact = "  collection: workstations.projects.locations.workstationClusters.workstationConfigs.workstations\n"
    assert fact in out
    assert "\nworkstation:\n" in out


@pytest.mark.parametrize("path", ["coverbase.basepython", "[coverbase]basepython", "coverbase/basepython"])
def test_an_ini_key_path_written_as_one_word_finds_its_section(path: str) -> None:
    text = (GOLDEN / "config_oauth2client_tox.ini").read_text()
    out = _generic(text, 50, f"what is {path} in tox.ini", '{"cmd": "cat tox.ini"}')
    assert "[coverbase]\nbasepython = python2.7\n" in out


def test_path_parts_read_the_separators_and_leave_the_file_read_whole() -> None:
    assert path_parts("what is server.port in app.yaml", "cat /srv/app.yaml") == Counter(
        {"server": 1, "port": 1, "server.port": 1}
    )
    # a key may hold a dot itself: every tail of more than one part is a key it may be
    assert path_parts("params>conn.gitlab.secret") == Counter(
        {"params": 1, "conn": 1, "gitlab": 1, "secret": 1, "gitlab.secret": 1, "conn.gitlab.secret": 1}
    )
    assert path_parts("what does a.yaml set server's port to", "cat a.yaml") == Counter({"server": 1})
    assert path_parts("description.description") == Counter({"description": 2, "description.description": 1})
    assert not path_parts("what is port set to under server")
