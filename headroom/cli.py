"""``headroom``: compress a file or a message list from the shell, and retrieve originals.

    headroom compress build.log --budget 2000          # text in, compressed text out
    headroom compress messages.json --budget 8000      # a JSON message list in, JSON out
    headroom retrieve hr1:482913057162345 --lines 41-160

Originals go to a SQLite store (``--db``, default ``headroom.db``) so a later
``retrieve`` in another process finds them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from headroom.client import DEFAULT_MODEL, Headroom
from headroom.compressors.base import check_span
from headroom.config import Config
from headroom.errors import HeadroomError
from headroom.stores.sqlite import SQLiteStore

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="headroom", description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--db", default="headroom.db", help="SQLite store for originals (default: headroom.db)")
    commands = parser.add_subparsers(dest="command", required=True)
    squeeze = commands.add_parser("compress", help="compress a text file or a JSON message list")
    squeeze.add_argument("path", help="file to read, or - for standard input")
    squeeze.add_argument("--budget", type=int, default=None, help="max tokens of the result")
    squeeze.add_argument("--model", default=DEFAULT_MODEL, help="model whose tokenizer counts")
    squeeze.add_argument("--query", default=None, help="what the output will be used for")
    squeeze.add_argument("--config", default=None, help="pyproject.toml with a [tool.headroom] table")
    squeeze.add_argument("--manifest", action="store_true", help="print the manifest to stderr")
    fetch = commands.add_parser("retrieve", help="print the original behind a handle")
    fetch.add_argument("handle")
    fetch.add_argument("--lines", default=None, help="a 1-based inclusive range, e.g. 41-160")
    args = parser.parse_args(argv)
    try:
        with SQLiteStore(args.db) as store:
            if args.command == "retrieve":
                lines = _span(args.lines) if args.lines else None
                sys.stdout.write(Headroom(store=store).retrieve(args.handle, lines=lines))
                return 0
            config = Config.from_pyproject(args.config) if args.config else None
            hr = Headroom(store=store, model=args.model, config=config)
            return _compress(hr, args)
    except HeadroomError as error:
        print(f"headroom: {error}", file=sys.stderr)
        return 2


def _compress(hr: Headroom, args: argparse.Namespace) -> int:
    raw = sys.stdin.read() if args.path == "-" else open(args.path, encoding="utf-8").read()
    messages = _as_messages(raw)
    if messages is None:
        text_result = hr.compress_text(raw, args.budget, query=args.query)
        sys.stdout.write(text_result.text)
        result_manifest, fits = text_result.manifest, text_result.within_budget
    else:
        result = hr.compress(messages, args.budget, query=args.query)
        json.dump(result.messages, sys.stdout, ensure_ascii=False, indent=1)
        result_manifest, fits = result.manifest, result.within_budget
    if args.manifest:
        print(result_manifest.model_dump_json(indent=1), file=sys.stderr)
    return 0 if fits else 1


def _as_messages(raw: str) -> list[dict[str, Any]] | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    if isinstance(value, list) and value and all(isinstance(m, dict) and "role" in m for m in value):
        return value
    return None


def _span(text: str) -> tuple[int, int]:
    first, _, last = text.partition("-")
    try:
        span = int(first), int(last or first)
    except ValueError:
        raise HeadroomError(f"--lines takes FIRST-LAST, e.g. 41-160; got {text!r}") from None
    return check_span(span, "lines")
