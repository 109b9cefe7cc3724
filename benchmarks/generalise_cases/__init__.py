"""Cases for benchmarks/generalise.py, generated from real output found on this machine.

``build_cases(seed)`` returns the same cases for the same seed on the same machine: every listing
is sorted, every choice is drawn from a ``random.Random`` seeded by the seed and the builder's
name (so asking for fewer kinds does not change the others' cases). A source that is missing is
skipped and reported, never an error.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence

from . import code, data, diffs, logs, more, search, text
from .common import Call, Case, valid

Builder = Callable[[random.Random, int], tuple[list[Case], list[str]]]

# builder name -> (the kinds it makes, the builder); each builder makes ``want`` cases of each of its kinds
BUILDERS: dict[str, tuple[tuple[str, ...], Builder]] = {
    "code": (("code_py", "code_c"), code.build),
    "text": (("man", "html"), text.build),
    "logs": (("log",), logs.build),
    "data": (("json", "table"), data.build),
    "search": (("search", "multi"), search.build),
    "diffs": (("diff", "gitlog"), diffs.build),
    # added in the ninth round (the benchmark's breadth); a builder of its own, so the kinds above
    # kept their cases byte for byte
    "more": (more.KINDS, more.build),
}
KINDS = tuple(kind for kinds, _ in BUILDERS.values() for kind in kinds)
# the kinds the benchmark had before "more": its overall over them stays comparable with earlier rounds
FIRST_KINDS = tuple(kind for name, (kinds, _) in BUILDERS.items() if name != "more" for kind in kinds)


def build_cases(seed: int, per_kind: int = 28, kinds: Sequence[str] | None = None) -> tuple[list[Case], list[str]]:
    """Up to ``per_kind`` cases of each kind in ``kinds`` (all by default), and the list of skipped sources."""
    wanted = set(kinds or KINDS)
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; choose among {', '.join(KINDS)}")
    cases: list[Case] = []
    skipped: list[str] = []
    for name, (made, builder) in BUILDERS.items():
        if not wanted & set(made):
            continue
        built, missing = builder(random.Random(f"{seed}:{name}"), per_kind)
        cases += [c for c in built if c.kind in wanted]
        skipped += [m for m in missing if m.split(":")[0] in wanted or "," in m.split(":")[0]]
    return cases, skipped


def half_of(case: Case, seed: int) -> str:
    """'tune' or 'test', from a hash of the seed and the case id: stable, and blind to the case's outcome."""
    digest = hashlib.sha256(f"{seed}:{case.id}".encode()).digest()
    return "tune" if digest[0] % 2 == 0 else "test"


__all__ = ["FIRST_KINDS", "KINDS", "Call", "Case", "build_cases", "half_of", "valid"]
