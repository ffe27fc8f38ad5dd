"""Diagrams drawn once, shipped as SVG.

Drawing a mermaid diagram in the reader's browser costs a phone hundreds of milliseconds of
blocked main thread (mermaid's module is ~420 kB gzip'd, and its layout runs at load for a
diagram near the top). So every diagram of the site is drawn ahead of time, by mermaid itself
in a headless chromium, with the settings Material draws with, and stored in
docs/assets/diagrams/<key>.svg (key: mermaid's version and the diagram's source). The build
puts each stored SVG into the page where the diagram was, in the same place Material would
put it (a shadow root of a div.mermaid), so it looks and adapts to light/dark mode as before:
its colours are Material's CSS variables.

A diagram without a stored drawing (one just written or changed) is drawn in the browser as
before, by mermaid2 and the lazy loader (docs/assets/javascripts/mermaid-global.mjs); the
tests fail until `make diagrams` has drawn it:

    python -m sitekit diagrams            # draw what is missing or changed, drop unused ones
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import html
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from sitekit import stored as stored_files
from sitekit.config import DOCS, ROOT

STORE = DOCS / "assets" / "diagrams"
# mermaid2's fence output (mkdocs.yml: superfences custom fence), as the built page holds it
PRE = re.compile(r'<pre\s+class="mermaid"[^>]*><code>(.*?)</code></pre>', re.S)
# The first line of a drawing made from a real graph (sitekit/graphs.py): the snippet whose
# run produced it, carried to the page as data-graph="<chapter>/<name>.py".
GRAPH_SOURCE = re.compile(r"\A%% data-graph: (\S+)\n")
# A diagram put in as its drawing (lift below)
# (the build may add attributes after these: sitekit/render_later.py)
DRAWN = re.compile(r'<div class="mermaid" data-diagram="(\w+)" data-source="([^"]*)"[^>]*>')
# The build draws in the browser when this is set (how `make diagrams` gets mermaid's drawing).
LIVE = "SITEKIT_LIVE_DIAGRAMS"
# Each stored drawing goes into the shadow root of its div, as Material does with the SVG it
# draws (the page's CSS stays out of the diagram; Material's CSS variables still reach in).
# The HTML parser attaches it (declarative shadow DOM), so the diagram is there at first
# paint and nothing shifts; the script does it for a browser without that (before 2023).
ATTACH = (
    "<script>document.querySelectorAll('div.mermaid>template[shadowrootmode]').forEach(function(t){"
    "t.parentNode.attachShadow({mode:'open'}).appendChild(t.content);t.remove()})</script>"
)


@functools.cache
def mermaid_version() -> str:
    """The pinned mermaid (package-lock.json; `npm ci` installs exactly this)."""
    lock = json.loads((ROOT / "package-lock.json").read_text("utf-8"))
    return lock["packages"]["node_modules/mermaid"]["version"]


def key(source: str) -> str:
    return hashlib.sha256(f"mermaid {mermaid_version()}\n{source}".encode()).hexdigest()[:16]


def stored(source: str) -> Path:
    return STORE / f"{key(source)}.svg"


def sources(page_html: str) -> list[str]:
    """The source of each diagram the page still draws in the browser."""
    return [html.unescape(m) for m in PRE.findall(page_html)]


def drawn(page_html: str) -> list[str]:
    """The key of each diagram the page shows as its stored drawing."""
    return [m[1] for m in DRAWN.finditer(page_html)]


def every_source(page_html: str) -> list[str]:
    """The source of every diagram of the page, drawn ahead or not, in page order."""
    found = [(m.start(), html.unescape(m[1])) for m in PRE.finditer(page_html)]
    found += [(m.start(), html.unescape(m[2])) for m in DRAWN.finditer(page_html)]
    return [source for _, source in sorted(found)]


def lift(page_html: str) -> tuple[str, list[str]]:
    """The page with each diagram that has a stored drawing replaced by a placeholder, and the
    drawings' markup. mermaid2 (which re-serialises any page mentioning mermaid) never sees
    them, and loads mermaid only for a page that still has a diagram to draw."""
    stash: list[str] = []
    if os.environ.get(LIVE) == "1":
        return page_html, stash

    def replace(m: re.Match) -> str:
        source = html.unescape(m[1])
        path = stored(source)
        if not path.exists():
            return m[0]
        # The source stays with the drawing, for the tests that check what it shows.
        graph = GRAPH_SOURCE.match(source)
        # A graph drawing scrolls inside its box when wider than the screen: it takes the
        # keyboard focus so it can be scrolled without a mouse (axe scrollable-region-focusable).
        extra = (f' data-graph="{html.escape(graph[1])}" tabindex="0" role="group" '
                 f'aria-label="由 {html.escape(graph[1])} 的运行画出的图"') if graph else ""
        stash.append(f'<div class="mermaid" data-diagram="{path.stem}" data-source="{html.escape(source)}"{extra}>'
                     f'<template shadowrootmode="open">{path.read_text("utf-8")}</template></div>')
        return f'<div data-diagram-stash="{len(stash) - 1}"></div>'

    return PRE.sub(replace, page_html), stash


def restore(page_html: str, stash: list[str]) -> str:
    if not stash:
        return page_html
    page_html = _PLACEHOLDER.sub(lambda m: stash[int(m[1])], page_html)
    return page_html.replace("</body>", ATTACH + "</body>", 1)


_PLACEHOLDER = re.compile(r'<div data-diagram-stash="(\d+)"></div>')


# Mermaid writes coordinates with up to 16 decimals, and draws some node shapes (rough.js)
# as paths of hundreds of segments: one graph of sitekit/graphs.py weighed 344 kB, 89 % of it
# path data. Two decimals of a pixel cannot be seen, even on the PDF's paper.
_GEOMETRY = re.compile(r'(\s(?:d|points|transform)=")([^"]*)(")')
_LONG_NUMBER = re.compile(r"-?\d+\.\d{3,}(?:e-?\d+)?")


def compact(svg: str) -> str:
    """The drawing with its geometry rounded to 1/100 px; text and styles untouched."""

    def rounded(m: re.Match) -> str:
        text = f"{float(m[0]):.2f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text

    return _GEOMETRY.sub(lambda m: m[1] + _LONG_NUMBER.sub(rounded, m[2]) + m[3], svg)


def _draw(site: Path) -> dict[str, str]:
    """{key: svg} for every diagram of the built site, drawn by mermaid in chromium."""
    from playwright.sync_api import sync_playwright

    from sitekit import browser

    wanted = {}
    for page in browser.discover_pages(site):
        found = sources((site / page / "index.html").read_text("utf-8"))
        if found:
            wanted[page] = found
    svgs: dict[str, str] = {}
    with browser.serve(site) as url, sync_playwright() as p:
        chromium = browser.launch(p)
        tab = chromium.new_page(viewport=browser.DESKTOP)
        for page, found in wanted.items():
            tab.goto(url + page)
            # Material calls mermaid.initialize (with its theme CSS) before it draws anything.
            tab.wait_for_function("window.mermaid && window.mermaid.initialized", timeout=30000)
            for source in found:
                k = key(source)
                if k not in svgs:
                    svgs[k] = tab.evaluate("([id, src]) => window.mermaid.renderNow(id, src).then(r => r.svg)",
                                            [f"mermaid-{k}", source])
        chromium.close()
    return svgs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitekit diagrams", description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    from sitekit.build import build

    with tempfile.TemporaryDirectory() as tmp:
        os.environ[LIVE] = "1"
        try:
            result = build(Path(tmp) / "site")
        finally:
            os.environ.pop(LIVE)
        if result.returncode:
            print(result.stdout, file=sys.stderr)
            return result.returncode
        drawings = _draw(Path(tmp) / "site")
    stored_files.sync(STORE, {k: compact(svg) for k, svg in drawings.items()}, ".svg", gone=" (no page draws it)")
    print(f"{len(drawings)} diagram(s) stored in {STORE.relative_to(ROOT)}/")
    return 0
