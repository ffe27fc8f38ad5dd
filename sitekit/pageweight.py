"""Page weight: bytes transferred and load time of every page, over a local server.

    make page-weight                 # builds the site, then prints the table
    python -m sitekit page-weight --site site/ [--no-gzip] [--check]

A benchmark, not a test: it prints one row per page (discovered from the build) with what a
first-time reader downloads, compressed with gzip as GitHub Pages serves it (--no-gzip for
raw sizes), and how long the page takes to load and to draw its diagrams (cold cache, one
fresh browser context per page, this machine; times vary between runs; diagrams are drawn
when scrolled near, so the page is scrolled to each). The budget is
1 MB transferred for a chapter page with diagrams; --check exits 1 when a page is over it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from sitekit import browser as site_browser
from sitekit.build import build as build_site

BUDGET = 1_000_000  # bytes transferred, for a chapter page with diagrams


def build(dest: Path) -> None:
    proc = build_site(dest)
    if proc.returncode:
        sys.exit(f"mkdocs build --strict failed:\n{proc.stdout}")


def measure(browser, url: str) -> dict:
    """Load one page in a fresh context (empty cache); sizes of everything it fetched."""
    context = browser.new_context(viewport=site_browser.DESKTOP)
    context.add_init_script(site_browser.script("open_shadow_roots"))
    page = context.new_page()
    finished = []
    context.on("requestfinished", lambda r: finished.append(r))
    start = time.perf_counter()
    page.goto(url, wait_until="load")
    page.evaluate(site_browser.script("draw_diagrams"))  # drawn when scrolled near
    page.wait_for_function(
        """() => [...document.querySelectorAll(".mermaid")].every(el => el.shadowRoot && el.shadowRoot.querySelector("svg"))""",
        timeout=30_000,
    )
    drawn = (time.perf_counter() - start) * 1000
    page.wait_for_load_state("networkidle")
    timing = page.evaluate(
        """() => { const n = performance.getEntriesByType("navigation")[0];
                   return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }"""
    )
    transferred = body = 0
    largest = ("", 0)
    for request in finished:
        sizes = request.sizes()
        response = request.response()
        encoded = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        transferred += encoded
        raw = len(response.body()) if response else 0
        body += raw
        if encoded > largest[1]:
            largest = (request.url.rsplit("/", 1)[-1], encoded)
    diagrams = page.evaluate("document.querySelectorAll('.mermaid').length")
    context.close()
    return {
        "requests": len(finished), "transferred": transferred, "raw": body, "diagrams": diagrams,
        "dcl": timing["dcl"], "load": timing["load"], "drawn": drawn, "largest": largest,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitekit page-weight", description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build one now)")
    parser.add_argument("--no-gzip", action="store_true", help="serve files uncompressed")
    parser.add_argument("--check", action="store_true", help="exit 1 if a page with diagrams is over budget")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            build(site)
        pages = site_browser.discover_pages(site)
        rows = []
        with site_browser.serve(site, gzip=not args.no_gzip) as url, sync_playwright() as p:
            browser = site_browser.launch(p)
            for rel in pages:
                rows.append((rel, measure(browser, url + rel)))
            browser.close()

    encoding = "raw (no compression)" if args.no_gzip else "gzip, as GitHub Pages serves text files"
    print(f"Page weight: first visit, empty cache, {encoding}; budget {BUDGET / 1e6:.1f} MB for a page with diagrams")
    header = f"{'page':<28} {'diagrams':>8} {'requests':>8} {'transferred':>12} {'uncompressed':>13} {'DOMContentLoaded':>17} {'load':>8} {'drawn':>8}  largest file"
    print(header)
    print("-" * len(header))
    over = []
    for rel, m in rows:
        flag = ""
        if m["diagrams"] and m["transferred"] > BUDGET:
            flag = "  OVER BUDGET"
            over.append(rel)
        print(
            f"{'/' + rel:<28} {m['diagrams']:>8} {m['requests']:>8} {m['transferred'] / 1e3:>9.0f} kB {m['raw'] / 1e3:>10.0f} kB"
            f" {m['dcl']:>14.0f} ms {m['load']:>5.0f} ms {m['drawn']:>5.0f} ms  {m['largest'][0]} ({m['largest'][1] / 1e3:.0f} kB){flag}"
        )
    print(f"\nTimes are from this machine's local server (no network latency); 'drawn' = until every diagram is an SVG.")
    if over:
        print(f"over budget: {', '.join('/' + r for r in over)}")
        return 1 if args.check else 0
    return 0

