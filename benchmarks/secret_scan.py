"""Recall and false positives of headroom.secrets on real files.

    python benchmarks/secret_scan.py                    # default roots, 400 files each
    python benchmarks/secret_scan.py --files 1000 --show 20

Negatives are real files on the machine that runs it, read as they are: the
Python standard library's sources (sysconfig's ``stdlib``), ``/etc`` (config
files), ``/var/log`` (logs) and this repository's benchmark fixtures. Every
finding in them counts as a false positive, even where a file really holds a
secret (a test key in the standard library), so the rate is an upper bound;
``--show`` prints findings to judge by eye.

Positives are keys planted into windows of those same real files, in the
contexts where agents meet them: an ``export NAME=value`` line of an env dump,
a ``key: value`` config line, a JSON field, a URL with a password, an
``Authorization: Bearer`` header in a log line, a PEM block. Each key has the
real format of its kind, with random characters. A planted key counts as
found when a finding covers it; recall is per kind and overall.
"""

from __future__ import annotations

import argparse
import os
import random
import string
import sysconfig
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from headroom.secrets import find_secrets

ROOT = Path(__file__).parent.parent
_ALNUM = string.ascii_letters + string.digits


def _r(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


# kind -> maker of one key of that format
KEYS: dict[str, Callable[[random.Random], str]] = {
    "aws access key": lambda r: "AKIA" + _r(r, string.ascii_uppercase + string.digits, 16),
    "aws secret key": lambda r: _r(r, _ALNUM + "/+", 40),
    "github token": lambda r: r.choice(["ghp_", "gho_", "ghs_"]) + _r(r, _ALNUM, 36),
    "github fine-grained": lambda r: "github_pat_" + _r(r, _ALNUM + "_", 82),
    "openai key": lambda r: "sk-proj-" + _r(r, _ALNUM + "-_", 48),
    "anthropic key": lambda r: "sk-ant-api03-" + _r(r, _ALNUM + "-_", 93) + "AA",
    "slack token": lambda r: (
        "xoxb-" + _r(r, string.digits, 12) + "-" + _r(r, string.digits, 12) + "-" + _r(r, _ALNUM, 24)
    ),
    "stripe key": lambda r: "sk_live_" + _r(r, _ALNUM, 24),
    "google api key": lambda r: "AIza" + _r(r, _ALNUM + "-_", 35),
    "jwt": lambda r: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ" + _r(r, _ALNUM, 60) + "." + _r(r, _ALNUM + "-_", 43),
    "password": lambda r: _r(r, string.ascii_letters, r.randint(4, 8)) + _r(r, string.digits + "!@#%", r.randint(2, 5)),
    "private key": lambda r: (
        "-----BEGIN RSA PRIVATE KEY-----\n"
        + "\n".join(_r(r, _ALNUM + "+/", 64) for _ in range(r.randint(3, 12)))
        + "\n-----END RSA PRIVATE KEY-----"
    ),
}

# kind -> how it appears (NAME and the key); the key's text is found again by position
CONTEXTS: dict[str, list[str]] = {
    "aws access key": ["export AWS_ACCESS_KEY_ID={k}", "aws_access_key_id = {k}", '"AccessKeyId": "{k}",'],
    "aws secret key": ["export AWS_SECRET_ACCESS_KEY={k}", "aws_secret_access_key = {k}"],
    "github token": ["GITHUB_TOKEN={k}", "git clone https://{k}@github.com/org/repo.git", "token: {k}"],
    "github fine-grained": ["GH_TOKEN={k}"],
    "openai key": ["OPENAI_API_KEY={k}", '"api_key": "{k}"', "Authorization: Bearer {k}"],
    "anthropic key": ["ANTHROPIC_API_KEY={k}", "x-api-key: {k}"],
    "slack token": ["SLACK_BOT_TOKEN={k}", "slack.token = {k}"],
    "stripe key": ["STRIPE_SECRET_KEY={k}", "stripe.api_key = '{k}'"],
    "google api key": ["GOOGLE_API_KEY={k}", "https://maps.googleapis.com/maps/api/geocode/json?key={k}"],
    "jwt": ["Authorization: Bearer {k}", "session={k}; Path=/; HttpOnly", '"id_token": "{k}"'],
    "password": [
        "DB_PASSWORD={k}",
        "postgres://app:{k}@db.internal:5432/app",
        "password = {k}",
        '"password": "{k}"',
        "mysql -u root --password={k} app",
    ],
    "private key": ["{k}"],
}


def real_files(roots: list[Path], per_root: int, rng: random.Random) -> Iterator[tuple[Path, str]]:
    for root in roots:
        files = []
        for folder, _, names in os.walk(root):
            for name in names:
                path = Path(folder) / name
                try:
                    if path.is_file() and 200 < path.stat().st_size < 2_000_000:
                        files.append(path)
                except OSError:
                    continue
        rng.shuffle(files)
        taken = 0
        for path in files:
            if taken >= per_root:
                break
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if b"\0" in data[:4096]:
                continue  # binary
            taken += 1
            yield path, data.decode("utf-8", "replace")


def plant(text: str, rng: random.Random) -> tuple[str, list[tuple[str, int, int]]]:
    """A window of ``text`` with 1-3 keys inserted as whole lines; the kinds and spans planted."""
    lines = text.splitlines()
    start = rng.randrange(max(1, len(lines) - 60))
    window = lines[start : start + 60]
    planted: list[tuple[str, str]] = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(list(KEYS))
        key = KEYS[kind](rng)
        line = rng.choice(CONTEXTS[kind]).format(k=key)
        window.insert(rng.randint(0, len(window)), line)
        planted.append((kind, key))
    out = "\n".join(window)
    spans, cursor = [], 0
    for kind, key in planted:
        at = out.find(key)
        spans.append((kind, at, at + len(key)))
        cursor = max(cursor, at)
    return out, spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=400, help="files per root")
    parser.add_argument("--show", type=int, default=10, help="false positives to print")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    roots = [Path(sysconfig.get_paths()["stdlib"]), Path("/etc"), Path("/var/log"), ROOT / "benchmarks" / "corpus"]
    roots = [root for root in roots if root.is_dir()]

    files = list(real_files(roots, args.files, rng))
    size = sum(len(text) for _, text in files)
    started = time.perf_counter()
    false: list[tuple[Path, str, str]] = []
    flagged = 0
    for path, text in files:
        found = find_secrets(text)
        flagged += bool(found)
        false.extend((path, f.kind, text[f.start : f.end]) for f in found)
    seconds = time.perf_counter() - started

    hits: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for _, text in files:
        window, spans = plant(text, rng)
        found = find_secrets(window)
        for kind, start, end in spans:
            total[kind] += 1
            hits[kind] += any(f.start <= start and f.end >= end for f in found)

    print(
        f"negatives: {len(files)} real files ({size / 1e6:.1f} MB) under {len(roots)} roots, scanned in {seconds:.2f} s"
    )
    print(
        f"  findings (false positives, upper bound): {len(false)}; "
        f"files with any: {flagged} ({flagged / len(files):.1%})"
    )
    print(f"  per MB: {len(false) / (size / 1e6):.2f}; by kind: {dict(Counter(kind for _, kind, _ in false))}")
    for path, kind, text in false[: args.show]:
        shown = text if len(text) <= 40 else text[:37] + "..."
        print(f"    {kind:<14} {shown!r:<44} {path.name}")
    print(f"positives: {sum(total.values())} keys planted in windows of the same files")
    for kind in KEYS:
        if total[kind]:
            print(f"  {kind:<20} {hits[kind]:>4}/{total[kind]:<4} {hits[kind] / total[kind]:.1%}")
    print(f"  recall: {sum(hits.values()) / sum(total.values()):.1%}")


if __name__ == "__main__":
    main()
