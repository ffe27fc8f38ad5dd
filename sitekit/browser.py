"""The built site in a browser: Debian's chromium, and a local server that serves the build
as GitHub Pages does (used by the page-weight benchmark and by the browser tests)."""

from __future__ import annotations

import contextlib
import functools
import gzip as gz
import http.server
import io
import shutil
import subprocess
import sys
import threading
from pathlib import Path

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
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
_JS = Path(__file__).with_name("js")


def find_chromium() -> str | None:
    """Debian's chromium if it starts (Ubuntu's chromium-browser can be a snap stub that does
    not), else None: playwright then uses the browser it installed, if any."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if not path:
            continue
        try:
            if subprocess.run([path, "--version"], capture_output=True, timeout=60).returncode == 0:
                return path
        except (subprocess.TimeoutExpired, OSError):
            pass
        print(f"{path} is there but does not start (`{path} --version` failed)", file=sys.stderr)
    return None


def launch(playwright):
    """A headless chromium: Debian's where present, else Playwright's own."""
    path = find_chromium()
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS) if path else \
        playwright.chromium.launch(args=CHROMIUM_FLAGS)


@functools.cache
def script(name: str) -> str:
    """The JavaScript of sitekit/js/<name>.js."""
    return (_JS / f"{name}.js").read_text("utf-8")


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
            key = str(path)
            if key not in compressed:
                compressed[key] = gz.compress(path.read_bytes(), compresslevel=6)
            body = compressed[key]
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
