"""What every memory backend shares: the values it returns, argument checks, the query language, previews.

A query is words, ``"quoted phrases"`` and ``prefix*`` terms; a text matches
when it holds any of them, and texts holding all of them rank first (then by
score, so texts holding more, rarer ones come first). The parse is one function here, so SQLite FTS5, the plain-table
fallback and PostgreSQL read a query the same way and differ only in how
their index stems words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from headroom.errors import InvalidInput
from headroom.relevance import STOP_WORDS

__all__ = [
    "ALL_NAMESPACES",
    "COMPRESSED",
    "DEFAULT_NAMESPACE",
    "NOTE",
    "MemoryHit",
    "Provenance",
    "Query",
    "parse_query",
]

NOTE = "note"
COMPRESSED = "compressed"  # the kind ``put`` records: an original a Headroom compressed
DEFAULT_NAMESPACE = "default"
ALL_NAMESPACES = "*"  # search/history/provenance across every namespace, when asked for

PREVIEW_CHARS = 200
_PIECE = re.compile(r'"([^"]*)"?|(\S+)')
_TOKEN = re.compile(r"[^\W_]+")  # letters and digits, as SQLite's unicode61 tokenizer splits


@dataclass(frozen=True)
class Provenance:
    """One agent keeping one original as one kind in one namespace: when first and last, how often, what meta."""

    handle: str
    agent: str
    kind: str
    first_seen: float
    last_seen: float
    times: int
    meta: Mapping[str, str] = field(default_factory=dict, hash=False)
    namespace: str = DEFAULT_NAMESPACE


@dataclass(frozen=True)
class MemoryHit:
    """A search result: the handle to ``recall``, its score (higher is better), the line that matched, who kept it."""

    handle: str
    score: float
    preview: str
    agents: tuple[str, ...]


@dataclass(frozen=True)
class Query:
    """A parsed query: bare words (stop words dropped), prefixes (``conn*``) and phrases, all lowercased tokens."""

    words: tuple[str, ...]
    prefixes: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]

    def all_terms(self) -> list[str]:
        """Every token the query names, phrases' included, first mention first (for previews)."""
        seen = [*self.words, *self.prefixes, *(token for phrase in self.phrases for token in phrase)]
        return list(dict.fromkeys(seen))

    def fts5(self, join: str = " OR ") -> str:
        """The FTS5 MATCH expression: every piece a quoted string (tokens are letters and digits only), joined."""
        pieces = [f'"{w}"' for w in self.words] + [f'"{p}" *' for p in self.prefixes]
        pieces += ['"' + " ".join(phrase) + '"' for phrase in self.phrases]
        return join.join(pieces)


def tokens(text: str) -> list[str]:
    """Lowercased runs of letters and digits, as the full-text indexes split them."""
    return [token.lower() for token in _TOKEN.findall(text)]


def parse_query(query: object) -> Query:
    """Words, ``prefix*`` and ``"phrases"`` of ``query``; raises InvalidInput when nothing searchable is left."""
    if not isinstance(query, str):
        raise InvalidInput(f"search() takes a query string, got {type(query).__name__}")
    words: list[str] = []
    prefixes: list[str] = []
    phrases: list[tuple[str, ...]] = []
    for match in _PIECE.finditer(query):
        quoted, bare = match.group(1), match.group(2)
        if quoted is not None:
            phrase = tuple(tokens(quoted))
            if len(phrase) > 1:
                phrases.append(phrase)
            elif phrase:  # a one-word phrase is that word, stop word or not: it was asked for by name
                words.append(phrase[0])
            continue
        parts = tokens(bare)
        if bare.endswith("*") and parts:
            *whole, last = parts
            words += [w for w in whole if _searchable(w)]
            prefixes.append(last)
        else:
            words += [w for w in parts if _searchable(w)]
    if not (words or prefixes or phrases):
        raise InvalidInput(
            f"the query {query!r} has no searchable words (stop words and single characters are skipped); "
            'search with the words the text you want contains, a "quoted phrase" or a prefix*'
        )
    return Query(tuple(dict.fromkeys(words)), tuple(dict.fromkeys(prefixes)), tuple(dict.fromkeys(phrases)))


def _searchable(word: str) -> bool:
    return len(word) > 1 and word not in STOP_WORDS


def preview(text: str, query: Query) -> str:
    """The line holding the query term this text holds least often (a rare word says most), cut around it.

    Terms match at a word start, so a stemmed or prefixed match (``timeouts`` for
    ``timeout``) is found; the first non-blank line when none is found.
    """
    found: list[tuple[int, int, re.Match[str]]] = []
    for order, term in enumerate(query.all_terms()):
        pattern = re.compile(rf"(?<![^\W_]){re.escape(_stem(term))}", re.IGNORECASE)
        matches = list(pattern.finditer(text))
        if matches:
            found.append((len(matches), order, matches[0]))
    if found:
        match = min(found, key=lambda item: item[:2])[2]
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.start())
        line = text[start : len(text) if end < 0 else end]
        column = match.start() - start
        left = max(0, min(column - PREVIEW_CHARS // 3, len(line) - PREVIEW_CHARS))
        return line[left : left + PREVIEW_CHARS].strip()
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:PREVIEW_CHARS]


def _stem(term: str) -> str:
    """A crude stem for finding the line: enough to meet ``connected`` from ``connection``'s stem ``connect``."""
    for suffix in ("ations", "ation", "ings", "ing", "ions", "ion", "ed", "es", "s"):
        if term.endswith(suffix) and len(term) - len(suffix) >= 3:
            return term[: -len(suffix)]
    return term


def check_name(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} must be a non-empty string such as 'worker-1' or 'note', got {value!r}")
    return value


def check_namespace(value: object) -> str:
    name = check_name(value, "namespace")
    if name == ALL_NAMESPACES:
        raise InvalidInput(
            f"{ALL_NAMESPACES!r} means every namespace and cannot be written to; name one, e.g. 'task-42'"
        )
    return name


def filters(agent: str | None, kind: str | None) -> dict[str, str]:
    """The provenance columns a caller narrows to, checked."""
    return {
        column: check_name(value, column) for column, value in (("agent", agent), ("kind", kind)) if value is not None
    }


def check_limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInput(f"limit must be a positive int, got {limit!r}")
    return min(limit, 2**63 - 1)  # SQLite's and PostgreSQL's integer range; a larger limit means the same: all


def check_meta(meta: Mapping[str, str] | None) -> dict[str, str]:
    out = dict(meta or {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in out.items()):
        raise InvalidInput(f"meta must map str to str, got {out!r}; convert values with str() or json.dumps()")
    return out


def check_text(text: object) -> str:
    if not isinstance(text, str):
        raise InvalidInput(f"remember() keeps text, got {type(text).__name__}; pass str (json.dumps data first)")
    return text


def check_forget(
    handle: str | None, agent: str | None, kind: str | None, namespace: str | None, before: float | None
) -> dict[str, str]:
    """The provenance filters of a ``forget`` call; refuses a call that names nothing (it would forget all)."""
    if handle is not None:
        if any(v is not None for v in (agent, kind, namespace, before)):
            raise InvalidInput("forget(handle) forgets that original for everyone; pass either a handle or filters")
        return {}
    chosen = filters(agent, kind)
    if namespace is not None:
        chosen["namespace"] = check_namespace(namespace)
    if before is not None and (isinstance(before, bool) or not isinstance(before, (int, float))):
        raise InvalidInput(f"before must be a time in seconds (like time.time()), got {before!r}")
    if not chosen and before is None:
        raise InvalidInput(
            "forget() with no handle and no filter would forget everything; pass a handle, or agent=, kind=, "
            "namespace= or before="
        )
    return chosen


def provenance_of(row: tuple[str, str, str, float, float, int, str, str]) -> Provenance:
    handle, agent, kind, first, last, times, meta, namespace = row
    return Provenance(handle, agent, kind, first, last, times, json.loads(meta), namespace)


def scope(namespace: str, chosen: dict[str, str], column: str, mark: str) -> tuple[list[str], list[object]]:
    """SQL conditions (``mark`` the driver's placeholder) keeping the handles one provenance record in scope kept.

    An original with no provenance at all (a plain store wrote it) belongs to
    the default namespace, so a database of originals stays searchable.
    """
    tests = dict(chosen)
    if namespace != ALL_NAMESPACES:
        tests["namespace"] = namespace
    if not tests:
        return [], []
    # EXISTS per candidate rides the provenance key (handle first); IN (SELECT ...) would read the whole namespace.
    tests_sql = " AND ".join(f"p.{c} = {mark}" for c in tests)
    sql = f"EXISTS (SELECT 1 FROM memory_provenance p WHERE p.handle = {column} AND {tests_sql})"
    if namespace == DEFAULT_NAMESPACE and not chosen:
        sql = f"({sql} OR NOT EXISTS (SELECT 1 FROM memory_provenance u WHERE u.handle = {column}))"
    return [sql], list(tests.values())


@dataclass(frozen=True)
class MemoryRecord:
    """One original with everything a memory knows of it: what ``export`` yields and ``import_records`` takes."""

    handle: str
    text: str
    meta: Mapping[str, str]
    created_at: float
    provenance: tuple[Provenance, ...]
