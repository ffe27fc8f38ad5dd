"""Internal links and anchors resolve; nothing is loaded from another host (static HTML)."""

from __future__ import annotations

import html.parser
import urllib.parse
from pathlib import Path

from pagechecks.session import page_name
from sitekit.browser import discover_pages


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
