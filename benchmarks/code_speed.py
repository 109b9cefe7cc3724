"""Speed and savings of the code compressor at its default level, per language.

    python benchmarks/code_speed.py

For each real source file (tests/golden/code and the code benchmark fixtures)
it prints the median latency of a fresh compress call (parse + render + check,
no cache), throughput, the savings at the default level, and the share of
signatures kept verbatim (the first line of every function and class the
parser found). The last row is a ~3,000-line file (stl_tree.h, C++).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from headroom import PieceContext, TokenCounter, make_handle
from headroom.compressors.base import split_lines
from headroom.compressors.code import CodeCompressor, parse_document

HERE = Path(__file__).parent
FILES = sorted((HERE.parent / "tests" / "golden" / "code").iterdir()) + sorted((HERE / "corpus" / "fixtures").glob("code_*"))
RUNS = 5


def main() -> None:
    counter = TokenCounter.for_model("gpt-4")
    print("| file | language | lines | median ms | MB/s | tokens before | after (default) | saved | signatures kept |")
    print("|---|---|---|---|---|---|---|---|---|")
    saved_all: list[float] = []
    for path in sorted(FILES, key=lambda p: len(p.read_bytes())):
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        ctx = PieceContext(make_handle(text), counter)
        times = []
        out = None
        for _ in range(RUNS):
            started = time.perf_counter()
            out = CodeCompressor().compress(text, None, ctx)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        doc = parse_document(text, path.name, 3)
        lines = split_lines(text)
        kept_lines = set(split_lines(out.text)) if out else set(lines)
        heads = [doc.chunks[i].start + s.first for i, o in enumerate(doc.outlines) if o for s in o.symbols]
        signatures = [lines[h] for h in heads]
        kept = sum(line in kept_lines for line in signatures)
        before = counter.count(text)
        after = counter.count(out.text) if out else before
        saved_all.append(1 - after / before)
        languages = ",".join(sorted({c.language for c in doc.chunks if c.language}))
        print(
            f"| {path.name} | {languages} | {len(lines):,} | {median * 1000:.1f} | {len(text.encode()) / 1e6 / median:.2f} "
            f"| {before:,} | {after:,} | {1 - after / before:.0%} | {kept}/{len(signatures)} |"
        )
    print(f"\nmedian savings at the default level: {statistics.median(saved_all):.0%} over {len(saved_all)} files")


if __name__ == "__main__":
    main()
