# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# > 本笔记本由网页 [journey.md](../../journey/) 生成：文字与页面相同，代码格就是页面嵌入的 `snippets/` 脚本。不要直接修改它，修改页面或脚本后运行 `make notebooks`。
#

# %% [markdown]
# # 一行代码的旅程
#
# 前几章一站一站地讲了 PyTorch 怎样运行代码。[第 4 章](../../compile/)里，TorchDynamo 读字节码，捕获 FX 图；[第 5 章](../../inductor/)里，AOTAutograd 把图分解成 ATen 算子，Inductor 融合节点、生成内核；[第 6 章](../../deploy/)里，`torch.export` 和 ONNX 把同一张图带出 Python。
#
# 这一页把这些站连起来。我们跟着一个只有四行的小模型走完全程，看每一行源码在每一站变成了什么：
#
# - 算 `y` 和 `z` 的两行是逐元素运算，最后会融合进同一个内核；
# - 算 `h` 的一行是矩阵乘，交给外部的库函数；
# - 最后一行的 softmax 在 ATen 图里拆成五个算子，到了内核里又合成一个。
#
# 下面每一栏都来自同一次真实运行（脚本和它的完整输出在[页末](../../journey/#how)）。栏里每一行来自哪一行源码，也不是手写的：这些对应关系全部取自 PyTorch 自己记下的出处（provenance），每一栏下方写明了取自哪里。
#
# <!-- journey:source -->
#
# ## 字节码：Dynamo 读到的是它
#
# Python 先把源码编译成字节码。`torch.compile` 不读源码：TorchDynamo 在帧求值钩子里拿到的就是这些指令，它一条一条地符号执行（[第 4 章](../../compile/#frame-hook)）。
#
# 每条指令都记着自己来自哪一行，这是 CPython 自己的行号表，`dis` 把它读出来。一行源码对应好几条指令：算 `y` 的那一行先取出 `torch.sin`，调用它，再乘以常数 2，最后存进 `y`。字节码随 Python 版本而变，这里是 Python 3.11 的。
#
# <!-- journey:bytecode -->
#
# ## FX 图：Dynamo 捕获的 torch 调用
#
# Dynamo 把符号执行时遇到的张量运算记成一张 FX 图，一个运算一个节点。记下节点的同时，它把当时的源码位置存进节点的 `meta["stack_trace"]`；`print_readable()` 里那些 `# File: …` 注释就是由它来的。
#
# 两个输入节点 `l_x_`、`l_w_` 的出处，是它们第一次被用到的那一行。
#
# <!-- journey:fx -->
#
# ## ATen 图：AOTAutograd 交给 Inductor 的
#
# AOTAutograd 用假张量把 FX 图再追踪一遍，分解成 ATen 算子（[第 5 章](../../inductor/#decompositions)）。`@` 变成了 `mm`，最后一行的 `softmax` 变成了五个节点：`amax`、`sub`、`exp`、`sum_1`、`div`。
#
# 分解出来的新节点会继承原来节点的 `stack_trace`，`meta["from_node"]` 还记着它来自 FX 图的哪个节点。所以一行源码拆成了五个算子，每个算子仍然知道自己的出处。
#
# <!-- journey:aten -->
#
# ## 调度器节点：Inductor 的 IR
#
# Inductor 把 ATen 图 lowering 成自己的 IR。逐元素运算会内联进下一个运算，只有真正要写进内存的缓冲区才成为调度器的节点（[第 5 章](../../inductor/#scheduler)）。
#
# 于是算 `y` 和 `z` 的两行里的四个逐元素运算，只剩一个节点 `op0`。矩阵乘是外部内核，单独一个节点 `op1`，不参与融合。softmax 的五个 ATen 节点先成了四个节点，融合之后又合成了一个。每个 IR 节点的 `origins` 记着生成它的那些 ATen 节点，出处就从那里接过来。
#
# <!-- journey:scheduler -->
#
# ## 生成的内核
#
# 最后一站是生成的代码（[第 5 章](../../inductor/#output-code)）。这一栏是两个 C++ 内核的定义，以及依次调用它们的 `call()`。打开溯源（`provenance_tracking_level=1`）后，Inductor 为每个内核记下它来自哪些 ATen 节点，`call()` 里每次调用前也多了一行 `[Provenance debug handles]` 注释。
#
# 溯源只精确到内核：同一个内核的每一行，标的都是同一组源码行。算 `y` 和 `z` 的两行融合进了 `cpp_fused_add_mul_relu_sin_0`，所以选中其中一行，整个内核都会标出来；反过来，选中这个内核里的任意一行，源码里的两行都会标出来。算 `h` 的一行没有 C++ 代码，只有 `call()` 里那一次 `extern_kernels.mm` 调用。
#
# <!-- journey:cpp -->
#
# <!-- journey:triton -->
#
# ## torch.export：导出的图
#
# `torch.export` 把同一个模型导出成一张完整的图（[第 6 章](../../deploy/#export)）。它默认以非严格模式运行 Python，在 ATen 层记录，节点同样带着 `stack_trace`；`nn_module_stack` 还记着节点在哪个子模块里。
#
# 这张图里 `matmul` 和 `softmax` 都还在：导出的默认 IR 保留高层算子，要调用 `run_decompositions()` 才会分解（[第 6 章](../../deploy/#ir)）。
#
# <!-- journey:export -->
#
# ## ONNX：翻译成 ONNX 算子
#
# `torch.onnx.export` 先用 `torch.export` 得到上面那张图，再把每个节点翻译成 ONNX 算子（[第 6 章](../../deploy/#onnx)）。翻译时，导出器把 FX 节点的 `stack_trace` 抄进 ONNX 节点的 `metadata_props`，键是 `pkg.torch.onnx.stack_trace`。所以在导出的 `.onnx` 文件里，也查得到每个节点来自哪一行。
#
# <!-- journey:onnx -->
#
# ## 对照表
#
# 同样的对应关系，按源码的行列成一张表。每一格是这一站里由这行源码而来的指令、节点或内核；不运行 JavaScript 也能看到。
#
# <!-- journey:table -->
#
# ## 这些对应关系从哪里来
#
# PyTorch 记下的出处，几乎都是同一种文本：traceback 里的一段 `File "…", line N`。脚本只用一条规则读它们：取出指向本文件、又落在 `forward` 源码范围里的行号。各站的出处分别取自：
#
# - 字节码：每条指令自带的行号（`dis` 给出的 `positions.lineno`）；
# - FX 图、ATen 图、ExportedProgram：每个节点的 `meta["stack_trace"]`，图交到脚本手里时读出。ATen 图来自 Inductor 的钩子 `post_grad_custom_pre_pass`：它在 post-grad 阶段的最前面运行，拿到的是 AOTAutograd 交来的图，之前只做过死代码消除和为局部性调整节点顺序；
# - 调度器节点：节点的 `origins`，也就是生成它的 ATen 节点，再读这些节点的 `stack_trace`。矩阵乘的 `origins` 还包括了为它准备输入的四个逐元素运算（`call()` 里 `extern_kernels.mm` 上面那行注释列的就是它们），所以外部内核改用更准确的 `origin_node`，Inductor 自己的溯源也是这样取的；
# - 生成的内核：Inductor 的溯源数据。它作为结构化追踪里的 artifact 发出（`TORCH_TRACE` 写进文件、tlparse 读的就是这种记录），脚本用一个日志处理器把它收下：每个内核对应一组 ATen 节点的 `stack_trace`；
# - ONNX 节点：`metadata_props["pkg.torch.onnx.stack_trace"]`。
#
# 脚本把每一站的文本和这些行号打印成一个 JSON 文档。它像本站其他输出一样由 `make outputs` 捕获、由测试逐字比对；构建时，本页的各栏和上面的对照表都由这份输出生成。浏览器测试逐一选中每一行源码，检查每一栏标出的行恰好是输出里列的那些。
#
# **脚本：snippets/journey/journey.py**
#

# %% snippet="journey/journey.py"
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


# %% [markdown]
# **完整输出（JSON）**
#
#
#
# 生成的 C++ 取决于 CPU 的向量指令集：在只支持 AVX2 的 CPU 上，向量的宽度是 8 个 float，循环的步长随之变化，但每个内核的出处不变。2.13.0 上，除了开头多出一条 `FutureWarning`，输出与 2.15.0 相同。
#
# ## 小结
#
# - 一行源码在每一站的样子都不一样：几条字节码指令，一两个 FX 节点，几个 ATen 算子，最后是某个内核的一部分。
# - 一路上，PyTorch 都记着出处：字节码有行号表，FX 节点有 `stack_trace`，分解出来的节点继承它，Inductor 的 IR 节点有 `origins`，内核有溯源数据，ONNX 节点把它存进 `metadata_props`。
# - 出处在融合之后变粗：溯源只精确到内核，融合进同一个内核的几行源码无法再分开。
# - `torch.export` 和 ONNX 走的是另一条路：图里保留高层算子，也保留每个节点的出处，所以导出的模型出了问题，同样能追回到源码的某一行。
#
