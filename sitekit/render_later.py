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
"""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser

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
    __slots__ = ("tag", "attrs", "children", "tag_end")

    def __init__(self, tag: str, attrs: dict, tag_end: int):
        self.tag, self.attrs, self.tag_end = tag, attrs, tag_end  # tag_end: offset after the start tag
        self.children: list[Node | str] = []

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self) -> str:
        if self.tag == "template" and "shadowrootmode" not in self.attrs:
            return ""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def has_heading(self) -> bool:
        return any(isinstance(c, Node) and ((_HEADING.fullmatch(c.tag) and "id" in c.attrs) or c.has_heading())
                   for c in self.children)


class _TreeBuilder(HTMLParser):
    """The page's content (<article class="md-content__inner">) as a tree of Nodes."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.article: Node | None = None
        self.stack: list[Node] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if not self.stack:
            if tag == "article" and "md-content__inner" in (attrs.get("class") or "").split() and self.article is None:
                self.article = Node(tag, attrs, 0)
                self.stack.append(self.article)
            return
        node = Node(tag, attrs, self._offset() + len(self.get_starttag_text()))
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self.stack and self.stack[-1].tag == tag and tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in _VOID or not any(n.tag == tag for n in self.stack):
            return
        while self.stack and self.stack.pop().tag != tag:
            pass

    def handle_data(self, data):
        if self.stack:
            self.stack[-1].children.append(data)


def estimate(node: Node, line_chars: int, wrap_code: bool = False) -> float:
    """An upper bound of a block's height in em of body text, lines `line_chars` wide (inf:
    none known). `wrap_code`: code lines wrap (notebook outputs) instead of scrolling."""
    tag = node.tag
    if tag == "template" and "shadowrootmode" not in node.attrs:
        return 0.0  # a lazily highlighted block's markup: its plain text is what shows
    if tag == "pre":
        lines = node.text().strip("\n").split("\n")
        if wrap_code:
            rows = sum(max(1, math.ceil(text_width(line) * CODE_SCALE / line_chars)) for line in lines)
        else:
            rows = len(lines)
        return rows * CODE_LINE_EM + CODE_BLOCK_EM
    if tag == "svg":  # scales down to its container, never up: its natural height bounds it
        box = (node.attrs.get("viewbox") or "").split()
        return float(box[3]) / SMALLEST_FONT_PX + BLOCK_EM if len(box) == 4 else math.inf
    if tag == "img":  # no bound without its size: such a block is not deferred
        height = node.attrs.get("height") or ""
        return float(height) / SMALLEST_FONT_PX if height.isdigit() else math.inf
    children = node.children
    if tag == "details" and "open" not in node.attrs:
        children = [c for c in children if isinstance(c, Node) and c.tag == "summary"]
    height, inline = BLOCK_EM, 0.0

    def flush():
        nonlocal height, inline
        if inline:
            height += math.ceil(inline / line_chars) * LINE_EM
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
            height += estimate(child, line_chars, wrap_code)
    flush()
    return height


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


def blocks(html: str) -> list[tuple[Node, bool]]:
    """The top-level blocks of a page's content: the article's children, a notebook's cells
    (with True: a notebook wraps its code lines)."""
    builder = _TreeBuilder(html)
    builder.feed(html)
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
        narrow = estimate(block, NARROW_LINE, wrap_code) * safety
        # a block of unknown height counts as none: what follows it is not pushed out of the
        # first screens (it would then be deferred while perhaps still on the first screen)
        starts, seen = seen, seen + (narrow if narrow != math.inf else 0.0)
        if starts <= FIRST_SCREENS_EM or narrow == math.inf or _HEADING.fullmatch(block.tag) or block.has_heading():
            continue
        if "tabbed-set" in block.classes or "style" in block.attrs or "data-later" in block.attrs:
            continue
        wide = estimate(block, WIDE_LINE, wrap_code) * safety
        at = block.tag_end - (2 if html[block.tag_end - 2:block.tag_end] == "/>" else 1)
        inserts.append((at, f' data-later style="--later: {math.ceil(narrow)}em; --later-wide: {math.ceil(wide)}em"'))
    for at, text in reversed(inserts):
        html = html[:at] + text + html[at:]
    return html
