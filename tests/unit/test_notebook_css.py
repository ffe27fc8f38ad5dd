"""A notebook page keeps only the JupyterLab CSS that can match it."""

from __future__ import annotations

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
