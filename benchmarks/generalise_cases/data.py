"""Structured cases: JSON (pip list, dpkg-query as NDJSON, JSON files on the system) and tables
(CSV/TSV/tab files on the system, dpkg-query as TSV).

JSON: a ``"key": value`` line (or, for one-line JSON, a whole object) is the fact; the question
names the key and a value of a neighbouring line that identifies the entry. Tables: a row is the
fact; the question names the row by its identifying cells and asks for another column by its
header. The first cell identifies a row when no other row shares it (a package, a release, a
country code); when others do (numpy's ``umath-validation-set-*.csv`` rows all start with
``np.float32`` or ``np.float64``, tzdata's ``zone.tab`` lists 16 zones under ``BR``), the question
adds the row's key among them: the first other cell no row sharing the first cell has, a cell with
a word in it first (``America/Noronha`` before ``-0351-03225``). Before, such questions named only
the first cell and matched 147-814 rows equally well, which no reader could answer.
``ambiguous_rows`` counts, for a table case, how many rows hold the most of the question's own
words; generalise.py prints how many cases exceed 5. A JSON entry named by a value many entries
share (``"type": "string"``) is named instead by a value of its own object that occurs once
(``naming_sibling``), when it has one; ``ambiguous_entries`` counts the rest.
"""

from __future__ import annotations

import random
import re
import sys
from collections import Counter
from pathlib import Path

from .common import (
    Call,
    Case,
    collect,
    family_of,
    files,
    fill,
    python_roots,
    read_text,
    run,
    shown,
    spread,
    unique_lines,
    valid,
)

KEY_VALUE = re.compile(r'^\s*"([^"]{2,40})"\s*:\s*("[^"]{2,120}"|-?\d[\d.eE+-]*|true|false)\s*,?\s*$')
STRING_VALUE = re.compile(r'"([^"]{2,40})"\s*:\s*"([^"]{2,60})"')
NAMING_KEY = re.compile(r"name|id$|title|code|key|package|label", re.IGNORECASE)
JSON_TEMPLATES = (
    "What is the {key} of the entry whose {nkey} is {nvalue}?",
    "In {file}, which {key} does {nvalue} have?",
    "Look up {nvalue} in {file}: what is its {key}?",
)
PIP_TEMPLATES = ("Which version of {name} is installed?", "Is {name} installed, and at which version?")
DPKG_TEMPLATES = (
    "How large is the installed {name} package, and which version is it?",
    "Which version and section does {name} have?",
)
TABLE_TEMPLATES = (
    "What is the {column} of {cell} in {file}?",
    "In {file}, which {column} goes with {cell}?",
    "Find the row for {cell} in {file} and tell me its {column}.",
)
# a row the first cell does not identify, named by its key among the rows sharing that cell; as
# many templates as above, so the seeded choice draws the same numbers either way
KEYED_TEMPLATES = (
    "What is the {column} of the {cell} row whose {key} is {value} in {file}?",
    "In {file}, which {column} goes with {cell} and {key} {value}?",
    "Find the {cell} row with {key} {value} in {file} and tell me its {column}.",
)
DPKG_JSON = (
    '{"package": "${Package}", "version": "${Version}", "installed_size": "${Installed-Size}", '
    '"architecture": "${Architecture}", "section": "${Section}"}\\n'
)
DPKG_TSV = "${Package}\\t${Version}\\t${Installed-Size}\\t${Architecture}\\t${Section}\\n"


def json_sources() -> list[tuple[str, str]]:
    """(command, output) of every JSON source present."""
    out: list[tuple[str, str]] = []
    listed = run([sys.executable, "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"], timeout=60)
    if listed:
        out.append(("pip list --format json", listed))
    dpkg = run(["dpkg-query", "-W", "-f", DPKG_JSON.replace("\\n", "\n")])
    if dpkg:
        out.append((f"dpkg-query -W -f '{DPKG_JSON}'", dpkg))
    paths = files(Path("/usr/share"), "*.json") + [p for _, r in python_roots() for p in files(r, "*.json")]
    for path in paths:
        text = read_text(path, 3_000, 150_000)
        if text is not None and text.count("\n") >= 40:
            out.append((f"cat {shown(path)}", text))
    return out


def one_line_case(rng: random.Random, command: str, text: str) -> Case | None:
    """pip list: a whole ``{"name": ..., "version": ...}`` object on one line is the fact."""
    objects = re.findall(r'\{"name": "[^"]+", "version": "[^"]+"[^{}]*\}', text)
    rng.shuffle(objects)
    for fact in objects[:5]:
        name = re.findall(r'"name": "([^"]+)"', fact)[0]
        case = Case(
            f"json:{command}:{name}", "json", fill(rng, PIP_TEMPLATES, name=name), [fact], [Call(command, text)]
        )
        if valid(case):
            return case
    return None


def json_case(rng: random.Random, command: str, text: str) -> Case | None:
    if command.startswith("pip list"):
        return one_line_case(rng, command, text)
    lines = text.split("\n")
    if command.startswith("dpkg-query"):
        picks = unique_lines(text, lambda s: '"package"' in s)
        if not picks:
            return None
        line_no = rng.choice(picks)
        name = re.findall(r'"package": "([^"]+)"', lines[line_no])[0]
        question = fill(rng, DPKG_TEMPLATES, name=name)
        case = Case(f"json:dpkg:{name}", "json", question, [lines[line_no].strip()], [Call(command, text)])
        return case if valid(case) else None
    picks = unique_lines(text, lambda s: bool(KEY_VALUE.match(s)))
    rng.shuffle(picks)
    for line_no in picks[:8]:
        match = KEY_VALUE.match(lines[line_no])
        assert match is not None
        key = match.group(1)
        # the entry's name: a string value on a nearby line, nearest first
        near = sorted(range(max(0, line_no - 6), min(len(lines), line_no + 7)), key=lambda j: abs(j - line_no))
        named = [m for j in near if j != line_no for m in [STRING_VALUE.search(lines[j])] if m and m.group(1) != key]
        # a key that names the entry (name, id, title, code...) identifies it better than the nearest one
        ident = next((m for m in named if NAMING_KEY.search(m.group(1))), named[0] if named else None)
        if ident is None:
            continue
        if text.count(f'"{ident.group(2)}"') > 1:  # a value many entries share names none of them
            ident = naming_sibling(lines, line_no, key, text) or ident
        fact = lines[line_no].strip().rstrip(",")
        slots = {
            "key": key,
            "nkey": ident.group(1),
            "nvalue": ident.group(2),
            "file": command.split()[-1].split("/")[-1],
        }
        case = Case(
            f"json:{command}:{line_no + 1}", "json", fill(rng, JSON_TEMPLATES, **slots), [fact], [Call(command, text)]
        )
        if valid(case):
            return case
    return None


def naming_sibling(lines: list[str], line_no: int, key: str, text: str) -> re.Match[str] | None:
    """A string value of the fact's own object (a line at its indentation, within six lines and
    without leaving the object) that occurs once in the whole output, a naming key's first, the
    nearest first: the name a user who had seen the entry would look it up by."""
    indent = len(lines[line_no]) - len(lines[line_no].lstrip())
    siblings: list[tuple[int, re.Match[str]]] = []
    for step in (-1, 1):
        j = line_no + step
        while 0 <= j < len(lines) and abs(j - line_no) <= 6:
            here = len(lines[j]) - len(lines[j].lstrip())
            if lines[j].strip() and here < indent:
                break  # the object closed or opened here
            found = STRING_VALUE.search(lines[j]) if here == indent else None
            if found and found.group(1) != key and text.count(f'"{found.group(2)}"') == 1:
                siblings.append((abs(j - line_no), found))
            j += step
    siblings.sort(key=lambda s: (not NAMING_KEY.search(s[1].group(1)), s[0]))
    return siblings[0][1] if siblings else None


def ambiguous_entries(case: Case) -> int:
    """How many times the value a JSON question names its entry by occurs in the output (a
    ``pip list`` or ``dpkg`` question names a package, which occurs once)."""
    for template in JSON_TEMPLATES:
        pattern = re.escape(template)
        for slot in ("key", "nkey", "file"):
            pattern = pattern.replace(re.escape("{" + slot + "}"), ".+?")
        found = re.fullmatch(pattern.replace(re.escape("{nvalue}"), "(.+?)"), case.question)
        if found:
            return case.calls[0].output.count(f'"{found.group(1)}"')
    return 1


def table_sources() -> list[tuple[str, str, str]]:
    """(command, output, separator) of every table present."""
    out: list[tuple[str, str, str]] = []
    dpkg = run(["dpkg-query", "-W", "-f", DPKG_TSV.replace("\\t", "\t").replace("\\n", "\n")])
    if dpkg:
        header = "package\tversion\tinstalled_size\tarchitecture\tsection\n"
        out.append(
            (
                "(printf 'package\\tversion\\tinstalled_size\\tarchitecture\\tsection\\n'; "
                f"dpkg-query -W -f '{DPKG_TSV}')",
                header + dpkg,
                "\t",
            )
        )
    paths = [p for pattern in ("*.csv", "*.tsv", "*.tab") for p in files(Path("/usr/share"), pattern)]
    paths += [p for _, r in python_roots() for pattern in ("*.csv", "*.tsv") for p in files(r, pattern)]
    for path in sorted(set(paths)):
        if "package-lists" in path.parts:
            continue
        text = read_text(path, 1_000, 150_000)
        if text is None:
            continue
        sep = "\t" if "\t" in text.split("\n", 3)[-1] else ","
        if text.count(sep) >= 20:
            out.append((f"cat {shown(path)}", text, sep))
    return out


def header_of(lines: list[str], sep: str) -> list[str]:
    """The column names: the first line (a leading '#' comment line is the header of .tab files)."""
    for line in lines[:30]:
        if line.startswith("#") and sep in line:
            return [c.strip() for c in line.lstrip("#").split(sep)]
        if line and not line.startswith("#"):
            return [c.strip() for c in line.split(sep)]
    return []


def records_of(lines: list[str], sep: str, header: list[str]) -> list[list[str]]:
    """The cells of every record: the lines that are neither blank, a comment, nor the header."""
    return [
        line.split(sep) for line in lines if line.strip() and not line.startswith("#") and line.split(sep) != header
    ]


def row_key(cells: list[str], records: list[list[str]], exclude: int) -> int | None:
    """The column that tells this row from the others sharing its first cell, or None when no
    cell does; a cell with a word in it (a name) before one of digits and signs, then leftmost.
    ``exclude`` is the column the question asks for."""
    peers = [r for r in records if r and r[0].strip() == cells[0].strip()]
    usable = [
        j
        for j in range(1, len(cells))
        if j != exclude
        and cells[j].strip()
        and sum(len(r) > j and r[j].strip() == cells[j].strip() for r in peers) == 1
    ]
    return min(usable, key=lambda j: (not re.search(r"[A-Za-z]{3,}", cells[j]), j), default=None)


def table_case(rng: random.Random, command: str, text: str, sep: str) -> Case | None:
    lines = text.split("\n")
    header = header_of(lines, sep)
    if len(header) < 2:
        return None
    records = records_of(lines, sep, header)
    firsts = Counter(r[0].strip() for r in records)
    picks = unique_lines(text, lambda s: not s.startswith("#") and s.count(sep) >= 1 and len(s) >= 12)
    picks = [i for i in picks if i > 0 and lines[i].split(sep) != header]
    rng.shuffle(picks)
    for line_no in picks[:8]:
        cells = lines[line_no].split(sep)
        columns = [i for i in range(1, min(len(cells), len(header))) if header[i]]
        if not columns or not cells[0].strip():
            continue
        wanted = rng.choice(columns)
        slots = {
            "column": header[wanted],
            "cell": cells[0].strip(),
            "file": command.split()[-1].split("/")[-1].rstrip(")'"),
        }
        if command.startswith("(printf"):
            slots["file"] = "the dpkg table"
        templates = TABLE_TEMPLATES
        if firsts[cells[0].strip()] > 1:  # the first cell does not identify the row: add its key
            key = row_key(cells, records, wanted)
            if key is None or key >= len(header) or not header[key]:
                continue
            slots |= {"key": header[key], "value": cells[key].strip()}
            templates = KEYED_TEMPLATES
        case = Case(
            f"table:{command[:60]}:{line_no + 1}",
            "table",
            fill(rng, templates, **slots),
            [lines[line_no]],
            [Call(command, text)],
        )
        if valid(case):
            return case
    return None


def ambiguous_rows(case: Case) -> int:
    """How many records of a table case's output hold the most of the question's own words (not
    the template's, the file name's or the column names'): above a handful, the question does not
    tell the reader which row it means. Words are lower-case runs of letters and digits joined by
    dots, so a release ``20.10`` or a dtype ``np.float64`` is one word, not two that dates match."""

    def words(text: str) -> set[str]:
        return set(re.findall(r"[a-z0-9_]+(?:\.[a-z0-9_]+)*", text.lower()))

    output = case.calls[0].output
    lines = output.split("\n")
    sep = "\t" if "\t" in output.split("\n", 3)[-1] else ","
    header = header_of(lines, sep)
    skeleton = " ".join(TABLE_TEMPLATES + KEYED_TEMPLATES) + " " + case.calls[0].command + " dpkg table"
    own = words(case.question) - words(skeleton + " " + " ".join(header))
    held = [len(own & words(sep.join(r))) for r in records_of(lines, sep, header)]
    best = max(held, default=0)
    return sum(h == best for h in held)


def source_family(source: tuple[str, ...]) -> str:
    """pip, dpkg, or the family of the file a ``cat`` reads."""
    command = source[0]
    if not command.startswith("cat "):
        return command.split()[0]
    shown_path = command.removeprefix("cat ")
    return (
        "/".join(shown_path.split("/")[:2])
        if shown_path.startswith(("site-packages", "lib"))
        else family_of(Path(shown_path))
    )


def build(rng: random.Random, want: int) -> tuple[list[Case], list[str]]:
    cases: list[Case] = []
    skipped: list[str] = []
    js = json_sources()
    tables = table_sources()
    for kind, pool in (("json", js), ("table", tables)):
        if not pool:
            skipped.append(f"{kind}: no sources found")
            continue
        ordered = spread(rng, pool, source_family)
        sources = (ordered[attempt % len(ordered)] for attempt in range(want * 6))
        if kind == "json":
            made = (json_case(rng, *source[:2]) for source in sources)
        else:
            made = (table_case(rng, *source) for source in sources)  # type: ignore[arg-type]
        cases += collect(kind, made, want, skipped)
    if not any(c.startswith("pip list") for c, _ in js):
        skipped.append("json: pip list unavailable")
    if not any(c.startswith("(printf") for c, _, _ in tables):
        skipped.append("table: dpkg-query unavailable")
    return cases, skipped
