# 一行代码的旅程：同一个小模型，从 Python 源码走到字节码、FX 图、ATen 图、调度器节点、
# 生成的内核，再看 torch.export 与 ONNX 导出的图。一次真实运行收集每一站的文本，
# 并且只用 PyTorch 自己记下的出处（provenance），把每一站的每一行对回源码的行号。
# 打印一个 JSON 文档，“一行代码的旅程”一页就由它生成。
import dis
import inspect
import json
import logging
import os
import re
import textwrap

import torch
from torch import nn
from torch._inductor.utils import run_and_get_code


class Journey(nn.Module):
    def forward(self, x, w):
        y = torch.sin(x) * 2
        z = y.relu() + 1
        h = z @ w
        return h.softmax(-1)


device = "cuda" if torch.cuda.is_available() else "cpu"
torch.set_num_threads(1)  # 线程数会影响 C++ 内核的写法：固定下来，每台机器生成的代码才一样
torch.manual_seed(0)
model = Journey().eval()
x, w = torch.randn(4, 8, device=device), torch.randn(8, 8, device=device)

# ---- 出处规则：PyTorch 记下的出处都是 traceback 的文本（File "…", line N），
# 只取落在 forward 源码范围里的行号 ----
SOURCE, FIRST = inspect.getsourcelines(Journey.forward)
LAST = FIRST + len(SOURCE) - 1
FILE = Journey.forward.__code__.co_filename


def lines_in(*stack_traces):
    found = set()
    for trace in stack_traces:
        for file, line in re.findall(r'File "([^"]+)", line (\d+)', trace or ""):
            if file == FILE and FIRST <= int(line) <= LAST:
                found.add(int(line))
    return sorted(found)


def graph_lines(graph):
    """FX 图的每个节点一行：文本用 FX 自己生成的代码（与 print_readable 相同，去掉释放变量的
    `;  x = None`），出处用节点的 meta["stack_trace"]。"""
    code = graph.python_code("self", verbose=True).src
    text = {}
    for line in code.splitlines():
        m = re.match(r"\s+(\w+)(?::| =)", line)
        if m and not line.lstrip().startswith("#"):
            text.setdefault(m[1], line.split(";  ")[0].strip())
        elif line.strip().startswith("return "):
            text["output"] = line.strip()
    return [[lines_in(n.meta.get("stack_trace")), n.name, text.get(n.name, n.name)]
            for n in graph.nodes if n.name in text]


panes = []


def pane(stage, title, how, lines):
    panes.append({"stage": stage, "title": title, "how": how, "lines": lines})


# ---- 第 1 站：源码；第 2 站：字节码（Dynamo 拿到的就是这个函数的字节码）----
pane("source", "源码：Journey.forward", "inspect.getsourcelines 给出的行号（文本去掉了类里的缩进）",
     [[[FIRST + i], None, line.rstrip()] for i, line in enumerate(textwrap.dedent("".join(SOURCE)).splitlines())])
pane("bytecode", "字节码：Dynamo 读的就是它", "dis 给出的每条指令的行号（positions.lineno）",
     [[[i.positions.lineno], f"{i.opname} {i.argrepr}".strip(), f"{i.offset:>3} {i.opname:<12} {i.argrepr}".rstrip()]
      for i in dis.get_instructions(Journey.forward)])

# ---- 第 3～6 站：torch.compile 一次运行里的每一站，用 Inductor 留的钩子拿到 ----
seen = {}


def dynamo_then_inductor(gm, example_inputs):
    """后端：先记下 Dynamo 交来的 FX 图，再原样交给 Inductor（“inductor”后端做的就是这一步）。"""
    seen["fx"] = graph_lines(gm.graph)
    from torch._inductor.compile_fx import compile_fx

    return compile_fx(gm, example_inputs)


def aten_graph(graph):
    """post-grad 之前的钩子：拿到 AOTAutograd 交给 Inductor 的 ATen 图（只看，不改）。"""
    seen["aten"] = graph_lines(graph)


def scheduler(key):
    def hook(nodes):
        seen[key] = list(nodes)
        return nodes  # 原样交回

    return hook


class InductorProvenance(logging.Handler):
    """Inductor 的溯源数据作为结构化追踪（tlparse 读的 TORCH_TRACE）里的 artifact 发出：收下它们。"""

    def emit(self, record):
        artifact = getattr(record, "metadata", {}).get("artifact", {})
        if artifact.get("name", "").startswith("inductor_provenance_tracking"):
            seen[artifact["name"]] = json.loads(record.payload)


trace_log = logging.getLogger("torch.__trace")
trace_log.addHandler(InductorProvenance())
torch._inductor.config.fx_graph_cache = False  # 命中缓存时 Inductor 不会再走一遍，钩子也就不会运行
torch._functorch.config.enable_autograd_cache = False
with torch._inductor.config.patch({
    "trace.provenance_tracking_level": 1,  # 记下每个内核来自哪些 ATen 节点
    "post_grad_custom_pre_pass": aten_graph,
    "_pre_fusion_custom_pass": scheduler("before"),
    "_post_fusion_custom_pass": scheduler("after"),
}):
    out, (code,) = run_and_get_code(torch.compile(model, backend=dynamo_then_inductor), x, w)
assert torch.allclose(out, model(x, w), atol=1e-5)

pane("fx", "FX 图：Dynamo 捕获的 torch 调用", 'Dynamo 给每个节点记下的 meta["stack_trace"]', seen["fx"])
pane("aten", "ATen 图：AOTAutograd 交给 Inductor 的", '节点的 meta["stack_trace"]（AOTAutograd 从 FX 节点继承下来）', seen["aten"])


def ir_lines(node):
    """调度器节点的出处：它的 IR 节点的 origins（生成它的那些 ATen 节点）；外部内核用更准的
    origin_node，Inductor 的溯源也是这样取的。"""
    ir = node.node
    origins = [ir.origin_node] if node.is_extern() and ir.origin_node is not None else ir.origins
    origins = sorted(origins, key=lambda o: list(o.graph.nodes).index(o))  # 按图里的顺序
    return lines_in(*(o.meta.get("stack_trace") for o in origins)), [o.name for o in origins]


sched = [[[], None, "融合前："]]
for node in seen["before"]:
    src, names = ir_lines(node)
    sched.append([src, node.get_name(), f"{node.get_name()}  {type(node).__name__:<25} 来自 {', '.join(names)}"])
sched.append([[], None, "融合后（每个节点生成一个内核，或一次外部内核调用）："])
for node in seen["after"]:
    src = sorted({line for part in node.get_nodes() for line in ir_lines(part)[0]})
    sched.append([src, node.get_name(), f"{node.get_name()}  {type(node).__name__}"])
pane("scheduler", "调度器节点：Inductor 的 IR，融合前后", "IR 节点的 origins（外部内核取 origin_node）各自的 stack_trace", sched)

# 生成的代码：每个内核的定义，和依次调用它们的 call()。内核的出处是 Inductor 自己的溯源：
# 内核名 → 它的 ATen 节点的 stack_trace（结构化追踪里名为 …kernel_stack_traces 的 artifact）
kernels = {key.rsplit(":", 1)[0]: lines_in(*traces)
           for key, traces in seen["inductor_provenance_tracking_kernel_stack_traces"].items()}
code_lines, kernel = [], None
lines = code.splitlines()
for line in lines:
    start = re.match(r"(\w+) = async_compile\.\w+\(", line)
    if start and start[1] in kernels:
        kernel = start[1]
    if kernel:  # 内核定义里的每一行
        code_lines.append([kernels[kernel], kernel, line])
        if line.startswith("'''"):
            kernel = None
            code_lines.append([[], None, ""])
call = next(i for i, line in enumerate(lines) if line.strip().startswith("def call("))
for line in lines[call:]:
    if not line.strip():
        break
    called = next((k for k in kernels if re.search(rf"\b{re.escape(k)}\b", line)), None)
    code_lines.append([kernels[called] if called else [], called, line])
language = "Triton" if device == "cuda" else "C++"
pane("triton" if device == "cuda" else "cpp", f"{language} 内核：Inductor 生成的代码（{device.upper()}）",
     "Inductor 的溯源数据（provenance_tracking_level=1）里每个内核的 stack_trace", code_lines)

# ---- 第 7、8 站：torch.export 与 ONNX，导出的是同一个模型 ----
exported = torch.export.export(model, (x, w))
# 没装 torchvision 时，ONNX 导出器为 torchvision 的每个算子记一条警告：与这个例子无关，关掉
logging.getLogger("torch.onnx._internal.exporter._registration").setLevel(logging.ERROR)
pane("export", "ExportedProgram：torch.export 的图", '节点的 meta["stack_trace"]（nn_module_stack 记着它在哪个模块里）',
     graph_lines(exported.graph))
onnx_program = torch.onnx.export(model, (x, w), dynamo=True, verbose=False)
onnx_lines = []
for node in onnx_program.model.graph:
    inputs = ", ".join(v.name if v is not None else "" for v in node.inputs)
    outputs = ", ".join(v.name for v in node.outputs)
    onnx_lines.append([lines_in(node.metadata_props.get("pkg.torch.onnx.stack_trace")), node.name,
                       f"{outputs} = {node.op_type}({inputs})"])
pane("onnx", "ONNX 图：torch.onnx.export 的节点", 'ONNX 节点的 metadata_props["pkg.torch.onnx.stack_trace"]', onnx_lines)

# ---- 一个 JSON 文档：每站一段，每行写成 [出处行号，名字，文本] ----
print("{")
print(f'  "file": {json.dumps(os.path.basename(FILE))}, "first": {FIRST}, "last": {LAST},')
print('  "panes": [')
for i, p in enumerate(panes):
    head = {k: p[k] for k in ("stage", "title", "how")}
    print("    " + json.dumps(head, ensure_ascii=False)[:-1] + ', "lines": [')
    for j, line in enumerate(p["lines"]):
        print("      " + json.dumps(line, ensure_ascii=False) + ("," if j + 1 < len(p["lines"]) else ""))
    print("    ]}" + ("," if i + 1 < len(panes) else ""))
print("  ]")
print("}")
