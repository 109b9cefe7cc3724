"""Structure the generic ranking reads in configuration files and directory listings (issue 12).

A question about a configuration file names a key and where it sits ("What is ``collection`` set
to under ``workstation``?"); in a YAML file of forty resources every one has a ``collection:``
line, so the words alone tie across all of them and the head wins. A line's *key path* (its
indentation parents in YAML, its ``[section]`` in INI and TOML) is read as part of the line: the
key line whose key and parent the question both name ranks first, then one whose key it names,
shallowest first (a question naming no parent asks about the top-level key). Only a piece whose
lines are mostly keys, sections and comments is read this way, so a Python file's ``x = 3`` or a
prose line ``Note: ...`` never gets a path.

A question about a listing (``ls -la``, ``find``) names one entry whole: ``GMT-10``, never its
near-copy ``GMT+10``, which holds the same words for BM25. An entry line (a mode column, or a
path) whose name, its last field or that field's last path part, is a word the question writes
exactly is the entry asked for.
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["config_shaped", "key_paths", "listing_names", "path_parts", "question_counts", "question_words"]

# ``key: value`` (YAML, also a list item's ``- key:``), ``key = value`` (INI, TOML, .conf), a
# commented-out setting is a comment, not a key
_KEY = re.compile(r"^( *)(?:- +)?([\"']?)([A-Za-z0-9_$@][\w$@.\-/]*)\2[ \t]*(?::(?:[ \t]|$)|=)")
_SECTION = re.compile(r"^\s*\[\[?\s*([^\]\[]+?)\s*\]\]?\s*(?:[#;].*)?$")
_COMMENT = re.compile(r"^\s*(?:[#;]|//)")
_CONFIG_SHARE = 0.6  # of non-blank lines: keys, sections and comments
_MIN_KEYS = 3

# ``key value`` directives (sshd_config's ``Port 22``, login.defs' ``PASS_MAX_DAYS 99999``, /etc/services'
# ``ftp 21/tcp``): a name and up to five short fields, no sentence (it would end in punctuation), a trailing
# comment aside
_DIRECTIVE = re.compile(r"^[ \t]*([A-Za-z0-9_.:/*@][\w.:/*@+-]*)(?:[ \t]+[^\s#;]+){1,5}[ \t]*$")
_TRAILING_COMMENT = re.compile(r"[ \t]+#.*$")
_SENTENCE_END = re.compile(r"[.,:!?)]$")
# a commented-out setting (``#Port 22``, ``#listen_addresses = 'localhost'``): a config's own vocabulary
_COMMENT_MARK = re.compile(r"^\s*(?:[#;]+|//|--)[ \t]?")
# a commented directive's name says it is a setting: an ``_``, a ``.``, a digit or an inner capital
# (``PermitRootLogin``, ``MAIL_DIR``), or its value is a number or a path (``#Port 22``)
_SETTING_NAME = re.compile(r"^\S*(?:[_.\d]|[a-z][A-Z])\S*\s|^\S+[ \t]+[\d/]")
_CONFIG_KEYS = 0.15  # of non-blank lines at least: settings (live or commented) and sections
_CONFIG_LIVE = 0.7  # of the lines that are not comments: settings and sections
_CONFIG_SHAPED = 0.8  # of non-blank lines: comments, settings and sections

# an entry line of ``ls -l`` (mode column) or of ``find`` (a path)
_ENTRY = re.compile(r"^(?:[-dlcbpsD][rwxsStT-]{9}[.+@]?\s|\.?/)")


def question_words(query: str) -> set[str]:
    """The question's words as written, lower-cased, with the punctuation around them taken off."""
    return set(question_counts(query))


def question_counts(query: str) -> Counter[str]:
    """How many times the question writes each of its words ("description under description": 2)."""
    words: Counter[str] = Counter()
    for raw in query.split():
        word = raw.strip("`'\"()[]{},;:?!").rstrip(".")
        if word:
            words[word.lower()] += 1
    return words


# what people write between a parent and its key, the key path's vocabulary: ``server.port``,
# ``server/port``, ``server > port`` or ``server>port``, ``server->port``, ``server::port``,
# ``server:port``, ``[server] port`` or ``[server]port``, ``server\\port``, ``server → port``, and the
# possessive ``server's port``; a key itself may hold a ``.`` or a ``/`` (``_KEY``: gcloud's
# ``connection.gitlabConfig.webhookSecret:``), the others it never holds
_BETWEEN = re.compile(r"->|=>|::|[\\>:\[\]→»]")
_WITHIN = re.compile(r"[./]")
_POSSESSIVE = re.compile(r"['’]s$")
_ARGUMENT = re.compile(r"[\s\"'=,{}\[\]:]+")


def path_parts(query: str, read: str | None = None) -> Counter[str]:
    """The parts of the question's words written as key paths, lower-cased (``server.port``: ``server``,
    ``port``; ``server's``: ``server``), each as many times as written.

    A question names a key with its parent in whatever separator its writer uses, and a word joined by
    one is no word of the key's line: "what is server.port in app.yaml" named neither ``server`` nor
    ``port`` and ranked the key no better than the file's head (35% of fresh seeds' config facts lost
    at 10% when the question wrote its path so). Only words so joined give parts (``port`` alone is
    ``question_counts``'). A word the call's arguments ``read`` hold (the file it read,
    ``/usr/lib/.../resources.yaml``) names the file, not a key: its parts (``usr``, ``lib``,
    ``resources``) are directories.
    """
    parts: Counter[str] = Counter()
    files = _read_names(read) if read else frozenset()
    for raw in query.split():
        word = raw.strip("`'\"(){},;?!").rstrip(".")
        bare = _POSSESSIVE.sub("", word)
        if bare.rstrip(":").lower() in files:
            continue
        found: list[str] = []
        for chunk in _BETWEEN.split(bare):
            chunk = chunk.strip("`'\"./").lower()
            # each part, and each tail of more than one part, which may be the key whole (``a.b.c``:
            # ``b.c`` and ``a.b.c``)
            found += [part for part in _WITHIN.split(chunk) if part]
            inner = list(_WITHIN.finditer(chunk))
            found += [chunk[at.end() :] for at in inner[:-1]] + ([chunk] if inner else [])
        if len(found) > 1 or bare != word:
            parts.update(found)
    return parts


def _read_names(read: str) -> frozenset[str]:
    """The call's arguments as the question may write them: each one, and each tail of a path
    (``cat /etc/app/app.yaml``: ``/etc/app/app.yaml``, ``etc/app/app.yaml``, ``app/app.yaml``, ``app.yaml``)."""
    names: set[str] = set()
    for arg in _ARGUMENT.split(read.lower()):
        names.add(arg)
        names.update(arg[at.end() :] for at in re.finditer("/", arg))
    return frozenset(names)


def key_paths(lines: list[str]) -> dict[int, tuple[str, tuple[int, ...]]] | None:
    """For a configuration file, each key line's index: its key and its parents' line indexes.

    Parents are the ``[section]`` header (INI, TOML) and the key lines of smaller indentation
    above it (YAML), outermost first. None when the piece is not shaped like a configuration file.
    """
    found: dict[int, tuple[str, tuple[int, ...]]] = {}
    stack: list[tuple[int, int]] = []  # (indentation, line index) of the open key lines
    section: tuple[int, ...] = ()
    shaped = nonblank = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        nonblank += 1
        if _COMMENT.match(line):
            shaped += 1
            continue
        header = _SECTION.match(line)
        if header:
            shaped += 1
            section, stack = (index,), []
            found[index] = (header[1], ())
            continue
        key = _KEY.match(line)
        if key is None:
            # a value's continuation (a YAML block scalar, a wrapped list) sits deeper than its key
            shaped += bool(stack) and len(line) - len(line.lstrip(" ")) > stack[-1][0]
            continue
        shaped += 1
        indent = key.start(3) - (1 if key[2] else 0)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        found[index] = (key[3], section + tuple(at for _, at in stack))
        stack.append((indent, index))
    if len(found) < _MIN_KEYS or shaped < _CONFIG_SHARE * nonblank:
        return None
    return found


def listing_names(line: str) -> tuple[str, ...]:
    """The names an entry line of a listing gives (its last field and that field's last path part)."""
    if not _ENTRY.match(line):
        return ()
    fields = line.split(" -> ")[0].split()
    if not fields:
        return ()
    last = fields[-1].rstrip("/")
    base = last.rsplit("/", 1)[-1]
    return (last.lower(), base.lower()) if base != last else (last.lower(),)


def _setting(line: str) -> bool:
    """A ``key = value``, ``key: value`` or ``key value`` line (a trailing comment aside)."""
    if _KEY.match(line):
        return True
    bare = _TRAILING_COMMENT.sub("", line)
    return bool(_DIRECTIVE.match(bare)) and not _SENTENCE_END.search(bare.rstrip())


def config_shaped(lines: list[str]) -> bool:
    """Whether ``lines`` read as a configuration file by their structure alone (no file name).

    Settings (``key = value``, ``key: value``, ``key value`` directives), ``[section]`` headers and
    comments (``#``, ``;``) make up nearly every line, and settings are a fair share of them, live or
    commented out (``#Port 22``: a file of defaults documented in comments, as sshd_config and
    postgresql.conf are). Their comment blocks are sentences, so the prose detector took such files
    whole and cut them by paragraph, where no key path is read. A line of prose is six words or more
    and ends in punctuation, so it is never a setting; a markdown heading is a comment here, but a
    document's paragraphs are not settings, so it stays far under the shares.
    """
    settings = shaped = nonblank = live = 0
    for line in lines:
        if not line.strip():
            continue
        nonblank += 1
        comment = _COMMENT_MARK.match(line)
        if comment:
            shaped += 1
            body = line[comment.end() :]
            settings += bool(body) and (bool(_KEY.match(body)) or (_setting(body) and bool(_SETTING_NAME.match(body))))
            continue
        live += 1
        if _SECTION.match(line) or _setting(line):
            shaped += 1
            settings += 1
    return (
        settings >= _MIN_KEYS
        and settings >= _CONFIG_KEYS * nonblank
        and shaped >= _CONFIG_SHAPED * nonblank
        and shaped - (nonblank - live) >= _CONFIG_LIVE * live
    )
