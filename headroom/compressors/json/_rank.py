"""What a JSON document's containers cost and which of their children rank first: measured
once per piece, whatever the budget (``Measured``, the base of ``_select.Shrinker``).

Split from the shrinker by responsibility: this module holds the estimates
(tokens per character of each container, counted on windows when large; each
child's size, floor and least), the rankings (``_rows.priority`` per
container, led by the branches to the leaves that match the question best),
what the question asks to see as written (``spelled``, ``named``), and the
choice of which children a container keeps within a budget (``_pick``). The
shrinker walks the document and spends the budget with them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from headroom.compressors._rows import Choice, Leaves, Ranking, Summarizer, choose, leaves_of, priority
from headroom.compressors.json._forms import dump
from headroom.compressors.json._where import HOT, Where
from headroom.compressors.json._where import RECORD as _RECORD
from headroom.compressors.json._where import hot_paths as _hot_paths
from headroom.plugins import PieceContext
from headroom.relevance import STOP_WORDS, sparse_scores, terms, word_forms

__all__ = ["MARKER", "MIN_STRING", "Measured", "join", "label", "quoted"]

MARKER = 24.0  # tokens of a marker with a short summary, as a JSON string, before a piece plans its own (``mark``)
_SUMMARY_PLAN = 5.0  # tokens a planned marker holds for its summary (``mark``)
MIN_STRING = 40  # characters a shortened string keeps at least
_RANGE = 3.0  # tokens one more range adds to a marker that lists several
_SPELLED = 3  # rows the question asks for that a row table shows as the objects they are
_WINDOW = 5_000  # characters of each window counted to measure a large container's tokens per character
_QUOTES = re.compile(r"`([^`\n]+)`|\"([^\"\n]+)\"|'([^'\n]+)'")  # a value the question marks as quoted
# a file the question names ("In schema.json, ...", "Look up X in cli.json"): the piece is that file, so
# its name's words name no key in it (``$schema`` is not what "which $comment ... in schema.json" asks)
_FILE_NAME = re.compile(
    r"(?<![\w.$/-])[\w.-]*\w\.(?:json|jsonl|ndjson|geojson|ya?ml|toml|lock|txt|csv|tsv|xml|cfg|ini|conf)(?![\w.-])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Profile:
    """A container's children, whatever the budget: their tokens, their floors (one marker
    for a container; an object's only), and what each key costs (``key_total``: all of them,
    as a list of names)."""

    sizes: list[float]
    floors: list[float]
    keys: list[float]
    key_total: float
    unit: str  # what its children are counted as: keys, rows (objects) or items


def without_files(query: str) -> str:
    """``query`` with the file names it holds blanked out: a question names the file it read
    ("In schema.json, which $comment does object have?"), and ``schema`` then named the root's
    ``$schema`` key, so the root, holding ``"type": "object"``, was the one record the question
    seemed to ask for, and every entry meant sat inside it unseen."""
    return _FILE_NAME.sub(" ", query)


class Measured:
    """One document's sizes, rankings and choices, each computed once and cached by container ``id``."""

    def __init__(
        self,
        data: Any,
        text: str,
        ctx: PieceContext,
        *,
        long_string: int,
        tokens_per_char: float,
        rows: list[Any] | None = None,
        rows_factor: float = 1.0,
    ) -> None:
        self.data, self.text, self.ctx = data, text, ctx
        self.long_string = long_string
        self.tpc = tokens_per_char
        self.rows, self.rows_factor = rows, rows_factor
        self.omitted: Counter[str] = Counter()
        self._tokens: dict[int, float] = {}
        self._longest: dict[int, int] = {}
        self._costs: dict[tuple[int, bool], list[float]] = {}
        self._profiles: dict[int, _Profile] = {}
        self._rankings: dict[int, Ranking] = {}
        self._leads: dict[int, int] = {}
        self._hot: dict[Where, float] | None = None
        self._matches: dict[int, list[int]] = {}
        self._summaries: dict[int, Summarizer] = {}
        self._leaves: dict[int, Leaves] = {}
        self._spans: dict[Where, tuple[int, int]] | None = None
        self._hot_parents: set[int] = set()
        self.best_trails: list[list[str | int]] = []  # the keys and indexes down to the best leaves, best first
        self._spelled: frozenset[int] | None = None
        self._shown: set[int] = set()
        self.asked_kept = 0  # of the containers the question asks for, how many the last shrink showed
        self.asking = without_files(ctx.query or "")  # the question's words that can name a key or a value
        self.query_terms = word_forms(set(terms(self.asking))) if ctx.query else set()
        self._named: dict[str, bool] = {}
        self._plain: set[int] | None = None
        self._paths: dict[int, str] = {id(data): ""}  # each profiled container's path, as its markers name it
        self._marks: dict[int, float] = {}
        self._labelled: dict[int, int] = {}  # the length of the label each planned marker was written with
        self._mark_tpc: float | None = None
        self._candidates: list[Any] | None = None  # ``Shrinker.candidates``, once
        self._further: list[Any] = []  # ``Shrinker.further``, with them

    def spelled(self) -> frozenset[int]:
        """The ``id`` of the original containers the question asks for: the main array's rows it
        names or matches best, and the objects holding the leaves that match it best."""
        if self._spelled is None:
            found: set[int] = set()
            if self.rows and self.ctx.query:
                ranking = self._ranking(self.rows)
                found.update(id(self.rows[i]) for i in ranking.order[: min(_SPELLED, ranking.asked)])
            if self._hot is None:
                self._hot, self._hot_parents, self.best_trails = _hot_paths(self.data, self.ctx.query)
            found.update(self._hot_parents)
            many = self.candidates()
            if len(many) > HOT:  # every record a shared-property question can mean, as the pairs form shows it
                from headroom.compressors.json._spine import alike  # it reads a Measured: imported on use

                found.update(
                    id(_at(self.data, prefix + path[:-1]))
                    for prefix, by, asked in many
                    for path in [by, asked, *alike(_at(self.data, prefix), asked, [])]
                )
            self._spelled = frozenset(found)
        return self._spelled

    def candidates(self) -> list[Any]:
        """The records a question naming a shared property can mean (``_spine.candidates``), once."""
        if self._candidates is None:
            if self._hot is None:  # the leaves ranked: the records holding the best ones come first
                self._hot, self._hot_parents, self.best_trails = _hot_paths(self.data, self.ctx.query)
            from headroom.compressors.json._spine import candidates  # it reads a Measured: imported on use

            self._candidates, self._further = candidates(self)
        return self._candidates

    def further(self) -> list[Any]:
        """The records the pairs form shows once every candidate fits (``_spine._further``)."""
        self.candidates()
        return self._further

    def plain(self) -> set[int]:
        """The ``id`` of the original containers holding no key the question names and nothing
        it asks for (``spelled``), at any depth: ``dump`` writes them compact in one C call. A
        container kept as it is stays the original object; a shrunk one is a new object, walked."""
        if self._plain is None:
            spelled, found = self.spelled(), set[int]()

            def walk(node: Any) -> bool:
                children = node.values() if isinstance(node, dict) else node
                clean = id(node) not in spelled
                for child in children:
                    if isinstance(child, (dict, list)) and not walk(child):
                        clean = False
                if clean and isinstance(node, dict):
                    clean = not any(self.named(key) for key in node)
                if clean:
                    found.add(id(node))
                return clean

            if isinstance(self.data, (dict, list)):
                walk(self.data)
            self._plain = found
        return self._plain

    def named(self, key: str) -> bool:
        """Whether the question names the key ``key`` (every term of it, in any word form): its
        ``"key": value`` pairs are written with the input's key separator wherever they stand.

        A question asks for a field by its name ("what is the description of ..."), and the
        answer quotes the line as written; the pair costs a token more, and only the keys the
        question names pay it, not the whole document (a tenth to a third more)."""
        found = self._named.get(key)
        if found is None:
            own = terms(key)
            found = self._named[key] = bool(own) and all(term in self.query_terms for term in own)
        return found

    def _dump(self, value: Any) -> str:
        # compact: the document is rendered so, but for the few objects the question asks for
        return dump(value)

    def tokens(self, value: Any) -> float:
        """Estimated tokens of ``value``, a part of the original document: containers are cached by
        ``id``, which the document keeps alive. A value built while planning goes to ``built_tokens``."""
        if isinstance(value, (dict, list)):
            cached = self._tokens.get(id(value))
            if cached is None:
                cached = self._tokens[id(value)] = len(self._dump(value)) * self.tpc
            return cached
        return len(self._dump(value)) * self.tpc

    def built_tokens(self, value: Any) -> float:
        """Estimated tokens of a value built while planning, never cached: once it is freed, its
        ``id`` goes to the next object made, and a cache would give that object its size."""
        return len(self._dump(value)) * self.tpc

    def _long(self, value: Any) -> int:
        """The longest string inside ``value``."""
        if isinstance(value, str):
            return len(value)
        if not isinstance(value, (dict, list)):
            return 0
        cached = self._longest.get(id(value))
        if cached is None:
            children = value.values() if isinstance(value, dict) else value
            cached = self._longest[id(value)] = max((self._long(v) for v in children), default=0)
        return cached

    def _floor(self, value: Any, size: float) -> float:
        """The fewest tokens ``value`` can take: a container as one marker, a long string cut short."""
        if isinstance(value, (dict, list)):
            return min(size, self.mark(value))
        if isinstance(value, str) and len(value) > self.long_string:
            return min(size, MIN_STRING * self.tpc + MARKER)
        return size

    def _profile(self, container: dict[str, Any] | list[Any]) -> _Profile:
        """Measured once per container: its tokens per character and its key names' are counted
        (on a sample when large), and its children are estimated with the container's own
        ratio (version strings and dates cost more per character than prose)."""
        found = self._profiles.get(id(container))
        if found is None:
            children = list(container.values()) if isinstance(container, dict) else container
            dumped = [self._dump(child) for child in children]
            # an array is written as its items joined by commas (what the encoder does): its
            # items' texts are needed anyway, so the whole is not encoded a second time
            dump = "[" + ",".join(dumped) + "]" if isinstance(container, list) else self._dump(container)
            local = self._per_char(dump)
            # a container keeps the estimate its parent gave it, so grants and sizes agree
            self._tokens.setdefault(id(container), len(dump) * local)
            path = self._paths.get(id(container), "")
            steps: list[str | int] = list(container) if isinstance(container, dict) else list(range(len(container)))
            for step, child in zip(steps, children):
                if isinstance(child, (dict, list)):  # the path its markers will name, for ``mark``
                    self._paths.setdefault(id(child), join(path, step))
            sizes = []
            for child, text in zip(children, dumped):
                size = len(text) * local
                if isinstance(child, (dict, list)):
                    size = self._tokens.setdefault(id(child), size)
                sizes.append(size)
            keys: list[float] = []
            if isinstance(container, dict):
                names = [self._dump(k) for k in container]
                per_char = self._per_char("[" + ",".join(names) + "]")
                keys = [(len(name) + 1) * per_char for name in names]
            if isinstance(container, dict):
                floors = [self._floor(child, size) for child, size in zip(children, sizes)]
            else:
                # only an object's floors are read (``Shrinker._object``): an array's would build a
                # marker per item (a tenth of a 1 MB array's first shrink). The first of them set
                # the tokens per character every marker is planned at, so that one is still built
                floors = []
                if self._mark_tpc is None:
                    first = next((child for child in children if isinstance(child, (dict, list))), None)
                    if first is not None:
                        self.mark(first)
            if isinstance(container, dict):
                unit = "keys"
            else:
                unit = "rows" if children and all(isinstance(child, dict) for child in children) else "items"
            found = self._profiles[id(container)] = _Profile(sizes, floors, keys, sum(keys), unit)
        return found

    def label_cost(self, container: dict[str, Any] | list[Any]) -> float:
        """What the path in ``container``'s marker costs of what ``mark`` plans: a thin path
        writes its markers without one (``_spine``)."""
        planned = self.mark(container)  # measures the markers' tokens per character first
        # the label the plan was written with: a container's path is known once the walk has
        # profiled it, and a plan made before that (``top``) less a path learnt after it came out
        # negative, so every candidate of the pairs form "fit" at once and the room was missed
        return (self._labelled.get(id(container), 0) + 1) * (self._mark_tpc or 0.0) if planned else 0.0

    def mark(self, container: dict[str, Any] | list[Any], listed: bool | None = None) -> float:
        """Tokens one marker for ``container`` (or a run of its children) is planned at, from its parts.

        A marker was planned at a fixed ``MARKER`` (24 tokens), but without its
        handle (the piece pays that once) one costs 10-18: ``"[…15 keys options
        1-15]"`` is 10. In a room of 60-200 tokens that overcount made the record
        holding the asked-for entry look too dear, and it lost to cheap scalars
        (awscli's ``cli.json``, botocore's ``waiters-2.json``). So each marker is
        planned at its own skeleton (count, unit, the container's path as its label,
        a range), written and measured at the tokens per character of the first marker
        counted, plus ``_SUMMARY_PLAN`` for its summary. An object's run of dropped
        entries is a key (``listed``: True when its value lists the dropped names, which
        the key names' cost already holds; False when it is null and the marker names
        its first and last key instead).
        """
        found = self._marks.get(id(container))
        if found is None:
            n = len(container)
            if isinstance(container, dict):
                unit = "keys"
            else:
                unit = "rows" if container and all(isinstance(c, dict) for c in container) else "items"
            name = label(self._paths.get(id(container), ""))
            self._labelled[id(container)] = len(name)
            text = dump(self.ctx.marker(n, unit, f"{name} 1-{n}")) + ","
            if self._mark_tpc is None:
                self._mark_tpc = self.ctx.counter.count(text) / len(text)
            found = self._marks[id(container)] = len(text) * self._mark_tpc + _SUMMARY_PLAN
        if listed is None or not isinstance(container, dict) or not container:
            return found
        if listed:
            return found + 2.0  # ':[' and ']'
        ends = 2 * sum(min(24, len(key)) for key in container) / len(container)
        return found + 2.0 + ends * self.tpc  # ':null' and ' first..last'

    def _per_char(self, text: str) -> float:
        """Tokens per character of ``text``: a container's own ratio, measured on four windows
        spread over it when it is large (counting all of it would cost more than the rest)."""
        if len(text) <= 4 * _WINDOW:
            return self.ctx.counter.count(text) / max(1, len(text))
        step = (len(text) - _WINDOW) // 3
        windows = [text[i * step : i * step + _WINDOW] for i in range(4)]
        return sum(self.ctx.counter.count(w) for w in windows) / (4 * _WINDOW)

    def _least(self, value: Any) -> float:
        """The fewest tokens ``value`` can usefully be shown in: an object, room for its key
        names to be listed (the numbers ``_entries`` will use); a list, one item and a marker."""
        size = self.tokens(value)
        if isinstance(value, dict):
            names = self._profile(value).key_total + self.mark(value)
            if len(value) <= _RECORD:
                if not self._ranking(value).asked:
                    return min(size, names)
                # a record holding what the question asks for is useful as that entry and one
                # marker naming the run(s) around it (awscli's 15 options: the asked-for one,
                # 27 tokens, and a marker of 21, not the 15 names and a marker, 60)
                return min(size, names, self.mark(value, False) + _RANGE + self._best_entry(value))
            # a map too wide to list: its best entries and a marker for each run around them
            # (``_entries`` then names each run by its first and last key), not its names
            return min(size, 2 * names, 3 * self.mark(value, False) + self._best_entry(value))
        if isinstance(value, list):
            return min(size, 2 * self.mark(value))
        return self._floor(value, size)

    def _best_entry(self, value: dict[str, Any]) -> float:
        """What the entry of ``value`` that ranks first costs at its least (key and value)."""
        ranking = self._ranking(value)
        if not ranking.order:
            return 0.0
        index = ranking.order[0]
        profile = self._profile(value)
        return profile.keys[index] + self._least(list(value.values())[index])

    # values ----------------------------------------------------------------

    def _matched(self, container: dict[str, Any]) -> list[int]:
        """The children the question asks for or matches at all (BM25 over key and value)."""
        found = self._matches.get(id(container))
        if found is None:
            ranking = self._ranking(container)
            documents = [self._dump({key: child}) for key, child in container.items()]
            scored = sparse_scores(documents, self.ctx.query) if self.ctx.query else {}
            found = self._matches[id(container)] = sorted(set(ranking.order[: ranking.asked]) | set(scored))
        return found

    def _entry_costs(self, value: dict[str, Any], listed: bool) -> list[float]:
        profile = self._profile(value)
        costs = self._costs.get((id(value), listed))
        if costs is None:  # a kept entry's key is already paid for when every name is listed
            costs = self._costs[(id(value), listed)] = [
                size + (0.0 if listed else key) for size, key in zip(profile.sizes, profile.keys)
            ]
        return costs

    def _ranking(self, container: dict[str, Any] | list[Any]) -> Ranking:
        ranking = self._rankings.get(id(container))
        if ranking is None:
            if isinstance(container, dict):
                ranking = priority([{k: v} for k, v in container.items()], self.ctx.query)
            else:
                ranking = priority(container, self.ctx.query, self.leaves(container))
            hot = self._hot_children(container)
            if hot:  # the branches holding the leaves that match best lead what the question asks for
                named, matched = ranking.order[: ranking.named], ranking.order[ranking.named : ranking.asked]
                asked = list(dict.fromkeys(named + hot + matched))  # what the question names stays first
                ranking = Ranking(list(dict.fromkeys(asked + ranking.order)), len(asked), ranking.named)
            if isinstance(container, dict) and ranking.asked:
                self._leads[id(container)] = ranking.order[0]  # the branch that leads, for ``_share_asked``
                ranking = self._asked_field_first(container, ranking)
            self._rankings[id(container)] = ranking
        return ranking

    def _asked_field_first(self, container: dict[str, Any], ranking: Ranking) -> Ranking:
        """``ranking`` with the entries the question quotes by value after the fields it names.

        "What is the $dynamicAnchor of the entry whose $id is https://...": both
        entries are asked for, and the ``$id`` the question quotes ranked first; a
        room too small for it kept ``$dynamicAnchor``, a larger one kept ``$id`` and
        had no room left for the field asked for, so more room showed the answer
        less. The value the question quotes only finds the record (the ranking one
        level up already did); the key it names is what it asks to see. Only those
        two trade places: the other asked-for entries keep their rank (moving every
        named field first put npm ls's scalar ``version`` before ``dependencies``)."""
        items, query = list(container.items()), self.ctx.query or ""
        asked = ranking.order[: ranking.asked]
        by_value = [i for i in asked if quoted(items[i][1], query)]
        # a key the question names, unless its value is quoted too: that entry is how it finds the record
        fields = [i for i in asked if self.named(items[i][0]) and i not in by_value]
        if not by_value or not fields:
            return ranking
        last = max(asked.index(i) for i in fields)
        early = [i for i in by_value if asked.index(i) < last]
        if not early:
            return ranking
        rest = [i for i in asked if i not in early]
        at = rest.index(asked[last]) + 1
        order = rest[:at] + early + rest[at:]
        return Ranking(list(dict.fromkeys(order + ranking.order)), ranking.asked, ranking.named)

    def leaves(self, container: list[Any]) -> Leaves:
        """The leaves of an array's items, walked once for its ranking and its markers' summaries."""
        found = self._leaves.get(id(container))
        if found is None:
            found = self._leaves[id(container)] = leaves_of(container)
        return found

    def _hot_children(self, container: dict[str, Any] | list[Any]) -> list[int]:
        """Indexes of the children on the way to a leaf that matches the question best, best first.

        A deep document (an OpenAPI spec, a package lock) is ranked level by
        level, and one level sees only its own children: a method named by the
        question three levels down looks no more relevant than its siblings.
        So the leaves are ranked once over the whole document (BM25 over each
        leaf's key and value), and every container on the way from the root to
        one of the best (at least half the top score, at most ``_where.HOT`` of them)
        puts that branch first.
        """
        if self._hot is None:
            self._hot, self._hot_parents, self.best_trails = _hot_paths(self.data, self.ctx.query)
        if not self._hot:
            return []
        keys: list[str | int] = list(container) if isinstance(container, dict) else list(range(len(container)))
        scored = [
            (self._hot[(id(container), key)], index)
            for index, key in enumerate(keys)
            if (id(container), key) in self._hot
        ]
        return [index for _, index in sorted(scored, key=lambda c: (-c[0], c[1]))]

    def _pick(
        self, container: dict[str, Any] | list[Any], costs: list[float], budget: float, listed: bool | None = None
    ) -> Choice:
        """The children kept within ``budget``, by rank.

        ``choose`` keeps a top-ranked child too big for the room with half of what
        is left; once the room grows past that child's least, that half can push
        out a smaller child the question matches that fitted whole before (the
        SPDX ``packages`` array, shrunk to its key names, pushed out the
        ``relationships`` row naming lodash). So an object's children are also
        chosen without that rule, and the choice that gives the children the
        question matches more room is taken.
        """
        children = list(container.values()) if isinstance(container, dict) else container
        ranking = self._ranking(container)
        marker = self.mark(container, listed)
        choice = choose(
            ranking,
            costs,
            budget,
            marker=marker,
            more_range=_RANGE,
            least=lambda i: self._least(children[i]),
            merge=isinstance(container, dict),
        )
        if not isinstance(container, dict):
            return choice
        choice = self._share_asked(container, costs, budget, choice, marker)
        if not any(choice.keep[i] < costs[i] for i in choice.keep):
            return choice
        whole = choose(ranking, costs, budget, marker=marker, more_range=_RANGE, least=None)
        matched, asked = self._matched(container), ranking.order[: ranking.asked]

        def held(chosen: Choice) -> tuple[int, tuple[bool, ...], float]:
            # how many asked-for children it keeps at all, then the best-ranked of them (the branch
            # to the leaf that matches best over a scalar that shares a word with the question:
            # awscli's ``options`` over ``help_usage`` for "the help of ..."), then the room the
            # matched ones get
            kept = tuple(i in chosen.keep for i in asked)
            return sum(kept), kept, sum(chosen.keep.get(i, 0.0) for i in matched)

        return whole if held(whole) > held(choice) else choice

    def _share_asked(
        self, container: dict[str, Any], costs: list[float], budget: float, choice: Choice, marker: float
    ) -> Choice:
        """``choice``, or one that shrinks the largest asked-for child so every other one fits.

        ``choose`` keeps children whole by rank while they fit, so a larger room
        can let the first asked-for child in whole and push out the next: npm view
        express's ``versions`` (262 strings, named by "which node versions") fitted
        whole from about 2,000 tokens and pushed out ``dependencies``, which held
        the body-parser range kept at 1,700. Capping that child at what the others
        leave (at least its ``_least``) keeps it, shrunk, beside them; taken only
        when it keeps more of the asked-for children."""
        ranking = self._ranking(container)
        asked = ranking.order[: ranking.asked]
        if not asked or all(i in choice.keep for i in asked):
            return choice
        children = list(container.values())
        big = max(asked, key=lambda i: (costs[i], -i))
        room = budget - sum(costs[i] for i in asked if i != big) - (len(asked) + 1) * marker
        if not self._least(children[big]) <= room < costs[big]:
            return choice
        lead = self._leads.get(id(container), asked[0])  # led before the fields went first
        if big == lead and room < choice.keep.get(big, 0.0):
            # never for the branch that leads (the leaves that match best): cut to its least, it
            # shows none of them (npm ls's ``dependencies`` for an ``error`` that shares a word)
            return choice
        capped = list(costs)
        capped[big] = room
        shared = choose(
            ranking, capped, budget, marker=marker, more_range=_RANGE, least=lambda i: self._least(children[i])
        )
        if sum(i in shared.keep for i in asked) > sum(i in choice.keep for i in asked):
            return shared
        return choice


def quoted(value: Any, query: str) -> bool:
    """Whether ``query`` quotes the string ``value`` whole, not as a part of a longer word or path.

    A value that is a word of the language's own (``STOP_WORDS``: a pronoun, an article, a verb
    every question uses) is quoted only where the question marks it (backticks, quotes): "check
    v10_NASM.json for Outputswitch, I need the switch" does not ask about NASM's ``-I`` switch,
    whose ``"switch": "I"`` then stood for the entry meant, and every record holding
    ``Outputswitch`` was dropped from the candidates."""
    if not isinstance(value, str) or not value:
        return False
    found = re.search(r"(?<![\w/.-])" + re.escape(value) + r"(?![\w/-])", query) is not None
    if found and value.lower() in STOP_WORDS:
        return any(value == (match[1] or match[2] or match[3]).strip() for match in _QUOTES.finditer(query))
    return found


def join(path: str, step: str | int) -> str:
    """The path of a container's child ``step`` (a key, or a 0-based index), as markers name it."""
    if isinstance(step, int):
        return f"{path}#{step + 1}"
    return f"{path}.{step}" if path else step


def label(path: str) -> str:
    """What a marker calls the container at ``path``: its last 40 characters, or ``top``."""
    return re.sub(r"[\]\n\r]", "", path)[-40:] or "top"


def _at(data: Any, prefix: tuple[Any, ...]) -> Any:
    for step in prefix:
        data = data[step]
    return data
