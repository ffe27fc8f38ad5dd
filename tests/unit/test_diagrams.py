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
