"""Changes to built HTML pages, each a pure function of the page's HTML.

- lift_code / restore_code: hand mermaid2 each page without its code blocks. mermaid2's
  on_post_page re-parses the whole page with BeautifulSoup's pure-Python html.parser
  whenever the HTML contains the word "mermaid", only to count the diagrams and append one
  <script>. Highlighted code (a <span> per token) is ~80% of the tags on our chapter pages,
  so that parse took ~1.7 s of a ~6.5 s build. The code goes back verbatim afterwards.
- offline_notebook_page: notebook pages rendered by mkdocs-jupyter carry nbconvert's CDN
  scripts (MathJax always, a mermaid ESM import, require.js); the site loads nothing from
  third-party hosts, so they are removed (the generated notebooks contain neither LaTeX nor
  mermaid), as is nbconvert's "End of mermaid configuration" comment, which made mermaid2
  re-parse every ~700 kB notebook page for no diagram. Code cells become focusable.
- fix_notebook_anchors: nbconvert's slugs drop Chinese characters.
- relative_module_imports: mermaid2 writes a bare module specifier on the home page.
"""

from __future__ import annotations

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
    # Code cells scroll sideways: make them reachable by keyboard (axe: scrollable-region-focusable).
    html = html.replace('<div class="highlight-ipynb ', '<div tabindex="0" class="highlight-ipynb ')
    return html.replace('<div class="highlight"><pre>', '<div class="highlight"><pre tabindex="0">')


_HEADING = re.compile(r'<h(?P<level>[1-6])(?P<before>[^>]*?)\bid="(?P<id>[^"]*)"(?P<after>[^>]*)>(?P<html>.*?)</h(?P=level)>', re.S)


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html)).replace("¶", "").strip()


def fix_notebook_anchors(content: str, toc) -> str:
    """nbconvert's slugs drop Chinese characters (`id=""` for most headings) while mkdocs-jupyter's
    table of contents links to Python-Markdown slugs (`#_1`, `#_2`): give each heading the id
    its table-of-contents entry links to, so both the sidebar and the ¶ links resolve."""
    wanted: dict[str, list[str]] = {}

    def walk(items):
        for item in items:
            wanted.setdefault(_text(item.title), []).append(item.id)
            walk(item.children)

    walk(toc)

    def repl(m):
        ids = wanted.get(_text(m["html"]))
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
