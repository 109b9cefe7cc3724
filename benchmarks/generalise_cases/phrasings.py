"""The same questions asked in other words: two more phrasings of every template.

Eleven rounds tuned the compressors on questions filled from a handful of templates per kind, and
a rule can learn a template's own words ("calls", "used together with", "change to") instead of
what a question means. The held-out conversations are asked by people, in their words. So every
template has two rewordings here, with the same slots: ``alt``, which may be tuned on, and
``heldout``, which is only ever read as aggregates (written at the same time as ``alt``, before
either was measured). They are terser and looser than the templates, as an agent's user types:
lower case, no question mark, backticks, a dotted key path, ``a -> b``.

``rephrase`` reads a built question back into its template and slots (a question the templates do
not produce stays as it is) and fills the rewording, so saved cases can be asked again without
building them; the facts, outputs and halves do not change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .code import C_DEFINE_TEMPLATES, C_FUNC_TEMPLATES, PY_TEMPLATES
from .data import DPKG_TEMPLATES, JSON_TEMPLATES, KEYED_TEMPLATES, PIP_TEMPLATES, TABLE_TEMPLATES
from .diffs import DIFF_TEMPLATES, LOG_TEMPLATES
from .logs import ERROR_TEMPLATES, TEMPLATES
from .more import CONFIG_TEMPLATES, CONFIG_TOP_TEMPLATES, JS_TEMPLATES, MD_TEMPLATES
from .runs import FIND_TEMPLATES, LS_TEMPLATES, TEST_TEMPLATES
from .search import MULTI_TEMPLATES, SEARCH_TEMPLATES
from .text import HTML_TEMPLATES, MAN_OPTION_TEMPLATES, MAN_PROSE_TEMPLATES

PHRASINGS = ("asked", "alt", "heldout")

# each template tuple, and beside it its rewordings in the same order: (alt, heldout) per template
_REWORDED: tuple[tuple[Sequence[str], tuple[tuple[str, str], ...]], ...] = (
    (
        PY_TEMPLATES,
        (
            ("what does `{name}` in {file} do if {w1}", "{file}: explain the {w1} branch of {name}"),
            (
                "{name} ({file}) - how are {w1} and {w2} used there?",
                "walk me through how {name} uses {w1} with {w2}, file {file}",
            ),
            ("where does {name} deal with {w1}? ({file})", "point me to the {w1} handling in `{name}`, {file}"),
            ("{file} - what does {name} do with {w1}", "trace {w1} through {name} in {file} please"),
            ("how does {name} compute {w1}? looking at {file}", "in `{file}`, where does {name} get {w1} from?"),
        ),
    ),
    (
        JS_TEMPLATES,
        (
            ("what does `{name}` in {file} do if {w1}", "{file}: explain the {w1} branch of {name}"),
            (
                "{name} ({file}) - how are {w1} and {w2} used there?",
                "walk me through how {name} uses {w1} with {w2}, file {file}",
            ),
            ("where does {name} deal with {w1}? ({file})", "point me to the {w1} handling in `{name}`, {file}"),
            ("{file} - what does {name} do with {w1}", "trace {w1} through {name} in {file} please"),
        ),
    ),
    (
        C_FUNC_TEMPLATES,
        (
            ("what are the parameters of {name} in {file}", "{name} signature? ({file})"),
            ("show the prototype of `{name}` from {file}", "how is {name} declared in {file}"),
            (
                "{file}: what does {name} return and what does it take",
                "give me {name}'s return type and args as declared in {file}",
            ),
        ),
    ),
    (
        C_DEFINE_TEMPLATES,
        (
            ("what is {name} defined as in {file}", "value of the {name} macro in {file}?"),
            ("{file}: the definition of `{name}`", "what does {name} expand to ({file})"),
        ),
    ),
    (
        JSON_TEMPLATES,
        (
            (
                "{key} for the entry with {nkey} = {nvalue}?",
                "find the record where {nkey} is {nvalue} and give me its {key}",
            ),
            ("what {key} has {nvalue} got in {file}", "{file}: {nvalue} -> {key}?"),
            ("check {file} for {nvalue}, I need the {key}", "what's the {key} of {nvalue} according to {file}"),
        ),
    ),
    (
        PIP_TEMPLATES,
        (
            ("what {name} version do we have", "is {name} there? version?"),
            ("installed version of {name}?", "check whether {name} is installed and tell me the version"),
        ),
    ),
    (
        DPKG_TEMPLATES,
        (
            ("{name}: installed size and version?", "how much space does {name} take and what version is installed"),
            ("what section is {name} in, and its version", "give me {name}'s version and section"),
        ),
    ),
    (
        TABLE_TEMPLATES,
        (
            ("{file}: {column} for {cell}?", "look up {cell} in {file} and give the {column}"),
            ("what {column} does {cell} have in {file}", "{cell}'s {column} per {file}?"),
            ("which {column} is listed for {cell} in {file}", "in {file} what's the {column} on the {cell} row"),
        ),
    ),
    (
        KEYED_TEMPLATES,
        (
            (
                "{file}: {column} of {cell} where {key} = {value}?",
                "for {cell} with {key} {value}, what is the {column} in {file}",
            ),
            (
                "what {column} has the {cell} entry with {key} {value} ({file})",
                "{file}, row {cell} / {key} {value}: {column}?",
            ),
            (
                "look up {cell} ({key} {value}) in {file}, what is the {column}",
                "which {column} does {file} list for {cell} when {key} is {value}",
            ),
        ),
    ),
    (
        DIFF_TEMPLATES,
        (
            (
                "{old}..{new}: what's different in {func} ({file}) near {w1}",
                "diff {func} in {file} from {old} to {new}, focus on {w1}",
            ),
            ("how was {w1} changed in {func}, {file}?", "{file} diff: is {w1} in {func} modified, and how"),
            ("what did {new} do to {w1} handling in {func}", "{func} and {w1}: any change in {new}?"),
        ),
    ),
    (
        LOG_TEMPLATES,
        (
            (
                "find the commit that touched {w1} inside {func} ({file})",
                "git history: who changed {w1} in {file}'s {func} and what was the change",
            ),
            ("when was {w1} introduced in {func}? file {file}", "which commit made {func} in {file} use {w1}"),
            (
                "the {func} change in {file} around {w1} - show it",
                "what commit modified {func} ({file}) regarding {w1}",
            ),
        ),
    ),
    (
        TEMPLATES,
        (
            ("anything about {w1} {w2} in {log}?", "{log}: {w1} {w2} entries?"),
            ("time of the {w1} {w2} event in {log}", "check {log} for when {w1} {w2} occurred"),
            ("grep {log} for {w1} / {w2}, what's the line", "which line of {log} mentions {w1} and {w2}"),
            ("{w1} near {w3} in {log} - what happened", "in {log}, {w1} at {w3}: what's going on"),
        ),
    ),
    (
        ERROR_TEMPLATES,
        (
            ("{w1} failed, see {log} around {w2} - why?", "what's the {w1} failure in {log} (near {w2})"),
            ("does {log} show any {w1} {w2} errors", "{log}: errors mentioning {w1} {w2}?"),
        ),
    ),
    (
        MD_TEMPLATES,
        (
            (
                "{file}, {heading}: anything on {w1} and {w2}?",
                'under "{heading}" in {file}, what\'s said about {w1} {w2}',
            ),
            (
                "how are {w1} and {w2} connected in the {heading} part of {file}",
                "{heading} section ({file}): {w1} vs {w2}?",
            ),
            ("find {w1} {w2} in {file}", "{file} - which part talks about {w1} {w2}"),
        ),
    ),
    (
        CONFIG_TEMPLATES,
        (
            ("what's the {key} for {parent} in {file}", "{file} -> {parent}.{key} = ?"),
            ("{key} under {parent}, in {file}?", "look up {parent} / {key} in {file}"),
            ("which {key} is configured for {parent} ({file})", "what does {file} set {parent}'s {key} to"),
        ),
    ),
    (
        CONFIG_TOP_TEMPLATES,
        (
            ("{file}: {key} = ?", "value of {key} in {file}"),
            ("what {key} is in {file}", "check the {key} setting of {file}"),
        ),
    ),
    (
        TEST_TEMPLATES,
        (
            ("{module}: {test} is failing, why?", "ran {module}, {test} broke - what's the cause"),
            (
                "which assert in {test} fails ({module}) and where",
                "{test} failed in the {module} run: show the failing assertion and its line",
            ),
            ("{test} assertion failure: expected vs actual?", "what did {test} get vs expect"),
            ("what's wrong with {test}? ({module} run)", "{module} has a failing test, {test}; explain"),
        ),
    ),
    (
        LS_TEMPLATES,
        (
            ("size and mtime of {name} in {dir}?", "{name} in {dir}: how large, last modified when"),
            ("who owns {name} under {dir}, and what mode", "perms/owner for {name} ({dir})"),
            ("last change time of {name} in {dir}", "{name} in {dir} - modified when?"),
        ),
    ),
    (
        FIND_TEMPLATES,
        (
            ("find {name} in {dir}", "path of {name} below {dir}?"),
            ("{name} is in which folder of {dir}", "what subdirectory of {dir} contains {name}"),
        ),
    ),
    (
        SEARCH_TEMPLATES,
        (
            ("{pkg}: where do {name} and {w1} appear together", "find uses of {name} alongside {w1} in {pkg}"),
            ("what file in {pkg} passes {w1} to {name}", "grep {pkg} for {name} + {w1}: which file"),
            (
                "where in {pkg} do {name}, {w1} and {w2} show up on one line",
                "{name} with {w1} and {w2} in {pkg} - where?",
            ),
        ),
    ),
    (
        MULTI_TEMPLATES,
        (
            (
                "find the definition of {name} in {pkg}; how does it use {w1}",
                "{pkg}: where's {name} and what does it do to {w1}",
            ),
            ("how does {name} ({pkg}) treat {w1}", "look up {name} in {pkg} and explain its {w1} handling"),
        ),
    ),
    (
        MAN_OPTION_TEMPLATES,
        (
            ("{cmd} {opt} - what does it do", "meaning of {opt} in {cmd}?"),
            ("what happens if I pass {opt} to {cmd}", "effect of `{cmd} {opt}`?"),
            ("to {w1} {w2} with {cmd}, do I want {opt}?", "{cmd}: is {opt} the flag for {w1} {w2}?"),
        ),
    ),
    (
        MAN_PROSE_TEMPLATES,
        (
            ("man {cmd}: {w1} and {w2}?", "what does {cmd}'s manual say on {w1} {w2}"),
            ("{cmd} docs - how do {w1} and {w2} interact", "according to the {cmd} man page, {w1} vs {w2}?"),
        ),
    ),
    (
        HTML_TEMPLATES,
        (
            ("{title}: anything on {w1} {w2}?", 'on the page "{title}", what is said about {w1} {w2}'),
            ("{file} - {w1} and {w2}, how are they related", "what's the link between {w1} and {w2} in {file}"),
            ("which part of {file} covers {w1}", "find the explanation of {w1} in {file}"),
        ),
    ),
)

SLOT = re.compile(r"{(\w+)}")


def slots_of(template: str) -> set[str]:
    return set(SLOT.findall(template))


def _pattern(template: str) -> re.Pattern[str]:
    parts = SLOT.split(template)  # literal, slot, literal, slot, ...
    body = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(f"^{body}$", re.S)


# every template with its rewordings, the most literal text first: a question two templates could
# have produced ("In f, which c goes with x?" and "... goes with x and k v?") is read by the longer
TABLE: list[tuple[str, re.Pattern[str], dict[str, str]]] = sorted(
    (
        (template, _pattern(template), dict(zip(PHRASINGS[1:], reworded)))
        for templates, rewordings in _REWORDED
        for template, reworded in zip(templates, rewordings, strict=True)
    ),
    key=lambda row: -len(SLOT.sub("", row[0])),
)


def rephrase(question: str, phrasing: str) -> str:
    """``question`` asked in the ``phrasing`` rewording of the template it was filled from; itself
    for ``asked``, or when no template produces it."""
    if phrasing not in PHRASINGS:
        raise ValueError(f"unknown phrasing {phrasing!r}; choose among {', '.join(PHRASINGS)}")
    if phrasing == "asked":
        return question
    for template, pattern, reworded in TABLE:
        found = pattern.match(question)
        if found and template.format(**found.groupdict()) == question:
            return reworded[phrasing].format(**found.groupdict())
    return question
