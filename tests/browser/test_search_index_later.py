"""overrides/partials/search-index-later.html: the search index (~210 kB) is requested after
the page has painted, or at once when a reader reaches for search; search works either way."""

from __future__ import annotations

import pytest

from pagechecks.search import search_first_hit
from pagechecks.session import new_context
from sitekit import browser

pytestmark = pytest.mark.browser

INDEX = "/search/search_index.json"
HELD = "**/assets/javascripts/lazy-highlight.js"  # deferred: holding it holds DOMContentLoaded and load

TIMINGS = """() => new Promise(resolve => {
  const index = performance.getEntriesByType("resource").filter(e => e.name.endsWith("%s"));
  new PerformanceObserver(list => {
    const lcp = list.getEntries();
    resolve({
      index: index.map(e => e.startTime),
      fcp: performance.getEntriesByName("first-contentful-paint")[0].startTime,
      lcp: lcp[lcp.length - 1].startTime,
      load: performance.getEntriesByType("navigation")[0].loadEventEnd,
    });
  }).observe({type: "largest-contentful-paint", buffered: true});
})""" % INDEX


REQUESTED = "document.documentElement.dataset.searchIndex === 'requested'"  # set by the partial's release()


@pytest.mark.parametrize("rel", ["", "glossary/", "compile/"])
def test_index_is_requested_once_after_the_page_has_painted(chromium, site_url, rel):
    context = new_context(chromium, site_url, viewport=browser.PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(site_url + rel, wait_until="load")
        page.wait_for_function(f"performance.getEntriesByType('resource').some(e => e.name.endsWith('{INDEX}'))")
        t = page.evaluate(TIMINGS)
        assert len(t["index"]) == 1, f"/{rel}: the search index was requested {len(t['index'])} times"
        started = t["index"][0]
        assert started > t["fcp"] and started > t["lcp"] and started >= t["load"], (
            f"/{rel}: the search index was requested at {started:.0f} ms, before the page had painted "
            f"and loaded (first paint {t['fcp']:.0f} ms, largest paint {t['lcp']:.0f} ms, load {t['load']:.0f} ms)")
        assert not context.recorder.take()
    finally:
        context.close()


@pytest.mark.parametrize("reach", ["focus the search box", "open a ?q= link"])
def test_reaching_for_search_requests_the_index_at_once(chromium, site_url, reach):
    """While the page is still loading (a deferred script held back), the index waits; the
    reader's reaching for search sends it, and the search then finds what it should."""
    context = new_context(chromium, site_url)
    page = context.new_page()
    held = []
    page.route(HELD, lambda route: held.append(route))
    try:
        query = "?q=guard" if reach.startswith("open") else ""
        page.goto(site_url + "glossary/" + query, wait_until="commit")
        page.wait_for_function("document.documentElement.classList.contains('js')")  # the bundle ran
        if not query:
            page.wait_for_timeout(300)
            assert not page.evaluate(REQUESTED), "the search index was requested before the page had loaded"
            page.locator("input.md-search__input").focus()
        page.wait_for_function(REQUESTED, timeout=5000)
        assert page.evaluate("document.readyState") != "complete", "the page finished loading: the test proves nothing"
        assert held, "the deferred script was not held"
        for route in held:
            route.continue_()
        page.wait_for_load_state("load")
        first, hits = search_first_hit(page, "图中断")
        assert first and first.endswith("/compile/"), f"search after the index was released: {hits}"
        assert not context.recorder.take()
    finally:
        context.close()
