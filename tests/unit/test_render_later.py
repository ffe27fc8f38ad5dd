"""sitekit.render_later: which blocks are deferred, and their placeholder heights."""

from __future__ import annotations

import re

from sitekit import diagrams, render_later as rl


def page(body: str) -> str:
    return f'<html><body><div class="md-content"><article class="md-content__inner md-typeset">{body}</article></div></body></html>'


# taller than the first screens on a narrow phone: whatever follows it may be deferred
FILLER = "<p>" + "汉" * rl.NARROW_LINE * int(rl.FIRST_SCREENS_EM / rl.LINE_EM + 1) + "</p>"


def marked(html: str) -> list[str]:
    return re.findall(r'<(\w+)[^>]*\bdata-later style="--later: (\d+)em; --later-wide: (\d+)em"', html)


def test_text_width_counts_cjk_as_one_em_and_latin_narrower():
    assert rl.text_width("汉字") == 2
    assert rl.text_width("ab") == 2 * rl.LATIN_WIDTH


def test_paragraph_estimate_is_its_wrapped_lines_plus_margins():
    node = rl.blocks(page("<p>" + "汉" * 100 + "</p>"))[0][0]
    assert rl.estimate(node, 14) == rl.BLOCK_EM + 8 * rl.LINE_EM  # 100 characters: 8 lines of 14
    assert rl.estimate(node, 28) == rl.BLOCK_EM + 4 * rl.LINE_EM


def test_code_lines_scroll_in_pages_and_wrap_in_notebooks():
    pre = rl.blocks(page('<div class="highlight"><pre><code>' + "x" * 100 + "\ny\n</code></pre></div>"))[0][0]
    scrolls = rl.estimate(pre, 14)
    assert scrolls == rl.BLOCK_EM + 2 * rl.CODE_LINE_EM + rl.CODE_BLOCK_EM
    assert rl.estimate(pre, 14, wrap_code=True) > scrolls


def test_lazily_highlighted_markup_is_not_counted_but_a_drawn_diagram_is():
    lazy = rl.blocks(page("<pre><code>a\n<template data-lazy-highlight>" + "<span>a</span>\n" * 50 + "</template></code></pre>"))[0][0]
    assert rl.estimate(lazy, 14) == rl.CODE_LINE_EM + rl.CODE_BLOCK_EM
    svg = '<div class="mermaid"><template shadowrootmode="open"><svg viewBox="0 0 800 640"></svg></template></div>'
    drawn = rl.blocks(page(svg))[0][0]
    assert rl.estimate(drawn, 14) >= 640 / rl.SMALLEST_FONT_PX


def test_closed_details_count_only_their_summary():
    body = "<p>" + "汉" * 500 + "</p>"
    closed = rl.blocks(page(f"<details><summary>输出</summary>{body}</details>"))[0][0]
    opened = rl.blocks(page(f"<details open><summary>输出</summary>{body}</details>"))[0][0]
    assert rl.estimate(closed, 14) < 10 < rl.estimate(opened, 14)


def test_first_screens_headings_tabs_and_unsized_images_render_at_load():
    html = page(FILLER + "<h2 id='a'>标题</h2>" + '<div class="tabbed-set"><p>x</p></div>'
                + '<p><img src="chart.svg"></p>' + '<p><img src="c.png" height="320"></p>' + "<p>后面</p>")
    found = marked(html := rl.mark(html))
    assert [tag for tag, _, _ in found] == ["p", "p"]  # the sized image and the last paragraph
    assert "<h2 id='a'>" in html and '<div class="tabbed-set">' in html and '<p><img src="chart.svg">' in html
    first = rl.mark(page(FILLER))
    assert not marked(first), "the first screens are never deferred"


def test_marking_only_adds_attributes_and_narrow_is_never_below_wide():
    html = page(FILLER + "".join(f"<p>{'汉' * (20 * i)} <code>x_{i}</code></p>" for i in range(1, 30)))
    out = rl.mark(html)
    assert re.sub(r' data-later style="[^"]*"', "", out) == html
    found = marked(out)
    assert len(found) > 20
    assert all(int(narrow) >= int(wide) > 0 for _, narrow, wide in found)


def test_notebook_heading_cells_are_split_and_other_cells_deferred_whole():
    cell = '<div class="jp-Cell jp-CodeCell"><div class="jp-InputArea"><pre>x = 1</pre></div></div>'
    heading = ('<div class="jp-Cell jp-MarkdownCell"><div class="jp-RenderedHTMLCommon jp-RenderedMarkdown">'
               "<h2 id='s'>一节</h2><p>" + "汉" * 300 + "</p></div></div>")
    html = page('<div class="jupyter-wrapper"><div class="jp-Notebook">'
                + f'<div class="jp-Cell">{FILLER}</div>' + heading + cell + "</div></div>")
    found = marked(rl.mark(html))
    assert [tag for tag, _, _ in found] == ["p", "div"]  # the heading cell's paragraph, the code cell


def test_a_deferred_diagram_is_still_read_as_drawn():
    div = '<div class="mermaid" data-diagram="abc123" data-source="flowchart LR"><template shadowrootmode="open"><svg viewBox="0 0 10 10"></svg></template></div>'
    out = rl.mark(page(FILLER + div))
    assert marked(out), "the diagram is past the first screens: deferred"
    assert diagrams.drawn(out) == ["abc123"]
    assert diagrams.every_source(out) == ["flowchart LR"]


def test_a_block_of_unknown_height_does_not_push_the_rest_out_of_the_first_screens():
    html = page('<p><img src="chart.svg"></p>' + "<p>第一屏</p>" * 3)
    assert not marked(rl.mark(html))


def _code_block(n: int) -> str:
    spans = "".join(f'<span class="n">x{i}</span> <span class="o">=</span> &lt;{i}&gt;\n' for i in range(n))
    return f'<div class="highlight"><pre><span></span><code>{spans}</code></pre></div>'


def _lazy_block(n: int) -> str:
    return ('<div class="highlight"><pre><code>plain text\nof the block\n<template data-lazy-highlight>'
            + "<span>y</span>\n" * n + "</template></code></pre></div>")


def test_the_fast_reading_marks_what_htmlparser_would(monkeypatch):
    """mark() reads pages with sitekit.htmlscan, without lazily highlighted markup, code blocks
    as their text; HTMLParser reading the whole page must give the same marks."""
    svg = '<div class="mermaid"><template shadowrootmode="open"><svg viewBox="0 0 800 320"><style>#m .a>.b{}</style><g><text>标签</text></g></svg></template></div>'
    cells = ('<div class="jupyter-wrapper"><div class="jp-Notebook">'
             + '<div class="jp-Cell jp-MarkdownCell"><div class="jp-RenderedHTMLCommon jp-RenderedMarkdown">'
             + "<h2 id='n'>一节</h2><p>" + "汉" * 200 + "</p><p>后文 <em>强调</em></p></div></div>"
             + '<div class="jp-Cell jp-CodeCell"><div class="jp-InputArea">' + _code_block(30) + "</div>"
             + '<div class="jp-OutputArea"><pre>' + "输出 " * 80 + "\nline</pre></div></div>"
             + "</div></div>")
    body = (FILLER + _lazy_block(60) + "<p>正文 <code>torch.compile</code> &amp; <a href='#x'>链接<span>嵌套</span></a></p>"
            + _code_block(50) + _lazy_block(80) + "<!-- a comment --><h2 id='x'>标题</h2>"
            + "<details><summary>输出</summary>" + _code_block(20) + "</details>"
            + "<details open><summary>开</summary><p>" + "字" * 300 + "<br>下一行</p></details>"
            + svg + '<p><img src="a.png" height="320"></p><hr>'
            + '<div class="admonition note"><p class="admonition-title">注</p><p>' + "说明" * 80 + "</p></div>"
            + "<table><tr><td>一</td><td>二</td></tr></table><script>var a = '<p>';</script>" + cells)
    html = page(body)
    fed, start, cuts = rl._fed(html)
    assert "<span>y</span>" not in fed
    rl.htmlscan.scan(fed, rl._TreeBuilder(fed, start, cuts))  # read fast, not left to HTMLParser
    fast = rl.mark(html)
    assert len(marked(fast)) >= 8

    def unusual(*args):
        raise rl.htmlscan.Unusual("as if")

    monkeypatch.setattr(rl.htmlscan, "scan", unusual)
    assert rl.mark(html) == fast
    monkeypatch.setattr(rl, "_fed", lambda html: (html, 0, ([], [])))  # the whole page, as it was read before
    assert rl.mark(html) == fast


def test_a_code_block_is_read_whole_when_it_holds_more_than_code():
    code = rl._code_text('<span class="n">a</span> &lt;b&gt;\n<template data-lazy-highlight></template>')
    assert code == "a <b>\n"
    assert rl._code_text("a <h2 id='x'>b</h2>") is None  # a heading inside counts (has_heading)
    assert rl._code_text("a < b") is None  # a stray `<`: HTMLParser's reading of it, not a guess
