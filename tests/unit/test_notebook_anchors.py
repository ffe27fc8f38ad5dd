"""Notebook pages: each heading gets the id its table-of-contents entry links to
(sitekit.postprocess.fix_notebook_anchors), also when the heading holds inline code, which
mkdocs-jupyter's table of contents leaves out of the title."""

from __future__ import annotations

from types import SimpleNamespace as Item

from sitekit import postprocess


def test_headings_get_the_ids_the_table_of_contents_links_to():
    toc = [Item(title="第 5 章", id="5", children=[
        Item(title="编译模式： 参数", id="_7", children=[]),  # `mode` dropped by mkdocs-jupyter
        Item(title="小结", id="_8", children=[]),
    ])]
    html = ('<h2 id="">编译模式：<code>mode</code> 参数<a class="anchor-link" href="#">¶</a></h2>'
            '<h2 id="">小结<a class="anchor-link" href="#">¶</a></h2>')
    fixed = postprocess.fix_notebook_anchors(html, toc)
    assert '<h2 id="_7">编译模式：<code>mode</code> 参数' in fixed
    assert '<h2 id="_8">小结' in fixed
