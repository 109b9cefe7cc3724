"""The ``more`` builder's kinds that run a command here: a test run with one failing assertion,
a directory listing (see ``more`` for the kinds and the decisions)."""

from __future__ import annotations

import fcntl
import os
import random
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from .common import Call, Case, fill, holding, read_text, unique_lines, valid

TEST_TEMPLATES = (
    "Why does {test} fail when I run {module}?",
    "I ran the {module} tests and {test} failed: which assertion, and on which line?",
    "What values does the failing assertion in {test} compare?",
    "The {module} run reports a failure: what went wrong in {test}?",
)
ASSERT_EQUAL = re.compile(r"^(\s+)self\.assertEqual\((.+)\)\s*$")
TEST_DEF = re.compile(r"^(\s+)def (test_\w+)\(")
# what changes from run to run: an address, a temporary file's random name
VARYING = re.compile(r"0x[0-9a-fA-F]{6,}|\btmp[a-z0-9_]{8}\b")
DURATION = re.compile(r"\b(in )\d+\.\d+(s)\b")
LS_TEMPLATES = (
    "How big is {name} in {dir}, and when was it last changed?",
    "What are the permissions and owner of {name} in {dir}?",
    "When was {name} in {dir} modified?",
)
FIND_TEMPLATES = ("Where is {name} under {dir}?", "Which directory of {dir} holds {name}?")
# a fixed scratch directory, so a test run's paths (and so its output) repeat from run to run
SCRATCH = Path(tempfile.gettempdir()) / "headroom-generalise-tests"


def test_modules() -> list[Path]:
    """The standard library's own test modules of 8-40 KB: a run of dozens of tests, done in seconds."""
    root = Path(sysconfig.get_paths()["stdlib"]) / "test"
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob("test_*.py") if 8_000 <= p.stat().st_size <= 40_000)


def run_tests(argv: list[str], cwd: Path) -> str | None:
    """A test run's output, stdout and stderr as a terminal shows them, or None when it hangs."""
    # third-party pytest plugins left out: plain pytest, and a run in a second, not ten
    env = {
        **os.environ,
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "COLUMNS": "100",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    env.pop("PYTEST_ADDOPTS", None)
    try:
        done = subprocess.run(
            argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120, env=env, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    output = done.stdout.decode("utf-8", "replace")
    return DURATION.sub(r"\g<1>0.01\g<2>", output)


def test_case(rng: random.Random, path: Path) -> Case | None:
    source = read_text(path)
    if source is None:
        return None
    lines = source.split("\n")
    asserts: list[tuple[int, str]] = []
    test = ""
    for i, line in enumerate(lines):
        found = TEST_DEF.match(line)
        if found:
            test = found.group(2)
        elif test and ASSERT_EQUAL.match(line):
            asserts.append((i, test))
    if not asserts:
        return None
    line_no, test = rng.choice(asserts)
    pytest = rng.random() < 0.5
    changed = lines[:line_no] + [lines[line_no].replace("assertEqual(", "assertNotEqual(", 1)] + lines[line_no + 1 :]
    module = path.stem
    if pytest:
        argv = [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-o", "addopts=", path.name]
        command = f"python -m pytest -v {path.name}"
    else:
        argv, command = [sys.executable, "-m", "unittest", "-v", module], f"python -m unittest -v {module}"
    # one run at a time in the scratch directory: two benchmarks building at once would remove
    # each other's copy mid-run (the directory's name is fixed so that outputs repeat)
    with open(SCRATCH.with_name(SCRATCH.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shutil.rmtree(SCRATCH, ignore_errors=True)
        SCRATCH.mkdir(parents=True)
        (SCRATCH / path.name).write_text("\n".join(changed), encoding="utf-8")
        output = run_tests(argv, SCRATCH)
        shutil.rmtree(SCRATCH, ignore_errors=True)
    if not output or VARYING.search(output):
        return None
    out_lines = output.split("\n")
    if pytest:
        if not re.search(r"\b1 failed\b", output):
            return None
        message = next((s for s in out_lines if s.startswith("E ") and "Error" in s), None)
        where = next((s for s in out_lines if re.match(rf"^{re.escape(path.name)}:\d+: \w+", s)), None)
    else:
        if "FAILED (failures=1" not in output:
            return None
        message = next((s for s in out_lines if s.startswith("AssertionError")), None)
        where = next(
            (s for s in out_lines if re.match(rf'^\s+File ".*{re.escape(path.name)}", line \d+, in ', s)), None
        )
    if message is None or where is None:
        return None
    slots = {"test": test, "module": module}
    case = Case(
        f"test:{module}:{line_no + 1}:{'pytest' if pytest else 'unittest'}",
        "test",
        fill(rng, TEST_TEMPLATES, **slots),
        [message.strip(), where.strip()],
        [Call(command, output)],
    )
    return case if valid(case) else None


def listing_case(rng: random.Random, path: Path) -> Case | None:
    use_find = rng.random() < 0.4
    argv = ["find", str(path), "-type", "f"] if use_find else ["ls", "-la", str(path)]
    env = {**os.environ, "LC_ALL": "C.UTF-8", "TZ": "UTC"}
    try:
        done = subprocess.run(argv, capture_output=True, timeout=30, env=env, check=False)
        output = done.stdout.decode("utf-8")
    except (OSError, subprocess.TimeoutExpired, UnicodeDecodeError):
        return None
    lines = output.split("\n")
    if done.returncode != 0 or not 30 <= len(lines) <= 2_000:
        return None
    entries = [i for i in unique_lines(output, lambda s: len(s) >= 12) if not lines[i].startswith("total ")]
    rng.shuffle(entries)
    for line_no in entries[:6]:
        line = lines[line_no]
        name = Path(line).name if use_find else line.split(" ")[-1]
        if len(name) < 3 or name in (".", "..") or " " in name or holding(lines, [name]) != 1:
            continue
        if use_find and Path(line).parent == path:
            continue  # a file at the top names its whole path: the question would quote the fact
        slots = {"name": name, "dir": str(path)}
        case = Case(
            f"listing:{' '.join(argv[:2])}:{path}:{line_no + 1}",
            "listing",
            fill(rng, FIND_TEMPLATES if use_find else LS_TEMPLATES, **slots),
            [line.strip()],
            [Call(" ".join(argv), output)],
        )
        if valid(case):
            return case
    return None
