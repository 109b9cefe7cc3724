"""Which search result lines are worth keeping, in order: the search compressor takes them while they fit.

The order (the compressor's docstring says it as policy): the lines of the files the query names,
the twelve lines that best fit the query with the lines next to the top three, the best match of
every file, the context around those, then each file's second best match, third best and so on,
the other query matches, then the rest in order. ``priority`` returns it with how many of its
first lines the query ranks. A line the question asks for by its number (``line 282``) comes
before all of them.
"""

from __future__ import annotations

import re
from collections import Counter

from headroom.compressors.search._parse import NUMBERED, Hit
from headroom.relevance import BM25, idf, quoted_scores, terms, word_forms

__all__ = ["CONTEXT", "PATH_IN_QUERY", "priority"]

CONTEXT = 2
_NEAR_TOP = 3  # best matches whose neighbours rank right after them
_GROUP = 12  # lines: a longer group keeps only the context next to the line
_NAMED_LINES = 40  # lines of the files a query names, kept first, in their order
_PATH_WEIGHT = 0.5  # a query word in a line's path counts half a word in its text
# a directory the question writes as one ("under libexec/", not a path inside a longer one)
_DIRECTORY = re.compile(r"(?<![\w.@+/-])([\w.@+-]+)/(?![\w.@+-])")
_WHOLE_WEIGHT = 0.1  # a query word a line writes whole, on top of its count in the line's terms
_RUN = re.compile(r"[a-z0-9_]+")  # a word written whole in a lowercased line
# A path (``a/b``) or a file name (``x.py``) named in the query. Each branch is tried only where a
# run of its characters starts (the lookbehinds), or, for a file name, right after the previous
# file name ended: inside a run the result is the run's anyway, and trying every position of a
# 20,000-character token took seconds (quadratic). What it finds is unchanged (tests/test_linear_regexes.py).
PATH_IN_QUERY = re.compile(
    r"(?<![\w.@+-])[\w.@+-]*(?:/[\w.@+-]+)+"
    r"|(?:(?<![\w@+-])|(?<=\.[A-Za-z])|(?<=\.[A-Za-z][A-Za-z0-9])|(?<=\.[A-Za-z][A-Za-z0-9]{2})"
    r"|(?<=\.[A-Za-z][A-Za-z0-9]{3})|(?<=\.[A-Za-z][A-Za-z0-9]{4}))"
    r"[\w@+-]+\.[A-Za-z][A-Za-z0-9]{0,4}\b"
)


# a line that defines a name, across languages: the vocabulary of definitions, or an assignment at
# the start of its line
_DEFINITION = re.compile(
    r"\s*(?:(?:export|public|private|protected|internal|static|async|pub|default|abstract|final|extern|inline)\s+)*"
    r"(?:def|class|function|func|fn|sub|struct|interface|enum|trait|type|const|let|var|macro|module|#define)"
    r"\s+\*?(?P<name>[\w$]+)"
    r"|(?P<const>[A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)"  # unindented: a module's name, not a local
)


# a question that asks for a definition
_DEFINE = re.compile(r"\b(?:defin(?:e[sd]?|ing|itions?)|declar(?:e[sd]?|ations?))\b", re.I)

# a question about what the asked name does ("how does it handle X", "what does parse return", "why
# does it fail"): answered by its body, so by where it is defined, unless it asks where it is used
_ACTS = re.compile(r"\b(?:how|what|why|when)\s+(?:does|do|did)\b", re.I)

# a line number the question asks for: ``line 282``, ``lines 40``, ``__main__.py:282``, ``#L282``
_LINE_ASKED = re.compile(r"(?:\blines?\s+|#L|(?<=\w):)(\d+)\b", re.I)

# the results' own units named as what is asked for ("which file calls", "the place where", "what
# lines"): the answer's form, not a word of a line or a path. "the file" is left alone: it is as
# often the file a line reads ("where is the file opened") as the result asked for
_UNIT_ASKED = re.compile(
    r"\b(?:(?:which|what|each|every|any)\s+(files?|places?|lines?)|the\s+(places?|lines?))\b", re.I
)


def _words(alternatives: str) -> re.Pattern[str]:
    """The words ``alternatives`` names, as words of their own: not a part of a name the question
    quotes (``vd.call``, ``use_cache``)."""
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?!\w|\.\w)", re.I)


# The words of relation are the language's, not one template's: verbs of use, whose object is the
# name asked for ("calls X", "passes Y to X", "uses of X", "where is X referenced"), and words of
# standing together ("X meets Y", "X and Y appear together", "show up on one line", "alongside")
_USING = (
    r"call(?:s|ed|ing|ers?)?|use[sd]?|using|usages?|referenc\w*|refer(?:s|red|ring)?|invok\w*"
    r"|pass(?:es|ed|ing)?|hand(?:s|ed|ing)?|feed(?:s|ing)?|fed|employ(?:s|ed|ing)?|consum(?:es?|ed|ing)"
    r"|appl(?:y|ies|ied|ying)"
)
_BESIDE = (
    r"meets?|meeting|met|together|alongside|besides?|combin(?:e[sd]?|ing)|appear(?:s|ed|ing)?"
    r"|occur(?:s|red|ring)?|co-?occur\w*|coincid\w*|paired|(?:show|turn)(?:s|ed|ing|n)?\s+up"
    r"|next\s+to|along\s+with|side\s+by\s+side|(?:on|in|at)\s+(?:one|the\s+same|a\s+single|a)\s+(?:lines?|places?|spots?)"
)
# a question about where a name is used rather than defined
_USE = _words(_USING + r"|import(?:s|ed)?")
# a question about a name beside other words ("where X meets Y", "X together with Y"): about a place
# where they stand together, not about where X is defined
_TOGETHER = _words(_BESIDE)
# the words that say how the asked name relates to the lines (``calls``, ``used``, ``meets``), not a
# word of them: ``calls`` ranked ``# Must never be called inside _configure_context()`` and
# ``raise ValueError("... must be called before compile()")`` over the lines holding the question's
# own word. ``import`` stays: ``from a import X`` is what "where is X imported" asks for
_RELATION = _words(_USING + "|" + _BESIDE)
_OF_USE = re.compile(_USING, re.I)
# what comes right before a word that is the question's object, not its verb: "with call", "X, calls
# and Y", "meets define and custom"
_OBJECT_AFTER = re.compile(r"(?:\b(?:with|and|or)|,)\s*$", re.I)


def priority(
    hits: list[Hit], query: str | None, lines: list[str] | None = None
) -> tuple[list[int], int, int, list[int]]:
    """Line indexes, most worth keeping first (see the module docstring), how many of them the
    query ranks, how many with each file's best match after those, and for each of the places the
    query ranks, where its run of equally ranked lines ends (``_tied``). With ``lines`` (the
    results' text), a line whose own number the question asks for comes first."""
    n = len(hits)
    scores = _scores(hits, query) if query else [0.0] * n
    # a match that defines a name the query holds (``class _ASN1Type(``, ``def load(``, ``MAX = 3``)
    # gains half the best score: where a searched name is defined is what a search for it is after,
    # unless a line holds more of the question or the question asks where it is used (calls, imports)
    # and not for the definition too ("find the definition of X; how does it use Y" asks for both)
    defining = _asks_definition(query or "")
    about_use = not defining and bool(_relations(hits, query or "", _USE) or _relations(hits, query or "", _TOGETHER))
    asked = set() if about_use else set(terms(query or ""))
    # a question that asks where a name is defined ("where is X defined") is answered by the
    # definition itself: it gains the whole best score, so a line of more question words (``name =
    # self.X(name.lower())`` for "what does it do with names") does not come before it
    bonus = max(scores, default=0.0) / (1 if defining or asked and _ACTS.search(query or "") else 2)
    if asked:  # without query words no line gains (a definition's name is read only then)
        scores = [s + bonus if hit.match and _defined(hit) in asked else s for s, hit in zip(scores, hits)]
    numbers = set(_LINE_ASKED.findall(query or "")) if lines is not None else set()
    if numbers and lines is not None:
        scores = _numbered(hits, lines, scores, numbers, query or "")
    relevant, levels = _spread(hits, scores, [i for i in range(n) if scores[i] > 0 and hits[i].file is not None])
    ranked: dict[str, list[int]] = {}  # each file's matches, best first
    matches = [i for i in range(n) if hits[i].match]
    # without a score the order is the lines' own: no sort key built per line
    for i in sorted(matches, key=lambda i: (-scores[i], i)) if any(scores) else matches:
        ranked.setdefault(hits[i].file or "", []).append(i)
    files = list(ranked)  # files with the best matches first
    rounds: list[list[int]] = []  # each file's best match, then each file's second, ...
    for f in files:  # once over the matches (per round over every file was rounds x files)
        for r, i in enumerate(ranked[f]):
            if r == len(rounds):
                rounds.append([])
            rounds[r].append(i)
    best = rounds[0] if rounds else []
    context = [j for i in (*relevant[:12], *best) for j in _group(hits, i)]
    named = _named_files(query or "", ranked)
    # a named file's lines best first (its matches for the question, then the rest in order): in
    # order, a file of 40 matches filled the room with its head and never reached the definition
    in_named = (
        sorted((i for i in range(n) if hits[i].file in named), key=lambda i: (-scores[i], i))[:_NAMED_LINES]
        if named
        else []
    )
    # the best matches each with the lines next to it, so a far tie does not push out the line
    # under the best match; the top three only, then the rest of the twelve
    top = [j for i in relevant[:_NEAR_TOP] for j in (i, *_near(hits, scores, i))]
    ordered: dict[int, None] = {}
    for first in (in_named, top, relevant[:12]):
        ordered.update(dict.fromkeys(i for i in first if i not in ordered))
    by_query = len(ordered)
    ordered.update(dict.fromkeys(i for i in best if i not in ordered))
    by_file = len(ordered)
    for then in (context, *rounds[1:], relevant, range(n)):
        # a key already there keeps its place, so the new ones follow in order: no test per line
        ordered.update(dict.fromkeys(then))
    order = list(ordered)
    return order, by_query, by_file, _tied(order[:by_query], levels)


def _tied(ranked: list[int], levels: dict[int, tuple[float, int]]) -> list[int]:
    """For each place of ``ranked``, where the run of lines it belongs to ends: lines side by side
    in the order that the ranking holds equal (the same score, the same round of ``_spread``, so
    each file's first still comes before any file's second). Which of them comes first is the
    order of the results, not the question's: ``_choose`` takes them cheapest first, so the room
    holds as many as it can (``Resolver.__init__(self)`` in fourteen places)."""
    ends = list(range(1, len(ranked) + 1))
    for place in range(len(ranked) - 2, -1, -1):
        level = levels.get(ranked[place])
        if level is not None and level == levels.get(ranked[place + 1]):
            ends[place] = ends[place + 1]
    return ends


def _numbered(hits: list[Hit], lines: list[str], scores: list[float], numbers: set[str], query: str) -> list[float]:
    """``scores`` with the lines the question asks for by number (``line 282``, ``main.py:282``)
    above every other: a line number is the most exact thing a question can say of a result, and
    BM25 never sees it (it is not in a line's words). Where the question names files, only their
    lines answer; a number no result line carries changes nothing."""
    named = _named_files(query, {hit.file: [] for hit in hits if hit.file is not None})
    top = max(scores, default=0.0) + 1.0
    out = list(scores)
    for i, hit in enumerate(hits):
        if hit.file is not None and (not named or hit.file in named):
            found = NUMBERED.match(lines[i])
            if found is not None and found["path"] == hit.file and found["line"] in numbers:
                out[i] = top + scores[i]
    return out


def _scores(hits: list[Hit], query: str) -> list[float]:
    """BM25 of each line's text, plus half the BM25 of its path: a query word the path holds
    (``__init__`` in ``pkg/__init__.py``) is weaker evidence than the same word in the line, which
    is what a search is asked about; a file the question names still ranks its lines first.

    A query word in the path of most lines is where the search ran (``in sniffio``, the package
    searched): it is left out of the text's query, where one import of the package would
    otherwise outrank every use of the name. A query word in the text of most lines is the name
    searched for: it is left out of the path's query, where ``__init__`` would rank every line of
    ``pkg/__init__.py`` over the ``def __init__`` lines of the other files. A word of the place
    the question says twice is asked for in the line too (``from dateutil import easter`` for
    "where in dateutil is easter used together with dateutil")."""
    asked_for = query
    for start, end in reversed(_relations(hits, query, _RELATION)):
        asked_for = asked_for[:start] + " " + asked_for[end:]
    root = _roots(asked_for)
    texts, paths = [], []
    for hit in hits:  # ``words`` is the path, a space and the text (a path may hold spaces in rg --json)
        path = hit.file or ""
        texts.append(hit.words[len(path) + 1 :] if path else hit.words)
        paths.append(path.replace("/", " "))
    text_terms = [terms(text) for text in texts]
    _apart(root, query, [found for found, hit in zip(text_terms, hits) if hit.match])
    wanted = set(root.values()) - _units(query)
    forms = set(root) - wanted
    text_terms = [_rooted(found, forms, root) for found in text_terms]
    in_texts = Counter(term for found in text_terms for term in wanted.intersection(found))
    # a path's terms are read once per file, not once per line (thousands of lines share a few paths)
    path_terms = {path: _rooted(terms(path), forms, root) for path in dict.fromkeys(paths)}
    in_paths: Counter[str] = Counter()
    for path, count in Counter(paths).items():
        for term in wanted.intersection(path_terms[path]):
            in_paths[term] += count
    # a word the question says twice ("where in dateutil is easter used together with dateutil")
    # names the place once and asks for it in the line once more: it stays in the text's query (a
    # path the query holds, the next call's ``cat dateutil/rrule.py``, says no word of the question)
    twice = {term for term, count in Counter(terms(PATH_IN_QUERY.sub(" ", query))).items() if count > 1}
    scope = {term for term, count in in_paths.items() if count > len(hits) / 2 and term not in twice}
    scope &= _placed(query, scope)
    searched = {term for term, count in in_texts.items() if count > len(hits) / 2}
    # the place's word forms go too: ``attrs`` (a form of ``attr``, the package searched) ranked
    # ``*attrs* will generate a ``__hash__``` over the ``__hash__`` line holding the word asked with it
    place = word_forms(scope) if scope else scope
    in_text = BM25(texts, tokenized=lambda: text_terms).scores(" ".join(sorted(_without(wanted - place, scope))))
    in_path = BM25(paths, tokenized=lambda: [path_terms[path] for path in paths]).scores(
        " ".join(sorted(wanted - searched - place))
    )
    # the question's literals, as the shared ranking reads them: a quoted span, an option, a word
    # written capitalised mid-sentence where some line writes it otherwise ("with Raises?" among
    # ``:raises InvalidTag:`` and ``Raises :class:`InvalidTag```); the next call's arguments the
    # core appends (JSON, its keys quoted) are not the asker's quotes
    asked = "\n".join(line for line in query.split("\n") if not line.lstrip().startswith(("{", "[")))
    literal = quoted_scores(asked, texts)
    said = {root.get(found[0], found[0]) for found in map(terms, asked_for.split()) if found}
    whole = _whole_words(texts, said & wanted - place - scope, root)
    scores = [
        t + _PATH_WEIGHT * p + literal.get(i, 0.0) + _WHOLE_WEIGHT * w
        for i, (t, p, w) in enumerate(zip(in_text, in_path, whole))
    ]
    return _inside(scores, paths, path_terms, query, wanted - searched - place)


def _inside(
    scores: list[float], paths: list[str], path_terms: dict[str, list[str]], query: str, wanted: set[str]
) -> list[float]:
    """``scores`` with the lines under a directory the question writes as one ranked before every
    line outside it, in their own order: "Which commands under libexec/ use PYENV_VERSION?" asks to
    look there, and ``COMMANDS.md``'s and the man page's lines saying "command" took the room from
    every ``libexec/`` file once ``command`` became one term with ``commands``. A directory most
    lines are under is the place searched (left out of ``wanted``) and changes nothing."""
    named = {term for found in _DIRECTORY.findall(query) for term in terms(found)} & wanted
    if not named or not scores:
        return scores
    lift = max(scores) - min(scores) + 1.0
    return [s + lift if named.intersection(path_terms[path]) else s for s, path in zip(scores, paths)]


def _whole_words(texts: list[str], wanted: set[str], root: dict[str, str]) -> list[float]:
    """For each line, the IDF of the question's words it writes whole (runs of letters, digits and
    ``_``): ``verbose=0`` holds the question's ``verbose`` as it asks for it, where
    ``compiler_verbose=0`` holds it inside another name, and the two tied (``grep -rnw compile
    cffi/``: "Which file in cffi calls compile with verbose?"). Only the words the question writes
    whole: ``init`` is no word of a question asking for ``__init__``. A small weight: it orders
    lines that hold the same words."""
    wanted = {term for term in wanted if _RUN.fullmatch(term)}
    if not wanted:
        return [0.0] * len(texts)
    spelled = {form for form, term in root.items() if term in wanted} | wanted  # each term's forms, then itself
    held = [{root.get(word, word) for word in spelled.intersection(_RUN.findall(text.lower()))} for text in texts]
    weight = {term: idf(len(texts), count) for term, count in Counter(t for found in held for t in found).items()}
    return [sum(weight[term] for term in found) for found in held]


def _relations(hits: list[Hit], query: str, vocabulary: re.Pattern[str]) -> list[tuple[int, int]]:
    """Where the question's words of use and of standing together (``calls``, ``passes``, ``meets``,
    ``appear together``) say how the asked name relates to the lines: their spans in ``query``. Not
    a word that is the question's object: after ``with``, ``and``, ``or`` or a comma ("used together
    with call", "meets intentionally and uses"), or a word of use right after another word of
    relation ("passes calls to write", "meets calls and"); nor one most lines hold in their text or
    path: the name searched (``grep -rnw invoke``) or the place (the package ``referencing``)."""
    verbs = {found.end() for found in _RELATION.finditer(query)}
    found = []
    for word in vocabulary.finditer(query):
        before = query[: word.start()]
        object_of_verb = _OF_USE.fullmatch(word[0]) and len(before.rstrip()) in verbs and before[-1:].isspace()
        if not (_OBJECT_AFTER.search(before) or object_of_verb):
            found.append(word)
    if not found:
        return []
    lowered = {word[0].lower() for word in found}
    held: Counter[str] = Counter()
    for hit in hits:  # a line's terms are read only where it holds one of the words at all (few do)
        text = hit.words.lower()
        if any(word in text for word in lowered):
            held.update(lowered.intersection(terms(hit.words)))
    return [word.span() for word in found if held[word[0].lower()] <= len(hits) / 2]


def _asks_definition(query: str) -> bool:
    """Whether the question asks where a name is defined ("where is X defined", "find the definition
    of X"): a word of definition that is not the question's object ("meets define and custom", "X,
    defined and overridden show up", "used together with defining")."""
    verbs = {found.end() for found in _RELATION.finditer(query)}
    return any(
        not _OBJECT_AFTER.search(query[: found.start()]) and len(query[: found.start()].rstrip()) not in verbs
        for found in _DEFINE.finditer(query)
    )


def _roots(query: str) -> dict[str, str]:
    """The query's terms and their word forms, each mapped to the term of the question it is a form
    of (the term itself first): a line's ``nodes`` counts as the question's ``node``, so the two
    share one frequency. Scored apart, the rarer form outweighed the word as asked: ``nodes, you
    would defined the methods ``enter_field()``` ranked over every ``def enter_field(self, node:
    FieldNode)``, and ``clauses`` (a form of a part of ``TriggerClause``) over the line holding the
    question's ``convert``."""
    own = sorted(set(terms(query)))
    root = {term: term for term in own}
    for term in own:
        for form in sorted(word_forms({term})):
            root.setdefault(form, term)
    return root


def _apart(root: dict[str, str], query: str, matches: list[list[str]]) -> None:
    """Leaves apart from the name searched its word forms: a word the question writes whole that
    every match holds is the name ``grep -w`` matched, so a line's other form of it (``line`` beside
    ``lines``) is a word of that line, not the name (``def lines(self) -> List[Line]`` lost its rank
    to the docstrings saying "lines" once the two were one term). ``matches``: the terms of the
    match lines."""
    whole = {found[0] for found in map(terms, query.split()) if found}
    held = Counter(term for found in matches for term in whole.intersection(found))
    for name in (term for term, count in held.items() if count == len(matches) and root.get(term) == term):
        for form, of in list(root.items()):
            if of == name and form != name:
                del root[form]


def _rooted(found: list[str], forms: set[str], root: dict[str, str]) -> list[str]:
    """``found`` with each word form of a query term written as that term (a set test in C first:
    most lines hold none)."""
    return found if forms.isdisjoint(found) else [root.get(term, term) for term in found]


def _units(query: str) -> set[str]:
    """The words by which the question names the results' units as the thing asked for ("Which
    file in werkzeug calls ...", "Find the place in ... where"), with their word forms: ``file``
    ranked ``werkzeug/datastructures/file_storage.py`` and ``# __init__.py files may already try to
    import the file that`` over the lines that hold the question's own words. Said a second time
    ("which file reads the config file"), the word is asked for in the lines too."""
    said = Counter(terms(PATH_IN_QUERY.sub(" ", query)))
    found = {word.lower() for pair in _UNIT_ASKED.findall(query) for word in pair if word}
    return word_forms({word for word in found if said[word] < 2})


def _placed(query: str, scope: set[str]) -> set[str]:
    """The terms of ``scope`` (query terms in the path of most lines) that the question says as a
    place: the terms and word forms of its whole words that are themselves in most paths (``in
    sniffio``, ``in aws_xray_sdk`` with its parts). A part of a longer name is not a place:
    ``command`` in ``self.run_command`` is the name asked for, though ``numpy/distutils/command/``
    holds most results, and leaving it out of the text's query ranked ``# Run install_clib again,
    ... sub-commands`` over ``self.run_command('install_clib')``."""
    if not scope:
        return scope
    placed: set[str] = set()
    for word in query.split():
        found = terms(word)
        if found and found[0] in scope:
            placed.update(found)
    return word_forms(placed)


def _without(wanted: set[str], scope: set[str]) -> set[str]:
    """``wanted`` as a query that does not bring back a ``scope`` word: BM25 reads a compound of the
    query with its parts (``aws_xray_sdks``, a word form of the package searched, gave back ``xray``,
    which ranked ``import patch, xray_recorder`` first), so a compound holding a scope word is
    replaced by its parts that hold none."""
    if not scope:
        return wanted
    out: set[str] = set()
    for term in wanted:
        parts = terms(term)
        if scope.isdisjoint(parts):
            out.add(term)
        else:
            out.update(part for part in parts[1:] if scope.isdisjoint(terms(part)))
    return out


def _spread(hits: list[Hit], scores: list[float], indexes: list[int]) -> tuple[list[int], dict[int, tuple[float, int]]]:
    """``indexes`` best first; among lines of equal score, each file's first before any file's
    second (then in order): equal matches are alike to the ranking, and a question about where a
    name is used is answered by the files it is used in, not by one file's every use. With each
    line's level: its score and its round (0 for its file's first line of that score)."""
    nth: dict[tuple[float, str | None], int] = {}
    keys = {}
    for i in sorted(indexes, key=lambda i: (-scores[i], i)):
        tie = (round(scores[i], 9), hits[i].file)
        keys[i] = (-round(scores[i], 9), nth.get(tie, 0), i)
        nth[tie] = nth.get(tie, 0) + 1
    return sorted(indexes, key=keys.__getitem__), {i: key[:2] for i, key in keys.items()}


def _defined(hit: Hit) -> str:
    """The name a result line defines (lower case), or "" when it defines none."""
    text = hit.words.split(" ", 1)[1] if hit.file is not None and " " in hit.words else ""
    found = _DEFINITION.match(text)
    return (found["name"] or found["const"]).lower() if found else ""


def _named_files(query: str, files: dict[str, list[int]]) -> set[str]:
    """The result files the query names by path (``attr/_make.py``) or by file name (``_make.py``)."""
    named: set[str] = set()
    for token in PATH_IN_QUERY.findall(query):
        token = token.strip("./")
        named.update(f for f in files if f == token or f.endswith("/" + token) or f.lstrip("./") == token)
    return named


def _group(hits: list[Hit], index: int) -> range:
    """The lines around ``index`` that belong with it: its group in ``grep -C`` output (the lines of
    the same file between ``--`` separators), at most ``CONTEXT`` lines each side when it is long."""
    start = end = index
    while start > 0 and hits[start - 1].file == hits[index].file is not None and index - start < CONTEXT * 3:
        start -= 1
    while end + 1 < len(hits) and hits[end + 1].file == hits[index].file is not None and end - index < CONTEXT * 3:
        end += 1
    if end - start > _GROUP:
        start, end = max(start, index - CONTEXT), min(end, index + CONTEXT)
    return range(start, end + 1)


def _query_terms(query: str) -> str:
    """The query's terms and their word forms. A term on most lines (the searched name itself) is
    kept: BM25's IDF already weighs it little, and it still tells a match from the context lines
    and the other results around it."""
    return " ".join(sorted(word_forms(set(terms(query)))))


def _near(hits: list[Hit], scores: list[float], index: int) -> list[int]:
    """The lines of the same file at most ``CONTEXT`` away that belong with it: matches first,
    then those the query ranks, then the nearest, the one below before the one above (a ``raise``
    or ``return`` under a definition answers more often than what precedes it).

    Context belongs with its match and a match with the context around it, but two matches side by
    side are two results: the next one ranks by its own score, so in ``grep -n`` output (all
    matches) a neighbour does not push out an equal match of another file."""
    match = hits[index].match
    found = [
        (not hits[j].match, -scores[j], distance, side, j)
        for distance in range(1, CONTEXT + 1)
        for side, j in enumerate((index + distance, index - distance))
        if 0 <= j < len(hits) and hits[j].file == hits[index].file is not None and not (match and hits[j].match)
    ]
    return [j for *_, j in sorted(found)]
