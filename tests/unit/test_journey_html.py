"""sitekit/journey.py: the journey document parsed, its panes and table as HTML, the markers."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from sitekit import journey


def _doc(edit=None, **changes) -> str:
    """A document as the snippet prints it: `{` on a line of its own first."""
    doc = {
        "file": "journey.py", "first": 10, "last": 12,
        "panes": [
            {"stage": "source", "title": "源码：f", "how": "行号", "lines": [
                [[10], None, "def f(x):"], [[11], None, "    y = x < 1 & 2"], [[12], None, "    return y"]]},
            {"stage": "fx", "title": "FX 图：节点", "how": 'meta["stack_trace"]', "lines": [
                [[11], "lt", 'lt: "b8[2]" = x < 1'], [[11], "and_", "and_ = lt & 2"], [[], "output", "return (and_,)"]]},
            {"stage": "cpp", "title": "C++ 内核：代码", "how": "溯源", "lines": [
                [[11, 12], "cpp_fused_0", "auto tmp0 = in_ptr0[x0] < 1 && \"&amp;\";"], [[], None, ""]]},
        ],
    }
    doc.update(changes)
    if edit:
        edit(doc)
    return json.dumps(doc, ensure_ascii=False, indent=1)


MARKERS = "<p>a</p>\n<!-- journey:source -->\n<h2>b</h2>\n<!-- journey:fx -->\n<!-- journey:cpp -->\n" \
          "<!-- journey:triton -->\n<!-- journey:table -->\n"


class _Tree(HTMLParser):
    """Start and end tags must balance (the filled page stays well formed)."""

    VOID = {"br", "link", "meta", "img", "hr", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def test_parse_skips_the_log_lines_torch_prints_first():
    j = journey.parse("W torch/onnx/x.py] a warning\n  continued\n" + _doc())
    assert [p.stage for p in j.panes] == ["source", "fx", "cpp"]
    assert j.source_lines == [10, 11, 12]
    assert j.pane("fx").label == "FX 图"
    assert j.marked_by([12]) == {"source": [2], "fx": [], "cpp": [0]}
    assert j.marked_by([11, 12]) == {"source": [1, 2], "fx": [0, 1], "cpp": [0]}


@pytest.mark.parametrize("text, words", [
    ("no document here", "no JSON document"),
    (_doc(panes=[]), "include `source`"),
    (_doc(first="x"), "not the journey document"),
    (_doc(edit=lambda d: d["panes"][1]["lines"][0].__setitem__(0, [99])), "outside the source"),
])
def test_parse_refuses_what_is_not_a_journey(text, words):
    with pytest.raises(journey.JourneyError, match=re.escape(words)):
        journey.parse(text)


def test_lines_are_escaped_and_carry_their_source_lines():
    j = journey.parse(_doc())
    out = journey.pane_html(j.pane("cpp"))
    assert 'data-stage="cpp"' in out and 'data-label="C++ 内核"' in out
    assert '<span class="journey-line" data-line="0" data-src-line="11 12" data-name="cpp_fused_0">' in out
    assert "in_ptr0[x0] &lt; 1 &amp;&amp; \"&amp;amp;\";\n</span>" in out  # text escaped once, quotes kept
    assert '<span class="journey-line" data-line="1">\n</span>' in out  # a line from nowhere: no data-src-line
    assert "<pre" not in out  # the site's lazy highlighting takes long <pre> blocks apart
    fx = journey.pane_html(j.pane("fx"))
    assert "x &lt; 1" in fx and "lt &amp; 2" in fx and '"b8[2]"' in fx


def test_fill_puts_every_pane_in_place_and_the_table_after():
    j = journey.parse(_doc())
    out = journey.fill(MARKERS, j, "../assets/j.js", "../assets/j.css")
    assert "<!-- journey" not in out
    assert re.findall(r'data-stage="(\w+)"', out) == ["source", "fx", "cpp"]
    assert out.index("data-journey") < out.index("<h2>") < out.index('data-stage="fx"') < out.index("journey-table")
    assert '<script src="../assets/j.js" defer></script>' in out and 'href="../assets/j.css"' in out
    assert "journey-missing" in out  # no CUDA output: the Triton marker says so
    tree = _Tree()
    tree.feed(out)
    assert not tree.errors and not tree.stack, (tree.errors, tree.stack)


def test_the_table_works_without_javascript():
    j = journey.parse(_doc())
    table = journey.table_html(j)
    assert table.count("<tr data-src-line=") == 3
    assert '<th scope="col">FX 图</th><th scope="col">C++ 内核</th>' in table
    row = re.search(r'<tr data-src-line="11">.*?</tr>', table).group(0)
    assert "y = x &lt; 1 &amp; 2" in row
    assert "<td><code>lt</code><br><code>and_</code></td><td><code>cpp_fused_0</code></td>" in row
    row = re.search(r'<tr data-src-line="10">.*?</tr>', table).group(0)
    assert row.endswith("<td></td><td></td></tr>")


@pytest.mark.parametrize("markers, words", [
    (MARKERS.replace("<!-- journey:fx -->\n", ""), "expected ['source', 'fx', 'cpp', 'table']"),
    (MARKERS.replace("<!-- journey:table -->\n", "") + "<!-- journey:table -->\n" * 2, "in this order"),
    (MARKERS.replace("<!-- journey:cpp -->\n", "<!-- journey:cpp -->\n<!-- journey:onnx -->\n"), "in this order"),
])
def test_fill_refuses_missing_or_misplaced_markers(markers, words):
    with pytest.raises(journey.JourneyError, match=re.escape(words)):
        journey.fill(markers, journey.parse(_doc()))


def test_a_cuda_output_adds_its_triton_pane_beside_the_cpp_one(tmp_path):
    cpu = tmp_path / "journey.out"
    cpu.write_text(_doc(), "utf-8")
    gpu_doc = json.loads(_doc())
    gpu_doc["panes"][2] = {"stage": "triton", "title": "Triton 内核：代码", "how": "溯源",
                           "lines": [[[11, 12], "triton_poi_fused_0", "tmp0 = tl.load(in_ptr0 + x0)"]]}
    gpu = tmp_path / "2.15.0-cuda.out"
    gpu.write_text(json.dumps(gpu_doc, indent=1), "utf-8")
    j = journey._load(cpu, 0.0, ("2.15.0 · CUDA", str(gpu), 0.0))
    assert [p.stage for p in j.panes] == ["source", "fx", "cpp", "triton"]
    assert j.pane("triton").build == "2.15.0 · CUDA"
    out = journey.fill(MARKERS, j)
    assert "journey-missing" not in out and "（2.15.0 · CUDA）" in out
    assert re.findall(r'data-stage="(\w+)"', out) == ["source", "fx", "cpp", "triton"]
