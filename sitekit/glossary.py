"""The site's one terminology (docs/glossary.toml): the 术语表 page, links from each page's
first use of a term to its entry, and the variant spellings no page may use.

- `entries()`: the body of docs/glossary.md (its `<!-- glossary -->` marker);
- `link_first_uses(html, to_glossary)`: the plugin's pass over each rendered page: the first
  time a term appears in running text (not in code, links, headings, titles or diagrams) it
  becomes a link to its entry, with the English term and definition as a tooltip;
- `variants_in(markdown)`: spellings of a term other than the chosen one, in a page's prose.

A term's `aliases` are other accepted names (守卫 for guard, 动态图 for 命令式): the 术语表
lists them, so the site search finds the entry under them, and their first use is linked too.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

from sitekit import htmlscan
from sitekit.config import DOCS

DATA = DOCS / "glossary.toml"
PAGE = "glossary.md"
MARKER = "<!-- glossary -->"


@dataclasses.dataclass(frozen=True)
class Term:
    zh: str
    en: str
    definition: str
    page: str
    variants: tuple[str, ...] = ()
    match: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        base = re.sub(r"\(.*?\)", "", self.en).strip().lower()
        return "term-" + re.sub(r"[^a-z0-9]+", "-", base).strip("-")

    @functools.cached_property
    def pattern(self) -> re.Pattern:
        return re.compile("|".join([self.match or re.escape(self.zh), *map(re.escape, self.aliases)]))


@functools.cache
def terms(path: Path = DATA) -> tuple[Term, ...]:
    data = tomllib.loads(path.read_text("utf-8"))
    found = []
    for i, entry in enumerate(data.get("term", [])):
        unknown = set(entry) - {f.name for f in dataclasses.fields(Term)}
        missing = {"zh", "en", "definition", "page"} - set(entry)
        if unknown or missing:
            raise ValueError(f"{path}: term #{i + 1}: unknown {sorted(unknown)}, missing {sorted(missing)}")
        found.append(Term(**{**entry, "variants": tuple(entry.get("variants", ())), "aliases": tuple(entry.get("aliases", ()))}))
    ids = [t.id for t in found]
    spellings = [s for t in found for s in (t.zh, *t.aliases)]
    if len(set(ids)) != len(ids) or len(set(spellings)) != len(spellings):
        raise ValueError(f"{path}: two terms share a spelling or an English name")
    if forbidden := set(spellings) & {v for t in found for v in t.variants}:
        raise ValueError(f"{path}: {sorted(forbidden)} both accepted and forbidden")
    return tuple(found)


def _page_link(target: str, title: str | None = None) -> str:
    page, _, anchor = target.partition("#")
    return f"[{title or page}]({target})"


def entries(page_titles: dict[str, str]) -> str:
    """The 术语表 as a Markdown definition list, one entry per term, in the order of glossary.toml.

    A list, not a table: on a phone a four-column table of 57 rows is 5,800 px of narrow
    columns, and while the browser parses it, every new row could widen a column and move the
    rows above (a layout shift Lighthouse measured at 0.10). Entries only ever add below.
    """
    blocks = ['<div class="glossary" markdown>']
    for t in terms():
        page = t.page.partition("#")[0]
        english = f' <span class="glossary-en" lang="en">{html.escape(t.en)}</span>' if t.en != t.zh else ""
        meta = [f"也写作：{'、'.join(t.aliases)}"] if t.aliases else []
        meta.append(f"首次讲解：{_page_link(t.page, page_titles.get(page, page))}")
        blocks.append(
            f'<span id="{t.id}"></span>**{t.zh}**{english}\n'
            f":   {t.definition}\n\n"
            f"    {' · '.join(meta)}\n"
        )
    blocks.append("</div>")
    return "\n".join(blocks)


def fill(markdown: str, page_titles: dict[str, str]) -> str:
    if MARKER not in markdown:
        raise ValueError(f"docs/{PAGE} lost its {MARKER} marker")
    return markdown.replace(MARKER, entries(page_titles))


# ------------------------------------------------------------------ links ---------------

# Text inside these is not running prose: leave it alone.
_SKIP = {"a", "code", "pre", "kbd", "samp", "script", "style", "svg", "button", "label", "summary",
         "h1", "h2", "h3", "h4", "h5", "h6", "abbr", "title", "textarea", "select", "nav", "header", "footer"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Linker(HTMLParser):
    def __init__(self, to_glossary: str, only: set[str] | None):
        super().__init__(convert_charrefs=False)
        self.to_glossary = to_glossary
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skips)
        self.todo = [t for t in sorted(terms(), key=lambda t: -len(t.zh)) if only is None or t.zh in only]
        self.linked: list[Term] = []
        self.in_content = 0

    @property
    def skipping(self) -> bool:
        return any(skips for _, skips in self.stack) or not self.in_content

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())
        if tag in _VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        skips = tag in _SKIP or bool({"admonition-title", "mermaid", "headerlink", "tabbed-labels", "md-nav"} & set(classes))
        content = tag == "article" or "md-content__inner" in classes
        self.stack.append((tag, skips))
        if content:
            self.in_content += 1
            self.stack[-1] = (tag + "#content", skips)

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")
        for i in range(len(self.stack) - 1, -1, -1):
            name = self.stack[i][0]
            if name.split("#")[0] == tag:
                if name.endswith("#content"):
                    self.in_content -= 1
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.skipping or not self.todo or not data.strip():
            self.out.append(data)
            return
        # Earliest match first; at one position the longest term wins.
        pieces, pos = [], 0
        while self.todo:
            best = None
            for term in self.todo:
                m = term.pattern.search(data, pos)
                if m and (best is None or m.start() < best[1].start() or
                          (m.start() == best[1].start() and len(m[0]) > len(best[1][0]))):
                    best = (term, m)
            if best is None:
                break
            term, m = best
            title = html.escape(f"{term.en} — {term.definition}", quote=True)
            pieces.append(data[pos:m.start()])
            pieces.append(f'<a class="glossary-term" href="{self.to_glossary}#{term.id}" title="{title}">{m[0]}</a>')
            pos = m.end()
            self.todo.remove(term)
            self.linked.append(term)
        pieces.append(data[pos:])
        self.out.append("".join(pieces))

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.out.append(f"<![{data}]>")

    # sitekit.htmlscan's reports (the same as HTMLParser's, faster): start tags come as
    # offsets into `source`
    source = ""
    _scanned_starttag: str | None = None

    def get_starttag_text(self):
        return self._scanned_starttag if self._scanned_starttag is not None else super().get_starttag_text()

    def on_start(self, tag, attrs, begin, end, empty):
        self._scanned_starttag = self.source[begin:end]
        (self.handle_startendtag if empty else self.handle_starttag)(tag, attrs)

    on_end, on_data, on_entityref, on_charref, on_comment = (
        handle_endtag, handle_data, handle_entityref, handle_charref, handle_comment)


# Code blocks never nest and nothing in them is linked (<pre> is skipped), yet their token
# <span>s are most of a chapter's tags: the parser sees an empty stand-in for each.
_PRE = re.compile(r"<pre\b.*?</pre>", re.S)
_PRE_STANDIN = re.compile(r'<pre data-glossary-stash="(\d+)"></pre>')


def link_first_uses(content: str, to_glossary: str) -> tuple[str, list[Term]]:
    """A page's rendered content with the first use of each term linked to the 术语表."""
    stash: list[str] = []

    def lift(m: re.Match) -> str:
        stash.append(m[0])
        return f'<pre data-glossary-stash="{len(stash) - 1}"></pre>'

    lifted = _PRE.sub(lift, content)
    linker = _Linker(to_glossary, None)
    linker.in_content = 1  # page.content is the article body already
    linker.source = lifted
    try:
        htmlscan.scan(lifted, linker)
    except htmlscan.Unusual:  # markup htmlscan leaves to HTMLParser: start again with it
        linker = _Linker(to_glossary, None)
        linker.in_content = 1
        linker.feed(lifted)
        linker.close()
    return _PRE_STANDIN.sub(lambda m: stash[int(m[1])], "".join(linker.out)), linker.linked


# ------------------------------------------------------------------ variants ------------

@dataclasses.dataclass
class Variant:
    line: int
    found: str
    term: Term

    def __str__(self) -> str:
        return f"line {self.line}: {self.found!r} — the site writes {self.term.zh!r} ({self.term.en})"


def _prose_lines(markdown: str) -> list[tuple[int, str]]:
    """(line number, text) of a page's prose: fenced blocks, includes and inline code removed."""
    from sitekit import chinese  # not needed by the build (11 ms of its start)

    lines, fence = [], None
    for number, line in enumerate(markdown.split("\n"), 1):
        m = re.match(r"^\s*(`{3,}|~{3,})(.*)$", line)
        if fence is None and m:
            fence = m[1]
            mermaid = m[2].strip().startswith("mermaid")
            continue
        if fence is not None:
            if line.strip() == fence:
                fence = None
            elif mermaid:
                lines.append((number, line))  # diagram labels are prose too
            continue
        if line.lstrip().startswith("--8<--"):
            continue
        lines.append((number, re.sub(r"(`+).+?\1", "", chinese._LINK_DEST.sub("]", line))))
    return lines


def _source_lines(source: str) -> list[tuple[int, str]]:
    """(line number, text) of the comments and strings of a Python file: what a reader reads."""
    import io
    import tokenize

    found = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (tokenize.COMMENT, tokenize.STRING):
            for offset, text in enumerate(tok.string.split("\n")):
                found.append((tok.start[0] + offset, text))
    return found


def _inside_accepted(line: str, m: re.Match, term: Term) -> bool:
    """The variant is part of an accepted spelling there (小化工具 in 最小化工具)."""
    for accepted in (term.zh, *term.aliases):
        at = accepted.find(m[0])
        if 0 <= at <= m.start() and line[m.start() - at : m.start() - at + len(accepted)] == accepted:
            return True
    return False


def variants_in(text: str, python: bool = False) -> list[Variant]:
    """Variant spellings in a page's prose (or, python=True, a script's comments and strings)."""
    found = []
    for number, line in (_source_lines(text) if python else _prose_lines(text)):
        for term in terms():
            for variant in term.variants:
                rx = re.compile(rf"(?<![A-Za-z_]){re.escape(variant)}(?![A-Za-z_])" if variant.isascii() else re.escape(variant))
                for m in rx.finditer(line):
                    if not _inside_accepted(line, m, term):
                        found.append(Variant(number, m[0], term))
    return found
