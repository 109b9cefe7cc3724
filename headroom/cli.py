"""``headroom``: compress a file or a message list from the shell, and retrieve originals.

    headroom compress build.log --budget 2000          # text in, compressed text out
    headroom compress messages.json --budget 8000      # a JSON message list (or request body) in, JSON out
    cat build.log | headroom compress - --budget 2000 --json
    headroom retrieve '[hr1:482913057162345 omitted 120 lines 41-160]' --lines 41-160
    headroom retrieve hr1:482913057162345 --lines 1-6,8-19   # a summary mark's ranges, as written

Originals go to a SQLite store (``--db``, default ``headroom.db``) so a later
``retrieve`` in another process finds them; ``retrieve`` never creates one.

Conventions (docs/integrations.md): options go anywhere, ``-`` reads standard
input, the result goes to stdout and a one-line summary to stderr (``-q``
silences it), and the exit code says what happened: 0 done, 1 compressed but
over budget, 2 a usage or input error (one line on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from headroom.client import DEFAULT_MODEL, Headroom
from headroom.config import Config
from headroom.errors import HeadroomError
from headroom.manifest import Manifest
from headroom.markers import MARKER_RE, parse_ranges
from headroom.messages import ROLES

__all__ = ["main"]

EXIT_OK, EXIT_OVER_BUDGET, EXIT_USAGE = 0, 1, 2
_PROGRESS_BYTES = 1_000_000  # above this, a terminal is told the work has started
_RESPONSES_TYPES = frozenset({"message", "function_call", "function_call_output", "reasoning"})


class _UsageError(Exception):
    """Bad input or usage: one line on stderr, exit 2."""


def _parser() -> argparse.ArgumentParser:
    from headroom import __version__

    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a --db after the subcommand overrides one before it, never resets it
    common.add_argument("--db", default=argparse.SUPPRESS, help="SQLite store for originals (default: headroom.db)")
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="no summary on stderr")
    parser = argparse.ArgumentParser(prog="headroom", description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"headroom {__version__}")
    parser.add_argument("--db", default="headroom.db", help="SQLite store for originals (default: headroom.db)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log warnings (-v) and decisions (-vv)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{compress,retrieve}")
    squeeze = commands.add_parser("compress", parents=[common], help="compress a text file or a JSON message list")
    squeeze.add_argument("path", nargs="?", default="-", help="file to read, or - for standard input (default)")
    squeeze.add_argument("--budget", type=int, default=None, help="max tokens of the result")
    squeeze.add_argument("--model", default=None, help=f"model whose tokenizer counts (default: {DEFAULT_MODEL})")
    squeeze.add_argument("--query", default=None, help="what the output will be used for")
    squeeze.add_argument(
        "--config", default=None, help="pyproject.toml with a [tool.headroom] table (default: the nearest one, if any)"
    )
    squeeze.add_argument("--as", dest="kind", choices=("auto", "text", "messages"), default="auto", help="input kind")
    squeeze.add_argument("--json", action="store_true", help="print the result, manifest and counts as JSON")
    squeeze.add_argument("--manifest", action="store_true", help="print the manifest to stderr")
    fetch = commands.add_parser("retrieve", parents=[common], help="print the original behind a handle or marker")
    fetch.add_argument("handle", help="a handle (hr1:...) or a whole pasted marker")
    chosen = fetch.add_mutually_exclusive_group()
    for unit in ("lines", "chars", "rows"):
        chosen.add_argument(
            f"--{unit}",
            default=None,
            metavar="A-B[,C-D...]",
            help=f"{unit} A to B, 1-based, inclusive; several ranges, as a mark writes them, give each part in order",
        )
    chosen.add_argument("--query", default=None, help="lines matching these words")
    chosen.add_argument("--symbol", default=None, help="code: a function or class")
    chosen.add_argument("--files", default=None, help="diff: one file's path")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # usage errors exit 2 with argparse's message
    _logging(args.verbose)
    try:
        if args.command == "retrieve":
            return _retrieve(args)
        return _compress(args)
    except (_UsageError, HeadroomError) as error:
        print(f"headroom: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"headroom: {error.strerror or error}: {error.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_USAGE


def _logging(verbose: int) -> None:
    """The CLI is an application, so it decides where headroom's log goes: stderr, only when asked.

    By default the summary line reports fallbacks (an estimated encoding among
    them), so the warnings would say it twice.
    """
    log = logging.getLogger("headroom")
    if not any(getattr(h, "_headroom_cli", False) for h in log.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("headroom: %(levelname)s: %(message)s"))
        handler._headroom_cli = True  # type: ignore[attr-defined]
        log.addHandler(handler)
        log.propagate = False
    log.setLevel({0: logging.ERROR, 1: logging.WARNING}.get(verbose, logging.DEBUG))


def _retrieve(args: argparse.Namespace) -> int:
    if not Path(args.db).is_file():
        raise _UsageError(f"no store at {args.db}; pass --db with the file 'headroom compress' wrote")
    marker = MARKER_RE.fullmatch(args.handle.strip())
    handle = marker["handle"] if marker else args.handle.strip()
    selector: dict[str, Any] = {}
    for unit in ("lines", "chars", "rows"):
        if getattr(args, unit):
            selector[unit] = _span(unit, getattr(args, unit))
    for key in ("query", "symbol", "files"):
        if getattr(args, key):
            selector[key] = getattr(args, key)
    from headroom.stores.sqlite import SQLiteStore

    with SQLiteStore(args.db) as store:
        sys.stdout.write(Headroom(store=store).retrieve(handle, **selector))
    return EXIT_OK


def _compress(args: argparse.Namespace) -> int:
    raw = _read(args.path, args.quiet)
    body = _as_messages(raw, args.kind, args.path)
    config = Config.from_pyproject(args.config)  # None: the nearest pyproject.toml, like ruff and pytest
    from headroom.stores.sqlite import SQLiteStore

    with SQLiteStore(args.db) as store:
        hr = Headroom(store=store, model=args.model, config=config)  # no --model: config's, else the default
        budget = args.budget if args.budget is not None else config.budget
        output: Any
        if body is None:
            text_result = hr.compress_text(raw, budget, query=args.query)
            output, manifest = text_result.text, text_result.manifest
            counts = (text_result.tokens_before, text_result.tokens_after)
        else:
            messages = body["messages"] if isinstance(body, dict) else body
            result = hr.compress(messages, budget, query=args.query)
            output = {**body, "messages": result.messages} if isinstance(body, dict) else result.messages
            manifest, counts = result.manifest, (result.tokens_before, result.tokens_after)
    if args.json:
        key = "text" if body is None else "body" if isinstance(body, dict) else "messages"
        report = {key: output, "tokens_before": counts[0], "tokens_after": counts[1]}
        report.update(within_budget=manifest.within_budget, manifest=manifest.model_dump(mode="json"))
        json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    elif body is None:
        sys.stdout.write(output)
    else:
        json.dump(output, sys.stdout, ensure_ascii=False, indent=1)
    if args.manifest:
        print(manifest.model_dump_json(indent=1), file=sys.stderr)
    if not args.quiet:
        print(_summary(counts, manifest), file=sys.stderr)
    return EXIT_OK if manifest.within_budget else EXIT_OVER_BUDGET


def _read(path: str, quiet: bool) -> str:
    if path == "-":
        data = sys.stdin.buffer.read()
        name = "standard input"
    else:
        if Path(path).is_dir():
            raise _UsageError(f"{path} is a directory; pass a file, or - for standard input")
        data = Path(path).read_bytes()
        name = path
    if b"\0" in data[:65536]:
        raise _UsageError(f"{name} looks binary (it holds NUL bytes); headroom compresses text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _UsageError(f"{name} is not UTF-8 text (byte {error.start}); convert it first, e.g. with iconv") from None
    if not quiet and len(data) > _PROGRESS_BYTES and sys.stderr.isatty():
        print(f"headroom: compressing {len(data) / 1e6:.1f} MB from {name} ...", file=sys.stderr, flush=True)
    return text


def _as_messages(raw: str, kind: str, path: str) -> list[Any] | dict[str, Any] | None:
    """The message list (or request body holding one) in ``raw``, or None for plain text."""
    if kind == "text":
        return None
    try:
        value = json.loads(raw)
    except ValueError as error:
        if kind == "messages" or path.endswith(".json"):
            raise _UsageError(f"{'standard input' if path == '-' else path} is not valid JSON ({error})") from None
        return None
    if isinstance(value, dict) and _looks_like_messages(value.get("messages")):
        return value  # an OpenAI / Anthropic request body: its messages are compressed, the rest kept
    if _looks_like_messages(value):
        assert isinstance(value, list)
        return value
    if kind == "messages":
        raise _UsageError("the input is JSON but not a message list or a request body with 'messages'")
    return None


def _looks_like_messages(value: object) -> bool:
    """A non-empty list whose every item is a chat message or a Responses API item."""
    if not isinstance(value, list) or not value:
        return False
    for item in value:
        if not isinstance(item, dict):
            return False
        chat = item.get("role") in ROLES and ("content" in item or "tool_calls" in item)
        if not chat and item.get("type") not in _RESPONSES_TYPES:
            return False
    return True


def _span(unit: str, text: str) -> tuple[int, int] | tuple[tuple[int, int], ...]:
    """The range or ranges of ``--lines`` (``--chars``, ``--rows``) as the mark writes them.

    Read by ``parse_ranges``, the grammar's one reader, as ``Headroom.retrieve`` and the
    retrieval tool read it: ``41-160``, or a summary mark's ``1-6,8-19`` (each part, joined
    in order). This once had a parser of its own that took one range, so a summary mark
    pasted as written was refused. A bad text raises parse_ranges' ``InvalidInput``, which
    names the part that is wrong; ``main`` prints it and exits 2.
    """
    spans = parse_ranges(text, f"--{unit}")
    return spans[0] if len(spans) == 1 else spans


def _summary(counts: tuple[int, int], manifest: Manifest) -> str:
    before, after = counts
    verdict = "" if manifest.budget is None else f", budget {manifest.budget:,}"
    verdict += "" if manifest.within_budget else " NOT MET"
    pieces = len(manifest.entries)
    line = f"headroom: {before:,} -> {after:,} tokens{verdict}; {pieces} piece{'s' * (pieces != 1)} compressed"
    line += f"; counted with {manifest.encoding}"
    if any(d.kind == "tokenizer" for d in manifest.degradations):
        line += " (an estimate for this model)"
    if manifest.degradations:
        line += f"; {len(manifest.degradations)} fallback(s), see --manifest"
    return line if manifest.within_budget else f"{line}; {manifest.reason}"


if __name__ == "__main__":  # python -m headroom.cli
    sys.exit(main())
