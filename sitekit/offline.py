"""The site to keep: a copy that works opened from disk, and a PDF (`make offline`).

    make offline                        # dist/<name>-offline.zip, dist/<name>.pdf, dist/offline.json
    python -m sitekit offline [--dist DIR] [--site DIR]

Many readers are where GitHub Pages is slow and Colab is blocked: a zip and a PDF travel.
One strict build with SITEKIT_OFFLINE=true turns on two plugins that mkdocs.yml lists switched
off: Material's `offline` (page links without directory URLs, the search index inlined as a
script, a Worker shim so that search runs from file://) and `print-site` (one extra page
holding the whole site in chapter order). This module is also the MkDocs hook of every build
(mkdocs.yml `hooks:`). In the offline build it

- serves iframe-worker's shim (npm, pinned in package.json) from the site: Material's offline
  plugin would load it from unpkg.com;
- leaves out the 运行 buttons (playground.js, Thebe): they need a Jupyter kernel, which a
  copy on disk does not have, and the 实验场 page says so; leaves out mermaid: every diagram
  must be drawn ahead (`make diagrams`, sitekit.diagrams), and a page that would still draw
  one fails the build (module scripts do not load from file://); leaves out source maps;
- makes relative links lead to files: from file:// a folder (`x/`) is a file listing, and
  some pages hold links written for directory URLs (links_for_file_urls);
- finishes the print page: print-site takes each page's HTML before the post-page step that
  puts the drawn diagrams in, so they are put in here, as in the site; collapsed blocks are
  opened, links to files that are not in the PDF lose their target, a cover goes first.

In every build (the hosted one included) it adds the 离线阅读 page (download.md, linked from
the home page and 关于本站), which offers the zip and the PDF when dist/ holds them: the docs
workflow runs `make offline` before `make build`, so the hosted site publishes both. Nothing
else of the hosted build changes.

The PDF: chromium (sitekit.browser, the one the tests drive) prints the print page with
Playwright's page.pdf: A4, page numbers in the footer, bookmarks from the headings, a table of
contents with the page each entry starts on (a first print finds them in the bookmarks; the
second prints them). Code wraps instead of being cut (Material's print styles); diagrams stay
SVG, so they print as vector graphics; chromium embeds (a subset of) every font it uses, the
Chinese ones from the system (fonts-noto-cjk, installed by `make browser`). Afterwards pypdf
fixes the text layer, so that a search in the PDF finds Chinese words (fix_text_layer).
"""

from __future__ import annotations

import argparse
import datetime
import html as html_lib
import json
import os
import posixpath
import re
import resource
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from sitekit import config as site_config, diagrams
from sitekit.config import CACHE, ROOT

ENV = "SITEKIT_OFFLINE"  # mkdocs.yml turns the offline and print-site plugins on with it
DIST = ROOT / "dist"
SITE = CACHE / "offline" / "site"
MANIFEST = "offline.json"
PRINT_PAGE = "print_page.html"  # print-site's page (its `print_page_basename`, no directory URLs)
PAGE = "download.md"  # the 离线阅读 page
SHIM = "assets/vendor/iframe-worker/shim.js"
SHIM_SRC = ROOT / "node_modules" / "iframe-worker" / "shim" / "index.js"
CSS = "assets/stylesheets/offline.css"
# What the offline copy leaves out (paths in the build): the 运行 buttons and their kernel
# client, mermaid (every diagram is drawn ahead), source maps.
LEFT_OUT = re.compile(r"^(assets/javascripts/playground\.js|assets/javascripts/mermaid-global\.mjs"
                      r"|assets/vendor/(thebe|mermaid)/.*|.*\.map)$")
# Files of the build that stay out of the zip: the print page and print-site's own assets (the
# PDF is made from them), pages a copy on disk never shows.
NOT_ZIPPED = re.compile(r"^(print_page\.html|js/print-site\.js|css/print-site[\w-]*\.css|404\.html|sitemap\.xml(\.gz)?)$")
CHAPTERS = ("paradigms.md", "evolution.md", "torchscript.md", "compile.md", "inductor.md", "deploy.md")

# Print styles of the offline build (the hosted site has its own in site.css).
OFFLINE_CSS = """\
/* The offline copy (sitekit/offline.py). Print: print-site's margin boxes give way to the
   page numbers chromium prints in the footer; code and tables wrap instead of being cut. */
@page { margin: 16mm 14mm 18mm; @bottom-center { content: none } @bottom-right { content: none } }
@media print {
  .md-typeset pre > code { white-space: pre-wrap; overflow-wrap: anywhere; word-break: normal }
  .md-typeset table:not([class]) th, .md-typeset table:not([class]) td { min-width: 0; padding: .5em .6em; overflow-wrap: anywhere }
  .md-typeset code { overflow-wrap: anywhere }
  /* the journey page (sitekit/journey.py): its mapping table and panes, wrapped to the paper */
  .md-typeset table.journey-table { display: table; width: 100%; table-layout: fixed; font-size: .6rem }
  .md-typeset table.journey-table th, .md-typeset table.journey-table td { min-width: 0; padding: .3em; overflow-wrap: anywhere }
  .journey-code { overflow: visible; max-height: none }
  .journey-code code { white-space: pre-wrap; overflow-wrap: anywhere }
  .md-typeset .mermaid, .md-typeset img { break-inside: avoid }
  /* Material keeps an admonition or <details> whole on one page: a long answer or note then
     leaves the rest of the page before it blank. Let it continue on the next page instead,
     its title kept with its first lines. */
  .md-typeset .admonition, .md-typeset details { page-break-inside: auto; break-inside: auto }
  .md-typeset .admonition-title, .md-typeset details > summary { break-after: avoid }
  #print-site-page pre { page-break-inside: auto }
  #print-site-cover-page { break-after: page; padding-top: 30vh }
  #print-site-cover-page .cover-title { font-size: 2.4em; font-weight: 700; line-height: 1.3 }
  #print-page-toc li { list-style: none; margin: .15em 0 }
  #print-page-toc a { display: flex; gap: .5em; color: var(--md-default-fg-color); text-decoration: none }
  #print-page-toc a .toc-page { margin-left: auto; font-variant-numeric: tabular-nums }
  .md-typeset h1, .md-typeset h2, .md-typeset h3, .md-typeset h4,
  .md-typeset .highlight > .filename, .md-typeset .tabbed-labels { break-after: avoid }
  .playground-launch { display: none }
}
"""

NOTE = """\
!!! note "离线副本"
    这是可以离线阅读的副本，页面上没有“运行”按钮：运行代码需要一个 Jupyter 内核。想运行、修改代码，可以克隆仓库，在根目录运行 `make playground`；也可以下载各章的笔记本，在自己的 Jupyter 里打开。

"""

# ------------------------------------------------------------------ the build's hook ----------
# Loaded by MkDocs from mkdocs.yml (`hooks:`) as a module of its own, in every build.

_state: dict = {"on": False, "pages": set()}


def _is_offline(config) -> bool:
    plugin = config.plugins.get("material/offline")
    return bool(plugin is not None and plugin.config.enabled)


@event_priority(100)  # before Material's offline plugin, which adds the unpkg.com shim if none is there
def on_config(config):
    _state["on"] = on = _is_offline(config)
    if not on:
        return config
    config.extra["polyfills"] = [*(config.extra.get("polyfills") or []), SHIM]
    config.extra_javascript = [s for s in config.extra_javascript if not LEFT_OUT.match(str(s))]
    config.extra_css.append(CSS)
    return config


def on_files(files, config):
    for file in download_files(config, offline=_state["on"]):
        files.append(file)
    if not _state["on"]:
        return files
    if not SHIM_SRC.exists():
        raise PluginError("node_modules/iframe-worker is missing: run `make offline` (its `npm ci` step installs it)")
    for file in list(files):
        if LEFT_OUT.match(file.src_uri):
            files.remove(file)
    files.append(File.generated(config, SHIM, abs_src_path=str(SHIM_SRC)))
    files.append(File.generated(config, "assets/vendor/iframe-worker/LICENSE", abs_src_path=str(SHIM_SRC.parents[1] / "LICENSE")))
    files.append(File.generated(config, CSS, content=OFFLINE_CSS))
    _state["pages"] = {f.dest_uri for f in files}
    return files


def on_page_markdown(markdown, page, config, files):
    if _state["on"] and page.file.src_uri == "playground/index.md":
        return add_note(markdown)
    return markdown


@event_priority(-100)  # after the site's own plugin has put the drawn diagrams in
def on_post_page(output, page, config):
    if not _state["on"]:
        return output
    if '<pre class="mermaid"' in output:
        raise PluginError(
            f"{page.file.src_uri}: a mermaid diagram is not drawn ahead, and the offline copy cannot "
            "draw it (module scripts do not load from file://): run `make diagrams`"
        )
    output = drop_print_assets(output)
    return links_for_file_urls(output, page.file.dest_uri, _state["pages"])


@event_priority(-50)  # after print-site has written the print page
def on_post_build(config):
    if not _state["on"]:
        return
    path = Path(config.site_dir) / PRINT_PAGE
    if not path.exists():
        raise PluginError(f"print-site wrote no {PRINT_PAGE}: is it the last plugin in mkdocs.yml, and on?")
    path.write_text(finish_print_page(path.read_text("utf-8"), config), "utf-8")


# ------------------------------------------------------------------ pure steps ----------------


def add_note(markdown: str) -> str:
    """The 实验场 page with the offline note right under its title."""
    title = re.search(r"^# .*\n", markdown, re.M)
    if title is None:
        return NOTE + markdown
    return f"{markdown[:title.end()]}\n{NOTE}{markdown[title.end():].lstrip(chr(10))}"


_PRINT_ASSET = re.compile(r'\s*<(?:link[^>]*href|script[^>]*src)="[^"]*(?:css/print-site[\w-]*\.css|js/print-site\.js)"[^>]*>(?:</script>)?')


def drop_print_assets(page_html: str) -> str:
    """A page of the offline copy without print-site's stylesheets and script (the print page keeps them)."""
    return _PRINT_ASSET.sub("", page_html)


_REF = re.compile(r'(\s(?:href|src)=")([^"#?:]+)((?:#[^"]*)?")')


def links_for_file_urls(page_html: str, dest_uri: str, dests: set[str]) -> str:
    """Relative links of a page of the offline copy, made to lead to a file of the build.

    From file:// a link to a folder (`x/`) shows a file listing: it goes to the folder's
    index.html, or to the page file `x.html`. Links written for directory URLs, where this
    page would be `x/index.html` (the 实验场 notebooks' `../../about/`, the tlparse report's
    `../graph.txt`), are read from there when they lead nowhere from here."""
    here = posixpath.dirname(dest_uri)
    bases = [here]
    if dest_uri.endswith(".html") and posixpath.basename(dest_uri) != "index.html":
        bases.append(dest_uri[: -len(".html")])

    def fix(m: re.Match) -> str:
        path = m[2]
        if path.startswith("/"):
            return m[0]
        for base in bases:
            target = posixpath.normpath(posixpath.join(base, path))
            if target.startswith(".."):
                continue
            if path.endswith("/") or path == ".":
                folder = "" if target == "." else f"{target}/"
                candidates = [f"{folder}index.html", f"{target}.html"]
            elif base == here and target in dests:
                return m[0]  # a file, found where it is written
            else:
                candidates = [target]
            for candidate in candidates:
                if candidate in dests:
                    return f"{m[1]}{posixpath.relpath(candidate, here or '.')}{m[3]}"
        return m[0]

    return _REF.sub(fix, page_html)


_DETAILS = re.compile(r"<details\b(?![^>]*\sopen\b)")
_LINK = re.compile(r'<a\b([^>]*?)\shref="([^"]*)"')
_BODY = re.compile(r'(<div id="print-site-page"[^>]*>)')


def finish_print_page(page_html: str, config) -> str:
    """print-site's page, ready to print: the drawn diagrams (as on the site's pages), every
    collapsed block open, links that lead out of the PDF to a local file without a target, a cover."""
    page_html, stash = diagrams.lift(page_html)
    page_html = diagrams.restore(page_html, stash)
    if '<pre class="mermaid"' in page_html:
        raise PluginError(f"{PRINT_PAGE}: a mermaid diagram is not drawn ahead: run `make diagrams`")
    page_html = _DRAWING.sub(lambda m: m[1] + fit_drawing(m[2]), page_html)
    page_html = _DETAILS.sub("<details open", page_html)

    def link(m: re.Match) -> str:
        href = m[2]
        if href.startswith("#") or re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I):
            return m[0]
        return f"<a{m[1]}"  # a relative link: to a page or file that is not part of the PDF

    page_html = _LINK.sub(link, page_html)
    # print-site renders its page with the context of 404.html, whose links start at the
    # server's root ("base": "/", "//assets/..."): from file:// they lead nowhere.
    page_html = page_html.replace('"base": "/"', '"base": "."')
    page_html = re.sub(r'(\s(?:src|href))="//(?=assets/)', r'\1="', page_html)
    page_html = re.sub(r"<title>.*?</title>", f"<title>{html_lib.escape(config.site_name)}</title>", page_html, count=1, flags=re.S)
    cover = cover_html(config)
    page_html, found = _BODY.subn(lambda m: m[1] + cover, page_html, count=1)
    if not found:
        raise PluginError(f"{PRINT_PAGE}: print-site's page has no #print-site-page")
    return page_html


_DRAWING = re.compile(r'(<template shadowrootmode="open">)(<svg\b[^>]*>)')
# A4 is 297 mm high, 34 mm of it margins (OFFLINE_CSS's @page).
DRAWING_MAX_HEIGHT = "195mm"


def fit_drawing(svg_tag: str) -> str:
    """A drawing's <svg> tag that fits the paper. Mermaid gives some drawings (the graphs of
    sitekit/graphs.py) a fixed size, which on the site scrolls sideways in its box and on
    paper would be cut off at the margin: they scale down to the paper's width. A tall one
    (a flowchart top to bottom) scales down to 3/4 of the page's height, so the heading and
    the sentence before it stay on its page instead of ending the page before it blank."""
    fit = [f"max-height: {DRAWING_MAX_HEIGHT}"]
    width = re.search(r'\swidth="([\d.]+)"', svg_tag)
    if width is not None:
        svg_tag = re.sub(r'\s(?:width|height)="[\d.]+"', "", svg_tag)
        fit.insert(0, f"max-width: {float(width[1]):.0f}px")
        svg_tag = svg_tag.replace("<svg", '<svg width="100%"', 1)
    style = "; ".join(fit)
    if ' style="' in svg_tag:
        return svg_tag.replace(' style="', f' style="{style}; ', 1)
    return svg_tag.replace("<svg", f'<svg style="{style}"', 1)


def cover_html(config) -> str:
    esc = html_lib.escape
    today = datetime.date.today().isoformat()
    repo = site_config.repository(config)
    return (
        '<section id="print-site-cover-page">'
        f'<p class="cover-title">{esc(config.site_name)}</p>'
        f"<p>{esc(config.site_description or '')}</p>"
        f"<p>github.com/{esc(repo['owner'])}/{esc(repo['name'])}</p>"
        f"<p>生成于 {today}</p>"
        "</section>"
    )


# ------------------------------------------------------------------ the 离线阅读 page -------


def _human(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def download_files(config, offline: bool) -> list[File]:
    """The 离线阅读 page and, in the hosted build, the files of dist/ it offers."""
    manifest = _read_manifest(DIST)
    found = [] if offline else [
        item for item in (manifest or {}).get("files", []) if (DIST / item["name"]).is_file()
    ]
    files = [File.generated(config, PAGE, content=download_markdown(found, offline))]
    for item in found:
        files.append(File.generated(config, f"download/{item['name']}", abs_src_path=str(DIST / item["name"])))
    return files


def _read_manifest(dist: Path) -> dict | None:
    try:
        return json.loads((dist / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def download_markdown(found: list[dict], offline: bool) -> str:
    description = "整站的离线副本（zip）和 PDF：在没有网络、打不开本站的时候也能读。"
    front = f"---\ndescription: {description}\nsearch:\n  exclude: true\n---\n\n"  # kept out of the search index
    head = front + "# 离线阅读\n\n"
    if offline:
        return head + (
            "你正在读的就是离线副本：导航、搜索、图和代码的复制按钮都不需要网络；“运行”按钮需要 Jupyter 内核，这里没有。\n\n"
            "整站的 PDF 与离线副本一起发布在网站的这一页上；也可以在仓库的根目录运行 `make offline`，自己生成这两个文件。\n"
        )
    if not found:
        return head + (
            "这次构建没有附带离线副本和 PDF。在仓库的根目录运行 `make offline`，它们会写到 `dist/`；"
            "之后再构建站点，这一页就会提供下载。发布的网站由 CI 先运行 `make offline` 再构建，所以总是附带它们。\n"
        )
    lines = [head.rstrip("\n"), ""]
    for item in found:
        link = f"download/{item['name']}"
        if item["kind"] == "zip":
            lines.append(f"- **[整站离线副本]({link})**（zip，{_human(item['bytes'])}）："
                         "解压后用浏览器打开其中的 `index.html`。导航、搜索、图和代码的复制按钮都能用；"
                         "“运行”按钮需要 Jupyter 内核，离线副本里没有。")
        else:
            lines.append(f"- **[PDF]({link})**（{_human(item['bytes'])}，{item['pages']} 页）："
                         "全站按章节顺序排成一本书，有封面、目录和页码；代码与输出完整，图是矢量图。")
    built = found[0].get("built", "")
    lines += ["", f"两者由 `make offline` 生成{f'（{built}）' if built else ''}。", ""]
    return "\n".join(lines)


# ------------------------------------------------------------------ make offline ------------


class OfflineError(RuntimeError):
    """What `make offline` stops on, said so that the reader knows what to fix."""



def build_offline(site: Path) -> None:
    """The strict offline build (both plugins on) into `site`."""
    from sitekit.build import build

    before = os.environ.get(ENV)
    os.environ[ENV] = "true"
    try:
        result = build(site)
    finally:
        if before is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = before
    if result.returncode:
        lines = result.stdout.splitlines()
        said = [line for line in lines if line.startswith(("WARNING", "ERROR"))] or lines[-30:]
        raise OfflineError("the offline build failed (SITEKIT_OFFLINE=true mkdocs build --strict):\n" + "\n".join(said))
    for needed in (PRINT_PAGE, "search/search_index.js", SHIM):
        if not (site / needed).is_file():
            raise OfflineError(f"offline build: {needed} is missing from {site}")


def write_zip(site: Path, dest: Path, top: str) -> int:
    """Every file of the offline build a reader needs, under one folder `top/`; the file count."""
    count = 0
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for path in sorted(site.rglob("*")):
            rel = path.relative_to(site).as_posix()
            if path.is_file() and not NOT_ZIPPED.match(rel):
                z.write(path, f"{top}/{rel}")
                count += 1
    return count


HEADER = "<div></div>"
FOOTER = ('<div style="width:100%;font-size:8px;color:#777;text-align:center;font-family:sans-serif">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
# The margins leave room for the footer; @page in OFFLINE_CSS says the same for a printing reader.
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"}


def print_pdf(print_page: Path, pdf: Path, chromium=None) -> list[str]:
    """The print page printed to `pdf` by chromium (a Playwright browser, or one launched here);
    the console errors seen while it was open.

    Printed twice: the first print's bookmarks say on which page each chapter and section
    starts, the second prints those numbers in the table of contents (their room is kept in
    the first print, so no page moves)."""
    if chromium is None:
        from playwright.sync_api import sync_playwright

        from sitekit import browser

        with sync_playwright() as p:
            launched = browser.launch(p)
            try:
                return print_pdf(print_page, pdf, launched)
            finally:
                launched.close()
    from sitekit import browser

    errors: list[str] = []
    page = chromium.new_page(viewport=browser.DESKTOP)
    try:
        page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"uncaught error: {e}"))
        page.goto(print_page.as_uri(), wait_until="load", timeout=120_000)
        page.evaluate(TOC_SCRIPT)
        page.evaluate("document.fonts.ready.then(() => true)")
        options = dict(format="A4", print_background=True, display_header_footer=True, header_template=HEADER,
                       footer_template=FOOTER, margin=MARGIN, outline=True, tagged=True)
        page.pdf(path=str(pdf), **options)
        if not page.evaluate("marks => window.__setTocPages(marks)", bookmarks(pdf)):
            errors.append("no entry of the table of contents found its page among the PDF's bookmarks")
        page.pdf(path=str(pdf), **options)
    finally:
        page.close()
    return errors


# The table of contents, from the print page's own headings (h1 of each page, its h2 sections),
# each entry with a slot for its page number, filled by __setTocPages after the first print.
TOC_SCRIPT = r"""() => {
  const nav = document.querySelector("#print-page-toc nav");
  if (!nav) throw new Error("print-site's table of contents is missing");
  nav.querySelectorAll("ul").forEach(ul => ul.remove());
  const top = document.createElement("ul");
  for (const section of document.querySelectorAll("#print-site-page section.print-page[id]")) {
    const h1 = section.querySelector("h1");
    if (!h1 || !section.id || section.id.startsWith("section-")) continue;
    const item = entry(h1, section.id, 1);
    const sub = document.createElement("ul");
    for (const h2 of section.querySelectorAll("h2[id]")) sub.appendChild(entry(h2, h2.id, 2));
    if (sub.children.length) item.appendChild(sub);
    top.appendChild(item);
  }
  nav.appendChild(top);
  function entry(heading, id, level) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = "#" + id;
    const text = document.createElement("span");
    text.textContent = heading.textContent.replace(/¶/g, "").trim();
    const page = document.createElement("span");
    page.className = "toc-page";
    page.dataset.target = id;
    page.textContent = "000";  // room for the number, so that filling it in moves nothing
    page.style.visibility = "hidden";
    a.append(text, page);
    li.appendChild(a);
    li.style.fontWeight = level === 1 ? "700" : "400";
    return li;
  }
  // marks: [title, page] of every bookmark in document order; entries take them in order too
  // (titles repeat: every chapter ends with a summary of the same name).
  window.__setTocPages = marks => {
    let at = marks.findIndex(mark => mark[0] === document.querySelector(".print-page-toc-title").textContent.trim()) + 1;
    let filled = 0;
    for (const span of document.querySelectorAll("#print-page-toc .toc-page")) {
      const title = span.parentNode.firstChild.textContent.replace(/\s+/g, " ").trim();
      const found = marks.findIndex((mark, i) => i >= at && mark[0] === title);
      if (found < 0) continue;
      at = found + 1;
      span.textContent = String(marks[found][1]);
      span.style.visibility = "visible";
      filled++;
    }
    return filled;
  };
  return top.children.length;
}"""


def bookmarks(pdf: Path) -> list[tuple[str, int]]:
    """(title, 1-based page) of every bookmark of the PDF in document order (chromium makes
    them from the headings)."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    marks: list[tuple[str, int]] = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            page = reader.get_destination_page_number(item)
            if page is not None:
                marks.append((re.sub(r"\s+", " ", item.title.replace("¶", "")).strip(), page + 1))

    walk(reader.outline)
    return marks


# Noto CJK draws a Kangxi radical (U+2F6C) and the ideograph it looks like (U+76EE) with one
# glyph, and chromium maps such a glyph back to the radical: the PDF's text then holds the
# radical where the ideograph is meant, and a reader's search in the PDF finds nothing. The radical blocks and the
# compatibility ideographs, mapped to the ideographs they stand for (their NFKC form).
_LOOKALIKE = re.compile("[\u2e80-\u2fdf\uf900-\ufaff]")
_HEX = r"<([0-9A-Fa-f]+)>"
_BFCHAR = re.compile(rf"{_HEX}\s*{_HEX}")
_BFRANGE = re.compile(rf"{_HEX}\s*{_HEX}\s*(?:{_HEX}|\[((?:\s*<[0-9A-Fa-f]+>)*)\s*\])")
_CMAP_HEAD = """/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
"""
_CMAP_TAIL = "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"


def _utf16(hex_text: str) -> str:
    return bytes.fromhex(hex_text).decode("utf-16-be", "surrogatepass")


def _hex16(text: str) -> str:
    return text.encode("utf-16-be", "surrogatepass").hex().upper()


# The radicals without a compatibility decomposition (the CJK Radicals Supplement block, and
# one Kangxi radical that Noto draws as the simplified form), each beside the ideograph that
# shares its glyph in Noto Sans CJK SC (read from its cmap, fonts-noto-cjk 20220127).
_SHARED_GLYPH = dict(pair for pair in "⺂乛 ⺃乚 ⺅亻 ⺇𠘨 ⺉刂 ⺋㔾 ⺍𭕄 ⺏尣 ⺐尢 ⺒巳 ⺓幺 ⺔彑 ⺕彐 ⺖忄 ⺘扌 ⺙攵 ⺛旡 ⺞歺 ⺟母 ⺠民 ⺡氵 ⺣灬 ⺤爫 ⺦丬 ⺨犭 ⺩𤣩 ⺭礻 ⺮𥫗 ⺯糹 ⺰纟 ⺱罓 ⺳㓁 ⺹耂 ⺺肀 ⺽𦥑 ⺾艹 ⻂衤 ⻅见 ⻆角 ⻇𧢲 ⻈讠 ⻉贝 ⻊𧾷 ⻋车 ⻌辶 ⻐钅 ⻑長 ⻒镸 ⻓长 ⻔门 ⻕𨸏 ⻖阝 ⻘青 ⻙韦 ⻚页 ⻛风 ⻜飞 ⻝食 ⻞𩙿 ⻟飠 ⻠饣 ⻡𩠐 ⻢马 ⻣骨 ⻤鬼 ⻥鱼 ⻦鸟 ⻧卤 ⻨麦 ⻩黄 ⻪黾 ⻫斉 ⻬齐 ⻮齿 ⻯竜 ⻰龙 ⻱龜 ⻲亀 ⻳龟 ⼾户".split())


def _ideographs(text: str) -> str:
    def one(ch: str) -> str:
        if ch in _SHARED_GLYPH:
            return _SHARED_GLYPH[ch]
        n = unicodedata.normalize("NFKC", ch)
        return n if len(n) == 1 else ch

    return _LOOKALIKE.sub(lambda m: one(m[0]), text)


def fix_cmap(cmap: str) -> str | None:
    """A ToUnicode CMap with every radical or compatibility ideograph replaced by its unified
    ideograph; None when it maps to none (then it stays as it is)."""
    mapping: dict[str, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in _BFCHAR.findall(block):
            mapping[src] = _utf16(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, start, array in _BFRANGE.findall(block):
            width, first, last = len(lo), int(lo, 16), int(hi, 16)
            targets = re.findall(_HEX, array) if array else None
            for i, code in enumerate(range(first, last + 1)):
                if targets is not None:
                    dst = _utf16(targets[i]) if i < len(targets) else ""
                else:
                    base = _utf16(start)
                    dst = base[:-1] + chr(ord(base[-1]) + i)
                mapping[f"{code:0{width}X}"] = dst
    if not any(_LOOKALIKE.search(v) for v in mapping.values()):
        return None
    space = re.search(r"\d+\s+begincodespacerange.*?endcodespacerange", cmap, re.S)
    items = sorted(mapping.items())
    out = [_CMAP_HEAD, (space[0] if space else "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange") + "\n"]
    for i in range(0, len(items), 100):  # at most 100 entries a block (the CMap format's limit)
        chunk = items[i:i + 100]
        out.append(f"{len(chunk)} beginbfchar\n")
        out.extend(f"<{src}> <{_hex16(_ideographs(dst))}>\n" for src, dst in chunk)
        out.append("endbfchar\n")
    out.append(_CMAP_TAIL)
    return "".join(out)


def fix_text_layer(pdf: Path, title: str) -> int:
    """Rewrite `pdf` with each font's text mapping fixed (fix_cmap) and `title` as its title;
    the number of mappings fixed."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=str(pdf))
    fixed, seen = 0, set()

    def visit(resources):
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font_obj = font.get_object()
            ref = font_obj.get("/ToUnicode")
            if ref is not None and id(ref.get_object()) not in seen:
                nonlocal fixed
                stream = ref.get_object()
                seen.add(id(stream))
                new = fix_cmap(stream.get_data().decode("latin-1"))
                if new is not None:
                    stream.set_data(new.encode("latin-1"))  # re-compressed as it was (FlateDecode)
                    fixed += 1
            visit(font_obj.get("/Resources"))  # a Type 3 font's glyphs have resources too
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                visit(xobject.get("/Resources"))

    for page in writer.pages:
        visit(page.get("/Resources"))
    writer.add_metadata({"/Title": title})
    with open(pdf, "wb") as f:
        writer.write(f)
    return fixed


def pdf_facts(pdf: Path) -> dict:
    """Pages, text of every page, and fonts (pypdf): {"fonts": {name: embedded}} with each
    Type 3 font (glyphs drawn as paths inside the PDF, always embedded) counted under "Type 3"."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    fonts: dict[str, bool] = {}
    type3: set[int] = set()

    def collect(resources):
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            if font.get("/Subtype") == "/Type3":
                type3.add(id(font))
                continue
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            fonts[str(font.get("/BaseFont"))] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                collect(xobject.get("/Resources"))

    for page in reader.pages:
        collect(page.get("/Resources"))
    if type3:
        fonts[f"Type 3 ({len(type3)} fonts)"] = True
    return {"pages": len(reader.pages), "fonts": fonts, "text": [page.extract_text() or "" for page in reader.pages]}


def chapter_titles(config: dict | None = None) -> dict[str, str]:
    """{page: nav title} of the six chapters, in order."""
    config = config or site_config.load()
    titles = {target: title for title, target in site_config.nav_pages(config["nav"])}
    return {page: titles[page] for page in CHAPTERS}


def make(dist: Path = DIST, site: Path = SITE, chromium=None) -> dict:
    """Build, zip and print (with `chromium`, a Playwright browser, if given); the manifest,
    also written to dist/offline.json."""
    name = site_config.repository(site_config.load())["name"]
    dist.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    build_offline(site)
    t_build = time.monotonic() - t0
    zip_path, pdf_path = dist / f"{name}-offline.zip", dist / f"{name}.pdf"
    files = write_zip(site, zip_path, name)
    t_zip = time.monotonic() - t0 - t_build
    errors = print_pdf(site / PRINT_PAGE, pdf_path, chromium)
    if errors:
        raise OfflineError(f"{PRINT_PAGE} had errors while it was printed:\n" + "\n".join(errors))
    fix_text_layer(pdf_path, site_config.load()["site_name"])
    facts = pdf_facts(pdf_path)
    t_pdf = time.monotonic() - t0 - t_build - t_zip
    missing = [title for title in chapter_titles().values()
               if not any(_squash(title) in _squash(text) for text in facts["text"])]
    if missing:
        raise OfflineError(f"{pdf_path}: chapters missing from the text: {missing}")
    not_embedded = [font for font, ok in facts["fonts"].items() if not ok]
    if not_embedded:
        raise OfflineError(f"{pdf_path}: fonts not embedded: {not_embedded}")
    built = datetime.date.today().isoformat()
    manifest = {"files": [
        {"kind": "zip", "name": zip_path.name, "bytes": zip_path.stat().st_size, "files": files, "built": built},
        {"kind": "pdf", "name": pdf_path.name, "bytes": pdf_path.stat().st_size, "pages": facts["pages"],
         "fonts": sorted(facts["fonts"]), "built": built},
    ], "seconds": {"build": round(t_build, 1), "zip": round(t_zip, 1), "pdf": round(t_pdf, 1)}}
    (dist / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return manifest


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitekit offline", description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=DIST, help="where the zip, the PDF and offline.json go (dist/)")
    parser.add_argument("--site", type=Path, default=SITE, help="where the offline build goes (.cache/offline/site)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    try:
        manifest = make(args.dist.resolve(), args.site.resolve())
    except OfflineError as e:
        print(f"make offline: {e}", file=sys.stderr)
        return 1
    used = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(u.ru_utime + u.ru_stime for u in used)
    for item in manifest["files"]:
        extra = f", {item['pages']} pages" if item["kind"] == "pdf" else f", {item['files']} files"
        print(f"{args.dist / item['name']}: {_human(item['bytes'])}{extra}")
    s = manifest["seconds"]
    print(f"build {s['build']} s, zip {s['zip']} s, pdf {s['pdf']} s; "
          f"{time.monotonic() - start:.0f} s wall, {cpu:.0f} s CPU (with the processes it started)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
