"""Drawings from real graph objects (sitekit/graphs.py): what each converter makes of a
small real graph, and that a drawing which no longer matches its graph is caught."""

from __future__ import annotations

import textwrap
import warnings

import pytest
import torch

from sitekit import graphs, snippets


def f(a, b):
    return (a + b) * 2


def test_an_fx_graph_keeps_its_nodes_edges_and_constants():
    g = graphs.from_fx(torch.fx.symbolic_trace(f))
    assert [(i, label, kind) for i, label, kind in g.nodes] == [
        ("a", "a", "input"), ("b", "b", "input"), ("add", "add", "op"), ("mul", "mul", "op"),
        ("mul_c0", "2", "const"), ("output", "输出", "output")]
    assert g.edges == [("a", "add"), ("b", "add"), ("add", "mul"), ("mul_c0", "mul"), ("mul", "output")]


def test_the_autograd_graph_follows_next_functions_and_names_the_leaves():
    a = torch.ones(2, requires_grad=True)
    b = torch.ones(2, requires_grad=True)
    g = graphs.from_autograd(((a + b) * 2).grad_fn, {id(a): "a", id(b): "b"})
    assert [label for _, label, _ in g.nodes] == ["MulBackward0", "AddBackward0", "AccumulateGrad", "a.grad",
                                                   "AccumulateGrad", "b.grad"]
    assert g.edges == [("n2", "n2_leaf"), ("n1", "n2"), ("n3", "n3_leaf"), ("n1", "n3"), ("n0", "n1")]


def gate(x):
    if x.sum() > 0:
        return x * 2
    return x - 10


def test_a_scripted_if_has_both_branches_and_a_traced_one_only_the_taken_one():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scripted = graphs.from_jit(torch.jit.script(gate).graph)
        traced = graphs.from_jit(torch.jit.trace(gate, torch.ones(2)).graph)
    labels = {ident: label for ident, label, _ in scripted.nodes}
    assert [title for title, _ in scripted.boxes] == ["条件为真时", "条件为假时"]
    assert "aten::mul" in [labels[i] for i in scripted.boxes[0][1]]
    assert "aten::sub" in [labels[i] for i in scripted.boxes[1][1]]
    assert not traced.boxes and "aten::sub" not in {label for _, label, _ in traced.nodes}


def test_dynamo_graphs_are_boxed_with_the_graph_break_between():
    gms = [torch.fx.symbolic_trace(f), torch.fx.symbolic_trace(f)]
    g = graphs.from_dynamo(gms)
    assert [t for t, _ in g.boxes] == ["图 1", "图 2"]
    assert ("g0_output", "break1") in g.edges and ("break1", "g1_a") in g.edges


def test_the_mermaid_source_names_its_snippet_and_draws_every_node_and_edge():
    src = graphs.mermaid(graphs.from_fx(torch.fx.symbolic_trace(f)), "paradigms/fx_graph.py")
    lines = src.splitlines()
    assert lines[0] == "%% data-graph: paradigms/fx_graph.py" and lines[2] == "flowchart TD" and "useMaxWidth" in lines[1]
    assert '  n4(("2"))' in lines and "  n4 --> n3" in lines and len([l for l in lines if "-->" in l]) == 5


def test_a_stale_drawing_is_caught(tmp_path):
    # A stored drawing with one edge pointing elsewhere (what a hand edit, or a graph that
    # changed under it, would leave) no longer matches the graph the run builds.
    folder = tmp_path / "chapter"
    folder.mkdir()
    (folder / "demo.py").write_text(textwrap.dedent('''
        import torch
        def f(a, b):
            return (a + b) * 2
        gm = torch.fx.symbolic_trace(f)
    '''), encoding="utf-8")
    (folder / "snippets.toml").write_text('["demo.py"]\ngraphs = { fx = "gm" }\n', encoding="utf-8")
    snippet = snippets.Snippet(folder / "demo.py")
    drawn = graphs.extract(snippet)
    graphs.path(snippet, "fx").parent.mkdir()
    graphs.path(snippet, "fx").write_text(drawn["fx"], encoding="utf-8")
    assert graphs.differences(snippet, drawn) == []
    graphs.path(snippet, "fx").write_text(drawn["fx"].replace("n2 --> n3", "n1 --> n3"), encoding="utf-8")
    problems = graphs.differences(snippet, drawn)
    assert len(problems) == 1 and "-  n1 --> n3" in problems[0] and "+  n2 --> n3" in problems[0]


def test_an_object_it_cannot_draw_is_named():
    with pytest.raises(TypeError, match="cannot draw a builtins.int"):
        graphs.convert(3, {})
