"""The question a log's lines are ranked by: the log's own name left out, a failure asked about widened.

Two shapes of question recur whatever the log, and each misleads a bag-of-words ranking:

- **The log named as the place to look** ("what does term.log say about ...", "check dpkg.log
  near ..."): the name is where the answer is, not what it says. Its parts are words of the log
  itself (``Log started:`` in apt's term.log, ``dpkg`` in dpkg's), rare ones, so every such line
  outranked the asked-for line. A query word naming what the tool call read (a command line,
  a path) is left out by ``relevance.without_call_names``, the one rule prose and plain text use
  too (a narrower log-only rule, whole file names only, kept the same facts and tokens within 15
  of 58,769 on ``benchmarks/run.py``'s log cases and the same facts on the generalisation cases).
- **A failure asked about** ("why did unpack fail?"): the answer is a line in the error
  vocabulary, which seldom repeats the question's verb (``fail`` does not find ``error:`` or
  ``failed``). Among the lines that match the question, each of the error vocabulary's plain
  words a line holds (and the question does not) raises it by a quarter of the best score, so
  among lines that share the question's words the one that reads as a failure ranks first. The
  words are ``_vocab.ERROR_TABLE``'s, kept as words (its patterns are for levels).
- **A time, a date, a version or an address written in the question** ("what happened at
  14:37:36?"): its parts are terms (``14``, ``37``, ``36``), and in a log the hour and minute are
  on most lines, so they select nothing and leave ``36``, found in every other line's minute,
  second or version. The written number (digits joined by ``:``, ``.``, ``-``, ``/``, ``+``,
  ``~``) is matched as written, as a quoted span is (``relevance.quoted_scores``): the one dpkg
  line logged at ``14:37:36`` went to a mark at 300 tokens; now it is kept.
"""

from __future__ import annotations

import re

from headroom.relevance import terms

__all__ = ["failure_terms", "written_names", "written_numbers"]

# the question asks why something went wrong
_FAILURE = re.compile(
    r"\b(?:fail\w*|error\w*|crash\w*|broke\w*|abort\w*|panic\w*|exception\w*|refus\w*|denied|wrong)\b", re.I
)
# plain words of the error vocabulary (headroom/compressors/log/_vocab.py), as the terms a failure line holds
# (not ``panic`` or ``exception``: parts of the names in a Rust or Java stack's frames, whose blocks
# rank as blocks already)
_FAILURE_TERMS = frozenset("error errors failed failure fatal cannot unable denied".split())


def failure_terms(query: str | None) -> frozenset[str]:
    """The error vocabulary's words the question does not hold itself, when it asks about a
    failure; empty otherwise. They break ties among the lines that match the question (``_rank``),
    they never make a line match: a ``Which test failed?`` that gained them as query terms ranked
    the ``error: |-`` keys of a TAP report over the ``expected:`` and ``actual:`` lines asked for."""
    if not query or not _FAILURE.search(query):
        return frozenset()
    return _FAILURE_TERMS - set(terms(query))


# digits joined by the separators of times, dates, versions and addresses: 14:37:36, 2025-06-24,
# 1.46-1, 10.0.0.1, 1:14.0.6-12; not a plain number (a term already) nor a word with letters
_NUMBER = re.compile(r"(?<![\w.:/+~-])\d+(?:[:./+~-]\d+)+(?![\w:/+~-]|\.\d)")


def written_numbers(query: str | None) -> str | None:
    """The numbers ``query`` writes with separators, each as a quoted span (``relevance.quoted_scores``
    matches them as written), or None when it writes none."""
    found = dict.fromkeys(_NUMBER.findall(query or ""))
    return " ".join(f'"{number}"' for number in found) or None


# a name written with separators inside it: a package (``libssl3:amd64``, ``python3-xmltodict``), a
# file (``nodesource1_amd64.deb``), a dotted or pathed name; it holds a letter (a number is
# ``written_numbers``'s)
_NAME = re.compile(r"[A-Za-z0-9]+(?:[_.:/+~-][A-Za-z0-9]+)+")
_ENDS = "?!,;:()[]{}<>'\"`."


def written_names(query: str | None) -> list[re.Pattern[str]]:
    """The names ``query`` writes with separators inside them, each a pattern matching it as
    written in any case, where no letter goes before it or a letter or digit after it: a version
    glues its vendor's suffix to a digit (``20.20.2-1nodesource1_amd64.deb``), and the name's
    terms (``nodesource1``, ``amd64``, ``deb``) find neither that glued word nor which of the
    lines holding ``amd64`` and ``deb`` is the one named."""
    found: dict[str, re.Pattern[str]] = {}
    for word in (query or "").split():
        word = word.strip(_ENDS)
        if _NAME.fullmatch(word) and any(c.isalpha() for c in word) and word.lower() not in found:
            found[word.lower()] = re.compile(r"(?<![A-Za-z])" + re.escape(word) + r"(?![A-Za-z0-9])", re.I)
    return list(found.values())
