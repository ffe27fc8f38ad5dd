"""Diagrams drawn ahead of time replace their blocks; one without a current drawing is left
for the browser to draw."""

from __future__ import annotations

import html

import pytest

from sitekit import diagrams

DRAWN = "flowchart LR\n  A[\"`eager\n  命令式`\"] --> B"
NOT_DRAWN = "flowchart LR\n  X --> Y"


def page(*sources: str) -> str:
    blocks = "".join(f'<pre  class="mermaid"><code>{html.escape(s, quote=False)}</code></pre>' for s in sources)
    return f"<html><body><p>前文</p>{blocks}<p>后文</p></body></html>"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(diagrams, "STORE", tmp_path)
    monkeypatch.delenv(diagrams.LIVE, raising=False)
    (tmp_path / f"{diagrams.key(DRAWN)}.svg").write_text('<svg id="d"><text>eager</text></svg>', "utf-8")
    return tmp_path


def build(text: str) -> str:
    lifted, stash = diagrams.lift(text)
    return diagrams.restore(lifted, stash), lifted


def test_a_drawn_diagram_becomes_its_svg_in_a_shadow_root_host(store):
    out, lifted = build(page(DRAWN, NOT_DRAWN))
    assert "eager" not in lifted  # mermaid2 never sees the drawn one
    assert f'<div class="mermaid" data-diagram="{diagrams.key(DRAWN)}" data-source="{html.escape(DRAWN)}">' \
           '<template shadowrootmode="open"><svg id="d"><text>eager</text></svg></template></div>' in out
    assert out.count(diagrams.ATTACH) == 1 and out.index(diagrams.ATTACH) < out.index("</body>")
    assert diagrams.sources(out) == [NOT_DRAWN]  # still drawn in the browser, by mermaid2
    assert diagrams.drawn(out) == [diagrams.key(DRAWN)]
    assert diagrams.every_source(out) == [DRAWN, NOT_DRAWN]  # page order, both kinds


def test_a_changed_diagram_is_no_longer_drawn_ahead(store):
    changed = DRAWN.replace("eager", "eager mode")
    assert diagrams.key(changed) != diagrams.key(DRAWN)
    out, _ = build(page(changed))
    assert diagrams.sources(out) == [changed] and diagrams.ATTACH not in out


def test_live_mode_leaves_every_diagram_to_the_browser(store, monkeypatch):
    monkeypatch.setenv(diagrams.LIVE, "1")
    text = page(DRAWN)
    assert build(text)[0] == text


def test_compact_rounds_geometry_to_a_hundredth_and_leaves_text_alone():
    svg = ('<svg viewBox="0 0 100.123456 50"><path d="M-17.7890625 -19.5 C-3.5882214526046337 -19.5, '
           '1e-7 0.004999, 2.0000001 -0.0001"/><g transform="translate(12.3456789, 4)">'
           '<polygon points="1.23456,2 3,4.56789"/><p>0.3645 ms，x1+=16L</p></g></svg>')
    out = diagrams.compact(svg)
    assert 'd="M-17.79 -19.5 C-3.59 -19.5, 1e-7 0, 2 0"' in out, out
    assert 'transform="translate(12.35, 4)"' in out and 'points="1.23,2 3,4.57"' in out
    # text, and attributes other than geometry (the viewBox fixes the proportions), as drawn
    assert "<p>0.3645 ms，x1+=16L</p>" in out and 'viewBox="0 0 100.123456 50"' in out


def test_every_stored_drawing_is_compact():
    """`make diagrams` stores drawings compacted (one graph was 344 kB before, 149 kB after)."""
    loose = [p.name for p in diagrams.STORE.glob("*.svg") if diagrams.compact(p.read_text("utf-8")) != p.read_text("utf-8")]
    assert not loose, f"drawings stored without sitekit.diagrams.compact: {loose}"
