"""sitekit.glossary links a page's first use of each term the same way however it reads the page."""

from __future__ import annotations

from sitekit import glossary


def _content() -> str:
    zh = [t.zh for t in glossary.terms()][:4]
    code = '<div class="highlight"><pre><span></span><code><span class="c1"># {0}</span>\n{0} &lt;x&gt;</code></pre></div>'
    return (
        f'<h2 id="a">{zh[0]}</h2><p>先在代码里：</p>{code.format(zh[0])}'
        f"<p>正文里的 {zh[0]} 与 <code>{zh[1]}</code>、<a href='#'>{zh[1]}</a>；再一次 {zh[0]}。</p>"
        f"<!-- {zh[2]} --><p>R&amp;D {zh[2]}&nbsp;{zh[3]} &#39;{zh[1]}&#39;</p>"
        f"<script>var s = '{zh[3]}';</script><pre class=\"mermaid\"><code>{zh[3]}</code></pre>"
    )


def test_the_fast_reading_links_what_htmlparser_would(monkeypatch):
    content = _content()
    fast = glossary.link_first_uses(content, "../glossary/")
    assert fast[1], "some term is linked"

    def unusual(*args):
        raise glossary.htmlscan.Unusual("as if")

    monkeypatch.setattr(glossary.htmlscan, "scan", unusual)
    assert glossary.link_first_uses(content, "../glossary/") == fast
    # and without lifting the code blocks out first, as the linker read pages before
    monkeypatch.setattr(glossary, "_PRE", glossary.re.compile("(?!)"))
    assert glossary.link_first_uses(content, "../glossary/") == fast


def test_code_and_diagrams_are_left_exactly_as_they_were():
    content = _content()
    html, _ = glossary.link_first_uses(content, "../glossary/")
    for block in glossary._PRE.findall(content):
        assert block in html
