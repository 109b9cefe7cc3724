"""The command line, through a subprocess as a user runs it: exit codes, stdin, --json, bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import headroom

LOG = "".join(f"2024-05-01 12:00:{i % 60:02d} INFO request {i} ok\n" for i in range(2000))
LOG += "2024-05-01 12:01:00 ERROR payment failed: card declined\n"


def run(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "headroom", *args],
        cwd=cwd,
        input=stdin.decode("utf-8", "replace") if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_version(tmp_path: Path) -> None:
    done = run("--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"headroom {headroom.__version__}"


def test_compress_from_stdin_with_a_summary_and_options_after_the_subcommand(tmp_path: Path) -> None:
    done = run("compress", "-", "--budget", "300", "--db", "store.db", cwd=tmp_path, stdin=LOG.encode())
    assert done.returncode == 0, done.stderr
    assert "card declined" in done.stdout and len(done.stdout) < len(LOG)
    (summary,) = done.stderr.splitlines()
    assert summary.startswith("headroom: ") and "budget 300" in summary
    assert (tmp_path / "store.db").is_file() and not (tmp_path / "headroom.db").exists()


def test_json_output_and_retrieve_from_a_pasted_marker(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text(LOG)
    done = run("--db", "s.db", "compress", "app.log", "--budget", "300", "--json", "-q", cwd=tmp_path)
    assert done.returncode == 0 and done.stderr == ""
    report = json.loads(done.stdout)
    assert report["within_budget"] and report["tokens_after"] <= 300 < report["tokens_before"]
    marker = headroom.MARKER_RE.search(report["text"])
    assert marker is not None
    whole = run("retrieve", marker[0], "--db", "s.db", cwd=tmp_path)
    assert whole.returncode == 0 and whole.stdout == LOG
    lines = run("retrieve", marker["handle"], "--lines", "3-4", "--db", "s.db", cwd=tmp_path)
    assert lines.stdout == "".join(LOG.splitlines(keepends=True)[2:4])
    found = run("retrieve", marker["handle"], "--query", "declined", "--db", "s.db", cwd=tmp_path)
    assert found.returncode == 0 and "card declined" in found.stdout
    chars = run("retrieve", marker["handle"], "--chars", "1-10", "--db", "s.db", cwd=tmp_path)
    assert chars.stdout == LOG[:10]


def test_over_budget_exits_1(tmp_path: Path) -> None:
    messages = [{"role": "system", "content": "You are terse. " * 200}, {"role": "user", "content": "hi"}]
    done = run("compress", "-", "--budget", "50", cwd=tmp_path, stdin=json.dumps(messages).encode())
    assert done.returncode == 1 and "NOT MET" in done.stderr
    assert json.loads(done.stdout)[1] == {"role": "user", "content": "hi"}


def test_a_request_body_is_compressed_as_messages(tmp_path: Path) -> None:
    body = {
        "model": "gpt-4o",
        "messages": [
            {"role": "user", "content": "Why did the payment fail?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "logs", "arguments": "{}"}}],
            },
            {"role": "tool", "tool_call_id": "c1", "content": LOG},
        ],
    }
    done = run("compress", "-", "--budget", "400", "--json", cwd=tmp_path, stdin=json.dumps(body).encode())
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)["body"]
    assert out["model"] == "gpt-4o" and "card declined" in out["messages"][2]["content"]


def test_a_json_array_with_role_fields_that_are_not_messages_is_a_document(tmp_path: Path) -> None:
    rows = [{"role": "admin", "name": f"user{i}"} for i in range(300)]
    done = run("compress", "-", "--budget", "200", "--json", cwd=tmp_path, stdin=json.dumps(rows).encode())
    assert done.returncode == 0 and "text" in json.loads(done.stdout)


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (("compress", "missing.log"), None, "No such file"),
        (("compress", "."), None, "is a directory"),
        (("compress", "-"), b"\x00\x01binary", "looks binary"),
        (("compress", "-"), b"caf\xe9 latin-1", "not UTF-8"),
        (("compress", "-", "--as", "messages"), b"[{oops", "not valid JSON"),
        (("retrieve", "hr1:482913057162345"), None, "no store at headroom.db"),
        (("retrieve", "hr1:482913057162345", "--db", "junk.db"), None, "not a SQLite database or is damaged"),
        (("retrieve", "hr1:482913057162345", "--lines", "x"), None, "no store"),
        (("compress", "-", "--budget", "ten"), b"x", "invalid int"),
        (("frobnicate",), None, "invalid choice"),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_line(
    tmp_path: Path, args: tuple[str, ...], stdin: bytes | None, words: str
) -> None:
    (tmp_path / "junk.db").write_bytes(b"this is not sqlite" * 100)
    if stdin is not None and not stdin.isascii():  # undecodable bytes go in through a file
        (tmp_path / "in.bin").write_bytes(stdin)
        args = tuple("in.bin" if a == "-" else a for a in args)
        stdin = None
    done = run(*args, cwd=tmp_path, stdin=stdin)
    assert done.returncode == 2
    assert words in done.stderr
    assert not (tmp_path / "headroom.db").exists()  # nothing created to read from


def test_python_m_headroom_cli_runs_the_cli(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "headroom.cli", "--version"], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 0 and done.stdout.startswith("headroom ")


def test_settings_come_from_the_nearest_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.headroom]\nbudget = 300\nmodel = 'gpt-4'\n")
    (tmp_path / "sub").mkdir()
    done = run("compress", "-", "--json", "-q", cwd=tmp_path / "sub", stdin=LOG.encode())
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["manifest"]["budget"] == 300 and report["tokens_after"] <= 300
    (tmp_path / "pyproject.toml").write_text("[tool.headroom]\nbudgte = 300\n")
    done = run("compress", "-", cwd=tmp_path / "sub", stdin=b"x")
    assert done.returncode == 2 and "did you mean 'budget'" in done.stderr


def test_a_big_input_on_a_terminal_says_work_has_started(tmp_path: Path) -> None:
    pty = pytest.importorskip("pty")
    import os

    big = LOG * 20  # over 1 MB
    (tmp_path / "big.log").write_text(big)
    leader, follower = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "headroom", "compress", "big.log", "--budget", "500"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        timeout=300,
    )
    os.close(follower)
    seen = os.read(leader, 4096).decode()
    os.close(leader)
    assert done.returncode == 0
    assert re.search(r"headroom: compressing \d+\.\d MB from big.log", seen) and "tokens" in seen


def test_retrieve_rows_of_a_json_array(tmp_path: Path) -> None:
    rows = [{"id": i, "status": "ok" if i != 700 else "failed", "detail": f"record {i}"} for i in range(1000)]
    (tmp_path / "rows.json").write_text(json.dumps(rows))
    done = run("compress", "rows.json", "--budget", "300", "--json", "-q", "--db", "s.db", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    handle = json.loads(done.stdout)["manifest"]["entries"][0]["handle"]
    picked = run("retrieve", handle, "--rows", "2-3", "--db", "s.db", cwd=tmp_path)
    assert picked.returncode == 0, picked.stderr
    assert '"id": 1' in picked.stdout.replace('"id":1', '"id": 1') and "record 2" in picked.stdout
