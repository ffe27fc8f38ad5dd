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
# > 本笔记本由网页 [inductor.md](../../inductor/) 生成：文字与页面相同，代码格就是页面嵌入的 `snippets/` 脚本。不要直接修改它，修改页面或脚本后运行 `make notebooks`。
#

# %% [markdown]
# # 第 5 章 从图到内核
#
# **运行环境**
#
# 除了 [Triton 代码](../../inductor/#triton)和[各模式在 GPU 上的对比](../../inductor/#modes)两个例子需要 NVIDIA GPU 与 CUDA 版 PyTorch，本章的例子只要 CPU。页面上的输出来自 PyTorch 2.15.0，在一台 2 核、支持 AVX-512 的 AMD EPYC 虚拟机上捕获；在 2.13.0 上输出不同的地方，代码块下方折叠着逐行对照。
#
# 生成的 C++ 代码取决于 CPU 的向量指令集：这样的输出下方写明它来自 AVX-512 VNNI，并折叠着同一个脚本在只支持 AVX2 的 CPU 上的输出。CPU 上的 Inductor 要调用 C++ 编译器（Linux 上是 `g++`）编译生成的代码，机器上需要装有它。
#
# 本章有几段输出是耗时。捕获它们的机器同时还在运行别的任务，这些数字只能看量级和同一段输出里的相对大小；测试只比对输出的结构，不比对数字。
#
#
# 读完这一章你会知道：
#
# - TorchInductor 怎样把一张图变成内核：分解成 ATen 算子，lowering 时内联逐元素运算，调度器融合节点，最后生成 C++ 或 Triton 代码；
# - 哪些运算能融合、哪些不能，以及 freezing、max-autotune、cpp_wrapper 和各种编译模式分别改变了什么；
# - 第一次编译的时间花在哪里，磁盘缓存、区域编译和 `nested_compile_region` 各省下哪一部分。
#
# 读这一章要先读过[第 4 章](../../compile/)：知道 `torch.compile` 由 TorchDynamo 把函数捕获成 FX 图，再交给后端编译。
#
# 第 4 章停在 Dynamo 把图交给后端的那一刻。这一章接着往下走：默认的后端 TorchInductor 拿到这张图以后，经过哪些步骤、变成了什么样的代码，又为什么第一次要花那么长时间编译。
#
# 全章用同一个小模型作例子，一个 Transformer 里常见的 MLP 块：LayerNorm、Linear、GELU、Linear，再加上残差连接。它很小（特征维是 16），但一个块里逐元素运算、归约和矩阵乘都有，正好能看到 Inductor 对这三类运算的不同处理。
#
# （这里在 [网页版](../../inductor/) 上有一张示意图。）
#
#
# ## TorchInductor 逐站走一遍
#
# 下面把本章的例子交给默认的 `torch.compile`，在推理模式（`torch.no_grad()`）下调用，输入形状是 `[4, 16]`，按 `TORCH_LOGS` 的几类日志依次查看每一站。训练时多出来的那一步（把反向也变成图）放在[后面一节](../../inductor/#aotautograd)。
#
# `TORCH_LOGS="graph_code,aot_graphs,ir_pre_fusion,fusion,ir_post_fusion,output_code"` 会把这些日志全部打印出来，量很大。这里的脚本用等价的 `torch._logging.set_logs(...)` 打开日志，把它们收进一个字符串，只挑出要看的行。
#
# ### 第一站：分解成 ATen 图
#
# 先认一认图里的一行怎么读：`mul_2: "f32[4, 64]" = torch.ops.aten.mul.Tensor(addmm, 0.5)` 的意思是，节点 `mul_2` 是一个 float32、形状为 `[4, 64]` 的张量，由算子 `aten.mul` 作用在 `addmm` 和 `0.5` 上算出。
#

# %% snippet="inductor/stages_graphs.py"
# 本章的例子从 TorchDynamo 走到 Inductor 的前两站：Dynamo 捕获的 FX 图（torch 层的调用），
# AOTAutograd 交给 Inductor 的 ATen 图（函数化、分解之后）。
# 日志与 `TORCH_LOGS="graph_code,aot_graphs"` 相同，这里收进一个字符串，只打印每行的正文。
import contextlib
import io
import re

import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    """本章的例子：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


torch._inductor.config.fx_graph_cache = False  # 命中缓存时 Inductor 不再处理这张图，也就没有日志
torch._functorch.config.enable_autograd_cache = False

torch.manual_seed(0)
model = Block().eval()
x = torch.randn(4, 16)

log = io.StringIO()
with contextlib.redirect_stderr(log), torch.no_grad():
    torch._logging.set_logs(graph_code=True, aot_graphs=True)
    torch.compile(model)(x)
torch._logging.set_logs()  # 恢复默认


def artifact(name):
    """日志里属于某一类（artifact）的行，去掉时间、进程号等前缀。"""
    return [m.group(1) for m in re.finditer(rf"\[__{name}\] ?(.*)", log.getvalue())]


def inputs(lines):
    # forward 的参数和它们的形状
    signature = next(l for l in lines if "def forward(" in l)
    return ", ".join(f"{name} {shape}" for name, shape in re.findall(r'(\w+): "(\w+\[[^\]]*\])', signature))


def code_lines(lines):
    # 只留下 forward 的函数体：去掉注释、空行、给参数改名的赋值，以及类型标注里的步长与设备
    body = [l for l in lines if re.match(r"\s{8}\S", l) and not l.strip().startswith("#")]
    body = [l for l in body if not re.match(r"\s+l_\w+ = L_\w+$", l)]
    return [re.sub(r'"(\w+\[[^\]]*\])\[[^\]]*\]cpu"', r'"\1"', l.split(";  ")[0])[4:] for l in body]


print("=== graph_code：TorchDynamo 捕获的 FX 图 ===")
print("输入：", inputs(artifact("graph_code")))
print("\n".join(code_lines(artifact("graph_code"))))
print("\n=== aot_graphs：AOTAutograd 交给 Inductor 的 ATen 图 ===")
print("输入：", inputs(artifact("aot_graphs")))
print("\n".join(code_lines(artifact("aot_graphs"))))


# %% [markdown]
# - Dynamo 的图还是 torch 层的调用：`layer_norm`、`linear`、`gelu` 各一行。模块的参数也成了图的输入（名字里带 `parameters` 的那几个）。
# - AOTAutograd 交给 Inductor 的图已经**分解**成了更基础的 ATen 算子：`layer_norm` 变成 `var_mean`、`add`、`rsqrt`、`sub`、`mul`、`mul_1`、`add_1` 七步；`linear` 变成 `permute`（转置权重）加 `addmm`（矩阵乘加偏置）；`gelu` 按定义 x·½·(1 + erf(x/√2)) 展开成 `mul_2`、`mul_3`、`erf`、`add_2`、`mul_4`。
# - 分解规则来自 Inductor 自己的分解表（`torch._inductor.decomposition.select_decomp_table()`），它与 PyTorch 的核心 ATen 分解表大部分相同，又按 Inductor 的需要增删了一些。分解的好处是后端要支持的算子少了很多，而且分解出的每一步都是简单的逐元素运算或归约，下一站可以自由地重新组合它们。
# - 这次调用不需要梯度，AOTAutograd 只产出一张**推理图**。不算最后的 `return`，整张图一共 19 行运算。记住这个数，下一站会用到。
#
# #### 函数化：去掉原地修改
#
# 分解之外，AOTAutograd 还做一件事。Dynamo 捕获的图保留了 Python 代码里的原地修改（`add_`、`mul_`），还可能修改函数的输入，比如 BatchNorm 更新 `running_mean`。原地修改让编译器很难推理：两个运算能不能交换顺序、能不能合并，都取决于它们是否读写同一块内存。
#
# 所以 AOTAutograd 先做**函数化**（functionalization）：每个原地修改都换成返回新张量的函数式运算；如果被修改的是函数的输入，就在图的最后用一个 `copy_` 把新值写回去。
#

# %% snippet="inductor/functionalization.py"
# 函数化：原地修改（add_、mul_）在 AOTAutograd 里变成纯函数式的运算；
# 对输入的修改在图的末尾用一个 copy_ 写回。不需要梯度时，AOTAutograd 只产出一张推理图。
import torch
from functorch.compile import make_boxed_func
from torch._dynamo.backends.common import aot_autograd


def update(x, running):
    y = x * 2
    y.add_(1)  # 原地修改一个中间结果
    running.mul_(0.9).add_(y.mean(0) * 0.1)  # 原地修改输入，就像 BatchNorm 更新 running_mean
    return torch.relu(y)


def show(title):
    def compiler(gm, example_inputs):
        print(f"--- {title} ---")
        print(gm.code.strip())
        return make_boxed_func(gm.forward)

    return compiler


aot_backend = aot_autograd(
    fw_compiler=show("前向图"),  # 需要梯度时才会用到
    inference_compiler=show("AOTAutograd 之后：推理图"),
    keep_inference_input_mutations=True,  # Inductor 也这样设置：对输入的修改留在图里
)


def backend(gm, example_inputs):
    show("TorchDynamo 捕获的图")(gm, example_inputs)
    return aot_backend(gm, example_inputs)


torch.manual_seed(0)
x = torch.randn(4, 3)
running = torch.zeros(3)
expected = torch.zeros(3)
update(x, expected)  # eager 的结果，用来对照

with torch.no_grad():  # 不需要梯度：只有推理图
    torch.compile(update, backend=backend)(x, running)
print("输入 running 被更新了，与 eager 一致：", torch.allclose(running, expected))


# %% [markdown]
# - Dynamo 的图里有 `y.add_(1)`、`l_running_.mul_(0.9)` 和 `mul_.add_(mul_1)` 三处原地修改。
# - 函数化之后，它们变成了 `aten.add`、`aten.mul`、`aten.add`，每一步都产生新张量（`add`、`mul_1`、`add_1`）。整张图只剩最后一行 `copy_(arg1_1, add_1)`，把 `running` 的新值写回输入。
# - 写回留在图里，是因为设置了 `keep_inference_input_mutations=True`。Inductor 调用 AOTAutograd 时也这样设置，于是这个 `copy_` 可以和前面的运算融合在一起。
# - 这次调用在 `torch.no_grad()` 里，所以只有一张推理图，交给 `inference_compiler`（输出里没有出现“前向图”）。
#
# **源码在哪里**
#
# Inductor 调用 AOTAutograd 时传 `keep_inference_input_mutations=True`，见 `torch/_inductor/compile_fx.py` 第 3546 行。
#
#
# ### 第二站：lowering 与调度器的融合
#
# 先说结论：**逐元素运算在 lowering 这一步就已经合在一起了，调度器接着合并的是剩下的节点。**
#
# Inductor 逐个处理 ATen 图的节点，把每个运算变成一个“第 i 个元素怎样算”的函数，这一步叫 lowering。逐元素运算的函数不单独存结果，而是直接嵌进用到它的下一个运算里（内联）。只有必须真正存进内存的结果，才 **realize** 成一块缓冲区（buffer）：归约的结果、矩阵乘等外部内核的输入和输出、图的输出，还有 lowering 规则特意要求保存的中间结果。每块缓冲区对应调度器（scheduler）的一个节点。
#
# 输出里有几种名字要先认一认：
#
# - `SchedulerNode`：Inductor 自己生成循环的节点，记录“对哪些下标、读什么、算什么、写到哪”。
# - `ExternKernelSchedulerNode`：不生成循环，调用现成的库函数，也就是**外部内核**（这里是矩阵乘）。
# - `OuterLoopFusedSchedulerNode`：CPU 后端的一种融合节点，几个节点打算共用同一层外循环。
# - 循环写成两组，如 `((4,), (16,))`：前一组是逐元素部分的范围，后一组是归约的范围，意思是 4 行、每行归约 16 个元素。`((256,), ())` 没有归约，256 个元素逐个算。冒号后面是循环体里的运算（读写内存、取下标之外的部分）。
#

# %% snippet="inductor/stages_ir.py"
# 本章的例子在 Inductor 里的下一站：调度器拿到的 IR 节点（融合前）、它做的融合决定、融合后的节点。
# 日志与 `TORCH_LOGS="ir_pre_fusion,fusion,ir_post_fusion"` 相同，这里只挑出每个节点的摘要。
import contextlib
import io
import re

import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    """本章的例子：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


torch._inductor.config.fx_graph_cache = False  # 命中缓存时 Inductor 不再处理这张图，也就没有日志
torch._functorch.config.enable_autograd_cache = False

torch.manual_seed(0)
model = Block().eval()
x = torch.randn(4, 16)

log = io.StringIO()
with contextlib.redirect_stderr(log), torch.no_grad():
    torch._logging.set_logs(ir_pre_fusion=True, fusion=True, ir_post_fusion=True)
    torch.compile(model)(x)
torch._logging.set_logs()


def artifact(name):
    return [m.group(1) for m in re.finditer(rf"\[__{name}\] ?(.*)", log.getvalue())]


print("=== ir_pre_fusion：融合前的节点 ===")
pre = artifact("ir_pre_fusion")
starts = [i for i, line in enumerate(pre) if re.match(r"op\d+: \w+", line)]
for i, end in zip(starts, starts[1:] + [len(pre)]):
    body = pre[i:end]  # 一个节点的全部日志行
    name, kind = re.match(r"(op\d+): (\w+)", body[0]).groups()
    buf = re.search(r"'(buf\d+)'", next(l for l in body if l.startswith(f"{name}.writes"))).group(1)
    if kind == "ExternKernelSchedulerNode":
        what = next(l.split(" = ")[1] for l in body if l.startswith(f"{name}.node."))  # 调用的库函数
    else:
        sizes = next(l.split(" = ")[1] for l in body if l.startswith(f"{name}.group.iteration"))
        # 循环体里的运算（去掉读写内存、取下标、常量）：lowering 内联进来的逐元素运算都在这里
        ops = []
        for l in body:
            for op in re.findall(r"ops\.(\w+)\(", l):
                if op == "reduction":  # 归约写出它的种类，如 reduction(sum)
                    kind_of = re.search(r"'(\w+)'", l).group(1)
                    ops.append(f"reduction({kind_of})")
                elif op not in ("load", "store", "store_reduction", "constant", "index_expr"):
                    ops.append(op)
        what = f"循环 {sizes}：{' '.join(ops)}"
    print(f"{name:<4} 写 {buf:<5} {kind:<26} {what}")

print("\n=== fusion：调度器的决定 ===")
shown = set()
for line in artifact("fusion"):
    if line.startswith(("fusing ", "cannot fuse ", "completed fusion round")) and line not in shown:
        shown.add(line)  # 每一轮都会重新尝试，同一句只打印一次
        print(line)

print("\n=== ir_post_fusion：融合后的节点 ===")
post = artifact("ir_post_fusion")
for i, line in enumerate(post):
    # 融合节点里的成员（“.snodes[0] =”之后的那一行）不单独打印
    if re.match(r"op\d+(_op\d+)*: ", line) and not post[i - 1].endswith("="):
        print(line)


# %% [markdown]
# - **19 行运算，进调度器时只剩 8 个节点。** GELU 的五步全在 `op5` 的循环体里（`mul mul erf add mul`）；`op3` 一个节点装下了方差（除以 16）、加 eps、`rsqrt`、减均值、乘权重、加偏置。两个 `permute` 只是换一种下标去读权重，`getitem` 只是取出元组的一项，都不成为节点。
# - LayerNorm 的 `var_mean` 变成了三个节点：`op0` 对每行求元素之和，`op1` 除以 16 得到均值，`op2` 求每行偏差的平方和。均值要返回给后面用，lowering 规则把它单独存下（`buf1`）。
# - 其余的缓冲区也都有理由：`buf3`、`buf5` 是矩阵乘的输入，`buf4`、`buf6` 是它的输出，`buf7` 是图的输出。
# - `op4`、`op6` 是两个 `addmm`，IR 里直接写着 `extern_kernels.addmm`：它们调用 ATen 的实现（CPU 上最终是 MKL/oneDNN 的矩阵乘），没有循环体。调度器只合并带循环体的节点，所以矩阵乘不与 GELU、残差融合，`fusion` 日志里也根本没有它们。
# - 调度器先把 `op2` 与 `op3`、`op0` 与 `op1` 两两融合，再把两组合成一个 `OuterLoopFusedSchedulerNode`，打算让 LayerNorm 的四段共用“对每一行”这层外循环。生成的代码是不是真的这样，要到下一站才看得到。
# - 其余几次尝试都因为 `intermediate nodes between node1 & node2` 失败：两个节点之间隔着别的节点（比如 `op3` 与 `op7` 之间隔着两个矩阵乘），合并会打乱依赖顺序。融合后剩下 5 个节点：LayerNorm、`addmm`、GELU、`addmm`、残差加法。
#
# 把这些节点和它们之间的依赖画出来，看得更清楚。下面的脚本在融合前后各挂一个钩子，拿到调度器手里真实的节点对象；图就由这次运行生成：方框是融合前的节点，箭头是“写的缓冲区被谁读”，圆角的是图的输入（`arg2_1` 就是 `x`，其余是权重和偏置），大框圈起来的几个节点融合成了一个内核。
#

# %% snippet="inductor/scheduler_graph.py"
# 调度器融合前后的节点：Inductor 在融合之前、之后各留了一个钩子（两个下划线开头的配置项，
# 是内部接口），拿到的就是调度器手里真实的节点对象。本站用它们画出下面那张图。
import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    """本章的例子：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


before, after = [], []  # 融合前、融合后的调度器节点


def keep(into):
    def hook(nodes):
        into.extend(nodes)
        return nodes  # 原样交回：只看，不改

    return hook


torch.manual_seed(0)
torch._inductor.config.fx_graph_cache = False  # 命中缓存时调度器不会运行
torch._functorch.config.enable_autograd_cache = False
with torch._inductor.config.patch(_pre_fusion_custom_pass=keep(before), _post_fusion_custom_pass=keep(after)):
    with torch.no_grad():
        torch.compile(Block().eval())(torch.randn(4, 16))

print(f"融合前 {len(before)} 个节点：")
for node in before:
    reads = ", ".join(sorted(dep.name for dep in node.read_writes.reads))
    print(f"  {node.get_name()} {type(node).__name__:<26} 读 {reads}")
print(f"融合后 {len(after)} 个节点，每个生成一个内核或一次库调用：")
for node in after:
    print(f"  {type(node).__name__:<28} {[n.get_name() for n in node.get_nodes()]}")


# %% [markdown]
# （这里在 [网页版](../../inductor/) 上有一张示意图。）
#
#
# `op3` 与 `op7` 都读 `x`（`arg2_1`），中间却隔着两个外部内核：图上一眼就能看出它们为什么合不到一起。
#
# **源码在哪里**
#
# - realize：`torch/_inductor/ir.py` 第 11152 行的 `StorageBox.realize` 把一个还没存下的 `Pointwise`/`Reduction` 包成 `ComputedBuffer`；外部内核的输入由第 7796 行的 `ExternKernel.realize_input` 强制 realize。
# - 每块缓冲区变成哪种节点：`torch/_inductor/scheduler.py` 第 6369 行的 `create_scheduler_node`（`ComputedBuffer` → `SchedulerNode`，`ExternKernel` → `ExternKernelSchedulerNode`）。
# - `var_mean` 的 lowering：`torch/_inductor/lowering.py` 第 7517 行的 `var_mean_sum_`，要返回均值时调用 `x_mean.realize()`。
# - 外部内核不参与融合：`scheduler.py` 第 8916 行的 `get_possible_fusions` 一开始就跳过 `unfusable_node`（第 10071 行），普通的 `ExternKernelSchedulerNode` 正在其中。
#
#
# ### 第三站：生成的代码
#
# `torch._inductor.utils.run_and_get_code` 运行编译后的函数，同时返回 Inductor 生成的 Python 模块源码，也就是 `TORCH_LOGS="output_code"` 打印的内容。读内核代码前也先认几个名字：`in_ptrN` 是只读的输入，`out_ptrN` 是只写的输出，`in_out_ptrN` 是内核在原处既读又写的缓冲区；`tmp_acc0` 是归约的累加器；`x0` 是行下标，`x1` 是列下标。
#

# %% snippet="inductor/stages_code.py"
# 本章的例子的最后一站：Inductor 生成的代码（TORCH_LOGS="output_code" 打印的就是它）。
# 先看调用各个内核的包装函数 call()，再看 LayerNorm 的四个节点融合成的那一个 C++ 内核。
import re

import torch
import torch.nn.functional as F
from torch import nn
from torch._inductor.utils import run_and_get_code


class Block(nn.Module):
    """本章的例子：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


torch.manual_seed(0)
model = Block().eval()
x = torch.randn(4, 16)
with torch.no_grad():
    out, (code,) = run_and_get_code(torch.compile(model), x)
    print("结果与 eager 一致：", torch.allclose(out, model(x), atol=1e-6))

print("\n--- call()：分配缓冲区、依次调用内核（节选）---")
call = code[code.index("def call(") :].split("\n\n")[0]
for line in call.splitlines():
    line = line.strip()
    if line.startswith(("buf", "cpp_fused_", "extern_kernels.", "return")):
        print("    " + line)

print("\n--- cpp_fused_native_layer_norm_0 的循环与写出（节选，省略了 static_cast<…>）---")
kernel = re.search(r"cpp_fused_native_layer_norm_0 = .*?r'''(.*?)'''", code, re.S).group(1)
for line in kernel.splitlines():
    if "for(" in line or re.search(r"\.store\(|^\s*(in_out|out)_ptr\d+\[.*\] =", line):
        print(re.sub(r"static_cast<\w+>\(([^()]*)\)", r"\1", line[4:]))


# %% [markdown]
# - `call()` 是包装函数：分配缓冲区，按顺序调用 5 个内核，与上一站的 5 个节点一一对应。三个 `cpp_fused_*` 是 Inductor 生成并编译的 C++ 内核，名字里列出了融合进去的运算；两个 `extern_kernels.addmm` 是外部内核。
# - 缓冲区会复用：`buf5 = buf4; del buf4  # reuse` 表示 GELU 直接在矩阵乘的输出上原地计算，`buf7` 同理。`buf1 = buf0` 也一样：均值节点在求和结果上原地除以 16，所以内核里它叫 `in_out_ptr0`。
# - LayerNorm 的四个节点成了**一个**内核 `cpp_fused_native_layer_norm_0`，但里面是**四段并列的循环**，各自从头遍历行：第一段对每行求和，写进 `in_out_ptr0[x0]`；第二段除以 16 得到均值，这一段沿行的方向一次处理 16 个（一共只有 4 行，所以只装入、写回前 4 个）；第三段求每行偏差的平方和，写进 `out_ptr1[x0]`；第四段算出归一化的结果，写出 4×16 的 `out_ptr2`。
#
# 所以这里融合省下的是中间张量：写进内存的只有每行一个数的均值和平方和，`x - mean`、`(x - mean)²` 这样的 4×16 中间结果只在寄存器里。代价是输入 `x`（`in_ptr0`）被三段循环各读一遍。这就是**归约融合**：eager 的 `layer_norm` 本来就是一个手写的 ATen 内核，但 Inductor 能把任意的“归约＋逐元素”组合（比如 softmax、自己写的归一化）同样合进一个内核。
#
# 调度器想要的共用外循环去哪了？代码生成时，几段循环的外层必须完全一致（同一个变量、范围、步长）才能合并。向量化之后，求均值那段沿行一次走 16 步，其余几段一次走 1 行，对不上，于是退回成各写各的循环。关掉向量化再看：
#

# %% snippet="inductor/outer_loop.py"
# LayerNorm 的四个节点在调度器里合成了一个 OuterLoopFusedSchedulerNode（共享“对每一行”的外循环），
# 但生成的 C++ 是否真有一个共同的外循环，要看代码生成：向量化时它退回成四个并列的循环，
# 关掉向量化（cpp.simdlen=1，生成标量代码）时才是一个外循环里套四段。
import re

import torch
import torch.nn.functional as F
from torch import nn
from torch._inductor import config
from torch._inductor.utils import run_and_get_code


class Block(nn.Module):
    """本章的例子：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


torch.manual_seed(0)
model = Block().eval()
x = torch.randn(4, 16)


def layer_norm_kernel(simdlen):
    with torch.no_grad(), config.patch({"cpp.simdlen": simdlen}):  # None：按这台机器的指令集
        out, (code,) = run_and_get_code(torch.compile(model), x)
    assert torch.allclose(out, model(x), atol=1e-6)
    return re.search(r"cpp_fused_native_layer_norm_0 = .*?r'''(.*?)'''", code, re.S).group(1)


for simdlen, label in ((None, "向量化（默认）"), (1, "标量（cpp.simdlen=1）")):
    kernel = layer_norm_kernel(simdlen)
    loops = [l for l in kernel.splitlines() if "for(" in l]
    outer = min(len(l) - len(l.lstrip()) for l in loops)  # 最外层循环的缩进
    print(f"{label}：{sum(len(l) - len(l.lstrip()) == outer for l in loops)} 个最外层循环")

# 标量版本的循环与写出：一个 x0（行）循环里，依次是求和、除以 16、求平方和、归一化
print("\n--- 标量版本的 cpp_fused_native_layer_norm_0（节选，省略了 static_cast<…>）---")
for line in kernel.splitlines():
    if "for(" in line or re.search(r"^\s*(in_out|out)_ptr\d+\[.*\] =", line):
        print(re.sub(r"static_cast<\w+>\(([^()]*)\)", r"\1", line[4:]))


# %% [markdown]
# 生成标量代码时（`cpp.simdlen=1`，没有向量指令集的 CPU 上也是这样），四段确实都在同一个 `x0` 循环里：处理完一行的求和、均值、平方和、归一化，再进入下一行，这一行的数据还在缓存里。向量化的版本换来的是每次 16 个元素的 SIMD 指令，对这么小的张量，两种写法的差别微乎其微。
#
# **源码在哪里**
#
# `torch/_inductor/codegen/cpp.py` 第 5639 行的 `codegen_outer_loop_node` 先试着生成共用外循环的代码。第 5849 行调用 `check_outer_fusion_loop_level_attr`（第 480 行），逐层比较几段循环的变量、范围、起点和步长，不一致就退回第 5869 行以下的逐段生成。
#
#
# ## 算子融合省下了什么
#
# ### 逐元素运算的算子融合
#
# GELU（`cpp_fused_gelu_1`）那样的一串逐元素运算是融合最直接的收益。下面换一个只有逐元素运算的函数，对比 eager 实际调用的 ATen 算子和 Inductor 生成的内核：
#

# %% snippet="inductor/fusion.py"
# 算子融合：eager 为每个运算各跑一个内核，Inductor 把整串逐元素运算融合成一个 C++ 内核。
import re

import torch
from torch._inductor.utils import run_and_get_code
from torch.utils._python_dispatch import TorchDispatchMode


def f(x):
    return torch.relu(torch.sin(x) * 2 + 1)


class RecordOps(TorchDispatchMode):
    """记下 eager 执行时真正调用的 ATen 算子：每个算子就是一个内核，产出一个新张量。"""

    def __init__(self):
        super().__init__()
        self.ops = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.ops.append(str(func))
        return func(*args, **(kwargs or {}))


torch.manual_seed(0)
x = torch.randn(1024)

with RecordOps() as rec:
    f(x)
print(f"eager：{len(rec.ops)} 个内核：", ", ".join(rec.ops))

# run_and_get_code 运行编译后的函数，并返回 Inductor 生成的 Python 包装代码（内含 C++ 源码）
out, (code,) = run_and_get_code(torch.compile(f), x)
# 向量化的 sin 与 eager 的 sin 在最后几位上可能不同，所以比较时给一点容差
print("结果与 eager 一致：", torch.allclose(out, f(x), atol=1e-6))

kernels = re.findall(r"^(cpp_fused_\w+) = async_compile", code, re.M)
print(f"Inductor：{len(kernels)} 个内核：", ", ".join(kernels))
# 粗略估算：每个内核把输入读一遍、把输出写一遍
print(f"每个元素的内存读写次数：eager {2 * len(rec.ops)} 次，融合后 {2 * len(kernels)} 次")

# 只打印内核里的循环和计算（其余是每个内核都有的样板代码）
cpp = code.split("r'''", 1)[1].split("'''", 1)[0]
print("\n--- 生成的 C++ 内核（节选）---")
print(" ".join(re.search(r'extern "C".*?\)', cpp, re.S).group().split()))
for line in cpp.splitlines():
    if "for(" in line or "tmp" in line:
        print(("    " if "for(" in line else "        ") + line.strip())

print("\n--- 调用它的包装代码（节选）---")
for line in code.splitlines():
    if "empty_strided_cpu(" in line or re.match(r"\s+cpp_fused_\w+\(", line):
        print("    " + line.strip())


# %% [markdown]
# - eager 调用了 4 个 ATen 算子，也就是 4 个内核：每一个都把上一个的结果（一个 1024 元素的临时张量）从内存读出来，再把自己的结果写回去。
# - Inductor 只生成了 1 个内核，名字 `cpp_fused_add_mul_relu_sin_0` 列出了被融合的 4 个运算。循环体里 `tmp1` 到 `tmp8` 都是局部变量：每个输入元素只读一次（`loadu`），每个输出元素只写一次（`store`）。包装代码也只分配了一块缓冲区 `buf0`，就是输出本身。
# - 循环每次前进 16 个元素，`loadu` 一次装入 16 个 `float`：一个 AVX-512 向量的宽度。在只支持 AVX2 的 CPU 上是 8 个（输出下方折叠着那份代码），[下一节](../../inductor/#cpu-codegen)解释它从哪来。
#
# 按“每个内核读一遍输入、写一遍输出”粗算，每个元素的内存读写从 8 次降到 2 次。这种每个元素只做几次算术的运算，瓶颈正是内存带宽。
#
# ### GPU 上：Triton 内核
#
# 同一个函数放到 CUDA 张量上，Inductor 生成的是 Triton 内核：一个用 `@triton.jit` 装饰的 Python 函数，再由 Triton 编译成 GPU 机器码。这个脚本只能在 NVIDIA GPU 上运行。
#

# %% [markdown]
# > 下一格需要 NVIDIA GPU（CUDA）。在只有 CPU 的环境里它会报错，可以跳过。
#

# %% snippet="inductor/triton_code.py" tags=["requires-cuda"]
# 在 CUDA 上，Inductor 为同一串逐元素运算生成的是 Triton 内核，而不是 C++。
import re

import torch
from torch._inductor.utils import run_and_get_code


def f(x):
    return torch.relu(torch.sin(x) * 2 + 1)


torch.manual_seed(0)
x = torch.randn(1024, device="cuda")
out, (code,) = run_and_get_code(torch.compile(f), x)
torch.cuda.synchronize()
print("GPU:", torch.cuda.get_device_name())
print("结果与 eager 一致：", torch.allclose(out, f(x), atol=1e-6))

kernels = re.findall(r"^(\w+) = async_compile\.triton\(", code, re.M)
print(f"Inductor：{len(kernels)} 个内核：", ", ".join(kernels))

# 打印 Triton 内核本身：@triton.jit 装饰的 Python 函数，由 Triton 再编译成 GPU 机器码
source = re.search(r"@triton\.jit\n.*?(?=''')", code, re.S).group()
print("\n--- 生成的 Triton 内核 ---")
print(source.rstrip())


# %% [markdown]
# **这段代码需要 GPU，输出尚未捕获**
#
# 本站的输出在没有 GPU 的机器上捕获。这段代码只能在 NVIDIA GPU 上运行：CPU 上的测试会跳过它并说明原因，CI 的 CUDA 任务才会运行它。在 GPU 上真正运行并捕获输出之前，这里只给出代码——本站不展示没有真实运行过的结果。
#
# ## 训练时：AOTAutograd 把反向也变成图
#
# 前面的调用都在 `torch.no_grad()` 里。需要梯度时，AOTAutograd 还要多做一步，这也是它名字的来历（ahead-of-time autograd）。
#
# ### 联合图
#
# eager 模式下，反向传播由 autograd 在运行时一步步记录。`torch.compile` 不这样做：第一次调用时，AOTAutograd 用假张量把前向和反向一起追踪一遍，得到一张**联合图**（joint graph），再由**分区器**把它切成前向图和反向图，分别交给后端编译。
#
# 联合图很长，先用一个只有三步的函数看清楚：`sin(sin(x @ w)).sum()`。下面的后端只打印收到的图、不做优化；`partition_fn` 包了一层，在分区之前把联合图也打印出来。
#

# %% snippet="inductor/aot_autograd.py"
# AOTAutograd：第一次调用时把前向和反向一起追踪成一张联合图，再由分区器切成前向图和反向图。
# 这里的后端只打印收到的图、不做优化；分区器用 aot_autograd 的默认值 default_partition。
import torch
from functorch.compile import default_partition, make_boxed_func
from torch._dynamo.backends.common import aot_autograd


def f(x, w):
    return torch.sin(torch.sin(x @ w)).sum()


def show(title):
    def compiler(gm, example_inputs):
        print(f"--- {title} ---")
        print(gm.code.strip())
        return make_boxed_func(gm.forward)  # 照原样执行这张图

    return compiler


def print_joint_then(partition):
    # 分区器的输入就是联合图：先打印它，再交给真正的分区器
    def partition_fn(joint, joint_inputs, **kwargs):
        print("--- 联合图 ---")
        print(joint.code.strip())
        return partition(joint, joint_inputs, **kwargs)

    return partition_fn


backend = aot_autograd(
    fw_compiler=show("前向图"),
    bw_compiler=show("反向图"),
    partition_fn=print_joint_then(default_partition),
)

torch.manual_seed(0)
x = torch.randn(4, 8)
w = torch.randn(8, 3, requires_grad=True)
compiled = torch.compile(f, backend=backend)

print("== 第一次调用")
loss = compiled(x, w)  # 追踪联合图、分区，编译前向图
print("== 第一次 backward")
loss.backward()  # 反向图这时才交给后端编译
expected = torch.autograd.grad(f(x, w), w)[0]
print("梯度与 eager 一致：", torch.allclose(w.grad, expected))


# %% [markdown]
# 从输出里可以读出：
#
# - 联合图有两组输入：`primals`（前向的输入 `x`、`w`）和 `tangents`（从后面传回来的梯度，这里是损失的梯度 `tangents_1`）。前半段是前向（`mm`、`sin`、`sin_1`、`sum_1`）。后半段是 autograd 的求导公式展开成的运算：`sin` 的导数是 `cos`，所以出现了 `cos(sin)` 和 `cos(mm)`，最后 `t(x) @ mul_1` 得到 `w` 的梯度。
# - 图里全是 `torch.ops.aten.*`，而且没有原地修改：后端拿到的是纯函数式的 ATen 图。
# - 分区后，前向图除了损失 `sum_1`，还多返回了 `primals_1`、`mm`、`sin`：这是反向图要用、必须从前向保存下来的张量。反向图的参数正是它们加上 `tangents_1`。
# - 前向图在第一次调用时就编译了；反向图在第一次 `backward` 时才交给后端（`--- 反向图 ---` 出现在 `== 第一次 backward` 之后）。
# - 反向图返回 `(None, mm_1)`：`x` 不需要梯度，所以第一项是 `None`。
#
# ### 分区器：存下来，还是重新算
#
# 上面用的是 `aot_autograd` 的默认分区器 `default_partition`：它按源码里前向与反向的分界切开，前向算过、反向要用的中间结果统统保存。Inductor 用的不是它：它先对联合图做自己的图变换，再调用 `min_cut_rematerialization_partition`。这个分区器把“保存哪些张量”当作图上的最小割来求：便宜的逐元素运算宁可在反向里**重计算**（rematerialization），也不把结果存下来。
#
# 同一个函数、同一张联合图，换两种分区器，看前向保存了什么：
#

# %% snippet="inductor/partitioners.py"
# 同一张联合图，两种分区器：default_partition 保存前向的中间结果，
# min_cut_rematerialization_partition（Inductor 用的）少存一些，在反向里重新计算。
from unittest import mock

import torch
import torch._inductor.compile_fx
from functorch.compile import default_partition, make_boxed_func, min_cut_rematerialization_partition
from torch._dynamo.backends.common import aot_autograd


def f(x, w):
    return torch.sin(torch.sin(x @ w)).sum()


def saved_by(fw_graph):
    # 前向图的输出 = 损失 + 为反向保存的张量
    outputs = next(n for n in fw_graph.graph.nodes if n.op == "output").args[0]
    return ", ".join(f"{n.name}{list(n.meta['val'].shape)}" for n in outputs[1:])


def run(backend):
    torch._dynamo.reset()
    torch.manual_seed(0)
    x = torch.randn(4, 8)
    w = torch.randn(8, 3, requires_grad=True)
    torch.compile(f, backend=backend)(x, w).backward()


def nop(gm, example_inputs):
    return make_boxed_func(gm.forward)


captured = {}  # 分区器的名字 → 它切出的前向图和反向图，留着画图用

for partition in (default_partition, min_cut_rematerialization_partition):

    def fw_compiler(gm, example_inputs, name=partition.__name__):
        print(f"{name}：保存 {saved_by(gm)}")
        captured[name] = [gm]
        return make_boxed_func(gm.forward)

    def bw_compiler(gm, example_inputs, name=partition.__name__):
        captured[name].append(gm)
        if name.startswith("min_cut"):
            print("--- min_cut 分区得到的反向图 ---")
            print(gm.code.strip())
        return make_boxed_func(gm.forward)

    run(aot_autograd(fw_compiler=fw_compiler, bw_compiler=bw_compiler, partition_fn=partition))

# Inductor 自己用哪个分区器？把它调用的那个函数包一层，记下它被调用、切出的前向图保存了什么
torch._inductor.config.fx_graph_cache = False  # 命中缓存时不会重新分区
torch._functorch.config.enable_autograd_cache = False
real_min_cut = torch._inductor.compile_fx.min_cut_rematerialization_partition


def traced_min_cut(joint, joint_inputs, **kwargs):
    fw, bw = real_min_cut(joint, joint_inputs, **kwargs)
    print(f"Inductor 调用了 {real_min_cut.__name__}：保存 {saved_by(fw)}")
    return fw, bw


with mock.patch("torch._inductor.compile_fx.min_cut_rematerialization_partition", traced_min_cut):
    run("inductor")


# %% [markdown]
# 两种分区器切出的前向图和反向图，由脚本的运行直接画出。双边框的节点是前向保存、反向要用的张量，连着它在两张图里的位置。先看 `default_partition`：
#
# （这里在 [网页版](../../inductor/) 上有一张示意图。）
#
#
# 再看 `min_cut_rematerialization_partition`：保存的张量少了一个，反向图里多了一次 `sin`。
#
# （这里在 [网页版](../../inductor/) 上有一张示意图。）
#
#
# - `default_partition` 保存了三个张量：`x`（`primals_1`）、`mm` 和第一个 `sin` 的结果。
# - `min_cut_rematerialization_partition` 只保存 `mm` 和 `t`。`t` 是 `x` 的转置，只是一个视图，与 `x` 共用存储，所以真正省下的是 `sin[4, 3]`。代价是反向图第二行多了一次 `sin = torch.ops.aten.sin.default(mm)`：反向需要 `cos(sin(mm))`，它就从保存的 `mm` 重新算出 `sin`。
# - 最后一行来自 Inductor 自己：脚本把 Inductor 调用的分区函数包了一层，用默认的 `"inductor"` 后端编译同一个函数、做一次 `backward`。Inductor 确实调用了 `min_cut_rematerialization_partition`，保存的也是 `mm` 和 `x` 的转置（Inductor 的分解把 `t` 写成了 `permute`）。
#
# 所以，用打印图的后端（`aot_autograd(...)` 的默认设置）看到的前向、反向两张图，和 Inductor 实际拿到的并不一样：两者差在保存什么、反向里重算什么。这个取舍在训练大模型时很重要。前向保存的张量（激活值）要一直占着内存，等反向用完才释放；被重算的逐元素运算则会在反向里和别的运算融合进同一个内核（[上文](../../inductor/#scheduler)），多算的那一点几乎不额外读写内存。
#
# **源码在哪里**
#
# - `default_partition` 是 `torch/_functorch/aot_autograd.py` 里 `partition_fn` 参数的默认值（第 716 行等处）。
# - Inductor 的分区函数是 `torch/_inductor/compile_fx.py` 第 2674 行的 `partition_fn`，它在第 2714 行调用 `min_cut_rematerialization_partition`。
#
#
# ## CPU 上生成的代码
#
# ### 向量宽度与 OpenMP
#
# CPU 上的内核有两层并行：一个线程内用 SIMD 指令一次处理多个元素（**向量化**），多个线程之间用 OpenMP 分摊外层循环。
#
# Inductor 在编译时为这台机器选指令集；是否加上 `#pragma omp parallel` 则取决于循环有多长：“每个线程分到的元素数”小于 `config.cpp.min_chunk_size` 时不并行，只有 1 个线程时也不并行。线程数在编译时取 `torch.get_num_threads()`（除非设置了 `config.cpp.threads`）。
#

# %% snippet="inductor/cpu_codegen.py"
# CPU 上生成的 C++：循环什么时候用 OpenMP 分给多个线程，一次处理几个 float。
import re

import torch
from torch._inductor import config
from torch._inductor.cpu_vec_isa import pick_vec_isa
from torch._inductor.utils import run_and_get_code


def f(x):
    return torch.relu(torch.sin(x) * 2 + 1)


isa = pick_vec_isa()  # Inductor 为这台机器选的指令集
print(f"PyTorch 检测到的 CPU 能力：{torch.backends.cpu.get_cpu_capability()}")
if isa:
    print(f"Inductor 选的向量指令集：{isa}，一个向量 {isa.bit_width()} 位 = {isa.nelements(torch.float32)} 个 float")
else:  # 例如 ATEN_CPU_CAPABILITY=default：生成逐个元素计算的标量循环
    print("Inductor 没有可用的向量指令集，生成标量循环")

print(f"\ncpp.min_chunk_size = {config.cpp.min_chunk_size}")
for threads, n in ((2, 256), (2, 1024), (1, 1024)):
    torch.set_num_threads(threads)  # 编译时的线程数决定生成的代码
    torch._dynamo.reset()
    _, (code,) = run_and_get_code(torch.compile(f), torch.randn(n))
    cpp = code.split("r'''", 1)[1].split("'''", 1)[0]
    parallel = "#pragma omp parallel" in cpp
    step = re.search(r"x0\+=static_cast<int64_t>\((\d+)L\)", cpp).group(1)
    print(
        f"{threads} 个线程，{n:>4} 个元素：每线程 {n // threads:>4} 个，"
        f"{'有' if parallel else '没有'} #pragma omp parallel，循环步长 {step}"
    )


# %% [markdown]
# - 这台机器上 PyTorch 检测到 AVX512，Inductor 选了 `avx512 avx512_vnni`，一个向量 512 位，装 16 个 `float`，所以循环步长是 16。在只支持 AVX2 的 CPU 上，一个向量 256 位，步长是 8（输出下方的对照）；ARM 的 NEON 是 128 位、4 个。
# - 在支持 AVX-512 的机器上设环境变量 `ATEN_CPU_CAPABILITY=avx2`，PyTorch 和 Inductor 就都按 AVX2 处理，本站正是这样在同一台机器上捕获两种输出的；设成 `default` 则不用向量指令，生成逐个元素的标量循环。
# - `cpp.min_chunk_size` 默认是 512。2 个线程、256 个元素时每线程只分到 128 个，不够一块，生成的是串行循环；1024 个元素时每线程 512 个，刚好够，循环外面加上了 `#pragma omp parallel`。同样 1024 个元素，只用 1 个线程编译时就没有并行。
#
# 所以本章前面那些 4×16、4×64 的小张量，生成的都是单线程的循环。只有数据量足够大，多线程省下的时间才抵得过线程同步的开销。
#
# **源码在哪里**
#
# 是否并行由 `torch/_inductor/codegen/cpp.py` 的 `decide_parallel_depth` 决定（第 2751、5071 行两处）。
#
#
# ### freezing：把权重当常量
#
# [第 4 章的首次调用实验](../../compile/#first-call)里，小 MLP 编译前后的耗时相差不大。推理时可以打开 `torch._inductor.config.freezing`：打开它，等于向 Inductor 保证参数以后不再改变。Inductor 于是把权重当作常量编译，能做更多事，比如把常量折叠掉、提前把权重重排成矩阵乘库需要的格式。下面用的正是第 4 章那个 MLP，比较冻结与不冻结时生成的代码和耗时。
#

# %% snippet="inductor/freezing.py"
# freezing=True：推理时把权重当作常量编译。Inductor 可以提前把权重重排成 MKL 需要的格式，
# 把偏置加法和 GELU 合进一个内核。在第 4 章 first_call.py 的小 MLP 上比较生成的代码和耗时。
import re

import torch
from torch import nn
from torch._inductor import config
from torch._inductor.utils import run_and_get_code
from torch.utils import benchmark

torch.manual_seed(0)
# 编译和计时用同样的 1 个线程：线程数是 guard 的一部分（第 4 章），不同就会在计时时重新编译
torch.set_num_threads(1)
mlp = nn.Sequential(nn.Linear(256, 1024), nn.GELU(), nn.Linear(1024, 256)).eval()
x = torch.randn(64, 256)
flops = 2 * 64 * (256 * 1024 + 1024 * 256)  # 两个矩阵乘，每次乘加算 2 次浮点运算


def median_us(fn):
    # 1 个线程，blocked_autorange 先预热，再反复运行至少 0.3 秒，取中位数
    timer = benchmark.Timer("fn(x)", globals={"fn": fn, "x": x}, num_threads=1)
    return timer.blocked_autorange(min_run_time=0.3).median * 1e6


with torch.no_grad():
    eager_us = median_us(mlp)
    print(f"eager：每次调用 {eager_us:.0f} µs，{flops / eager_us / 1e3:.1f} GFLOP/s")
    for freezing in (False, True):
        torch._dynamo.reset()
        with config.patch(freezing=freezing):
            compiled = torch.compile(mlp)
            out, (code,) = run_and_get_code(compiled, x)
        call = code[code.index("def call(") :].split("\n\n")[0]
        inputs = re.search(r"^\s+(.*?),? = args$", call, re.M).group(1)
        steps = [l.strip() for l in call.splitlines() if re.match(r"\s+(buf\d+ = torch\.ops|cpp_fused_|extern_kernels)", l)]
        with torch.compiler.set_stance("fail_on_recompile"):  # 计时期间一旦重新编译就报错
            us = median_us(compiled)
        print(f"\nfreezing={freezing}：结果与 eager 一致 {torch.allclose(out, mlp(x), atol=1e-5)}")
        print(f"  call() 的输入：{inputs}")
        print("  依次调用：")
        print("\n".join(f"    {step}" for step in steps))
        print(f"  每次调用 {us:.0f} µs，{flops / us / 1e3:.1f} GFLOP/s")

print("\n_mkl_linear 的签名：", torch.ops.mkl._mkl_linear.default._schema)


# %% [markdown]
# - 不冻结时，`call()` 有 5 个输入：4 个参数加上 `x`；两个线性层调用 `extern_kernels.addmm`（它顺带加上偏置），中间是 GELU 的融合内核。
# - 冻结后，`call()` 只剩 `x` 一个输入，权重成了编译进模块的常量 `_frozen_param*`。矩阵乘改由 `torch.ops.mkl._mkl_linear` 完成：按输出最后一行的签名，第二个参数 `MKL_W` 是为 MKL 重排过的权重，它在编译时就算好了。
# - 偏置参数 `B` 传的是 `None`：偏置加法移进了紧随其后的融合内核。第一个线性层的偏置和 GELU 一起在 `cpp_fused_addmm_gelu_0` 里完成（`buf1` 就是 `buf0`，缓冲区复用）。
# - 三个耗时的量级相同。两个矩阵乘每次共 67M 次浮点运算，三者的 GFLOP/s 相近，说明时间几乎全花在矩阵乘上。freezing 改变的是矩阵乘之外的部分，而在这个尺寸下那部分本来就很小。这就是第 4 章里小 MLP 编译前后差不多的原因：以矩阵乘为主的模型，编译能优化的只是很小的一部分。
#
# **测法**
#
# 和第 4 章一样，编译和计时都只用 1 个线程：线程数是 guard 的一部分，计时时线程数不同就会重新编译。计时用 `torch.utils.benchmark.Timer.blocked_autorange`，每种至少运行 0.3 秒；计时期间用 `set_stance("fail_on_recompile")` 禁止重新编译。
#
#
# ### max-autotune：C++ GEMM 模板
#
# 想让矩阵乘本身也由 Inductor 生成，要用 `mode="max-autotune"`。在 CPU 上，Inductor 为矩阵乘准备了 C++ GEMM 模板（`CppMicroGemm` 系列），但模板默认只在权重是常量时才用，所以要和 freezing 一起打开。**自动调优**（autotuning）会把每个候选实现真的运行一遍，留下最快的。
#

# %% snippet="inductor/max_autotune.py"
# CPU 上的 max-autotune：冻结权重之后，Inductor 为每个 Linear 生成 C++ GEMM 模板，
# 与 MKL 的实现实际测一遍，留下更快的；选中模板时，偏置与 GELU 直接融合进 GEMM 内核。
import contextlib
import io
import re

import torch
from torch import nn
from torch._inductor import config
from torch._inductor.utils import run_and_get_code

torch.manual_seed(0)
# 只用 1 个线程：多线程的 GEMM 在一台忙碌的 2 核机器上会被别的进程打断，
# 实测耗时能差出几十倍，调优就会按噪声做选择
torch.set_num_threads(1)
# 第 4 章 first_call.py 里的小 MLP
mlp = nn.Sequential(nn.Linear(256, 1024), nn.GELU(), nn.Linear(1024, 256)).eval()
x = torch.randn(64, 256)
config.fx_graph_cache = False  # 命中 FX 图缓存时不会重新调优
config.autotune_local_cache = False  # 调优结果也会缓存在磁盘上；关掉它，每次都真的测一遍

print(f"max_autotune_gemm_backends 的默认值：{config.max_autotune_gemm_backends}")
report = io.StringIO()
with torch.no_grad(), config.patch(freezing=True), contextlib.redirect_stderr(report):
    out = torch.compile(mlp, mode="max-autotune")(x)
print("结果与 eager 一致：", torch.allclose(out, mlp(x), atol=1e-4))
# Inductor 把调优报告写到 stderr：每个 GEMM 一段，列出每个候选实现的实测耗时
for block in re.findall(r"AUTOTUNE (\w+)\((\S+),.*?\)\n(.*?)(?=\nSingleProcess)", report.getvalue(), re.S):
    op, shape, rows = block
    timings = dict(re.findall(r"^\s+(\S+) ([\d.]+) ms", rows, re.M))
    listed = "，".join(f"{name} {ms} ms" for name, ms in sorted(timings.items()))
    print(f"{op}（输入 {shape}）：{listed}；选中 {min(timings, key=lambda n: float(timings[n]))}")

torch._dynamo.reset()
with torch.no_grad(), config.patch(freezing=True, max_autotune_gemm_backends="CPP"):
    out, (code,) = run_and_get_code(torch.compile(mlp, mode="max-autotune"), x)
print("\n只用 C++ 模板，结果与 eager 一致：", torch.allclose(out, mlp(x), atol=1e-4))
call = code[code.index("def call(") :].split("\n\n")[0]
print("\n".join("    " + l.strip() for l in call.splitlines() if re.match(r"\s+(cpp_fused_|return)", l)))
# 每个内核先做矩阵乘（micro_gemm），再在写出结果之前做 epilogue：看 epilogue 里有没有偏置加法和 GELU 的 erf
for name, source in re.findall(r"^(cpp_fused_\w+) = async_compile\.cpp_pybinding\(.*?r'''(.*?)'''", code, re.S | re.M):
    epilogue = [l for l in source.splitlines() if re.search(r"auto tmp\d+ = ", l)]
    has = {"micro_gemm": "micro_gemm" in source, "偏置加法": any(" + tmp" in l for l in epilogue),
           "erf": any(".erf()" in l for l in epilogue)}
    print(f"内核 {name}：" + "，".join(f"{k} {'有' if v else '无'}" for k, v in has.items()))


# %% [markdown]
# - `max_autotune_gemm_backends` 默认是 `ATEN,TRITON,CPP`。CPU 上没有 Triton，所以每个线性层有两个候选：MKL 的 `_mkl_linear` 和 C++ 模板 `cpp_CppMicroGemmFP32Vec_*`。Inductor 打印出每个候选的实测耗时，选中最快的那个。
# - 在这台机器、这个尺寸上，MKL 快了一倍左右，两个线性层都选了它。Inductor 自己生成的矩阵乘不一定更快：自动调优的意义正在于按实测来选，而不是默认相信哪一方。
# - 只留下 C++ 模板（`max_autotune_gemm_backends="CPP"`）时，`call()` 里只剩两个内核。每个都先做矩阵乘（内核里有 `micro_gemm`），再在写出结果前做后续的逐元素运算：第一个内核里是偏置加法和 GELU 的 `erf`，第二个只有偏置加法。
# - 这就是 **epilogue 融合**：模板是 Inductor 自己生成的代码，调度器可以把矩阵乘后面的逐元素运算并进去，外部内核 `addmm` 做不到。顺带一提，第二个内核的名字里也有 `gelu`，但它的 epilogue 里没有 `erf`：内核名只是个提示，要以代码为准。
# - 自动调优要编译、运行每个候选，编译时间明显变长；调优结果会缓存在磁盘上（`config.autotune_local_cache`），所以脚本为了每次都真的测一遍把它关掉了。
#
# **测法**
#
# Inductor 在 CPU 上为每个候选先运行约 20 毫秒预热，再反复运行约 100 毫秒，取中位数（`torch/_inductor/runtime/benchmarking.py` 的 `benchmark_cpu`）。脚本把线程数设成 1：在这台同时运行别的任务的 2 核机器上，两个线程的 GEMM 一旦被打断，测出的耗时能差出几十倍，调优就会按噪声做选择。
#
#
# **源码在哪里**
#
# 模板的使用条件在 `torch/_inductor/utils.py` 第 3438 行的 `use_cpp_gemm_template`：默认 `require_constant_mat2=True`，要求第二个矩阵是模块的常量缓冲区（`is_module_buffer()`），不冻结时权重是图的输入，条件不成立。
#
#
# ### cpp_wrapper：包装代码也用 C++
#
# 前面看到的 `call()` 是 Python 函数：每次调用都要在 Python 里分配缓冲区、依次调用内核。`cpp_wrapper` 把这一层也生成成 C++，编译进一个共享库，AOTInductor（[第 6 章](../../deploy/#aotinductor)）用的也是这种包装代码。下面把同一个模型编译两个版本：一个用默认的 Python 包装，一个在 `options` 里打开 `cpp_wrapper`。
#

# %% snippet="inductor/cpp_wrapper.py"
# cpp_wrapper=True：调用各个内核的包装代码也生成成 C++（默认是 Python 的 call()），
# 每次调用少走一些 Python；代价是编译时要多编一个包含 libtorch 头文件的 C++ 文件。
import re
from unittest import mock

import torch
import torch.nn.functional as F
from torch import nn
from torch._dynamo.eval_frame import _debug_get_cache_entry_list
from torch._inductor import config
from torch._inductor.graph import GraphLowering
from torch.utils import benchmark


class Block(nn.Module):
    """本章的例子：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


torch.manual_seed(0)
# 编译和计时用同样的 1 个线程：线程数是 guard 的一部分（第 4 章），不同就会在计时时重新编译
torch.set_num_threads(1)
model = Block().eval()
x = torch.randn(4, 16)
config.fx_graph_cache = False  # 每次都真的生成代码


def compile_and_get_code(fn, x):
    # 与 torch._inductor.utils.run_and_get_code 相同：收集这次调用里 Inductor 新生成的代码。
    # 只是不先调用 torch._dynamo.reset()，另一个版本的编译结果要留着
    codes = []
    with mock.patch.object(GraphLowering, "save_output_code", codes.append):
        out = fn(x)
    return out, codes


# 两个编译版本各自编译一次。cpp_wrapper 写进 torch.compile 的 options，
# 它就成了这个版本的编译配置：两个版本的配置不同，Dynamo 不会把一个版本的编译结果拿给另一个用
with torch.no_grad():
    python_wrapped = torch.compile(model)
    cpp_wrapped = torch.compile(model, options={"cpp_wrapper": True})
    # 每次调用都解包出恰好一份新生成的代码，说明两个版本都真的编译了
    out_py, (py_code,) = compile_and_get_code(python_wrapped, x)
    out_cpp, (cpp_code,) = compile_and_get_code(cpp_wrapped, x)
print("两个版本的结果都与 eager 一致：", all(torch.allclose(o, model(x), atol=1e-6) for o in (out_py, out_cpp)))
print("Python 包装的入口：", re.search(r"def call\(.*?\):", py_code).group())
print("C++ 包装的第一个 #include：", re.search(r"#include <.*?>", cpp_code).group())

# 包装函数现在是 C++：同样先分配缓冲区，再依次调用融合内核和 addmm
entry = cpp_code[cpp_code.index("void inductor_entry_impl(") :]
print("--- inductor_entry_impl（节选）---")
for line in entry.splitlines()[:80]:
    line = line.strip()
    if re.match(r"(cpp_fused_\w+\(|aoti_torch_cpu_addmm_out\(|AOTI_TORCH_ERROR_CODE_CHECK\(aoti_torch_cpu_addmm)", line):
        print("    " + line[:110] + (" …" if len(line) > 110 else ""))
# 但调用它的仍是一小段 Python：把输入张量换成 C 接口的句柄，调用 C++，再把输出句柄换回张量
print("--- Python 这一侧的 call（节选）---")
for line in cpp_code[cpp_code.index("def _wrap_func(") :].splitlines():
    if re.search(r"def g\(|unsafe_alloc_void_ptrs_from_tensors|= f\(|alloc_tensors_by_stealing|^call = ", line):
        print("    " + line.strip())

# Block.forward 上挂着两个缓存条目，各属于一个编译版本：计时时各用各的
entries = _debug_get_cache_entry_list(Block.forward)
print(f"\nBlock.forward 的缓存条目：{len(entries)} 个，编译配置分别是", "、".join(str(e.backend.config) for e in entries))
candidates = {"eager": model, "Python 包装": python_wrapped, "C++ 包装": cpp_wrapped}
best = dict.fromkeys(candidates, float("inf"))
with torch.no_grad(), torch.compiler.set_stance("fail_on_recompile"):  # 计时期间一旦重新编译就报错
    for _ in range(3):  # 三者轮流测 3 轮，每个取最好的一轮：机器忙时偶尔的干扰不会只落在某一个身上
        for name, fn in candidates.items():
            timer = benchmark.Timer("fn(x)", globals={"fn": fn, "x": x}, num_threads=1)
            best[name] = min(best[name], timer.blocked_autorange(min_run_time=0.3).median)
for name, seconds in best.items():
    print(f"{name}：每次调用 {seconds * 1e6:.1f} µs")


# %% [markdown]
# - 两个版本都真的编译了一次：Python 包装的入口是 `def call(self, args)`，C++ 包装的代码以 `#include <torch/csrc/inductor/cpp_wrapper/cpu.h>` 开头，入口是 C++ 函数 `inductor_entry_impl`。同样的三个融合内核直接以 C++ 函数调用，矩阵乘改为调用 C 接口 `aoti_torch_cpu_addmm_out`。
# - C++ 包装前面仍有一小段 Python：它把输入张量换成 C 接口的句柄（`unsafe_alloc_void_ptrs_from_tensors`），调用 C++，再把输出句柄换回张量。这个文件还要包含 libtorch 的头文件，编译它比编译内核慢得多；结果同样缓存在磁盘上。
# - `Block.forward` 上挂着两个缓存条目，配置分别是 `{'cpp_wrapper': True}` 和 `{}`，计时时各用各的（计时期间禁止重新编译）。
# - 在这个小例子上，C++ 包装并没有更快，这份输出里反而慢了几微秒：`call()` 本来只有十几行 Python，省下的不多，进出 C++ 时的句柄转换又添了一点。每次调用里还有 Dynamo 检查 guard、AOTAutograd 在图外的运行时包装（[第 4 章 profiler 里的那几层](../../compile/#layers)），这些仍在 Python 里执行，换成 C++ 包装也省不掉。
#
# **测法**
#
# 只用 1 个线程编译和计时。三者（eager、Python 包装、C++ 包装）轮流各测 3 轮，每轮用 `blocked_autorange` 至少运行 0.3 秒取中位数，每个取 3 轮里最好的一轮，这样机器忙时偶尔的干扰不会只落在其中一个身上。
#
#
# **为什么两个版本要分开编译**
#
# `cpp_wrapper` 必须写进各自的 `torch.compile(..., options=...)`。如果用全局的 `config.patch(cpp_wrapper=True)` 编译一个版本，再 `torch._dynamo.reset()` 之后用默认设置编译另一个，两个 `torch.compile` 包装对象的配置都是空的，彼此相等。
#
# Dynamo 按 `==` 比较缓存条目的后端（`torch/__init__.py` 第 2884 行的 `_TorchCompileInductorWrapper.__eq__` 只比较 `config`、`dynamic` 和名字），于是两个版本会共用同一个缓存条目，测出的是同一份代码。
#
# 另外，`run_and_get_code` 开头会调用 `torch._dynamo.reset()`，清掉另一个版本的缓存条目，所以脚本自己写了一个不清缓存的版本来收集代码。
#
#
# ## 编译模式：`mode` 参数
#
# `torch.compile(model, mode=...)` 用不同的编译时间和内存，换不同的运行时间。每种模式其实只是一组 Inductor 配置，`torch._inductor.list_mode_options()` 列出了每种改了什么：
#

# %% snippet="inductor/mode_options.py"
# torch.compile 的每种 mode 只是一组 Inductor 配置；list_mode_options() 列出每种改了什么。
# 再在 CPU 上看 mode="lite"：默认不生成任何内核，每个算子都退回 ATen 的实现。
import re

import torch
import torch.nn.functional as F
from torch import nn
from torch._inductor.utils import run_and_get_code

for mode, options in torch._inductor.list_mode_options().items():
    changed = ", ".join(f"{key}={value}" for key, value in options.items()) or "（不改任何配置）"
    print(f"{mode} 模式：{changed}")


class Block(nn.Module):
    """本章的例子：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


torch.manual_seed(0)
model = Block().eval()
x = torch.randn(4, 16)
with torch.no_grad():
    out, (code,) = run_and_get_code(torch.compile(model, mode="lite"), x)
print("\nmode=\"lite\"：结果与 eager 一致", torch.allclose(out, model(x), atol=1e-6))
print("生成的 C++ 内核：", len(re.findall(r"^cpp_fused_\w+ = ", code, re.M)), "个")
call = code[code.index("def call(") :].split("\n\n")[0]
print("call() 依次调用：", " → ".join(re.findall(r"= (torch\.ops\.aten\.\w+)\.", call)))


# %% [markdown]
# | 模式 | 做了什么 | 代价 | 适合 |
# | --- | --- | --- | --- |
# | `default` | 融合、生成内核；矩阵乘调用现成的库 | 编译时间较短 | 大多数情况 |
# | `lite` | 默认不生成内核：每个算子都退回 ATen 的实现，只有用户标注过的区域才交给 Inductor；关掉图变换、死代码消除和缓冲区复用 | 几乎得不到加速 | 要求数值与 eager 完全一致、只想让少数标注区域被编译的场合 |
# | `reduce-overhead` | 在 `default` 的基础上用 CUDA Graphs：把整张图的内核启动录制一次，之后一次性重放 | 额外占显存；输出会被下一次调用覆盖；形状变化要重新录制 | 小 batch、内核很短、时间花在启动开销上的 GPU 推理 |
# | `max-autotune` | 为矩阵乘等运算实际测试多种模板和配置（GPU 上是 Triton，CPU 上是[上面的 C++ 模板](../../inductor/#max-autotune)），挑最快的；打开坐标下降调优（`coordinate_descent_tuning`），在 GPU 上再逐个微调生成的内核的分块参数；同样启用 CUDA Graphs | 编译时间长得多 | 会长期运行、值得花时间调优的模型 |
# | `max-autotune-no-cudagraphs` | 同 `max-autotune`，但不用 CUDA Graphs | 同上 | 不想让 CUDA Graphs 占显存、或输入形状常变时 |
#
# `mode="lite"` 在 CPU 上也能看清：同一个块编译后，生成的 C++ 内核是 0 个，`call()` 依次调用 `native_layer_norm`、`addmm`、`gelu`、`add` 这些 ATen 算子，连 `layer_norm` 都没有分解（`selective_decompose`）。CUDA Graphs 只在 GPU 上有意义，下面的对比只能在 GPU 上运行：它测量每种模式的首次调用时间和稳定后每次调用的中位数，并检查结果与 eager 一致。
#

# %% [markdown]
# > 下一格需要 NVIDIA GPU（CUDA）。在只有 CPU 的环境里它会报错，可以跳过。
#

# %% snippet="inductor/modes.py" tags=["requires-cuda"]
# torch.compile 的三种 mode 在 GPU 上的取舍：编译时间 vs 每次调用的时间。
import time

import torch
from torch import nn
from torch.utils import benchmark

torch.manual_seed(0)
device = "cuda"
# batch 很小：每次调用的时间主要花在启动内核上，reduce-overhead 正是为此而生
model = nn.Sequential(nn.Linear(1024, 1024), nn.GELU(), nn.Linear(1024, 1024), nn.LayerNorm(1024)).to(device).eval()
x = torch.randn(8, 1024, device=device)


def median_us(fn):
    # Timer 在 CUDA 上会先同步再计时；blocked_autorange 先预热，再取多次运行的中位数
    return benchmark.Timer("fn(x)", globals={"fn": fn, "x": x}).blocked_autorange(min_run_time=0.5).median * 1e6


print("GPU:", torch.cuda.get_device_name(), " PyTorch", torch.__version__)
with torch.no_grad():
    expected = model(x)
    eager_us = median_us(model)
    print(f"{'eager':<16} 编译      -    每次调用 {eager_us:8.1f} µs")
    for mode in ("default", "reduce-overhead", "max-autotune"):
        torch._dynamo.reset()
        compiled = torch.compile(model, mode=mode)
        t0 = time.perf_counter()
        out = compiled(x).clone()  # clone：CUDA graph 的输出会被下一次重放覆盖
        torch.cuda.synchronize()
        first = time.perf_counter() - t0
        for _ in range(3):  # reduce-overhead 在最初几次调用中录制 CUDA graph
            compiled(x)
        us = median_us(compiled)
        same = torch.allclose(out, expected, atol=1e-3, rtol=1e-3)
        print(f"{mode:<16} 编译 {first:6.1f} s  每次调用 {us:8.1f} µs  加速 {eager_us / us:5.2f}x  结果一致 {same}")


# %% [markdown]
# **这段代码需要 GPU，输出尚未捕获**
#
# 本站的输出在没有 GPU 的机器上捕获。这段代码只能在 NVIDIA GPU 上运行：CPU 上的测试会跳过它并说明原因，CI 的 CUDA 任务才会运行它。在 GPU 上真正运行并捕获输出之前，这里只给出代码——本站不展示没有真实运行过的结果。
#
# **源码在哪里**
#
# - 各模式的配置在 `torch/_inductor/__init__.py` 第 368 行的 `list_mode_options`，`lite` 的那一组是第 349 行的 `lite_mode_options`。
# - `fallback_by_default` 的说明见 `torch/_inductor/config.py` 第 785 行起的注释：除了用户用 regional inductor 标注的节点，其余都退回 ATen。
# - `coordinate_descent_tuning` 调的是 Triton 内核的启动配置（分块大小等）：见 `torch/_inductor/runtime/triton_heuristics.py` 第 2332 行的 `CachingAutotuner.coordinate_descent_tuning`。CPU 上的 C++ 内核不经过它。
#
#
# ## 编译时间
#
# ### 冷启动的时间花在哪里：磁盘缓存与 mega-cache
#
# 编译结果在三个层次上缓存到磁盘（默认在 `/tmp/torchinductor_<用户名>`，环境变量 `TORCHINDUCTOR_CACHE_DIR` 可以改）：
#
# - AOTAutograd 缓存：存 AOTAutograd 的结果。
# - FX 图缓存：按图和配置存 Inductor 生成的整个模块（Python 包装代码和内核的源码）。
# - 内核的 `.so`：每个 C++ 内核编译出的共享库，按源码的哈希存放。
#
# `torch.compiler.save_cache_artifacts()` 把这个进程产生的缓存条目打包成一串字节（mega-cache），另一台机器上用 `load_cache_artifacts` 装回去。下面的脚本每个进程用一个空的缓存目录，并把自己作为“另一台机器”再启动一次。每次编译还打印出各阶段的耗时。
#

# %% [markdown]
# > 它要作为独立的脚本运行（在 `import torch` 之前设置环境变量，或者用自己的文件名再启动一次自己），所以把下面的脚本写成文件 `caches.py`，在一个新的 Python 进程里运行。
#

# %% snippet="inductor/caches.py"
# %%writefile caches.py
# 编译缓存：冷启动与热启动，以及用 mega-cache 把缓存带到一个全新的进程。
# 用法：python caches.py（脚本会以 python caches.py block.cache 的方式再启动自己一次，当作“另一台机器”）
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# 每个进程一个空的缓存目录：第一次编译是真正的冷启动（默认目录是 /tmp/torchinductor_<用户名>）
os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="inductor-")

import torch
import torch.nn.functional as F
from torch import nn
from torch._dynamo.utils import calculate_time_spent, counters
from torch._inductor.cpu_vec_isa import pick_vec_isa


class Block(nn.Module):
    """本章的例子：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


torch.manual_seed(0)
model = Block().eval()
x = torch.randn(4, 16)


def compile_and_run(label):
    torch._dynamo.reset()  # 清掉进程里的编译结果（也清零了编译耗时的统计），磁盘上的缓存还在
    counters.clear()
    start = time.perf_counter()
    # Inductor 第一次为 CPU 生成代码时要探测向量指令集：用每种候选指令集编译、加载一个小 C++ 程序。
    # 结果在进程里缓存，编出的 .so 存进缓存目录。这里先单独调用它，好把这部分时间分出来
    pick_vec_isa()
    probe = time.perf_counter() - start
    with torch.no_grad():
        torch.compile(model)(x)
    seconds = time.perf_counter() - start
    fx = "命中" if counters["inductor"]["fxgraph_cache_hit"] else "未命中"
    aot = "命中" if counters["aot_autograd"]["autograd_cache_hit"] else "未命中"
    print(f"{label}：{seconds:.2f} s，FX 图缓存{fx}，AOTAutograd 缓存{aot}")
    # 编译各阶段的耗时：dynamo_timed 记下的区间互相嵌套，相减得到各自独占的部分
    t = calculate_time_spent()
    frame, backend = t.get("entire_frame_compile", 0), t.get("backend_compile", 0)
    wait = t.get("async_compile.wait", 0)  # 等 C++ 编译器把内核编成 .so
    parts = {
        "探测指令集": probe,
        "Dynamo": frame - backend,
        "AOTAutograd 与 Inductor": backend - wait,
        "编译内核": wait,
    }
    parts["其他"] = seconds - sum(parts.values())  # 第一次调用 torch.compile 时的导入、启动编译进程池等
    print("    " + "，".join(f"{k} {v:.2f} s" for k, v in parts.items()))


if len(sys.argv) > 1:  # “另一台机器”：空的缓存目录，先装入 mega-cache 再编译
    info = torch.compiler.load_cache_artifacts(Path(sys.argv[1]).read_bytes())
    print(f"新进程装入：{dict(info.artifacts)}".replace("'", ""))
    compile_and_run("新进程（mega-cache）")
    built = list(Path(os.environ["TORCHINDUCTOR_CACHE_DIR"]).rglob("*.so"))
    print(f"新进程仍然调用编译器生成了 {len(built)} 个 .so")
    sys.exit()

compile_and_run("冷启动")
compile_and_run("热启动")

artifacts, info = torch.compiler.save_cache_artifacts()  # 这个进程产生的全部缓存条目，序列化成 bytes
Path("block.cache").write_bytes(artifacts)
print(f"mega-cache：{len(artifacts) // 1024} KiB，{ {kind: len(keys) for kind, keys in info.artifacts.items()} }")
subprocess.run([sys.executable, __file__, "block.cache"], check=True)


# %% snippet="inductor/caches.py" runs="caches.py"
import subprocess, sys
print(subprocess.run([sys.executable, 'caches.py'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout, end="")


# %% [markdown]
# - 冷启动时两层缓存都未命中，每一步都要做。耗时最多的是**探测指令集**：Inductor 第一次为 CPU 生成代码时，要用每种候选指令集编译并加载一个小 C++ 程序，看这台机器支持哪些。其次是**编译内核**，即等 `g++` 把本例的 3 个内核编成 `.so`。Dynamo、AOTAutograd 和 Inductor 自己的工作加起来只有一两秒。
# - `torch._dynamo.reset()` 之后再编译（热启动），AOTAutograd 缓存和 FX 图缓存都命中，探测的结果在进程里已经有了，编译几乎是瞬间的。
# - mega-cache 里有两项：一个 `inductor` 条目（FX 图缓存）和一个 `aot_autograd` 条目。新进程装入它们之后，两层缓存都命中，不再重新追踪和生成代码，“AOTAutograd 与 Inductor”一项只剩装入缓存的时间。
#
# 但新进程的总耗时与冷启动相近：它照样要探测指令集、照样要编译 3 个内核。FX 图缓存里存的是生成的源码，不是编译好的 `.so`；探测程序的 `.so` 存在缓存目录里，而新进程的缓存目录是空的。输出的最后一行数的就是这些 `.so`。所以在这台机器上，冷启动的大部分时间花在 C++ 编译器上，其中最大的一块是每个缓存目录只做一次的指令集探测；mega-cache 省不下这部分。
#
# **测法**
#
# - 每个进程在导入 torch 之前把 `TORCHINDUCTOR_CACHE_DIR` 设成一个新建的空目录；“新进程”是脚本用 `subprocess` 再启动的自己。
# - “探测指令集”是先单独调用一次 `torch._inductor.cpu_vec_isa.pick_vec_isa()` 的耗时：它的结果在进程里缓存，之后编译时不再重复。
# - 其余几项来自 `torch._dynamo.utils.calculate_time_spent()`：Dynamo ＝ `entire_frame_compile` − `backend_compile`；AOTAutograd 与 Inductor ＝ `backend_compile` − `async_compile.wait`；编译内核 ＝ `async_compile.wait`（等编译进程池把内核编完）。`torch._dynamo.reset()` 会把这些统计清零。
# - “其他”是总耗时减去以上各项，包括第一次调用 `torch.compile` 时的准备工作。
#
#
# **源码在哪里**
#
# 指令集探测在 `torch/_inductor/cpu_vec_isa.py`：`valid_vec_isa_list`（第 620 行）对每种候选调用 `check_build`（第 177 行），编译一个小程序、再起一个子进程 `dlopen` 它，编出的 `.so` 和成功标记存进缓存目录。
#
#
# ### 区域编译与 nested_compile_region
#
# 大模型往往是同一个块重复几十次。`torch.compile(model)` 会把整个模型捕获成一张图，追踪、分解、lowering、调度的工作量都随块数增长。有两种办法让重复的块只编译一次：
#
# - **区域编译**（regional compilation）：只编译重复的那个块，对每个块调用 `block.compile()`。各块的参数在 Dynamo 看来只是图的输入，于是所有块共用一份编译结果；整个模型仍由 Python 逐块调用。
# - **`torch.compiler.nested_compile_region`**：仍然编译整个模型，但把块的 `forward` 标成一个嵌套的编译区域。Dynamo 第一次遇到它时追踪、编译，之后每个块都复用这份代码（分层编译，hierarchical compilation）。
#
# 下面把本章的例子堆成 2 个和 8 个块，三种做法各编译一次：
#

# %% snippet="inductor/regional.py"
# 区域编译：模型由 n 个相同的块堆成时，只编译块（每个实例 .compile()），而不是整个模型。
# 还有第三种做法：仍然编译整个模型，但用 torch.compiler.nested_compile_region 标出重复的块，
# 块只追踪、编译一次，整张图里各块调用同一份代码。比较三种做法生成的代码和编译耗时。
import re
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch._dynamo.utils import counters
from torch._inductor import config
from torch._inductor.utils import run_and_get_code


class Block(nn.Module):
    """本章的例子：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


class NestedBlock(Block):
    # 标出重复的区域：编译整个模型时，这个 forward 只编译一次，之后每个块都复用它
    forward = torch.compiler.nested_compile_region(Block.forward)


class Stack(nn.Module):
    def __init__(self, n, block=Block):
        super().__init__()
        self.blocks = nn.ModuleList(block() for _ in range(n))

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x


# 关掉 FX 图缓存和 AOTAutograd 缓存，否则第二次测到的是缓存命中；
# 生成的 C++ 内核两种做法完全相同，它们编译出的 .so 仍然从磁盘缓存读取
config.fx_graph_cache = False
torch._functorch.config.enable_autograd_cache = False
torch.manual_seed(0)
x = torch.randn(4, 16)


def measure(model, how):
    torch._dynamo.reset()
    counters.clear()
    with torch.no_grad():
        expected = model(x)
        start = time.perf_counter()
        if how == "区域编译":
            for block in model.blocks:
                block.compile()  # 就地编译这个子模块；整个模型仍由 Python 逐块调用
            out = model(x)
        else:  # 整个模型，或者块是 NestedBlock 的整个模型
            out = torch.compile(model)(x)
        seconds = time.perf_counter() - start
    assert torch.allclose(out, expected, atol=1e-5)
    return seconds, counters["stats"]["unique_graphs"]


def kernels(model):
    with torch.no_grad():
        _, codes = run_and_get_code(model, x)
    names = ", ".join(re.findall(r"^(cpp_fused_\w+) = ", codes[0], re.M))
    calls = len(re.findall(r"= repeated_subgraph0\(", codes[0]))  # nested_compile_region 的子图被调用几次
    return names + (f"；call() 调用子图 repeated_subgraph0 {calls} 次" if calls else "")


# 先各编译一次：进程里第一次编译的一次性开销、各做法的 C++ 内核，都不算进下面的比较。
# 顺便看看三种做法生成的内核有什么不同
print("整个模型（2 个块）的内核：", kernels(torch.compile(Stack(2).eval())))
torch._dynamo.reset()
stack = Stack(2).eval()
for block in stack.blocks:
    block.compile()
print("区域编译（每个块）的内核：", kernels(stack))
print("nested_compile_region 的内核：", kernels(torch.compile(Stack(2, NestedBlock).eval())))

for n in (2, 8):
    results = {
        "整个模型": measure(Stack(n).eval(), "整个模型"),
        "区域编译": measure(Stack(n).eval(), "区域编译"),
        "nested_compile_region": measure(Stack(n, NestedBlock).eval(), "nested_compile_region"),
    }
    print(f"{n:>2} 个块：" + "，".join(f"{how} {sec:.2f} s（{graphs} 张图）" for how, (sec, graphs) in results.items()))
    if n == 8:  # 8 个块时区域编译至少快一倍
        assert results["整个模型"][0] > 2 * results["区域编译"][0], results


# %% [markdown]
# - 前三行是预热时顺便打印的内核。整个模型（2 个块）多出一个 `cpp_fused_add_native_layer_norm_2`：第一个块的残差加法和第二个块的 LayerNorm 融合成了一个内核。区域编译时每个块单独成图，只有块内的三个内核。
# - `nested_compile_region` 也只有块内的三个内核，它们放在一个子图函数 `repeated_subgraph0` 里，整张图的 `call()` 调用它 2 次。块与块之间同样没有融合。
# - 整个模型编译时，不论几个块都是 1 张图，但图随块数变长，耗时也随之增长。区域编译在两种深度下也只有 1 张图：第一个块编译之后，其余块复用它，耗时随块数增长得慢得多（脚本断言 8 个块时它至少快一倍）。
# - `nested_compile_region` 介于两者之间：整个模型仍是 1 张图、1 份 guard，块与块之间不回到 Python；块只编译一次，但 Dynamo 仍要逐块走一遍模型的代码，所以比区域编译慢一些，比整个模型编译快得多。
#
# 区域编译的代价就是上面看到的：块与块之间没有融合，每个块的输出要回到 Python 再交给下一个块，每个块调用时都要检查一遍 guard。`nested_compile_region` 省掉了后两项，但块之间同样不融合。划不划算，要看省下的编译时间与损失的这点融合哪个更重要。
#
# **测法**
#
# 这里测的是 Dynamo、AOTAutograd 和 Inductor 自身的工作量。脚本关掉了 FX 图缓存和 AOTAutograd 缓存，并先把三种做法各编译了一次（打印内核的那三行），它们的 C++ 内核都已编译好、存在磁盘缓存里，计时的那几次编译不再调用编译器。第一次在一台新机器上编译时，各种做法还要加上编译这些内核（和探测指令集）的时间。
#
#
# **源码在哪里**
#
# `nested_compile_region` 在 `torch/compiler/__init__.py` 第 919 行，文档字符串说明它不保证只编译一次：输入的形状、dtype 等条件变了会重新编译这个区域，`max_reuse_entries`（默认 8）限制复用条目的个数。
#
#
# ## 小结
#
# - 推理时，AOTAutograd 先函数化（原地修改变成函数式运算，对输入的修改用 `copy_` 写回），再分解成 ATen 算子。Inductor 在 lowering 时把逐元素运算内联进下一个运算，只有归约结果、外部内核的输入输出、图的输出等真正存进内存的缓冲区才成为调度器的节点；调度器再合并这些节点。矩阵乘默认是外部内核，不参与融合。
# - 融合进一个内核不等于共用一个循环：LayerNorm 向量化后是一个内核里四段并列的循环，省下的是中间张量的读写。
# - 训练时，AOTAutograd 还要追踪联合图，再由分区器切开。Inductor 用的 `min_cut_rematerialization_partition` 少存激活值，把便宜的逐元素运算留到反向里重算。
# - CPU 上的内核是 C++：向量宽度由机器的指令集决定，OpenMP 并行只在每个线程分到足够多元素时才加上。freezing、max-autotune 的 C++ GEMM 模板和 cpp_wrapper 各自针对矩阵乘周围、矩阵乘本身和包装代码；在这个小模型上，它们都改进不了多少，MKL 的矩阵乘也比模板快。
# - 每种编译模式只是一组 Inductor 配置：`lite` 几乎什么都不编译，`max-autotune` 打开自动调优和坐标下降调优。
# - 在 CPU 上，冷启动的大部分时间花在 C++ 编译器上：探测指令集和编译内核。磁盘缓存和 mega-cache 省下的是追踪与代码生成；模型由重复的块组成时，区域编译和 `nested_compile_region` 让各块共用一份编译结果。
#
# [下一章](../../deploy/)把同一个例子导出成一张完整的图，带到没有 Python 的地方运行。
#
# ## 练习
#
# 这几题都要先预测结果，再运行验证，第 2 题还要动手改代码。每题先自己做，再展开参考答案对照；答案里的脚本和本章其他例子一样，输出来自真实的运行。
#
# ### 1. 预测内核个数
#
# `f(x, w)` 先算 `y = torch.sigmoid(x) * 2`，再算 `z = y @ w`，最后返回 `torch.softmax(z + 1, dim=-1)`；`x` 是 8×16，`w` 是 16×32。不运行，先预测：Inductor 会生成几个 C++ 内核？调用几个外部内核？然后用 `run_and_get_code` 验证。
#
# **参考答案**
#

# %% snippet="inductor/exercise_predict_kernels.py"
# 练习：先预测 Inductor 会为 f 生成几个 C++ 内核、调用几个外部内核，再运行验证。
import re

import torch
from torch._inductor.utils import run_and_get_code


def f(x, w):
    y = torch.sigmoid(x) * 2
    z = y @ w
    return torch.softmax(z + 1, dim=-1)


torch.manual_seed(0)
x, w = torch.randn(8, 16), torch.randn(16, 32)
out, (code,) = run_and_get_code(torch.compile(f), x, w)
print("结果与 eager 一致：", torch.allclose(out, f(x, w), atol=1e-6))

kernels = re.findall(r"^(cpp_fused_\w+) = async_compile", code, re.M)
externs = re.findall(r"extern_kernels\.\w+(?=\()", code)
print(f"生成的 C++ 内核 {len(kernels)} 个：{kernels}")
print(f"外部内核 {len(externs)} 个：{externs}")
print("--- call() 里的调用和分配 ---")
for line in code.splitlines():
    if re.match(r"\s+(buf\d+ = empty_strided_cpu|cpp_fused_\w+\(|extern_kernels\.\w+\()", line):
        print("    " + line.strip())


# %% [markdown]
# - 2 个 C++ 内核，1 个外部内核。
# - `sigmoid` 和 `* 2` 是逐元素运算，本来会内联进下一个运算。但下一个运算是矩阵乘，外部内核的输入必须存进内存（[lowering 与调度器](../../inductor/#scheduler)），所以它们自成一个内核 `cpp_fused_mul_sigmoid_0`，结果写进 `buf0`。
# - `y @ w` 调用外部内核 `extern_kernels.mm`，结果写进 `buf1`。它不参与融合。
# - `+ 1` 和整个 softmax 进了同一个内核 `cpp_fused__softmax_add_1`。softmax 对每一行要先求最大值、再求指数之和，这两次归约的结果各存进一块 8×1 的缓冲区（`buf2`、`buf4`），其余的中间结果都不写回内存。这和 LayerNorm 一样，是[归约融合](../../inductor/#output-code)。
#
#
# ### 2. 图中断两边不能融合
#
# [第 4 章](../../compile/)的例子在 `sin`、`* 2` 与 `cos`、`+ 1` 之间夹着一句 `print`。用默认的 Inductor 编译它，会得到几张图、几个内核？改一处，让这四个运算融合进同一个内核。
#
# **参考答案**
#

# %% snippet="inductor/exercise_break_fusion.py"
# 练习：f 的两句运算之间夹着一句 print。Inductor 能把 sin、mul、cos、add 融合成一个内核吗？
import re

import torch
from torch._inductor.utils import run_and_get_code


def f(x):
    y = torch.sin(x) * 2
    print("y 的形状：", y.shape)  # 图中断
    return torch.cos(y) + 1


def f_no_print(x):
    y = torch.sin(x) * 2
    return torch.cos(y) + 1


x = torch.randn(64)
for fn in (f, f_no_print):
    torch._dynamo.reset()
    out, codes = run_and_get_code(torch.compile(fn), x)  # 每张图生成一份代码
    kernels = [k for code in codes for k in re.findall(r"^(cpp_fused_\w+) = async_compile", code, re.M)]
    print(f"{fn.__name__}：{len(codes)} 张图，{len(kernels)} 个内核 {kernels}")


# %% [markdown]
# - 有 `print` 时是 2 张图、2 个内核：`print` 处图中断，两张图分别交给 Inductor，各自生成一个内核。`y` 要写回内存、交回 Python，再作为第二张图的输入读进来。
# - 去掉 `print` 后是 1 张图、1 个内核 `cpp_fused_add_cos_mul_sin_0`：四个逐元素运算融合在一起，`y` 只在寄存器里。
# - 所以图中断的代价不只是多回一次 Python、多检查一份 guard（[第 4 章](../../compile/#bytecode)），还有断点两边没法融合。
#
#
# ### 3. 原地修改输入
#
# `g(x)` 先 `x.mul_(2)` 原地修改输入，再返回 `x.sin()`。编译以后，调用者既要拿到返回值，也要看到 `x` 被改了。生成的代码是怎样做到的？先想一想函数化会把这两句变成什么。
#
# **参考答案**
#

# %% snippet="inductor/exercise_inplace.py"
# 练习：g 原地修改了它的输入。编译以后，生成的代码怎样既返回结果、又把新值写回输入？
import re

import torch
from torch._inductor.utils import run_and_get_code


def g(x):
    x.mul_(2)  # 原地修改输入
    return x.sin()


x = torch.randn(64)
expected_x, expected_out = x.clone().mul_(2), x.clone().mul_(2).sin()
out, (code,) = run_and_get_code(torch.compile(g), x)
print("输出与 eager 一致：", torch.allclose(out, expected_out), " 输入也被改了：", torch.equal(x, expected_x))

print("--- call() ---")
for line in code.splitlines():
    if re.match(r"\s+(buf\d+ = empty_strided_cpu|cpp_fused_\w+\(|return \()", line):
        print("    " + line.strip())
cpp = code.split("r'''", 1)[1].split("'''", 1)[0]
print("--- 内核的参数 ---")
print(" ".join(re.search(r'extern "C".*?\)', cpp, re.S).group().split()))


# %% [markdown]
# - 函数化把 `x.mul_(2)` 换成返回新张量的 `mul`，并在图的最后用 `copy_` 把新值写回输入（[函数化](../../inductor/#functionalization)）。
# - Inductor 把 `mul`、`sin` 和 `copy_` 融合进一个内核 `cpp_fused_copy__mul_sin_0`。它读一个输入、写两个输出：从 `in_ptr0` 读 `x` 原来的值，把 `sin` 的结果写进 `out_ptr0`，把 `x * 2` 写进 `out_ptr2`。调用时传给这两个输出的，一个是新分配的 `buf0`（返回值），一个正是 `arg0_1`，也就是 `x` 本身。
# - 整个调用只分配了一块缓冲区，`x * 2` 这个中间结果没有单独存下来。输出的第一行确认，返回值和被修改的输入都与 eager 一致。
#
#
# ### 4. 预测分区器保存什么
#
# `f(x) = torch.cos(torch.sin(x)).sum()`，`x` 需要梯度。反向要用到 `cos(x)` 和 `sin(sin(x))`。先猜：`default_partition` 让前向保存哪些张量？Inductor 用的 `min_cut_rematerialization_partition` 呢？
#
# **参考答案**
#

# %% snippet="inductor/exercise_partition.py"
# 练习：对 f(x) = cos(sin(x)).sum() 求导。先猜两种分区器各让前向保存哪些张量，再运行验证。
import torch
from functorch.compile import default_partition, make_boxed_func, min_cut_rematerialization_partition
from torch._dynamo.backends.common import aot_autograd


def f(x):
    return torch.cos(torch.sin(x)).sum()


def saved_by(fw_graph):
    # 前向图的输出 = 损失 + 为反向保存的张量
    outputs = next(n for n in fw_graph.graph.nodes if n.op == "output").args[0]
    return [n.name for n in outputs[1:]]


for partition in (default_partition, min_cut_rematerialization_partition):

    def fw_compiler(gm, example_inputs, name=partition.__name__):
        print(f"== {name}：前向保存 {saved_by(gm)}")
        return make_boxed_func(gm.forward)

    def bw_compiler(gm, example_inputs):
        print("反向图：")
        print(gm.code.strip())
        return make_boxed_func(gm.forward)

    torch._dynamo.reset()
    x = torch.randn(5, requires_grad=True)
    backend = aot_autograd(fw_compiler=fw_compiler, bw_compiler=bw_compiler, partition_fn=partition)
    torch.compile(f, backend=backend)(x).backward()
    # cos(sin(x)) 的导数是 -sin(sin(x)) * cos(x)
    print("梯度正确：", torch.allclose(x.grad, -torch.sin(torch.sin(x)) * torch.cos(x)))


# %% [markdown]
# - `default_partition` 保存 `primals_1`（就是 `x`）和 `sin`：反向要的两个量，一个由 `x` 算出，一个由 `sin(x)` 算出，前向算过的统统存下来。
# - `min_cut_rematerialization_partition` 只保存 `x`：`sin(x)` 很便宜，反向图的第二行用 `x` 把它重新算了一遍。`x` 是前向的输入，调用者手里本来就有它；省下的是一个和 `x` 一样大的中间结果。
# - 两种分区的梯度都正确。和[分区器](../../inductor/#partitioner)一节一样，差别只在保存什么、反向里重算什么。
#
