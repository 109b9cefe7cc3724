"""The last rewrites of the regex audit (issue 17) find what the former patterns found.

The audit (``python benchmarks/scaling.py --regex-audit --modules markers secrets``)
found two patterns left in ``markers`` and ``secrets`` that grow faster than
their input: ``markers._SPAN_RE`` under ``finditer`` on a run of digits, and the
private key format on a line repeating BEGIN headers. As in
``tests/test_linear_regexes.py``, the former pattern is the reference, compared
on generated text over the pieces that matter (hypothesis) and on real
fixtures, and the new form runs once on a long line of the slow filler (its
result checked, never its time).
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from headroom.markers import _SPAN_RE
from headroom.secrets import _FORMATS, _private_keys, find_secrets

LONG = 200_000
FIXTURES = Path(__file__).parent / "golden"

OLD_SPAN_RE = re.compile(r"(?P<first>\d+)-(?P<last>\d+)(?:\s|:|$)")
PRIVATE_KEY = _FORMATS[0][1]
assert _FORMATS[0][0] == "private key"

KEY_PIECES = [
    "-----BEGIN PRIVATE KEY-----",
    "-----END PRIVATE KEY-----",
    "-----BEGIN EC PRIVATE KEY BLOCK-----",
    "-----END EC PRIVATE KEY BLOCK-----",
    "MIIEvQIBADANBgkqhkiG9w0",
    "-----BEGIN ",
    "-----END ",
    "PRIVATE KEY",
    " BLOCK",
    "-----",
    "RSA ",
    "EC ",
    "OPENSSH ",
    "MIIEv",
    "abc+/=",
    "\n",
    " ",
    "-",
    "A",
    "0",
    "!",
    "\u00e9",
    ":,",
]


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, str | None, str | None]]:
    return [(m.start(), m.end(), m["first"], m["last"]) for m in pattern.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789-: \nx", max_size=40))
def test_span_re_finds_what_it_found(text: str) -> None:
    assert _spans(_SPAN_RE, text) == _spans(OLD_SPAN_RE, text)
    assert bool(_SPAN_RE.match(text)) == bool(OLD_SPAN_RE.match(text))
    if found := _SPAN_RE.match(text):
        assert found.groups() == OLD_SPAN_RE.match(text).groups()  # type: ignore[union-attr]


def test_span_re_on_real_marker_details_and_a_long_run_of_digits() -> None:
    for detail in ("41-160 of 300", "3-9,14-20 more", "1-2", "1-2:", "12-x", "", "7-8 lines"):
        assert _spans(_SPAN_RE, detail) == _spans(OLD_SPAN_RE, detail)
    assert list(_SPAN_RE.finditer("0" * LONG)) == []
    assert [m.span() for m in _SPAN_RE.finditer("0" * LONG + "-1 ")] == [(0, LONG + 3)]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(KEY_PIECES), max_size=60))
def test_private_keys_finds_what_the_pattern_found(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _private_keys(text) == [m.span() for m in PRIVATE_KEY.finditer(text)]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["-----BEGIN RSA PRIVATE KEY-----\n", "\n-----END RSA PRIVATE KEY-----", "\n"]),
            st.text(alphabet="ABCab01+/=\n -", min_size=0, max_size=30),
        ),
        max_size=12,
    )
)
def test_private_keys_with_bodies_of_every_length(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert _private_keys(text) == [m.span() for m in PRIVATE_KEY.finditer(text)]


def test_private_keys_at_the_body_length_bounds() -> None:
    head, tail = "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----"
    for body in (15, 16, 17, 16_383, 16_384, 16_385):
        text = head + "A" * body + tail
        assert _private_keys(text) == [m.span() for m in PRIVATE_KEY.finditer(text)]
    overlapping = head + "B" * 20 + "-----END PRIVATE KEY-----END PRIVATE KEY-----"
    assert _private_keys(overlapping) == [m.span() for m in PRIVATE_KEY.finditer(overlapping)]


def test_private_keys_in_real_fixtures_with_planted_keys() -> None:
    key = (
        "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "b3BlbnNzaC1rZXktdjEAAAAA\n" * 4 + "-----END OPENSSH PRIVATE KEY-----"
    )
    files = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in (".txt", ".log", ".json", ".py"))
    assert files
    for n, path in enumerate(files[:40]):
        text = path.read_text(encoding="utf-8", errors="replace")
        cut = (n * 997) % max(1, len(text))
        planted = text[:cut] + key + text[cut:] + "\n-----BEGIN RSA PRIVATE KEY-----\n" + text[:200]
        assert _private_keys(planted) == [m.span() for m in PRIVATE_KEY.finditer(planted)]
        assert _private_keys(text) == [m.span() for m in PRIVATE_KEY.finditer(text)]


def test_a_long_line_of_begin_headers_is_scanned() -> None:
    head = "-----BEGIN PRIVATE KEY-----"
    line = head * (LONG // len(head))
    assert _private_keys(line) == []
    keyed = line + "A" * 20 + "-----END PRIVATE KEY-----"
    found = find_secrets(keyed)
    assert [(f.kind, f.end) for f in found] == [("private key", len(keyed))]
    # the lazy body takes the last header that leaves at least 16 body characters before the END
    assert found[0].start == [m.span() for m in PRIVATE_KEY.finditer(keyed[-20_000:])][0][0] + len(keyed) - 20_000
