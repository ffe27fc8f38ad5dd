"""Blocks below a page's first screens are rendered when a reader nears them.

Each top-level block of a page's content (a notebook page: each cell, or the parts of a
Markdown cell that holds a heading) after the first screens gets `data-later` and `--later` / `--later-wide`, its height estimated here;
docs/assets/stylesheets/site.css gives such blocks `content-visibility: auto` with that height
as a placeholder. While a chapter loads, the phone then styles and lays out a screen or two
instead of ~1,500 elements, and Material's bundle, which measures the page several times as it
starts, measures a short page (Lighthouse, /torchscript/: TBT ~350 -> ~50 ms).

The estimate is an upper bound of the block's real height (on a 280 px wide phone for
`--later`, on any screen of 45em and more for `--later-wide`), never less: a block that
rendered taller than its placeholder would overlap the blocks after it in the geometry that
scripts see before it is rendered (axe-core then reads wrong backgrounds). Overestimating only
makes the scrollbar a little long until the blocks have been seen (`auto` keeps a block's real
height once it has rendered). tests/browser checks the bound on every page. Headings stay out
(the table of contents measures them), as do content tabs (their labels reach past their box
on phones, and `content-visibility` clips).

Reading the page is most of the work, on every page of every build: the tree is built from the
content's <article> on, without the markup inside lazily highlighted code blocks (a <template>
that counts as nothing), by sitekit.htmlscan, and a code block's content goes in as its text.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from html import unescape
from html.parser import HTMLParser

from sitekit import htmlscan

# Blocks that start within this much (estimated) of the top render at load. Estimates run up
# to ~3x the real height, so this is about one real phone screen or more: nothing on the
# first screen waits for rendering, and nothing there moves (no layout shift).
FIRST_SCREENS_EM = 150

# Characters per line, counting a CJK character as 1 and any other as LATIN_WIDTH. Body text
# is at least 16 px (Material: .8rem of a 20 px root) on every screen.
NARROW_LINE = 14  # a 280 px phone: 280 - 2 x 12.8 px padding = ~254 px, 15.9 CJK characters
WIDE_LINE = 28  # 45em (720 px) and wider: the content column is never under ~640 px at 16 px
LATIN_WIDTH = 0.62  # wider than any proportional or monospace glyph here (Latin ~0.5-0.6em)

LINE_EM = 1.6  # Material's body line height
BLOCK_EM = 1.6  # margins and padding a paragraph, list item or cell adds (all <= 1.25em)
CODE_LINE_EM = 1.25  # code: .85em font, 1.4 line height = 1.19em of body text
CODE_BLOCK_EM = 5.0  # a code block's padding, its title bar and its margins
CODE_SCALE = 0.85  # code text is .85em (notebooks: 13 px of 16)
SAFETY = 1.15  # what the rules above miss (unbreakable words, list markers, table columns)
NOTEBOOK_SAFETY = 1.3  # notebooks: 14 px prose beside 13 px code, whose lines wrap
SMALLEST_FONT_PX = 12.8  # pixels to em: admonitions and <details> are set in .64rem

_INLINE = {"a", "abbr", "b", "button", "code", "del", "em", "i", "input", "ins", "kbd", "label",
           "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
_HEADING = re.compile(r"h[1-6]")


def text_width(text: str) -> float:
    """Width of a text in em of its font: CJK characters 1, others LATIN_WIDTH."""
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk) * LATIN_WIDTH


class Node:
    __slots__ = ("tag", "attrs", "children", "tag_end", "holds_heading")

    def __init__(self, tag: str, attrs: dict, tag_end: int):
        self.tag, self.attrs, self.tag_end = tag, attrs, tag_end  # tag_end: offset after the start tag
        self.children: list[Node | str] = []
        self.holds_heading = False  # set by the tree builder: a heading with an id is inside

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self) -> str:
        if self.tag == "template" and "shadowrootmode" not in self.attrs:
            return ""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def has_heading(self) -> bool:
        """Whether a heading with an id (one the table of contents links to) is inside."""
        return self.holds_heading


class _TreeBuilder(HTMLParser):
    """The page's content (<article class="md-content__inner">) as a tree of Nodes.

    `html` is what is fed; `start` and `cuts` map its offsets back to the page's (_fed)."""

    def __init__(self, html: str, start: int = 0, cuts: tuple[list[int], list[int]] = ([], [])):
        super().__init__(convert_charrefs=True)
        self.html, self.start, self.cuts = html, start, cuts
        self.article: Node | None = None
        self.stack: list[Node] = []

    @functools.cached_property
    def line_starts(self) -> list[int]:
        return [0] + [m.end() for m in re.finditer("\n", self.html)]

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def page_offset(self, fed_offset: int) -> int:
        """The page's offset of an offset in the fed HTML: past each cut, what it removed."""
        at, removed = self.cuts
        i = bisect.bisect_left(at, fed_offset)  # cuts strictly before fed_offset
        return self.start + fed_offset + (removed[i - 1] if i else 0)

    # `end`: the fed offset after the start tag (from htmlscan; HTMLParser's calls leave it out)
    def handle_starttag(self, tag, attrs, end: int | None = None):
        attrs = dict(attrs)
        if not self.stack:
            if tag == "article" and "md-content__inner" in (attrs.get("class") or "").split() and self.article is None:
                self.article = Node(tag, attrs, 0)
                self.stack.append(self.article)
            return
        if end is None:
            end = self._offset() + len(self.get_starttag_text())
        node = Node(tag, attrs, self.page_offset(end))
        self.stack[-1].children.append(node)
        if "id" in attrs and _HEADING.fullmatch(tag):
            for ancestor in self.stack:
                ancestor.holds_heading = True
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs, end: int | None = None):
        self.handle_starttag(tag, attrs, end)
        if self.stack and self.stack[-1].tag == tag and tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1].tag == tag:  # most end tags (a void tag is never on the stack)
            self.stack.pop()
            return
        if tag in _VOID or not any(n.tag == tag for n in self.stack):
            return
        while self.stack and self.stack.pop().tag != tag:
            pass

    def handle_data(self, data):
        if self.stack:
            self.stack[-1].children.append(data)

    # sitekit.htmlscan's reports, the same as HTMLParser's, except that a code block's content
    # becomes its text: nothing else of it counts (estimate(), has_heading()), and its token
    # <span>s are half of what is left of a page.
    def on_start(self, tag, attrs, begin, end, empty):
        if empty:
            self.handle_startendtag(tag, attrs, end)
            return None
        self.handle_starttag(tag, attrs, end)
        if tag == "pre" and (close := _PRE_END.search(self.html, end)):
            text = _code_text(self.html[end:close.start()])
            if text is not None:
                if text:
                    self.handle_data(text)
                self.handle_endtag("pre")
                return close.end()
        return None

    on_end = handle_endtag
    on_data = handle_data

    def on_comment(self, text):
        pass


_PRE_END = re.compile(r"</pre\s*>")
_HEADING_TAG = re.compile(r"<h[1-6]\b", re.I)
_TAG_IN_CODE = re.compile(r"</?[a-zA-Z][^<>]*>")
_LAZY_TEMPLATE = "<template data-lazy-highlight></template>"  # as _fed leaves it


def _code_text(inner: str) -> str | None:
    """The text HTMLParser would give a <pre>'s content, `inner`, if it holds only tags
    and text (a code block: token <span>s, emptied lazy-highlight <template>s); else None."""
    if "<" not in inner:
        return unescape(inner)
    if "<template" in inner.replace(_LAZY_TEMPLATE, "") or "<script" in inner or "<style" in inner \
            or "jp-" in inner or _HEADING_TAG.search(inner):
        return None  # not only code: read it all
    texts = _TAG_IN_CODE.split(inner)
    if any("<" in text for text in texts):
        return None  # a `<` that starts no tag: as HTMLParser reads it
    return "".join(map(unescape, texts))


def estimate(node: Node, line_chars: int, wrap_code: bool = False) -> float:
    """An upper bound of a block's height in em of body text, lines `line_chars` wide (inf:
    none known). `wrap_code`: code lines wrap (notebook outputs) instead of scrolling."""
    return _estimates(node, (line_chars,), wrap_code)[0]


def _estimates(node: Node, widths: tuple[int, ...], wrap_code: bool) -> list[float]:
    """estimate() for each line width, in one walk of the block (the same arithmetic, in the
    same order, as one walk per width)."""
    tag = node.tag
    if tag == "template" and "shadowrootmode" not in node.attrs:
        return [0.0] * len(widths)  # a lazily highlighted block's markup: its plain text is what shows
    if tag == "pre":
        lines = node.text().strip("\n").split("\n")
        if wrap_code:
            scaled = [text_width(line) * CODE_SCALE for line in lines]
            return [sum(max(1, math.ceil(w / line_chars)) for w in scaled) * CODE_LINE_EM + CODE_BLOCK_EM
                    for line_chars in widths]
        return [len(lines) * CODE_LINE_EM + CODE_BLOCK_EM] * len(widths)
    if tag == "svg":  # scales down to its container, never up: its natural height bounds it
        box = (node.attrs.get("viewbox") or "").split()
        return [float(box[3]) / SMALLEST_FONT_PX + BLOCK_EM if len(box) == 4 else math.inf] * len(widths)
    if tag == "img":  # no bound without its size: such a block is not deferred
        height = node.attrs.get("height") or ""
        return [float(height) / SMALLEST_FONT_PX if height.isdigit() else math.inf] * len(widths)
    children = node.children
    if tag == "details" and "open" not in node.attrs:
        children = [c for c in children if isinstance(c, Node) and c.tag == "summary"]
    heights, inline = [BLOCK_EM] * len(widths), 0.0

    def flush():
        nonlocal inline
        if inline:
            for i, line_chars in enumerate(widths):
                heights[i] += math.ceil(inline / line_chars) * LINE_EM
        inline = 0.0

    for child in children:
        if isinstance(child, str):
            inline += text_width(" ".join(child.split())) if child.strip() else 0.0
        elif child.tag == "br":
            flush()
        elif child.tag in _INLINE and not any(isinstance(c, Node) and c.tag not in _INLINE for c in child.children):
            inline += text_width(" ".join(child.text().split()))
        else:
            flush()
            for i, h in enumerate(_estimates(child, widths, wrap_code)):
                heights[i] += h
    flush()
    return heights


def _find_class(node: Node, name: str) -> Node | None:
    for child in node.children:
        if isinstance(child, Node):
            if name in child.classes:
                return child
            found = _find_class(child, name)
            if found is not None:
                return found
    return None


_NOT_RENDERED = {"script", "style", "template", "link", "meta"}


# Where parsing starts: nothing before the content's <article> becomes a Node.
_ARTICLE = re.compile(r'<article\b[^>]*\bclass="[^"]*\bmd-content__inner\b')
# A lazily highlighted block's markup (postprocess.defer_highlighting): ~80% of a chapter's
# tags, none of which counts (estimate() reads a <template> as nothing). It never holds
# another <template> (defer_highlighting leaves such blocks alone), so the first end tag ends it.
_LAZY_START = "<template data-lazy-highlight>"


def _fed(html: str) -> tuple[str, int, tuple[list[int], list[int]]]:
    """What the tree builder parses: the page from its content's <article> on, without the
    markup inside lazy-highlight <template>s (the <template> elements stay, empty); with the
    offset where it starts and, per cut, its offset in the result and what was removed up to it.
    The same tree comes out as from the whole page, in a fifth of the time."""
    m = _ARTICLE.search(html)
    start = m.start() if m else 0
    pieces, at, removed, pos, total = [], [], [], start, 0
    while (opened := html.find(_LAZY_START, pos)) >= 0:
        opened += len(_LAZY_START)
        closed = html.find("</template>", opened)
        if closed < 0:
            break
        pieces.append(html[pos:opened])
        at.append(opened - start - total)  # where the cut is in the result
        total += closed - opened
        removed.append(total)
        pos = closed
    pieces.append(html[pos:])
    return "".join(pieces), start, (at, removed)


def blocks(html: str) -> list[tuple[Node, bool]]:
    """The top-level blocks of a page's content: the article's children, a notebook's cells
    (with True: a notebook wraps its code lines)."""
    fed, start, cuts = _fed(html)
    builder = _TreeBuilder(fed, start, cuts)
    try:
        htmlscan.scan(fed, builder)
    except htmlscan.Unusual:
        builder = _TreeBuilder(fed, start, cuts)
        builder.feed(fed)
        builder.close()
    if builder.article is None:
        return []
    found = []
    for child in builder.article.children:
        if not isinstance(child, Node):
            continue
        if "jupyter-wrapper" in child.classes:
            for notebook in (c for c in child.children if isinstance(c, Node)):
                for cell in (c for c in notebook.children if isinstance(c, Node)):
                    # a Markdown cell with a heading is a whole section: its parts, not the cell
                    markdown = _find_class(cell, "jp-RenderedMarkdown") if cell.has_heading() else None
                    parts = markdown.children if markdown is not None else [cell]
                    found.extend((c, True) for c in parts if isinstance(c, Node))
        else:
            found.append((child, False))
    return [(node, wrap) for node, wrap in found if node.tag not in _NOT_RENDERED]


def mark(html: str) -> str:
    """The page with each block after the first screens marked for rendering on demand."""
    inserts = []
    seen = 0.0
    for block, wrap_code in blocks(html):
        safety = NOTEBOOK_SAFETY if wrap_code else SAFETY
        narrow, wide = _estimates(block, (NARROW_LINE, WIDE_LINE), wrap_code)
        narrow, wide = narrow * safety, wide * safety
        # a block of unknown height counts as none: what follows it is not pushed out of the
        # first screens (it would then be deferred while perhaps still on the first screen)
        starts, seen = seen, seen + (narrow if narrow != math.inf else 0.0)
        if starts <= FIRST_SCREENS_EM or narrow == math.inf or _HEADING.fullmatch(block.tag) or block.has_heading():
            continue
        if "tabbed-set" in block.classes or "style" in block.attrs or "data-later" in block.attrs:
            continue
        at = block.tag_end - (2 if html[block.tag_end - 2:block.tag_end] == "/>" else 1)
        inserts.append((at, f' data-later style="--later: {math.ceil(narrow)}em; --later-wide: {math.ceil(wide)}em"'))
    pieces, pos = [], 0
    for at, text in inserts:  # in page order
        pieces += [html[pos:at], text]
        pos = at
    return "".join(pieces) + html[pos:]
