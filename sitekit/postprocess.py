"""Changes to built HTML pages, each a pure function of the page's HTML.

- lift_code / restore_code: hand mermaid2 each page without its code blocks. mermaid2's
  on_post_page re-parses the whole page with BeautifulSoup's pure-Python html.parser
  whenever the HTML contains the word "mermaid", only to count the diagrams and append one
  <script>. Highlighted code (a <span> per token) is ~80% of the tags on our chapter pages,
  so that parse took ~1.7 s of a ~6.5 s build. The code goes back verbatim afterwards.
- offline_notebook_page: notebook pages rendered by nbconvert (mkdocs-jupyter's) carry its CDN
  scripts (MathJax always, a mermaid ESM import, require.js); the site loads nothing from
  third-party hosts, so they are removed (the generated notebooks contain neither LaTeX nor
  mermaid), as is nbconvert's "End of mermaid configuration" comment, which made mermaid2
  re-parse every ~700 kB notebook page for no diagram. Code cells become focusable.
- prune_notebook_css (part of offline_notebook_page): nbconvert inlines all of JupyterLab's
  stylesheet (~570 kB, ~3,200 rules) into every notebook page; a static page uses ~150 of
  them. Rules whose every selector needs a JupyterLab class the page does not have are
  dropped: less to download, and far less style matching for the phone's CPU at load.
  The build applies offline_notebook_page to the notebook's rendered content (page.content),
  once per notebook version: sitekit.notebookpages caches the result.
- fix_notebook_anchors: nbconvert's slugs drop Chinese characters.
- relative_module_imports: mermaid2 writes a bare module specifier on the home page.
- defer_highlighting: below the first code blocks of a page, a block's highlighted markup
  (a <span> per token, ~80% of a chapter's elements) moves into a <template> inside it and
  the block keeps its plain text; docs/assets/javascripts/lazy-highlight.js puts the markup
  back when the block comes near the viewport (or the page is printed). At load the browser
  then neither styles nor lays out those spans, and Material's bundle, which measures every
  code block, works on a page a third the size. The text is the same either way: copy
  buttons, find-in-page and the 运行 buttons see the same code.
- utf8_search_index: Material's search plugin writes search_index.json with every non-ASCII
  character escaped (`\\u4e2d`, 6 bytes; jieba puts a `\\u200b` between Chinese words):
  the same JSON in UTF-8 is 235 -> 214 kB gzip'd, and every page fetches it at load.
"""

from __future__ import annotations

import functools
import json
import re
from html import unescape

# <pre> never nests; diagrams (<pre class="mermaid">) stay for mermaid2 to find.
_CODE = re.compile(r'<pre\b(?![^>]*\bclass="mermaid")[^>]*>.*?</pre>', re.S)
_PLACEHOLDER = re.compile(r'<pre data-code-stash="(\d+)"></pre>')


def lift_code(html: str) -> tuple[str, list[str]]:
    """The page with each code block replaced by a placeholder, and the blocks."""
    stash: list[str] = []

    def lift(m: re.Match) -> str:
        stash.append(m[0])
        return f'<pre data-code-stash="{len(stash) - 1}"></pre>'

    return _CODE.sub(lift, html), stash


def restore_code(html: str, stash: list[str]) -> str:
    return _PLACEHOLDER.sub(lambda m: stash[int(m[1])], html)


# nbconvert template scripts that would reach a CDN
_CDN_SCRIPTS = [
    re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S),
    re.compile(r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded", async \(\) => \{\s*const diagrams = document\.querySelectorAll\("\.jp-Mermaid.*?</script>', re.S),
    re.compile(r'<script src="https://cdnjs\.cloudflare\.com/ajax/libs/require\.js/[^"]*"></script>'),
    re.compile(r"<!-- End of mermaid configuration -->"),
]


def offline_notebook_page(html: str) -> str:
    for pattern in _CDN_SCRIPTS:
        html = pattern.sub("", html)
    html = prune_notebook_css(html)
    # Code cells scroll sideways: make them reachable by keyboard (axe: scrollable-region-focusable).
    html = html.replace('<div class="highlight-ipynb ', '<div tabindex="0" class="highlight-ipynb ')
    return html.replace('<div class="highlight"><pre>', '<div class="highlight"><pre tabindex="0">')


# JupyterLab's (and Lumino's, CodeMirror's) class names: on a static notebook page no script
# adds them, so a rule that needs one the page does not have can never match.
_JUPYTER_CLASS = re.compile(r"\.((?:jp|lm|p|bp3|cm|CodeMirror)-[\w-]*|CodeMirror)(?![\w-])")
# `class="..."`; _classes skips those right after a word character by hand (what a leading \b
# would do, which makes the regex engine try every position of the HTML instead of jumping
# from one `class="` to the next)
_CLASS_ATTR = re.compile(r'class="([^"]*)"')


_NEVER = frozenset({" never matches "})  # needs no page has


def _needs(selector: str) -> frozenset[str]:
    """The JupyterLab classes an element must have somewhere for `selector` to match; classes
    inside :not(), :is(), :where() ... (negations, alternatives) are left out."""
    while (inner := re.sub(r"\([^()]*\)", "", selector)) != selector:
        selector = inner
    if ":root" in selector and not selector.strip().startswith(":root"):
        # `.jupyter-wrapper :root`: the root element is nobody's descendant. JupyterLab's 80 kB
        # of icon variables sit under this selector (mkdocs-jupyter's scoping of `:root`).
        return _NEVER
    return frozenset(_JUPYTER_CLASS.findall(selector))



def _split_selectors(text: str) -> list[str]:
    depth, parts, start = 0, [], 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return parts + [text[start:]]


@functools.lru_cache(maxsize=8)
def _parsed_css(css: str) -> tuple:
    """A stylesheet as (needs per selector, rule text) items, @media blocks nested; parsed once
    per process (every notebook page inlines the same stylesheet)."""
    import tinycss2  # nbconvert's dependency (bleach[css]): present wherever notebooks are built

    def parse(rules) -> tuple:
        items = []
        for rule in rules:
            if rule.type == "qualified-rule":
                needs = tuple(_needs(s) for s in _split_selectors(tinycss2.serialize(rule.prelude)))
                items.append(("rule", needs, rule.serialize()))
            elif rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword in {"media", "supports", "layer", "container"}:
                inner = parse(tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True))
                items.append(("group", f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}", inner))
            elif rule.type != "error":
                items.append(("raw", None, rule.serialize()))
        return tuple(items)

    return parse(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True))


def _render_css(items: tuple, present: set[str]) -> str:
    out = []
    for kind, head, body in items:
        if kind == "rule":
            if any(needs <= present for needs in head):
                out.append(body)
        elif kind == "group":
            inner = _render_css(body, present)
            if inner:
                out.append(f"{head}{{{inner}}}")
        else:
            out.append(body)
    return "".join(out)


def _classes(html: str) -> set[str]:
    """Every class named in a class attribute of the page."""
    return set(" ".join(m[1] for m in _CLASS_ATTR.finditer(html)
                        if not (m.start() and (html[m.start() - 1].isalnum() or html[m.start() - 1] == "_"))).split())


def prune_notebook_css(html: str) -> str:
    """The HTML's inline JupyterLab stylesheets without the rules that cannot match it."""
    present = _classes(html)
    # Each <style ...>...</style>, found with str.find: a lazy `.*?` regex walks the ~570 kB
    # stylesheet a character at a time.
    out, pos = [], 0
    while (start := html.find("<style", pos)) >= 0:
        body = html.find(">", start) + 1
        end = html.find("</style>", body) if body else -1
        if end < 0:
            break
        css = html[body:end]
        if ".jupyter-wrapper" in css:  # nbconvert's Pygments styles (the others) stay as they are
            out += [html[pos:body], _render_css(_parsed_css(css), present)]
        else:
            out.append(html[pos:end])
        pos = end
    out.append(html[pos:])
    return "".join(out)


_HEADING = re.compile(r'<h(?P<level>[1-6])(?P<before>[^>]*?)\bid="(?P<id>[^"]*)"(?P<after>[^>]*)>(?P<html>.*?)</h(?P=level)>', re.S)


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html)).replace("¶", "").strip()


def _keys(html: str) -> tuple[str, str]:
    """A heading's text, and its text without inline code (mkdocs-jupyter's table of contents
    drops inline code from a title: a heading "A `mode` B" is listed as "A  B"),
    both without whitespace."""
    return "".join(_text(html).split()), "".join(_text(re.sub(r"<code\b.*?</code>", "", html, flags=re.S)).split())


def fix_notebook_anchors(content: str, toc) -> str:
    """nbconvert's slugs drop Chinese characters (`id=""` for most headings) while mkdocs-jupyter's
    table of contents links to Python-Markdown slugs (`#_1`, `#_2`): give each heading the id
    its table-of-contents entry links to, so both the sidebar and the ¶ links resolve."""
    wanted: dict[str, list[str]] = {}

    def walk(items):
        for item in items:
            wanted.setdefault("".join(_text(item.title).split()), []).append(item.id)
            walk(item.children)

    walk(toc)

    def repl(m):
        full, without_code = _keys(m["html"])
        ids = wanted.get(full) or wanted.get(without_code)
        if not ids:
            return m[0]
        new = ids.pop(0)
        html = m["html"].replace(f'href="#{m["id"]}"', f'href="#{new}"')
        return f'<h{m["level"]}{m["before"]}id="{new}"{m["after"]}>{html}</h{m["level"]}>'

    return _HEADING.sub(repl, content or "")


def relative_module_imports(html: str) -> str:
    # mermaid2 writes `import mermaid from "assets/..."` on the home page: a bare module
    # specifier, which browsers refuse (then Material fetches mermaid from unpkg.com).
    return html.replace('import mermaid from "assets/', 'import mermaid from "./assets/')


# Code blocks (not diagrams); chapter pages wrap the code in <code>, notebook pages do not.
# (what _code_blocks finds, in a regex: tests/unit/test_notebook_css.py compares the two)
_CODE_BLOCK = re.compile(r'(<pre\b(?![^>]*\bclass="mermaid")[^>]*>)(.*?)(</pre>)', re.S)
_PRE_NAME_END = re.compile(r"<pre\b")
_MERMAID_CLASS = re.compile(r'\bclass="mermaid"')
_CODE_ELEMENT = re.compile(r"(.*?<code\b[^>]*>)(.*)(</code>.*)\Z", re.S)
_TAG = re.compile(r"<[^>]+>")
HIGHLIGHT_FIRST = 2  # the first code blocks of a page stay highlighted: likely on the first screen
DEFER_FROM_SPANS = 40  # blocks with fewer token spans are not worth a <template>


def _code_blocks(html: str):
    """(start, content start, content end, end) of each match of _CODE_BLOCK, found with
    str.find: the regex's lazy `.*?` walks every code block a character at a time."""
    pos = 0
    while (start := html.find("<pre", pos)) >= 0:
        opened = html.find(">", start) + 1
        if not opened:
            return
        if not _PRE_NAME_END.match(html, start) or _MERMAID_CLASS.search(html, start, opened):
            pos = start + 1  # <prefix...>, or a diagram: no match starts here
            continue
        close = html.find("</pre>", opened)
        if close < 0:
            return
        yield start, opened, close, close + len("</pre>")
        pos = close + len("</pre>")


def defer_highlighting(html: str) -> str:
    """Each code block after the first few, with at least DEFER_FROM_SPANS token spans, as its
    plain text plus <template data-lazy-highlight> holding its highlighted markup."""
    out, pos = [], 0
    for seen, (start, opened, close, end) in enumerate(_code_blocks(html), 1):
        if seen <= HIGHLIGHT_FIRST:
            continue
        content = html[opened:close]
        code = _CODE_ELEMENT.match(content)
        head, body, tail = (code[1], code[2], code[3]) if code else ("", content, "")
        if body.count("<span") < DEFER_FROM_SPANS or "<template" in body:
            continue
        # the tags go, the text stays as it was written (entities included)
        out += [html[pos:opened], head, _TAG.sub("", body), "<template data-lazy-highlight>", body, "</template>", tail]
        pos = close
    out.append(html[pos:])
    return "".join(out)


def utf8_search_index(text: str) -> str:
    """The search index, the same JSON value, its non-ASCII characters written as UTF-8."""
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
