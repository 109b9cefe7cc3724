"""Speed and savings of the code compressor at its default level, per language.

    python benchmarks/code_speed.py

For each real source file (tests/golden/code and the code benchmark fixtures)
it prints the median latency of a fresh compress call (parse + render + check,
no cache; the language detected from content, no file name given), its median
CPU time (this process, and the ast-grep processes it waits for where the
CLI stands in for the in-process binding),
throughput, the savings at the default level, and how many signatures are
kept verbatim: every line of each declaration proper (decorators and
attributes through the line that opens the body, or the whole declaration;
not the doc comment above it, nor comment lines inside it) of every symbol
outside a function body, found as whole lines of the output in their order. Functions defined inside another
function's body are part of that body, not of the file's skeleton. The
largest files are ~2,600 lines (stl_tree.h, C++; argparse.py).

"ceiling" is the most any output keeping every signature line verbatim and
marking every removal could save: every other line (imports, constants, short
bodies, docstrings and comments included) cut, each run of them between two
signature lines behind one bare short mark (grammar version 2, the cheapest a
mark gets: ``[…10 lines 100-109]`` and its newline, no comment opener, no call
list), or kept where that mark would cost more; plus the handle, which the
piece's first mark names once. "after" is what the core hands on: the
compressor's output with the handle written into its first mark.
"""

from __future__ import annotations

import json
import resource
import statistics
import time
from pathlib import Path

from headroom import PieceContext, TokenCounter, make_handle
from headroom.compressors.base import split_lines
from headroom.compressors.code._outline import DOC, skeleton
from headroom.compressors.code.compressor import CodeCompressor, parse_document
from headroom.markers import mark_piece, render_mark, render_marker

HERE = Path(__file__).parent
FILES = sorted((HERE.parent / "tests" / "golden" / "code").iterdir()) + sorted(
    (HERE / "corpus" / "fixtures").glob("code_*")
)
RUNS = 5
CASES = HERE / "corpus" / "cases" / "code.json"


def main() -> None:
    counter = TokenCounter.for_model("gpt-4")
    print(
        "| file | language | lines | median ms | CPU ms | MB/s "
        "| tokens before | after (default) | saved | ceiling | signatures kept |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    saved_all: list[float] = []
    totals: dict[str, tuple[int, int, int]] = {}
    for path in sorted(FILES, key=lambda p: len(p.read_bytes())):
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        ctx = PieceContext(make_handle(text), counter)
        times, cpu_times = [], []
        out = None
        for _ in range(RUNS):
            started, cpu_started = time.perf_counter(), _cpu()
            out = CodeCompressor().compress(text, None, ctx)
            times.append(time.perf_counter() - started)
            cpu_times.append(_cpu() - cpu_started)
        median = statistics.median(times)
        doc = parse_document(text, None, 3)
        lines = split_lines(text)
        shown = split_lines(out.text) if out else lines
        signature_lines = [
            [chunk.start + i for i in range(s.signature[0], s.signature[1] + 1) if i not in comments]
            for chunk, outline in zip(doc.chunks, doc.outlines)
            if outline
            for comments in [
                {
                    i
                    for r in outline.regions
                    if r.stage == DOC and r.label == "comment"
                    for i in range(r.first, r.last + 1)
                }
            ]
            for s in skeleton(outline.symbols)
        ]
        signatures = [[lines[i] for i in signature] for signature in signature_lines]
        kept = sum(_in_order(signature, shown) for signature in signatures)
        before = counter.count(text)
        after = counter.count(mark_piece(out.text, text, ctx.handle)) if out else before
        saved_all.append(1 - after / before)
        bare = counter.count(render_mark(10, "lines", "100-109") + "\n")
        floor = _floor(lines, {i for signature in signature_lines for i in signature}, counter, bare)
        floor += counter.count(render_marker(ctx.handle, 10, "lines", "100-109")) - counter.count(
            render_mark(10, "lines", "100-109")
        )
        totals[path.name] = (before, after, floor)
        languages = ",".join(sorted({c.language for c in doc.chunks if c.language}))
        print(
            f"| {path.name} | {languages} | {len(lines):,} | {median * 1000:.1f} "
            f"| {statistics.median(cpu_times) * 1000:.1f} "
            f"| {len(text.encode()) / 1e6 / median:.2f} "
            f"| {before:,} | {after:,} | {1 - after / before:.0%} | {1 - floor / before:.0%} "
            f"| {kept}/{len(signatures)} |"
        )
    print(f"\nmedian savings at the default level: {statistics.median(saved_all):.0%} over {len(saved_all)} files")
    for label, names in (
        ("all files", set(totals)),
        ("the benchmark's code cases", {c["fixture"] for c in json.loads(CASES.read_text())}),
    ):
        before = sum(totals[n][0] for n in names)
        after = sum(totals[n][1] for n in names)
        floor = sum(totals[n][2] for n in names)
        print(
            f"total savings at the default level over {label}: {1 - after / before:.0%} "
            f"({before:,} -> {after:,} tokens, "
            f"{len(names)} files); ceiling {1 - floor / before:.0%}"
        )


def _cpu() -> float:
    """CPU seconds of this process and its finished children (ast-grep): a shared machine's load
    moves wall time, not this."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _floor(lines: list[str], signature: set[int], counter: TokenCounter, marker: int) -> int:
    """Tokens of the smallest output that keeps the ``signature`` lines and marks every removal."""
    out, run = 0, 0
    for i, line in enumerate(lines):
        cost = counter.count(line)
        if i in signature:
            out += min(run, marker) + cost
            run = 0
        else:
            run += cost
    return out + min(run, marker)


def _in_order(wanted: list[str], shown: list[str]) -> bool:
    """Whether every wanted line is a whole line of ``shown``, in this order."""
    at = 0
    for line in wanted:
        try:
            at = shown.index(line, at) + 1
        except ValueError:
            return False
    return True


if __name__ == "__main__":
    main()
