"""What the tool call says about its output: the first word of routing (DESIGN, Architecture).

A command the agent ran, or a file path it read, says more than any stray
line inside the output: ``cat src/lib.rs`` is Rust even when a test fixture in
it holds a ``diff --git`` line; ``pip install -v`` prints a build log even
though few of its lines look like one. These two vocabularies are the policy,
read top to bottom, first match wins: commands first (``git show a.py`` is a
diff, not Python), then the extension of the last path the call names.

A hint is taken only when the output does not contradict it in a way a check
can prove: a JSON hint needs output that parses as JSON (a ``curl`` of a
``.json`` URL can return an HTML error page). Everything else is trusted; if
the compressor of the hinted type keeps nothing, the fallback chain
(headroom.forms) still hands the piece to the generic compressor.
"""

from __future__ import annotations

import json
import re

__all__ = ["COMMANDS", "CONFIG_NAMES", "COPY_SUFFIXES", "EXTENSIONS", "extension_type", "hint_for"]

COMMANDS: tuple[tuple[str, str], ...] = (
    (r"^git (show|diff|format-patch)\b", "diff"),
    (r"^git (log|whatchanged)\b.*\s(-p|-u|--patch|--stat|--numstat)\b", "diff"),
    (r"^(diff|colordiff|interdiff)\s", "diff"),
    (r"^(grep|egrep|fgrep|zgrep)\s(.*\s)?-\w*n", "search"),
    (r"^git grep\b", "search"),
    (r"^(rg|ag|ack)\s", "search"),
    (r"^pip3? (install|wheel|download|uninstall)\b", "log"),
    (r"^python3? -m (pip|pytest|unittest|test)\b", "log"),
    (r"^(pytest|py\.test|tox|nox)\b", "log"),
    (r"^cargo (test|check|clippy|run|bench)\b", "log"),
    (r"^cargo build\b(?!.*message-format=json)", "log"),
    (r"^(npm|yarn|pnpm) (install|ci|test|run|audit)\b", "log"),
    (r"^(make|ninja|cmake --build|mvn|gradle|go (build|test|vet))\b", "log"),
    (r"^(journalctl|dmesg|docker logs|kubectl logs)\b", "log"),
    (r"^jq\b", "json"),
    (r"^curl\b.*\.json\b", "json"),
)
"""Command vocabulary: a pattern on one stage of the command, and the content type it prints.

The first stage is matched, and for a pipeline also the last (``... | jq`` prints JSON)."""

EXTENSIONS: dict[str, str] = {
    **dict.fromkeys("json jsonl ndjson geojson ipynb".split(), "json"),
    **dict.fromkeys("html htm xhtml".split(), "html"),
    **dict.fromkeys("csv tsv".split(), "table"),
    **dict.fromkeys("diff patch".split(), "diff"),
    "log": "log",
    # configuration files: keys under parents, read by the generic compressor's key paths; their
    # comment blocks made the prose detector claim them, whose sentences have no key path
    **dict.fromkeys("yaml yml toml ini cfg conf".split(), "text"),
}
"""File extension vocabulary: the content type of a file a tool call reads (``cat``, ``head``, a
``path`` argument). Source extensions are not listed here: they are the code family's own table
(``extension_type``), so a language it learns is hinted too and the two lists cannot drift.
Markdown is left to the detectors: a README with fenced blocks is mixed, one without is prose."""


CONFIG_NAMES: frozenset[str] = frozenset(
    "fstab hosts services protocols networks ethertypes rpc crontab environment sudoers inputrc wgetrc "
    "nanorc screenrc gitconfig .gitconfig .npmrc .pypirc .curlrc .wgetrc .inputrc .editorconfig login.defs "
    "mime.types".split()
)
"""Configuration files named without a configuration extension: read by the generic compressor's key
paths, as ``.conf`` files are. A file whose name ends in ``_config`` (``sshd_config``, ``ssh_config``)
is one too. Their comment blocks are sentences, so without the name the prose detector took some
(``/etc/login.defs``, ``/etc/services``); the ``config`` detector (``compressors/text/detect.py``)
reads the same files by their structure when no call names them."""

COPY_SUFFIXES: frozenset[str] = frozenset(
    "sample example dist default defaults orig bak template tmpl in new old save local".split()
)
"""Suffixes a copy of a file takes after its own extension (``postgresql.conf.sample``,
``config.json.example``, ``setup.cfg.in``): the extension before them says what the file holds."""


def _config_name(path: str) -> bool:
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name in CONFIG_NAMES or name.endswith("_config")


def _typed(path: str) -> tuple[str, str] | None:
    """The content type a path names past a copy's suffix (``.conf.sample``), or by its name."""
    parts = path.rsplit("/", 1)[-1].split(".")
    if len(parts) >= 3 and parts[-1].lower() in COPY_SUFFIXES:
        typed = extension_type(parts[-2])
        if typed is not None:
            return typed, f"extension .{parts[-2].lower()}.{parts[-1]}"
    if _config_name(path):
        return "text", f"config file {path.rsplit('/', 1)[-1]!r}"
    return None


def extension_type(extension: str) -> str | None:
    """The content type a file with this extension (no dot, any case) holds, or None."""
    extension = extension.lower()
    if extension in EXTENSIONS:
        return EXTENSIONS[extension]
    # imported on first use: ``import headroom`` loads no compressor family
    from headroom.compressors.code._lang import EXTENSIONS as SOURCE

    return "code" if extension in SOURCE else None


_COMPILED = tuple((re.compile(pattern), kind) for pattern, kind in COMMANDS)
# tried only where a run of path characters starts: inside a run it finds the run's last extension or
# nothing, as from the run's start, and trying every position of a long run was quadratic (5 s on one
# 20,000-character line); same results (tests/test_linear_regexes.py)
_PATH_RE = re.compile(r"(?<![\w.@+~/\\-])[\w.@+~/\\-]+\.([A-Za-z0-9]{1,8})\b")
# any run of path characters: a configuration file may have no extension (``/etc/ssh/sshd_config``)
_WORD_RE = re.compile(r"(?<![\w.@+~/\\-])[\w.@+~/\\-]+")
_READERS = re.compile(r"^(cat|head|tail|less|more|bat|nl|sed|awk|view|open|read)\b")


def _strings(tool_args: str | None) -> list[str]:
    """Every string in the call's JSON arguments (the arguments whole when they are not JSON)."""
    if not tool_args:
        return []
    try:
        args = json.loads(tool_args)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth: read as text
        return [tool_args]
    out: list[str] = []
    stack = [args]  # a stack, not recursion: arguments may nest thousands deep
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return out


def _parses_as_json(text: str) -> bool:
    stripped = text.strip()
    try:
        json.loads(stripped)
    except RecursionError:  # nested past the parser's depth: left to the detectors, which read it as text
        return False
    except ValueError:
        lines = [line for line in stripped.split("\n")[:50] if line.strip()]
        try:
            return bool(lines) and all(isinstance(json.loads(line), (dict, list)) for line in lines)
        except (ValueError, RecursionError):
            return False
    return True


def hint_for(text: str, tool_name: str | None, tool_args: str | None) -> tuple[str, str] | None:
    """``(content type, why)`` from the call that made ``text``, or None when the call says nothing."""
    found: tuple[str, str] | None = None
    for value in _strings(tool_args):
        stages = [stage.strip() for stage in value.strip().split("|") if stage.strip()]
        for stage in {stages[0], stages[-1]} if stages else ():
            for pattern, kind in _COMPILED:
                if pattern.search(stage):
                    found = found or (kind, f"command {stage.split()[0]!r}")
        if found:
            break
    if found is None:
        for value in _strings(tool_args):
            is_command = " " in value.strip()
            if is_command and not _READERS.match(value.strip()):
                continue  # a command that is not a file reader says nothing by its paths
            paths = _PATH_RE.findall(value)
            typed = extension_type(paths[-1]) if paths else None
            if typed is not None:
                found = (typed, f"extension .{paths[-1].lower()}")
                break
            # no known extension last: a copy's suffix after one (``.conf.sample``), or a configuration
            # file's own name (``sshd_config``, ``/etc/login.defs``)
            words = _WORD_RE.findall(value)
            found = _typed(words[-1]) if words else None
            if found is not None:
                break
    if found is not None and found[0] == "json" and not _parses_as_json(text):
        return None
    return found
