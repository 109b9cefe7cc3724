"""Time per input size on single long lines: does compress stay linear whatever the shape?

    python benchmarks/scaling.py                       # every shape at 10, 40, 160, 640 KB
    python benchmarks/scaling.py --sizes 10 40 --limit 30 --profile

Shapes (each one line, or nearly, as agents meet them): base64 (an HTTP body, a
data URI), a run of spaces between two words, minified JavaScript, one-line
JSON, and the two shapes issue 17 reported: a 3-line text whose middle line is
all ``=``, and a text whose second line is spaces. Each case runs in its own
process with a time limit (``--limit`` seconds), because a super-linear case
at 640 KB can take hours; a case over the limit is printed as ``>limit`` and
the larger sizes of that shape are skipped. ``ratio`` is the time at a size over
the time at the previous size: 4x the input should cost about 4x the time.

``--profile`` runs cProfile on the largest case of each shape and prints the
functions holding most of the time, so a super-linear detector or compressor
can be named.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import io
import json
import multiprocessing
import pstats
import random
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

SHAPES: dict[str, Callable[[int], str]] = {}


def shape(name: str) -> Callable[[Callable[[int], str]], Callable[[int], str]]:
    def register(make: Callable[[int], str]) -> Callable[[int], str]:
        SHAPES[name] = make
        return make

    return register


@shape("base64")
def _base64(size: int) -> str:
    raw = random.Random(1).randbytes(size * 3 // 4)
    return base64.b64encode(raw).decode()[:size]


@shape("spaces")
def _spaces(size: int) -> str:
    return "start" + " " * (size - 8) + "end"


@shape("minified_js")
def _minified(size: int) -> str:
    rng = random.Random(2)
    parts = []
    total = 0
    while total < size:
        name = "".join(rng.choice("abcdefghij") for _ in range(2))
        part = (
            f"function {name}(a,b){{var c=a+b*{rng.randint(1, 99)};"
            f"if(c>{rng.randint(1, 999)}){{return c}}else{{return {name}(c,b-1)}}}};"
        )
        parts.append(part)
        total += len(part)
    return "".join(parts)[:size]


@shape("json_line")
def _json_line(size: int) -> str:
    rng = random.Random(3)
    rows: list[dict[str, object]] = []
    total = 2
    while total < size:
        row = {"id": len(rows), "name": f"item-{rng.randint(0, 10**6)}", "price": rng.randint(1, 999) / 10}
        rows.append(row)
        total += len(json.dumps(row)) + 2
    return json.dumps(rows)


@shape("equals_3_lines")
def _equals(size: int) -> str:
    return "header\n" + "=" * (size - 14) + "\nfooter"


@shape("spaces_line_2")
def _spaces_line_2(size: int) -> str:
    return "name value\n" + " " * (size - 22) + "\nlast line x"


MODE = {"mode": "quarter"}


def run_once(name: str, size_kb: int) -> float:
    """One ``compress`` of a conversation whose tool output is the shape, under the chosen budget.

    ``quarter``: a budget of a quarter of the output's tokens, so the lossy
    levels near it are built (a tiny budget skips most of them); ``none``: no
    budget, the default level only; ``tiny``: 500 tokens.
    """
    from headroom import Headroom, MemoryStore

    text = SHAPES[name](size_kb * 1000)
    headroom = Headroom(store=MemoryStore(), model="gpt-4")
    call = {"id": "c1", "type": "function", "function": {"name": "fetch", "arguments": '{"url": "https://x/y"}'}}
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "fetch the page and tell me what the id field says"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": text},
        {"role": "user", "content": "so what is the id?"},
    ]
    tokens = headroom.counter.count(text)
    budget = {"quarter": max(500, tokens // 4), "none": None, "tiny": 500}[MODE["mode"]]
    start = time.perf_counter()
    headroom.compress(messages, budget)
    return time.perf_counter() - start


def _child(name: str, size_kb: int, mode: str, out: multiprocessing.Queue[float]) -> None:
    MODE["mode"] = mode
    out.put(run_once(name, size_kb))


def timed(name: str, size_kb: int, limit: float, repeat: int = 1) -> float | None:
    """Median seconds of ``repeat`` compress calls of this shape and size, or None past ``limit``."""
    times = []
    for _ in range(repeat):
        seconds = _timed_once(name, size_kb, limit)
        if seconds is None:
            return None
        times.append(seconds)
    return sorted(times)[len(times) // 2]


def _timed_once(name: str, size_kb: int, limit: float) -> float | None:
    queue: multiprocessing.Queue[float] = multiprocessing.Queue()
    process = multiprocessing.Process(target=_child, args=(name, size_kb, MODE["mode"], queue))
    process.start()
    process.join(limit)
    if process.is_alive():
        process.kill()
        process.join()
        return None
    return queue.get() if not queue.empty() else None


def profile(name: str, size_kb: int, top: int = 8) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    run_once(name, size_kb)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(top)
    return stream.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 40, 160, 640], help="sizes in KB")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds per case before giving up")
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES))
    parser.add_argument("--profile", action="store_true", help="profile each shape at the largest size")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the median is printed")
    parser.add_argument("--regex-audit", action="store_true", help="time every module-level pattern on long lines")
    parser.add_argument("--only", nargs="+", default=None, help="with --regex-audit: only these pattern names")
    parser.add_argument(
        "--modules", nargs="+", default=None, help="with --regex-audit: only modules of these names (headroom.X)"
    )
    parser.add_argument("--mode", choices=["quarter", "none", "tiny"], default="quarter", help="the budget")
    args = parser.parse_args()
    MODE["mode"] = args.mode
    if args.regex_audit:
        print(f"{'module':<40}{'pattern':<28}{'filler':>8}{'s at 20K':>10}{'growth':>8}")
        for module, name, filler, took, growth in regex_audit(only=args.only, modules=args.modules):
            print(f"{module:<40}{name:<28}{filler!r:>8}{took:>10.3f}{growth:>8.1f}", flush=True)
        return
    print(f"budget: {args.mode}")
    print(f"{'shape':<16}{'KB':>6}{'seconds':>10}{'ratio':>8}")
    for name in args.shapes:
        previous: float | None = None
        for size in args.sizes:
            seconds = timed(name, size, args.limit, args.repeat)
            if seconds is None:
                print(f"{name:<16}{size:>6}{'>' + format(args.limit, 'g'):>10}{'':>8}", flush=True)
                break
            ratio = f"{seconds / previous:.1f}" if previous else ""
            print(f"{name:<16}{size:>6}{seconds:>10.3f}{ratio:>8}", flush=True)
            previous = max(seconds, 1e-6)
    if args.profile:
        for name in args.shapes:
            print(f"\n== profile: {name}, {max(args.sizes)} KB ==")
            print(profile(name, max(args.sizes)))


def regex_audit(
    small: int = 5_000,
    factor: int = 4,
    floor: float = 0.002,
    only: list[str] | None = None,
    modules: list[str] | None = None,
) -> Iterator[tuple[str, str, str, float, float]]:
    """Every compiled pattern at module level in headroom, timed on long single-character lines.

    For each pattern and each filler character, ``finditer`` runs over a line
    of ``small`` characters and one ``factor`` times longer (each followed by
    ``!``); a pattern whose time grows by much more than ``factor`` (and takes
    at least ``floor`` seconds) backtracks on long lines. Returns (module,
    pattern name, filler, seconds at the large size, growth ratio) as found.
    ``only`` restricts the audit to patterns of those names (and prints every
    filler's figure for them, linear or not, so a fix shows its after figures).
    ``modules`` restricts it to those modules (``headroom.router`` or ``router``),
    so a run that the full audit could not finish in the time it had can be
    completed module by module; like ``only``, it prints every figure.
    """
    narrowed = only is not None or modules is not None
    import importlib
    import pkgutil

    import headroom
    from headroom.compressors.code._outline import assigned_opener
    from headroom.compressors.table._parse import is_markdown_rule
    from headroom.secrets import find_secrets

    # checks that are functions rather than one pattern (two patterns became functions in
    # issue 17; the secret scan tries its formats only where their literal hints occur, so its
    # patterns alone do not show what a hostile line costs it); timed when named in ``only``
    checks: dict[str, tuple[Callable[[str], object], list[str]]] = {
        "is_markdown_rule": (is_markdown_rule, FILLERS),
        "assigned_opener": (assigned_opener, FILLERS),
        "find_secrets": (find_secrets, FILLERS + SECRET_FILLERS),
    }
    for name, (check, fillers) in checks.items():
        if only is None or name not in only:
            continue
        for filler in fillers:
            took, growth = _time_on_fillers(check, filler, small, factor, 5)
            yield (check.__module__, name, filler, took, growth)
    for info in pkgutil.walk_packages(headroom.__path__, "headroom."):
        if info.name.endswith(".__main__"):  # importing it runs the CLI on this script's arguments
            continue
        if modules is not None and not {info.name, info.name.removeprefix("headroom.")} & set(modules):
            continue
        module = importlib.import_module(info.name)
        fillers = FILLERS + SECRET_FILLERS if info.name == "headroom.secrets" else FILLERS
        for name, pattern in _module_patterns(vars(module)):
            if only is not None and name not in only:
                continue
            for filler in fillers:

                def scan(line: str, pattern: re.Pattern[str] = pattern) -> None:
                    for _ in pattern.finditer(line):
                        pass

                took, growth = _time_on_fillers(scan, filler, small, factor, 5 if narrowed else 1)
                if narrowed and growth != float("inf"):
                    yield (info.name, name, filler, took, growth)
                elif growth == float("inf") or (took >= floor and growth > factor * 2):
                    yield (info.name, name, filler, took, growth)


# one character (or a short unit) repeated: the shapes a backtracking pattern chokes on
FILLERS = [" ", "a", "=", "-", "0", ".", "\t", "/", ":", "_", "#", "*", "|", ",", '"', "a ", "a=", "ab1 ", "\\"]
# the secret formats only start at their literal hints, so their hostile lines repeat those
SECRET_FILLERS = [
    "sk-",
    "sk-ant-",
    "eyJ",
    "eyJa.",
    "://",
    "a://b:",
    "@",
    "a://b:c@",
    "xoxb-",
    "AKIA",
    "ghp_",
    "AIza",
    "_live_",
    "-----BEGIN PRIVATE KEY-----",
    "password",
    "password=",
    "token: ",
    "api_key",
]


def _module_patterns(namespace: dict[str, Any]) -> Iterator[tuple[str, re.Pattern[str]]]:
    """Compiled str patterns bound at module level, and those held one level down in a
    module-level tuple, list or dict (``secrets._FORMATS`` holds its patterns in a table)."""
    for name, value in namespace.items():
        if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
            yield name, value
        elif isinstance(value, (tuple, list, dict)) and not name.startswith("__"):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                parts = item if isinstance(item, tuple) else (item,)
                for part in parts:
                    if isinstance(part, re.Pattern) and isinstance(part.pattern, str):
                        label = next((p for p in parts if isinstance(p, str)), key)
                        yield f"{name}[{label}]", part


def _time_on_fillers(
    check: Callable[[str], object], filler: str, small: int, factor: int, repeat: int
) -> tuple[float, float]:
    """Seconds at ``small * factor`` characters of ``filler`` (plus ``!``) and the growth from
    ``small``; growth is infinite when the small line already took over 2 s (the large is skipped)."""
    times = []
    for size in (small, small * factor):
        line = (filler * (size // len(filler) + 1))[:size] + "!"
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            check(line)
            runs.append(time.perf_counter() - start)
            if runs[-1] > 2.0:
                break
        times.append(min(runs))
        if times[-1] > 2.0:
            break
    if len(times) == 1:
        return times[0], float("inf")
    return times[1], times[1] / max(times[0], 1e-7)


if __name__ == "__main__":
    main()
