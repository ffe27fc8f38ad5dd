"""Graph drawings made from the graphs PyTorch really built, never drawn by hand.

A snippet names, in its snippets.toml, the graphs its run builds, as Python expressions
evaluated in the script's globals once it has run:

    ["autograd_graph.py"]
    graphs = { autograd = "d.grad_fn", fx = "gm" }

(an expression may also use this module as `sitekit_graphs`, e.g. to wrap two graphs in a
`sitekit_graphs.Partitioned`). `make graphs` (`python -m sitekit graphs`) runs each such snippet (as a reader runs it, in a
fresh interpreter of the primary build), turns each object into nodes, edges and boxes, and
writes a mermaid flowchart to `snippets/<chapter>/<name>.graphs/<key>.mmd`. A page shows it by
including that file in a mermaid fence; the site draws it ahead of time like every other
diagram (sitekit/diagrams.py: SVG, light and dark, nothing drawn on the phone), and marks the
drawing with `data-graph="<chapter>/<name>.py"`, the snippet whose run produced it.
tests/content/test_graphs.py runs the snippets again and fails when a stored drawing no
longer matches the nodes and edges of the graph the run builds.

What can be drawn (by the object's type):
- a torch.fx GraphModule or Graph (Dynamo's graphs, AOTAutograd's forward/backward, ...);
- a list of GraphModules: Dynamo's graphs of one function, with the graph breaks between them;
- an autograd node (`tensor.grad_fn`): the chain `next_functions` records;
- a TorchScript graph (`scripted.graph`), its `prim::If` branches as boxes;
- a torch.export ExportedProgram: parameters and buffers apart from the user's inputs;
- an ONNX ModelProto or GraphProto;
- `Fusion`: Inductor's scheduler nodes before fusion, boxed by the fused node they end up in;
- `Partitioned`: a partitioner's forward and backward graphs, the saved tensors marked.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sitekit import stored as stored_files
from sitekit.config import ROOT, SNIPPETS

SUFFIX = ".graphs"
# Shapes: inputs are stadiums, parameters cylinders, outputs parallelograms, saved tensors
# double-bordered; boxes are subgraphs. No fill colours: the drawing follows light/dark.
SHAPES = {
    "input": ('(["', '"])'),
    "param": ('[("', '")]'),
    "const": ('(("', '"))'),
    "output": ('[/"', '"/]'),
    "saved": ('[["', '"]]'),
    "op": ('["', '"]'),
    "break": ('{{"', '"}}'),
}


@dataclasses.dataclass
class Graph:
    nodes: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)  # (id, label, kind)
    edges: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (from id, to id)
    boxes: list[tuple[str, list[str]]] = dataclasses.field(default_factory=list)  # (title, node ids)
    direction: str = "TD"

    def node(self, ident: str, label: str, kind: str = "op") -> str:
        if kind not in SHAPES:
            raise ValueError(f"unknown node kind {kind!r}")
        self.nodes.append((ident, label, kind))
        return ident

    def edge(self, a: str, b: str) -> None:
        if (a, b) not in self.edges:
            self.edges.append((a, b))

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Graph":
        return cls([tuple(n) for n in data["nodes"]], [tuple(e) for e in data["edges"]],
                   [(t, list(ids)) for t, ids in data["boxes"]], data["direction"])


# ------------------------------------------------------------ converters ---------------
# Each runs inside the snippet's interpreter (see PROBE), on the real object.

def _short(target) -> str:
    """`aten.addmm.default` -> `addmm`, `<built-in function add>` -> `add`."""
    name = getattr(target, "__name__", None) or str(target)
    name = re.sub(r"^(aten|prims|torch\.ops\.\w+)\.", "", str(getattr(target, "_name", name)))
    name = name.split("::")[-1]
    return re.sub(r"\.(default|Tensor|Scalar|int|dim|self)$", "", name)


def from_fx(graph, prefix: str = "", kinds: dict[str, str] | None = None, out: Graph | None = None) -> Graph:
    """An FX graph: placeholders are inputs (or what `kinds` says), get_attr nodes parameters."""
    import torch.fx

    if isinstance(graph, torch.fx.GraphModule):
        graph = graph.graph
    out = out or Graph()
    kinds = kinds or {}
    for n in graph.nodes:
        ident = prefix + n.name
        if n.op == "placeholder":
            out.node(ident, n.name, kinds.get(n.name, "input"))
        elif n.op == "get_attr":
            out.node(ident, n.target, "param")
        elif n.op == "output":
            out.node(ident, "输出", "output")
        else:
            label = _short(n.target) if n.op == "call_function" else str(n.target)
            out.node(ident, label, kinds.get(n.name, "op"))
        for arg in n.all_input_nodes:
            out.edge(prefix + arg.name, ident)
        for j, arg in enumerate(a for a in n.args if isinstance(a, (int, float)) and not isinstance(a, bool)):
            out.edge(out.node(f"{ident}_c{j}", repr(arg), "const"), ident)  # a number the op takes
    return out


def from_dynamo(graphs: list) -> Graph:
    """Dynamo's graphs of one function, in order, each in a box; between two of them a graph
    break, where Python runs what no graph holds and hands the values to the next graph."""
    out = Graph()
    for i, gm in enumerate(graphs):
        before = len(out.nodes)
        from_fx(gm, prefix=f"g{i}_", out=out)
        out.boxes.append((f"图 {i + 1}", [n[0] for n in out.nodes[before:]]))
        if i:
            first = next(n for n in gm.graph.nodes if n.op == "placeholder")
            out.edge(f"break{i}", f"g{i}_{first.name}")
        if i + 1 < len(graphs):
            out.node(f"break{i + 1}", "图中断：这里回到 Python 执行", "break")
            last = next(n for n in gm.graph.nodes if n.op == "output")
            out.edge(f"g{i}_{last.name}", f"break{i + 1}")
    return out


def from_autograd(fn, names: dict[int, str]) -> Graph:
    """The graph autograd recorded: grad_fn nodes, edges along next_functions."""
    out = Graph()
    seen: dict[int, str] = {}

    def visit(f) -> str:
        if id(f) in seen:
            return seen[id(f)]
        ident = f"n{len(seen)}"
        seen[id(f)] = ident
        out.node(ident, type(f).__name__)
        if type(f).__name__ == "AccumulateGrad":  # a leaf: it adds the gradient into <tensor>.grad
            var = names.get(id(f.variable), "leaf")
            out.edge(ident, out.node(ident + "_leaf", f"{var}.grad", "input"))
        for nxt, _ in f.next_functions:
            if nxt is not None:
                out.edge(ident, visit(nxt))
        return ident

    visit(fn)
    return out


def from_jit(graph) -> Graph:
    """A TorchScript graph: values flow from the node that makes them to those that use them;
    constants are small circles; each block of a `prim::If` is a box, whose result flows on
    to the node where the branches meet."""
    out = Graph()
    producer: dict[str, str] = {}
    for v in graph.inputs():
        producer[v.debugName()] = out.node("in_" + _ident(v.debugName()), v.debugName(), "input")
    count = [0]

    def walk(nodes, box: list[str] | None) -> None:
        for n in nodes:
            count[0] += 1
            ident = f"n{count[0]}"
            if n.kind() == "prim::Constant":
                value = n.output().toIValue() if n.hasAttribute("value") else None
                out.node(ident, "None" if value is None else str(value), "const")
            else:
                out.node(ident, n.kind())
            if box is not None:
                box.append(ident)
            for v in n.inputs():
                if v.debugName() in producer:
                    out.edge(producer[v.debugName()], ident)
            blocks = list(n.blocks())
            if blocks:
                join = out.node(ident + "_join", "两个分支在这里合流", "op")
                for i, b in enumerate(blocks):
                    inner: list[str] = []
                    start = count[0]
                    walk(b.nodes(), inner)
                    ret = out.node(f"{ident}_ret{i}", "这一支的结果", "output")
                    inner.append(ret)
                    out.edge(ident, inner[0] if count[0] > start else ret)
                    for v in b.outputs():
                        if v.debugName() in producer:
                            out.edge(producer[v.debugName()], ret)
                    out.edge(ret, join)
                    # A short title: a box is as wide as its nodes, and a longer one wraps over them.
                    title = ("条件为真时", "条件为假时")[i] if n.kind() == "prim::If" else f"{n.kind()} 的第 {i + 1} 块"
                    out.boxes.append((title, inner))
                if box is not None:
                    box.append(join)
                for v in n.outputs():
                    producer[v.debugName()] = join
            else:
                for v in n.outputs():
                    producer[v.debugName()] = ident

    walk(graph.nodes(), None)
    end = out.node("out", "输出", "output")
    for v in graph.outputs():
        out.edge(producer[v.debugName()], end)
    return out


def _ident(name: str) -> str:
    return re.sub(r"\W", "_", name)


def from_exported(ep) -> Graph:
    """An ExportedProgram: the user's inputs, parameters and buffers told apart."""
    kinds = {}
    for spec in ep.graph_signature.input_specs:
        kinds[spec.arg.name] = "input" if spec.kind.name == "USER_INPUT" else "param"
    return from_fx(ep.graph_module, kinds=kinds)


def from_onnx(model) -> Graph:
    """An ONNX graph: nodes by op_type; weights (initializers) as parameters."""
    graph = getattr(model, "graph", model)
    out = Graph()
    producer: dict[str, str] = {}
    weights = {t.name for t in graph.initializer}
    for v in graph.input:
        if v.name not in weights:
            producer[v.name] = out.node("in_" + _ident(v.name), v.name, "input")
    for t in graph.initializer:
        producer[t.name] = out.node("w_" + _ident(t.name), t.name, "param")
    for i, n in enumerate(graph.node):
        ident = f"n{i}"
        out.node(ident, n.op_type)
        for name in n.input:
            if name in producer:
                out.edge(producer[name], ident)
        for name in n.output:
            producer[name] = ident
    end = out.node("out", "输出", "output")
    for v in graph.output:
        out.edge(producer[v.name], end)
    return out


@dataclasses.dataclass
class Fusion:
    """Inductor's scheduler nodes before fusion and the nodes they were fused into, taken in
    `config._pre_fusion_custom_pass` / `_post_fusion_custom_pass` (snapshot: names, what
    each reads and writes, which kind it is)."""

    before: list[dict]  # {"name", "kind", "reads", "writes"}
    after: list[list[str]]  # the names in each node after fusion

    @staticmethod
    def snapshot(nodes) -> list[dict]:
        return [{"name": n.get_name(), "kind": type(n).__name__,
                 "reads": sorted(d.name for d in n.read_writes.reads),
                 "writes": sorted(d.name for d in n.read_writes.writes)} for n in nodes]

    @staticmethod
    def members(nodes) -> list[list[str]]:
        return [[m.get_name() for m in n.get_nodes()] for n in nodes]


def from_fusion(fusion: Fusion) -> Graph:
    out = Graph()
    writer = {buf: n["name"] for n in fusion.before for buf in n["writes"]}
    inputs = sorted({buf for n in fusion.before for buf in n["reads"] if buf not in writer})
    for buf in inputs:
        out.node("in_" + _ident(buf), buf, "input")
    kinds = {"SchedulerNode": "", "ExternKernelSchedulerNode": "外部内核", "NopKernelSchedulerNode": "无需计算"}
    for n in fusion.before:
        what = kinds.get(n["kind"], n["kind"])
        out.node(n["name"], "，".join([f"{n['name']}：写 {', '.join(n['writes'])}"] + ([what] if what else [])))
        for buf in n["reads"]:
            out.edge(writer.get(buf) or "in_" + _ident(buf), n["name"])
    for i, names in enumerate(fusion.after):
        if len(names) > 1:
            out.boxes.append((f"融合成一个内核（{len(names)} 个节点）", names))
    return out


@dataclasses.dataclass
class Partitioned:
    """The forward and backward graphs a partitioner cut out of AOTAutograd's joint graph."""

    forward: object  # fx.GraphModule
    backward: object


def from_partition(p: Partitioned) -> Graph:
    """Both graphs, each in a box; the tensors the forward saves for the backward are
    double-bordered in both, with an edge from where they are made to where they are used."""
    saved = [n.name for n in p.backward.graph.nodes if n.op == "placeholder" and not n.name.startswith("tangents")]
    out = Graph()
    from_fx(p.forward, prefix="fw_", kinds={s: "saved" for s in saved}, out=out)
    out.boxes.append(("前向图", [n[0] for n in out.nodes]))
    before = len(out.nodes)
    from_fx(p.backward, prefix="bw_", kinds={s: "saved" for s in saved}, out=out)
    out.boxes.append(("反向图", [n[0] for n in out.nodes[before:]]))
    fw_names = {n.name for n in p.forward.graph.nodes}
    for s in saved:
        if s in fw_names:
            out.edge(f"fw_{s}", f"bw_{s}")
    return out


def convert(obj, names: dict[int, str]) -> Graph:
    """The Graph of a real object the snippet built (see the module docstring)."""
    import torch

    if isinstance(obj, Fusion):
        return from_fusion(obj)
    if isinstance(obj, Partitioned):
        return from_partition(obj)
    if isinstance(obj, (list, tuple)) and obj and all(isinstance(g, torch.fx.GraphModule) for g in obj):
        return from_dynamo(list(obj)) if len(obj) > 1 else from_fx(obj[0])
    if isinstance(obj, (torch.fx.GraphModule, torch.fx.Graph)):
        return from_fx(obj)
    if isinstance(obj, torch.export.ExportedProgram):
        return from_exported(obj)
    if isinstance(obj, torch._C.Graph):
        return from_jit(obj)
    if isinstance(obj, torch.autograd.graph.Node):
        return from_autograd(obj, names)
    if type(obj).__name__ in ("ModelProto", "GraphProto"):
        return from_onnx(obj)
    raise TypeError(f"cannot draw a {type(obj).__module__}.{type(obj).__qualname__}")


# ------------------------------------------------------------ mermaid -------------------

def _text(label: str) -> str:
    # mermaid's quoted labels: no double quotes inside; # starts an entity code. No <br>:
    # mermaid2 rewrites it as <br/> in the built page, and the drawing's key would not match.
    return label.replace('"', "'").replace("#", "＃").replace("\n", " ")


def mermaid(graph: Graph, source: str) -> str:
    """The flowchart of a Graph; its first line names the snippet that produced it."""
    ids = {ident: f"n{i}" for i, (ident, _, _) in enumerate(graph.nodes)}
    boxed = {ident for _, members in graph.boxes for ident in members}
    # useMaxWidth false: drawn at its natural size (text never shrinks below mermaid's 16 px);
    # a drawing wider than the screen scrolls inside its box (site.css).
    # Spacing a little tighter than mermaid's default, so a small graph fits a phone.
    lines = [f"%% data-graph: {source}",
             '%%{init: {"flowchart": {"useMaxWidth": false, "nodeSpacing": 24, "rankSpacing": 36}}}%%',
             f"flowchart {graph.direction}"]

    def node_line(ident: str, label: str, kind: str) -> str:
        left, right = SHAPES[kind]
        return f"{ids[ident]}{left}{_text(label)}{right}"

    by_id = {n[0]: n for n in graph.nodes}
    for n in graph.nodes:
        if n[0] not in boxed:
            lines.append("  " + node_line(*n))
    for i, (title, members) in enumerate(graph.boxes):
        lines.append(f'  subgraph box{i}["{_text(title)}"]')
        lines += ["    " + node_line(*by_id[m]) for m in members]
        lines.append("  end")
    lines += [f"  {ids[a]} --> {ids[b]}" for a, b in graph.edges]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------ running snippets ----------

# Runs in a fresh interpreter, in a folder holding a copy of the script: the script runs as
# `python name.py` would (its prints go nowhere), then each expression is drawn.
PROBE = """
import contextlib, io, json, runpy, sys
from sitekit import graphs
script, specs, dest = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
sys.argv = [script]
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    scope = runpy.run_path(script, run_name="__main__")
names = {}
for k, v in scope.items():  # the first global that holds an object names it
    if not k.startswith("_"):
        names.setdefault(id(v), k)
# the expressions may also use this module, as sitekit_graphs (sitekit_graphs.Fusion(...))
drawn = {key: graphs.convert(eval(expr, {**scope, "sitekit_graphs": graphs}), names).to_json() for key, expr in specs.items()}
json.dump(drawn, open(dest, "w"))
"""


def specs(snippet) -> dict[str, str]:
    return dict(snippet.meta.get("graphs", {}))


def path(snippet, key: str) -> Path:
    return snippet.path.with_suffix(SUFFIX) / f"{key}.mmd"


def extract(snippet, python: str | None = None) -> dict[str, str]:
    """{key: mermaid source} for each graph the snippet's snippets.toml names, from a new run."""
    wanted = specs(snippet)
    if not wanted:
        return {}
    from sitekit import runner

    interp = runner.interpreter(python)
    with tempfile.TemporaryDirectory(prefix="graphs-") as cwd:
        shutil.copyfile(snippet.path, Path(cwd) / snippet.path.name)
        dest = Path(cwd) / "graphs.json"
        env = dict(interp.env, PYTHONPATH=str(ROOT))
        proc = subprocess.run([interp.python, "-c", PROBE, snippet.path.name, json.dumps(wanted), str(dest)],
                              cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
        if proc.returncode:
            raise RuntimeError(f"snippets/{snippet.rel}: drawing its graphs failed:\n{proc.stdout}{proc.stderr}")
        drawn = json.loads(dest.read_text("utf-8"))
    return {key: mermaid(Graph.from_json(drawn[key]), snippet.rel) for key in wanted}


def stored(snippet) -> dict[str, str]:
    return {key: path(snippet, key).read_text("utf-8") for key in specs(snippet) if path(snippet, key).exists()}


def differences(snippet, drawn: dict[str, str] | None = None) -> list[str]:
    """How the stored drawings differ from the graphs a new run builds (or `drawn`): one
    unified diff per drawing, [] when every one matches."""
    import difflib

    drawn = extract(snippet) if drawn is None else drawn
    stored_now = stored(snippet)
    problems = []
    for key, source in drawn.items():
        rel = os.path.relpath(path(snippet, key), ROOT)
        if key not in stored_now:
            problems.append(f"{rel} is missing")
        elif stored_now[key] != source:
            problems.append("".join(difflib.unified_diff(stored_now[key].splitlines(True), source.splitlines(True),
                                                         f"{rel} (stored)", "the graph this run built")))
    return problems


def with_graphs() -> list:
    from sitekit.snippets import discover

    return [s for s in discover() if specs(s)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitekit graphs", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="snippet files (default: every snippet that names graphs)")
    args = parser.parse_args(argv)
    wanted = {Path(p).resolve() for p in args.paths}
    status = 0
    for snippet in with_graphs():
        if wanted and snippet.path.resolve() not in wanted:
            continue
        try:
            drawn = extract(snippet)
        except RuntimeError as e:
            print(e, file=sys.stderr)
            status = 1
            continue
        stored_files.sync(snippet.path.with_suffix(SUFFIX), drawn, ".mmd")
    return status


if __name__ == "__main__":
    sys.exit(main())
