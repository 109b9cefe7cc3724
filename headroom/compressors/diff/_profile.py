"""A diff read for selection, once per piece: line costs, hunks ranked by the question, and each
hunk's forms (trimmed, focused, the ladder of its best lines).

The compressor asks for many targets per piece; everything here depends only on the text, the
question and the counter, so it is built once (``DiffCompressor._profile``) and every target's
choice (``_select``) reads it. A hunk's smaller forms and ladder rungs are built when a choice
first reads them (``Column``): most are never read.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from headroom.compressors.diff._forms import ASKING, Form, focus, plain, scoped, trim
from headroom.compressors.diff._parse import Diff, Hunk, hunk_header, parse_diff
from headroom.compressors.diff._render import short_names
from headroom.plugins import PieceContext, split_lines
from headroom.relevance import BM25, STOP_WORDS, LineTerms, sparse_scores, terms, without_call_names

__all__ = ["DOCS", "LADDER", "Column", "Profile", "build_profile"]

# the rungs of the ladder a headless hunk grows on, between its best lines and its lines with
# context: its k best lines with their counterparts (a 300-line new file kept 4 lines of 561 tokens
# at every target up to 1,200, where the next form, every line at half the best with context, cost 700)
LADDER = (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
# a commit named by its place in the history: the vocabulary of "first/last commit" questions
_ORDINAL = re.compile(
    r"\b(first|initial|earliest|oldest|last|latest|newest|most recent|recent)\s+"
    r"(?:commit|change|changeset|revision|version|release|patch)\b",
    re.I,
)
_NEWEST = frozenset({"last", "latest", "newest", "most recent", "recent"})
_PUNCTUATION = "\"'`,.;:?!()[]{}"  # around a question word as written (``copy.copy,``, ``"isSet"``)
# the words a question asks about a word with (``especially around X``, ``happened to X``), besides
# the asking words (``_forms.ASKING``); and the prepositions that start the phrase after it (``in``)
_OBJECT_OF = ASKING | frozenset(
    "to with using use uses about regarding concerning affecting involving mentioning near inside within on".split()
)
_PREPOSITIONS = frozenset(
    "about above across after around at before below beside between by during for from in inside into near of "
    "on over since through throughout to under until with within without".split()
)
# the verbs a question puts before the word it asks about in the passive ("how was both changed",
# "when was after introduced"), and the nouns it puts after it for what is done with it ("what did
# 3.12 do to same handling"): beside either, a stop word is what is asked about, as before a
# preposition or at a clause's end (``_singled``)
# the particles a verb of change takes ("changed to", "changed into"): "touched after inside" asks about after
_PARTICLES = frozenset("to into from over up out off back in on".split())
_AUXILIARY = frozenset("was were is are been being get got gets".split())
_TOPIC = frozenset("handling handled usage logic behaviour behavior support treatment".split())
_DASHES = frozenset("- -- \u2013 \u2014".split())  # a dash between clauses ("around X - show it")
_ARGUMENT = re.compile(r"[\w.~/+-]+")  # a word of the call's arguments (a path, an option, a revision)
_FILE_NOUNS = frozenset({"file", "files"})
_ENTRIES = 3  # file entries (renames, mode changes, binary files) kept past pressure level 2 (``_entries``)
# git's extended header lines: what a file entry says besides its patch (``git diff`` documentation)
_EXTENDED = re.compile(
    r"(old mode|new mode|deleted file mode|new file mode|similarity index|dissimilarity index|"
    r"rename from|rename to|copy from|copy to|Binary files|GIT binary patch)\b"
)
_NAME_COST = 4  # a file named in a marker costs its path and this ("+12 -3, ")
# where a hunk's file is documentation, a changelog or notes: ranked after code on a tie
# (``PKG-INFO`` and a wheel's ``METADATA`` carry the README as the package's long description)
DOCS = re.compile(
    r"(^|/)(docs?|doc-src|changelog\.d|news|whatsnew)/|\.(md|rst|txt|adoc)$|(^|/)(CHANGE|NEWS|HISTORY|PKG-INFO$|METADATA$)",
    re.I,
)
# a question that names code: an identifier written as code is (``parse_float``, ``_translate``,
# ``isSet``, ``loads()``, ``Decoder::read``), not a word of prose
_NAMES_CODE = re.compile(r"\b_*[A-Za-z0-9]+_\w+|\b_\w+|\b[a-z]+[A-Z]\w*|\w\(\)|\w::\w")


class Column:
    """One form of every hunk (``column[n]`` is hunk n's), each built the first time it is asked for.

    The budget search reads a hunk's smaller forms only at the levels that offer them (the headless
    ones, tried only when the question matches a changed line and no header level sufficed) and a
    ladder's rungs only for the hunks the question matches: built eagerly, every hunk's forms were
    most of a question's profile (1 MB of ``git log -p``: 0.53 of 0.89 s in ``focus``). A form is a
    pure function of the text, the question and the hunk, so when it is built does not change it.
    """

    __slots__ = ("_build", "_count", "_known")

    def __init__(self, count: int, build: Callable[[int], Form]) -> None:
        self._count = count
        self._build = build
        self._known: dict[int, Form] = {}

    def __getitem__(self, index: int) -> Form:
        if index not in self._known:
            if not 0 <= index < self._count:
                raise IndexError(index)
            self._known[index] = self._build(index)
        return self._known[index]

    def __len__(self) -> int:
        return self._count


_NONE = Column(0, lambda n: None)  # a piece without hunks has no forms
_NO_FORMS = (_NONE,) * 6  # ``narrow`` to ``matched``


@dataclass(frozen=True)
class Profile:
    diff: Diff
    costs: list[int]  # tokens per line
    order: list[int]  # hunks (or, for a bare --stat listing, stat lines) best first
    trimmed: list[Form]  # each hunk's trimmed form, None where trimming does not pay
    focused: list[Form]  # each hunk's lines the query asks about, None where none does
    narrow: Column  # the same, only the lines that score best
    loose: Column  # the best lines with their context, not widened to the change block's edges
    bare: Column  # the best lines and their counterparts alone (offered once file headers went to marks)
    single: Column  # the best lines alone, the smallest form
    spread: Column  # headless: the lines scoring half the best, with context, not widened
    matched: Column  # headless: every line the question matches, with context, not widened
    marker: int  # what one mark costs here, counted with the piece's counter
    header: int  # what one re-written @@ line costs
    fixed: int  # tokens always kept, with every collapsible file reduced to its name
    opening: dict[int, int]  # collapsible file -> tokens its header adds over its name
    commits: list[tuple[int, int, int]]  # each commit's first line, first file line, end
    commit_order: list[int]  # commits best first
    peaks: list[float] = field(default_factory=list)  # each hunk's best line score
    plain_single: Column = _NONE  # headless: ``single`` without its @@ line
    plain_bare: Column = _NONE  # headless: ``bare`` without its @@ lines
    # headless: the ladder from ``bare`` up, the k best lines with their counterparts, by name
    # (``top2``, ``plain_top2``, ...): a hunk grows one line at a time
    ladder: dict[str, Column] = field(default_factory=dict)
    scores: list[float] = field(default_factory=list)  # each line's score for the question (scopes lent)
    names: list[str] = field(default_factory=list)  # each file's short name in marks (``short_names``)
    # by (headless: 0, 1, or 2 with plain forms; hunks given to marks with their commits)
    steps: dict[tuple[int, frozenset[int]], list[tuple[int, Form, int]]] = field(default_factory=dict, compare=False)
    # the marks written for this piece, by range and form (``_render.write``): the budget search renders it often
    marks: dict[tuple[int, int, bool, bool], tuple[str, str, int]] = field(default_factory=dict, compare=False)
    form_costs: dict[tuple[int, Form], int] = field(default_factory=dict, compare=False)  # ``_select._cost``
    # the lines of the file entries (a rename, a copy, a mode change, a binary file) the question
    # matches strongly: kept once file headers go to marks, at pressure levels 2 to 4 (``_entries``)
    entries: frozenset[int] = frozenset()
    code: bool = False  # the question names code (``_NAMES_CODE``): docs and changelog hunks come after code's

    @property
    def strong_count(self) -> int:
        best = max(self.peaks, default=0.0)
        return sum(1 for peak in self.peaks if best > 0 and peak >= best / 2)

    def dropped(self, level: int, entries: bool = True) -> list[int]:
        """Lines outside hunks that pressure ``level`` gives to marks: 1, of each commit's header
        every stretch but its ``commit`` line and subject (author, date, message body, ``--stat``)
        that costs more than the mark standing for it; 2, also every file's header (the text then
        no longer applies as a patch)."""
        lines = self.diff.lines
        out: list[int] = []
        if level >= 1:
            for start, head, _ in self.commits:
                subject = next((i for i in range(start + 1, head) if lines[i][:4] == "    " and lines[i].strip()), -1)
                for first, end in ((start + 1, subject), (subject + 1, head)) if subject > 0 else ((start + 1, head),):
                    if sum(self.costs[first:end]) > self.marker:
                        out += range(first, end)
        if level >= 2:
            out += [
                i
                for section in self.diff.files
                for i in range(section.start, section.header_end)
                if i not in self.entries or not entries
            ]
        if level >= 3:  # commits holding no strong match go whole, their hunks with them
            out += [i for k in self.faint(level) for i in range(self.commits[k][0], self.commits[k][2])]
        if level >= 6:  # the kept commit's own ``commit`` line and subject too
            out += [i for start, head, _ in self.commits for i in range(start, head)]
        return sorted(set(out))

    def faint(self, level: int = 3) -> list[int]:
        """The commits that hold no hunk the question matches strongly (its best line at least
        half the diff's best): pressure levels 3 and 4 give them whole to marks; level 5 every
        commit but the one holding the hunk ranked first (the headers of three commits that all
        match filled 190 tokens of a git log, where the one that holds the answer fitted)."""
        best = max(self.peaks, default=0.0)
        if best <= 0 or len(self.commits) < 2:
            return []
        starts = [start for start, _, _ in self.commits]
        if level >= 5:
            strong = {bisect.bisect_right(starts, self.diff.hunks[self.order[0]].start) - 1}
        else:
            strong = {
                bisect.bisect_right(starts, h.start) - 1
                for h, peak in zip(self.diff.hunks, self.peaks)
                if peak >= best / 2
            }
        return [k for k in range(len(self.commits)) if k not in strong]

    def excluded(self, level: int) -> frozenset[int]:
        """The hunks pressure ``level`` gives to marks with their commits."""
        if level < 3:
            return frozenset()
        gone = [(self.commits[k][0], self.commits[k][2]) for k in self.faint(level)]
        return frozenset(n for n, h in enumerate(self.diff.hunks) if any(a <= h.start < b for a, b in gone))

    def fixed_at(self, level: int, entries: bool = True) -> int:
        """The tokens always kept at pressure ``level``, a mark counted per run of dropped lines."""
        if level == 0:
            return self.fixed
        dropped = self.dropped(level, entries)
        runs = sum(1 for k, i in enumerate(dropped) if k == 0 or dropped[k - 1] != i - 1)
        # ``fixed`` counts a collapsible file's header as its name; at level 2 it all goes
        opening = sum(self.opening.values()) if level >= 2 else 0
        hunk_lines = {i for h in self.diff.hunks for i in range(h.start, h.end)} if level >= 3 else set()
        gone = sum(self.costs[i] for i in dropped if i not in hunk_lines)
        return self.fixed + opening - gone + runs * self.marker


def build_profile(text: str, ctx: PieceContext, context: int) -> Profile:
    diff = parse_diff(split_lines(text))
    costs = [ctx.counter.count(line) for line in diff.lines]
    # a mark and an @@ line as this piece writes them, counted, not guessed
    last = len(diff.lines)
    marker = ctx.counter.count(ctx.marker(9, "hunks", f"{last}-{last} +99 -9") + "\n")
    header = ctx.counter.count(hunk_header(last, 9, last, 9) + "\n")
    in_hunk = [False] * len(diff.lines)
    for hunk in diff.hunks:
        in_hunk[hunk.start : hunk.end] = [True] * (hunk.end - hunk.start)
    opening = {
        number: sum(costs[section.start : section.header_end]) - ctx.counter.count(section.path) - _NAME_COST
        for number, section in enumerate(diff.files)
        if section.collapsible
    }
    fixed = sum(c for c, inside in zip(costs, in_hunk) if not inside) - sum(opening.values())
    line_terms = LineTerms(diff.lines)  # read once for the hunks' and the commits' rankings
    commits = _commits(diff, ctx.query, line_terms)
    if diff.hunks:
        heads = [diff.files[h.file].path.replace("/", " ") + " " for h in diff.hunks]
        bodies = [head + "".join(diff.lines[h.start : h.end]) for head, h in zip(heads, diff.hunks)]
        tokenized = lambda: [terms(head) + line_terms.of(h.start, h.end) for head, h in zip(heads, diff.hunks)]  # noqa: E731
        docs = [bool(DOCS.search(diff.files[h.file].path)) for h in diff.hunks]
        named = _named_commit(ctx.query, len(diff.commits))
        ahead = [named is not None and bisect.bisect_right(diff.commits, h.start) - 1 == named for h in diff.hunks]
        code = bool(ctx.query and _NAMES_CODE.search(ctx.query))
        trimmed = [trim(diff.lines, hunk, costs, context, marker, header) for hunk in diff.hunks]
        paths = [section.path for section in diff.files]
        asked = _singled(_asked(ctx.query, ctx.tool_args, diff), diff)
        raw = sparse_scores(diff.lines, asked)
        line_scores = scoped(diff.lines, diff.hunks, raw, asked, paths)
        hunks = diff.hunks

        def column(context: int, share: float, **how: bool) -> Column:
            return Column(len(hunks), lambda n: focus(diff.lines, hunks[n], line_scores, context, share, **how))

        # the forms the choice needs only for some hunks at some levels, built on first use (issue 14:
        # every hunk's seven focused forms and its ladder were built for every question, most never read)
        focused = [focus(diff.lines, hunk, line_scores, context, 0.5) for hunk in hunks]  # which hunks match
        hunk_scores = BM25(bodies, tokenized=tokenized).scores(ctx.query)
        order = _rank(hunk_scores, diff.hunks, docs, ahead, code, [form is not None for form in focused])
        narrow = column(context, 1.0)
        loose = column(context, 1.0, applies=False)
        bare = column(0, 1.0, applies=False)
        single = column(0, 1.0, applies=False, pair=False)
        spread = column(context, 0.5, applies=False)
        matched = column(context, 1e-9, applies=False)
        ladder = _ladder(diff, line_scores)
        return Profile(
            diff,
            costs,
            order,
            trimmed,
            focused,
            narrow,
            loose,
            bare,
            single,
            spread,
            matched,
            marker,
            header,
            fixed,
            opening,
            *commits,
            peaks=[max(line_scores[h.start : h.end]) for h in diff.hunks],
            plain_single=Column(len(hunks), lambda n: plain(single[n])),
            plain_bare=Column(len(hunks), lambda n: plain(bare[n])),
            ladder=ladder,
            scores=line_scores,
            names=short_names([section.path for section in diff.files]),
            entries=_entries(diff, raw, max(line_scores, default=0.0)),
            code=code,
        )
    if len(diff.stat) < 2:
        return Profile(diff, costs, [], [], [], *_NO_FORMS, marker, header, fixed, opening, *commits)
    stat = sorted(diff.stat)
    scores = BM25([diff.lines[i].replace("/", " ") for i in stat]).scores(ctx.query)
    ranked = sorted(range(len(stat)), key=lambda k: (-scores[k], -diff.stat[stat[k]], stat[k]))
    fixed -= sum(costs[i] for i in stat)
    return Profile(
        diff,
        costs,
        [stat[k] for k in ranked],
        [],
        [],
        *_NO_FORMS,
        marker,
        header,
        fixed,
        opening,
        *commits,
    )


def _asked(query: str | None, tool_args: str | None, diff: Diff) -> str | None:
    """The question lines are ranked by: less the words naming what the call read
    (``relevance.without_call_names``), unless a changed line writes the word as the question does.

    Every line of ``git log -p -- Lib/csv.py`` is about ``csv``, and ``-csv.py - read/write ... CSV
    files`` outranked the ``+basic APIs`` line a question about "basic" asked for; but asked which
    commit changed ``copy.copy`` beside ``git log -p -- Lib/copy.py``, every part of ``copy.copy``
    names the file and ``x = copy.copy(y)`` is the answer. The hunks' ranking keeps every word: in a
    diff of several files a file's name is what picks its hunks.
    """
    asked = without_call_names(query, tool_args)
    if not query or asked == query:
        return asked
    kept = set((asked or "").split())
    changed = "".join(
        line for line in diff.lines if line[:1] in ("+", "-") and line[:4] not in ("+++ ", "--- ")
    ).lower()
    read = [token.lower() for token in _ARGUMENT.findall(tool_args or "")]

    def path(word: str) -> bool:  # the path the call read, or its tail (``token.py`` of ``Lib/token.py``)
        bare = word.strip(_PUNCTUATION).lower()
        return any(c in bare for c in "/.") and any(token == bare or token.endswith("/" + bare) for token in read)

    words = query.split()
    out = []
    for at, word in enumerate(words):
        following = words[at + 1] if at + 1 < len(words) else ""
        if word in kept:
            # a document noun right before the path it names ("file Lib/pstats.py") names the source too
            if word.lower() not in _FILE_NOUNS or following in kept or not path(following):
                out.append(word)
        elif word.strip(_PUNCTUATION).lower() in changed and not path(word):
            out.append(word)
    return " ".join(out)


def _singled(asked: str | None, diff: Diff) -> str | None:
    """``asked`` with the words it singles out that its terms would not select written again as
    quoted spans (``relevance.quoted_scores``: matched as written, weighed by how rare they are).

    - A word on more than half the diff's lines: ``sparse_scores`` leaves such a term out (it
      selects nothing in a log), but in a small diff it is the word asked about. "What happened to
      ``maxc`` in ``rgb_to_hsv``" over a 30-line diff of ``colorsys.py`` (``maxc`` on 18 lines) had
      scored the context line ``def rgb_to_hsv`` alone, and no changed line was kept at any share.
    - A stop word the question asks about (``especially around after?``, ``the change that touched
      tell.``, ``changed both in``): the word right after an asking word (``_forms.ASKING``, ``to``,
      ``with``, ``using``, ``about``) that ends the sentence or stands before a preposition. A stop
      word there that stands before a noun (``happened to the parser``) is the noun's article, and a
      preposition before another word (``changed in the module``) starts a phrase, and one right
      after the asking verb before another is the verb's particle (``change to in its __init__``,
      where ``happened to after in`` asks about ``after``): none is what is asked about.
    """
    if not asked:
        return asked
    words = asked.split()
    quoted: list[str] = []
    lines = diff.lines
    half = len(lines) / 2
    # the changed lines as one text: a word's pattern is searched once, not once a line
    changed = "\n".join(line[1:] for line in lines if line[:1] in ("+", "-") and line[:4] not in ("+++ ", "--- "))
    lower_lines = [line.lower() for line in lines]

    def on_most(term: str) -> bool:  # on more than half the lines (a line's terms read only where it holds the term)
        holding = [n for n, line in enumerate(lower_lines) if term in line]
        return len(holding) > half and sum(1 for n in holding if term in terms(lines[n])) > half

    for at, word in enumerate(words):
        bare = word.strip(_PUNCTUATION)
        if not bare or "`" in word or '"' in word:
            continue
        pattern = re.compile(r"(?<![A-Za-z0-9_])" + re.escape(bare) + r"(?![A-Za-z0-9_])", re.I)
        if not pattern.search(changed):
            continue
        lowered = bare.lower()
        if lowered in STOP_WORDS:
            before = words[at - 1].strip(_PUNCTUATION).lower() if at else ""
            following = words[at + 1] if at + 1 < len(words) else ""
            after = following.strip(_PUNCTUATION).lower()
            # the clause ends at its punctuation, the question's end or a dash ("around through - show it")
            ends = word[-1:] in "?.!,:;" or not after or following in _DASHES
            # a preposition right after the asking verb and before another preposition is the
            # verb's particle ("change to in its __init__"), not its object ("happened to after in")
            particle = before in ASKING and lowered in _PARTICLES and not ends
            passive = before in _AUXILIARY and after in ASKING  # "how was both changed"
            closes = ends or after in _PREPOSITIONS or after in _TOPIC
            if (before in _OBJECT_OF and closes and not particle) or passive:
                quoted.append(bare)
        elif lowered not in ASKING and terms(bare) and all(on_most(term) for term in terms(bare)):
            quoted.append(bare)
    if not quoted:
        return asked
    return asked + " " + " ".join(f"`{word}`" for word in dict.fromkeys(quoted))


def _entries(diff: Diff, scores: dict[int, float], best: float) -> frozenset[int]:
    """The lines of the file entries the question matches at least half as well as its best changed
    line, the best ``_ENTRIES`` entries: a rename, a copy, a mode change or a binary file is nothing
    but its header (git's extended header lines), so once file headers go to marks (pressure level
    2) a question about it ("what was the schema module renamed to?") lost its only answer, and no
    mark names a file without hunks. An entry is a file without hunks (its ``diff`` line, which names
    it, and its extended lines) or the extended lines of a file with hunks (``old mode``/``new mode``)
    with its ``diff`` line; the ``index`` line and the ``---``/``+++`` pair stay with the marks. A
    few, because each costs its header whatever the room."""
    found = []
    for section in diff.files:
        extended = [i for i in range(section.start, section.header_end) if _EXTENDED.match(diff.lines[i])]
        if not extended or not diff.lines[section.start].startswith("diff "):
            continue
        lines = [section.start, *extended]
        # a file with hunks is an entry by its extended lines only: its name already ranks its hunks
        judged = extended if section.hunks else lines
        found.append((-max(scores.get(i, 0.0) for i in judged), section.start, lines))
    # half the best of the changed lines and of the entries alike: ``py`` of ``utils.py`` in the
    # question matched every renamed ``.py`` file where ``tool.bin`` named the one asked about
    best = max(best, *(-score for score, _, _ in found), 0.0)
    kept = [lines for score, _, lines in sorted(found)[:_ENTRIES] if -score > 0 and -score >= best / 2]
    return frozenset(i for lines in kept for i in lines)


def _ladder(diff: Diff, scores: list[float]) -> dict[str, Column]:
    """Each hunk's rungs ``top{k}`` and ``plain_top{k}``: its k best lines with their counterparts.
    A rung past the first that holds every matching line of the hunk is None (the same form again,
    which the growth would skip): most hunks match a few lines, and the rungs to 64 had been built
    anyway. Each rung is built when the growth first reads it (``Column``)."""
    lines, hunks = diff.lines, diff.hunks
    counted: dict[int, int] = {}

    def matching(n: int) -> int:
        if n not in counted:
            hunk = hunks[n]
            counted[n] = sum(1 for i in range(hunk.start + 1, hunk.end) if scores[i] > 0 and lines[i][:1] in ("+", "-"))
        return counted[n]

    def rung(k: int) -> Column:
        below = [j for j in LADDER if j < k]

        def build(n: int) -> Form:
            if any(j >= matching(n) for j in below):  # an earlier rung already held every matching line
                return None
            return focus(lines, hunks[n], scores, 0, 1.0, applies=False, top=k)

        return Column(len(hunks), build)

    def unheaded(top: Column) -> Column:
        return Column(len(hunks), lambda n: plain(top[n]))

    out: dict[str, Column] = {}
    for k in LADDER:
        out[f"top{k}"] = rung(k)
        out[f"plain_top{k}"] = unheaded(out[f"top{k}"])
    return out


def _commits(diff: Diff, query: str | None, line_terms: LineTerms) -> tuple[list[tuple[int, int, int]], list[int]]:
    """Each commit's span (first line, first file line, end) and the commits ranked by the query, newest first."""
    ends = [*diff.commits[1:], len(diff.lines)]
    file_starts = sorted(section.start for section in diff.files)
    spans = []
    for start, end in zip(diff.commits, ends):
        at = bisect.bisect_left(file_starts, start)
        head = file_starts[at] if at < len(file_starts) and file_starts[at] < end else end
        spans.append((start, head, end))
    tokenized = lambda: [line_terms.of(a, c) for a, _, c in spans]  # noqa: E731
    scores = BM25(["".join(diff.lines[a:c]) for a, _, c in spans], tokenized=tokenized).scores(query)
    return spans, sorted(range(len(spans)), key=lambda k: (-scores[k], k))


def _named_commit(query: str | None, count: int) -> int | None:
    """The commit a question names by its place in a ``git log`` (newest first): "the first
    commit" is the oldest, listed last; "the latest change" the one listed first."""
    if not query or count < 2:
        return None
    found = _ORDINAL.search(query)
    if found is None:
        return None
    return 0 if found[1].lower() in _NEWEST else count - 1


def _rank(
    scores: Sequence[float],
    hunks: Sequence[Hunk],
    docs: Sequence[bool],
    ahead: Sequence[bool],
    code: bool = False,
    lined: Sequence[bool] = (),
) -> list[int]:
    """Hunks of the commit the question names by place first; then the hunks holding a changed line
    the question matches (``lined``, the line scores' own test: ``focus`` finds a line); query
    matches first; then code before docs and changelogs; then breadth: every file's biggest hunk
    before any file's second.

    The hunk ranked first is what the last resorts keep (the commit holding it alone) and what the
    levels are judged by. Ranked by BM25 over its text with the whole question, a hunk of import
    lines whose context said ``"run_path"`` came first in a ``git log -p`` of ``runpy.py`` asked
    which commit changed ``warning`` in ``run_path``, no line of it asked about; the commit of the
    removed comment saying ``warning`` went to a mark up to 250 tokens.

    When the question names code (``code``: an identifier as code writes it, ``parse_float``), every
    code hunk it matches comes before the docs hunks it matches: a README or changelog line that
    names ``parse_float`` beside a sentence of its words outscored the change to the function itself
    (issue 12: docs and changelog hunks won over code hunks)."""
    by_file: dict[int, list[int]] = {}
    for index in sorted(range(len(hunks)), key=lambda h: (-hunks[h].changed, h)):
        by_file.setdefault(hunks[index].file, []).append(index)
    depth = {h: rank for members in by_file.values() for rank, h in enumerate(members)}
    return sorted(
        range(len(hunks)),
        key=lambda h: (
            not ahead[h],
            bool(lined) and not lined[h],
            scores[h] <= 0,
            code and docs[h],
            -scores[h],
            docs[h],
            depth[h],
            -hunks[h].changed,
            h,
        ),
    )
