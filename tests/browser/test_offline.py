"""The copy to keep (`make offline`, sitekit/offline.py): the zip, unpacked and opened from
file:// in chromium as a reader would, and the PDF, read back with pypdf.

One offline build, zip and PDF per run (a module fixture: about a minute on 2 cores), made
into a temporary folder with the same chromium as the other browser tests. The page count and
sizes are reported in the test's properties, on the terminal and in test-results/offline.json.
"""

from __future__ import annotations

import html.parser
import json
import re
import urllib.parse
import zipfile

import pytest

from pagechecks.search import search_first_hit
from pagechecks.session import SCREENSHOTS, new_context, open_page, screenshot
from sitekit import offline

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("offline")]


@pytest.fixture(scope="module")
def made(chromium, tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("offline")
    try:
        manifest = offline.make(base / "dist", base / "site", chromium=chromium)
    except offline.OfflineError as e:
        pytest.fail(f"make offline failed: {e}", pytrace=False)
    files = {item["kind"]: base / "dist" / item["name"] for item in manifest["files"]}
    unpacked = base / "unpacked"
    with zipfile.ZipFile(files["zip"]) as z:
        z.extractall(unpacked)
    (top,) = unpacked.iterdir()
    return {"manifest": manifest, "zip": files["zip"], "pdf": files["pdf"], "copy": top, "site": base / "site"}


@pytest.fixture(scope="module")
def facts(made) -> dict:
    return offline.pdf_facts(made["pdf"])


def test_sizes_and_page_count_are_reported(made, facts, record_property, capsys):
    sizes = {kind: made[kind].stat().st_size for kind in ("zip", "pdf")}
    record_property("pdf_pages", facts["pages"])
    for kind, size in sizes.items():
        record_property(f"{kind}_bytes", size)
    out = SCREENSHOTS.parent  # test-results/
    out.mkdir(parents=True, exist_ok=True)
    (out / "offline.json").write_text(json.dumps(made["manifest"], ensure_ascii=False, indent=2), "utf-8")
    with capsys.disabled():
        print(f"\nmake offline: zip {sizes['zip'] / 1e6:.1f} MB, PDF {sizes['pdf'] / 1e6:.1f} MB, "
              f"{facts['pages']} pages (test-results/offline.json)")
    assert facts["pages"] == next(i["pages"] for i in made["manifest"]["files"] if i["kind"] == "pdf")


def test_offline_copy_shows_a_chapter_a_diagram_and_search_results_from_disk(chromium, made):
    """From file://: the home page, a click on chapter 1 in the navigation, its drawn diagram,
    a copy button that copies the code, and a search whose first hit is that chapter; no
    console error, no failed request, no request to any other host on the way."""
    home = (made["copy"] / "index.html").as_uri()
    title = offline.chapter_titles()["paradigms.md"]
    context = new_context(chromium, home)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        open_page(page, home)
        page.locator(".md-nav--primary").get_by_role("link", name=title, exact=True).first.click()
        page.wait_for_load_state("load")
        open_page(page, page.url)  # settle as after any page load (search index, fonts)
        assert page.url.endswith("/paradigms.html"), f"the navigation led to {page.url}"
        assert page.locator("article h1").first.inner_text().strip(), "chapter 1 shows no title"
        screenshot(page, "offline-chapter", full_page=False)
        problems = context.recorder.take()
        assert not problems, "loading the offline copy from file://:\n" + "\n".join(problems)

        diagram = page.locator("div.mermaid").first
        diagram.scroll_into_view_if_needed()
        size = diagram.evaluate("d => { const s = d.shadowRoot && d.shadowRoot.querySelector('svg');"
                                " if (!s) return null; const r = s.getBoundingClientRect(); return [r.width, r.height]; }")
        assert size and min(size) > 20, f"chapter 1's first diagram is not drawn: {size}"

        first, hits = search_first_hit(page, "命令式")
        screenshot(page, "offline-search", full_page=False)
        assert first and first.endswith("/paradigms.html"), f"search for 命令式 from file://: first hit {first}, all: {hits}"
        page.keyboard.press("Escape")

        code = page.locator("article .highlight").first
        code.scroll_into_view_if_needed()
        code.hover()
        code.locator("button.md-clipboard, button.md-code__button[data-md-type='copy']").first.click(timeout=5000)
        copied = page.evaluate("navigator.clipboard.readText()")
        shown = code.locator("pre > code").inner_text()
        assert copied.strip() and copied.strip() == shown.strip(), "the copy button did not copy the code block"
        assert not page.locator("script[src*='playground.js']").count(), "the offline copy loads the 运行 buttons"
        page.wait_for_timeout(200)
        problems = context.recorder.take()
        assert not problems, "searching and copying in the offline copy:\n" + "\n".join(problems)
    finally:
        context.close()


class _Refs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("href", "src") and value:
                self.refs.append((tag, value))


def test_every_link_and_resource_of_the_offline_copy_is_a_file_in_it(made):
    """From file:// a link to a folder shows a file listing, and anything from another host
    breaks the promise of a copy that needs no network."""
    root = made["copy"]
    problems, pages = [], sorted(root.rglob("*.html"))
    assert len(pages) > 20, f"only {len(pages)} pages in the offline copy"
    for path in pages:
        refs = _Refs()
        refs.feed(path.read_text("utf-8"))
        name = path.relative_to(root).as_posix()
        for tag, value in refs.refs:
            url = urllib.parse.urlsplit(value)
            if url.scheme in {"mailto", "javascript", "data", "tel"}:
                continue
            if url.scheme or url.netloc:
                if tag != "a":
                    problems.append(f"{name}: <{tag}> loads from another host: {value}")
                continue
            if not url.path:
                continue
            target = (path.parent / urllib.parse.unquote(url.path)).resolve()
            if not target.is_file() or not target.is_relative_to(root.resolve()):
                problems.append(f"{name}: <{tag}> {value} is not a file of the copy")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])


def test_pdf_has_every_chapter_in_order_with_its_text_searchable(made, facts):
    """Each of the six chapters starts on the page its bookmark names, in chapter order, and its
    title is in the text pypdf extracts there (so a reader's search in the PDF finds Chinese
    words: no Kangxi radicals in place of ideographs); the table of contents has page numbers."""
    def squash(text):
        return re.sub(r"\s+", "", text)

    text = [squash(page) for page in facts["text"]]
    marks = [(squash(title), page) for title, page in offline.bookmarks(made["pdf"])]
    starts = []
    for page, title in offline.chapter_titles().items():
        start = next((p for t, p in marks if t == squash(title)), None)
        assert start, f"no bookmark for chapter {title!r} ({page})"
        assert squash(title) in text[start - 1], f"chapter {title!r} is not in the text of page {start}"
        starts.append(start)
    assert starts == sorted(starts), f"chapters out of order (pages {starts})"
    radicals = sum(len(re.findall("[\u2e80-\u2fdf]", t)) for t in text)
    assert not radicals, f"{radicals} Kangxi radicals in the PDF's text (they should read as ideographs)"
    toc = "".join(text[1:6])
    assert "目录" in text[1] and f"{squash(offline.chapter_titles()['paradigms.md'])}{starts[0]}" in toc, \
        "the table of contents does not give chapter 1's page"


# A4 less the side margins (sitekit/offline.py MARGIN), in CSS pixels
PRINTED_WIDTH = round((210 - 28) / 25.4 * 96)


def test_nothing_on_the_print_page_is_wider_than_the_paper(chromium, made):
    """Laid out for print at the printed width, no code block, output, table, diagram or
    paragraph reaches past the right margin (chromium cuts what does)."""
    page = chromium.new_page(viewport={"width": PRINTED_WIDTH, "height": 1000})
    try:
        page.goto((made["site"] / offline.PRINT_PAGE).as_uri(), wait_until="load")
        page.emulate_media(media="print")
        wide = page.evaluate("""() => {
          const root = document.querySelector("#print-site-page");
          const right = root.getBoundingClientRect().right + 1;
          return [...root.querySelectorAll("pre, table, div.mermaid, img, p, li, .highlight")]
            .filter(el => el.getBoundingClientRect().right > right)
            .map(el => `${el.closest("section.print-page[id]")?.id}: <${el.tagName.toLowerCase()}> ` +
                       `${Math.round(el.getBoundingClientRect().right - right)} px too wide: ${el.textContent.trim().slice(0, 60)}`);
        }""")
    finally:
        page.close()
    assert not wide, "cut off in the PDF:\n" + "\n".join(wide[:20])


def test_pdf_embeds_its_fonts_and_draws_diagrams_as_vectors(made, facts):
    not_embedded = [font for font, ok in facts["fonts"].items() if not ok]
    assert not not_embedded, f"fonts not embedded: {not_embedded}"
    from pypdf import PdfReader

    images = [i + 1 for i, page in enumerate(PdfReader(str(made["pdf"])).pages) if page.images]
    assert not images, f"raster images on pages {images}: diagrams and plots should print as vector graphics"


def test_playground_page_says_the_offline_copy_has_no_run_buttons(made):
    page = (made["copy"] / "playground" / "index.html").read_text("utf-8")
    assert "离线副本" in page and "make playground" in page

