"""A test runner's failure section as one unit that shrinks before it is dropped (issue 12).

A user asking why a test failed needs three things from its section: the failing test's name,
the error (the assertion's message) and where in the test it failed. Ranked line by line among
the rest of the log, a section's lines tie with each other and with the progress lines: in rooms
of 60-120 tokens the log kept the progress line ``test_x (...) ... FAIL`` and the summary
``FAILED (failures=1)`` and put the ``AssertionError: ...`` line and the ``File "...", line N``
frame into a mark that counted them as errors (16 of 26 facts lost on the generalisation
benchmark's ``test`` kind).

The vocabulary of the two runners' sections (``_parse`` finds the sections):

- **unittest**: a ``====`` rule, ``FAIL: name (module.Class.name)`` (or ``ERROR:``), a ``----``
  rule, then the traceback. Its core: the name line, the exception line (the first line at the
  left margin after the last frame: ``AssertionError: 3 == 3``), the last frame in the test
  itself (``File "...", line N, in test_x``, the function the header names, else the last frame)
  and the source line under it, then the first frame in that file (where the test file's code was
  entered: a decorator's wrapper).
- **pytest**: ``____ Class.test_x ____``, the test's source with ``>`` at the failing line,
  ``E   `` lines, then ``file.py:N: AssertionError`` (one per frame for a deeper failure; a frame
  that called on is ``file.py:N: `` above the ``_ _ _`` separator, or ``file.py:N: in helper``).
  Its core: the first ``E`` line, the innermost location line in the test's file (the file of
  the first location, the test's own frame, which pytest prints first: the test itself, or a
  helper of that file it reached, maybe through a library's frames), the name line, the first
  location line and the last one (where the error was raised), and the ``>`` line.

The core lines are returned in the order they are worth keeping: a tight room keeps the error
line and the place before the source line; the rest of the section ranks as a block does.
"""

from __future__ import annotations

import re

__all__ = ["failure_cores", "section_rest"]

_UNITTEST_HEAD = re.compile(r"(FAIL|ERROR|UNEXPECTED SUCCESS): (\w+)")
_PYTEST_HEAD = re.compile(r"_{3,} (?:\S+[.:])?(\w+)(?:\[.*\])? _{3,}$")
_FRAME = re.compile(r'\s+File "([^"]*)", line \d+, in (\S+)')
# ``test_x.py:12: AssertionError``, ``test_x.py:30: in helper``, and the bare ``test_x.py:40: `` pytest
# writes under a frame that called on (the test's own, above the ``_ _ _`` separator)
_LOCATION = re.compile(r"\S+:\d+: ?(\S|$)")
_PYTEST_ERROR = re.compile(r"E {2,}\S|E$")
_EXCEPTION = re.compile(r"[\w.]+(: |$)")
# the line Python writes between the tracebacks of a chained exception (pytest prints it as is)
_CHAINED = re.compile(
    r"(?:During handling of the above exception, another exception occurred"
    r"|The above exception was the direct cause of the following exception):\s*$"
)
# what a section repeats or draws: rules, pytest's ``_ _ _`` frame separator (51 tokens), the
# traceback's header; a blank line
_DECORATION = re.compile(r"[\s=_-]*$|\s*Traceback \(most recent call last\):\s*$")


def failure_cores(lines: list[str], blocks: list[tuple[int, int]]) -> list[list[int]]:
    """For each test-runner failure section among ``blocks``, its core lines, most worth keeping
    first (see the module docstring); other blocks are left out."""
    cores = []
    for start, end in blocks:
        head = lines[start]
        if head.startswith("=") and start + 1 < end:
            found = _UNITTEST_HEAD.match(lines[start + 1])
            if found:
                cores.append(_unittest_core(lines, start + 1, end, found[2]))
        elif head.startswith("_") and _PYTEST_HEAD.match(head.rstrip("\n")):
            cores.append(_pytest_core(lines, start, end))
    return cores


def _unittest_core(lines: list[str], name: int, end: int, test: str) -> list[int]:
    called = {j: found for j in range(name + 1, end) if (found := _FRAME.match(lines[j]))}
    frames = list(called)
    if not frames:
        return [name]
    own = [j for j in frames if called[j][2] == test]
    frame = own[-1] if own else frames[-1]
    # where the test file's code was entered (a decorator's wrapper in that file calling the test):
    # the first frame in the test's own file, ranked right after the test's frame
    entered = next(j for j in frames if called[j][1] == called[frame][1])
    error = -1
    for j in range(frames[-1] + 1, end):
        text = lines[j]
        if text.strip() and not text[0].isspace() and _EXCEPTION.match(text):
            error = j
            break
    return list(dict.fromkeys(j for j in (error, entered, frame, name, _source(lines, frame, end)) if j >= 0))


def _source(lines: list[str], frame: int, end: int) -> int:
    """The source line a traceback prints under ``frame``, or -1."""
    return frame + 1 if frame + 1 < end and lines[frame + 1].startswith("    ") else -1


def _pytest_core(lines: list[str], name: int, end: int) -> list[int]:
    errors = [j for j in range(name + 1, end) if _PYTEST_ERROR.match(lines[j])]
    # a chained failure prints one traceback per exception, joined by Python's own words; the error
    # kept is the first one's, so its places are read in its own traceback, not in the last one
    after = errors[0] if errors else end
    chained = [j for j in range(name + 1, end) if _CHAINED.match(lines[j])]
    first = max((j for j in chained if j < after), default=name)
    last = min((j for j in chained if j > after), default=end)
    places = [j for j in range(first + 1, last) if _LOCATION.match(lines[j])]
    marked = [j for j in range(first + 1, last) if lines[j].startswith(">")]
    # where in the test's file it failed: the innermost location in the file of the first one (the
    # test's own frame, printed first), a helper of that file that the test called or the test itself
    in_file = [j for j in places if _file(lines[j]) == _file(lines[places[0]])]
    core = [errors[0] if errors else -1, in_file[-1] if in_file else -1, name]
    core += [places[0] if places else -1, places[-1] if places else -1, marked[0] if marked else -1]
    return list(dict.fromkeys(j for j in core if j >= 0))


def _file(location: str) -> str:
    """The file of a pytest location line (``test_pty.py:351: in _mock_select`` -> ``test_pty.py``)."""
    return location.split(":", 1)[0]


def section_rest(lines: list[str], start: int, end: int, core: list[int]) -> list[int]:
    """The lines of the section ``[start, end)`` beyond its ``core`` that say something, from its
    end upward: where the error was raised (a helper's frame and its assertion line, the library's
    frame) before the test's earlier source lines. Rules, blank lines, pytest's ``_ _ _`` separator
    and the ``Traceback`` header are left out: they repeat or draw, and rank as the log's other lines."""
    kept = set(core)
    return [j for j in range(end - 1, start, -1) if j not in kept and not _DECORATION.match(lines[j])]
