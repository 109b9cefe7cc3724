"""Query relevance shared by every compressor that selects: terms, stop words, BM25.

BM25 (Robertson and Zaragoza's Okapi form, k1 = 1.2, b = 0.75) over the
documents a compressor chooses among (rows, lines, matches, hunks, sentences),
with the real inverse document frequency of those documents, so a term that
appears everywhere counts for little. Identifiers are indexed whole and by
their parts: ``parse_args`` and ``parseArgs`` also match ``parse`` and ``args``.

Identifiers joined by ``.``, ``::`` or ``/`` (``os.path.join``,
``std::fs::read``, ``src/util.py``) are terms whole as well as by their parts,
and so are version numbers (``3.11.2``); numbers of two digits or more are
terms like words. Splitting a word is memoised (a log repeats its words), and
a scorer only counts the query's terms in a document.

A span the query quotes in backticks or double quotes (`` `x` ``,
``"permission denied"``) is what the asker expects verbatim: it is matched
whole, even when it is a single letter or a stop word that the terms leave
out, and a document holding it scores twice that literal's IDF more. The same
holds, unquoted, for what can only be meant literally: a command-line option
(``-o``, ``--only-matching``) and a format code (``%d``, ``%-5s``), and a word written
capitalised mid-sentence (``deals with Lib?``, ``start using Give?``), matched case and all: a
capital no sentence start explains is the word as the source writes it (``"Lib"`` among lines
saying ``lib``; a comment's ``Give up``, a stop word the terms leave out). Only a capital with
lower case after it (not ``I``, ``A`` or a shouted ``NOT``), not after a sentence's end, a colon
or a line break, not the head of a path or a dotted name (``Lib/io.py``), and alone (a run of
capitalised words is a title or a name: ``the The Closure API page``). A word that is a term too
scores so only where some document writes it in another case: elsewhere its term counts it.
A stop word written in capitals (``ARE``, ``AND``: ISO codes of the Emirates and Andorra) is a
code or a name, matched as written too.

Word forms are a suffix rule, not a stemmer (``word_forms``: "fails" finds
"failed", "handler" "handlers"); ``with_forms`` appends them to a query for a
scorer that matches terms as written. The search and row rankings use it; prose
ranking does not, because on the generalisation benchmark's tuning half the added
terms lowered man pages and HTML (each one fact fewer at one budget); plain-text
ranking ranks lines matching only by a form after every exact match.

Superlatives ("which package is largest", "the oldest release", "the slowest
test") are a vocabulary, not rules per case: ``superlative(query)`` names the
word and its direction, and ``as_number`` reads numbers stored as strings
(``"size": "2048"``), so a compressor can rank by the extreme value;
``as_ordered`` reads a column of numbers, ISO dates or version strings, so
"latest" and "oldest" rank releases and timestamps too.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property, lru_cache
from itertools import chain, takewhile
from typing import Any

__all__ = [
    "B",
    "BM25",
    "K1",
    "LITERAL_WEIGHT",
    "LineTerms",
    "OPTION",
    "STOP_WORDS",
    "SUPERLATIVES",
    "as_number",
    "as_ordered",
    "defines",
    "idf",
    "matches",
    "quoted_scores",
    "sparse_scores",
    "superlative",
    "terms",
    "with_forms",
    "without_call_names",
    "word_forms",
]

K1, B = 1.2, 0.75  # BM25's term saturation and length normalisation (Robertson and Zaragoza's values)


def idf(documents: int, holding: int) -> float:
    """BM25's inverse document frequency of a term ``holding`` of ``documents`` hold (the +1 form:
    never negative, so a word on most documents still weighs a little)."""
    return math.log(1 + (documents - holding + 0.5) / (holding + 0.5))


STOP_WORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing done down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    me more most my no nor not now of off on once only or other our out over own same she should
    so some such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your
    yours please show tell find give get see look want need know let lets use using used""".split()
)

_WORD = re.compile(r"[A-Za-z0-9_]+(?:(?:\.|::|/)[A-Za-z0-9_]+)*")
_PART = re.compile(r"[A-Za-z0-9_]+")
_CAMEL = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_VERSION = re.compile(r"\d+(?:\.\d+)+")
_QUOTED = re.compile(r"`([^`\n]+)`|\"([^\"\n]+)\"")
# what an option looks like, the vocabulary the prose family reads entries by too: ``-o``,
# ``--only-matching``, ``-?`` (a help option of glibc's tools), ``+x`` (an option turned off, xterm's ``+ls``)
OPTION = r"--?[A-Za-z0-9][\w-]*|-\?|\+[A-Za-z][\w-]*"
# what can only be meant literally: an option or a format code (%d, %-5s, %H)
_LITERAL = re.compile(rf"(?<![\w-])({OPTION}|%[-+ #0-9.]*[A-Za-z])(?![\w-])")
# public: a ranker that finds its own literals (the log's written names) weighs them alike
LITERAL_WEIGHT = 2.0
_CAPITALISED = re.compile(r"[A-Z][a-z]+")  # a word written with its capital (``Give``, ``Lib``)
_ALL_CAPS = re.compile(r"(?<![\w-])[A-Z]{2,}(?![\w-])")  # a word in capitals (``ARE``, ``AND``)
_OPENING = "\"'`([{<"
_CLOSING = "?!.,;:)]}>\"'`"
_ALIASES = re.compile(r",\s+|\s*\|\s*")  # between the options an entry lists (``-l, --long``)

#: superlative words and their direction: +1 asks for the largest value, -1 for the smallest
SUPERLATIVES: dict[str, int] = {
    **dict.fromkeys(
        "largest biggest heaviest highest greatest most max maximum top latest newest recent slowest longest "
        "costliest busiest".split(),
        1,
    ),
    **dict.fromkeys(
        "smallest lightest lowest least fewest min minimum oldest earliest fastest shortest cheapest".split(), -1
    ),
}
#: the words of the field a superlative most likely measures ("largest" a size, "latest" a date)
MEASURES: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        "largest biggest smallest heaviest lightest".split(),
        frozenset("size bytes byte length len kb mb gb installed weight lines".split()),
    ),
    **dict.fromkeys(
        "latest newest recent oldest earliest".split(),
        frozenset("date time timestamp created modified updated year version released release published".split()),
    ),
    **dict.fromkeys(
        "slowest fastest longest shortest".split(),
        frozenset("time duration ms seconds sec elapsed took latency runtime length".split()),
    ),
    **dict.fromkeys(
        "most fewest least highest lowest greatest max maximum min minimum top busiest costliest cheapest".split(),
        frozenset("count total number score amount value cost price".split()),
    ),
}
_NUMBER = re.compile(r"\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*")


def terms(text: str) -> list[str]:
    """Lowercased search terms of ``text``: words and identifier parts, stop words removed."""
    # one pass in C over the memoized words (issue 14): a Python loop extending per word was most of it
    return list(chain.from_iterable(map(_split, _WORD.findall(text))))


@lru_cache(maxsize=65_536)
def _split(word: str) -> tuple[str, ...]:
    """The terms of one word: itself (a compound or a version whole), then its parts."""
    lowered = word.lower()
    if word.isascii() and word.isalnum() and word[1:] == lowered[1:]:
        # a plain word ("the", "Python", "42"), most words of any text: its only part is itself, so
        # ``_split_parts`` comes to this (tests/test_relevance.py); a long text read for the first
        # time spent half its ``terms`` time there (issue 14)
        return (lowered,) if (len(lowered) > 1 or lowered.isdigit()) and lowered not in STOP_WORDS else ()
    return _split_parts(word)


def _split_parts(word: str) -> tuple[str, ...]:
    """``_split`` by its rules: the word whole, its identifier parts, camel-case pieces, a version's numbers."""
    lowered = word.lower()
    whole = [lowered]
    parts: list[str] = []
    for piece in _PART.findall(word):
        parts.append(piece.lower())
        parts.extend(p.lower() for chunk in piece.split("_") for p in _CAMEL.findall(chunk))
    if _VERSION.fullmatch(word):  # a version: whole, and its numbers (3.11 also matches 11)
        parts = [p for p in parts if len(p) > 1]
    found = []
    for term in dict.fromkeys([*whole, *parts]):
        if (len(term) > 1 or term.isdigit() and term in whole) and term not in STOP_WORDS:
            found.append(term)
    return tuple(found)


_SUFFIXES = ("ing", "es", "ed", "s")


def word_forms(words: set[str]) -> set[str]:
    """``words`` with their plural and verb forms, so "fails" finds "failed" and "handler" finds
    "handlers" in results and logs (a suffix rule, not a stemmer: "creating" does not find "creation")."""
    out = set(words)
    for word in words:
        stem = word
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                stem = word[: -len(suffix)]
                break
        out.update(stem + suffix for suffix in ("", "s", "es", "ed", "ing"))
        if word.endswith("es") and len(word) >= 5:  # "handles", "opcodes": the stem ends in "e"
            out.update(word[:-1] + suffix for suffix in ("", "d"))
    return out


def with_forms(query: str | None) -> str | None:
    """``query`` followed by the other forms of its words (``word_forms``), for a scorer that
    matches terms as written: "uploads fail" then also finds ``upload ... failed``.

    Only words of letters take forms (an identifier, a number or a version is meant as
    written), and the query's own text comes first, so its quoted spans and options stay."""
    if not query:
        return query
    own = set(terms(query))
    words = {term for term in own if term.isalpha() and len(term) >= 3}
    extra = sorted(word_forms(words) - own)
    return f"{query} {' '.join(extra)}" if extra else query


def superlative(query: str | None) -> tuple[str, int] | None:
    """The first superlative word of ``query`` and its direction (+1 largest, -1 smallest), or None."""
    for word in re.findall(r"[a-z]+", (query or "").lower()):
        if word in SUPERLATIVES:
            return word, SUPERLATIVES[word]
    return None


def as_number(value: Any) -> float | None:
    """``value`` as a number: ints, floats and strings that hold only a number (never a bool)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and len(value) <= 32 and _NUMBER.fullmatch(value):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


_DATE = re.compile(r"\s*(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d(?:\.\d+)?))?)?\S*\s*")
_VERSION_VALUE = re.compile(r"\s*v?(\d+(?:\.\d+)+)(?:[-+~][0-9A-Za-z.+~-]*)?\s*")


def as_ordered(values: Sequence[Any], share: float = 0.8) -> list[tuple[float, ...] | None] | None:
    """A column's values as sortable keys, for "latest", "oldest", "largest": numbers (and
    numeric strings), ISO dates and times (``2025-12-15T04:50:38``), or version strings
    (``1.10.2`` after ``1.9.0``, as numbers would not sort them); None per value that is none
    of them, and None for the column when fewer than ``share`` of its values read as one kind.

    Versions are tried first: ``3.11`` is a version in a column that also holds ``3.9.1``.
    """
    count = max(1, len(values))
    versions = [_VERSION_VALUE.fullmatch(v) if isinstance(v, str) and len(v) <= 64 else None for v in values]
    if sum(m is not None for m in versions) >= share * count and any(m and m[1].count(".") >= 2 for m in versions):
        return [tuple(float(n) for n in m[1].split(".")) if m else None for m in versions]
    numbers = [as_number(v) for v in values]
    if sum(x is not None for x in numbers) >= share * count:
        return [None if x is None else (x,) for x in numbers]
    dates = [_DATE.fullmatch(v) if isinstance(v, str) and len(v) <= 64 else None for v in values]
    if sum(m is not None for m in dates) >= share * count:
        return [tuple(float(part or 0) for part in m.groups()) if m else None for m in dates]
    return None


def quoted_scores(query: str | None, documents: Sequence[str]) -> dict[int, float]:
    """Per document index, the bonus for the quoted spans of ``query`` it holds (sparse)."""
    out: dict[int, float] = {}
    cased = _cased(query)
    for pattern in _quoted_patterns(query):
        hits = [index for index, doc in enumerate(documents) if pattern.search(doc)]
        if not hits:
            continue
        if pattern.pattern in cased and len(hits) == sum(1 for doc in documents if cased[pattern.pattern].search(doc)):
            continue  # a word written capitalised that no document writes otherwise: its term counts it already
        weight = idf(len(documents), len(hits))
        for index in hits:
            out[index] = out.get(index, 0.0) + LITERAL_WEIGHT * weight
    return out


def matches(query: str | None, text: str, text_terms: Iterable[str] | None = None) -> set[str]:
    """The terms of ``query`` that ``text`` holds, and its literals (quoted spans, options,
    format codes) as written: what a document gives the question, to compare two documents.
    ``text_terms`` is ``terms(text)`` when the caller has read it already."""
    asked, literals = _asked(query)
    found = set(terms(text) if text_terms is None else text_terms) & asked  # a set, which grows below
    found.update(pattern.pattern for pattern in literals if pattern.search(text))
    return found


@lru_cache(maxsize=64)
def _asked(query: str | None) -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    """The query's terms and literal patterns, read once per query: ``matches`` is called once
    per unit of a piece (every sentence of a page), always with the same question."""
    return frozenset(terms(query or "")), tuple(_quoted_patterns(query))


def defines(query: str | None, text: str) -> bool:
    """Whether ``text`` starts (after its indentation) with an option the query names, as an
    option list's entry does (``-s [+][-]seek``, ``--shadow, -s``): the place that defines it,
    where every other line that mentions it only uses it."""
    head = text.lstrip()[:400]
    if not head.startswith(("-", "+")) or not query:
        return False
    # every option the entry lists before what it does (``-l, --long``, ``-e PATTERNS, --regexp=PATTERNS``,
    # ``-A|--print-file-name``): a question may name any of them, not only the first
    lines = head.split("\n", 8)
    listed = list(takewhile(lambda part: part.startswith(("-", "+")), _ALIASES.split(lines[0][:80])))
    # the forms listed on lines of their own at the first line's column (addr2line's ``-r`` / ``-R`` /
    # ``--recurse-limit``, one per line over the description): a question naming ``-R`` names the entry;
    # a line deeper than the first is its description, even when it starts with an option
    column = len(text) - len(text.lstrip(" "))
    for line in lines[1:8]:
        if len(line) - len(line.lstrip(" ")) != column or not line.lstrip(" ").startswith(("-", "+")):
            break
        listed += takewhile(lambda part: part.startswith(("-", "+")), _ALIASES.split(line.strip()))
    for literal in _options(query):
        for option in listed:
            if option.startswith(literal) and not re.match(r"[\w-]", option[len(literal) : len(literal) + 1]):
                return True
    return False


def _quoted_options(query: str) -> list[str]:
    """The options written inside quoted spans: a lone one (`` `-v` ``) or each option of a quoted
    command line (`` `tar -x -f FILE` ``, ``"ed -v"``), which names the option as the bare ``-v`` does."""
    spans = [(match[1] or match[2]).strip() for match in _QUOTED.finditer(query)]
    return [option for span in spans for option in _LITERAL.findall(span) if option[0] in "-+"]


def _options(query: str) -> list[str]:
    """The options ``query`` names, quoted or not (``-v``, ``--all``, `` `ed -v` ``), in order."""
    return list(dict.fromkeys(_LITERAL.findall(_QUOTED.sub(" ", query)) + _quoted_options(query)))


def _quoted_patterns(query: str | None) -> list[re.Pattern[str]]:
    """Case-insensitive patterns of the quoted spans (and options and format codes, matched as
    written), bounded where a span starts or ends a word."""
    patterns = []
    spans = [(match[1] or match[2]).strip() for match in _QUOTED.finditer(query or "")]
    # a quoted option alone (`-v`) is matched as an option is, below
    for literal in dict.fromkeys(span for span in spans if span and not (span[0] in "-+" and _LITERAL.fullmatch(span))):
        head = r"(?<![A-Za-z0-9_])" if literal[0].isalnum() or literal[0] == "_" else ""
        tail = r"(?![A-Za-z0-9_])" if literal[-1].isalnum() or literal[-1] == "_" else ""
        patterns.append(re.compile(head + re.escape(literal) + tail, re.I))
    unquoted = _QUOTED.sub(" ", query or "")
    for literal in dict.fromkeys(_LITERAL.findall(unquoted) + _quoted_options(query or "")):
        # an option is case-sensitive (-v is not -V) and ends where the option ends, quoted or not; one
        # inside a quoted command line (`ed -v`) too, beside the span as written (an example's line)
        patterns.append(re.compile(r"(?<![\w-])" + re.escape(literal) + r"(?![\w-])"))
    for word in dict.fromkeys(_capitalised(unquoted) + _coded(unquoted)):
        patterns.append(re.compile(_as_written(word)))
    return patterns


def _coded(text: str) -> list[str]:
    """The stop words ``text`` writes in capitals (``Look up ARE``, ``the AND gate``): a code or a
    name (ISO 3166's ``ARE``, Andorra's ``AND``), matched as written. Their terms are dropped, so a
    question naming a row by such a code found nothing to rank by; a shouted ``NOT`` matches only
    where a document shouts it too."""
    return [word for word in _ALL_CAPS.findall(text) if word.lower() in STOP_WORDS]


def _as_written(word: str) -> str:
    return r"(?<![A-Za-z0-9_])" + re.escape(word) + r"(?![A-Za-z0-9_])"


@lru_cache(maxsize=64)
def _cased(query: str | None) -> dict[str, re.Pattern[str]]:
    """The patterns of the words ``query`` writes capitalised (``_capitalised``) that are terms too,
    each with its pattern in any case: such a word tells documents apart only where some document
    writes it otherwise (``"Lib"`` among lines saying ``lib``); a stop word (``Give``) always does,
    since its term is dropped."""
    words = _capitalised(_QUOTED.sub(" ", query or ""))
    return {_as_written(w): re.compile(_as_written(w), re.I) for w in words if w.lower() not in STOP_WORDS}


def _capitalised(text: str) -> list[str]:
    """The words ``text`` writes capitalised mid-sentence and alone (``start using Give?``, ``deals
    with Lib?``): after a word on the same line that ends no sentence, not the head of a path or a
    dotted name (``Lib/io.py``, ``Path.home``), and with no capitalised word beside it, since a run
    of them is a title or a name (``the The Closure API page``, ``Debian Python Policy``)."""
    found = []
    for line in text.split("\n"):
        words = line.split()
        for at in range(1, len(words)):
            word = words[at].lstrip(_OPENING).rstrip(_CLOSING)
            if not _CAPITALISED.fullmatch(word) or words[at - 1].endswith((".", "?", "!", ":", ";")):
                continue
            beside = [words[at - 1], *words[at + 1 : at + 2]]
            if not any(other.lstrip(_OPENING)[:1].isupper() for other in beside):
                found.append(word)
    return found


class BM25:
    """Scores documents against a query; documents are fixed at construction.

    Scoring needs each document's length and, for the query's terms only,
    their frequencies. So the documents' terms are read once, on the first
    query (a piece compressed without one is never tokenized), and ``scores``
    counts terms only in the documents holding a query term (a set test in C
    for the others), computing the same floats in the same order as a full
    term count per document would (tests/test_bm25_query_only.py). A caller
    whose documents' terms are read by another ranking too (a piece's lines)
    passes ``tokenized``: a function giving ``[terms(d) for d in documents]``,
    called on the first query.

    A document's score sums its terms' weights in sorted term order, so equal
    documents score equal floats in every process (an order that follows string
    hashing differs between runs and flipped ties: tests/test_determinism_processes.py).
    """

    def __init__(
        self,
        documents: Sequence[str],
        *,
        k1: float = K1,
        b: float = B,
        tokenized: Callable[[], Sequence[Sequence[str]]] | None = None,
    ) -> None:
        self._documents = documents
        self._tokenized = tokenized
        self._k1, self._b = k1, b
        self._counts: dict[int, Counter[str]] = {}

    @cached_property
    def _terms(self) -> Sequence[Sequence[str]]:
        # read on the first query only: a piece compressed without one is never tokenized
        return self._tokenized() if self._tokenized is not None else [terms(doc) for doc in self._documents]

    @cached_property
    def _lengths(self) -> list[int]:
        return [len(found) for found in self._terms]

    @cached_property
    def _average(self) -> float:
        return (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0

    def scores(self, query: str | None) -> list[float]:
        """One score per document (all zero for an empty query)."""
        wanted = set(terms(query or ""))
        quoted = quoted_scores(query, self._documents)
        if not (wanted or quoted) or not self._average:
            return [0.0] * len(self._documents)
        holding = [index for index, found in enumerate(self._terms) if not wanted.isdisjoint(found)]
        for index in holding:
            if index not in self._counts:
                self._counts[index] = Counter(self._terms[index])
        frequency: Counter[str] = Counter()
        for index in holding:
            frequency.update(wanted & self._counts[index].keys())
        total = len(self._terms)
        weights = {t: idf(total, n) for t, n in frequency.items()}
        out = [quoted.get(index, 0.0) for index in range(total)]
        for index in holding:
            counts = self._counts[index]
            norm = self._k1 * (1 - self._b + self._b * self._lengths[index] / self._average)
            score = 0.0
            # summed in sorted order: a set of strings iterates in an order that depends on the
            # document's own terms and on the process's hash seed, so equal scores came out a few
            # ulps apart and broke their ties differently from one run to the next
            for term in sorted(wanted & counts.keys()):
                tf = counts[term]
                score += weights[term] * tf * (self._k1 + 1) / (tf + norm)
            out[index] = score + quoted.get(index, 0.0)
        return out


class LineTerms:
    """The terms of each of a piece's lines, read once when first asked, for every ranking over them.

    ``terms`` never joins words across a line break, so the terms of lines
    joined are their terms in order: ``of(first, end)`` is
    ``terms("".join(lines[first:end]))`` without reading the lines again
    (tests/test_bm25_query_only.py holds ``terms`` to that).
    """

    def __init__(self, lines: Sequence[str]) -> None:
        self._lines = lines

    @cached_property
    def each(self) -> list[list[str]]:
        return [terms(line) for line in self._lines]

    def of(self, first: int, end: int) -> list[str]:
        """The terms of lines ``first`` to ``end`` (exclusive) joined."""
        out: list[str] = []
        for found in self.each[first:end]:
            out.extend(found)
        return out


def sparse_scores(
    documents: Sequence[str],
    query: str | None,
    *,
    sample: int = 200,
    k1: float = K1,
    b: float = B,
    common: bool = False,
) -> dict[int, float]:
    """BM25 of the documents that hold a query term or quoted span, by index; the others score 0.

    The same formula as ``BM25``, computed sparsely for many short documents (a
    100,000-line log in milliseconds): only the documents a query term occurs
    in are tokenized, and the average length is taken from about ``sample``
    documents. A term in more than half the documents ("request" in a request
    log) is left out: it selects nothing and would only scatter what is kept.
    With ``common``, such a term still adds its BM25 weight to a document that
    holds a rarer query term: it never selects a document, but among those the
    rarer words select, the ones that hold it too read as the question ("jvm
    slave" in alternatives.log, ``jvm`` on 58 of 109 lines: without it, the
    line with twenty ``--slave`` options ranked over the java lines asked about).
    """
    wanted = set(terms(query or ""))
    quoted = quoted_scores(query, documents)
    if not wanted:
        return quoted
    finder = re.compile("|".join(re.escape(term) for term in sorted(wanted)))
    counts = {}
    for index, doc in enumerate(documents):
        if finder.search(doc.lower()):
            found = Counter(terms(doc))
            if wanted & found.keys():
                counts[index] = found
    if not counts:
        return quoted
    sampled = documents[:: max(1, len(documents) // sample)]
    average = sum(len(terms(doc)) for doc in sampled) / len(sampled) or 1.0
    frequency = Counter(term for found in counts.values() for term in wanted & found.keys())
    selective = {t for t, df in frequency.items() if df <= len(documents) / 2}
    weighed = set(frequency) if common else selective
    weights = {t: idf(len(documents), frequency[t]) for t in weighed}
    scores = dict(quoted)
    for index, found in counts.items():
        if selective.isdisjoint(found):  # only a common term: it selects nothing
            continue
        norm = k1 * (1 - b + b * sum(found.values()) / average)
        # in sorted order, as in BM25.scores: the same floats in every process, whatever the hash seed
        score = sum(weights[t] * found[t] * (k1 + 1) / (found[t] + norm) for t in sorted(weighed & found.keys()))
        if score > 0:
            scores[index] = scores.get(index, 0.0) + score
    return scores


#: argument keys whose value names what a tool call read (a file, a page, a command line); the
#: others (a search pattern, a query, new content) say what was asked of it, not what it read
_SOURCE_KEYS = frozenset(
    "cmd command commandline script path paths file file_path filepath filename files target_file "
    "absolute_path notebook_path url uri page name target".split()
)
_STAGE_END = re.compile(r"\|\|?|&&|;|[<>]")


def without_call_names(query: str | None, tool_args: str | None, title: str | None = None) -> str | None:
    """``query`` less the words that name what the tool call read: the page, file or command
    (``man 1 xxd``, ``cat libffi8/html/Multiple-ABIs.html``, ``/usr/include/arpa/tftp.h``), and
    the ``title`` the document gives itself, when the caller knows one (an HTML page's title: a
    reader names the page by it, "the Size and Alignment page").

    Every part of the output is about those words, so they rank its title, header guard or
    opening over the part the question's other words ask for (issue 12). One rule serves every
    compressor that ranks parts of one document (prose, HTML, plain text) instead of one rule
    each. The names are the terms of the call's first command stage (``man 8 savelog | head``
    reads ``man 8 savelog``), options left out, or of the argument values that name a source
    (``_SOURCE_KEYS``: ``path``, ``file``, ``url``, ...; a ``pattern`` or a ``query`` says what
    was asked, not what was read). A question word goes when every term of it is such a name
    (``xxd``, ``Multiple-ABIs.html``, ``arpa/tftp.h``), or the word whole is: ``os.path.join``
    stays beside a call that read ``os/path.py``, since ``join`` names no part of the call. The
    query is kept as it is when nothing would be left.
    """
    if not query or not (tool_args or title):
        return query
    names = (_call_names(tool_args) if tool_args else frozenset()) | frozenset(terms(title or ""))
    if not names:
        return query

    def names_the_source(word: str) -> bool:
        found = terms(word)
        return bool(found) and (found[0] in names or set(found[1:] or found) <= names)

    rest: list[str] = []
    named = False  # the word before was a name of the source
    carried = ""  # the quote that opened a span at a dropped name: it opens the next word (`ed -v` -> `-v`)
    for word in query.split():
        # a document noun right after a name ("the png man page", "the Size and Alignment page")
        # names the document too: "page" ranked png's "This man page: Glenn Randers-Pehrson" third
        if names_the_source(word) or (named and word.lower().strip("?.,:;!'\"") in _DOCUMENT_NOUNS):
            named = True
            opening = word[:1] if word[:1] in '`"' and word.count(word[0]) == 1 else ""
            carried = carried or opening
            continue
        named = False
        rest.append(carried + word)
        carried = ""
    # what is left names nothing but an option or a format code ("xxd -s - what does it do", "effect of
    # `ed -v`?"): the option is what is asked, and the command beside it named every line of its page
    if not terms(" ".join(rest)) and not _options(" ".join(rest)):
        return query
    # a capitalised word that the question wrote in a run (``a Rust String``: a name, not a word matched
    # as written) stays out of the run rule when the name beside it goes: left alone, ``String`` became a
    # literal of its own, lifting every sentence writing `String` over the one asked about (issue 12)
    alone = set(_capitalised(_QUOTED.sub(" ", query)))
    stranded = set(_capitalised(_QUOTED.sub(" ", " ".join(rest)))) - alone
    if stranded:
        rest = [_uncapitalised(word) if word.lstrip(_OPENING).rstrip(_CLOSING) in stranded else word for word in rest]
    return " ".join(rest)


def _uncapitalised(word: str) -> str:
    head = len(word) - len(word.lstrip(_OPENING))
    return word[:head] + word[head : head + 1].lower() + word[head + 1 :]


# nouns a question names a document by, after its name: dropped with the name (``without_call_names``)
_DOCUMENT_NOUNS = frozenset("page pages manpage manual file files doc docs documentation readme".split())


def _call_names(tool_args: str) -> frozenset[str]:
    """The terms naming what a call read (``without_call_names``)."""
    try:
        args: Any = json.loads(tool_args)
    except (ValueError, RecursionError):  # not JSON (a bare command line), or nested past the parser
        args = tool_args
    values: list[str] = []
    if isinstance(args, dict):
        for key, value in args.items():
            if key.lower().replace("-", "_") not in _SOURCE_KEYS:
                continue
            listed = value if isinstance(value, list) else [value]
            values.extend(item for item in listed if isinstance(item, str))
    elif isinstance(args, str):
        values = [args]
    names: set[str] = set()
    for value in values:
        stage = _STAGE_END.split(value, maxsplit=1)[0]
        for word in stage.split():
            if not word.startswith("-"):
                names.update(terms(word))
    return frozenset(names)
