"""The regular-expression reader of a page's markup gives ``html.parser``'s events, in order.

``scan`` reads what every parser version reads alike and stops where the parser must read on;
the page's events (the scan's, then the parser's from where it stopped) must equal the parser's
alone, on the golden pages as shipped and on generated tag soup full of what the scan hands over
(``a < b``, unusual attributes, comments ended with ``-- >``, raw text, references).
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headroom.compressors.html._scan import scan

GOLDEN = Path(__file__).parent.parent / "golden" / "html"
Event = tuple[object, ...]


class _Recorder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[Event] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, tuple(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("startend", tag, tuple(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        self.events.append(("data", data))

    def handle_comment(self, data: str) -> None:
        self.events.append(("comment", data))

    def handle_decl(self, decl: str) -> None:
        self.events.append(("decl", decl))

    def handle_pi(self, data: str) -> None:
        self.events.append(("pi", data))

    def unknown_decl(self, data: str) -> None:
        self.events.append(("unknown", data))


def _both(page: str) -> tuple[list[Event], list[Event], int]:
    alone = _Recorder()
    alone.feed(page)
    alone.close()
    scanned = _Recorder()
    stop = scan(page, scanned)
    if stop < len(page):
        scanned.feed(page[stop:])
    scanned.close()
    return alone.events, scanned.events, stop


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.html")))
def test_real_pages_are_scanned_to_their_end_with_the_parser_s_events(name: str) -> None:
    page = (GOLDEN / name).read_text()
    alone, scanned, stop = _both(page)
    assert scanned == alone
    assert stop == len(page)  # DocBook's ``<TITLE\n>``, mdBook's ``<noscript>`` and Sphinx read whole


@pytest.mark.parametrize(
    "page",
    [
        "<p>a < b and 1<2</p>",
        "<a href=x/>t</a><a href=x />u<br/><br />",
        '<a b="c"d=e f=\'g\' h="&amp;&copy=1" i=>x</a>',
        "<!-- a -- > b --> c <!--> d --> <!--- e --> <!-- f --!> g -->",
        "<script>if (a<b) x = '</scr' + 'ipt>';</script><script><!-- x --></script>",
        "<style><!--\np { x: 1 }\n--></style ><style/>p",
        "<title>A &amp; B</title><textarea><b>x</b></textarea><xmp>&lt;</xmp>",
        "<?xml version='1.0'?><!DOCTYPE html><![CDATA[ x ]]><!weird>",
        "<DIV CLASS=Menu>x</DIV ><div\xa0class=a>y</div></ div></>",
        "text &amp; &#x41; &unknown; &",
        "<p>ends in <",
    ],
)
def test_what_the_scan_hands_over_ends_as_the_parser_reads_it(page: str) -> None:
    alone, scanned, _ = _both(page)
    assert scanned == alone


_PIECES = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<div class='nav'>",
        "</div>",
        '<a href="#x">',
        "<a href=/x/y>",
        "</a>",
        "<br/>",
        "<img src=a.png alt=''>",
        "<script>",
        "</script>",
        "<style>",
        "</style>",
        "<title>",
        "</title>",
        "<!--",
        "-->",
        "--!>",
        "<!DOCTYPE html>",
        "<?pi?>",
        "< ",
        "<",
        ">",
        "&amp;",
        "&",
        "\n",
        "  ",
        "<P CLASS=x>",
        "</P >",
        "<a b=c/>",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text("ab <>&/=\"'-!\n", max_size=8)), max_size=40))
def test_tag_soup_gets_the_parser_s_events(parts: list[str]) -> None:
    alone, scanned, _ = _both("".join(parts))
    assert scanned == alone
