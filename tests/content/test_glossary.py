"""One terminology: the 术语表 lists every term, pages use no variant spelling, and each
page links its first use of a term to the glossary."""

from __future__ import annotations

import re

from sitekit import glossary
from sitekit.config import DOCS, SNIPPETS


def test_no_page_uses_a_variant_spelling():
    # The 术语表 page itself names the variants it forbids.
    pages = [md for md in sorted(DOCS.glob("*.md")) if md.name != glossary.PAGE]
    problems = [f"docs/{md.relative_to(DOCS)} {v}" for md in pages for v in glossary.variants_in(md.read_text("utf-8"))]
    problems += [f"snippets/{py.relative_to(SNIPPETS)} {v}" for py in sorted(SNIPPETS.glob("*/*.py"))
                 for v in glossary.variants_in(py.read_text("utf-8"), python=True)]
    assert not problems, "variant spellings (docs/glossary.toml names the one to use):\n" + "\n".join(problems)


def test_a_planted_variant_is_caught():
    page = "# 标题\n\n这里会断图,`断图` 在代码里不算。\n\n```python\n--8<-- \"a/b.py\"\n```\n\nTriton kernel 也不行。\n"
    found = [(v.line, v.found, v.term.zh) for v in glossary.variants_in(page)]
    assert found == [(3, "断图", "图中断"), (9, "kernel", "内核")]


def test_first_use_is_linked_and_nothing_else():
    html = ('<h2 id="x">图中断与 guard</h2><p>代码 <code>图中断</code> 之后，这里第一次出现图中断，'
            '然后又是图中断；guard 和 guards 不同。</p><pre><code>guard</code></pre>')
    out, linked = glossary.link_first_uses(html, "../glossary/")
    assert out.count('class="glossary-term"') == 2
    assert '<h2 id="x">图中断与 guard</h2>' in out and "<code>图中断</code>" in out
    assert re.search(r'第一次出现<a class="glossary-term" href="../glossary/#term-graph-break" title="graph break — [^"]+">图中断</a>，然后又是图中断；', out)
    assert '<a class="glossary-term" href="../glossary/#term-guard"' in out and "guards 不同" in out
    assert {t.zh for t in linked} == {"图中断", "guard"}


def test_built_pages_link_to_glossary_entries_that_exist(built_site):
    entries = set(re.findall(r'<span id="(term-[\w-]+)"></span>', (built_site / "glossary" / "index.html").read_text("utf-8")))
    assert entries == {t.id for t in glossary.terms()}
    linked_pages = 0
    for page in sorted(built_site.glob("*/index.html")):
        targets = re.findall(r'class="glossary-term" href="\.\./glossary/#(term-[\w-]+)"', page.read_text("utf-8"))
        assert len(targets) == len(set(targets)), f"{page}: a term linked twice"
        assert set(targets) <= entries, f"{page}: links to missing entries {set(targets) - entries}"
        linked_pages += bool(targets)
    assert linked_pages >= 5


def test_every_terms_first_chapter_exists():
    for term in glossary.terms():
        page = term.page.partition("#")[0]
        assert (DOCS / page).exists(), f"{term.zh}: {term.page} does not exist"


def test_an_alias_is_accepted_listed_and_linked():
    guard = next(t for t in glossary.terms() if t.zh == "guard")
    assert "守卫" in guard.aliases
    assert not any("守卫" in t.variants for t in glossary.terms())
    assert not glossary.variants_in("# 标题\n\n第一次写作 guard（守卫）。\n")
    entry = next(e for e in glossary.entries({}).split("\n<span ") if 'id="term-guard"' in e)
    assert "也写作：守卫" in entry  # the search splits at "：", so a search for 守卫 finds this entry
    out, _ = glossary.link_first_uses("<p>这里的守卫是 guard。</p>", "../glossary/")
    assert '#term-guard" title="guard — ' in out and ">守卫</a>" in out


def test_a_variant_inside_an_accepted_spelling_is_not_reported():
    found = [v.found for v in glossary.variants_in("# 标题\n\nminifier（最小化工具）不是小化工具。\n")]
    assert found == ["小化工具"]


def test_search_finds_the_glossary_entry_under_an_alias(built_site):
    import json

    index = json.loads((built_site / "search" / "search_index.json").read_text("utf-8"))
    assert any(doc["location"].startswith("glossary/") and "守卫" in doc["text"] for doc in index["docs"])


def test_search_index_is_written_in_utf8(built_site):
    """Material escapes every Chinese character (6 bytes); the build rewrites it as UTF-8."""
    import re

    text = (built_site / "search" / "search_index.json").read_text("utf-8")
    # `\\u200b` (an escaped backslash) in the separator regex is fine; `\u200b` is an escape
    escapes = re.findall(r"(?<!\\)\\u[0-9a-fA-F]{4}", text)
    assert not escapes and "守卫" in text, escapes[:5]
