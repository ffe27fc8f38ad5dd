"""Type into Material's search box as a reader would; which pages come up."""

from __future__ import annotations

import time
import urllib.parse


def search_first_hit(page, term: str, timeout: float = 10.0) -> tuple[str | None, list[str]]:
    """Type `term` into the search box key by key; the page path of the first hit, and all hits."""
    box = page.locator("input.md-search__input")
    if not box.is_visible():
        page.locator("label.md-search__icon, label[for='__search']").first.click()
    box.click()
    box.press("Control+a")
    box.press("Backspace")
    page.wait_for_timeout(50)
    if term.isascii():
        box.press_sequentially(term, delay=30)  # key by key, as typed
    else:
        # A Chinese IME commits the whole word as one input event (not a paste).
        page.keyboard.insert_text(term)
    box.press("End")  # and a key event, as the IME's Enter/space would give
    links = page.locator(".md-search-result__list > li.md-search-result__item > a.md-search-result__link")
    # Results are settled once two polls 300 ms apart agree (empty or not), after 0.6 s.
    start = time.monotonic()
    last = None
    while time.monotonic() - start < timeout:
        page.wait_for_timeout(300)
        hrefs = links.evaluate_all("els => els.map(a => a.href)")
        if hrefs == last and (hrefs or time.monotonic() - start > 1.5):
            break
        last = hrefs
    hrefs = last or []
    paths = [_page_of(h, page.url) for h in hrefs]
    return (paths[0] if paths else None), paths


def _page_of(href: str, current: str) -> str:
    url = urllib.parse.urlsplit(urllib.parse.urljoin(current, href))
    return url.path
