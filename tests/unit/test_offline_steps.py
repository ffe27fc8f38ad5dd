"""sitekit/offline.py's steps that need no build: the hosted config keeps both plugins off,
links for file://, the print page, the PDF's text mapping, the 离线阅读 page."""

from __future__ import annotations

import pytest
from mkdocs.exceptions import PluginError

from sitekit import offline
from sitekit.config import MKDOCS_YML


def _plugins(monkeypatch, value):
    from mkdocs.config import load_config

    if value is None:
        monkeypatch.delenv(offline.ENV, raising=False)
    else:
        monkeypatch.setenv(offline.ENV, value)
    return load_config(str(MKDOCS_YML)).plugins


def test_offline_and_print_site_are_off_unless_sitekit_offline_is_true(monkeypatch):
    hosted = _plugins(monkeypatch, None)
    assert not hosted["material/offline"].config.enabled
    assert not hosted["print-site"].config["enabled"]
    on = _plugins(monkeypatch, "true")
    assert on["material/offline"].config.enabled and on["print-site"].config["enabled"]
    assert list(on)[-2:] == ["print-site", "sitekit/offline.py"], "print-site must be the last plugin, then the hook"


PAGES = {"index.html", "about.html", "compile.html", "compile/tlparse/index.html", "playground/paradigms.html",
         "compile/tlparse/-_0_0_1/metrics_16.html", "compile/tlparse/-_0_0_1/graph_2.txt", "assets/site.css"}


@pytest.mark.parametrize("href, page, expected", [
    ("./playground/paradigms/", "compile.html", "playground/paradigms.html"),  # the template's notebook link
    ("../../about/", "playground/paradigms.html", "../about.html"),  # a notebook written for directory URLs
    ("compile/tlparse/#x", "compile.html", "compile/tlparse/index.html#x"),  # a folder with an index.html
    ("./", "about.html", "index.html"),
    ("../", "compile/tlparse/index.html", "../../compile.html"),
    ("../graph_2.txt", "compile/tlparse/-_0_0_1/metrics_16.html", "graph_2.txt"),  # tlparse, for directory URLs
    ("graph_2.txt", "compile/tlparse/-_0_0_1/metrics_16.html", "graph_2.txt"),  # found where written: kept
    ("assets/site.css", "about.html", "assets/site.css"),
    ("nowhere/", "about.html", "nowhere/"),  # not in the build: left for the link check to report
])
def test_relative_links_lead_to_files_from_file_urls(href, page, expected):
    assert offline.links_for_file_urls(f'<a href="{href}">', page, PAGES) == f'<a href="{expected}">'


def test_print_site_assets_leave_the_pages_of_the_copy():
    page = ('<link rel="stylesheet" href="../css/print-site.css"><link rel="stylesheet" href="../css/print-site-material.css">'
            '<link rel="stylesheet" href="../assets/site.css"><script src="../js/print-site.js"></script>')
    assert offline.drop_print_assets(page) == '<link rel="stylesheet" href="../assets/site.css">'


class _Config(dict):
    site_name = "书名"
    site_description = "讲什么"


CONFIG = _Config(extra={"repository": {"owner": "o", "name": "n", "branch": "main"}})


def test_print_page_is_made_ready_to_print():
    page = ('<title>Print Site - x</title><script id="__config">{"base": "/"}</script>'
            '<div id="print-site-page"><details class="example"><summary>完整输出</summary>x</details>'
            '<a href="#paradigms">第 1 章</a><a href="compile/tlparse/index.html">报告</a>'
            '<a href="https://example.org/">外部</a></div><script src="//assets/javascripts/lazy-highlight.js"></script>')
    done = offline.finish_print_page(page, CONFIG)
    assert "<details open" in done
    assert '<a href="#paradigms">' in done and '<a href="https://example.org/">' in done
    assert "<a>报告</a>" in done, "a link to a file outside the PDF keeps its text, loses its target"
    assert '"base": "."' in done and 'src="assets/javascripts/lazy-highlight.js"' in done
    assert "<title>书名</title>" in done
    assert done.index('id="print-site-cover-page"') < done.index("<details"), "the cover comes first"


def test_print_page_with_a_diagram_not_drawn_ahead_is_refused():
    page = '<div id="print-site-page"><pre class="mermaid"><code>flowchart LR\n  never --&gt; drawn</code></pre></div>'
    with pytest.raises(PluginError, match="make diagrams"):
        offline.finish_print_page(page, CONFIG)


CMAP = """/CIDInit /ProcSet findresource begin
1 begincodespacerange
<00> <FF>
endcodespacerange
3 beginbfchar
<45> <2F6C>
<46> <5F55>
<49> <2ED3>
endbfchar
1 beginbfrange
<47> <48> <2F8F>
endbfrange
endcmap"""


def test_radicals_in_the_text_mapping_become_the_ideographs_they_look_like():
    fixed = offline.fix_cmap(CMAP)
    # U+2F6C (radical eye) is 目 U+76EE; the range U+2F8F..U+2F90 is 行 U+884C, 衣 U+8863;
    # U+2ED3 (simplified radical long, no decomposition) is 长 U+957F in Noto Sans CJK SC
    assert "<45> <76EE>" in fixed and "<46> <5F55>" in fixed and "<49> <957F>" in fixed
    assert "<47> <884C>" in fixed and "<48> <8863>" in fixed
    assert "<00> <FF>" in fixed and "endcmap" in fixed
    assert offline.fix_cmap(CMAP.replace("2F6C", "76EE").replace("2F8F", "0041").replace("2ED3", "957F")) is None


def test_download_page_offers_what_dist_holds():
    found = [{"kind": "zip", "name": "n-offline.zip", "bytes": 1_600_000, "built": "2026-12-06"},
             {"kind": "pdf", "name": "n.pdf", "bytes": 9_000_000, "pages": 191, "built": "2026-12-06"}]
    page = offline.download_markdown(found, offline=False)
    assert "(download/n-offline.zip)" in page and "(download/n.pdf)" in page and "191 页" in page
    assert "make offline" in offline.download_markdown([], offline=False)
    assert "download/" not in offline.download_markdown([], offline=True)
    assert "exclude: true" in page, "the page stays out of the search index"


def test_note_goes_under_the_playground_title():
    done = offline.add_note("# 实验场\n\n第一段。\n")
    assert done.startswith("# 实验场\n\n!!! note") and done.rstrip().endswith("第一段。")


def test_a_drawing_of_fixed_size_scales_down_to_the_paper():
    tag = '<svg id="m" width="805.3" xmlns="http://www.w3.org/2000/svg" height="802" viewBox="0 0 805.3 802">'
    fitted = offline.fit_drawing(tag)
    limit = offline.DRAWING_MAX_HEIGHT
    assert 'width="100%"' in fitted and f'style="max-width: 805px; max-height: {limit}"' in fitted
    assert 'height=' not in fitted.replace("max-height", "")
    assert 'viewBox="0 0 805.3 802"' in fitted, "the viewBox keeps the proportions"
    # A flowchart mermaid already lets shrink to the width: only its height is limited.
    already = '<svg id="m" width="100%" style="max-width: 532.7px;" viewBox="0 0 532.7 854">'
    assert offline.fit_drawing(already) == already.replace('style="', f'style="max-height: {limit}; ')
    # 3/4 of an A4 page's 263 mm between the margins leaves room for the heading above it.
    assert 150 <= float(limit.removesuffix("mm")) <= 263 * 0.75
