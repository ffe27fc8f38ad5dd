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
# > 本笔记本由网页 [deploy.md](../../deploy/) 生成：文字与页面相同，代码格就是页面嵌入的 `snippets/` 脚本。不要直接修改它，修改页面或脚本后运行 `make notebooks`。
#

# %% [markdown]
# # 第 6 章 部署：用 torch.export 把模型带出 Python
#
# **运行环境**
#
# 本章的例子只要 CPU，输出来自 PyTorch 2.15.0（CPU），在一台 2 核、支持 AVX-512 的 AMD EPYC 虚拟机上捕获；在 2.13.0 上输出不同的地方，代码块下方折叠着逐行对照。
#
# [AOTInductor](../../deploy/#aotinductor) 要调用 C++ 编译器（`g++`），[C++ 程序](../../deploy/#aoti-cpp)还需要 CMake 3.18 以上。[ONNX](../../deploy/#onnx) 一节用到 `onnx` 1.23.2、`onnxscript` 0.7.2、`onnxruntime` 1.32.0，[ExecuTorch](../../deploy/#executorch) 一节用到 `executorch` 1.5.1，它们的版本固定在仓库的 `requirements.txt` 里。
#
#
# 读完这一章你会知道：
#
# - 怎样用 `torch.export` 得到一张完整的图，严格与非严格模式各自接受什么、拒绝什么，依赖数据的分支怎样改写；
# - 同一张图怎样变成 AOTInductor 包、ONNX 文件和 ExecuTorch 程序，分别在 C++ 程序、onnxruntime 和移动端运行时里跑起来；
# - 面对一个部署目标该选哪一条路；只想省掉 Python 服务启动时的编译，又有哪两个原型 API。
#
# 读这一章要先读过[第 4 章](../../compile/)（Dynamo 与图中断）和[第 5 章](../../inductor/)（Inductor 生成的代码）；C++ 程序那一节用到[第 3 章](../../torchscript/#cpp)加载 TorchScript 的程序作对照。
#
# [第 5 章](../../inductor/)里的编译都发生在 Python 进程里：TorchDynamo 在运行时截住函数，编译结果只对这个进程有效，遇到图中断就退回 Python。部署要的正好相反：提前得到一张**完整**的图，把它存下来，交给别的程序——一个 C++ 服务、另一种推理引擎、一台手机。
#
# 这一章把第 5 章的例子（LayerNorm → Linear → GELU → Linear，加残差）沿这条路走到底：
#
# （这里在 [网页版](../../deploy/) 上有一张示意图。）
#
#
# ## torch.export：导出一张完整的图
#
# `torch.export` 是部署这条路的起点：`torch.export.export(model, args)` 把模型连同示例输入一起追踪一遍，得到一个 `ExportedProgram`——一张没有图中断、全部由 ATen 算子组成的图，加上参数和缓冲区，以及每个输入维度的取值范围。
#
# 它不像 `torch.compile` 那样在运行时等函数被调用，也不留回退到 Python 的余地：整个 `forward` 要么完整进图，要么导出失败并说明原因。后面的 AOTInductor、ONNX 和 ExecuTorch 都从这个 `ExportedProgram` 出发。
#
# ### 严格与非严格
#
# `torch.export.export` 有两种得到图的办法。`strict=True` 用 TorchDynamo 分析 `forward` 的字节码（与 `torch.compile` 相同的前端，但不允许图中断）；默认的 `strict=False` 则直接用 Python 运行 `forward`，输入换成只有形状、没有数据的假张量，在 ATen 层记录发生的运算。下面用同一个模块的三个变体，看两种模式各自执行了什么、拒绝了什么：
#

# %% snippet="deploy/export_modes.py"
# torch.export 的两种追踪方式，同一个模块的三个变体：
# strict=True 用 TorchDynamo 分析字节码；strict=False（默认）直接运行 forward，在 ATen 层记录运算。
import contextlib
import io
import time

import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    """本章的例子（与第 5 章相同）：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


class Printing(Block):
    def forward(self, x):
        print(f"    （forward 里的 print 执行了，x 的形状 {tuple(x.shape)}）")
        return super().forward(x)


class Timed(Block):
    def forward(self, x):
        start = time.perf_counter()  # 在 forward 里计时，统计耗时的代码常这样写
        y = super().forward(x)
        self.seconds = time.perf_counter() - start
        return y


class Branchy(Block):
    def forward(self, x):
        y = super().forward(x)
        if y.sum() > 0:  # 走哪条路取决于张量里的数值
            return y * 2
        return y - 1


x = torch.randn(4, 16)
for cls in (Printing, Timed, Branchy):
    print(f"== {cls.__name__}")
    for strict in (True, False):
        stderr = io.StringIO()
        try:
            with contextlib.redirect_stderr(stderr):
                ep = torch.export.export(cls(), (x,), strict=strict)
            ops = sum(node.op == "call_function" for node in ep.graph.nodes)
            print(f"  strict={strict}：成功，图里 {ops} 个算子")
        except Exception as e:
            print(f"  strict={strict}：失败，{type(e).__module__}.{type(e).__name__}")
            print(f"    {str(e).splitlines()[0]}")
            # 追踪到一半失败时，export 还会把已经得到的图打印到 stderr，它的最后一行就是停下的地方
            partial = [line.strip() for line in stderr.getvalue().splitlines() if line.strip()]
            if partial:
                print(f"    追踪到一半的图停在：{partial[-1].split(';')[0]}")


# %% [markdown]
# - `Printing`：两种模式都导出成功，图里都是同样的 5 个算子，`print` 不在图里。但 `forward` 里的 `print` 只在 `strict=False` 时真的执行了一次（那一行出现在 `strict=False` 的结果之前）：非严格模式就是把 Python 代码跑一遍。
# - 严格模式下 `print` 没有执行，也没有造成图中断，这是 export 的一条专门规则：export 交给 Dynamo 的配置把 `print`、`logging` 的各个函数和 `warnings.warn` 列为日志函数（`reorderable_logging_functions`），Dynamo 在导出时遇到它们就当作什么也没做，也不检查参数。同样一句 `print` 在 `torch.compile` 里默认会造成图中断（[第 4 章](../../compile/#graph-break-fixes)）。别的副作用没有这个待遇，比如下一个变体。
# - `Timed`：在 `forward` 里调用 `time.perf_counter()`，严格模式拒绝导出（`Unsupported: Call to a time function`），因为 Dynamo 不把读时钟放进图。非严格模式照常运行这行 Python，导出成功，读到的时间不会进入图，以后运行导出的程序时也不会再读时钟。
# - `Branchy`：分支取决于张量里的数值，两种模式都失败，但失败在不同的层次。严格模式在 Dynamo 里就停下了（`Data-dependent branching`），追踪到一半的图停在 torch 层的比较 `sum_1 > 0`。
# - 非严格模式则一直运行到 Python 的 `if` 需要一个真正的布尔值。这时 `y.sum() > 0` 在 ATen 层被 `aten.item` 变成了一个值未知的符号 `u0`，对它做判断就是 `GuardOnDataDependentSymNode`：无法对依赖数据的表达式加 guard。两种情况的解法相同，都是[`torch.cond`](../../deploy/#cond)。
#
# 总之：非严格模式把 `forward` 当普通 Python 跑一遍，不依赖张量数值的代码一般都能通过，但它们只在导出时执行一次，不进入图。严格模式用 Dynamo 分析字节码，遇到它不能放进图的调用（比如读时钟）就拒绝导出；`print` 和日志函数是例外，它们被直接丢掉。两种模式导出的图里都没有 `print`。
#
# **源码在哪里**
#
# - export 给 Dynamo 的配置：`torch/export/_trace.py` 第 189–200 行，`DEFAULT_EXPORT_DYNAMO_CONFIG.reorderable_logging_functions` 是 `logging.critical`、`debug`、`error`、`exception`、`info`、`log`、`warning`、`print` 和 `warnings.warn`。
# - Dynamo 遇到这些函数时：`torch/_dynamo/variables/misc.py` 第 2097 行的 `DebuggingVariable.call_function`，第 2103–2105 行在导出时直接返回 `None`；不导出时才检查参数能不能挪到图后面执行。
#
#
# **版本差异**
#
# 2.13 上 `Timed` 的严格模式同样失败，只是理由写作 `Attempted to call function marked as skipped`（见输出下方的对照）。
#
#
# ### 导出的 IR 与核心 ATen
#

# %% snippet="deploy/export.py"
# torch.export 导出本章的例子：默认得到的图（训练用 IR）保留 aten.linear 这样的高层算子，
# run_decompositions() 再把它们分解成核心 ATen 算子；动态维度有三种写法。
import zipfile

import torch
import torch.nn.functional as F
from torch import nn
from torch.export import Dim


class Block(nn.Module):
    """本章的例子（与第 5 章相同）：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


def ops(ep):
    return " → ".join(n.target.__name__ for n in ep.graph.nodes if n.op == "call_function")


torch.manual_seed(0)
model = Block().eval()
x = torch.randn(4, 16)

ep = torch.export.export(model, (x,))
print("默认的 IR：", ops(ep))
print("输入：", ", ".join(f"{s.arg.name} 是 {s.kind.name}" for s in ep.graph_signature.input_specs))
core = ep.run_decompositions()  # 默认用核心 ATen 的分解表
print("run_decompositions() 之后：", ops(core))

batch = Dim("batch", min=1, max=1024)
for name, spec in (("Dim('batch', min=1, max=1024)", batch), ("Dim.AUTO", Dim.AUTO), ("Dim.DYNAMIC", Dim.DYNAMIC)):
    dyn = torch.export.export(model, (x,), dynamic_shapes={"x": {0: spec}})
    shape = list(dyn.graph.find_nodes(op="placeholder")[-1].meta["val"].shape)  # 最后一个输入就是 x
    print(f"第 0 维用 {name}：x 的形状 {shape}，范围 {dyn.range_constraints}")

for name, spec in (("Dim.AUTO", Dim.AUTO), ("Dim.DYNAMIC", Dim.DYNAMIC)):  # 第 1 维：LayerNorm 和 Linear 都要求它是 16
    try:
        dyn = torch.export.export(model, (x,), dynamic_shapes={"x": {1: spec}})
        shape = list(dyn.graph.find_nodes(op="placeholder")[-1].meta["val"].shape)
        print(f"第 1 维用 {name}：导出成功，x 的形状 {shape}")
    except Exception as e:
        print(f"第 1 维用 {name}：{type(e).__name__}")
        print("\n".join("    " + line for line in str(e).strip().splitlines()[:2]))

dyn = torch.export.export(model, (x,), dynamic_shapes={"x": {0: batch}})
torch.export.save(dyn, "block.pt2")
names = [n.split("/", 1)[1] for n in zipfile.ZipFile("block.pt2").namelist()]  # .pt2 是一个 zip 文件
print("block.pt2 里：", ", ".join(n for n in names if "/" in n and not n.startswith(".data")))
loaded = torch.export.load("block.pt2").module()
x5 = torch.randn(5, 16)  # 与示例不同的 batch
print("加载后运行 batch=5，与 eager 一致：", torch.allclose(loaded(x5), model(x5), atol=1e-6))
try:
    loaded(torch.randn(5, 8))  # 第 1 维没有声明为动态
except Exception as e:
    print(f"形状不符合导出时的约定 -> {type(e).__name__}: {str(e).splitlines()[0]}")


# %% [markdown]
# - 默认导出的图是“训练用 IR”：保留 `layer_norm`、`linear`、`gelu` 这样的高层 ATen 算子，和模型的结构一一对应。参数被提升成了图的输入（`PARAMETER`），和用户输入 `x` 并列。
# - `ep.run_decompositions()` 用默认的分解表把它变成**核心 ATen**（Core ATen）：`layer_norm` 变成 `native_layer_norm`（它返回输出、均值和标准差的倒数三个张量，`getitem` 取出第一个），`linear` 变成 `permute` 加 `addmm`，`gelu` 本身就在核心算子集里，原样保留。
# - 核心 ATen 是一组固定的算子，外部的编译器和运行时只要支持这一组，就能接住导出的模型。与[第 5 章](../../inductor/#decompositions)里 Inductor 拿到的图相比，这里没有把 `native_layer_norm` 和 `gelu` 再拆开：拆到什么程度，由使用者的分解表决定。
#
# 默认 IR 的这张图画出来是这样（由脚本里真实的 `ep` 生成）：圆柱形的是被提升成输入的参数，圆角的是用户输入 `x`，小圆是写死在图里的常数（LayerNorm 的 eps）。
#
# （这里在 [网页版](../../deploy/) 上有一张示意图。）
#
#
# ### 动态维度
#
# 导出默认按示例输入把每一维都当作常量。`dynamic_shapes` 告诉 export 哪些维度可以变，有三种写法（同一个脚本的第二部分）：
#
# - `Dim("batch", min=1, max=1024)`：有名字、有范围的维度。图里这一维成了符号 `s77`，范围约束写的正是 `VR[1, 1024]`。
# - `Dim.AUTO`：由 export 自己决定，能动态就动态。第 0 维成了 `s77`，范围是 `VR[2, int_oo]`：没有给出范围时，下界是 2，尺寸 0 和 1 不在动态范围之内。
# - `Dim.DYNAMIC`：要求这一维必须是动态的。在第 0 维上它与 `Dim.AUTO` 结果相同。
#
# 两者的区别出现在做不到的时候。第 1 维是特征维，LayerNorm 和 Linear 都要求它等于 16：用 `Dim.AUTO` 时 export 默默把它定成常量 16，导出成功；用 `Dim.DYNAMIC` 则报 `UserError: Constraints violated`，错误信息直接建议改用 `Dim.STATIC` 或 `Dim.AUTO`。
#
# ### 保存与加载
#
# 脚本最后一部分用 `torch.export.save` 把带动态 batch 的 `ExportedProgram` 存成 `block.pt2`，再在同一个脚本里加载。这个文件是一个 zip 归档：`models/model.json` 是序列化成 JSON 的图，`data/weights/` 下是六个参数，`data/sample_inputs/` 是导出时的示例输入。它存的是图和权重，不是编译好的代码，要运行得快，还要交给下一节的 AOTInductor 或别的后端。
#
# 加载回来的 `.module()` 在 batch 为 5 时与 eager 一致；第 1 维传入 8 时，运行前的检查 `Guard failed: x.size()[1] == 16` 直接报错——这就是导出版的 guard。
#
# ### torch.cond：两个分支都进图
#
# `Branchy` 失败是因为 Python 的 `if` 只能走一条路，而导出要的是一张对所有输入都成立的图。`torch.cond` 把两个分支都当作子图记下来，运行时再按条件选：
#

# %% snippet="deploy/cond.py"
# 依赖数据的分支写成 torch.cond：两个分支都变成子图记进导出的图里，运行时按条件选一个。
import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    """本章的例子（与第 5 章相同）：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


class WithCond(Block):
    def forward(self, x):
        y = super().forward(x)
        # 代替 export_modes.py 里 Branchy 的 if：条件、两个分支（函数）、传给分支的操作数
        return torch.cond(y.sum() > 0, lambda t: t * 2, lambda t: t - 1, (y,))


torch.manual_seed(0)
model = WithCond().eval()
x = torch.randn(4, 16)
for strict in (True, False):
    ep = torch.export.export(model, (x,), strict=strict)
    print(f"strict={strict}：成功")
for name, gm in (("导出的图", ep.graph_module), ("true_graph_0", ep.graph_module.true_graph_0),
                 ("false_graph_0", ep.graph_module.false_graph_0)):
    print(f"--- {name} ---")
    print("\n".join(line.split(";")[0] for line in gm.code.strip().splitlines() if line.strip()))
for shift in (100, -100):  # 残差让 y ≈ x：输入整体偏正或偏负，y.sum() 的符号就跟着变
    inp = torch.randn(4, 16) + shift
    y = Block.forward(model, inp)
    branch = "t * 2" if y.sum() > 0 else "t - 1"
    print(f"输入约为 {shift}：走 {branch}，与 eager 一致 {torch.allclose(ep.module()(inp), model(inp))}")


# %% [markdown]
# - 严格和非严格模式都导出成功。
# - 主图算出条件 `gt`，然后调用 `torch.ops.higher_order.cond(gt, true_graph_0, false_graph_0, (add,))`：`true_graph_0`、`false_graph_0` 是两个子图，分别只做 `mul(add, 2)` 和 `sub(add, 1)`。
# - 输入整体偏正时走 `t * 2`，偏负时走 `t - 1`，两种情况都与 eager 一致。
#
#
# ## AOTInductor：编译成 .so，打包成 .pt2
#
# `ExportedProgram` 只是一个交接格式。**AOTInductor** 把它交给与 `torch.compile` 相同的 Inductor，生成代码，但**提前**（ahead of time）把它编译成共享库，和权重一起打包成一个 `.pt2` 文件。这个文件可以在没有 Python 的 C++ 程序里加载。
#
# ### 包里有什么
#

# %% snippet="deploy/aoti.py"
# AOTInductor：把 torch.export 导出的图提前编译成共享库，和权重一起打包成一个 .pt2 文件。
# 加载它不需要 TorchDynamo，也不需要模型的 Python 代码；C++ 程序 run_aoti.cpp 加载的就是这个文件。
import re
import zipfile

import torch
import torch.nn.functional as F
from torch import nn
from torch.export import Dim


class Block(nn.Module):
    """本章的例子（与第 5 章相同）：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


def show(label, y):
    # 与 run_aoti.cpp 的 show() 同样的格式：每行一个样本，保留 4 位小数，方便逐行比对
    for i, row in enumerate(y.tolist()):
        print(f"{label}[{i}] =" + "".join(f" {v:.4f}" for v in row))


torch.manual_seed(0)
model = Block().eval()
ep = torch.export.export(model, (torch.randn(2, 16),), dynamic_shapes={"x": {0: Dim("batch", min=1, max=1024)}})

# 提前（ahead of time）编译：Inductor 生成 C++，调用编译器得到 .so，连同权重打包
path = torch._inductor.aoti_compile_and_package(ep, package_path="block_aoti.pt2")
with zipfile.ZipFile(path) as archive:  # .pt2 就是一个 zip 文件
    for info in archive.infolist():
        print(f"{info.file_size:>9,}  {info.filename}")
    sources = [archive.read(n).decode() for n in archive.namelist() if n.endswith(".cpp")]
for text in sources:
    if "AOTI_TORCH_ERROR_CODE_CHECK" in text:  # 包装代码：按顺序调用各个内核
        calls = re.findall(r"^\s+(?:AOTI_TORCH_ERROR_CODE_CHECK\()?(cpp_fused_\w+|aoti_torch_cpu_\w+)\(", text, re.M)
        print("包装代码依次调用：", " → ".join(calls))
    else:  # 生成的内核
        print("内核源码里定义了：", ", ".join(re.findall(r'^extern "C"\s+void\s+(cpp_fused_\w+)', text, re.M)))

runner = torch._inductor.aoti_load_package(path)
print("Python 这一侧的加载器：", type(runner.loader).__name__)
print("包里记下的目标机器：", {k: v for k, v in sorted(runner.get_metadata().items()) if k.startswith("AOTI_")})
print("权重：", ", ".join(sorted(runner.get_constant_fqns())))
for batch in (2, 3):  # 与 run_aoti.cpp 相同的输入；batch 是动态维度
    x = torch.linspace(-1, 1, batch * 16).reshape(batch, 16)
    y = runner(x)
    show(f"y{batch}", y)
    print(f"  与 eager 一致：{torch.allclose(y, model(x), atol=1e-5)}")


# %% [markdown]
# `aoti_compile_and_package` 返回包的路径。这个 **AOTInductor 包**是一个 zip 文件，逐个看里面的文件（文件名里的长串是内容的哈希，每次编译都可能不同）：
#
# | 文件 | 是什么 | 为什么在包里 |
# | --- | --- | --- |
# | `…wrapper.so` | 编译好的共享库，占了包的绝大部分 | 运行时加载的就是它：包装代码、内核和权重都编译在里面（`torch._inductor.config.aot_inductor.package_constants_in_so` 默认为 `True`，权重编进 `.so`） |
# | `…wrapper.cpp` | 生成的 C++ 包装代码，与[第 5 章的 cpp_wrapper](../../inductor/#cpp-wrapper) 同一种代码 | `.so` 的源码之一；输出里它依次调用 `cpp_fused_native_layer_norm_0`、`aoti_torch_cpu_addmm_out`、`cpp_fused_gelu_1`……与第 5 章的 `call()` 一一对应 |
# | `…kernel.cpp` | 生成的内核 | `.so` 的另一部分源码：正是第 5 章的三个融合内核 |
# | `…wrapper_metadata.json`、`…kernel_metadata.json` | 编译目标 | 记下平台、CPU 架构和指令集（输出里的 `AOTI_CPU_ISA`），加载器可以读到它们 |
# | `archive_format`、`archive_version`、`byteorder`、`.data/version`、`.data/serialization_id` | PT2 归档格式的元数据 | 说明这是哪个版本的 PT2 归档、按什么字节序存放；[上面](../../deploy/#save) `torch.export.save` 存的 `block.pt2` 里也有这五个文件，只是其余内容是 JSON 的图和单独的权重文件，而不是 `.so` |
#
# 加载它的是 `torch._inductor.aoti_load_package`，它在 Python 里包着的就是 C++ 的 `AOTIModelPackageLoader`（输出的“加载器”一行）。
#
# 包里记下了编译时的目标：Linux、x86-64、指令集 `AVX512 AVX512_VNNI`。生成的内核用的是这些指令（第 5 章里一次 16 个 `float` 的向量），要部署到指令集不同的 CPU 上，应当在目标平台上重新编译。导出时声明的动态 batch 在编译后仍然可用：同一个包先后接受了 batch 为 2 和 3 的输入，结果都与 eager 一致。
#
# ### 在 C++ 里加载：AOTIModelPackageLoader
#
# 同一个 `block_aoti.pt2` 在一个完全没有 Python 的 C++ 程序里运行。第一个标签页是本章的程序，第二个是[第 3 章](../../torchscript/#cpp)加载 TorchScript 模型的程序——从 TorchScript 迁移过来，C++ 这一侧只改几行：
#
# **本章：AOTInductor**
#
#
# `snippets/deploy/run_aoti.cpp`:
#
# ```cpp
# // 在没有 Python 的进程里加载 aoti.py 打包的 block_aoti.pt2 并运行它。
# // 对照第 3 章的 run_model.cpp：torch::jit::load 换成 AOTIModelPackageLoader，forward 换成 run。
# #include <torch/csrc/inductor/aoti_package/model_package_loader.h>
# #include <torch/types.h>
#
# #include <cstdio>
# #include <iostream>
# #include <vector>
#
# // 与 aoti.py 的 show() 同样的格式：每行一个样本，保留 4 位小数，方便逐行比对
# static void show(const char* label, const torch::Tensor& y) {
#   for (int64_t i = 0; i < y.size(0); ++i) {
#     std::printf("%s[%ld] =", label, static_cast<long>(i));
#     for (int64_t j = 0; j < y.size(1); ++j) {
#       std::printf(" %.4f", y[i][j].item<float>());
#     }
#     std::printf("\n");
#   }
# }
#
# int main(int argc, const char* argv[]) {
#   if (argc != 2) {
#     std::cerr << "usage: run_aoti <model.pt2>\n";
#     return 2;
#   }
#   try {
#     // 解压包、加载其中的 .so；包里的权重随之装入
#     torch::inductor::AOTIModelPackageLoader loader(argv[1]);
#     for (int64_t batch : {2, 3}) {  // 与 aoti.py 相同的输入；batch 是导出时声明的动态维度
#       torch::Tensor x = torch::linspace(-1, 1, batch * 16).reshape({batch, 16});
#       // run 的参数和返回值都是张量列表，对应导出时展平的输入和输出
#       std::vector<torch::Tensor> outputs = loader.run({x});
#       show(batch == 2 ? "y2" : "y3", outputs[0]);
#     }
#   } catch (const c10::Error& e) {
#     std::cerr << "cannot run " << argv[1] << ": " << e.what() << "\n";
#     return 1;
#   }
#   return 0;
# }
# ```
#
#
#
# **第 3 章：TorchScript**
#
#
# `snippets/torchscript/run_model.cpp`:
#
# ```cpp
# // 在没有 Python 的进程里加载 save_load.py 保存的 TorchScript 模型并运行它。
# #include <torch/script.h>
#
# #include <cstdio>
# #include <iostream>
#
# // 与 save_load.py 的 show() 同样的格式：保留 4 位小数，方便逐字比对
# static void show(const char* label, const torch::Tensor& y) {
#   torch::Tensor flat = y.contiguous().view(-1);
#   std::printf("%s =", label);
#   for (int64_t i = 0; i < flat.numel(); ++i) {
#     std::printf(" %.4f", flat[i].item<float>());
#   }
#   std::printf("\n");
# }
#
# int main(int argc, const char* argv[]) {
#   if (argc != 2) {
#     std::cerr << "usage: run_model <model.pt>\n";
#     return 2;
#   }
#   torch::jit::script::Module module;
#   try {
#     module = torch::jit::load(argv[1]);
#   } catch (const c10::Error& e) {
#     std::cerr << "cannot load " << argv[1] << ": " << e.what() << "\n";
#     return 1;
#   }
#   module.eval();
#   torch::NoGradGuard no_grad;
#
#   torch::Tensor x = torch::linspace(0, 1, 8).reshape({2, 4});  // 与 save_load.py 相同的输入
#   // forward 的参数是 IValue 列表；返回值也是 IValue，这里是一个 Tensor
#   show("y(x) ", module.forward({x}).toTensor());
#   show("y(-x)", module.forward({-x}).toTensor());
#   return 0;
# }
# ```
#
#
#
# | | TorchScript（第 3 章） | AOTInductor（本章） |
# | --- | --- | --- |
# | Python 一侧 | `torch.jit.script` / `trace`，`torch.jit.save` 存 `.pt` | `torch.export.export`，`aoti_compile_and_package` 存 `.pt2` |
# | 加载 | `torch::jit::load(path)` 得到 `Module` | `torch::inductor::AOTIModelPackageLoader loader(path)` |
# | 调用 | `module.forward({x})`，参数和返回值是 `IValue` | `loader.run({x})`，参数和返回值是 `std::vector<torch::Tensor>` |
# | 运行时做什么 | TorchScript 解释器执行图，前几次调用时再做优化 | 直接调用提前编译好的 `.so`，运行时不再编译 |
#
# 编译这个程序用的 `CMakeLists.txt` 和 `build.sh`：
#
# `snippets/deploy/CMakeLists.txt`:
#
# ```cmake
# # 用 pip 安装的 torch 轮子里自带的 libtorch 编译 run_aoti.cpp。
# # 不用 find_package(Torch)：CUDA 版轮子的 CMake 配置要求机器上有完整的 CUDA 工具包，
# # 而这个程序只在 CPU 上运行，只需要轮子里的头文件和 libtorch、libtorch_cpu、libc10。
# # TORCH_INCLUDE_DIRS、TORCH_LIBRARY_DIR、TORCH_CXX11_ABI 由 build.sh 从 Python 里取得。
# cmake_minimum_required(VERSION 3.18)
# project(run_aoti LANGUAGES CXX)
#
# add_executable(run_aoti run_aoti.cpp)
# target_include_directories(run_aoti PRIVATE ${TORCH_INCLUDE_DIRS})
# # 必须与 libtorch 编译时的 libstdc++ ABI 一致
# target_compile_definitions(run_aoti PRIVATE _GLIBCXX_USE_CXX11_ABI=${TORCH_CXX11_ABI})
# target_link_directories(run_aoti PRIVATE ${TORCH_LIBRARY_DIR})
# # --no-as-needed：程序本身不直接用到 libtorch.so，但包里的 .so 依赖它，要让它随程序一起加载
# target_link_libraries(run_aoti PRIVATE -Wl,--no-as-needed torch torch_cpu c10 -Wl,--as-needed)
# set_target_properties(run_aoti PROPERTIES BUILD_RPATH ${TORCH_LIBRARY_DIR})
# # PyTorch 2.15 的头文件要求 C++20
# target_compile_features(run_aoti PRIVATE cxx_std_20)
# ```
#
#
# `snippets/deploy/build.sh`:
#
# ```bash
# #!/usr/bin/env bash
# # 编译 run_aoti：bash build.sh [构建目录]，之后运行 <构建目录>/run_aoti block_aoti.pt2
# set -euo pipefail
# here="$(cd "$(dirname "$0")" && pwd)"
# build_dir="${1:-$here/build}"
# python="${PYTHON:-python}"
#
# # torch 轮子里就有 libtorch 的头文件和库；它们的位置、ABI 设置都从 Python 里问
# read -r includes libdir abi < <("$python" -c '
# import torch
# from torch.utils import cpp_extension
# print(";".join(cpp_extension.include_paths()), cpp_extension.library_paths()[0], int(torch._C._GLIBCXX_USE_CXX11_ABI))
# ')
#
# cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release \
#   -DTORCH_INCLUDE_DIRS="$includes" -DTORCH_LIBRARY_DIR="$libdir" -DTORCH_CXX11_ABI="$abi"
# cmake --build "$build_dir" --parallel
# ```
#
#
# 在 `snippets/deploy/` 目录下先运行 `python aoti.py` 得到 `block_aoti.pt2`，再 `bash build.sh`，然后运行 `build/run_aoti block_aoti.pt2`：
#
# `snippets/deploy/run_aoti_output.txt`:
#
# ```text
# y2[0] = -1.2413 -0.7428 -0.9344 -0.5878 -0.4506 -0.7470 -0.0357 -0.9104 -0.4849 -0.2433 -0.3435 -0.1321 -0.2695 -0.5545 0.2835 0.4530
# y2[1] = -0.2091 0.2895 0.0978 0.4445 0.5816 0.2852 0.9965 0.1218 0.5473 0.7890 0.6887 0.9002 0.7628 0.4778 1.3157 1.4853
# y3[0] = -1.2413 -0.7647 -0.9783 -0.6537 -0.5385 -0.8568 -0.1676 -1.0642 -0.6606 -0.4410 -0.5631 -0.3737 -0.5330 -0.8400 -0.0241 0.1235
# y3[1] = -0.5604 -0.0839 -0.2975 0.0272 0.1423 -0.1760 0.5133 -0.3833 0.0202 0.2399 0.1177 0.3072 0.1478 -0.1591 0.6568 0.8044
# y3[2] = 0.1204 0.5970 0.3834 0.7080 0.8232 0.5049 1.1941 0.2975 0.7011 0.9207 0.7986 0.9880 0.8287 0.5217 1.3376 1.4852
# ```
#
#
# 与 `aoti.py` 打印的五行逐字相同。几点说明：
#
# - 与第 3 章不同，这里没有用 CMake 的 `find_package(Torch)`。PyPI 上带 CUDA 的 torch wheel 包，CMake 配置要求机器上装有完整的 CUDA 工具包，哪怕程序只用 CPU 也不例外。所以 `build.sh` 改为从 `torch.utils.cpp_extension` 问出头文件和库的位置，以及 libstdc++ 的 ABI 设置，直接交给 CMake。
# - PyTorch 2.15 的头文件要求 C++20（`CMakeLists.txt` 里的 `cxx_std_20`）。
# - 程序自己并不直接调用 `libtorch.so` 里的函数，但包里的 `.so` 依赖它，所以链接时用 `--no-as-needed` 让它随程序一起加载；否则加载包时会报 `libtorch.so: cannot open shared object file`。
# - 测试 `tests/content/test_cpp_runtime.py` 用的就是这里的 `build.sh`：它把编好的程序和 `aoti.py` 打出的包按源码、torch 版本和编译器的哈希缓存在 `.cache/cpp_runtime/` 下，然后运行 `run_aoti`，检查它的输出与 `aoti.py` 打印的结果逐行相同，也与上面显示的输出相同。
#
# ## ONNX：交给其他推理引擎
#
# ONNX 是一个与框架无关的模型格式，PyTorch 以外的推理引擎也能读取它，这里用的是 onnxruntime。`torch.onnx.export` 先用 `torch.export` 得到图，再把 ATen 算子翻译成 ONNX 算子。这是它的默认做法：参数 `dynamo` 从 2.9 起默认为 `True`，不用再写。
#

# %% [markdown]
# > 它要作为独立的脚本运行（在 `import torch` 之前设置环境变量，或者用自己的文件名再启动一次自己），所以把下面的脚本写成文件 `onnx_export.py`，在一个新的 Python 进程里运行。
#

# %% snippet="deploy/onnx_export.py"
# %%writefile onnx_export.py
# ONNX：torch.onnx.export 先用 torch.export 得到图，再翻译成 ONNX 算子（dynamo=True，2.9 起是默认）；
# 导出的 .onnx 文件交给 onnxruntime 运行，与 eager 的结果比较。最后看一眼旧的 dynamo=False。
import inspect
import warnings

import onnx
import onnxruntime as ort
import torch
import torch.nn.functional as F
from torch import nn
from torch.export import Dim


class Block(nn.Module):
    """本章的例子（与第 5 章相同）：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


torch.manual_seed(0)
model = Block().eval()

print("torch.onnx.export 的默认值：", inspect.signature(torch.onnx.export).parameters["dynamo"])
program = torch.onnx.export(model, (torch.randn(2, 16),), dynamic_shapes={"x": {0: Dim("batch", min=1, max=1024)}})
program.save("block.onnx")

graph = onnx.load("block.onnx").graph
print("ONNX 算子：", " → ".join(node.op_type for node in graph.node))
print("ONNX 算子集版本（opset）：", ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in onnx.load("block.onnx").opset_import))
for value in list(graph.input) + list(graph.output):
    dims = [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]
    print(f"{value.name} 的形状：{dims}")
print("权重（initializer）：", ", ".join(sorted(t.name for t in graph.initializer)))

session = ort.InferenceSession("block.onnx", providers=["CPUExecutionProvider"])
TOLERANCE = 1e-5  # float32 下不同实现的舍入差异远小于这个数
for batch in (2, 5):
    x = torch.linspace(-1, 1, batch * 16).reshape(batch, 16)
    (y,) = session.run(None, {"x": x.numpy()})
    diff = (torch.from_numpy(y) - model(x)).abs().max().item()
    print(f"batch={batch}：onnxruntime 与 eager 的最大差 {diff:.1e}，在 {TOLERANCE:.0e} 以内：{diff < TOLERANCE}")

# dynamo=False：旧的、基于 TorchScript 追踪的导出器。它直接写文件、不返回 ONNXProgram，动态维度用 dynamic_axes 声明
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    legacy = torch.onnx.export(
        model, (torch.randn(2, 16),), "block_legacy.onnx", dynamo=False, input_names=["x"], dynamic_axes={"x": {0: "batch"}}
    )
print("\ndynamo=False 的返回值：", legacy)
for w in caught:
    if w.filename == __file__:  # 指向调用者的那条：Python 默认只对 __main__ 显示 DeprecationWarning
        print(f"  {w.category.__name__}: {str(w.message).split('. ')[0]}")  # 只打印第一句
print("ONNX 算子：", " → ".join(node.op_type for node in onnx.load("block_legacy.onnx").graph.node))


# %% snippet="deploy/onnx_export.py" runs="onnx_export.py"
import subprocess, sys
print(subprocess.run([sys.executable, 'onnx_export.py'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout, end="")


# %% [markdown]
# - 第一行确认 `dynamo` 的默认值是 `True`。接着几行警告说没有安装 torchvision，所以跳过了它的几个算子的翻译规则，与本例无关。接下来的四步进度正是导出的流水线：用非严格的 `torch.export.export` 得到图，做分解，翻译成 ONNX，再优化 ONNX 图。
# - 得到的 ONNX 图只有 5 个算子：`LayerNormalization`、`Gemm`、`Gelu`、`Gemm`、`Add`，与模型的结构一一对应；opset 是 20。输入 `x` 的第 0 维是符号 `batch`，对应导出时声明的动态维度。权重作为 initializer 存在文件里。
#
# 把这张 ONNX 图画出来（由脚本读回的 `block.onnx` 生成），和上文[导出的 IR](../../deploy/#ir) 那张图对照：节点一一对应，`layer_norm` 成了 `LayerNormalization`，`linear` 成了 `Gemm`；参数从图的输入变成了 initializer（圆柱形）。
#
# （这里在 [网页版](../../deploy/) 上有一张示意图。）
#
# - onnxruntime 在 batch 为 2 和 5 时的结果与 eager 的最大差都在 1e-5 以内（实际差值在 1e-7 量级，是 float32 的舍入误差）。测试逐字比对这两行，所以一旦超出容差就会失败。
# - 最后一段是 `dynamo=False`：旧的导出器，靠 TorchScript 追踪得到图。它直接写文件、返回 `None`，动态维度只能用 `dynamic_axes` 声明，调用时发出 `DeprecationWarning`。这个小模型上两种导出器得到的 ONNX 算子相同。新代码不要再用它；以前没写 `dynamo` 参数的旧脚本，升级到 2.9 以后就默认换成了新的导出器。
#
# **源码在哪里**
#
# `torch/onnx/__init__.py` 第 78 行 `dynamo: bool = True`；文档字符串写着“.. versionchanged:: 2.9 ``dynamo`` is now True by default”。`dynamo=False` 的分支发出上面那条 `DeprecationWarning`，再调用 `torch/onnx/_internal/torchscript_exporter/utils.py` 里旧的 `export`。
#
#
# ## ExecuTorch：手机与嵌入式设备
#
# [第 3 章](../../torchscript/)提到 TorchScript 模型曾经可以在移动端运行；现在这条路是 ExecuTorch。它同样从 `torch.export` 出发：先把图转换成 Edge 方言（ExecuTorch 的 IR，以核心 ATen 算子为基础），把能交给硬件后端的部分**委托**（delegate）出去，其余的用 ExecuTorch 自带的可移植内核。最后序列化成一个 `.pte` 文件，由 ExecuTorch 的 C++ 运行时加载。
#
# PyPI 上的 `executorch` 1.5.1 可以和 torch 2.15.0、numpy 2.4.6 装进同一个环境（`pip check` 没有报告冲突；它的 wheel 包元数据里没有声明对 torch 版本的要求），不过它会带进 torchao、pandas、scikit-learn、coremltools 等不少依赖。下面的脚本在本机用 XNNPACK 后端（一个为 CPU 优化的算子库）导出并运行 `.pte`：
#

# %% snippet="deploy/executorch_pte.py"
# ExecuTorch：把 torch.export 导出的图转换成 Edge 方言，交给 XNNPACK 后端，序列化成 .pte，
# 再用 ExecuTorch 的运行时（这里是它的 Python 绑定）加载运行。手机、嵌入式设备上跑的是同一个运行时的 C++ 版。
import torch
import torch.nn.functional as F
from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
from executorch.exir import to_edge_transform_and_lower
from executorch.runtime import Runtime
from torch import nn


class Block(nn.Module):
    """本章的例子（与第 5 章相同）：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


torch.manual_seed(0)
model = Block().eval()
x = torch.linspace(-1, 1, 2 * 16).reshape(2, 16)

ep = torch.export.export(model, (x,))
# 能交给 XNNPACK 的部分打包成一个“委托”，其余留给 ExecuTorch 自带的可移植内核
program = to_edge_transform_and_lower(ep, partitioner=[XnnpackPartitioner()]).to_executorch()
with open("block.pte", "wb") as f:
    f.write(program.buffer)
print(f"block.pte：{len(program.buffer):,} 字节")
gm = program.exported_program().graph_module
for node in gm.graph.nodes:  # 顶层图：内存分配之外，只剩一个可移植内核和一次委托调用
    if node.op == "call_function" and "alloc" not in str(node.target) and "getitem" not in str(node.target):
        print("  ", node.target)
delegate = gm.lowered_module_0
ops = [n.target.__name__ for n in delegate.original_module.graph.nodes if n.op == "call_function"]
print(f"委托给 {delegate.backend_id} 的子图：{' → '.join(ops)}")

method = Runtime.get().load_program("block.pte").load_method("forward")
(y,) = method.execute([x])
print("ExecuTorch 与 eager 的最大差：", f"{(y - model(x)).abs().max().item():.1e}")


# %% [markdown]
# - 第一行警告来自 ExecuTorch 依赖的 torchao，与本例无关。
# - 整个程序只有 12 KB 左右。顶层图里只剩两个调用：`aten.native_layer_norm.out` 由 ExecuTorch 的可移植内核执行；其余部分（`linear → gelu → linear → add`）打包成一个委托，交给 `XnnpackBackend`。
# - 运行 `.pte` 的是 `executorch.runtime.Runtime`：ExecuTorch C++ 运行时的 Python 绑定。加载时打印的几行 `cpuinfo_utils.cpp` 来自它的 CPU 探测：它先找 ARM 处理器的标识文件，在这台 x86 机器上找不到。
# - 结果与 eager 的差在 1e-7 量级。
#
# 本站只在这台 x86 Linux 机器上运行了 `.pte`；在 Android、iOS 或微控制器上运行，需要为目标平台编译 ExecuTorch 的 C++ 运行时，这里没有演示。
#
# **版本差异**
#
# 在 2.13 上同一个脚本也能运行，只是 torchao 还会提示它的两个 C++ 扩展加载失败，并多出一些 `FutureWarning`（见输出下方的对照）。
#
#
# ## torch.compile 的提前编译：aot_compile 与 precompile
#
# 前面几条路都从 `torch.export` 出发。还有一种需求介于两者之间：运行时仍然是 Python 和 torch，只想省掉每次启动时的编译。[第 5 章](../../inductor/#caches)的磁盘缓存和 mega-cache 是一种办法；2.15 还有两个原型 API，把 `torch.compile` 的结果本身存成文件，在另一个进程里直接加载：
#
# - `torch.compile(fn, fullgraph=True).aot_compile((args, kwargs))`：不等调用，按示例输入立刻编译，返回的对象用 `save_compiled_function` 存盘，另一个进程用 `torch.compiler.load_compiled_function` 读回来。
# - `torch.compiler.precompile.capture(...)`：照常调用一次函数，这次调用被记录下来，写出两个文件：一份可以独立运行的 Python 源码，和一个加速加载的缓存；另一个进程用 `torch.compiler.precompile.load` 读回来。
#
# 下面的脚本两条路各走一遍，每个进程都用一个空的 Inductor 缓存目录：
#

# %% [markdown]
# > 它要作为独立的脚本运行（在 `import torch` 之前设置环境变量，或者用自己的文件名再启动一次自己），所以把下面的脚本写成文件 `precompile.py`，在一个新的 Python 进程里运行。
#

# %% snippet="deploy/precompile.py"
# %%writefile precompile.py
# torch.compile 也能提前编译（2.15 里都还是原型 API）：在一个进程里编译、存成文件，在另一个进程里加载，
# 加载后第一次调用就不再经过 Dynamo。两条路：
#   torch.compile(fn, fullgraph=True).aot_compile(...) → save_compiled_function → torch.compiler.load_compiled_function
#   torch.compiler.precompile.capture(...) → 两个文件 → torch.compiler.precompile.load
# 用法：python precompile.py（脚本会以 python precompile.py aot_compile|precompile 的方式再启动自己，当作“另一台机器”）
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# 每个进程一个空的 Inductor 缓存目录：新进程里编译过什么，全看加载的文件带了什么
os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="inductor-")

import torch
import torch.nn.functional as F
from torch import nn
from torch._dynamo.utils import counters


class Block(nn.Module):
    """本章的例子（与第 5 章相同）：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


def run(model, x):  # 要提前编译的函数：模型作为参数传进来，加载的一方自己提供模型
    return model(x)


torch.manual_seed(0)
model = Block().eval()
x = torch.randn(4, 16)


def built_so():
    return len(list(Path(os.environ["TORCHINDUCTOR_CACHE_DIR"]).rglob("*.so")))


if len(sys.argv) > 1:  # “另一台机器”：加载文件，调用一次
    with torch.no_grad():
        if sys.argv[1] == "aot_compile":
            with open("block.aot", "rb") as f:
                fn = torch.compiler.load_compiled_function(f)
        else:
            fn = torch.compiler.precompile.load("block.precompile", "block.precompile.cache")
        y = fn(model, x)
    print(f"  新进程：结果与 eager 一致 {torch.allclose(y, model(x), atol=1e-6)}，"
          f"Dynamo 编译了 {counters['stats']['unique_graphs']} 张图，C++ 编译器生成了 {built_so()} 个 .so")
    sys.exit()

with torch.no_grad():
    compiled = torch.compile(run, fullgraph=True).aot_compile(((model, x), {}))  # 参数：(args, kwargs)
compiled.save_compiled_function("block.aot")
print(f"aot_compile：{type(compiled).__name__}，存成 block.aot（共 {Path('block.aot').stat().st_size // 1024} KiB）")
subprocess.run([sys.executable, __file__, "aot_compile"], check=True)

if hasattr(torch.compiler, "precompile"):
    with torch.no_grad(), torch.compiler.precompile.capture(
        run, artifact_path="block.precompile", cache_path="block.precompile.cache"
    ) as cap:
        cap(model, x)  # 照常调用一次：这次调用真的运行，同时被记录下来
    # block.precompile 是一份可以独立运行的 Python 源码（图、内核源码、调用约定），.cache 是加速加载用的缓存
    sizes = "，".join(f"{name}（共 {Path(name).stat().st_size // 1024} KiB）" for name in ("block.precompile", "block.precompile.cache"))
    print(f"precompile.capture：写出 {sizes}")
    subprocess.run([sys.executable, __file__, "precompile"], check=True)
else:
    print("这个版本没有 torch.compiler.precompile")


# %% snippet="deploy/precompile.py" runs="precompile.py"
import subprocess, sys
print(subprocess.run([sys.executable, 'precompile.py'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout, end="")


# %% [markdown]
# - 两条路在新进程里的结果都与 eager 一致，而且 Dynamo 一张图也没有编译：图、guard 和改写后的代码都在文件里。被编译的是 `run(model, x)`，模型作为参数传入，权重不在文件里，加载的一方要自己提供结构相同的模型。
# - `aot_compile` 要求 `fullgraph=True`，不允许图中断；`precompile.capture` 用非严格的 `make_fx` 追踪，控制流和形状都按示例输入固定下来。
# - `precompile.load` 会执行文件里的 Python 源码，所以它先打印一条警告：只加载自己生成、信得过的文件。
# - 但新进程里照样生成了一批 `.so`：在 CPU 上，这两种文件和 mega-cache 一样，带的是内核的源码，不是编译好的共享库。新进程仍要探测指令集、调用 `g++` 编译内核（第 5 章测过，这正是冷启动里最耗时的部分）。
#
# 这两个 API 都还是原型，签名和文件格式可能在版本之间改变，也都离不开 Python。要在没有 Python 的地方运行，仍然用上面的 AOTInductor。
#
# **源码在哪里**
#
# - `aot_compile` 定义在 `torch/_dynamo/eval_frame.py` 第 1026 行，只在 `torch._dynamo.config.enable_aot_compile`（2.15 默认 `True`）时挂到编译后的函数上；它调用 `torch/_dynamo/aot_compile.py` 的 `aot_compile_fullgraph`，`save_compiled_function` 在同一文件第 1142 行。
# - `load_compiled_function` 在 `torch/compiler/__init__.py` 第 1003 行，文档字符串标明“This API is currently experimental”。
# - `torch.compiler.precompile` 是 `torch/compiler/precompile.py`，实现在 `torch/_precompile.py`：`capture` 在第 2895 行，`load` 在第 2980 行。缓存里装的是 `save_cache_artifacts` 的打包结果（第 2355 行的注释），也就是第 5 章的 mega-cache。
#
#
# **版本差异**
#
# 2.13 已经有 `aot_compile` 和 `load_compiled_function`，还没有 `torch.compiler.precompile`（见输出下方的对照）。
#
#
# ## 怎么选
#
# | 方式 | 怎么得到图 | 要改代码吗 | 运行在哪里 | 运行时需要 Python 吗 | 在 2.15 中的地位 | 本站的证据 |
# | --- | --- | --- | --- | --- | --- | --- |
# | eager | 不建图，逐个运算执行 | 不用 | Python 进程 | 需要 | 默认的执行方式 | [第 1 章](../../paradigms/) |
# | TorchScript | trace 记录一次执行，或 script 解析源码 | trace 丢掉控制流；script 只接受 Python 的一个子集 | Python 或 libtorch（C++） | 不需要 | 已弃用，只为维护旧模型 | [第 3 章](../../torchscript/#status)，[C++ 加载](../../torchscript/#cpp) |
# | `torch.compile` | TorchDynamo 在运行时分析字节码 | 一般不用；放不进图的代码自动交回 Python | Python 进程 | 需要 | 训练和 Python 推理提速的首选 | [第 4 章](../../compile/)、[第 5 章](../../inductor/) |
# | `torch.compile` 的提前编译（`aot_compile`、`precompile`） | 提前编译整张图，存成文件，另一个进程加载 | 不能有图中断 | 同一种机器上的 Python 进程 | 需要 | 原型，接口可能改变 | [提前编译](../../deploy/#precompile) |
# | `torch.export` + AOTInductor | 提前导出整张图，编译成 `.so` | 不能有图中断；依赖数据的分支改写成 `torch.cond` | 同一种 CPU/GPU 上的 C++ 程序 | 不需要 | 服务端部署的首选 | [导出](../../deploy/#export)、[C++ 加载](../../deploy/#aoti-cpp) |
# | ONNX（`torch.onnx.export`） | 用 `torch.export` 导出，再翻译成 ONNX 算子 | 同 `torch.export`；算子要有 ONNX 翻译规则 | onnxruntime 等任何支持 ONNX 的引擎 | 不需要 | 需要交给 PyTorch 以外的推理引擎时 | [ONNX](../../deploy/#onnx) |
# | ExecuTorch | 用 `torch.export` 导出，转换成 Edge 方言，委托给后端 | 同 `torch.export` | 手机、嵌入式设备上的 ExecuTorch 运行时 | 不需要 | 移动端与边缘设备的首选，取代 TorchScript 的移动端 | [ExecuTorch](../../deploy/#executorch) |
#
# 经验法则：先用 eager 写对；想提速就加 `torch.compile`，用 `TORCH_LOGS` 检查图中断、重新编译和生成的代码；要部署就 `torch.export`，再按目标选 AOTInductor（C++ 服务）、ONNX（别的推理引擎）或 ExecuTorch（移动与边缘设备）。只想省掉 Python 服务每次启动时的编译，可以试试提前编译的两个原型 API。新代码不再需要 TorchScript。
#
# ## 小结
#
# - `torch.export` 要一张完整的图。非严格模式（默认）运行 Python、在 ATen 层记录，能接受更多代码；严格模式用 TorchDynamo 分析字节码，拒绝它不理解的代码。依赖数据的分支在两种模式下都要改写成 `torch.cond`。
# - 导出的默认 IR 保留高层算子；`run_decompositions()` 把它变成核心 ATen。动态维度可以命名并给出范围，`Dim.AUTO` 在做不到时悄悄特化，`Dim.DYNAMIC` 则报错。
# - AOTInductor 把导出的图编译成 `.so`、连同权重打包成 `.pt2`；C++ 程序用 `AOTIModelPackageLoader` 加载，输出与 Python 逐字相同。在 PyTorch 2 里，它取代了 TorchScript 加 `torch::jit::load` 这条部署路线。
# - 同一个导出的图也能翻译成 ONNX 交给 onnxruntime（`torch.onnx.export` 默认就走 `torch.export`），或转换成 ExecuTorch 的 `.pte` 交给移动端运行时；本站测试了两者的结果都与 eager 一致。
# - `torch.compile` 的结果也能提前编译、存成文件（`aot_compile`、`precompile`，都是原型）：新进程不再经过 Dynamo，但运行时仍需要 Python，在 CPU 上也仍要编译内核。
#
# 想把第 4 到 6 章连起来看，可以读[一行代码的旅程](../../journey/)：同一个小模型从源码一路走到生成的内核、导出的图和 ONNX，每一站都标出了它来自哪一行源码。
#
# ## 练习
#
# 第 1 题运行代码、解释输出，第 2、3 题动手改代码，最后一题不用写代码。每题先自己做，再展开参考答案对照；答案里的脚本和本章其他例子一样，输出来自真实的运行。
#
# ### 1. 导出以后再改全局变量
#
# `Act.forward` 按全局变量 `USE_RELU` 选用 `relu` 或 `tanh`。`USE_RELU = True` 时导出它，同时用 `torch.compile` 编译一份。然后把 `USE_RELU` 改成 `False`：eager、导出的程序、编译的函数各给出什么结果？为什么？
#
# **参考答案**
#

# %% snippet="deploy/exercise_global_flag.py"
# 练习：forward 按全局变量 USE_RELU 选激活函数。导出以后把它改成 False，导出的程序会跟着变吗？
import torch
from torch import nn

USE_RELU = True


class Act(nn.Module):
    def forward(self, x):
        if USE_RELU:  # 普通的 Python 布尔值，不是张量
            return torch.relu(x)
        return torch.tanh(x)


x = torch.tensor([-1.0, 2.0])
ep = torch.export.export(Act(), (x,))
compiled = torch.compile(Act(), backend="eager")
print("导出的图：", [node.name for node in ep.graph.nodes if node.op == "call_function"])



def show(t):
    return [round(v, 4) for v in t.tolist()]


for flag in (True, False):
    USE_RELU = flag
    print(f"USE_RELU 为 {flag} 时：eager 得 {show(Act()(x))}，"
          f"导出的程序得 {show(ep.module()(x))}，torch.compile 得 {show(compiled(x))}")


# %% [markdown]
# - 导出的图里只有 `relu`：非严格模式把 `forward` 当普通 Python 运行了一遍，`if USE_RELU` 在导出时就走完了，图里只剩走过的那一支。导出的程序也不检查这个全局变量，改成 `False` 以后，它照样算 `relu`，没有任何提示。
# - `torch.compile` 跟着变成了 `tanh`：Dynamo 为 `USE_RELU` 记下了 guard，值变了就重新编译，和[第 4 章](../../compile/#recompiles)里的 `SCALE` 一样。
# - 所以导出之前要先把这类开关定好；两种行为都要用，就各导出一份。导出的程序运行前只检查输入的形状（下一题）。
#
#
# ### 2. 让导出的模型接受任意 batch
#
# 一个小 MLP 用 batch 为 3 的示例输入导出，`ep.module()` 换成 batch 5 就报错。这是什么错误？改一处，让它接受 1 到 64 的 batch，并确认 65 会被拒绝。
#
# **参考答案**
#

# %% snippet="deploy/exercise_dynamic_batch.py"
# 练习：导出的模型换一个 batch 大小就报错。改一处，让它接受 1 到 64 的任意 batch。
import torch
from torch import nn
from torch.export import Dim

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)).eval()

ep = torch.export.export(model, (torch.randn(3, 4),))  # 示例输入的 batch 是 3
try:
    ep.module()(torch.randn(5, 4))
except Exception as e:
    print(f"batch 为 5 时报错 {type(e).__name__}，{str(e).splitlines()[0]}")

# 改法：用 dynamic_shapes 声明第 0 维可以变，并给出范围
batch = Dim("batch", min=1, max=64)
ep = torch.export.export(model, (torch.randn(3, 4),), dynamic_shapes=({0: batch},))
print("范围约束：", ep.range_constraints)
with torch.no_grad():
    for n in (1, 5, 64):
        x = torch.randn(n, 4)
        print(f"batch 为 {n} 时与 eager 一致：{torch.allclose(ep.module()(x), model(x))}")
try:
    ep.module()(torch.randn(65, 4))
except Exception as e:
    print(f"batch 为 65 时报错 {type(e).__name__}，{str(e).splitlines()[0]}")


# %% [markdown]
# - 报错是 `Guard failed: input.size()[0] == 3`：导出默认把每一维都当作常量（[动态维度](../../deploy/#dynamic)），运行前的检查要求 batch 正好是 3。
# - 用 `dynamic_shapes` 声明第 0 维 `Dim("batch", min=1, max=64)`：范围约束成了 `VR[1, 64]`，batch 为 1、5、64 时都与 eager 一致；65 超出了范围，检查报 `input.size()[0] <= 64`。
# - 下界可以是 1：自己给出范围时，尺寸 1 也在动态范围之内。对比 `Dim.AUTO`，它在没有给范围时的下界是 2。
#
#
# ### 3. 用 torch.cond 导出依赖数据的分支
#
# 模块 `Normalize` 在 `x` 的最大绝对值 `m` 超过 1 时返回 `x / m`，否则原样返回 `x`。`torch.export` 导不出它。用 `torch.cond` 改写，让导出成功，并检查两种输入的结果。
#
# **参考答案**
#

# %% snippet="deploy/exercise_cond.py"
# 练习：Normalize 在最大绝对值超过 1 时才缩放。它导不出来，用 torch.cond 改写，让导出成功。
import contextlib
import io

import torch
from torch import nn


class Normalize(nn.Module):
    def forward(self, x):
        m = x.abs().max()
        if m > 1:  # 依赖数据的分支
            return x / m
        return x


def try_export(model, x):
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # 失败时 export 还会把半张图打印到 stderr
            ep = torch.export.export(model, (x,))
        print(f"{type(model).__name__}：导出成功")
        return ep
    except Exception as e:
        print(f"{type(model).__name__}：导出失败，{type(e).__name__}")
        for line in str(e).splitlines():
            if line.strip().startswith(("Could not guard", "Explanation", "Hint: Replace")):
                print("   ", line.strip())


# 第一次改写：两个分支写成函数，交给 torch.cond
class NormalizeCond(nn.Module):
    def forward(self, x):
        m = x.abs().max()
        return torch.cond(m > 1, lambda t, m: t / m, lambda t, m: t, (x, m))


# 第二次改写：分支不能直接返回输入本身，要返回一份拷贝
class NormalizeCondClone(nn.Module):
    def forward(self, x):
        m = x.abs().max()
        return torch.cond(m > 1, lambda t, m: t / m, lambda t, m: t.clone(), (x, m))


x = torch.tensor([3.0, -4.0])
for cls in (Normalize, NormalizeCond, NormalizeCondClone):
    ep = try_export(cls(), x)
for name, gm in (("导出的图", ep.graph_module), ("true_graph_0", ep.graph_module.true_graph_0),
                 ("false_graph_0", ep.graph_module.false_graph_0)):
    print(f"--- {name} ---")
    print("\n".join(line.split(";")[0] for line in gm.code.strip().splitlines()))
for inp in (torch.tensor([3.0, -4.0]), torch.tensor([0.5, 0.25])):
    print(f"x = {inp.tolist()}：导出的结果 {ep.module()(inp).tolist()}，eager {Normalize()(inp).tolist()}")


# %% [markdown]
# - 原模块报 `GuardOnDataDependentSymNode`：和[严格与非严格](../../deploy/#strict)一节的 `Branchy` 一样，Python 的 `if` 要一个确定的布尔值，而 `m > 1` 依赖数据。
# - 第一次改写把两个分支写成函数交给 `torch.cond`，假分支直接返回输入 `t`，却又失败了：`torch.cond` 的分支不能原样返回它的输入（输出和输入是同一个张量，叫别名）。报错的提示正好给出了改法：把 `return input` 换成 `return input.clone()`。
# - 第二次改写照做，导出成功：主图调用 `torch.ops.higher_order.cond`，`true_graph_0` 里是 `div`，`false_graph_0` 里是一次 `clone`。两种输入的结果都与 eager 一致。
#
#
# ### 4. 选一条部署路线
#
# 下面四种情形，各该走哪一条路？
#
# 1. Python 写的推理服务，想缩短每次请求的耗时；代码里有几句打日志的 `print`。
# 2. 一个 C++ 写的服务，机器上不能装 Python。
# 3. 把模型交给一个只用 onnxruntime 的团队。
# 4. 安卓手机上的一个 App。
#
# **参考答案**
#
#
# 这一题不用写代码，答案都在[怎么选](../../deploy/#choose)一节的表里。
#
# 1. `torch.compile`：运行时本来就有 Python；`print` 只会造成图中断，结果照样正确（[第 4 章](../../compile/#graph-breaks)）。想再省掉服务启动时的编译，可以看第 5 章的[磁盘缓存](../../inductor/#caches)和本章[提前编译](../../deploy/#precompile)的两个原型 API。
# 2. `torch.export` 加 AOTInductor：编译成 `.so`、打包成 `.pt2`，C++ 程序用 `AOTIModelPackageLoader` 加载（[C++ 加载](../../deploy/#aoti-cpp)）。依赖数据的分支先改写成 `torch.cond`（第 3 题）。
# 3. ONNX：`torch.onnx.export` 默认走 `torch.export`，得到的 `.onnx` 文件交给 onnxruntime（[ONNX](../../deploy/#onnx)）。
# 4. ExecuTorch：同样从 `torch.export` 出发，导出 `.pte`，由 ExecuTorch 的运行时执行（[ExecuTorch](../../deploy/#executorch)）。TorchScript 的 lite interpreter 已经弃用，不要再用。
#
