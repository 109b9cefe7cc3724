"""The HTML compressor on a real documentation page: chrome gone, text kept, original retrievable."""

from __future__ import annotations

from pathlib import Path

from headroom import Headroom, MemoryStore, TokenCounter, find_markers
from headroom.compressors.base import split_lines
from headroom.compressors.html import render
from headroom.registry import Registry

GOLDEN = Path(__file__).parent.parent / "golden" / "html"
COUNTER = TokenCounter.for_model("gpt-4")
PAGE = (GOLDEN / "rustdoc_intro.html").read_text()


def test_render_keeps_text_structure_and_drops_chrome() -> None:
    text, tags = render(PAGE)
    assert tags > 100
    assert "# What is rustdoc?" in text
    assert "You can also use `cargo doc` to generate documentation for the whole project." in text
    assert "<script" not in text and "function(" not in text and "<div" not in text
    assert "```\n$ cargo doc" in text
    small, _ = render('<ul><li><a href="https://x.org/a">A</a></li><li>B &amp; C</li></ul><table><tr><th>k</th><td>v</td></tr></table>')
    assert small == "- [A](https://x.org/a)\n- B & C\n\n| k | v |\n"


def test_router_and_default_rendering() -> None:
    assert Registry().router.detect(PAGE) == "html"
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress([{"role": "user", "content": "q"}, {"role": "user", "content": PAGE}, {"role": "user", "content": "now?"}])
    (entry,) = result.manifest.entries
    assert entry.compressor == "html" and entry.omitted["tags"] > 100
    assert hr.retrieve(entry.handle) == PAGE


def test_budget_markers_speak_in_rendering_lines() -> None:
    hr = Headroom(store=MemoryStore(), model="gpt-4")
    result = hr.compress_text(PAGE, 700, query="cargo doc whole project")
    (entry,) = result.manifest.entries
    assert result.within_budget and entry.omitted["paragraphs"] > 0
    rendering = split_lines(render(PAGE)[0])
    markers = find_markers(result.text, result.manifest.handles)
    assert markers[0].unit == "tags"
    for marker in markers[1:]:
        first, last = (int(n) for n in (marker.detail or "").split("-"))
        assert hr.retrieve(marker.handle, lines=(first, last)) == "".join(rendering[first - 1 : last])
    for unit in ("paragraphs", "sentences", "lines"):
        assert sum(m.count for m in markers[1:] if m.unit == unit) == entry.omitted.get(unit, 0)
    assert "to generate documentation for the whole project." in result.text
