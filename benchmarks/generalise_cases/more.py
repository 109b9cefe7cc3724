"""More kinds of tool output a coding agent meets: JavaScript, Markdown, configuration files,
a test run with a failing assertion, directory listings (issue 12, the benchmark's breadth).

They live in one builder of their own, seeded by its own name, so adding them moved none of the
first eleven kinds' cases (each builder draws from ``random.Random(f"{seed}:{name}")``).

- code_js: ``cat`` of a JavaScript file (npm's and corepack's sources, /usr/share/javascript,
  /usr/share/doc); a function, method or class line and one line of its body, as code_py.
- markdown: ``cat`` of a ``.md`` file (READMEs, changelogs, npm's and Node's documentation); a
  prose or list line is the fact, the question names its section's heading and two of its words
  that no other line holds together (``common.telling``).
- config: ``cat`` of a YAML, TOML, INI or ``.conf`` file; a ``key: value`` / ``key = value``
  line is the fact, named by its key and the section or parent key it sits under; a pair that
  occurs twice names no line and is not asked about.
- test: ``python -m unittest -v`` or ``python -m pytest -v`` on a copy of a standard-library test
  module in which one ``assertEqual`` became ``assertNotEqual`` (the values compared stay real);
  the failure's message line and the line that says where it failed are the facts.
- listing: ``ls -la DIR`` (an entry is the fact, asked for by its name) and ``find DIR -type f``
  (a path is the fact, asked for by its file name).

Skipped on purpose (no source here, or not repeatable): Rust and Go sources (the machine holds
none beyond four Go files of git's contrib), ``ps`` (process ids and times change between runs).
A test run's duration (``in 0.42s``) is written as ``in 0.01s`` so the same seed builds the same
bytes; nothing else in a run's output is touched.
"""

from __future__ import annotations

import os
import random
import re
from collections import Counter
from pathlib import Path

from . import runs
from .common import (
    EXCLUDED_SUFFIXES,
    Call,
    Case,
    collect,
    family_of,
    fill,
    pick_words,
    python_roots,
    read_text,
    shown,
    spread,
    telling,
    unique_lines,
    valid,
)

ROOTS = ("/usr/lib/node_modules", "/usr/share/javascript", "/usr/share/doc", "/usr/lib/google-cloud-sdk", "/etc")
KINDS = ("code_js", "markdown", "config", "test", "listing")

JS_DEF = re.compile(
    r"^(\s*)(?:export\s+)?(?:default\s+)?(?:"
    r"(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\("
    r"|class\s+([A-Za-z_$][\w$]*)"
    r"|(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)"
    r"|(?:static\s+)?(?:async\s+)?(?:get\s+|set\s+)?\*?([A-Za-z_$#][\w$]*)\s*\([^()]*\)\s*\{\s*$"
    r"|([A-Za-z_$][\w$]*)\s*:\s*(?:async\s+)?function\b)"
)
# keywords are no name a question asks about, nor a word it asks with ("handles const")
JS_KEYWORDS = frozenset(
    "if for while switch catch function return else do with typeof new const let var await async this null "
    "undefined throw instanceof void delete case break continue default yield static".split()
)
JS_TEMPLATES = (
    "In {file}, what does {name} do when {w1}?",
    "How does {name} in {file} use {w1} and {w2}?",
    "Show me where {name} handles {w1} in {file}.",
    "What happens with {w1} inside {name}? The file is {file}.",
)
MD_TEMPLATES = (
    "What does the {heading} section of {file} say about {w1} and {w2}?",
    "In {file}, under {heading}, how do {w1} and {w2} relate?",
    "Where does {file} mention {w1} {w2}?",
)
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
YAML_PAIR = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w.-]*)\s*:\s+(\S.*)$")
EQ_PAIR = re.compile(r"^(\s*)([A-Za-z_][\w.-]*)\s*=\s*(\S.*)$")
OPENER = re.compile(r".*(?:[:=]\s*[\[{(|>]+[-+]?|=>.*)\s*$")
SECTION = re.compile(r"^\s*\[\[?([^\]]+)\]\]?\s*$")
CONFIG_TEMPLATES = (
    "What is {key} set to under {parent} in {file}?",
    "In {file}, which value does {parent} give {key}?",
    "Check {file}: what {key} does {parent} use?",
)
CONFIG_TOP_TEMPLATES = ("What is {key} set to in {file}?", "Which {key} does {file} configure?")
TEST_DIRS = frozenset(("test", "tests", "__tests__", "spec"))  # test code is left out, as code_py does


def walk() -> dict[str, list[Path]]:
    """The files of interest under ``ROOTS`` and the Python roots by extension, and the
    directories under ``ROOTS`` (key ``dir``), in one sorted walk. A Python root's directories
    are not listed: their ``__pycache__`` entries (and the environment's install times) change
    from run to run."""
    found: dict[str, list[Path]] = {}
    dirs: list[Path] = []
    roots = [Path(r) for r in ROOTS] + [root for _, root in python_roots()]
    for root in roots:
        if not root.is_dir():
            continue
        for here, subdirs, names in os.walk(root):
            subdirs.sort()
            if str(root) in ROOTS and "__pycache__" not in subdirs and Path(here).name != "__pycache__":
                dirs.append(Path(here))
            for name in sorted(names):
                ext = os.path.splitext(name)[1]
                if ext in (".js", ".md", ".yaml", ".yml", ".toml", ".conf", ".ini", ".cfg"):
                    path = Path(here) / name
                    if not str(path).endswith(EXCLUDED_SUFFIXES) and path.is_file():
                        found.setdefault(ext, []).append(path)
    found["dir"] = dirs
    return {key: sorted(set(paths)) for key, paths in found.items()}


def broad_family(path: Path) -> str:
    """A package (the last ``node_modules/<pkg>``, a Python package, ``doc/<pkg>``) or the first
    three levels of a path: one SDK ships thousands of YAML files in hundreds of directories."""
    parts = path.parts
    if "node_modules" in parts:
        at = len(parts) - 1 - parts[::-1].index("node_modules")
        return "/".join(parts[: at + 2])
    text = shown(path)
    if text.startswith(("site-packages", "lib/python")) or parts[:4] == ("/", "usr", "share", "doc"):
        return family_of(path)
    return "/".join(parts[:4]) if len(parts) > 4 else str(path.parent)


def js_case(rng: random.Random, path: Path) -> Case | None:
    text = read_text(path, 3_000, 60_000)
    if text is None or max(map(len, text.split("\n"))) > 400:  # minified or bundled, not read by a person
        return None
    lines = text.split("\n")
    symbols = [i for i, line in enumerate(lines) if JS_DEF.match(line)]
    rng.shuffle(symbols)
    for start in symbols[:6]:
        match = JS_DEF.match(lines[start])
        assert match is not None
        name = next(g for g in match.groups()[1:] if g)
        if name in JS_KEYWORDS or len(name) < 3:
            continue
        indent = len(match.group(1))
        body = set()
        for j in range(start + 1, min(len(lines), start + 200)):
            if lines[j].strip() and len(lines[j]) - len(lines[j].lstrip()) <= indent:
                break
            body.add(j)
        picks = [
            j
            for j in unique_lines(text, lambda s: len(s.strip()) >= 16 and not s.strip().startswith(("//", "*", "/*")))
            if j in body
        ]
        if not picks or text.count(lines[start].strip()) != 1:
            continue
        line_no = rng.choice(picks)
        chosen = pick_words(rng, lines[line_no], 2, avoid=[name, *JS_KEYWORDS])
        if not chosen:
            continue
        slots = {"file": shown(path), "name": name, "w1": chosen[0], "w2": chosen[-1] if len(chosen) > 1 else ""}
        case = Case(
            f"code_js:{shown(path)}:{start + 1}:{line_no + 1}",
            "code_js",
            fill(rng, JS_TEMPLATES, **slots),
            [lines[start].strip(), lines[line_no].strip()],
            [Call(f"cat {shown(path)}", text)],
        )
        if valid(case):
            return case
    return None


def markdown_case(rng: random.Random, path: Path) -> Case | None:
    text = read_text(path, 4_000, 80_000)
    if text is None:
        return None
    lines = text.split("\n")
    heading_of: dict[int, str] = {}
    heading, fenced = "", False
    prose: set[int] = set()
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        found = None if fenced else HEADING.match(line)
        if found:
            heading = re.sub(r"<[^>]*>", "", found.group(2)).strip("`*_ ")
        elif not fenced and heading and len(line.strip()) >= 40 and not line.lstrip().startswith(("|", "<", "[")):
            prose.add(i)
            heading_of[i] = heading
    picks = [i for i in unique_lines(text, lambda s: True) if i in prose]
    rng.shuffle(picks)
    for line_no in picks[:6]:
        chosen = pick_words(rng, lines[line_no], 2, avoid=heading_of[line_no].split())
        if len(chosen) < 2:
            continue
        chosen = telling(chosen, lines[line_no], lines, heading_of[line_no].split(), alone=2)
        slots = {"heading": heading_of[line_no], "file": path.name, "w1": chosen[0], "w2": chosen[1]}
        case = Case(
            f"markdown:{shown(path)}:{line_no + 1}",
            "markdown",
            fill(rng, MD_TEMPLATES, **slots),
            [lines[line_no].strip()],
            [Call(f"cat {shown(path)}", text)],
        )
        if valid(case):
            return case
    return None


def config_pairs(lines: list[str], yaml: bool) -> list[tuple[int, str, str]]:
    """(line, key, parent) of every ``key: value`` (YAML) or ``key = value`` line, the parent
    being the key one level up (YAML) or the ``[section]`` above (TOML, INI), '' at the top."""
    out: list[tuple[int, str, str]] = []
    parents: list[tuple[int, str]] = []  # (indent, key) of the open YAML mappings
    section = ""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        indent = len(line) - len(line.lstrip(" -"))
        if yaml:
            while parents and parents[-1][0] >= indent:
                parents.pop()
            opened = re.match(r"^\s*(?:-\s+)?([A-Za-z_][\w.-]*)\s*:\s*$", line)
            if opened:
                parents.append((indent, opened.group(1)))
                continue
            pair = YAML_PAIR.match(line)
            if pair:
                out.append((i, pair.group(2), parents[-1][1] if parents else ""))
            continue
        header = SECTION.match(line)
        if header:
            section = header.group(1).strip()
            continue
        pair = EQ_PAIR.match(line)
        if pair:
            out.append((i, pair.group(2), section))
    return out


def config_case(rng: random.Random, path: Path) -> Case | None:
    text = read_text(path, 3_000, 60_000)
    if text is None or text.count("\n") < 20:
        return None
    lines = text.split("\n")
    pairs = config_pairs(lines, path.suffix in (".yaml", ".yml"))
    named = Counter((key, parent) for _, key, parent in pairs)
    once = set(unique_lines(text, lambda s: len(s.strip()) >= 8))
    # a value that opens a block (``select = [``, ``key: |``) holds no answer on its line
    picks = [
        p for p in pairs if named[p[1], p[2]] == 1 and p[0] in once and len(p[1]) >= 3 and not OPENER.match(lines[p[0]])
    ]
    rng.shuffle(picks)
    for line_no, key, parent in picks[:6]:
        slots = {"key": key, "parent": parent, "file": shown(path)}
        case = Case(
            f"config:{path}:{line_no + 1}",
            "config",
            fill(rng, CONFIG_TEMPLATES if parent else CONFIG_TOP_TEMPLATES, **slots),
            [lines[line_no].strip()],
            [Call(f"cat {shown(path)}", text)],
        )
        if valid(case):
            return case
    return None


def build(rng: random.Random, want: int) -> tuple[list[Case], list[str]]:
    found = walk()
    dirs = [d for d in found.get("dir", []) if 30 <= _entries(d) <= 1_500]
    pools = {
        "code_js": (
            [p for p in found.get(".js", []) if not p.name.endswith(".min.js") and not TEST_DIRS & set(p.parts)],
            js_case,
        ),
        "markdown": (found.get(".md", []), markdown_case),
        "config": (
            [p for ext in (".yaml", ".yml", ".toml", ".conf", ".ini", ".cfg") for p in found.get(ext, [])],
            config_case,
        ),
        "test": (runs.test_modules(), runs.test_case),
        "listing": (dirs, runs.listing_case),
    }
    # files of a size the makers take, so the draws go to files that can make a case (the SDK's
    # thousands of YAML files are mostly a few hundred bytes)
    sizes = {"code_js": (3_000, 60_000), "markdown": (4_000, 80_000), "config": (3_000, 60_000)}
    # a seed per kind, and one per source within it, drawn before any case is made: a test run
    # that times out on a loaded machine then costs its own case, never the draws of the cases
    # after it or of the kinds after it
    seeds = {kind: rng.random() for kind in KINDS}
    cases: list[Case] = []
    skipped: list[str] = []
    for kind in KINDS:
        pool, maker = pools[kind]
        kind_rng = random.Random(seeds[kind])
        if kind in sizes:
            pool = [p for p in pool if sizes[kind][0] <= _size(p) <= sizes[kind][1]]
        if not pool:
            skipped.append(f"{kind}: no sources found")
            continue
        sources = spread(kind_rng, sorted(pool), broad_family)[: want * 12]
        made = (maker(random.Random(f"{seeds[kind]}:{path}"), path) for path in sources)
        cases += collect(kind, made, want, skipped)
    return cases, skipped


def _entries(path: Path) -> int:
    try:
        return len(os.listdir(path))
    except OSError:
        return 0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
