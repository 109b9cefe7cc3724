"""Choosing a diff's hunks and their forms for one target at one pressure level, and rendering it.

``choose`` takes the longest run of a fixed sequence of steps that fits a room (so the choice is
monotone in the room); ``fit`` searches the room until the rendered count lands between 0.9 and 1
of the target; ``by_commit`` keeps whole commits without their patches when no level keeps a hunk.
The pressure levels themselves are the compressor's (``compressor.py``).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from headroom.compressors._reach import FLOOR, reach, whole_rooms
from headroom.compressors.diff._forms import Form, with_lines
from headroom.compressors.diff._profile import DOCS, LADDER, Profile
from headroom.compressors.diff._render import write
from headroom.plugins import Compressed, PieceContext

__all__ = ["HEADLESS", "SHORT", "by_commit", "choose", "fit", "matching_everywhere"]

HEADLESS = "diff: file headers given to marks to keep the hunks the query ranks; the text no longer applies as a patch"
# said when a result stays under 0.9 of its target (issue 12: reach the target or say why)
SHORT = "diff: under 0.9 of the target used: the next hunk, commit or --stat line in rank fits in none of its forms"
_HEADLESS_FORMS = frozenset(
    {"plain_bare", "single", "bare", "loose", "spread", "matched", *(f"top{k}" for k in LADDER)}
)  # forms that no longer apply as a patch
# a matching hunk whose smallest form costs more than this many times the median one is added last
_BULKY = 8
_MARK_MIN = 4  # the fewest tokens a mark of its own adds (``[…1 lines 5-5]``), under its real count
_FILL_TRIES = 24  # renderings ``_fill`` may try to fill a room left under 0.9 of its target
_WIDENED = frozenset({"narrow", "focused"})  # forms widened to apply, grown into only while the text applies
# said when marks carry only their ranges, the last resort before no hunk at all
_BRIEF = "diff: marks carry their line ranges only (no file names or counts) to keep the hunk the query ranks first"
_FAINT = "diff: commits holding no strong match for the query given whole to marks to keep the hunk it ranks first"
_NO_COMMITS = "diff: commit lines and subjects given to marks to keep a hunk the query ranks (nothing else fitted)"


def fit(
    profile: Profile,
    target: int,
    ctx: PieceContext,
    level: int,
    *,
    plain: bool = False,
    entries: bool = True,
    fill: bool = False,
) -> tuple[Compressed, int, tuple[int, int], int] | None:
    """The choice at pressure ``level`` (with the file entries the question matches kept from level 2
    unless ``entries`` is False) whose rendering fits, the rank of the best hunk it keeps,
    how many hunks the question matches strongly it keeps (and how many of its changed lines), and
    what the rendering counts (the search counted it: the compressor compares levels by it).

    The room planned with is searched (``reach``) until the real count lands between 0.9 and 1 of
    the target. When the planned room holds nothing at a level that gave text to marks, the search
    starts again from the whole target as the room (nothing reserved): the estimate counts a full
    mark on each side of every kept hunk, and a bare hunk of two lines under brief marks is cheaper
    than the marks it is charged; the real count decides. With ``fill``, a headless choice that
    lands under 0.9 is filled a line at a time (``_fill``); the compressor asks it of the level it
    chose only, after comparing the levels unfilled.
    """
    entries = entries and level >= 2 and bool(profile.entries)
    fixed = profile.fixed_at(level, entries)
    if target - fixed < 0:
        return None
    dropped = profile.dropped(level, entries)
    excluded = profile.excluded(level)

    def attempt(room: float) -> tuple[tuple[dict[int, Form], str, dict[str, int]], int] | None:
        # a room that holds nothing renders too (headers and marks only): it fits and falls short,
        # so the search raises the room instead of lowering it
        chosen = choose(profile, int(room), headless=(2 if plain else 1) if level >= 2 else 0, excluded=excluded)
        out, omitted = _render(profile, chosen, ctx, dropped, brief=level >= 4, entries=entries)
        return (chosen, out, omitted), ctx.counter.count(out)

    once = whole_rooms(attempt)
    got = reach(once, max(0, target - fixed - profile.marker), target)
    if level and (got is None or not got[0][0]):
        # the estimate of what is always kept erred high (a mark per run of dropped lines, counted
        # in full): start again from what the choice of nothing really costs, so the search begins
        # near the room the smallest form needs (from the whole target, eight halvings by the ratio
        # it overshot by stopped a step above it: a 2,800-token git log kept no hunk at 208 tokens
        # and one at 200)
        empty = ctx.counter.count(_render(profile, {}, ctx, dropped, brief=level >= 4, entries=entries)[0])
        got = reach(once, max(1, target - empty), target) if empty < target else None
    if level and (got is None or not got[0][0]):
        got = reach(once, target, target)
    if got is None or (level and not got[0][0]):
        return None
    (chosen, out, omitted), cost = got
    if fill and level >= 2 and cost < FLOOR * target:
        how = (dropped, excluded, level >= 4, entries, not plain)
        chosen, out, omitted, cost = _fill(profile, target, ctx, (chosen, out, omitted, cost), how)
    fallbacks = ((HEADLESS,) if level >= 2 else ()) + ((SHORT,) if cost < FLOOR * target else ())
    fallbacks += ((_FAINT,) if level >= 3 and profile.faint(level) else ()) + ((_BRIEF,) if level >= 4 else ())
    fallbacks += (_NO_COMMITS,) if level >= 6 else ()
    rank = next((r for r, unit in enumerate(profile.order) if unit in chosen), len(profile.order))
    best = max(profile.peaks, default=0.0)
    strong = sum(1 for unit in chosen if profile.diff.hunks and best > 0 and profile.peaks[unit] >= best / 2)
    lines = _matching_lines(profile, chosen) if best > 0 else 0  # no line matches: no walk over the kept ones
    return Compressed(out, omitted=omitted, fallbacks=fallbacks), rank, (strong, lines), cost


def _fill(
    profile: Profile,
    target: int,
    ctx: PieceContext,
    got: tuple[dict[int, Form], str, dict[str, int], int],
    how: tuple[Sequence[int], frozenset[int], bool, bool, bool],
) -> tuple[dict[int, Form], str, dict[str, int], int]:
    """The room a headless choice leaves under 0.9 of ``target``, filled a line at a time: the
    lines the question matches that the choice left out, changed lines first, best first, each kept
    when the rendering still fits (real counts; at most ``_FILL_TRIES`` renderings).

    The forms a hunk takes grow by rungs (its best line, its two best with their counterparts, ...),
    and at the budget's floor (60-110 tokens of room) the next rung is often larger than what is
    left: a ``diff -u`` of ``types.py`` kept the asked-for line in 43 tokens of a 57-token room, and
    under 0.85 of it the core sent the generic cut, which lost the line; a removed line the question
    matches as well as the added one kept beside it fits in the 10 to 20 tokens left. Lines are
    added to the hunks' forms (``_forms.with_lines``) with their ``@@`` lines re-computed, or plain
    where the choice is plain; a hunk kept verbatim has none to add, a hunk given to marks with its
    commit (level 3) none to offer.
    """
    chosen, out, omitted, cost = got
    dropped, excluded, brief, entries, headed = how
    diff, scores, costs = profile.diff, profile.scores, profile.costs
    starts = [hunk.start for hunk in diff.hunks]

    def hunk_of(number: int) -> int:
        return bisect.bisect_right(starts, number) - 1

    kept: set[int] = set()
    for index, form in chosen.items():
        hunk = diff.hunks[index]
        spans = [(hunk.start + 1, hunk.end)] if form is None else [(a, b) for a, b, _ in form]
        kept.update(i for a, b in spans for i in range(a, b))
    wanted = [
        number
        for number, score in enumerate(scores)
        if score > 0 and number not in kept and hunk_of(number) not in excluded
    ]
    wanted.sort(key=lambda n: (diff.lines[n][:1] not in ("+", "-"), -scores[n], n))
    tries = 0

    def grow(numbers: list[int]) -> bool:
        nonlocal chosen, out, omitted, cost, tries
        trial = dict(chosen)
        for number in numbers:
            index = hunk_of(number)
            form = trial.get(index, ())
            if form is None:
                return False  # a hunk kept verbatim has no line to add
            heads = any(h for _, _, h in form) if form else headed
            trial[index] = with_lines(diff.lines, diff.hunks[index], form, [number], heads)
        tries += 1
        text, counts = _render(profile, trial, ctx, dropped, brief=brief, entries=entries)
        tokens = ctx.counter.count(text)
        if tokens > target:
            return False
        chosen, out, omitted, cost = trial, text, counts, tokens
        kept.update(numbers)
        return True

    def beside(number: int) -> bool:
        return number - 1 in kept or number + 1 in kept

    for number in wanted:
        if tries >= _FILL_TRIES or cost >= FLOOR * target:
            break
        # a line costs its own tokens (lines are counted apart), and one apart from the kept lines
        # a mark more: dearer than the room left, it is not rendered
        if number not in kept and costs[number] + (0 if beside(number) else _MARK_MIN) <= target - cost:
            grow([number])
    # then the lines beside the kept ones, within their hunks: no new mark, the stretch only grows
    # (the changed lines first, then beside the best kept line), until the room is used; a layer of
    # them at once while their costs fit the room left, one at a time when the layer overshoots
    while tries < _FILL_TRIES and cost < FLOOR * target:
        ranked = sorted(
            {
                number
                for n in kept
                for number in (n - 1, n + 1)
                if number not in kept
                and diff.hunks[hunk_of(n)].start < number < diff.hunks[hunk_of(n)].end
                and chosen.get(hunk_of(n), ()) is not None
            },
            key=lambda n: (diff.lines[n][:1] not in ("+", "-"), -max(scores[n - 1 : n + 2]), costs[n], n),
        )
        ranked = [number for number in ranked if costs[number] <= target - cost]
        layer: list[int] = []
        for number in ranked:
            if sum(costs[n] for n in layer) + costs[number] <= target - cost:
                layer.append(number)
        if len(layer) > 1 and grow(layer):
            continue
        if not any(grow([number]) for number in ranked if tries < _FILL_TRIES):
            break
    return chosen, out, omitted, cost


def matching_everywhere(profile: Profile) -> int:
    """How many changed lines of the whole diff the question matches: a choice keeping that many
    keeps every one (``_matching_lines`` of every hunk whole)."""
    return _matching_lines(profile, dict.fromkeys(range(len(profile.diff.hunks))))


def _matching_lines(profile: Profile, chosen: dict[int, Form]) -> int:
    """How many changed lines the question matches the choice keeps: between two levels that keep
    as many strongly matched hunks, the one that keeps more of their lines (a level that kept six
    commits' headers whole kept one line of a 300-line new file and 30% of the room unused)."""
    if not profile.diff.hunks:
        return 0
    lines, scores = profile.diff.lines, profile.scores
    count = 0
    for index, form in chosen.items():
        hunk = profile.diff.hunks[index]
        spans = [(hunk.start + 1, hunk.end)] if form is None else [(a, b) for a, b, _ in form]
        count += sum(1 for a, b in spans for i in range(a, b) if scores[i] > 0 and lines[i][:1] in ("+", "-"))
    return count


def by_commit(profile: Profile, target: int, ctx: PieceContext) -> Compressed | None:
    """When commit headers and messages alone do not fit: whole commits go, the kept ones without their patches."""
    diff = profile.diff
    if len(profile.commits) < 2:
        return None
    room = target - profile.marker
    for _ in range(8):
        if room < 0:
            return None
        kept: set[int] = set()
        used = 0
        for k in profile.commit_order:
            start, head, end = profile.commits[k]
            cost = sum(profile.costs[start:head]) + (profile.marker if head < end else 0)
            if k - 1 not in kept and k + 1 not in kept:
                cost += profile.marker
            if used + cost <= room:
                kept.add(k)
                used += cost
        omitted = [index >= diff.commits[0] for index in range(len(diff.lines))]
        for k in kept:
            start, head, _ = profile.commits[k]
            omitted[start:head] = [False] * (head - start)
        out, counts = write(
            diff, omitted, {}, set(), ctx, patches_under_stat=True, names=profile.names, marks=profile.marks
        )
        cost = ctx.counter.count(out)
        if cost <= target:
            return Compressed(out, omitted=counts, fallbacks=(SHORT,) if cost < 0.9 * target else ())
        room = int(room * 0.85)
    return None


def _cost(profile: Profile, index: int, form: Form) -> int:
    """What ``form`` of hunk ``index`` is estimated to cost, computed once per piece (the choice of
    every room of the budget search compares the same forms)."""
    key = (index, form)
    known = profile.form_costs.get(key)
    if known is not None:
        return known
    hunk = profile.diff.hunks[index]
    if form is None:
        cost = sum(profile.costs[hunk.start : hunk.end])
    else:
        kept = sum(sum(profile.costs[a:b]) for a, b, _ in form)
        headers = sum(1 for _, _, header in form if header)
        cost = kept + headers * profile.header + (len(form) + 1) * profile.marker // 2
    profile.form_costs[key] = cost
    return cost


def _forms(profile: Profile, index: int, headless: int) -> list[Form]:
    """The forms a hunk may take, smallest last: whole or trimmed, then the query's lines; once the
    text no longer applies as a patch also the best lines alone (issue 12: a hunk whose block of
    changes was longer than the room kept nothing of it)."""
    trimmed = profile.trimmed[index]
    if trimmed is not None and _cost(profile, index, None) <= _cost(profile, index, trimmed):
        trimmed = None  # its marks and @@ lines cost more than the context they save
    focus = [profile.focused[index], profile.narrow[index]]
    if headless:
        focus += [profile.loose[index], profile.bare[index], profile.single[index]]
    if headless > 1:
        focus += [profile.plain_bare[index], profile.plain_single[index]]
    return list(dict.fromkeys([trimmed, *(f for f in focus if f is not None)]))


def _smallest(profile: Profile, index: int, headless: int) -> int:
    return min(_cost(profile, index, form) for form in _forms(profile, index, headless))


def choose(
    profile: Profile, room: int, *, headless: int = 0, excluded: frozenset[int] = frozenset()
) -> dict[int, Form]:
    """Units in rank order while they fit ``room``: hunk -> form, or stat line -> None.

    Monotone in ``room``: a larger room keeps every unit a smaller one kept. The choice is the
    longest run of a fixed sequence of steps (``_steps``) that fits, so which units are kept does
    not depend on what fitted before them (a first fit that skips a unit too big for the room
    kept fewer units when a larger room let that unit in); past the run, room left over buys only
    larger forms of kept units, never a new unit.
    """
    chosen: dict[int, Form] = {}
    used = 0
    steps = _steps(profile, headless, excluded)
    stop = len(steps)
    for at, (index, form, cost) in enumerate(steps):
        if used + cost > room:
            stop = at
            break
        chosen[index] = form
        used += cost
    for index, form, _ in steps[stop:]:
        if index not in chosen or not profile.diff.hunks:
            continue
        extra = _cost(profile, index, form) - _cost(profile, index, chosen[index])
        if 0 < extra and used + extra <= room:
            chosen[index] = form
            used += extra
    return chosen


def _steps(profile: Profile, headless: int, excluded: frozenset[int] = frozenset()) -> list[tuple[int, Form, int]]:
    """The sequence ``choose`` takes a run of: (unit, its form from then on, tokens the step adds).

    Stat lines in rank order; or hunks: first every hunk the query matches in its smallest form,
    best first; then those hunks grown in rounds up to the lines the query asks about, each round
    one form larger for every hunk (a fact in the fourth hunk is as likely as one in the first);
    then the hunks the query does not match; then rounds up to the trimmed and whole hunks.
    """
    key = (headless, excluded)
    if key not in profile.steps:
        profile.steps[key] = _sequence(profile, headless, excluded)
    return profile.steps[key]


def _sequence(profile: Profile, headless: int, excluded: frozenset[int]) -> list[tuple[int, Form, int]]:
    diff = profile.diff
    if not diff.hunks:
        return [(line, None, profile.costs[line]) for line in profile.order]
    order = [index for index in profile.order if index not in excluded]
    steps: list[tuple[int, Form, int]] = []
    current: dict[int, Form] = {}
    opened: set[int] = set()

    def add(index: int) -> None:
        hunk = diff.hunks[index]
        extra = profile.opening.get(hunk.file, 0) if hunk.file not in opened and not headless else 0
        if index - 1 not in current and index + 1 not in current:
            extra += profile.marker
        smallest = min(_forms(profile, index, headless), key=lambda f: _cost(profile, index, f))
        current[index] = smallest
        opened.add(hunk.file)
        steps.append((index, smallest, _cost(profile, index, smallest) + extra))

    def grow(rounds: Sequence[str], units: Sequence[int]) -> None:
        for step in rounds:
            if (
                (not headless and step in _HEADLESS_FORMS)
                or (headless and step in _WIDENED)
                or (headless < 2 and step.startswith("plain"))
            ):
                continue
            for index in units:
                form = (
                    None
                    if step == "whole"
                    else (profile.ladder[step] if step in profile.ladder else getattr(profile, step))[index]
                )
                if form is None and step != "whole":
                    continue
                extra = _cost(profile, index, form) - _cost(profile, index, current[index])
                if extra > 0:
                    current[index] = form
                    steps.append((index, form, extra))

    matching = [index for index in order if profile.focused[index] is not None]
    # hunks no question word selects: code before docs, then the cheapest first, so the run of
    # them that fits keeps as many as the room holds (a big first hunk would stop it at none)
    others = sorted(
        (index for index in order if profile.focused[index] is None),
        key=lambda h: (bool(DOCS.search(diff.files[diff.hunks[h].file].path)), _smallest(profile, h, headless)),
    )
    # the hunks whose best line scores at least half the diff's best go first and grow before
    # the weaker matches come in (a file name in a docstring matches too)
    best = max((profile.peaks[index] for index in matching), default=0.0)
    strong = [index for index in matching if profile.peaks[index] >= best / 2]
    weak = [index for index in matching if profile.peaks[index] < best / 2]
    ladder = tuple(f"plain_top{k}" for k in LADDER) if headless > 1 else ("bare", *(f"top{k}" for k in LADDER))
    # a matching hunk whose smallest form is many times a typical one's (a 140-line added block that
    # must stay whole while the text applies) comes after the other matching hunks, not before them:
    # the run of steps stopped at it with a fifth of the room unused and every later hunk left out
    sizes = sorted(_smallest(profile, index, headless) for index in matching)
    bulky = {
        index for index in matching if sizes and _smallest(profile, index, headless) > _BULKY * sizes[len(sizes) // 2]
    }
    # when the question names code, the docs and changelog hunks it matches come after every code
    # hunk, the ones it does not match too (issue 12: docs and changelog hunks won over code hunks
    # that hold no query word): a 370-token PKG-INFO hunk naming ``parse_float`` stopped the run with
    # 40% of the room unused, the code hunks after it left out
    later = [index for index in matching if profile.code and DOCS.search(diff.files[diff.hunks[index].file].path)]
    growth = ("plain_bare", *ladder, "loose", "spread", "matched", "narrow", "focused")
    for units in (
        [i for i in strong if i not in bulky and i not in later],
        [i for i in weak if i not in bulky and i not in later],
        [i for i in matching if i in bulky and i not in later],
    ):
        for index in units:
            add(index)
        grow(growth, units)
    for index in others:
        add(index)
    for index in later:
        add(index)
    grow(growth, later)
    grow(("trimmed", "whole"), order)
    return steps


def _render(
    profile: Profile,
    chosen: dict[int, Form],
    ctx: PieceContext,
    dropped: Sequence[int] = (),
    *,
    brief: bool = False,
    entries: bool = False,
) -> tuple[str, dict[str, int]]:
    """Kept hunks in their forms, dropped ones and files left without hunks omitted; or stat lines.
    ``entries``: the file entries the question matches (``Profile.entries``) stay, hunks kept or not."""
    diff = profile.diff
    omitted = [False] * len(diff.lines)
    header_at: dict[int, str] = {}
    replaced: set[int] = set()
    if not diff.hunks:
        for number in diff.stat:
            omitted[number] = number not in chosen
        return write(diff, omitted, header_at, replaced, ctx, brief=brief, names=profile.names, marks=profile.marks)
    for index, hunk in enumerate(diff.hunks):
        form = chosen.get(index, ())
        if form is None:
            continue
        if not form:
            omitted[hunk.start : hunk.end] = [True] * (hunk.end - hunk.start)
            continue
        kept = {number for first, end, _ in form for number in range(first, end)}
        for number in range(hunk.start + 1, hunk.end):
            omitted[number] = number not in kept
        for first, _, header in form:
            if header:
                header_at[first] = header
        # a plain form's lines stand under the mark that took their @@ line
        omitted[hunk.start] = omitted[hunk.start + 1] or not any(header for _, _, header in form)
        if not omitted[hunk.start]:
            replaced.add(hunk.start)
    for section in diff.files:
        if section.collapsible and not any(h in chosen for h in section.hunks):
            omitted[section.start : section.header_end] = [True] * (section.header_end - section.start)
    for number in dropped:
        omitted[number] = True
    for number in profile.entries if entries else ():
        omitted[number] = False
    return write(diff, omitted, header_at, replaced, ctx, brief=brief, names=profile.names, marks=profile.marks)
