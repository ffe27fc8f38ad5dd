"""A browser context that records what goes wrong, page loads, and screenshots."""

from __future__ import annotations

import contextlib
import re
import time
import urllib.parse
from pathlib import Path

from pagechecks import script
from sitekit import browser
from sitekit.config import ROOT

SCREENSHOTS = ROOT / "test-results" / "screenshots"


def page_name(rel: str) -> str:
    return "/" + rel


def markdown_source(rel: str, docs_dir: Path) -> Path | None:
    """The docs/*.md a page was built from (None for pages that have none, e.g. notebooks)."""
    stem = rel.rstrip("/")
    candidates = [docs_dir / "index.md"] if not stem else [docs_dir / f"{stem}.md", docs_dir / stem / "index.md"]
    return next((c for c in candidates if c.exists()), None)


class Recorder:
    """Everything that went wrong on the network or the console while a page was open.

    Requests to any host but the local server are aborted (the site must work offline) and
    reported, as are failed requests, HTTP errors and console errors.
    """

    def __init__(self, context, base_url: str):
        self.origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(base_url))
        self.events: list[str] = []
        # Only what leaves the local server is intercepted: the regex is matched by
        # Playwright's driver, while routing every request through Python slowed each load.
        local = re.escape(self.origin + "/")
        context.route(re.compile(rf"^(?!{local}|data:|blob:|about:)"), self._route)
        self.inflight = 0
        context.on("request", self._started)
        context.on("requestfinished", self._ended)
        context.on("requestfailed", self._failed)
        context.on("response", self._response)
        context.on("console", self._console)
        context.on("weberror", lambda e: self.events.append(f"uncaught error: {e.error}"))

    def _route(self, route):
        self.events.append(f"request to another host: {route.request.url}")
        route.abort("blockedbyclient")

    def _started(self, request):
        self.inflight += 1

    def _ended(self, request):
        self.inflight -= 1

    def _failed(self, request):
        self.inflight -= 1
        if not request.url.startswith(self.origin + "/"):
            return  # already reported by _route
        if request.failure == "net::ERR_ABORTED":
            return  # cancelled by the next navigation (e.g. the favicon); a missing file is a 404
        self.events.append(f"failed request: {request.url} ({request.failure})")

    def _response(self, response):
        if response.status >= 400:
            self.events.append(f"HTTP {response.status}: {response.url}")

    def _console(self, message):
        if message.type == "error":
            self.events.append(f"console error: {message.text}")

    def take(self) -> list[str]:
        events, self.events = self.events, []
        return events


def new_context(chromium, base_url: str, *, color_scheme: str = "light", viewport=browser.DESKTOP, **kwargs):
    """A context with closed shadow roots opened and a Recorder attached (as ctx.recorder)."""
    context = chromium.new_context(color_scheme=color_scheme, viewport=viewport, **kwargs)
    context.add_init_script(browser.script("open_shadow_roots"))
    context.add_init_script(script("trap_errors"))
    context.recorder = Recorder(context, base_url)
    return context


def open_page(page, url: str, timeout: float = 20_000, quiet: float = 0.2):
    """Load a page and wait until no request has been open for `quiet` seconds (search
    index, diagram chunks). Playwright's "networkidle" waits a fixed 0.5 s, which over the
    ~60 page loads of a test run was the largest single wait."""
    page.goto(url, wait_until="load", timeout=timeout)
    recorder = page.context.recorder
    deadline = time.monotonic() + timeout / 1000
    quiet_since = None
    while time.monotonic() < deadline:  # a page that never settles is caught by the checks that follow
        page.wait_for_timeout(50)  # lets Playwright deliver the request events
        if recorder.inflight > 0:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet:
            break


def screenshot(page, name: str, full_page: bool = True):
    """A JPEG for people to look at (CI uploads them): a chapter is ~25,000 px tall, and
    encoding that as PNG took ~3 s a page, JPEG ~1.7 s."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^\w.-]+", "_", name).strip("_") or "home"
    page.screenshot(path=str(SCREENSHOTS / f"{safe}.jpg"), full_page=full_page, type="jpeg", quality=85)


@contextlib.contextmanager
def opened(chromium, url: str):
    """One page of a fresh recording context, loaded at `url`; the context closes afterwards."""
    context = new_context(chromium, url)
    page = context.new_page()
    try:
        open_page(page, url)
        yield page
    finally:
        context.close()
