"""A configuration file named without a configuration extension routes to the generic compressor
(issue 12, tenth round): by the tool call's path (``sshd_config``, ``/etc/login.defs``, a
``.conf.sample`` copy) and, with no path, by its structure (settings, sections, comments).

Real captured files: ``/etc/wgetrc`` (settings documented and commented out), ``/etc/login.defs``
(``KEY value`` directives under comment blocks), ``/etc/services`` (``name port/proto`` lines).
Before, the prose detector took all three (their comment blocks are sentences) and the prose cut,
which reads paragraphs, lost the setting asked for.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from headroom import Headroom, MemoryStore, TokenCounter
from headroom.hints import hint_for
from headroom.registry import Registry

GOLDEN = Path(__file__).parent.parent / "golden"
ROUTER = Registry().router


def _conversation(question: str, command: str, output: str) -> list[dict[str, object]]:
    call = {"id": "call_1", "type": "function", "function": {"name": "run", "arguments": json.dumps({"cmd": command})}}
    return [
        {"role": "system", "content": "You are a coding agent."},
        {"role": "user", "content": question},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": output},
    ]


@pytest.mark.parametrize(
    ("command", "why"),
    [
        ("cat /etc/ssh/sshd_config", "config file 'sshd_config'"),
        ("cat /etc/login.defs", "config file 'login.defs'"),
        ("sed -n 1,40p /etc/services", "config file 'services'"),
        ("head -80 /usr/share/postgresql/15/postgresql.conf.sample", "extension .conf.sample"),
    ],
)
def test_the_calls_path_names_a_configuration_file(command: str, why: str) -> None:
    assert hint_for("x", "run", json.dumps({"cmd": command})) == ("text", why)


def test_a_copys_suffix_is_passed_over_and_other_paths_keep_their_hints() -> None:
    assert hint_for('{"a": 1}', "run", json.dumps({"cmd": "cat config.json.example"})) == (
        "json",
        "extension .json.example",
    )
    assert hint_for("x", "run", json.dumps({"cmd": "cat -n src/lib.rs"})) == ("code", "extension .rs")
    assert hint_for("x", "run", json.dumps({"cmd": "cat /etc/profile"})) is None  # a shell script
    assert hint_for("x", "run", json.dumps({"cmd": "grep -r Port /etc/ssh"})) is None  # not a file reader


@pytest.mark.parametrize("name", ["config_wgetrc", "config_login.defs", "config_services"])
def test_a_configuration_file_is_read_by_its_structure(name: str) -> None:
    """No path: the detectors alone. Each went to prose before."""
    assert ROUTER.detect((GOLDEN / "text" / name).read_text()) == "text"


@pytest.mark.parametrize(
    "name",
    ["text/gpl3.txt", "text/ls_zoneinfo_etc.txt", "prose/man_ls.txt", "prose/man_grep.txt", "prose/apache2.txt"],
)
def test_prose_man_pages_and_listings_are_not_read_as_configuration(name: str) -> None:
    text = (GOLDEN / name).read_text()
    assert ROUTER.detect(text) == ("prose" if name.startswith("prose/") or "gpl3" in name else "text")
    from headroom.compressors.text.detect import is_config

    assert not is_config(text)


@pytest.mark.parametrize(("command", "route"), [("cat /etc/wgetrc", "hint: config file 'wgetrc'"), ("cat", "detector")])
def test_the_setting_asked_for_is_kept(command: str, route: str) -> None:
    """``#use_proxy = on`` in wgetrc: prose kept the file's opening paragraphs and none of its settings."""
    text = (GOLDEN / "text" / "config_wgetrc").read_text()
    messages = _conversation("What is use_proxy set to in /etc/wgetrc?", command, text)
    counter = TokenCounter.for_model("gpt-4")
    budget = counter.count_messages(messages) // 10 + 60
    result = Headroom(store=MemoryStore(), model="gpt-4").compress(messages, budget)
    assert result.within_budget
    entry = result.manifest.entries[0]
    assert (entry.content_type, entry.route) == ("text", route)
    assert "#use_proxy = on" in str(result.messages[-1]["content"])
