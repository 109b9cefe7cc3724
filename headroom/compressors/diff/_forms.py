"""A kept hunk's shorter forms: far context trimmed, or only the lines the question asks about.

Either form is a set of contiguous stretches of the hunk's body, each written
under its own ``@@`` line with the counts and start lines of that stretch: any
contiguous stretch of a hunk is a hunk of the same pre-image (its old lines are
consecutive in the old file, its new lines in the new one), so the result still
applies with ``git apply`` and ``patch``, with fewer of its changes.

- ``trim``: every change kept, context farther than ``context`` lines from a
  change cut, where the cut saves more than the marker and header it costs.
- ``focus``: only the changed lines the question's terms rank highest in the
  hunk (at least half the best score, or the best alone), with ``context``
  lines each side; what lies between becomes a marker.
  A long all-added hunk holding the asked-for function shrinks to that function's
  lines instead of being kept whole or dropped (issue 12).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import compress

from headroom.compressors.diff._parse import Hunk, hunk_header, is_context
from headroom.relevance import terms

__all__ = ["ASKING", "Form", "counterparts", "focus", "plain", "runs", "scoped", "trim", "with_lines"]

# a line that opens a definition, across languages (the vocabulary, not a parser)
_DEFINITION = re.compile(
    r"\s*(?:(?:export|public|private|protected|internal|static|async|pub|default|abstract|final)\s+)*"
    r"(?:def|class|function|func|fn|sub|struct|interface|impl|module|trait|enum|object|proc)\b\s*(\w*)"
)

# a question that asks for a definition: the vocabulary of "which function / class was added"
_ASKS_DEFINITION = re.compile(
    r"\b(?:functions?|methods?|class(?:es)?|helpers?|constructors?|structs?|interfaces?|traits?|"
    r"enums?|procedures?|routines?|decorators?|definitions?|defined|defines?)\b",
    re.I,
)

# the words a question about a diff asks with, not what it asks about: no line holds the answer by them
# ("what changed in ... especially around ...", "which commit touched ...", "how was X modified",
# "what's different near X", "when was X introduced"): the verbs and nouns of change in their forms,
# the nouns of a history and the adverbs of place a question narrows with
ASKING = frozenset(
    "change changed changes changing happen happened happens touch touched touches modify modified modifies "
    "modifying modification alter altered alters differ differs different difference differences introduce "
    "introduced introduces commit commits history diff patch especially around version release".split()
)

# the smallest form keeps the lines that tie with the best, at most this many: equal scores mean the
# question cannot tell them apart (one line at two indents, the old and new side of a re-indented
# line, two entries of a table that share the asked-for words), and a room of 60 tokens that kept
# one of them kept the other half the time
_TIES = 3
# a block of unequal sides is aligned by words up to this many (removed x added) line pairs
_ALIGNED = 400
_WORD = re.compile(r"\w+")

# a word as written: an identifier, or a dotted or path-like compound (``self.data``, ``Lib/fnmatch.py``)
_WRITTEN = re.compile(r"[A-Za-z0-9_]+(?:(?:\.|::|/)[A-Za-z0-9_]+)*")


def _written(text: str) -> set[str]:
    return {word.lower() for word in _WRITTEN.findall(text)}


_IDENTIFIER = re.compile(r"[A-Za-z0-9_]+")
_TRUE_RUN = re.compile(rb"\x01+")  # a run of True in flags written as bytes (``runs``)

# one kept hunk's form: None = verbatim, else its kept stretches (first line, end, new @@ line)
Form = tuple[tuple[int, int, str], ...] | None


def trim(lines: list[str], hunk: Hunk, costs: list[int], context: int, cut_cost: int, header_cost: int) -> Form:
    """The hunk with far context cut out, split where a cut falls inside it; None if no cut pays for its marker."""
    body = range(hunk.start + 1, hunk.end)
    kinds = [lines[i][:1] for i in body]
    if "+" not in kinds and "-" not in kinds:
        return None
    keep = _around(kinds, [kind in ("+", "-") for kind in kinds], context)
    for first, end in runs([not k for k in keep]):
        saving = sum(costs[body[j]] for j in range(first, end))
        inner = first > 0 and end < len(kinds)
        if saving <= cut_cost + (header_cost if inner else 0):
            keep[first:end] = [True] * (end - first)
    if all(keep):
        return None
    return _stretches(hunk, body, kinds, keep)


def focus(
    lines: list[str],
    hunk: Hunk,
    scores: Sequence[float],
    context: int,
    share: float,
    *,
    applies: bool = True,
    pair: bool = True,
    top: int = 0,
) -> Form:
    """The changed lines of the hunk that score highest for the query (at least ``share`` of the
    best score), with ``context`` lines each side; None when no changed line scores.

    ``applies=False`` gives the bare form: the stretches are not widened to reach context lines,
    so a block of changes is cut to its matching lines. Each stretch keeps a correct ``@@`` line,
    but the text applies only with ``--unidiff-zero``; the compressor offers it only once file
    headers have gone to marks (the text no longer applies as a patch anyway). It keeps each best
    line's counterpart on the other side of the change; ``pair=False`` keeps one line, the best.
    ``top=k`` (bare forms) also keeps the ``k`` changed lines that score best, each with its
    counterpart: the ladder a hunk grows on one line at a time between its best line and its
    matching lines with context (a 64-token room held the best line of ``runcall`` and 21 tokens
    unused, where the second best line, the one asked about, took 18).
    """
    if not any(scores[hunk.start + 1 : hunk.end]):  # no line the question matches (scores are >= 0)
        return None
    body = range(hunk.start + 1, hunk.end)
    kinds = [lines[i][:1] for i in body]
    # the changed lines the question matches (a few of a long hunk), picked in C: every threshold
    # below is above 0 and the scores are >= 0, so the other lines never count
    changed = [j for j in compress(range(len(body)), scores[hunk.start + 1 : hunk.end]) if kinds[j] in ("+", "-")]
    best = max((scores[body[j]] for j in changed), default=0.0)
    if best <= 0:
        return None
    wanted = [False] * len(kinds)
    for j in changed:
        wanted[j] = scores[body[j]] >= best * share
    if not pair:  # the smallest form: the best line, and the lines that tie with it (up to _TIES)
        # the old side of a change tied with its own new side is the same answer, older
        older = {
            removed
            for removed, added in counterparts(kinds, lines, body.start)
            if scores[body[added]] >= scores[body[removed]]
        }
        tops = sorted((j for j in changed if j not in older), key=lambda j: (-scores[body[j]], kinds[j] != "+", j))
        tied = {j for j in tops[:_TIES] if scores[body[j]] >= best}
        wanted = [j in tied for j in range(len(kinds))]
    elif not applies:
        if top:
            ranked = sorted((j for j in changed if scores[body[j]] > 0), key=lambda j: (-scores[body[j]], j))
            for j in ranked[:top]:
                wanted[j] = True
        _pair(kinds, wanted, lines, body.start)
    keep = _around(kinds, wanted, context)
    if applies and kinds.count("+") + kinds.count("-") + kinds.count("\\") < len(kinds):  # has context
        _reach_context(kinds, keep)
    if all(keep):
        return None
    return _stretches(hunk, body, kinds, keep, even=applies)


def plain(form: Form) -> Form:
    """``form`` without its ``@@`` lines: each stretch's lines alone, the hunk's own ``@@`` line
    going to the mark before them (which says where they stand in the diff).

    The smallest forms, offered only once the text no longer applies as a patch: in the 60 tokens
    a small diff gets beside others, a re-written ``@@`` line with its function (8 to 19 tokens)
    cost the other side of the one change kept (``-s = rangec / (2.0-sumc)`` kept without the
    ``+`` line the question asked about).
    """
    if not form:
        return None
    return tuple((first, end, "") for first, end, _ in form)


def with_lines(lines: Sequence[str], hunk: Hunk, form: Form | tuple[()], numbers: Sequence[int], headed: bool) -> Form:
    """``form`` of ``hunk`` (``()`` for a hunk not kept) with the lines ``numbers`` kept too, each
    stretch under its re-computed ``@@`` line when ``headed``, else plain (``plain``). A ``\\ No
    newline`` line goes with the line above it. The room a choice leaves is filled a line at a time
    with this (``_select._fill``); a form kept verbatim (None) has no line to add."""
    if form is None:
        return None
    body = range(hunk.start + 1, hunk.end)
    kinds = [lines[i][:1] for i in body]
    keep = [False] * len(kinds)
    for first, end, _ in form:
        keep[first - body.start : end - body.start] = [True] * (end - first)
    for number in numbers:
        j = number - body.start
        keep[j] = True
        if j + 1 < len(kinds) and kinds[j + 1] == "\\":
            keep[j + 1] = True
    stretches = _stretches(hunk, body, kinds, keep, even=False)
    return stretches if headed else plain(stretches)


def _pair(kinds: list[str], wanted: list[bool], lines: Sequence[str], first: int) -> None:
    """Add to each wanted changed line its counterpart (``counterparts``): the same line before
    and after the change, and a reader needs both sides to see what changed."""
    for removed, added in counterparts(kinds, lines, first):
        if wanted[removed] or wanted[added]:
            wanted[removed] = wanted[added] = True


def counterparts(kinds: Sequence[str], lines: Sequence[str], first: int) -> list[tuple[int, int]]:
    """``(removed, added)`` for each change of one line, indexes into ``kinds`` (whose line ``j`` is
    ``lines[first + j]``): in a block of changed lines with as many removed lines as added ones,
    the n-th removed line and the n-th added line; in a block of unequal sides, the pairs in order
    that share most words (``_aligned``). ``-    with open(file) as fp:`` followed by ``+    try:``
    and ``+        with open(file, encoding="utf-8") as fp:`` had paired the ``with`` line with
    ``try:``, so the smallest form kept the old side and the bare one its ``try:``."""
    out: list[tuple[int, int]] = []
    for start, end in runs([kind in ("+", "-") for kind in kinds]):
        removed = [j for j in range(start, end) if kinds[j] == "-"]
        added = [j for j in range(start, end) if kinds[j] == "+"]
        if len(removed) == len(added) or not removed or not added or len(removed) * len(added) > _ALIGNED:
            out += zip(removed, added)
        else:
            out += _aligned(removed, added, lines, first)
    return out


def _aligned(removed: list[int], added: list[int], lines: Sequence[str], first: int) -> list[tuple[int, int]]:
    """The pairs in order (each line in one pair at most) whose words' overlap (Jaccard) sums
    highest, as many pairs as can be on a tie; with no words shared, the n-th with the n-th."""
    old = [set(_WORD.findall(lines[first + j][1:])) for j in removed]
    new = [set(_WORD.findall(lines[first + j][1:])) for j in added]

    def similar(a: set[str], b: set[str]) -> float:
        return len(a & b) / len(a | b) if a and b else 0.0

    rows, cols = len(removed), len(added)
    # best[i][k]: the pairs' total among removed[i:] and added[k:], one pair worth its overlap and a
    # little more, so that without overlap as many lines as can be are paired, the earliest first
    best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for k in range(cols - 1, -1, -1):
            best[i][k] = max(best[i + 1][k + 1] + similar(old[i], new[k]) + 1e-6, best[i][k + 1], best[i + 1][k])
    pairs: list[tuple[int, int]] = []
    i = k = 0
    while i < rows and k < cols:
        if best[i][k] == best[i + 1][k + 1] + similar(old[i], new[k]) + 1e-6:
            pairs.append((removed[i], added[k]))
            i, k = i + 1, k + 1
        elif best[i][k] == best[i][k + 1]:
            k += 1
        else:
            i += 1
    return pairs


def scoped(
    lines: list[str],
    hunks: Sequence[Hunk],
    scores: dict[int, float],
    query: str | None = None,
    paths: Sequence[str] = (),
) -> list[float]:
    """Each hunk line's score, a matching line raised by half the scores of the scopes it sits in.

    A question names the function or class a change sits in and a word of the change; the scopes
    of a line are the definition lines above it within the hunk that are less indented (a method
    inside its class), and the ``@@`` line, whose suffix names the enclosing function. So of two
    lines holding the word, the one in the asked-for function wins.

    A scope lends only the share of its score its own query terms add to the line's: a line is
    not credited twice for one word. (``def isSet`` raised every line of its body that said
    ``isSet`` above the line ``isSet = is_set`` the question asked about; ``self.update(kwargs)``
    under ``def update(**kwargs)`` counted "update" and "kwargs" twice.)

    When the question asks for a definition ("which new function ...", "what helper was added"),
    a definition line holding a query word counts twice: it is the answer, where its body's lines
    only repeat its name.

    So does the definition of a function the question names, a word of the question as written,
    when it holds another word of the question as written besides the name and the diff's ``paths``
    (``self``, a part of ``self.data``, is not one): "the
    change to ``_translate`` that touched STAR" had kept a call ``parts = _translate(pat, STAR,
    '.')``, which shares every word with ``def _translate(pat, STAR, QUESTION_MARK)`` and is
    shorter. (``def __getattr__(name)`` alone is not the answer to how ``__getattr__`` deals with
    ``OpenWrapper``.) Raising the lines of the named function's body as well kept 6 more facts on
    the tuning half at 60 cases a kind, but a line saying ``isSet()`` inside ``def isSet`` then
    outranked the ``isSet = is_set`` of ``class Event`` the question asked about.

    In a diff of one path, a line's score is then multiplied by one plus the question's words it
    holds as written (``_parts``: ``type`` in ``d[type(None)]``, not in ``types.NoneType``; a word
    only a part of an identifier counts half), less the words a question about a diff asks with
    (``ASKING``). A function the diff defines is held by its definition and the lines inside it
    only: the call ``names = _listdir(dirname, dironly)`` outside ``def _listdir`` had outranked the
    line inside it that the question about ``dironly`` in ``_listdir`` asked for, and BM25's length
    norm the short ``if orecur:`` over ``orepr, oreadable, orecur = _safe_repr(...)`` asked about
    ``_safe_repr`` and ``orecur``. In a diff of several paths the file names pick hunks, and a table
    line holding "source" and "code" of "packaging's source code" had outranked the definition asked
    for: there the scores are left as they are.

    Last, the new side of a one-line change takes the old side's score when it holds every word of
    the question the old side holds, as written too: they are one answer, and BM25's length norm
    ranked the shorter old side first (``s = rangec / (2.0-sumc)`` kept alone over the line that
    replaced it); ``+d[types.NoneType]`` does not stand for ``-d[type(None)]`` asked about ``type``.
    """
    if not any(scores.values()):
        # nothing matches (no question, or none of its words in the diff): every line scores 0, and
        # the walk over every hunk line below (a definition pattern per line) is a tenth of a call
        return [0.0] * len(lines)
    wanted = set(terms(query or ""))
    common = {term for path in paths for term in terms(path)}
    coordinated = len(set(paths)) < 2
    # the names the question writes as words (``_translate``, not the ``translate`` a split finds in it)
    names = {word.lower() for word in _WRITTEN.findall(query or "")} - common
    definitions = bool(query and _ASKS_DEFINITION.search(query))
    # the question's words as written, each a term of its own (``_safe_repr``, not its parts)
    keys = {word for word in (terms(w)[0] for w in _WRITTEN.findall(query or "") if terms(w)) if word in wanted}
    keys -= ASKING
    # the words that name a definition of the diff: a line holds one by sitting inside it
    defined = {
        name
        for hunk in hunks
        for number in range(hunk.start, hunk.end)
        if (name := _defined(lines[number], number == hunk.start)) in keys
    }
    found: dict[int, set[str]] = {}
    holds: dict[int, set[str]] = {}  # the question's words each line holds as written, or by its scope

    def matched(number: int) -> set[str]:
        if number not in found:
            found[number] = wanted.intersection(terms(lines[number]))
        return found[number]

    def lent(scope: int, score: float, line: set[str]) -> float:
        own = matched(scope)
        return score * len(own - line) / len(own) if own else score

    out = [0.0] * len(lines)
    for hunk in hunks:
        outer = scores.get(hunk.start, 0.0)
        around = _defined(lines[hunk.start], True)
        stack: list[tuple[int, int, float, str]] = []  # (indent, line, score, name) of the open definitions
        for number in range(hunk.start + 1, hunk.end):
            text = lines[number][1:]
            body = text.lstrip()
            if body:
                indent = len(text) - len(body)
                while stack and stack[-1][0] >= indent:
                    stack.pop()
            own = scores.get(number, 0.0)
            definition = _DEFINITION.match(text) if body else None
            if own > 0:
                line = matched(number)
                raised = lent(hunk.start, outer, line) if outer else 0.0
                raised += sum(lent(at, score, line) for _, at, score, _ in stack if score)
                out[number] = own + raised / 2
                if definitions and definition:
                    out[number] += own
                if definition and definition[1].lower() in names and len(names & _written(text)) > 1:
                    out[number] += own  # the definition the question names, holding another of its words
                inside = {around, *(name for *_, name in stack)}
                if definition:
                    inside.add(definition[1].lower())
                held = ((line & _parts(text)) - defined) | (defined & inside)
                holds[number] = held & keys
                if coordinated:
                    # a word only a part of an identifier (``license`` of ``canonicalize_license_expression``) half
                    out[number] *= 1 + len(holds[number]) + len((line & keys) - defined - held) / 2
            if definition:
                stack.append((indent, number, own, definition[1].lower()))
        if not any(out[hunk.start + 1 : hunk.end]):
            continue  # no line to lift: the pairs are not read (a diff without a question reads none)
        kinds = [lines[number][:1] for number in range(hunk.start + 1, hunk.end)]
        for removed, added in counterparts(kinds, lines, hunk.start + 1):
            old, new = hunk.start + 1 + removed, hunk.start + 1 + added
            if out[old] > out[new] > 0 and matched(old) <= matched(new) and holds[old] <= holds[new]:
                out[new] = out[old]
    return out


def _parts(text: str) -> set[str]:
    """The words of ``text`` as written, whole identifiers and dotted names (``type`` in
    ``d[type(None)]``, not in ``types.NoneType``)."""
    return _written(text) | {part.lower() for part in _IDENTIFIER.findall(text)}


def _defined(line: str, header: bool) -> str:
    """The name a definition line defines (``def runcall(...)``), or the ``@@`` line's function
    when ``header``; "" for any other line."""
    text = line.split("@@")[-1].strip() if header else line[1:]
    found = _DEFINITION.match(text)
    return found[1].lower() if found else ""


def _reach_context(kinds: list[str], keep: list[bool]) -> None:
    """Widen each kept stretch until a context line stands before and after its changes, where the
    hunk has one: ``git apply`` refuses a hunk without context (it takes ``-U0`` patches only with
    ``--unidiff-zero``), so a stretch cut out of a block of changes reaches to the block's edges."""
    for first, end in runs(keep):
        j = first
        while j > 0 and not is_context(kinds[j]):
            j -= 1
            keep[j] = True
        j = end - 1
        while j + 1 < len(kinds) and not is_context(kinds[j]):
            j += 1
            keep[j] = True


def _around(kinds: list[str], wanted: list[bool], context: int) -> list[bool]:
    """``wanted`` and the lines at most ``context`` away from a wanted line."""
    keep = list(wanted)
    # a run of wanted lines widened by ``context`` each side is the union of each line's window
    for first, end in runs(wanted):
        low, high = max(0, first - context), min(len(kinds), end + context)
        keep[low:high] = [True] * (high - low)
    if "\\" in kinds:  # "\ No newline at end of file" belongs to the line above it
        for j in range(1, len(kinds)):
            if kinds[j] == "\\":
                keep[j] = keep[j - 1]
    return keep


def _stretches(hunk: Hunk, body: range, kinds: list[str], keep: list[bool], even: bool = True) -> Form:
    """Each kept stretch with its re-computed ``@@`` line."""
    if even:
        _even_out(kinds, keep)
    # a hunk's body holds "+", "-", "\\" and context lines only (``_parse._read_hunk``), so a
    # stretch's old lines are all but its "+" and "\\" lines, its new ones all but "-" and "\\",
    # counted by ``list.count`` (a Python walk over a 300-line hunk per form was a fifth of a profile)
    plus, minus, note = kinds.count("+"), kinds.count("-"), kinds.count("\\")
    old = hunk.old_start + (0 if len(kinds) - plus - note else 1)
    new = hunk.new_start + (0 if len(kinds) - minus - note else 1)
    groups: list[tuple[int, int, str]] = []
    seen = 0  # the lines before ``seen`` are counted into ``old`` and ``new``
    for first, end in runs(keep):
        before = kinds[seen:first]
        old += len(before) - before.count("+") - before.count("\\")
        new += len(before) - before.count("-") - before.count("\\")
        seen = first
        part = kinds[first:end]
        olds = len(part) - part.count("+") - part.count("\\")
        news = len(part) - part.count("-") - part.count("\\")
        header = hunk_header(old, olds, new, news, hunk.suffix if not groups else "")
        groups.append((body[first], body[end - 1] + 1, header + "\n"))
    return tuple(groups)


def _even_out(kinds: list[str], keep: list[bool]) -> None:
    """Give each kept stretch as much context before its changes as after, where the hunk has the lines.

    GNU patch takes uneven context for a hunk anchored at the start or end of
    its file, so a stretch cut to one line before and three after would not apply.
    """
    for first, end in runs(keep):
        changes = [j for j in range(first, end) if kinds[j] in ("+", "-")]
        if not changes:
            continue
        lead = sum(1 for j in range(first, changes[0]) if kinds[j] != "\\")
        trail = sum(1 for j in range(changes[-1] + 1, end) if kinds[j] != "\\")
        j = first
        while lead < trail and j > 0:
            j -= 1
            keep[j] = True
            lead += kinds[j] != "\\"
        j = end - 1
        while trail < lead and j + 1 < len(kinds):
            j += 1
            keep[j] = True
            trail += kinds[j] != "\\"
        while j + 1 < len(kinds) and kinds[j + 1] == "\\":
            j += 1
            keep[j] = True


def runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """``(first, end)`` of each stretch of True (found by a regular expression over the flags as
    bytes: every form of every hunk asks, and a Python walk per flag was a tenth of a profile)."""
    return [match.span() for match in _TRUE_RUN.finditer(bytes(map(bool, flags)))]
