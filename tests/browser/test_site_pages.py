"""What a reader sees: every page of the built site, in Debian's chromium, offline.

The pages are discovered from the build (every index.html), so a new chapter is checked
without being listed here; only the search expectations name pages. Each test walks all
pages and reports every problem at once, each line naming the page. Screenshots go to
test-results/screenshots/ (uploaded by CI).
"""

from __future__ import annotations

import time

import pytest

from pagechecks.links import check_links
from pagechecks.mermaid import check_mermaid
from pagechecks.search import search_first_hit
from pagechecks.session import markdown_source, new_context, open_page, opened, screenshot
from pagechecks.walk import Tour, walk
from sitekit import browser as site_browser
from sitekit.browser import discover_pages, serve
from sitekit.config import DOCS

pytestmark = pytest.mark.browser

# Tests that share a walk (a module fixture) run on one xdist worker; the walks themselves
# are spread over the workers (`make test` runs `-n $(JOBS) --dist loadgroup`). The
# desktop walks are split into the written pages and the generated notebook pages, so
# that no single walk is the longest path through the run.
WALKS = ("light", "light_notebooks", "dark", "dark_notebooks", "phone", "narrow_phone")
GROUP = {name: pytest.mark.xdist_group(f"browser-{name}") for name in (*WALKS, "search")}
LIGHT, PHONE, SEARCH = GROUP["light"], GROUP["phone"], GROUP["search"]


def _tours(*names: str):
    return [pytest.param(name, marks=GROUP[name]) for name in names]


def _fail_on(problems: list[str], what: str):
    assert not problems, f"{len(problems)} problem(s) with {what}:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def pages(built_site) -> list[str]:
    return discover_pages(built_site)


def test_every_markdown_page_is_built_and_discovered(pages):
    """The discovery the other tests rely on sees every page written in docs/."""
    missing = [
        md.relative_to(DOCS).as_posix()
        for md in DOCS.rglob("*.md")
        if not any(markdown_source(rel, DOCS) == md for rel in pages)
    ]
    assert not missing, f"pages in docs/ not found in the build: {missing} (built: {pages})"
    assert "" in pages, "the home page is missing from the build"


def test_internal_links_and_anchors_resolve(built_site):
    _fail_on(check_links(built_site), "links, anchors and resources")


@pytest.fixture(scope="module")
def written_pages(pages) -> list[str]:
    """Pages built from docs/*.md (the rest are notebook pages rendered by mkdocs-jupyter)."""
    return [rel for rel in pages if markdown_source(rel, DOCS) is not None]


@pytest.fixture(scope="module")
def notebook_pages(pages, written_pages) -> list[str]:
    found = [rel for rel in pages if rel not in written_pages]
    assert found, "no notebook page in the build: the notebook walks would check nothing"
    return found


def _desktop_walk(chromium, built_site, site_url, pages, scheme):
    checks = {"later", "mermaid", "axe", "tabs", "copy"} if scheme == "light" else {"mermaid", "axe"}
    return walk(chromium, built_site, site_url, pages, scheme=scheme, viewport=site_browser.DESKTOP,
                           checks=checks)


@pytest.fixture(scope="module")
def light_tour(chromium, built_site, site_url, written_pages) -> Tour:
    return _desktop_walk(chromium, built_site, site_url, written_pages, "light")


@pytest.fixture(scope="module")
def light_notebooks_tour(chromium, built_site, site_url, notebook_pages) -> Tour:
    return _desktop_walk(chromium, built_site, site_url, notebook_pages, "light")


@pytest.fixture(scope="module")
def dark_tour(chromium, built_site, site_url, written_pages) -> Tour:
    return _desktop_walk(chromium, built_site, site_url, written_pages, "dark")


@pytest.fixture(scope="module")
def dark_notebooks_tour(chromium, built_site, site_url, notebook_pages) -> Tour:
    return _desktop_walk(chromium, built_site, site_url, notebook_pages, "dark")


@pytest.fixture(scope="module")
def phone_tour(chromium, built_site, site_url, pages) -> Tour:
    return walk(chromium, built_site, site_url, pages, scheme="light", viewport=site_browser.PHONE,
                 checks={"later", "phone"}, device_scale_factor=2, is_mobile=True, has_touch=True)


@pytest.fixture(scope="module")
def narrow_phone_tour(chromium, built_site, site_url, pages) -> Tour:
    """280 px: the narrowest screen sitekit/render_later.py bounds its placeholders for."""
    return walk(chromium, built_site, site_url, pages, scheme="light", viewport={"width": 280, "height": 653},
                 checks={"later"}, shots="narrow-", device_scale_factor=2, is_mobile=True, has_touch=True)


@pytest.fixture
def tour(request):
    return request.getfixturevalue(f"{request.param}_tour")


@pytest.mark.parametrize("tour", _tours(*WALKS), indirect=True)
def test_pages_load_offline_without_errors(tour):
    """No console error, no failed request, no request to any host but the local server."""
    _fail_on(tour["offline"], f"loading {tour.counts['offline']} pages")


@pytest.mark.parametrize("tour", _tours("light", "light_notebooks", "dark", "dark_notebooks"), indirect=True)
def test_every_diagram_is_drawn(tour):
    """Every mermaid diagram is an SVG without error output; multi-line labels keep their lines."""
    _fail_on(tour["mermaid"], f"{tour.counts['mermaid']} mermaid diagrams")


@LIGHT
def test_content_tabs_switch(light_tour):
    _fail_on(light_tour["tabs"], f"{light_tour.counts['tabs']} tab sets")


@LIGHT
def test_copy_buttons_copy_exactly_the_snippet(light_tour):
    assert light_tour.counts["copy"], "no code block with a copy button on any page: the check checked nothing"
    _fail_on(light_tour["copy"], f"{light_tour.counts['copy']} copy buttons")


@pytest.mark.parametrize("tour", _tours("light", "light_notebooks", "dark", "dark_notebooks"), indirect=True)
def test_accessibility_no_serious_axe_violations(tour):
    _fail_on(tour["axe"], "accessibility (axe-core: serious and critical violations)")


@pytest.mark.parametrize("tour", _tours("light", "light_notebooks", "phone", "narrow_phone"), indirect=True)
def test_blocks_rendered_on_demand_fit_their_placeholders(tour):
    """Below the first screens, blocks render when a reader nears them (sitekit/render_later.py):
    on every page, at 280 px, on a phone and on a desktop, each is at most as tall as its
    placeholder, and the long pages do defer blocks."""
    assert tour.counts["later"] > 100, f"only {tour.counts['later']} deferred blocks on all pages of the walk"
    _fail_on(tour["later"], f"{tour.counts['later']} blocks rendered on demand")


@PHONE
def test_phone_layout_has_no_sideways_overflow(phone_tour):
    """390x844: only code blocks and tables may be wider than the screen, and they scroll."""
    _fail_on(phone_tour["phone"], "the phone layout")


# Each term must bring up, as its FIRST hit, the page that teaches it.
SEARCH_EXPECTATIONS = {
    "命令式": "paradigms/",
    "符号式": "paradigms/",
    "计算图": "paradigms/",
    "算子融合": "inductor/",
    "图中断": "compile/",
    "常量传播": "torchscript/",
    "torch.compile": "compile/",
    "torch.jit.trace": "torchscript/",
    "TorchScript": "torchscript/",
    "graph break": "compile/",
    "torch.export": "deploy/",
    "tf.function": "evolution/",
    "内存复用": "paradigms/",
    "AOTAutograd": "inductor/",
}


@pytest.fixture(scope="module")
def search_page(chromium, site_url):
    with opened(chromium, site_url) as page:
        yield page


@SEARCH
@pytest.mark.parametrize("term", list(SEARCH_EXPECTATIONS))
def test_search_first_hit_is_the_page_that_teaches_it(search_page, site_url, term):
    first, hits = search_first_hit(search_page, term)
    base = site_url.split("/", 3)[3] if site_url.count("/") > 3 else ""
    expected = "/" + base + SEARCH_EXPECTATIONS[term]
    screenshot(search_page, f"search-{term}", full_page=False)
    errors = search_page.context.recorder.take()
    assert not errors, f"search for {term!r}: " + "; ".join(errors)
    assert first == expected, f"search for {term!r}: first hit {first}, expected {expected}; all hits: {hits}"


def test_nested_pages_work_under_a_sub_path(chromium, built_site, pages):
    """Served as a GitHub Pages project site (/project/): assets and diagrams still load."""
    nested = [rel for rel in pages if rel]
    assert nested, "no page below the home page to check"
    problems = []
    with serve(built_site, prefix="/project/") as url:
        context = new_context(chromium, url)
        page = context.new_page()
        try:
            for rel in [""] + nested:
                open_page(page, url + rel)
                problems += check_mermaid(page, rel, built_site / rel / "index.html", "under /project/")
                styled = page.evaluate("getComputedStyle(document.querySelector('.md-header')).position")
                if styled not in {"sticky", "fixed"}:
                    problems.append(f"/project/{rel}: Material's stylesheet did not apply (header is {styled})")
                problems += [f"/project/{rel}: {e}" for e in context.recorder.take()]
        finally:
            context.close()
    _fail_on(problems, "the site under a sub-path")


SWITCH = "[data-palette-option]:not([hidden])"


@pytest.mark.parametrize("system, other", [("light", "slate"), ("dark", "default")])
def test_light_dark_switch_follows_the_system_then_the_reader(chromium, site_url, system, other):
    """overrides/partials/palette.html: without a choice the page follows the system setting;
    the one visible switch changes the scheme, names the next one, and the choice holds on the
    next page, over the system setting."""
    context = new_context(chromium, site_url, color_scheme=system)
    page = context.new_page()
    try:
        open_page(page, site_url + "compile/")
        scheme = lambda: page.evaluate("document.body.dataset.mdColorScheme")  # noqa: E731
        flipped = "light" if system == "dark" else "dark"
        assert scheme() == ("slate" if system == "dark" else "default")
        wait_for = lambda value: page.wait_for_function(  # noqa: E731 (media change events are async)
            f"document.body.dataset.mdColorScheme === {value!r}", timeout=5_000)
        page.emulate_media(color_scheme=flipped)  # no choice yet: the page follows the system
        wait_for(other)
        page.emulate_media(color_scheme=system)
        wait_for("slate" if system == "dark" else "default")
        assert page.locator(SWITCH).count() == 1
        before = page.locator(SWITCH).get_attribute("aria-label")
        page.locator(SWITCH).click()
        assert scheme() == other
        assert page.locator(SWITCH).count() == 1
        assert page.locator(SWITCH).get_attribute("aria-label") != before
        page.emulate_media(color_scheme=flipped)
        page.wait_for_timeout(500)  # each change must reach the page (two quick ones cancel out)
        page.emulate_media(color_scheme=system)
        page.wait_for_timeout(500)
        assert scheme() == other, "a chosen scheme must not follow a change of the system setting"
        open_page(page, site_url + "deploy/")
        assert scheme() == other, "the reader's choice did not carry over to the next page"
        assert not context.recorder.take()
    finally:
        context.close()
