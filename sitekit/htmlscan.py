"""html.parser's reading of a page, several times faster, for the markup the build writes.

The build reads every page's HTML twice in Python (sitekit.glossary links terms in the
content, sitekit.render_later estimates block heights), and html.parser.HTMLParser spends
most of its time on bookkeeping neither needs (line numbers, buffering for incremental
feeds). `scan` reports what HTMLParser reports to its handle_* methods, in the same order and
with the same arguments, for what MkDocs, Python-Markdown, Pygments, nbconvert and mermaid
write: start and end tags, text, character references, comments, <script>/<style> content.
On anything else (a stray `<`, a declaration, an end tag with attributes, an unclosed tag or
comment) it raises Unusual before reporting it, and the caller starts again with HTMLParser.
tests/unit/test_htmlscan.py holds the two to the same results.
"""

from __future__ import annotations

import re
import string
from html import parser as html_parser, unescape
from html.parser import HTMLParser

LETTERS = frozenset(string.ascii_letters)
RAW_TEXT = HTMLParser.CDATA_CONTENT_ELEMENTS  # ("script", "style"): their content is text, as written
_RAW_TEXT_END = {tag: re.compile(rf"</\s*{tag}\s*>", re.I) for tag in RAW_TEXT}
_END_TAG = re.compile(r"</\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>")  # html.parser's endtagfind
_COMMENT_END = re.compile(r"--\s*>")  # _markupbase's _commentclose
# Most tags: a name, then name="value" or bare-name attributes, space-separated. Other tags go
# through html.parser's own (tolerant) expressions, as HTMLParser reads them.
_PLAIN_TAG = re.compile(r'<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"]*")?)*)\s*(/?)>')
_PLAIN_ATTR = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:(=)"([^"]*)")?')
# html.parser with convert_charrefs=False: where text stops, and the references it reports
_TEXT_STOP = re.compile(r"[&<]")
_CHARREF = html_parser.charref
_ENTITYREF = html_parser.entityref


class Unusual(Exception):
    """Markup that `scan` leaves to HTMLParser."""


def starttag(html: str, j: int) -> tuple[str, list[tuple[str, str | None]], int, bool]:
    """(tag, attrs, offset after it, whether it ends in `/>`) of the start tag at j, as
    HTMLParser.parse_starttag reads it."""
    m = _PLAIN_TAG.match(html, j)
    if m:
        attrs = [(name.lower(), (unescape(value) if "&" in value else value) if eq else None)
                 for name, eq, value in _PLAIN_ATTR.findall(m[2])] if m[2] else []
        return m[1].lower(), attrs, m.end(), bool(m[3])
    k = html_parser.locatestarttagend_tolerant.match(html, j).end()
    if html.startswith(">", k):
        end = k + 1
    elif html.startswith("/>", k):
        end = k + 2
    else:
        raise Unusual(html[j:j + 80])
    m = html_parser.tagfind_tolerant.match(html, j + 1)
    tag, k = m[1].lower(), m.end()
    attrs = []
    while k < end:
        m = html_parser.attrfind_tolerant.match(html, k)
        if not m:
            break
        name, rest, value = m.group(1, 2, 3)
        if not rest:
            value = None
        elif value[:1] == "'" == value[-1:] or value[:1] == '"' == value[-1:]:
            value = value[1:-1]
        if value:
            value = unescape(value)
        attrs.append((name.lower(), value))
        k = m.end()
    if html[k:end].strip() not in (">", "/>"):
        raise Unusual(html[j:j + 80])
    return tag, attrs, end, html[k:end].strip() == "/>"


class Handler:
    """What `scan` reports to; on_start may return an offset to go on from (past content it
    dealt with itself), else scanning goes on after the tag."""

    convert_charrefs = True  # as HTMLParser's: text unescaped, or references reported apart

    def on_start(self, tag: str, attrs: list, begin: int, end: int, empty: bool) -> int | None:
        ...

    def on_end(self, tag: str) -> None:
        ...

    def on_data(self, text: str) -> None:
        ...

    def on_entityref(self, name: str) -> None:
        ...

    def on_charref(self, name: str) -> None:
        ...

    def on_comment(self, text: str) -> None:
        ...


def _text(html: str, i: int, j: int, h: Handler) -> None:
    """The text html[i:j] as HTMLParser(convert_charrefs=False) reports it."""
    while i < j:
        m = _TEXT_STOP.search(html, i, j)
        k = m.start() if m else j
        if i < k:
            h.on_data(html[i:k])
        if k == j:
            return
        if html.startswith("&#", k):
            m = _CHARREF.match(html, k)
            if not m or m.end() > j + 1:
                raise Unusual(html[k:k + 20])
            h.on_charref(m[0][2:-1])
            i = m.end() if m[0].endswith(";") else m.end() - 1
        else:
            m = _ENTITYREF.match(html, k)
            if m and m.end() <= j + 1:
                h.on_entityref(m[1])
                i = m.end() if m[0].endswith(";") else m.end() - 1
            elif k + 1 < len(html) and html[k + 1] not in LETTERS and html[k + 1] != "#":
                h.on_data("&")
                i = k + 1
            else:
                raise Unusual(html[k:k + 20])


def scan(html: str, h: Handler) -> None:
    """Report `html` to `h` as HTMLParser(convert_charrefs=h.convert_charrefs).feed(html);
    .close() would; Unusual if it holds markup this does not read the same way."""
    n, i, find = len(html), 0, html.find
    convert = h.convert_charrefs
    while i < n:
        j = find("<", i)
        if j < 0:
            j = n
        if i < j:
            if convert:
                h.on_data(unescape(html[i:j]))
            else:
                _text(html, i, j, h)
        if j == n:
            break
        c = html[j + 1:j + 2]
        if c in LETTERS:
            tag, attrs, end, empty = starttag(html, j)
            go_on = h.on_start(tag, attrs, j, end, empty)
            if go_on is not None:
                end = go_on
            elif not empty and tag in _RAW_TEXT_END:
                m = _RAW_TEXT_END[tag].search(html, end)
                if not m:
                    raise Unusual(html[j:j + 80])
                if m.start() > end:
                    h.on_data(html[end:m.start()])
                h.on_end(tag)
                end = m.end()
            i = end
        elif c == "/":
            m = _END_TAG.match(html, j)
            if not m:
                raise Unusual(html[j:j + 80])
            h.on_end(m[1].lower())
            i = m.end()
        elif html.startswith("<!--", j):
            m = _COMMENT_END.search(html, j + 4)
            if not m:
                raise Unusual(html[j:j + 80])
            h.on_comment(html[j + 4:m.start()])
            i = m.end()
        else:
            raise Unusual(html[j:j + 80])
