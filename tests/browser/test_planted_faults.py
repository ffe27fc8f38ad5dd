"""The browser checks catch what they claim to catch: faults planted in a small site.

tests/browser/planted_site/docs/ holds one clean page (index.md: diagram with multi-line
labels, tabs, a wide table, anchors) and one page per fault. It is built with the real
site's theme, Markdown extensions, search and mermaid settings (INHERIT from mkdocs.yml),
then walked by the same code as the real site. Every fault must be reported with the name
of its page, and the clean page must produce no problem at all.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from pagechecks.links import check_links
from pagechecks.search import search_first_hit
from pagechecks.session import opened
from pagechecks.walk import Tour, walk
from sitekit.browser import DESKTOP, PHONE, discover_pages, serve
from sitekit import config as site_config
from sitekit.build import build
from sitekit.config import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FIXTURE = Path(__file__).parent / "planted_site"
CLEAN = "/"


def _plugin(config: dict, name: str) -> dict:
    for entry in config["plugins"]:
        if isinstance(entry, dict) and name in entry:
            return {name: entry[name]}
    return {name: {}}


@pytest.fixture(scope="module")
def planted_site(tmp_path_factory) -> Path:
    """Build the fixture docs with the real site's configuration; returns the built site."""
    work = tmp_path_factory.mktemp("planted")
    # The fixture's pages plus the real site's mermaid loader, which mermaid2 looks for in docs_dir.
    docs = work / "docs"
    shutil.copytree(FIXTURE / "docs", docs)
    loader = site_config.DOCS / "assets" / "javascripts" / "mermaid-global.mjs"
    (docs / "assets" / "javascripts").mkdir(parents=True)
    shutil.copyfile(loader, docs / "assets" / "javascripts" / loader.name)
    real = site_config.load()
    (work / "theme").mkdir()
    config = {
        "INHERIT": str(ROOT / "mkdocs.yml"),
        "site_name": "planted faults",
        "docs_dir": str(docs),
        "site_dir": str(work / "site"),
        # Only what the checks are about: the vendored mermaid, search and mermaid2.
        "plugins": [{"sitekit": {"parts": ["vendor"]}}, _plugin(real, "search"), _plugin(real, "mermaid2")],
        "theme": {"custom_dir": str(work / "theme")},
        "extra_css": [],
        "extra_javascript": [],
        "hooks": [],  # mkdocs.yml's hook (sitekit/offline.py) is a path relative to it
        "watch": [],
        "nav": [{p.stem: p.name} for p in sorted((FIXTURE / "docs").glob("*.md"))],
    }
    (work / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    proc = build(work / "site", config_file=work / "mkdocs.yml", strict=False)
    assert proc.returncode == 0, proc.stdout
    return work / "site"


@pytest.fixture(scope="module")
def planted_url(planted_site):
    with serve(planted_site) as url:
        yield url


@pytest.fixture(scope="module")
def planted_pages(planted_site):
    pages = discover_pages(planted_site)
    assert len(pages) == len(list((FIXTURE / "docs").glob("*.md"))), pages
    return pages


@pytest.fixture(scope="module")
def planted_tour(chromium, planted_site, planted_url, planted_pages) -> Tour:
    tour = walk(chromium, planted_site, planted_url, planted_pages, scheme="light",
                           viewport=DESKTOP, checks={"mermaid", "tabs", "axe"}, docs_dir=FIXTURE / "docs",
                           shots="planted-")
    phone = walk(chromium, planted_site, planted_url, planted_pages, scheme="dark",
                            viewport=PHONE, checks={"phone", "mermaid", "axe"}, docs_dir=FIXTURE / "docs",
                            shots="planted-", is_mobile=True)
    for check, problems in phone.items():
        tour.add(check, problems, phone.counts[check])
    tour.add("links", check_links(planted_site))
    return tour


def _about(tour: Tour, page: str) -> list[str]:
    return [p for problems in tour.values() for p in problems if p.startswith(page + " ") or p.startswith(page + ":")]


@pytest.mark.parametrize(
    "page, check, words",
    [
        ("/bad-mermaid/", "mermaid", "mermaid"),
        ("/external-script/", "offline", "cdn.jsdelivr.net"),
        ("/external-script/", "links", "cdn.jsdelivr.net"),
        ("/broken-anchor/", "links", "#no-such-section"),
        ("/broken-anchor/", "links", "index.md#missing-heading"),
        ("/too-wide/", "phone", "overflows the screen"),
        # the light walk runs every axe rule, the dark one colour contrast only
        ("/low-contrast/", "axe", "(light): axe serious color-contrast"),
        ("/low-contrast/", "axe", "(dark): axe serious color-contrast"),
    ],
)
def test_planted_fault_is_reported_with_its_page(planted_tour, page, check, words):
    named = [p for p in planted_tour.get(check, []) if p.startswith(page) and words.split("#")[-1] in p]
    assert named, f"{check} check did not report {words!r} on {page}; it reported:\n" + "\n".join(
        planted_tour.get(check, [])
    )


def test_low_contrast_token_in_one_language_is_reported(planted_tour):
    """axe sees one span of every token class of every language: a cmake `.nb` drawn light
    grey is reported although the Python `.nb` before it on the page is readable."""
    found = [p for p in planted_tour.get("axe", [])
             if p.startswith("/low-contrast-token/ (light)") and "color-contrast" in p and "cmake .nb (code)" in p]
    assert found, "the low-contrast cmake token was not reported; axe reported:\n" + "\n".join(planted_tour.get("axe", []))


def test_clean_page_has_no_problem(planted_tour):
    assert planted_tour.counts["mermaid"] >= 2, "the clean page's diagram was not checked (light and dark)"
    assert planted_tour.counts["tabs"] >= 1, "the clean page's tabs were not checked"
    # axe is left out here: the planted site is built without the real site's colours and
    # template overrides (Material's defaults fail contrast); test_browser.py runs axe on those.
    found = [p for p in _about(planted_tour, CLEAN) if ": axe " not in p]
    assert not found, "\n".join(found)


@pytest.fixture(scope="module")
def planted_search_page(chromium, planted_url):
    with opened(chromium, planted_url) as page:
        yield page


@pytest.mark.parametrize(
    "term", ["命令式", "符号式", "计算图", "算子融合", "图中断", "常量传播",
             "torch.compile", "torch.jit.trace", "TorchScript", "graph break", "torch.export", "tf.function"],
)
def test_search_config_finds_chinese_words_and_api_names(planted_search_page, term):
    """The real search settings find each term on glossary.md, the one page that has it.

    (With lunr's trimmer, the first guess, no Chinese word was found at all.) Which page
    comes FIRST is the real site's test: Material cuts a Chinese query into the longest
    indexed words it starts with (图中断 -> 图*), so other pages may rank too.
    """
    first, hits = search_first_hit(planted_search_page, term)
    assert any(h.endswith("/glossary/") for h in hits), f"search for {term!r} did not find glossary.md; hits: {hits}"
    if term.isascii():
        assert first.endswith("/glossary/"), f"search for {term!r}: first hit {first}; all: {hits}"
