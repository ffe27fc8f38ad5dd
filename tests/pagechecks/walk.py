"""One walk through every page: a page load is the costly part, so each page is opened once
and every check asked for runs on it."""

from __future__ import annotations

from pathlib import Path

from pagechecks.accessibility import check_axe
from pagechecks.copy_buttons import check_copy_buttons
from pagechecks.later import check_render_later
from pagechecks.mermaid import check_mermaid, mermaid_sources
from pagechecks.phone import check_phone_layout
from pagechecks.session import SCREENSHOTS, markdown_source, new_context, open_page, page_name, screenshot
from pagechecks.tabs import check_tabs
from sitekit import config
from sitekit.browser import PHONE


class Tour(dict):
    """Problems found on one walk through every page, by check: {check: [problem, ...]}."""

    def __init__(self):
        super().__init__()
        self.counts: dict[str, int] = {}

    def add(self, check: str, problems: list[str], count: int = 0):
        self.setdefault(check, []).extend(problems)
        self.counts[check] = self.counts.get(check, 0) + count


def walk(browser, built_site: Path, site_url: str, pages: list[str], *, scheme: str, viewport, checks: set[str],
         docs_dir: Path = config.DOCS, bases: list[Path] | None = None, shots: str = "", **context_args) -> Tour:
    """Open each page once and run the given checks on it (a page load is the costly part)."""
    tour = Tour()
    bases = bases or config.snippet_base_paths(config.load())
    context = new_context(browser, site_url, color_scheme=scheme, viewport=viewport, **context_args)
    if "copy" in checks:
        origin = "/".join(site_url.split("/", 3)[:3])
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page = context.new_page()
    label = "phone" if viewport["width"] <= PHONE["width"] else scheme
    try:
        for rel in pages:
            name, html_file = page_name(rel), built_site / rel / "index.html"
            open_page(page, site_url + rel)
            if "later" in checks:  # first: before anything scrolls and renders the blocks
                count, found = check_render_later(page, rel, f" ({label})")
                tour.add("later", found, count)
            if "mermaid" in checks:
                actual = page.evaluate("document.body.dataset.mdColorScheme")
                wanted = "slate" if scheme == "dark" else "default"
                scheme_problem = [] if actual == wanted else [f"{name}: colour scheme is {actual!r}, expected {wanted!r}"]
                found = check_mermaid(page, rel, html_file, scheme)
                tour.add("mermaid", scheme_problem + found, len(mermaid_sources(html_file)))
            if "phone" in checks:
                tour.add("phone", check_phone_layout(page, rel))
            if label == "light" and markdown_source(rel, docs_dir) is not None:
                screenshot(page, f"{shots}{label}-{rel or 'home'}")  # the whole page
                # (notebook pages repeat their chapter in nbconvert's one template: top only)
            else:
                screenshot(page, f"{shots}{label}-{rel or 'home'}", full_page=False)
            if label == "dark":  # each diagram, to see it on the dark background
                for i, diagram in enumerate(page.locator("div.mermaid").all(), 1):
                    if not diagram.is_visible():  # in a content tab not shown
                        continue
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    diagram.screenshot(path=str(SCREENSHOTS / f"{shots}dark-{(rel or 'home').strip('/').replace('/', '_')}-diagram{i}.png"))
            page.wait_for_timeout(100)  # let late console errors arrive
            tour.add("offline", [f"{name} ({label}): {e}" for e in context.recorder.take()], 1)
            if "tabs" in checks:
                count, found = check_tabs(page, rel)
                tour.add("tabs", found, count)
            if "copy" in checks:
                md = markdown_source(rel, docs_dir)
                count, found = check_copy_buttons(page, rel, md, bases)
                tour.add("copy", found, count)
            if "axe" in checks:  # last: it simplifies the code blocks' markup
                tour.add("axe", check_axe(page, rel, scheme))
            tour.add("offline", [f"{name} ({label}, while clicking): {e}" for e in context.recorder.take()])
    finally:
        context.close()
    return tour
