"""Which log lines are worth keeping, in order: the log compressor takes them while they fit.

1. the first error line (in a build the cause; later errors often echo it) and
   the program's last step before it: the last line of a run of similar lines
   that ends shortly before the error (``loading settings.json``);
2. the three lines that best match the query (a line that ties an earlier one in score and
   template, the same apart from numbers, after every other matching line);
3. the first line of each error template, then the summary lines;
4. whole blocks (tracebacks, stack traces, failure sections, diagnostics), the
   first of each shape: a block whose lines have the same templates as an
   earlier one's is a repeat;
5. more query matches, context around each distinct error, the first and last
   three lines, the first warning of each template, the other query matches
   and error lines (a template's k-th line at k times its count: rare ones first);
6. the first line of each run and each template, the last line of each long run;
7. the repeated blocks;
8. the rest, from both ends inward (taken until one does not fit).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

from headroom.compressors.log._parse import LogLines
from headroom.compressors.log._query import written_names, written_numbers
from headroom.compressors.log._testrun import failure_cores, section_rest
from headroom.relevance import K1, LITERAL_WEIGHT, B, idf, quoted_scores, sparse_scores, terms

__all__ = ["order"]

_CONTEXT = 2
_LOOKBACK = 8  # how far before an error its program's last step is looked for
_FAILING_SHARE = 0.1  # of the best score, per failure word a matching line holds
_LENGTH_SAMPLE = 200  # lines sampled for BM25's average line length
_FOLDED_SHARE = 0.5  # a copy ranks after the other matching lines scoring at least this share of its score
_NEAR = 2  # lines either side whose question words a line is read with ("what happened to X around Y")
_NEAR_SHARE = 0.5  # of what a word a neighbour holds would add held by the line (at most: of its score)
_FAR = 0.5  # a word held two lines away, against one held next door


def order(log: LogLines, query: str | None, failing: frozenset[str] = frozenset()) -> tuple[list[tuple[int, int]], int]:
    """Ranges of lines, most worth keeping first (see the module docstring), and where the filler starts."""
    lines, levels, templates = log.lines, log.levels, log.templates
    n = len(lines)
    first_of: dict[str, int] = {}
    for index in range(n):
        first_of.setdefault(templates[index], index)
    errors = [i for i in range(n) if levels[i] == "error"]
    distinct_errors = [i for i in errors if first_of[templates[i]] == i]
    warnings = [i for i in range(n) if levels[i] == "warn" and first_of[templates[i]] == i]
    scores = sparse_scores(lines, query, sample=_LENGTH_SAMPLE, common=True)
    for index, bonus in quoted_scores(written_numbers(query), lines).items():  # ``_query.written_numbers``
        scores[index] = scores.get(index, 0.0) + bonus
    asked = set(terms(query or ""))
    held = {index: asked.intersection(terms(lines[index])) for index in scores}
    named = _written_names(query, lines)  # a written name, read as one more word of the question
    for name, (hits, weight) in named.items():
        for index in hits:
            scores[index] = scores.get(index, 0.0) + LITERAL_WEIGHT * weight
            held.setdefault(index, asked.intersection(terms(lines[index]))).add(name)
    scores = _near_named(scores, held, lines, {name: weight for name, (_, weight) in named.items()})
    scores = _failures_first(log, scores, failing)
    relevant = _ties_folded(sorted(scores, key=lambda i: (-scores[i], i)), scores, log, held)
    context = [j for i in distinct_errors for j in (*range(i - _CONTEXT, i + _CONTEXT + 1), _last_step(log, i))]
    edges = [0, 1, 2, n - 3, n - 2, n - 1]
    run_firsts = sorted({*log.run_start, *first_of.values()})
    run_lasts = [  # the last line of a long run, when it is not a copy of the first
        i
        for i in range(n)
        if (i == n - 1 or log.run_start[i + 1] != log.run_start[i])
        and i - log.run_start[i] >= 2
        and templates[i] != templates[log.run_start[i]]
    ]
    first = [errors[0], _last_step(log, errors[0])] if errors else []
    singles = (_cores(log, scores), first, relevant[:3], distinct_errors, log.summaries)
    later = (relevant[:12], context, edges, warnings, relevant, _by_rarity(errors, templates), run_firsts, run_lasts)
    blocks, repeats = _fold(log)
    ranked: list[tuple[int, int]] = []
    seen: set[int] = set()

    def add(group: list[int]) -> None:
        for index in group:
            if 0 <= index < n and index not in seen:
                seen.add(index)
                ranked.append((index, index + 1))

    for group in singles:
        add(group)
    ranked.extend(blocks)
    for group in later:
        add(group)
    ranked.extend(repeats)
    rest = len(ranked)
    add([i for k in range((n + 1) // 2) for i in (k, n - 1 - k)])  # from both ends inward
    return ranked, rest


def _cores(log: LogLines, scores: dict[int, float]) -> list[int]:
    """The core lines of each test-runner failure section (``_testrun``): the section holding the
    question's best match whole first, then the others' names, errors and places, one of each
    section at a time, so a run of many failures keeps every failing test's name before any
    second section's source line."""
    cores = failure_cores(log.lines, log.blocks)
    if not cores:
        return []
    sections = [next(block for block in log.blocks if block[0] <= core[0] < block[1]) for core in cores]
    ranked = sorted(
        (-max(scores.get(j, 0.0) for j in range(*section)), section, core) for section, core in zip(sections, cores)
    )
    (best, section, first), others = ranked[0], [core for _, _, core in ranked[1:]]
    deepest = max(map(len, cores))
    rest = section_rest(log.lines, *section, first)
    interleaved = [core[depth] for depth in range(deepest) for core in others if depth < len(core)]
    # the section the question names keeps its other frames before the other sections' cores
    return first + (rest + interleaved if best < 0 else interleaved + rest)


def _failures_first(log: LogLines, scores: dict[int, float], failing: frozenset[str]) -> dict[int, float]:
    """``scores`` with each line that matches the question raised by ``_FAILING_SHARE`` of the best
    score for each word of ``failing`` it holds (``_query.failure_terms``): the failure asked about
    is told from its like lines by reading as one; a line the question does not match stays out.

    Error lines are left as they are: the error rules rank them already, and raised again they
    pushed out the lines the question names (``error: test failed, to rerun`` over cargo's
    ``left: Some(3.0)`` at 81 tokens)."""
    if not failing or not scores:
        return scores
    step = _FAILING_SHARE * max(scores.values())
    out = dict(scores)
    for index in scores:
        if log.levels[index] == "error":
            continue
        held = len(failing.intersection(terms(log.lines[index])))
        if held:
            out[index] += step * held
    return out


def _written_names(query: str | None, lines: list[str]) -> dict[str, tuple[list[int], float]]:
    """Each name the question writes with separators inside it (``_query.written_names``:
    ``nodesource1_amd64.deb``, ``libssl3:amd64``), with the lines that write it and its weight
    (BM25's idf over the lines): matched as a quoted span is, since its parts are common words
    (``amd64``, ``deb`` on most lines of an apt log) and the part that names it may be glued to a
    version (``20.20.2-1nodesource1_amd64.deb``), where its terms find nothing."""
    patterns = written_names(query)
    if not patterns:
        return {}
    starts = list(accumulate(map(len, lines), initial=0))
    text = "".join(lines)
    out = {}
    for pattern in patterns:
        hits = sorted({bisect_right(starts, found.start()) - 1 for found in pattern.finditer(text)})
        if hits:
            out["\0" + pattern.pattern] = (hits, idf(len(lines), len(hits)))
    return out


def _near_named(
    scores: dict[int, float], held: dict[int, set[str]], lines: list[str], named: dict[str, float] | None = None
) -> dict[int, float]:
    """``scores`` with each matching line raised by ``_NEAR_SHARE`` of the weight (BM25's idf) of
    each question word it lacks that a matching line up to ``_NEAR`` either side holds: a question
    names a line by its own words and by what was logged around it ("What happened to Setting
    around setup in term.log?"), and among 147 ``Setting up …`` lines of apt's term.log the one two
    lines above ``No JRE found. Skipping Java certificates setup.`` is the one asked for. A word
    held nearby counts half of one held: a line holding every word still ranks first. A line that
    matches nothing stays out: a neighbour never makes a line match. A word held only two lines
    away counts half of one held next door (``_FAR``): "Reading around nodesource1_amd64.deb" is
    the ``(Reading database ... 99106 files …)`` line right above ``Preparing to unpack
    …nodesource1_amd64.deb``, not the shorter ``(Reading database ... 100%`` above that, which
    outranked it on its length. ``named`` weighs the names the question writes whole
    (``_written_names``), held as words.

    A word's weight is taken from the lines it stands on as a word in the whole log (counted in C
    over the lower-cased text), not from the matching lines alone: a word on most lines (``status``
    in dpkg.log) stands beside every line and is worth little; counted among the matching lines
    only, it looked rare and raised the ``configure`` lines beside ``status`` lines over the
    ``status`` lines asked for. And a line gets at most that share of its best such neighbour's
    own score: BM25 weighs a long line's words less, and apt's history.log ``Upgrade:`` line
    outranked the 3,000-token ``Install:`` line beside it that holds the words asked about. A
    word is weighed as BM25 weighs it on this line (its idf, divided by the line's length against
    the average): a long ``Install:`` line beside a ``Commandline:`` that names the package asked
    for gained the short line's weight and outranked the ``Install:`` line holding both words."""
    wanted = set().union(*held.values())
    if len(wanted) < 2:  # one word: no line lacks what its neighbours hold
        return scores
    text = "".join(lines).lower()
    n = len(lines)
    weight = dict(named or {})
    for term in sorted(wanted - weight.keys()):
        found = min(n, len(re.findall(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", text)))
        weight[term] = idf(n, found)
    sampled = lines[:: max(1, n // _LENGTH_SAMPLE)]
    average = sum(len(terms(line)) for line in sampled) / len(sampled) or 1.0
    out = dict(scores)
    for index, own in held.items():
        share: dict[str, float] = {}  # each word a neighbour holds and this line lacks: 1 next door, _FAR two away
        best = 0.0  # the best score of a neighbour holding a word this line lacks
        for other in range(index - _NEAR, index + _NEAR + 1):
            if other != index and other in held and not held[other] <= own:
                factor = 1.0 if abs(other - index) == 1 else _FAR
                for term in held[other] - own:
                    share[term] = max(share.get(term, 0.0), factor)
                best = max(best, scores[other])
        if share:
            # what the words would add held once by this line, its length weighed as BM25 weighs it
            norm = K1 * (1 - B + B * len(terms(lines[index])) / average)
            held_here = sum(weight[term] * share[term] for term in sorted(share)) * (K1 + 1) / (1 + norm)
            out[index] += _NEAR_SHARE * min(best, held_here)
    return out


def _ties_folded(
    ranked: list[int], scores: dict[int, float], log: LogLines, held: dict[int, set[str]] | None = None
) -> list[int]:
    """``ranked`` with each line that ties an earlier one in score and template moved back: lines
    the same apart from their numbers, times, versions and paths tell the question much the same
    thing, and ten copies of ``debconf: unable to initialize frontend: Readline`` (or of one
    trigger's run) pushed the distinct line asked for out of a tight room. The first copy keeps its
    place. A copy word for word follows every other matching line: it says nothing the first did
    not. A copy that differs in its values (a time, a count, a version) follows the other lines
    scoring at least ``_FOLDED_SHARE`` of its score and comes before the weaker matches: it answers
    when, or how much. A package unpacked twice in one dpkg.log window is asked about by both its
    words, and its second ``status unpacked libapparmor1:amd64`` line (logged at the time asked
    for) went after every ``status unpacked`` line of the other packages, which hold one of them."""
    templates, lines = log.templates, log.lines
    seen: set[tuple[float, str]] = set()
    said: set[str] = set()
    firsts: list[int] = []
    copies: list[int] = []  # word for word
    repeats: list[int] = []  # the same template, other values
    for index in ranked:
        key = (scores[index], templates[index])
        text = lines[index].strip()
        (copies if text in said else repeats if key in seen else firsts).append(index)
        seen.add(key)
        said.add(text)
    out: list[int] = []
    waiting = repeats[::-1]  # in ``ranked`` order, best first: the last is the next due
    held = held or {}

    def weaker(
        index: int, copy: int
    ) -> bool:  # ``index`` holds fewer of the question's words and scores less, or far less
        if scores[index] < _FOLDED_SHARE * scores[copy]:
            return True
        return len(held.get(index, ())) < len(held.get(copy, ())) and scores[index] < scores[copy]

    for index in firsts:
        while waiting and weaker(index, waiting[-1]):
            out.append(waiting.pop())
        out.append(index)
    return out + waiting[::-1] + copies


def _by_rarity(indexes: list[int], templates: list[str]) -> list[int]:
    """``indexes`` with each template's k-th line ranked at k times the template's count: the
    first line of every template first, and a template's repeats in step with how rare it is, so
    240 copies of one error fold into a count while all 30 lines of a rarer one are kept."""
    total: dict[str, int] = {}
    for i in indexes:
        total[templates[i]] = total.get(templates[i], 0) + 1
    seen: dict[str, int] = {}
    keys = []
    for i in indexes:
        k = seen.get(templates[i], 0)
        seen[templates[i]] = k + 1
        keys.append((k * total[templates[i]], i))
    return [i for _, i in sorted(keys)]


def _fold(log: LogLines) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The blocks (tracebacks, failure sections) with the first of each kind apart from its repeats:
    a block with the same templates as one before it ranks after every distinct line of rank, so
    225 identical tracebacks fold into their marks' counts and the distinct errors get the room."""
    firsts: list[tuple[int, int]] = []
    repeats: list[tuple[int, int]] = []
    seen: set[tuple[str, ...]] = set()
    for start, end in log.blocks:
        shape = tuple(log.templates[start:end])
        (repeats if shape in seen else firsts).append((start, end))
        seen.add(shape)
    return firsts, repeats


def _last_step(log: LogLines, error: int) -> int:
    """The last line of a run of similar lines that ends shortly before ``error`` (``loading x.json``,
    ``compiling y.c``): what the program was doing when it failed. -1 when there is none."""
    for j in range(error - 1, max(-1, error - _LOOKBACK), -1):
        if j - log.run_start[j] >= 2:
            return j
    return -1
