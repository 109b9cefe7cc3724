"""Routing on real files: where each file found on this machine goes by its content alone.

    python benchmarks/routing.py                  # per type: files, routed as expected, where the rest went
    python benchmarks/routing.py --per-type 300 --show 5

A file's extension says what it is; the router sees only its text (no hint), as when an agent's
tool call names no file (a ``cat`` through a pipe, a tool that returns content). Each file is then
routed again with one foreign line (a diff header, a JSON object, an error line, a grep line, a
hunk header, a markdown heading): once as its first or last line (a warning, a prompt), once at a
random place inside; one stray line must not move a piece to a route its type does not take
(docs/routing.md). A JSON file is not tried inside: a line in the middle of it is no longer JSON.
Files are drawn by a seeded RNG from a sorted walk, so a run repeats on one machine. Markdown,
reStructuredText and plain text may go to prose, mixed (fenced blocks, embedded data) or a table;
configuration files to the generic compressor's key reading (``text``) or JSON.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generalise_cases.common import python_roots  # noqa: E402

from headroom.registry import Registry  # noqa: E402

ROOTS = ("/usr/include", "/usr/share/doc", "/usr/lib/node_modules", "/usr/share/javascript", "/etc", "/var/log")
PROSE = frozenset(("prose", "mixed"))
EXPECTED: dict[str, frozenset[str]] = {
    ".py": frozenset(("code",)),
    ".c": frozenset(("code",)),
    ".h": frozenset(("code",)),
    ".js": frozenset(("code",)),
    ".sh": frozenset(("code",)),
    ".md": PROSE | {"table"},
    ".rst": PROSE,
    ".txt": PROSE | {"table", "text", "log"},
    ".html": frozenset(("html",)),
    ".json": frozenset(("json", "mixed")),  # with a line around it (a warning), JSON embedded in text
    ".yaml": frozenset(("text", "json")),
    ".yml": frozenset(("text", "json")),
    ".toml": frozenset(("text",)),
    ".ini": frozenset(("text",)),
    ".cfg": frozenset(("text",)),
    ".conf": frozenset(("text",)),
    ".csv": frozenset(("table",)),
    ".tsv": frozenset(("table",)),
    ".log": frozenset(("log",)),
}
FOREIGN = (
    "diff --git a/tests/fixture.rs b/tests/fixture.rs",
    '{"name": "example", "version": 1}',
    "ERROR: something failed here",
    "src/other.py:12:    value = compute(3)",
    "@@ -1,3 +1,3 @@",
    "# Notes",
)
MIN_BYTES, MAX_BYTES = 400, 300_000


def walk() -> dict[str, list[Path]]:
    """Files by extension under ``ROOTS`` and the Python roots, sorted."""
    found: dict[str, list[Path]] = {}
    roots = [Path(r) for r in ROOTS] + [root for _, root in python_roots()]
    for root in roots:
        for here, subdirs, names in os.walk(root):
            subdirs.sort()
            for name in sorted(names):
                ext = os.path.splitext(name)[1]
                path = Path(here) / name
                if ext in EXPECTED and path.is_file() and not path.is_symlink():
                    found.setdefault(ext, []).append(path)
    return {ext: sorted(set(paths)) for ext, paths in found.items()}


def readable(path: Path) -> str | None:
    try:
        if not MIN_BYTES <= path.stat().st_size <= MAX_BYTES:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--per-type", type=int, default=150, help="files drawn per extension (default 150)")
    parser.add_argument("--show", type=int, default=3, help="files listed per extension that went elsewhere")
    args = parser.parse_args()
    started = time.perf_counter()
    router = Registry().router
    rng = random.Random(args.seed)
    found = walk()
    out = [
        "| type | files | as expected | where the rest went | moved by a line at the head or tail "
        "| moved by a line inside |",
        "|---|---|---|---|---|---|",
    ]
    notes: list[str] = []
    total = right = 0
    moved = [0, 0]
    for ext in EXPECTED:
        paths = found.get(ext, [])
        rng.shuffle(paths)
        routes: Counter[str] = Counter()
        shifted = [0, 0]
        for path in paths:
            if sum(routes.values()) >= args.per_type:
                break
            text = readable(path)
            if text is None or not text.strip():
                continue
            route = router.detect(text)
            routes[route] += 1
            if route not in EXPECTED[ext] and len(notes) < 400 and sum(n.startswith(ext) for n in notes) < args.show:
                notes.append(f"{ext} -> {route}: {path}")
            lines = text.rstrip("\n").split("\n")
            places = [rng.choice((0, len(lines))), rng.randrange(1, len(lines)) if len(lines) > 1 else 0]
            for n, at in enumerate(places if ext != ".json" else places[:1]):
                changed = "\n".join([*lines[:at], rng.choice(FOREIGN), *lines[at:]])
                again = router.detect(changed)
                shifted[n] += again != route and again not in EXPECTED[ext]
        files = sum(routes.values())
        if not files:
            continue
        ok = sum(n for route, n in routes.items() if route in EXPECTED[ext])
        rest = ", ".join(f"{route} {n}" for route, n in routes.most_common() if route not in EXPECTED[ext])
        inside = "-" if ext == ".json" else shifted[1]
        out.append(f"| {ext} | {files} | {ok} ({ok / files:.0%}) | {rest or '-'} | {shifted[0]} | {inside} |")
        total, right, moved = total + files, right + ok, [moved[0] + shifted[0], moved[1] + shifted[1]]
    out.append(f"| all | {total} | {right} ({right / max(1, total):.1%}) | | {moved[0]} | {moved[1]} |")
    print(
        f"routing by content alone, seed {args.seed}, up to {args.per_type} files per type "
        f"({time.perf_counter() - started:.0f} s)\n"
    )
    print("\n".join(out))
    if notes:
        print("\nrouted elsewhere (first of each type):\n" + "\n".join(f"- {n}" for n in notes))


if __name__ == "__main__":
    main()
