"""Mixed content: a tool output holding several kinds, split into sections, each compressed by its own compressor.

``_mixed_split`` finds the fenced blocks, embedded JSON and embedded diffs; the
router decides each section's content type (a fenced body of JSON goes to the
JSON compressor, one of Python to the code compressor, the text around them to
whatever it is); fence lines and the prefix before embedded JSON stay as they
are. Sections are joined back in order.

Under a budget every section starts at its lossless default form and the one
with the most tokens steps down the caller's ladder (``Config.levels``, the
targets the allocator uses, then a bare marker) until the whole fits, so small sections
give last; a section's size counts for up to four times less the better it
matches the query (BM25 over the sections), so the section the question is
about gives last too. A block at its bare marker takes its fence lines or its
prefix into it, and consecutive sections at their bare marker make one marker.

Every marker carries the piece's handle and speaks of the whole piece: a
leading line range is shifted to the piece's lines, a ``chars`` range to its
characters, and a marker counting records (``rows``, ``keys``, ``items``),
whose ranges are the section's own, gains the section's line span (``in lines
40-90``), so ``retrieve(handle, lines=...)`` finds what any marker stands for.
"""

from __future__ import annotations

import functools
import heapq
import re
from dataclasses import dataclass, field

from headroom.compressors.mixed._split import Section, split_sections
from headroom.markers import own_marks
from headroom.plugins import CHECKS, Compressed, Compressor, PieceContext, builtin_registry, split_lines
from headroom.relevance import BM25
from headroom.tokens import count_joined

__all__ = ["MixedCompressor"]

_DEFAULT = -1  # the step of a section's default policy, used when there is no budget
_RECORD_UNITS = frozenset({"rows", "keys", "items"})
_LEAD_IN_LINES = 3  # lines of text before a block that say what it is
_LEADING_RANGES = re.compile(r"^\d+-\d+(?:,\d+-\d+)*")
_RANGE = re.compile(r"(\d+)-(\d+)")


class MixedCompressor(Compressor):
    content_type = "mixed"
    name = "mixed"

    def compress(self, text: str, target: int | None, ctx: PieceContext) -> Compressed | None:
        plan = self._plan(text, ctx)
        if plan is None:  # routed here but nothing embedded after all
            return ctx.compressor("text").compress(text, target, ctx)
        return plan.default() if target is None else plan.fit(target)

    def _plan(self, text: str, ctx: PieceContext) -> _Plan | None:
        """The sections with their compressors and forms, kept for the piece: the allocator asks
        for the same piece at many targets in a row, and the core keeps one compressor per piece."""

        def build() -> _Plan | None:
            sections = split_sections(text)
            return None if sections is None else _Plan(text, sections, ctx)

        return self.once_per_piece((text, ctx.query, id(ctx.counter)), build)


@dataclass
class _Form:
    text: str
    tokens: int
    omitted: dict[str, int]
    lossless: bool


@dataclass
class _Part:
    """One section: its text, where it sits in the piece, and its forms by step (see ``_Plan._form``)."""

    text: str
    tokens: int
    section: Section
    last_line: int
    content_type: str = "keep"
    compressor: Compressor | None = None
    forms: dict[int, _Form] = field(default_factory=dict)


class _Plan:
    def __init__(self, text: str, sections: list[Section], ctx: PieceContext) -> None:
        self.text, self.ctx = text, ctx
        self.fallbacks: list[str] = []
        self._markers: dict[tuple[int, int], _Form] = {}
        registry = ctx.registry if ctx.registry is not None else builtin_registry()
        self.parts: list[_Part] = []
        for section in sections:
            body = text[section.start : section.end]
            last_line = section.line + body.count("\n", 0, len(body) - 1)
            part = _Part(body, ctx.counter.count(body), section, last_line)
            if section.kind != "keep":
                detected = registry.router.detect(body)
                part.content_type = "text" if detected == MixedCompressor.content_type else detected
                part.compressor = registry.build(part.content_type, ctx.options)
            self.parts.append(part)
        # a block goes with its fence lines or its prefix: when the block is one bare marker, they
        # go into it too, and a run of such groups becomes one marker
        self.groups: list[list[int]] = []
        index = 0
        while index < len(self.parts):
            size = 1
            if self.parts[index].section.kind == "keep" and index + 1 < len(self.parts):
                block = self.parts[index + 1].section
                if block.origin == "fence":
                    size = 3
                elif block.origin == "json" and block.start > 0 and text[block.start - 1] != "\n":
                    size = 2
            self.groups.append(list(range(index, min(index + size, len(self.parts)))))
            index += size
        # the sections the question is about give last: BM25 over the sections, each read with the
        # end of the text before it (the heading or sentence that says what a block is), up to 4x the weight
        # (without a query every score is zero: reading every section for BM25 cost seconds on a large piece)
        query = ctx.query if ctx.query and ctx.query.strip() else None
        documents = [self._lead_in(i) + part.text for i, part in enumerate(self.parts)] if query else []
        scores = BM25(documents).scores(query) if query else [0.0] * len(self.parts)
        best = max(scores, default=0.0)
        self.weights = [1.0 + 3.0 * score / best if best else 1.0 for score in scores]

    def _lead_in(self, index: int) -> str:
        """The last lines of the nearest text section before part ``index``, for a block."""
        if self.parts[index].section.kind == "text":
            return ""
        for before in range(index - 1, -1, -1):
            if self.parts[before].section.kind == "text":
                return "".join(split_lines(self.parts[before].text)[-_LEAD_IN_LINES:])
        return ""

    def default(self) -> Compressed | None:
        result = self._render([_DEFAULT] * len(self.parts))[0]
        return None if result.text == self.text else result

    def fit(self, target: int) -> Compressed | None:
        """The first state of the walk down the ladder whose estimate and real count fit ``target``."""
        found = self.state(target)
        if found is None:
            return None
        result = found[1]
        return None if result.text == self.text else result

    def state(self, target: int) -> tuple[int, Compressed] | None:
        """The first state of the walk whose estimate and real count fit ``target``, and its result.

        The walk (which section steps next) does not depend on the target, so
        it is kept for the piece (``_Walk``) and the allocator's later targets
        read their stopping point off it; only a state whose estimate fits is
        rendered and counted. Monotone in the room: a state that fits a target
        fits every larger one, so a larger target stops at the same state or an
        earlier one, where every section is at the same rung of the ladder or a
        higher one and no section kept at the smaller target is a bare marker.
        """
        walk = self._walk
        state = 0
        while True:
            if state == len(walk.estimates) and not walk.extend():
                return None
            if walk.estimates[state] <= target:
                result, pieces = self._render(walk.steps_at(state))
                if count_joined(pieces, self.ctx.counter) <= target:
                    return state, result
            state += 1

    @functools.cached_property
    def _walk(self) -> _Walk:
        return _Walk(self)

    def _render(self, steps: list[int]) -> tuple[Compressed, list[tuple[str, int]]]:
        """The joined text at ``steps``, and the pieces joined with their own counts (their sum is
        the estimate; ``count_joined`` makes it exact)."""
        out: list[tuple[str, int]] = []
        omitted: dict[str, int] = {}
        lossless = True
        run: list[int] = []  # parts of consecutive groups whose block is a bare marker

        def close_run() -> None:
            if run:
                form = self._marker(run[0], run[-1])
                out.append((form.text, form.tokens))
                for unit, count in form.omitted.items():
                    omitted[unit] = omitted.get(unit, 0) + count
                run.clear()

        for group in self.groups:
            movers = [i for i in group if self.parts[i].compressor is not None]
            if movers and steps[movers[0]] > len(self.ctx.levels):
                run.extend(group)
                continue
            close_run()
            for i in group:
                form = self._form(i, steps[i])
                out.append((form.text, form.tokens))
                lossless = lossless and form.lossless
                for unit, count in form.omitted.items():
                    omitted[unit] = omitted.get(unit, 0) + count
        close_run()
        result = Compressed(
            "".join(text for text, _ in out),
            lossless=lossless and not omitted,
            omitted=omitted,
            fallbacks=tuple(dict.fromkeys(self.fallbacks)),
        )
        return result, out

    def _form(self, index: int, step: int) -> _Form:
        """The section at ``step``: its default policy (``_DEFAULT``, no budget), then under a
        budget its lossless default (0), the ladder's targets, and past the last a bare marker; never
        bigger than the step before."""
        part = self.parts[index]
        if step not in part.forms:
            previous = _Form(part.text, part.tokens, {}, True) if step <= 0 else self._form(index, step - 1)
            made = None
            if part.compressor is not None:
                made = self._marker(index, index) if step > len(self.ctx.levels) else self._compress(part, step)
            if step == 0 and made is not None and not made.lossless:
                made = None  # as the core does: under a budget, the loss is chosen by the steps
            part.forms[step] = made if made is not None and made.tokens < previous.tokens else previous
        return part.forms[step]

    def _compress(self, part: _Part, step: int) -> _Form | None:
        assert part.compressor is not None
        target = None if step <= 0 else max(1, int(part.tokens * self.ctx.levels[step - 1]))
        try:
            out = part.compressor.compress(part.text, target, self.ctx)
        except Exception as error:  # noqa: BLE001 - one section's failure must not lose the others
            self.fallbacks.append(
                f"the {part.compressor.name} compressor failed on a {part.content_type} section "
                f"({type(error).__name__}: {error}); the section was kept"
            )
            return None
        if out is None:
            return None
        if (
            "chars" in out.omitted
            and part.content_type == "text"
            and self._whole_lines(part.section.start, part.section.end)
        ):
            # a row cut into a character mark reads as garbage (``ps aux`` command lines between JSON
            # arguments): a plain-text section of whole lines gives way by lines, down to its bare
            # marker, which counts lines. A family's own units stay its own (a JSON string is cut by
            # characters, a prose paragraph by sentences).
            return None
        self.fallbacks.extend(f"{part.content_type} section: {note}" for note in out.fallbacks)
        check = CHECKS.get(out.output_kind)
        if check is None or not check(out.text):
            self.fallbacks.append(
                f"{part.compressor.name} output for a {part.content_type} section failed its "
                f"{out.output_kind!r} check; the section was kept"
            )
            return None
        text = self._relocate(out.text, part)
        if part.text.endswith("\n") and not text.endswith("\n"):
            text += "\n"
        return _Form(text, self.ctx.counter.count(text), dict(out.omitted), out.lossless)

    def _marker(self, first: int, last: int) -> _Form:
        """Parts ``first`` to ``last`` as one marker: their lines, or their characters when they
        start mid-line, or hold part of one line."""
        made = self._markers.get((first, last))
        if made is None:
            made = self._markers[first, last] = self._make_marker(first, last)
        return made

    def _whole_lines(self, start: int, end: int) -> bool:
        """Whether characters ``start`` to ``end`` are whole lines of the piece."""
        return (start == 0 or self.text[start - 1] == "\n") and (end == len(self.text) or self.text[end - 1] == "\n")

    def _make_marker(self, first: int, last: int) -> _Form:
        start, end = self.parts[first].section.start, self.parts[last].section.end
        line, last_line = self.parts[first].section.line, self.parts[last].last_line
        lines = last_line - line + 1
        if self._whole_lines(start, end) or (lines > 1 and (start == 0 or self.text[start - 1] == "\n")):
            marker = self.ctx.marker(lines, "lines", f"{line}-{last_line}")
            omitted = {"lines": lines}
        else:
            marker = self.ctx.marker(end - start, "chars", f"{start + 1}-{end}")
            omitted = {"chars": end - start}
        text = marker + ("\n" if self.text[end - 1 : end] == "\n" else "")
        return _Form(text, self.ctx.counter.count(text), omitted, False)

    def _relocate(self, text: str, part: _Part) -> str:
        """``text``'s marks, made to speak of the whole piece (a mark-shaped string the section
        already held is its content and stays as it is)."""
        section = part.section

        def move(found: re.Match[str]) -> str:
            unit, detail = found["unit"], found["detail"] or ""
            leading = _LEADING_RANGES.match(detail)
            if unit in _RECORD_UNITS or leading is None:
                detail = f"{detail} in lines {section.line}-{part.last_line}".strip()
            else:  # every range of a summary mark (``3-9,14-20``: a code excerpt's one mark) moves
                shift = section.start if unit == "chars" else section.line - 1
                moved = ",".join(f"{int(a) + shift}-{int(b) + shift}" for a, b in _RANGE.findall(leading[0]))
                detail = moved + detail[leading.end() :]
            return self.ctx.marker(int(found["count"]), unit, detail)

        out, at = [], 0
        for found in own_marks(text, part.text):
            out += [text[at : found.start()], move(found)]
            at = found.end()
        return "".join(out) + text[at:]


class _Walk:
    """The greedy walk down the ladder, one section a step, with each state's estimated tokens.

    State 0 has every section at its lossless default; each next state steps
    the movable section with the most tokens (a section the question is about
    counting for less, the first on a tie) one rung down. The estimate is what
    ``_Plan._render`` sums (each group's forms, one marker per run of bare
    groups), kept by arithmetic as one section moves: rendering and summing
    every state cost seconds on a long conversation.
    """

    def __init__(self, plan: _Plan) -> None:
        self.plan = plan
        self.last = len(plan.ctx.levels)  # a step past this is a bare marker
        self.steps = [0] * len(plan.parts)
        self.moves: list[int] = []  # the section stepped to reach state k + 1
        self.group_of = {i: g for g, group in enumerate(plan.groups) for i in group}
        self.group_tokens = [sum(plan._form(i, 0).tokens for i in group) for group in plan.groups]
        self.bare = [False] * len(plan.groups)
        self.run_end: dict[int, int] = {}  # a run of bare groups: first group -> last
        self.run_start: dict[int, int] = {}  # and last -> first
        self.kept_tokens = sum(self.group_tokens)
        self.marker_tokens = 0
        self.estimates = [self.kept_tokens]
        self.heap = [self._key(i) for i, part in enumerate(plan.parts) if part.compressor is not None]
        heapq.heapify(self.heap)

    def _key(self, index: int) -> tuple[float, int]:
        # the order of ``max(movable, key=(tokens / weight, -index))``, as a min-heap
        return (-(self.plan._form(index, self.steps[index]).tokens / self.plan.weights[index]), index)

    def extend(self) -> bool:
        """Take one more step; False when no section can move."""
        if not self.heap:
            return False
        _, index = heapq.heappop(self.heap)
        plan, group = self.plan, self.group_of[index]
        before = plan._form(index, self.steps[index]).tokens
        self.steps[index] += 1
        self.moves.append(index)
        if self.steps[index] <= self.last:
            change = plan._form(index, self.steps[index]).tokens - before
            self.group_tokens[group] += change
            self.kept_tokens += change
            heapq.heappush(self.heap, self._key(index))
        else:
            self._bare(group)
        self.estimates.append(self.kept_tokens + self.marker_tokens)
        return True

    def _bare(self, group: int) -> None:
        """``group`` becomes a bare marker, joining the runs of bare groups beside it."""
        self.bare[group] = True
        self.kept_tokens -= self.group_tokens[group]
        first = last = group
        if group > 0 and self.bare[group - 1]:
            first = self.run_start.pop(group - 1)
            del self.run_end[first]
            self.marker_tokens -= self._run_tokens(first, group - 1)
        if group + 1 < len(self.bare) and self.bare[group + 1]:
            last = self.run_end.pop(group + 1)
            del self.run_start[last]
            self.marker_tokens -= self._run_tokens(group + 1, last)
        self.run_end[first], self.run_start[last] = last, first
        self.marker_tokens += self._run_tokens(first, last)

    def _run_tokens(self, first: int, last: int) -> int:
        groups = self.plan.groups
        return self.plan._marker(groups[first][0], groups[last][-1]).tokens

    def steps_at(self, state: int) -> list[int]:
        steps = [0] * len(self.steps)
        for index in self.moves[:state]:
            steps[index] += 1
        return steps
