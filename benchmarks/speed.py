"""Speed per content kind, as a multiple of tiktoken encoding the same text once.

    python benchmarks/speed.py                       # every kind at 100 KB, 1 MB and 10 MB
    python benchmarks/speed.py --quick               # 100 KB and 1 MB, no memory column
    python benchmarks/speed.py --sizes 1MB --kinds logs,json --budget 8000
    python benchmarks/speed.py --profile --sizes 1MB # where the time goes (cProfile), per kind
    python benchmarks/speed.py --startup             # `import headroom` and first-call times only

Inputs are built from real text found on any machine that runs this (no
download): ``python`` is the running interpreter's standard library (its
``.py`` files in sorted order); ``c`` the C headers under ``/usr/include``;
``search`` is ``grep -n``-style lines (``path:line:text``) of every stdlib line
holding ``import`` or ``def``; ``json`` an indented JSON array describing every
stdlib function (module, name, line, arguments, first docstring line); ``prose``
the stdlib's docstrings as paragraphs; ``diff`` this repository's own history
(``git log -p`` up to a pinned commit); ``logs`` the committed log fixtures
with a distinct timestamp on every line (as benchmarks/log_throughput.py
builds them, so no line repeats); ``html`` the committed HTML fixtures. A kind
with less text than the size asked is repeated whole to reach it (html past
~400 KB, diff past ~7.8 MB, json's records past the stdlib's functions); every
input but json is cut at a line end.

Each cell runs in a fresh process: the input is built, one warm-up call on
10 KB of the same kind loads the encoding and the family's modules, then one
``Headroom(...).compress_text`` call with the budget and one without are
timed. ``x floor`` is a call's wall time over the best of three tiktoken
``encode`` calls on the same text (one at 10 MB); ``CPU x floor`` the same
ratio of the process's CPU time (what other jobs on a shared machine take
moves it far less). Peak memory is RSS: how far
the budgeted call raised the process's resident high-water mark above where
it stood before the call (Linux resets the mark through /proc/self/clear_refs,
so building the input does not count), beside the same measure for tiktoken
encoding the text once in another fresh process; RSS sees the tokenizer's
native buffers, which tracemalloc does not. ``routed`` is the content type
the router chose (a secret's redaction entry, written before it, is skipped).
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import json
import pstats
import resource
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from headroom import Headroom, MemoryStore, TokenCounter

HERE = Path(__file__).parent
ROOT = HERE.parent
MODEL = "gpt-4"
SIZES = {"100KB": 100_000, "1MB": 1_000_000, "10MB": 10_000_000}
PINNED = "ee72647"  # the repository history the diff input is cut from, so it never moves
STDLIB = Path(sysconfig.get_paths()["stdlib"])


@cache
def _stdlib_files() -> list[Path]:
    skip = ("test", "idlelib", "lib2to3", "site-packages", "turtledemo")
    return [
        path
        for path in sorted(STDLIB.rglob("*.py"))
        if not any(part in skip for part in path.relative_to(STDLIB).parts)
    ]


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _python(size: int) -> str:
    """Stdlib modules up to ``size``; the last one ends after its last whole top-level statement.

    Cut at any line end, the last module stopped inside a string or a block, the input did not
    parse, and this row timed the code compressor's fallback to the generic cut, not code.
    """
    return _concat((_read(path) for path in _stdlib_files()), size, fit=_whole_statements)


def _whole_statements(source: str, room: int) -> str:
    """The longest run of ``source``'s top-level statements from its start within ``room`` characters."""
    lines = source.splitlines(keepends=True)
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return ""
    ends = [sum(map(len, lines[: node.end_lineno or node.lineno])) for node in body]
    return source[: max((end for end in ends if end <= room), default=0)]


def _c(size: int) -> str:
    headers = sorted(Path("/usr/include").rglob("*.h"))
    if not headers:
        raise SystemExit("the c kind needs C headers under /usr/include (libc6-dev)")
    return _concat((_read(path) for path in headers), size)


def _search(size: int) -> str:
    def lines() -> object:
        for path in _stdlib_files():
            name = path.relative_to(STDLIB)
            for number, line in enumerate(_read(path).splitlines(), 1):
                if "import" in line or "def " in line:
                    yield f"Lib/{name}:{number}:{line}\n"

    return _concat(lines(), size)  # type: ignore[arg-type]


@cache
def _functions() -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for path in _stdlib_files():
        try:
            tree = ast.parse(_read(path))
        except (SyntaxError, ValueError):
            continue
        module = ".".join(path.relative_to(STDLIB).with_suffix("").parts)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node) or ""
                found.append(
                    {
                        "module": module,
                        "name": node.name,
                        "line": node.lineno,
                        "args": [arg.arg for arg in node.args.args],
                        "async": isinstance(node, ast.AsyncFunctionDef),
                        "doc": doc.split("\n", 1)[0],
                    }
                )
    return found


def _json(size: int) -> str:
    records = _functions()
    out: list[dict[str, object]] = []
    used = 2
    while used < size:
        record = records[len(out) % len(records)]
        used += len(json.dumps(record, indent=2)) + 8
        out.append(record)
    return json.dumps(out[:-1] if used > size and len(out) > 1 else out, indent=2)


def _prose(size: int) -> str:
    def paragraphs() -> object:
        for path in _stdlib_files():
            try:
                tree = ast.parse(_read(path))
            except (SyntaxError, ValueError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                    doc = ast.get_docstring(node)
                    if doc and len(doc) > 200 and ">>>" not in doc:
                        yield doc.strip() + "\n\n"

    return _concat(paragraphs(), size)  # type: ignore[arg-type]


def _diff(size: int) -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-p", "--no-color", "--reverse", PINNED],
        capture_output=True,
        text=True,
        check=True,
    )
    return _concat([done.stdout], size)


def _logs(size: int) -> str:
    sys.path.insert(0, str(HERE))
    from log_throughput import build

    return build(size / 1_000_000, stamped=True)


def _html(size: int) -> str:
    return _concat((_read(p) for p in sorted((HERE / "corpus" / "fixtures").glob("html_*.html"))), size)


KINDS: dict[str, Callable[[int], str]] = {
    "logs": _logs,
    "json": _json,
    "search": _search,
    "diff": _diff,
    "prose": _prose,
    "html": _html,
    "python": _python,
    "c": _c,
}


def _concat(parts: object, size: int, fit: Callable[[str, int], str] | None = None) -> str:
    """``parts`` joined up to ``size`` characters at a line end, repeated whole if they run out.

    ``fit(part, room)`` cuts the part that crosses ``size`` itself (Python at a statement's end).
    """
    taken: list[str] = []
    total = 0
    for part in parts:  # type: ignore[attr-defined]
        text = part if part.endswith("\n") else part + "\n"
        if fit is not None and total + len(text) >= size:
            return "".join(taken) + fit(text, size - total)
        taken.append(text)
        total += len(text)
        if total >= size:
            break
    one = "".join(taken)
    text = one * (size // max(1, len(one)) + 1) if len(one) < size else one
    return text[: text.rfind("\n", 0, size) + 1]


def build(kind: str, size: int) -> str:
    """The ``kind`` input of about ``size`` characters (``json`` stops at a whole record)."""
    return KINDS[kind](size)


def _floor(counter: TokenCounter, text: str) -> tuple[float, float, int]:
    """The best wall time and the best CPU time of tiktoken encoding ``text``, and its tokens."""
    encoding = counter._encoding  # type: ignore[attr-defined]
    best = cpu = float("inf")
    for _ in range(1 if len(text) > 5_000_000 else 3):
        started, started_cpu = time.perf_counter(), time.process_time()
        tokens = len(encoding.encode(text, disallowed_special=()))
        best = min(best, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return best, cpu, tokens


def _reset_peak() -> int:
    """Start a new peak-RSS window and return the resident set now.

    On Linux, writing 5 to /proc/self/clear_refs resets the high-water mark
    (VmHWM) to the current RSS, so what building the input cost is not
    counted; elsewhere the window is the process's life (``ru_maxrss``).
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status("VmRSS")
    except OSError:
        return _rss_bytes()


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise OSError(field)


def _rss_bytes() -> int:
    """This process's peak resident set in the current window."""
    try:
        return _status("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _compress(text: str, budget: int | None) -> tuple[float, object]:
    seconds, _, result = _compress_cpu(text, budget)
    return seconds, result


def _compress_cpu(text: str, budget: int | None) -> tuple[float, float, object]:
    """Wall and CPU seconds of one call. This process's CPU time counts only its own work, so on a
    machine shared with other jobs the CPU ratio moves far less than the wall ratio between runs."""
    hr = Headroom(store=MemoryStore(), model=MODEL)
    started, started_cpu = time.perf_counter(), time.process_time()
    result = hr.compress_text(text, budget)
    return time.perf_counter() - started, time.process_time() - started_cpu, result


def cell(kind: str, label: str, budget: int) -> dict[str, object]:
    """One table cell, measured in this (fresh) process: the budgeted call first, so the peak RSS
    it adds over the process's earlier peak (text built, warm-up done) is its own."""
    text = build(kind, SIZES[label])
    _compress(build(kind, 10_000), budget)  # warm-up: the family's modules and the encoding
    before = _reset_peak()
    with_budget, cpu, result = _compress_cpu(text, budget)
    grown = _rss_bytes() - before
    without, plain = _compress(text, None)
    floor, floor_cpu, tokens = _floor(TokenCounter.for_model(MODEL), text)
    entries = result.manifest.entries  # type: ignore[attr-defined]
    routed = [e.content_type for e in entries if e.compressor != "secrets"]  # a redaction entry is not the route
    return {
        "routed": routed[0] if routed else "-",
        "bytes": len(text.encode()),
        "tokens": tokens,
        "floor": floor,
        "budget": with_budget,
        "cpu_ratio": cpu / max(floor_cpu, 1e-9),
        "plain": without,
        "after": result.tokens_after,  # type: ignore[attr-defined]
        "plain_after": plain.tokens_after,  # type: ignore[attr-defined]
        "rss": grown,
    }


def encode_cell(kind: str, label: str) -> dict[str, object]:
    """The peak RSS tiktoken adds encoding the text once, in a fresh process."""
    counter = TokenCounter.for_model(MODEL)
    text = build(kind, SIZES[label])
    counter.count("warm up")
    before = _reset_peak()
    counter._encoding.encode(text, disallowed_special=())  # type: ignore[attr-defined]
    return {"rss": _rss_bytes() - before}


def _child(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True, timeout=7200
    )
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def measure(kind: str, label: str, budget: int, memory: bool) -> str:
    got: dict[str, Any] = _child("cell", kind, label, str(budget))
    floor, megabytes = got["floor"], got["bytes"] / 1e6
    cells = [
        kind,
        label,
        got["routed"],
        f"{got['tokens']:,}",
        f"{floor * 1000:.0f}",
        f"{got['budget'] * 1000:.0f}",
        f"{got['budget'] / floor:.1f}",
        f"{got['cpu_ratio']:.1f}",
        f"{megabytes / got['budget']:.2f}",
        f"{got['plain'] * 1000:.0f}",
        f"{got['plain'] / floor:.1f}",
        f"{got['after']:,}",
        f"{got['plain_after']:,}",
    ]
    if memory:
        mib = 2**20
        encode = _child("encode", kind, label)["rss"]
        assert isinstance(encode, int)
        ratio = f"{got['rss'] / encode:.2f}" if encode > 0 else "-"
        cells += [f"{got['rss'] / mib:.1f}", f"{encode / mib:.1f}", ratio]
    return "| " + " | ".join(cells) + " |"


# --- where the time goes ------------------------------------------------------------------------

_GROUPS = {
    "tokenization": lambda file, name: name in ("<method 'encode' of 'builtins.CoreBPE' objects>",),
    "relevance/BM25": lambda file, name: file.endswith("headroom/relevance.py"),
    "ast-grep": lambda file, name: file.endswith(("code/_astgrep.py", "code/_scan.py")) or "ast_grep_py" in file,
    "router (detect)": lambda file, name: file.endswith("headroom/router.py"),
}


def profile(kind: str, label: str, budget: int) -> str:
    """One budgeted call under cProfile, its time split by what it was doing (inclusive, entered from outside)."""
    text = build(kind, SIZES[label])
    _compress(build(kind, 10_000), budget)
    default_seconds = [0.0]
    from headroom import forms

    original = forms.Shaper._compress

    def timed(self: forms.Shaper, compressor: Any, target: int | None, ctx: Any, level: str, **options: Any) -> object:
        started = time.perf_counter()
        try:
            return original(self, compressor, target, ctx, level, **options)
        finally:
            if target is None and self.budget is not None:
                default_seconds[0] += time.perf_counter() - started

    forms.Shaper._compress = timed  # type: ignore[method-assign,assignment]
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    result = Headroom(store=MemoryStore(), model=MODEL).compress_text(text, budget)
    profiler.disable()
    total = time.perf_counter() - started
    forms.Shaper._compress = original  # type: ignore[method-assign]
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    shares = {}
    for group, member in _GROUPS.items():
        inside = {func for func in stats if member(func[0], func[2])}
        seconds = 0.0
        for func in inside:
            callers = stats[func][4]
            seconds += sum(value[3] for caller, value in callers.items() if caller not in inside)
        shares[group] = seconds
    entries = result.manifest.entries
    level = entries[0].level if entries else "-"
    cells = [kind, label, f"{total:.2f}"] + [f"{shares[g] / total:.0%}" for g in _GROUPS]
    cells += [f"{default_seconds[0] / total:.0%}", level]
    top = sorted(stats.items(), key=lambda item: -item[1][2])[:3]
    cells.append(", ".join(f"{_where(func)} {value[2] / total:.0%}" for func, value in top))
    return "| " + " | ".join(cells) + " |"


def _where(func: tuple[str, int, str]) -> str:
    """``module.function`` for a profile entry, short enough for a table cell."""
    file, _, name = func
    if file == "~":
        return name.strip("<>").replace("method ", "").replace("built-in ", "")
    parts = Path(file).with_suffix("").parts
    module = ".".join(parts[parts.index("headroom") :]) if "headroom" in parts else parts[-1]
    return f"{module}.{name}"


# --- cold start ---------------------------------------------------------------------------------

_IMPORT = "import time; t = time.perf_counter(); import headroom; print(time.perf_counter() - t)"
_FIRST = (
    "import time, sys, threading; t = time.perf_counter(); import headroom; i = time.perf_counter() - t; "
    "loaded = sorted(m for m in sys.modules if m.startswith('headroom.compressors.') or m == 'tiktoken'); "
    "loaded = [m for m in loaded if m != 'headroom.compressors.base']; "
    "threads = threading.active_count(); text = open(sys.argv[1]).read(); t = time.perf_counter(); "
    "c = time.process_time(); headroom.compress_text(text, 2000); f = time.perf_counter() - t; "
    "fc = time.process_time() - c; t = time.perf_counter(); c = time.process_time(); "
    "headroom.compress_text(text + ' ', 2000); s = time.perf_counter() - t; sc = time.process_time() - c; "
    "import json; print(json.dumps([i, f, s, threads, [m for m in loaded if m.count('.') < 3], fc, sc]))"
)


def startup(runs: int = 7) -> list[str]:
    imports = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", _IMPORT], capture_output=True, text=True, check=True)
        imports.append(float(done.stdout))
    fixture = ROOT / "benchmarks" / "corpus" / "fixtures" / "log_pytest_mixed.txt"
    firsts = []
    for _ in range(max(3, runs // 2)):
        done = subprocess.run([sys.executable, "-c", _FIRST, str(fixture)], capture_output=True, text=True, check=True)
        firsts.append(json.loads(done.stdout))
    first = statistics.median(f[1] for f in firsts)
    second = statistics.median(f[2] for f in firsts)
    return [
        f"- `import headroom`: median {statistics.median(imports) * 1000:.0f} ms over {runs} fresh processes "
        f"(min {min(imports) * 1000:.0f} ms)",
        f"- modules from headroom.compressors.* or tiktoken imported by `import headroom`: {firsts[0][4] or 'none'}; "
        f"threads after import: {firsts[0][3]}",
        f"- first `compress_text` call ({fixture.stat().st_size // 1000} KB log, budget 2000): "
        f"median {first * 1000:.0f} ms; the same call again in that process: {second * 1000:.0f} ms",
        # CPU time: what other jobs on a shared machine add to the wall time moves it far less
        f"- the same, CPU time: first call median {statistics.median(f[5] for f in firsts) * 1000:.0f} ms "
        f"(min {min(f[5] for f in firsts) * 1000:.0f}); again {statistics.median(f[6] for f in firsts) * 1000:.0f} ms",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100KB,1MB,10MB", help=f"comma-separated, of {', '.join(SIZES)}")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, of {', '.join(KINDS)}")
    parser.add_argument("--budget", type=int, default=8000)
    parser.add_argument("--quick", action="store_true", help="100KB and 1MB only, no tiktoken memory column")
    parser.add_argument("--no-memory", action="store_true", help="skip the tiktoken memory column")
    parser.add_argument("--profile", action="store_true", help="print where the time goes instead")
    parser.add_argument("--startup", action="store_true", help="only the import and first-call times")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)  # one measurement, in a fresh process
    args = parser.parse_args()
    if args.child:
        what, kind, label, *rest = args.child
        print(json.dumps(cell(kind, label, int(rest[0])) if what == "cell" else encode_cell(kind, label)))
        return
    sizes = ["100KB", "1MB"] if args.quick else args.sizes.split(",")
    kinds = args.kinds.split(",")
    for name in sizes + kinds:
        if name not in SIZES and name not in KINDS:
            parser.error(f"unknown size or kind {name!r}; sizes: {', '.join(SIZES)}; kinds: {', '.join(KINDS)}")
    if args.startup:
        print("\n".join(startup()))
        return
    if args.profile:
        print(f"budget {args.budget}; shares of one call's wall time under cProfile (inclusive, so they may overlap)")
        print()
        head = ["kind", "size", "s (profiled)", *_GROUPS, "default-level render", "level chosen", "top own time"]
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for kind in kinds:
            for label in sizes:
                print(profile(kind, label, args.budget), flush=True)
        return
    memory = not (args.quick or args.no_memory)
    head = ["kind", "size", "routed", "tokens", "tiktoken ms", f"ms at {args.budget}", "x floor", "CPU x floor", "MB/s"]
    head += ["ms no budget", "x floor", "tokens after", "after (no budget)"]
    if memory:
        head += ["peak RSS MiB", "tiktoken RSS MiB", "x tiktoken"]
    print(f"budget {args.budget}, model {MODEL}, Python {sys.version.split()[0]}")
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for kind in kinds:
        for label in sizes:
            print(measure(kind, label, args.budget, memory), flush=True)
    print()
    print("\n".join(startup()))


if __name__ == "__main__":
    main()
