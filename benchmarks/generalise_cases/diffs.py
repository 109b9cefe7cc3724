"""Diff cases from the Python standard libraries present side by side on the machine.

``diff``: ``diff -u`` (or ``git diff --no-index``) of one module between two Python versions, or of
the system Python's copy against the interpreter's own. ``gitlog``: a throwaway git repository
(in a temporary directory, fixed author and dates so hashes repeat) gets one commit per Python
version of a set of modules; ``git log -p`` of one module is the output. A changed line is the
fact; the question names the function the hunk sits in (or the file) and a word of the line.
"""

from __future__ import annotations

import random
import re
import sys
import sysconfig
import tempfile
from pathlib import Path

from .common import Call, Case, fill, pick_words, run, unique_lines, valid

DIFF_TEMPLATES = (
    "What changed in {func} of {file} between {old} and {new}, especially around {w1}?",
    "In the diff of {file}, what happened to {w1} in {func}?",
    "Did {new} change how {func} deals with {w1}?",
)
LOG_TEMPLATES = (
    "Which commit changed {w1} in {func} of {file}, and how?",
    "In the history of {file}, when did {func} start using {w1}?",
    "Show me the change to {func} in {file} that touched {w1}.",
)
MAX_OUTPUT = 80_000
SCOPE = re.compile(r"^[ +-]?\s*(?:async\s+)?(?:def|class)\s+(\w+)")


def stdlibs() -> list[tuple[str, Path]]:
    """(label, stdlib directory) of the Python 3 installations present, oldest first.

    The interpreter's own, its sibling installations (version managers keep versions side by side),
    and the system's /usr/lib/python3.X.
    """
    found: dict[str, Path] = {}
    own = Path(sysconfig.get_paths()["stdlib"])
    candidates = [
        own,
        *sorted(Path(sys.base_prefix).parent.glob("*/lib/python3.*")),
        *sorted(Path("/usr/lib").glob("python3.*")),
    ]
    for path in candidates:
        if not (path / "os.py").exists():
            continue
        label = path.name + (" (system)" if str(path).startswith("/usr/lib/") else "")
        found.setdefault(label, path)
    return sorted(found.items(), key=lambda item: (tuple(int(x) for x in re.findall(r"\d+", item[0])), item[0]))


def modules(older: Path, newer: Path) -> list[str]:
    return sorted(
        p.name
        for p in older.glob("*.py")
        if (newer / p.name).exists()
        and 3_000 <= p.stat().st_size <= 80_000
        and p.name != "argparse.py"
        and p.name != "shlex.py"
    )


def changed_line_case(
    rng: random.Random, kind: str, ident: str, command: str, output: str, slots: dict[str, str]
) -> Case | None:
    lines = output.split("\n")
    picks = unique_lines(
        output, lambda s: s[:1] in "+-" and not s.startswith(("+++", "---")) and len(s[1:].strip()) >= 14
    )
    rng.shuffle(picks)
    for line_no in picks[:6]:
        func = ""
        for j in range(line_no, -1, -1):  # the nearest def/class above, within the hunk or named by its header
            scope = SCOPE.match(lines[j])
            if scope:
                func = scope.group(1)
                break
            if lines[j].startswith("@@"):
                header = SCOPE.match(lines[j].split("@@")[-1].strip())
                func = header.group(1) if header else ""
                break
        chosen = pick_words(rng, lines[line_no][1:], 1, avoid=[func])
        if not chosen:
            continue
        filled = {**slots, "func": func or "the module", "w1": chosen[0]}
        templates = DIFF_TEMPLATES if kind == "diff" else LOG_TEMPLATES
        fact = lines[line_no][1:].strip()
        case = Case(f"{ident}:{line_no}", kind, fill(rng, templates, **filled), [fact], [Call(command, output)])
        # the bare changed text may also sit on a context line; then keep the marked line, sign included
        if not valid(case):
            case.facts = [lines[line_no].rstrip()]
        if valid(case):
            return case
    return None


def diff_cases(rng: random.Random, want: int, libs: list[tuple[str, Path]]) -> list[Case]:
    pairs = [(libs[i], libs[i + 1]) for i in range(len(libs) - 1)]
    cases: list[Case] = []
    attempts = 0
    while pairs and len(cases) < want and attempts < want * 8:
        attempts += 1
        (old_label, old), (new_label, new) = rng.choice(pairs)
        names = modules(old, new)
        if not names:
            continue
        name = rng.choice(names)
        a = f"{old_label.replace(' (system)', '-system')}/{name}"
        b = f"{new_label.replace(' (system)', '-system')}/{name}"
        if rng.random() < 0.5:
            argv = ["diff", "-u", "--label", a, "--label", b, str(old / name), str(new / name)]
            command = f"diff -u {a} {b}"
        else:
            argv = [
                "git",
                "diff",
                "--no-index",
                "--no-color",
                "--src-prefix=",
                "--dst-prefix=",
                str(old / name),
                str(new / name),
            ]
            command = f"git diff --no-index {a} {b}"
        output = run(argv)
        if not output or len(output) > MAX_OUTPUT or output.count("\n") < 10:
            continue
        if argv[0] == "git":  # name the files as the command does
            output = output.replace(str(old / name), a).replace(str(new / name), b)
        slots = {"file": name, "old": old_label, "new": new_label}
        case = changed_line_case(rng, "diff", f"diff:{a}:{b}", command, output, slots)
        if case is not None and all(c.id != case.id for c in cases):
            cases.append(case)
    return cases


def gitlog_cases(rng: random.Random, want: int, libs: list[tuple[str, Path]]) -> list[Case]:
    libs = [(label, path) for label, path in libs if "system" not in label]
    if len(libs) < 3:
        return []
    names = [n for n in modules(libs[0][1], libs[-1][1]) if all((p / n).exists() for _, p in libs)]
    names = sorted(rng.sample(names, min(40, len(names))))
    cases: list[Case] = []
    with tempfile.TemporaryDirectory(prefix="headroom-gitlog-") as tmp:
        repo = Path(tmp)
        env = {"GIT_AUTHOR_NAME": "Release Bot", "GIT_AUTHOR_EMAIL": "release@example.org"}
        env |= {"GIT_COMMITTER_NAME": "Release Bot", "GIT_COMMITTER_EMAIL": "release@example.org"}
        if run(["git", "init", "-q", str(repo)]) is None:
            return []
        for index, (label, path) in enumerate(libs):
            (repo / "Lib").mkdir(exist_ok=True)
            for name in names:
                (repo / "Lib" / name).write_bytes((path / name).read_bytes())
            date = f"2020-01-{index + 1:02d}T12:00:00+00:00"
            dated = env | {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
            message = f"Update Lib/ to {label}\n\nImport the standard library modules as released in {label}."
            run(["git", "-C", str(repo), "add", "-A"], env=dated)
            run(["git", "-C", str(repo), "commit", "-q", "--no-gpg-sign", "-m", message], env=dated)
        attempts = 0
        while len(cases) < want and attempts < want * 6:
            attempts += 1
            name = rng.choice(names)
            count = rng.randint(3, len(libs))
            output = run(["git", "-C", str(repo), "log", "-p", "--no-color", f"-{count}", "--", f"Lib/{name}"])
            if not output or len(output) > MAX_OUTPUT or output.count("\ncommit ") < 1:
                continue
            command = f"git log -p -{count} -- Lib/{name}"
            case = changed_line_case(rng, "gitlog", f"gitlog:{name}:{count}", command, output, {"file": f"Lib/{name}"})
            if case is not None and all(c.id != case.id for c in cases):
                cases.append(case)
    return cases


def build(rng: random.Random, want: int) -> tuple[list[Case], list[str]]:
    libs = stdlibs()
    skipped: list[str] = []
    if len(libs) < 2:
        return [], ["diff, gitlog: fewer than two Python standard libraries on the machine"]
    diffs = diff_cases(rng, want, libs)
    logs = gitlog_cases(rng, want, libs)
    for kind, got in (("diff", diffs), ("gitlog", logs)):
        if len(got) < want:
            skipped.append(f"{kind}: {len(got)} of {want} cases built")
    return diffs + logs, skipped
