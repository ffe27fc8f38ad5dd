"""A notebook page keeps only the JupyterLab CSS that can match it."""

from __future__ import annotations

import re

import pytest

from sitekit import postprocess

CSS = (
    ".jupyter-wrapper :root{--jp-icon-add:url(data:image/svg+xml;base64,AAAA)}"
    ".jupyter-wrapper{--jp-cell-padding:5px}"
    ".jupyter-wrapper .jp-OutputArea{display:block}"
    ".jupyter-wrapper .jp-Toolbar{display:flex}"
    "@media print{.jupyter-wrapper .jp-Toolbar{display:none}.jupyter-wrapper .jp-OutputArea{color:black}}"
)


def page(css: str) -> str:
    return f'<html><head><style type="text/css">{css}</style></head><body><div class="jupyter-wrapper"><div class="jp-OutputArea">x</div></div></body></html>'


def test_rules_for_absent_classes_and_descendant_root_go():
    out = postprocess.prune_notebook_css(page(CSS))
    assert "--jp-icon-add" not in out  # `.jupyter-wrapper :root` matches no element
    assert "jp-Toolbar" not in out.split("<body>")[0]  # no toolbar on a static page
    assert ".jupyter-wrapper{--jp-cell-padding:5px}" in out
    assert ".jupyter-wrapper .jp-OutputArea{display:block}" in out
    assert "@media print{.jupyter-wrapper .jp-OutputArea{color:black}}" in out


def test_a_root_rule_at_the_top_level_stays():
    out = postprocess.prune_notebook_css(page(":root .jupyter-wrapper .jp-OutputArea{margin:0}" + CSS))
    assert ":root .jupyter-wrapper .jp-OutputArea{margin:0}" in out


def test_classes_are_those_of_class_attributes_where_a_word_ends():
    html = '<div class="jp-A  jp-B"><p subclass="jp-C" data-class="jp-D">x</p><i class="">y</i></div>'
    reference = {c for m in re.finditer(r'\bclass="([^"]*)"', html) for c in m[1].split()}
    assert postprocess._classes(html) == reference == {"jp-A", "jp-B", "jp-D"}


def test_only_jupyterlab_stylesheets_are_pruned_and_the_rest_of_the_page_stays():
    pygments = "<style>.highlight .k{color:green}</style>"
    html = page(CSS).replace("<head>", "<head>" + pygments) + "<style>.jupyter-wrapper .jp-Toolbar{x:y}"
    out = postprocess.prune_notebook_css(html)
    assert pygments in out
    assert out.endswith("<style>.jupyter-wrapper .jp-Toolbar{x:y}")  # unclosed: left alone
    assert out.count("<style") == html.count("<style")


@pytest.mark.parametrize("html", [
    '<pre class="mermaid"><code>a</code></pre><prefix><pre>' + "<span>x</span>" * 50 + "</pre>",
    '<pre id=x class="mermaid" >a</pre>' * 3 + "<pre><code>" + "<span>y</span>" * 60 + "</code></pre>",
    '<pre data-x="a">a</pre><pre class="mermaid-like">b</pre><pre>unclosed',
    "<pre>a</pre>" * 5 + "<pre class='mermaid'>" + "<span>z</span>" * 60 + "</pre>",
    "<pre",
])
def test_code_blocks_are_found_where_the_regex_finds_them(html):
    spans = [(m.start(), m.start(2), m.end(2), m.end()) for m in postprocess._CODE_BLOCK.finditer(html)]
    assert list(postprocess._code_blocks(html)) == spans
