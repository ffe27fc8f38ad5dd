"""Drive the built site in Debian's chromium (playwright), served from this machine only."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import sys
import threading
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Without the background-networking flags chromium phones home at start-up; the offline
# tests would then see requests that are not the page's.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Material draws mermaid diagrams inside a *closed* shadow root; open it so tests can look.
OPEN_SHADOW_ROOTS = """
(() => {
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    return attach.call(this, Object.assign({}, init, { mode: "open" }));
  };
})();
"""
INSTALL_HINT = "install Debian's chromium and CJK fonts: apt-get install -y chromium fonts-noto-cjk"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


# What GitHub Pages sends gzip-compressed (text); images and fonts go as they are.
GZIP_TYPES = {".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".map", ".ipynb"}


@contextlib.contextmanager
def serve(directory: Path, prefix: str = "", gzip: bool = False):
    """Serve `directory` on 127.0.0.1 at a free port; yields the base URL.

    With `prefix` ("/project/"), the site is served under that sub-path, as GitHub Pages
    serves a project site; any request outside it gets a 404. With `gzip`, text files are
    sent gzip-compressed to clients that accept it, as GitHub Pages does.
    """
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    compressed: dict[str, bytes] = {}

    class Handler(_QuietHandler):
        def translate_path(self, path):
            if not path.startswith(prefix):
                return str(Path(directory) / "__outside_prefix__")
            return super().translate_path("/" + path[len(prefix):])

        def send_head(self):
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                if not self.path.split("?")[0].endswith("/"):
                    return super().send_head()  # the redirect to "dir/"
                path = path / "index.html"
            accepts = "gzip" in self.headers.get("Accept-Encoding", "")
            if not (gzip and accepts and path.is_file() and path.suffix in GZIP_TYPES):
                return super().send_head()
            import gzip as gz

            key = str(path)
            if key not in compressed:
                compressed[key] = gz.compress(path.read_bytes(), compresslevel=6)
            body = compressed[key]
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            import io

            return io.BytesIO(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------------------------------
# Checks shared by tests/test_browser*.py and tests/page_weight.py. Every check returns a
# list of problems, each a line that names the page, so one run reports everything.
# ---------------------------------------------------------------------------------------

import html.parser
import json
import posixpath
import re
import textwrap
import time
import urllib.parse

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "test-results" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def discover_pages(site_dir: Path) -> list[str]:
    """Every page of a built site as a URL path relative to its root ("" for the home page).

    Found by walking the build (``**/index.html``), so new chapters and generated pages are
    checked without anyone listing them. 404.html is left out: it is not a page to visit.
    """
    pages = []
    for index in sorted(Path(site_dir).rglob("index.html")):
        rel = index.parent.relative_to(site_dir).as_posix()
        if rel.startswith("assets/"):
            continue
        pages.append("" if rel == "." else rel + "/")
    return sorted(pages, key=lambda p: (p.count("/"), p))


def page_name(rel: str) -> str:
    return "/" + rel


def markdown_source(rel: str, docs_dir: Path) -> Path | None:
    """The docs/*.md a page was built from (None for pages that have none, e.g. notebooks)."""
    stem = rel.rstrip("/")
    candidates = [docs_dir / "index.md"] if not stem else [docs_dir / f"{stem}.md", docs_dir / stem / "index.md"]
    return next((c for c in candidates if c.exists()), None)


# --- static: links, anchors, external resources ----------------------------------------


class _Collector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str, str]] = []  # (tag, attribute, value, rel)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key) and (key == "id" or tag == "a"):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) is not None:
                self.refs.append((tag, key, attrs[key], (attrs.get("rel") or "").lower()))


def _parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def check_links(site_dir: Path) -> list[str]:
    """Internal links and #anchors resolve; nothing is loaded from another host.

    Links (<a href>) to other sites are fine; resources (scripts, styles, images, frames)
    from another host break the offline promise and are reported.
    """
    site_dir = Path(site_dir)
    problems = []
    parsed: dict[Path, _Collector] = {}

    def get(path: Path) -> _Collector:
        if path not in parsed:
            parsed[path] = _parse(path)
        return parsed[path]

    for rel in discover_pages(site_dir):
        html_file = site_dir / rel / "index.html"
        for tag, attr, value, rel_attr in get(html_file).refs:
            url = urllib.parse.urlsplit(value)
            if url.scheme in {"mailto", "javascript", "data", "tel"}:
                continue
            if url.scheme or url.netloc:
                # <a> and <link rel=canonical|alternate|...> navigate; everything else loads.
                is_link = tag == "a" or (tag == "link" and not set(rel_attr.split()) & LOADING_RELS)
                if not is_link:
                    problems.append(f"{page_name(rel)}: <{tag} {attr}> loads from another host: {value}")
                continue
            if not url.path and not url.fragment:
                continue
            target = (html_file.parent / urllib.parse.unquote(url.path)) if url.path else html_file
            if url.path.startswith("/"):
                problems.append(f"{page_name(rel)}: <{tag} {attr}> is root-absolute (breaks under a sub-path): {value}")
                continue
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{page_name(rel)}: <{tag} {attr}> points to a missing file: {value}")
                continue
            fragment = urllib.parse.unquote(url.fragment)
            if fragment and target.suffix == ".html" and fragment not in get(target).ids:
                problems.append(f"{page_name(rel)}: link to a missing anchor: {value}")
    return problems


LOADING_RELS = {"stylesheet", "icon", "shortcut", "preload", "modulepreload", "prefetch", "manifest", "apple-touch-icon"}


# --- browser: one recorder per context ---------------------------------------------------


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
        url = route.request.url
        if url.startswith(self.origin + "/") or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.events.append(f"request to another host: {url}")
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


# Count uncaught errors in the page, so waits for diagrams end as soon as rendering failed.
_TRAP_ERRORS = """
window.__uncaughtErrors = 0;
window.addEventListener("error", () => { window.__uncaughtErrors++; });
window.addEventListener("unhandledrejection", () => { window.__uncaughtErrors++; });
"""


def new_context(browser, base_url: str, *, color_scheme: str = "light", viewport=DESKTOP, **kwargs):
    """A context with closed shadow roots opened and a Recorder attached (as ctx.recorder)."""
    context = browser.new_context(color_scheme=color_scheme, viewport=viewport, **kwargs)
    context.add_init_script(OPEN_SHADOW_ROOTS)
    context.add_init_script(_TRAP_ERRORS)
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


# --- mermaid -----------------------------------------------------------------------------

# A node label written as a mermaid Markdown string: ["`line 1 <newline> line 2`"].
MARKDOWN_LABEL = re.compile(r'"`(.*?)`"', re.S)
HARD_CODED_COLOUR = re.compile(
    r"^\s*(style|classDef|linkStyle)\b.*(fill|stroke|color)\s*:\s*#|%%\{\s*init.*(themeVariables|[\"']theme[\"']|#[0-9a-f]{3,8}\b)",
    re.M | re.I,
)

_MERMAID_STATE = """
async () => {
  // Material replaces <pre class="mermaid"> by <div class="mermaid"> whose (opened) shadow
  // root holds the SVG; wait until every diagram is drawn or 10 s have passed.
  const deadline = Date.now() + 10000;
  const blocks = () => [...document.querySelectorAll(".mermaid")];
  while (Date.now() < deadline) {
    if (blocks().every(el => el.shadowRoot && el.shadowRoot.querySelector("svg"))) break;
    if (window.__uncaughtErrors) { await new Promise(r => setTimeout(r, 300)); break; }
    await new Promise(r => setTimeout(r, 100));
  }
  const errorText = /Syntax error|Parse error|error in text|Lexical error/i;
  return blocks().map((el, i) => {
    const svg = el.shadowRoot && el.shadowRoot.querySelector("svg");
    const box = svg ? svg.getBoundingClientRect() : null;
    const labels = svg ? [...svg.querySelectorAll(".nodeLabel, .edgeLabel, text")].map(label => {
      // Where each visible character sits, to tell which characters share a line.
      const chars = [];
      const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let k = 0; k < node.data.length; k++) {
          if (/\\s/.test(node.data[k])) continue;
          const range = document.createRange();
          range.setStart(node, k); range.setEnd(node, k + 1);
          const r = range.getBoundingClientRect();
          chars.push([node.data[k], Math.round(r.top), Math.round(r.height)]);
        }
      }
      return chars;
    }).filter(c => c.length) : [];
    return {
      tag: el.tagName,
      svg: !!svg,
      width: box ? box.width : 0,
      height: box ? box.height : 0,
      error: svg ? errorText.test(svg.textContent) || !!svg.querySelector(".error-icon, .error-text") : false,
      text: svg ? svg.textContent.slice(0, 200) : el.textContent.slice(0, 200),
      labels,
    };
  });
}
"""


def mermaid_sources(html_file: Path) -> list[str]:
    """The mermaid code of each diagram of a built page, as the reader wrote it."""
    text = html_file.read_text(encoding="utf-8")
    blocks = re.findall(r'<pre class="mermaid"><code>(.*?)</code></pre>', text, re.S)
    return [html.unescape(b) for b in blocks]


def expected_label_lines(source: str) -> list[list[str]]:
    """Each multi-line Markdown-string label of a diagram, as its list of lines."""
    labels = []
    for m in MARKDOWN_LABEL.finditer(source):
        lines = [re.sub(r"\s+", "", line) for line in m.group(1).splitlines()]
        lines = [_strip_markdown(line) for line in lines if line]
        if len(lines) > 1:
            labels.append(lines)
    return labels


def _strip_markdown(line: str) -> str:
    return re.sub(r"\*\*|__|\*|_", "", line) if not re.search(r"\w_\w", line) else line.replace("**", "")


def check_mermaid(page, rel: str, html_file: Path, scheme: str) -> list[str]:
    where = f"{page_name(rel)} ({scheme} mode)"
    sources = mermaid_sources(html_file)
    states = page.evaluate(_MERMAID_STATE)
    problems = []
    if len(states) != len(sources):
        problems.append(f"{where}: {len(sources)} mermaid diagram(s) in the HTML, {len(states)} on the page")
    for i, (state, source) in enumerate(zip(states, sources), 1):
        first_line = source.strip().splitlines()[0] if source.strip() else ""
        label = f"{where}: diagram {i} ({first_line})"
        if HARD_CODED_COLOUR.search(source):
            problems.append(f"{label}: hard-coded colours or %%{{init}} (breaks light/dark mode)")
        if not state["svg"]:
            problems.append(f"{label}: not rendered as SVG; shows {state['text']!r}")
            continue
        if state["error"]:
            problems.append(f"{label}: mermaid drew an error: {state['text']!r}")
            continue
        if state["width"] < 20 or state["height"] < 20:
            problems.append(f"{label}: rendered SVG is {state['width']}x{state['height']} px")
        problems.extend(_check_label_lines(label, expected_label_lines(source), state["labels"]))
    return problems


def _check_label_lines(where: str, expected: list[list[str]], rendered: list[list]) -> list[str]:
    problems = []
    for lines in expected:
        joined = "".join(lines)
        match = next((chars for chars in rendered if "".join(c[0] for c in chars) == joined), None)
        if match is None:
            problems.append(f"{where}: multi-line label {' / '.join(lines)!r} not found in the SVG")
            continue
        pos = 0
        for prev, line in zip(lines, lines[1:]):
            pos += len(prev)
            before, after = match[pos - 1], match[pos]
            # A new line starts lower than the previous character (by at least half a line).
            if after[1] - before[1] < max(4, before[2] // 2):
                problems.append(f"{where}: label {' / '.join(lines)!r}: {line!r} is not on a new line")
                break
    return problems


# --- content tabs --------------------------------------------------------------------------

_TABS = """
async () => {
  const problems = [];
  const sets = [...document.querySelectorAll(".tabbed-set")];
  for (const [s, set] of sets.entries()) {
    const labels = [...set.querySelectorAll(":scope > .tabbed-labels > label")];
    const blocks = [...set.querySelectorAll(":scope > .tabbed-content > .tabbed-block")];
    if (labels.length !== blocks.length) problems.push(`tab set ${s + 1}: ${labels.length} labels, ${blocks.length} panels`);
    for (const [i, label] of labels.entries()) {
      label.click();
      await new Promise(r => setTimeout(r, 50));
      const shown = blocks.map(b => b.offsetParent !== null && b.getBoundingClientRect().height > 0);
      const ok = shown[i] && shown.filter(Boolean).length === 1;
      if (!ok) problems.push(`tab set ${s + 1}: clicking "${label.innerText.trim()}" shows panels ${JSON.stringify(shown)}`);
    }
    if (labels.length) labels[0].click();
  }
  return [sets.length, problems];
}
"""


def check_tabs(page, rel: str) -> tuple[int, list[str]]:
    count, problems = page.evaluate(_TABS)
    return count, [f"{page_name(rel)}: {p}" for p in problems]


# --- code blocks and their copy buttons ---------------------------------------------------

FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
    re.S | re.M,
)
INCLUDE_LINE = re.compile(r"""^\s*--8<--\s+["'](?P<path>[^"':]+)(?::(?P<spec>[^"']*))?["']\s*$""")
SECTION_MARK = re.compile(r"^\s*#\s*--8<--\s*\[(?:start|end):[\w-]+\]\s*$")


def snippet_base_paths() -> list[Path]:
    """pymdownx.snippets' base_path list from mkdocs.yml, read the same way the notebook
    generator reads it (playground/notebooks.py), so both resolve `--8<--` paths alike."""
    sys.path.insert(0, str(ROOT / "playground"))
    import notebooks

    return notebooks.snippet_bases()


def resolve_include(path: str, spec: str | None, base: Path | list[Path]) -> str:
    """What pymdownx.snippets inserts for `--8<-- "path[:section]"` (dedent_subsections)."""
    bases = base if isinstance(base, list) else [base]
    found = next((b / path for b in bases if (b / path).exists()), bases[0] / path)
    lines = found.read_text(encoding="utf-8").splitlines()
    if spec and re.fullmatch(r"[\w-]+", spec):
        start = next(i for i, l in enumerate(lines) if re.search(rf"--8<--\s*\[start:{spec}\]", l))
        end = next(i for i, l in enumerate(lines) if i > start and re.search(rf"--8<--\s*\[end:{spec}\]", l))
        lines = [l for l in lines[start + 1 : end] if not SECTION_MARK.match(l)]
        return textwrap.dedent("\n".join(lines))
    if spec and re.fullmatch(r"\d*(:\d*)?", spec):
        a, _, b = spec.partition(":")
        lines = lines[int(a or 1) - 1 : int(b) if b else None]
    return "\n".join(l for l in lines if not SECTION_MARK.match(l))


def expected_code_blocks(md_file: Path, snippets_dir: Path | list[Path]) -> list[str]:
    """The text of each code block of a page, in order, from its Markdown source."""
    text = md_file.read_text(encoding="utf-8")
    blocks = []
    for m in FENCE.finditer(text):
        if m["info"].strip().lower().startswith("mermaid"):
            continue
        body = textwrap.dedent("\n".join(l[len(m["indent"]):] for l in m["body"].splitlines()))
        lines = [l for l in body.splitlines() if l.strip()]
        if lines and all(INCLUDE_LINE.match(l) for l in lines):
            parts = [resolve_include(mm["path"], mm["spec"], snippets_dir) for mm in map(INCLUDE_LINE.match, lines)]
            blocks.append("\n".join(parts))
        else:
            blocks.append(body)
    return blocks


def _normalise_code(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


# Select the tabs and open the <details> that contain an element.
_REVEAL = """el => {
  for (let node = el; node; node = node.parentElement) {
    if (node.tagName === "DETAILS") node.open = true;
    if (node.classList && node.classList.contains("tabbed-block")) {
      const set = node.closest(".tabbed-set");
      const index = [...node.parentElement.children].indexOf(node);
      const input = set.querySelectorAll(":scope > input")[index];
      if (input && !input.checked) input.click();
    }
  }
}"""


def check_copy_buttons(page, rel: str, md_file: Path | None, snippets_dir: Path | list[Path]) -> tuple[int, list[str]]:
    """Click every copy button; the clipboard must hold exactly the embedded file/section."""
    if md_file is None:
        return 0, []
    where = page_name(rel)
    expected = expected_code_blocks(md_file, snippets_dir)
    # Element handles, resolved once: a locator re-runs the `:has()` query over the whole
    # page for every step, which cost more than the clicks on a long chapter.
    blocks = page.query_selector_all(".md-content pre:has(> code)")
    n = len(blocks)
    if n != len(expected):
        return n, [f"{where}: {len(expected)} code blocks in {md_file.name}, {n} on the page"]
    problems = []
    for i, block in enumerate(blocks):
        # Material >= 9.7 puts the button in a nav (.md-code__button); older ones use .md-clipboard.
        buttons = block.query_selector_all("button.md-clipboard, button.md-code__button[data-md-type='copy']")
        if len(buttons) != 1:
            problems.append(f"{where}: code block {i + 1} has no copy button")
            continue
        # Empty the clipboard, and show a block that sits in a closed tab or <details>.
        block.evaluate("async el => { await navigator.clipboard.writeText(''); (" + _REVEAL + ")(el); }")
        buttons[0].click()  # scrolls the block into view and hovers it, as a reader would
        copied = ""
        for _ in range(20):
            copied = page.evaluate("navigator.clipboard.readText()")
            if copied:
                break
            time.sleep(0.05)
        if _normalise_code(copied) != _normalise_code(expected[i]):
            first = expected[i].strip().splitlines()[0] if expected[i].strip() else ""
            problems.append(
                f"{where}: copy button of code block {i + 1} ({first[:60]!r}) copied "
                f"{len(copied)} chars that differ from the embedded source ({len(expected[i])} chars):\n"
                + _short_diff(expected[i], copied)
            )
    return n, problems


def _short_diff(expected: str, actual: str) -> str:
    import difflib

    diff = difflib.unified_diff(
        _normalise_code(expected).splitlines(), _normalise_code(actual).splitlines(), "source", "clipboard", lineterm="", n=1
    )
    return "\n".join(list(diff)[:20])


# --- phone layout ------------------------------------------------------------------------

_OVERFLOW = """
() => {
  const vw = document.documentElement.clientWidth;
  const scrollables = "pre, code, table, .md-typeset__scrollwrap, .highlight, .mermaid, .md-sidebar, .md-search, .md-nav, .md-tooltip, .md-dialog, mjx-container, .katex-display";
  const offenders = [];
  for (const el of document.querySelectorAll(".md-container *")) {
    if (el.closest(scrollables)) continue;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden" || style.position === "fixed") continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > vw + 1 || r.left < -1) {
      // Report the outermost offender only.
      if (offenders.some(o => o.el.contains(el))) continue;
      const id = el.id ? "#" + el.id : "";
      const cls = typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : "";
      offenders.push({el, desc: `<${el.tagName.toLowerCase()}${id}${cls}> ${Math.round(r.left)}..${Math.round(r.right)} px: ${(el.textContent || "").trim().slice(0, 50)}`});
    }
  }
  const tables = [...document.querySelectorAll(".md-typeset table:not(.highlighttable)")].map((t, i) => {
    const wrap = t.closest(".md-typeset__scrollwrap");
    if (!wrap) return `table ${i + 1} is not inside a scroll wrapper`;
    const ox = getComputedStyle(wrap).overflowX;
    if (!["auto", "scroll"].includes(ox)) return `table ${i + 1}: wrapper overflow-x is ${ox}`;
    if (wrap.getBoundingClientRect().right > vw + 1) return `table ${i + 1}: wrapper is wider than the screen`;
    if (wrap.scrollWidth > wrap.clientWidth) {
      wrap.scrollLeft = 40;
      const moved = wrap.scrollLeft > 0;
      wrap.scrollLeft = 0;
      if (!moved) return `table ${i + 1} is wider than the screen and does not scroll`;
    }
    return null;
  }).filter(Boolean);
  return {
    pageWidth: document.documentElement.scrollWidth, vw,
    offenders: offenders.map(o => o.desc), tables,
  };
}
"""


def check_phone_layout(page, rel: str) -> list[str]:
    where = f"{page_name(rel)} (390x844)"
    state = page.evaluate(_OVERFLOW)
    problems = [f"{where}: overflows the screen: {o}" for o in state["offenders"]]
    problems += [f"{where}: {t}" for t in state["tables"]]
    if state["pageWidth"] > state["vw"] + 1 and not problems:
        problems.append(f"{where}: page scrolls sideways ({state['pageWidth']} px wide, screen {state['vw']} px)")
    return problems


# --- accessibility -----------------------------------------------------------------------


# axe checks the contrast of every highlighted token: thousands on a chapter page, all in a
# handful of colours. Keep one span per token kind (per code/output block type) and turn
# the rest into plain text, so axe takes seconds, not half a minute. Run it last on a page.
_ONE_SPAN_PER_TOKEN_KIND = """() => {
  const seen = new Set();
  // chapter pages: pre > code > span; notebook pages (nbconvert): pre > span
  for (const span of document.querySelectorAll(".md-typeset pre span[class]")) {
    const key = span.className + "|" + (span.closest(".output, .jp-OutputArea") ? "output" : "code");
    if (seen.has(key)) span.replaceWith(document.createTextNode(span.textContent));
    else seen.add(key);
  }
  for (const a of document.querySelectorAll(".md-typeset pre a[id^='__codelineno']")) a.remove();
}"""


def check_axe(page, rel: str, scheme: str = "light") -> list[str]:
    """axe-core (vendored in axe-playwright-python): no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    page.evaluate(_ONE_SPAN_PER_TOKEN_KIND)
    options = {"resultTypes": ["violations"]}
    if scheme != "light":
        # Only colours change with the scheme; the markup rules ran on the light walk.
        options["runOnly"] = {"type": "rule", "values": ["color-contrast"]}
    results = Axe().run(page, options=options)
    problems = []
    for v in results.response.get("violations", []):
        if v.get("impact") not in {"serious", "critical"}:
            continue
        targets = [", ".join(map(str, n.get("target", []))) for n in v.get("nodes", [])][:5]
        problems.append(
            f"{page_name(rel)} ({scheme}): axe {v['impact']} {v['id']}: {v['help']} "
            f"({len(v.get('nodes', []))} element(s): {'; '.join(targets)})"
        )
    return problems


# --- one walk through every page ------------------------------------------------------


class Tour(dict):
    """Problems found on one walk through every page, by check: {check: [problem, ...]}."""

    def __init__(self):
        super().__init__()
        self.counts: dict[str, int] = {}

    def add(self, check: str, problems: list[str], count: int = 0):
        self.setdefault(check, []).extend(problems)
        self.counts[check] = self.counts.get(check, 0) + count


def walk(browser, built_site: Path, site_url: str, pages: list[str], *, scheme: str, viewport, checks: set[str],
         docs_dir: Path = ROOT / "docs", snippets_dir: Path | list[Path] | None = None, shots: str = "", **context_args) -> Tour:
    """Open each page once and run the given checks on it (a page load is the costly part)."""
    tour = Tour()
    snippets_dir = snippets_dir or snippet_base_paths()
    context = new_context(browser, site_url, color_scheme=scheme, viewport=viewport, **context_args)
    if "copy" in checks:
        origin = "/".join(site_url.split("/", 3)[:3])
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page = context.new_page()
    label = "phone" if viewport == PHONE else scheme
    try:
        for rel in pages:
            name, html_file = page_name(rel), built_site / rel / "index.html"
            open_page(page, site_url + rel)
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
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    diagram.screenshot(path=str(SCREENSHOTS / f"{shots}dark-{(rel or 'home').strip('/').replace('/', '_')}-diagram{i}.png"))
            page.wait_for_timeout(100)  # let late console errors arrive
            tour.add("offline", [f"{name} ({label}): {e}" for e in context.recorder.take()], 1)
            if "tabs" in checks:
                count, found = check_tabs(page, rel)
                tour.add("tabs", found, count)
            if "copy" in checks:
                md = markdown_source(rel, docs_dir)
                count, found = check_copy_buttons(page, rel, md, snippets_dir)
                tour.add("copy", found, count)
            if "axe" in checks:  # last: it simplifies the code blocks' markup
                tour.add("axe", check_axe(page, rel, scheme))
            tour.add("offline", [f"{name} ({label}, while clicking): {e}" for e in context.recorder.take()])
    finally:
        context.close()
    return tour


# --- search ------------------------------------------------------------------------------


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
