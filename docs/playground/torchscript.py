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
# > 本笔记本由网页 [torchscript.md](../../torchscript/) 生成：文字与页面相同，代码格就是页面嵌入的 `snippets/` 脚本。不要直接修改它，修改页面或脚本后运行 `make notebooks`。
#

# %% [markdown]
# # 第 3 章 TorchScript
#
# **运行环境**
#
# 本章的例子在 CPU 上即可运行，输出来自 PyTorch 2.15.0（CPU）；在 2.13.0 上输出不同的地方，代码块下方折叠着逐行对照。[CUDA 上的融合器](../../torchscript/#fusers)一例需要 NVIDIA GPU 和 CUDA，输出还没有捕获。[C++ 一节](../../torchscript/#cpp)还需要 C++ 编译器（g++ 或 clang++）和 CMake 3.18 以上。
#
#
# 读完这一章你会知道：
#
# - `torch.jit.trace` 和 `torch.jit.script` 怎样把 eager 代码变成图，各自在哪里会悄悄出错；
# - 怎样读 TorchScript 的 IR，它做了哪些优化，为什么在 CPU 上并没有让模型更快；
# - 怎样把模型存成文件、在没有 Python 的 C++ 程序里运行，以及今天该用什么代替它。
#
# 读这一章要先读过[第 1 章](../../paradigms/)（计算图、算子、内核这几个词）。
#
# **先说结论：TorchScript 已经弃用**
#
# 从 2.10 起，`torch.jit` 的各个入口在运行时发出弃用警告；从 2.14 起，这些警告是 `FutureWarning`，普通的 `python x.py` 就会把它们打印出来。新代码应当使用 `torch.compile`（提速）或 `torch.export`（部署）。经过核对的时间线、警告原文和每种用途的替代方案见[本章最后一节](../../torchscript/#status)。
#
# 本章仍然值得读：TorchScript 是 PyTorch 第一次尝试把命令式代码变成图。它遇到的问题（依赖数据的控制流、只能支持 Python 的一个子集、图和 Python 的边界），正是[第 4 章](../../compile/)的 TorchDynamo 要解决的问题。为了让每段输出只剩它要说明的内容，除了最后一节，本章的脚本都在开头用一行 `warnings.filterwarnings` 关掉了这些弃用警告（脚本里有注释说明）。
#
#
# `torch.jit` 这套工具把命令式的 PyTorch 代码转换成一种叫 **TorchScript** 的中间表示（IR），在这张静态的图上做优化，再交给一个不依赖 Python 的 C++ 运行时执行。它想两头都占：写的时候像 eager 一样灵活，跑的时候又能像图一样优化、部署。
#
# TorchScript 这个词有两层意思：它是 Python 的一个**子集**（`torch.jit.script` 能编译的那部分语言），也是编译出来的**图**（IR）和保存它的文件格式。得到 TorchScript 有两种办法：`torch.jit.trace`（追踪）和 `torch.jit.script`（脚本化）。它们的任务是**获取**图；不过拿到图的同时，两者都顺手做了清理（删掉没用的节点，script 还会把常量算好），真正按形状做的优化则发生在运行时。下面几节会从输出里看到这一点。
#
# **“JIT”在 PyTorch 里的两种用法**
#
# JIT（Just-In-Time，即时编译）本来指一类技术：程序运行时才编译，可以用上运行时才知道的形状和类型。在 PyTorch 里，它常常专指 `torch.jit` 模块，也就是本章的 TorchScript；流传的“PyTorch 的 JIT 编译技术”一文说的就是它。但 `torch.compile` 同样是即时编译：第一次调用时才捕获、编译（[第 2 章](../../evolution/#tf-function-vs-compile)的输出里看得到）。本站说“JIT”时指这类技术，说 TorchScript 时才指 `torch.jit`。
#
#
# ## JIT 的流水线
#
# （这里在 [网页版](../../torchscript/) 上有一张示意图。）
#
#
# 和常见的画法（图优化 → 序列化 → 运行）相比，这张图有两处改动，本章后面都会给出证据：
#
# - **大部分优化发生在运行时**。trace 和 script 得到图时只做一些清理（[常量传播和死代码消除](../../torchscript/#dce-constprop)）；保存到文件里的是未经运行时优化的代码（[`torch.jit.load` 读回来的还是原样](../../torchscript/#save-load)）；真正按输入形状做的优化（包括[融合](../../torchscript/#fusers)）发生在加载以后的前几次调用，这正是“即时”编译的含义。`torch.jit.freeze` 则要你自己调用，不调用就不会发生。
# - **移动端这条路已经换了**。TorchScript 的移动端运行时叫 lite interpreter，PyTorch 2.15 调用它时会提示“Lite Interpreter is deprecated. Please consider switching to ExecuTorch”（[证据](../../torchscript/#status)）；今天的移动端和嵌入式部署用 [ExecuTorch](https://docs.pytorch.org/executorch/stable/index.html)，它的输入是 `torch.export` 导出的图，不是 TorchScript。
#
# CPU 和 GPU 也不是两个不同的“后端”：运行时执行的是同一张图，张量在哪个设备上，就跑哪个设备的实现。没有融合的算子（`aten::mul` 之类）调用的就是 eager 模式下同一个 ATen 内核；融合器生成的内核是例外，CPU 和 CUDA 上的情况不同，见[融合器](../../torchscript/#fusers)一节。
#
# ## torch.jit.trace 与 torch.jit.script
#
# ### 同一个函数，两种方式
#
# 下面的 `gate` 根据输入的**值**走不同的分支，这叫依赖数据的控制流（data-dependent control flow）。用一个正数输入去 trace 它，再用 script 编译它，然后各自喂一个负数输入。
#
# 输出的后半部分是 TorchScript IR。先学会读其中一行，`%5 : Long(requires_grad=0, device=cpu) = prim::Constant[value={2}]()`：
#
# - `%5` 是这个值的名字，冒号后面是它的类型：`Long` 类型的零维张量，不需要梯度，在 CPU 上；
# - 等号后面是产生它的节点：`prim::Constant` 是节点的种类（`aten::` 开头的是 ATen 算子，`prim::` 开头的是 TorchScript 自己的常量、控制流、函数调用等节点），方括号里是属性，圆括号里是输入（这里没有）；
# - 行尾的 `# trace_vs_script.py:13:0` 是这个节点对应的源码位置。
#

# %% snippet="torchscript/trace_vs_script.py"
import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


# 输出取决于输入的“值”：这就是依赖数据的控制流
def gate(x):
    if x.sum() > 0:
        return x * 2
    return x - 10


pos = torch.tensor([1.0, 2.0])
neg = torch.tensor([-1.0, -2.0])

# trace 只运行一次 gate(pos)，记下这一次真正执行了的算子
traced = torch.jit.trace(gate, pos)
# script 读 gate 的源代码，把 if 也编译进去
scripted = torch.jit.script(gate)

print("eager   :", gate(pos), gate(neg))
print("traced  :", traced(pos), traced(neg))
print("scripted:", scripted(pos), scripted(neg))
print("traced(neg) 正确吗？", torch.equal(traced(neg), gate(neg)))

print("=== traced.graph ===")
print(traced.graph)
print("=== traced.code ===")
print(traced.code)
print("=== scripted.graph ===")
print(scripted.graph)


# %% [markdown]
# 输出的第一行是 trace 时打印的 `TracerWarning`：`if x.sum() > 0` 要把一个张量变成 Python 的 `bool`，trace 只能记录张量上的运算，记录不了 Python 的值，所以这个判断的结果（这一次是 `True`）当成常量“烧”进了图里。注意它只是**警告**，不是错误：`traced(neg)` 照样返回结果，只是返回了错误的 `[-2., -4.]`（走了 `x * 2` 那一支），正确答案是 `[-11., -12.]`。`torch.jit.script` 的版本两支都对。
#
# 把两张图画出来，差别一眼就能看到。两张图都由脚本的真实运行生成。先看 trace 记下的图，只有 `x * 2` 一个算子：
#
# （这里在 [网页版](../../torchscript/) 上有一张示意图。）
#
#
# 再看 script 编译出的图：`prim::If` 的两支各在一个框里（条件为真时、条件为假时），`x - 10` 那一支 trace 根本没有见过。
#
# （这里在 [网页版](../../torchscript/) 上有一张示意图。）
#
#
# ### 读懂 .graph 与 .code
#
# 同一个输出的后半部分是两张图。`.graph` 是 TorchScript IR 本身，`.code` 是把它翻译回类似 Python 的写法，方便人读。
#
# - **trace 的图只有一个算子**：`aten::mul(%x, %5)`，`%5` 是记录下来的常量 `2`（一个 `Long` 类型的零维张量，所以 `.code` 里写成 `CONSTANTS.c0`）。`if` 和 `x - 10` 不在图里，因为 trace 只看到了实际执行的那一条路径。输入的类型也写得很具体：`Float(2, strides=[1], requires_grad=0, device=cpu)` 是示例输入的类型、形状和设备。
# - **`x.sum()` 其实执行了，只是随后删掉了**。第一行的 `TracerWarning` 指向 `if x.sum() > 0`：trace 确实算了 `x.sum()` 和 `> 0`，并把结果转成了 Python 的 `bool`，这正是警告所说的事。这两个运算的结果只流向了那个 `bool`，没有流向任何输出，追踪结束时 trace 就把这两个没人用的节点删掉了；图里的编号从 `%5` 开始，前面空出来的号就是它们留下的。所以 trace 交出的图已经做过一轮死代码消除，并不是“原样记录”。
# - **script 的图保留了控制流**：`aten::sum`、`aten::gt` 算出一个张量，`aten::Bool` 把它变成布尔值，`prim::If` 带着两个块 `block0`（`x * 2`）和 `block1`（`x - 10`），运行时根据条件选一个。参数的类型只写 `Tensor`，不绑定形状，因为 script 从源码出发，不依赖示例输入。
# - `%x.1`、`%31` 这样的名字是 SSA 形式的值，每个值只赋值一次。编号不连续（`%28`、`%29` 出现在 `%12` 之后），是因为编译时的清理 pass 删掉、又新建了一些节点，[下文](../../torchscript/#dce-constprop)单独演示这两个 pass。
#
# ### 循环被展开，长度被写死
#
# trace 的问题不只在 `if`。Python 的 `for` 循环在追踪时就在 Python 里跑完了，trace 只看到跑出来的一串算子：
#

# %% snippet="torchscript/trace_loop.py"
import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


# 前缀和：第 i 个输出是 x[0] + ... + x[i]。循环次数取决于输入的长度
def prefix_sum(x):
    total = torch.zeros(())
    out = []
    for i in range(x.size(0)):
        total = total + x[i]
        out.append(total)
    return torch.stack(out)


traced = torch.jit.trace(prefix_sum, torch.tensor([1.0, 2.0, 3.0]))  # 用长度 3 的输入追踪
print(traced.code)

x = torch.ones(5)
print("eager 的结果：", prefix_sum(x))
print("trace 的结果：", traced(x))  # 长度 5 的输入：没有警告，也没有报错
print("script 的结果：", torch.jit.script(prefix_sum)(x))  # script 把 for 循环编译进图


# 用长度做除数：x.size(0) 会被记成图里的 aten::size，len(x) 却变成一个常量
def mean_by_size(x):
    return x.sum() / x.size(0)


def mean_by_len(x):
    return x.sum() / len(x)


example = torch.tensor([1.0, 2.0, 3.0])
for fn in (mean_by_size, mean_by_len):
    t = torch.jit.trace(fn, example)
    print(t.code.strip())
    print(f"换成长度 6 的输入：eager 得 {fn(torch.ones(6)).item()}，traced 得 {t(torch.ones(6)).item()}")


# %% [markdown]
# - 用长度 3 的输入追踪，`.code` 里是三组 `torch.select` 和 `torch.add`：循环展开成了 3 步，次数写死在图里。`range()` 要的是一个真正的 Python 整数，循环本身不会进图。
# - 换成长度 5 的输入，traced 版本只返回 3 个数，少了两个，而且**没有任何警告**。script 读源码，把 `for` 循环编译进图，结果正确。
# - 长度直接参与张量运算时，trace 倒能记下来：`x.sum() / x.size(0)` 的图里有 `torch.size(x, 0)`，换长度照样对。`len(x)` 却是一个普通的 Python 整数，trace 把它当常量 `CONSTANTS.c0` 写进图，换成长度 6 就算成了 2.0，这一次好在有一条 `TracerWarning`。
#
# 所以“trace 捕获不了依赖数据的控制流”要说得更宽一些：循环的次数、变成 Python 整数的长度，凡是在 Python 里算完的东西，都会当作常量写进图，多数时候没有任何提示。
#
# ### 什么时候该用 trace
#
# trace 的局限也是它的长处：它不读源码，所以不在乎 Python 代码写得多“动态”，只要**实际执行的算子序列不随输入变化**，trace 的结果就是对的。反过来说，只要 `forward` 里有依赖张量值的 `if`/`while`，或者循环次数依赖输入的值或长度，就不能用 trace。下面这个模型用了 script 不支持的 `functools.reduce`，但它的结构是固定的：
#

# %% snippet="torchscript/trace_when_right.py"
import functools
import operator
import warnings

import torch
from torch import nn

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


class Branches(nn.Module):
    """三个分支相加：没有依赖数据的 if/for，但用了 script 不认识的 functools.reduce。"""

    def __init__(self):
        super().__init__()
        self.branches = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])

    def forward(self, x):
        return functools.reduce(operator.add, [b(x) for b in self.branches])


torch.manual_seed(0)
model = Branches().eval()

try:
    torch.jit.script(model)
except RuntimeError as e:
    print("script 失败：", e)

# trace 不读源代码，只记录执行了的算子：reduce 和列表推导式在 Python 里跑完，留下三个 linear 和两个 add
traced = torch.jit.trace(model, torch.randn(2, 4))
print(traced.code)

# 结构与数据无关，所以换一个 batch 大小也对
x = torch.randn(5, 4)
print("与 eager 一致：", torch.allclose(traced(x), model(x)))


# %% [markdown]
# script 直接拒绝；trace 把列表推导式和 `reduce` 在 Python 里执行完，只留下三次子模块调用和两次 `torch.add`，换一个 batch 大小也与 eager 一致。所以 trace 适合两类代码：没有依赖数据的控制流的模型（大多数 CNN、固定结构的 Transformer 编码器），以及 script 编译不了、改写代价又太大的代码。两种方式也可以混用：script 编译的函数里可以调用 trace 得到的模块，反过来也行。
#
# ## TorchScript 只支持 Python 的一个子集
#
# `torch.jit.script` 要在不运行代码的情况下确定每个变量的类型，所以它只接受静态类型化的 Python 子集。下面是三种最常见的拒绝，每个标签页是一个完整脚本：先给出真实的报错，再给出改法。
#
# **没有类型注解**
#

# %% snippet="torchscript/subset_annotation.py"
import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def show(title, fn):
    try:
        fn()
    except Exception as e:
        print(f"--- {title}: {type(e).__name__}")
        print(str(e).strip())


# 没有类型注解的参数一律当作 Tensor
def scale(x, n):
    return x * n


show("未注解的 int 参数", lambda: torch.jit.script(scale)(torch.ones(2), 3))


def scale_fixed(x: torch.Tensor, n: int) -> torch.Tensor:
    return x * n


print("修正后：", torch.jit.script(scale_fixed)(torch.ones(2), 3))


# %% [markdown]
# **调用编译不了的代码**
#

# %% snippet="torchscript/subset_ignore.py"
import warnings

import numpy as np
import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def show(title, fn):
    try:
        fn()
    except Exception as e:
        print(f"--- {title}: {type(e).__name__}")
        print(str(e).strip())


# 调用 TorchScript 编译不了的代码（这里是 NumPy）
def log1p_np(x):
    arr = x.numpy()
    return torch.from_numpy(np.log1p(arr))


def model(x):
    return log1p_np(x) * 2


show("调用 NumPy", lambda: torch.jit.script(model))


@torch.jit.ignore  # 不编译，留作一次 Python 调用：能运行，但不能脱离 Python
def log1p_np_ignored(x: torch.Tensor) -> torch.Tensor:
    arr = x.numpy()
    return torch.from_numpy(np.log1p(arr))


def model_ignored(x):
    return log1p_np_ignored(x) * 2


scripted = torch.jit.script(model_ignored)
print("ignore 后：", scripted(torch.ones(2)))
show("保存含 ignore 的函数", lambda: torch.jit.save(scripted, "model_ignored.pt"))


class Model(torch.nn.Module):
    def forward(self, x, debug: bool = False):
        if debug:
            return self.debug_dump(x)
        return torch.log1p(x) * 2

    @torch.jit.unused  # 编译时换成 raise：能保存，但调用到它就报错
    def debug_dump(self, x: torch.Tensor) -> torch.Tensor:
        print(np.asarray(x))
        return x


m = torch.jit.script(Model())
torch.jit.save(m, "model_unused.pt")
print("unused 后可以保存：", m(torch.ones(2)))
show("调用被 unused 的方法", lambda: m(torch.ones(2), True))


# %% [markdown]
# **可变参数**
#

# %% snippet="torchscript/subset_kwargs.py"
import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def show(title, fn):
    try:
        fn()
    except Exception as e:
        print(f"--- {title}: {type(e).__name__}")
        print(str(e).strip())


# 可变参数
def total(x, **weights):
    return x * sum(weights.values())


show("**kwargs", lambda: torch.jit.script(total))


def total_fixed(x: torch.Tensor, weights: dict[str, float]) -> torch.Tensor:
    s = 0.0
    for w in weights.values():
        s += w
    return x * s


print("修正后：", torch.jit.script(total_fixed)(torch.ones(2), {"a": 0.5, "b": 1.0}))


# %% [markdown]
# 1. **没有类型注解的参数一律当作 `Tensor`**。`scale(x, n)` 能编译，但传入整数 `3` 时报“Expected a value of type 'Tensor (inferred)' for argument 'n'”，并说明 `n` 因为没有注解，推断成了 `Tensor`。改法是写上注解 `n: int`。
# 2. **调用到的函数也要编译**。`model` 调用的 `log1p_np` 用了 `x.numpy()`，TorchScript 里没有这个方法。报错还指出，编译 `log1p_np` 是因为 `model` 调用了它。两种改法：
#     - `@torch.jit.ignore`：这个函数不编译，留作一次普通的 Python 调用。模型在 Python 里能运行，但 `torch.jit.save` 会失败（“Could not export Python function call”），因为文件里装不下 Python 函数。
#     - `@torch.jit.unused`：编译时把函数体换成抛出异常。模型可以保存、可以在 C++ 里加载；只要不走到这条路径就没事，走到了就报“This Python function is annotated to be ignored and cannot be run”。适合只在调试时用的分支。
# 3. **不支持 `*args`/`**kwargs`**：报错是“Compiled functions can't take variable number of arguments”。改成显式参数，例如一个带类型的 `dict[str, float]`。
#
# 除此之外，`try`/`except`、生成器表达式、大部分标准库和第三方库都不在子集里；[局限](../../torchscript/#limits)一节还有几种依赖运行时动态性的写法。
#
# ## 优化器：编译之后图变成了什么
#
# ### 死代码消除与常量传播
#
# 直接在一张手写的 IR 上依次运行两个 pass，就能看清它们各做什么。这里用的 `torch._C.parse_ir` 和 `torch._C._jit_pass_*` 是内部接口，只用来演示：
#

# %% snippet="torchscript/constant_prop_dce.py"
import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


# 一张手写的 TorchScript IR：2*3 可以在编译期算出，cos 的结果没人用
graph = torch._C.parse_ir(
    """
graph(%x : Tensor):
  %two : int = prim::Constant[value=2]()
  %three : int = prim::Constant[value=3]()
  %scale : int = aten::mul(%two, %three)
  %unused : Tensor = aten::cos(%x)
  %y : Tensor = aten::mul(%x, %scale)
  return (%y)
"""
)
print("=== 优化前 ===")
print(graph)

torch._C._jit_pass_dce(graph)  # 死代码消除：删掉结果没人用、也没有副作用的节点
print("=== 死代码消除之后 ===")
print(graph)

torch._C._jit_pass_constant_propagation(graph)  # 常量传播：输入全是常量的节点在编译期算掉
print("=== 常量传播之后 ===")
print(graph)


# torch.jit.script 编译时已经跑过这些清理 pass：源码里的常量表达式、
# 永远不成立的分支和无用的计算都不会出现在 .graph 里
@torch.jit.script
def f(x):
    scale = 2 * 3
    unused = x.cos()
    if scale > 10:
        x = x + 100
    return x * scale


print("=== torch.jit.script 的结果 ===")
print(f.graph)


# %% [markdown]
# - **死代码消除**（dead code elimination，DCE）删掉了 `%4 = aten::cos(%x)`：没有任何节点用到它的结果，它也没有副作用。
# - **常量传播**（constant propagation）发现 `aten::mul(%1, %2)` 的两个输入都是常量，于是在编译期算出 `6`，换成一个新常量；`2` 和 `3` 两个常量随之没有了使用者，也一并清掉。
#
# 最后一张图说明，普通用户不用手动做这些：`torch.jit.script` 编译时就已经运行了这类清理，源码里的 `2 * 3`、没人用的 `x.cos()` 和永远不成立的 `if scale > 10` 都没有出现在 `.graph` 里。
#
# ### 冻结：torch.jit.freeze 与 optimize_for_inference
#
# 模块和普通函数不同，它带着参数。script 之后，参数仍然是模块的属性，`forward` 里也还留着 `self.training` 这样的判断，因为编译器不能假定它们以后不变。`torch.jit.freeze` 就是让你承诺“它们不会再变”（模块必须处于 `eval()` 模式）：
#

# %% snippet="torchscript/freeze.py"
import warnings

import torch
from torch import nn

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


class ConvBNReLU(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


def count_nodes(graph):
    return sum(1 for _ in graph.nodes())


torch.manual_seed(0)
model = ConvBNReLU().eval()
x = torch.randn(1, 3, 8, 8)

scripted = torch.jit.script(model)
print("=== script 之后（forward 里只是调用子模块）===")
print(scripted.graph.str(False).rstrip())
# 把子模块的 forward 内联进来，才看得到真正要执行的全部节点
inlined = scripted.graph.copy()
torch._C._jit_pass_inline(inlined)
print("内联后的节点数：", count_nodes(inlined))

# freeze：参数和属性变成常量，self.training 的分支被删掉，BN 折叠进卷积
frozen = torch.jit.freeze(scripted)
print("=== torch.jit.freeze 之后 ===")
print(frozen.graph.str(False).rstrip())
print("节点数：", count_nodes(frozen.graph))

# optimize_for_inference：在 freeze 的基础上再做面向推理的改写（CPU 上换成 oneDNN/MKLDNN 卷积）
optimized = torch.jit.optimize_for_inference(torch.jit.script(model))
print("=== torch.jit.optimize_for_inference 之后 ===")
print(optimized.graph.str(False).rstrip())

with torch.no_grad():
    expected = model(x)
    print("freeze 结果一致：", torch.allclose(frozen(x), expected, atol=1e-5))
    print("optimize_for_inference 结果一致：", torch.allclose(optimized(x), expected, atol=1e-5))


# %% [markdown]
# - script 之后，`forward` 的图里只有对子模块的 `prim::CallMethod`；把子模块内联进来，顶层共有 33 个节点，多数来自 `BatchNorm2d.forward` 里训练模式的判断（`count_nodes` 只数顶层，不数 `if` 块里面的节点）。
# - `torch.jit.freeze` 之后只剩 7 个节点（同样只数顶层）：参数变成了 `prim::Constant`，常量传播和死代码消除删掉了训练模式的分支，BatchNorm 也**折叠**进了卷积：权重和偏置换成了预先算好的 `weight_fused_bn`、`bias_fused_bn`，推理时少了一整个 BN 算子。
# - `torch.jit.optimize_for_inference` 在冻结的基础上再做面向推理的改写。在本站的 x86 CPU 上，它把卷积换成了 oneDNN（原名 MKLDNN）的 `prim::mkldnn_convolution`，权重预先转成 oneDNN 的内存布局，输入输出前后各有一次 `to_mkldnn`/`to_dense` 转换。这类改写依赖硬件和 PyTorch 的编译选项，换一台机器结果可能不同。
#
# 两种优化后的结果都与 eager 一致（最后两行）。
#
# ### 融合器今天做什么
#
# 算子融合（把 `mul`、`add`、`relu`、`sigmoid` 这样的逐元素运算合成一个内核，中间结果不写回内存）常被当作 TorchScript 的招牌优化。它要两样东西：运行时的剖析执行器（profiling executor）先在前几次调用里记下形状，再由一个**融合器**生成融合后的内核。PyTorch 2.15 里的几个融合器，默认状态如下：
#
# | 融合器 | CPU 上默认 | CUDA 上默认 | 现状 |
# | --- | --- | --- | --- |
# | NNC（TensorExpr，`fuser1`） | 不融合 | 融合（依据源码） | 随 TorchScript 弃用 |
# | oneDNN Graph（`fuser3`） | 打开才融合 | 不用于 GPU | 随 TorchScript 弃用 |
# | nvFuser（`fuser2`） | 不用于 CPU | 已移除 | 已移除 |
#
# 表里的名字 `fuser1` 等是 `torch.jit.fuser()` 接受的参数。CPU 上 NNC 不融合，是因为官方 wheel 包编译时没带 LLVM；CUDA 上 NNC 生成 `prim::TensorExprGroup`，这一格本站还没有在 GPU 上验证。oneDNN Graph 要用 `torch.jit.enable_onednn_fusion(True)` 打开。
#
# 在 CPU 上实际看一看：
#

# %% snippet="torchscript/fusers_cpu.py"
import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def kinds(graph):
    """优化后图里的节点种类（去掉常量和 profiling 用的 prim::profile）。"""
    skip = {"prim::Constant", "prim::profile"}
    return [n.kind() for n in graph.nodes() if n.kind() not in skip]


def make_pointwise():
    # 每次返回一个新的函数对象：torch.jit.script 按函数对象缓存编译结果
    def pointwise(x, y):
        return (x * y + 1.0).relu().sigmoid()

    return pointwise


x, y = torch.randn(1000), torch.randn(1000)

# 默认设置：NNC（TensorExpr）融合器开着，但不允许在 CPU 上融合
print("texpr fuser enabled:", torch._C._jit_texpr_fuser_enabled())
print("can fuse on CPU    :", torch._C._jit_can_fuse_on_cpu())

f = torch.jit.script(make_pointwise())
for _ in range(3):  # profiling executor：前几次调用收集形状信息，之后才优化
    f(x, y)
print("默认：", kinds(torch.jit.last_executed_optimized_graph()))

# 强行允许 CPU 融合：官方 wheel 包编译时没带 LLVM，NNC 生成不了 CPU 代码
torch._C._jit_override_can_fuse_on_cpu(True)
g = torch.jit.script(make_pointwise())
try:
    for _ in range(3):
        g(x, y)
except RuntimeError as e:
    print("允许 CPU 融合后：", e)
torch._C._jit_override_can_fuse_on_cpu(False)

# 另一条路：oneDNN Graph 融合器（默认关闭，要显式打开）
torch.jit.enable_onednn_fusion(True)
h = torch.jit.script(make_pointwise())
for _ in range(3):
    h(x, y)
print("=== oneDNN Graph 融合后的图 ===")
print(torch.jit.last_executed_optimized_graph().str(False))
print("结果一致：", torch.allclose(h(x, y), make_pointwise()(x, y)))

# nvFuser 曾是 TorchScript 在 CUDA 上的融合器；现在的 torch 里这个开关只剩一条警告
torch._C._jit_set_nvfuser_enabled(True)
print("nvFuser enabled:", torch._C._jit_nvfuser_enabled())


# %% [markdown]
# **完整输出**
#
#
#
# - **默认不融合**：NNC 本身是打开的（`texpr fuser enabled: True`），但不允许在 CPU 上融合（`can fuse on CPU: False`）。调用三次以后，优化过的图里仍然是四个独立的 ATen 算子。
# - **强行打开也不行**：官方 wheel 包编译时没有带 LLVM，NNC 生成不了 CPU 代码，报“LLVM Backend not found”。
# - **oneDNN Graph 融合器**打开以后确实融合了：四个算子进了一个 `prim::oneDNNFusionGroup_0`。它前面的 `prim::oneDNNFusionGuard` 检查输入的类型和形状是否与剖析时一致，不一致就走 `fallback_function`，回到未融合的图。这个“先检查、不符就回退”的结构，在第 4 章 TorchDynamo 的 guard 里还会再见到。
# - **nvFuser 已经从 TorchScript 里移除**：打开它的开关只剩一条“nvfuser is no longer supported in torch script”的警告，状态是 `None`。
#
# CUDA 上的情况不同。NNC 为 GPU 生成代码不需要 LLVM，GPU 上的融合默认是允许的，所以在 CUDA 上，剖析过的图里应该出现 `prim::TensorExprGroup`。下面的例子在 GPU 上运行同一个函数，打印优化后图里的节点种类；它的输出要等借到 GPU 才能捕获，在那之前，这一段只有源码作依据。
#

# %% [markdown]
# > 下一格需要 NVIDIA GPU（CUDA）。在只有 CPU 的环境里它会报错，可以跳过。
#

# %% snippet="torchscript/fuser_cuda.py" tags=["requires-cuda"]
import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


assert torch.cuda.is_available(), "这个例子需要 NVIDIA GPU"


def pointwise(x, y):
    return (x * y + 1.0).relu().sigmoid()


print("can fuse on GPU:", torch._C._jit_can_fuse_on_gpu())
f = torch.jit.script(pointwise)
x, y = torch.randn(1000, device="cuda"), torch.randn(1000, device="cuda")
for _ in range(3):  # profiling executor：前几次调用收集形状信息，之后才优化
    f(x, y)
graph = torch.jit.last_executed_optimized_graph()
print("节点种类：", sorted({n.kind() for n in graph.nodes()} - {"prim::Constant"}))
print(graph.str(False))
print("结果一致：", torch.allclose(f(x, y), pointwise(x, y)))


# %% [markdown]
# **这段代码需要 GPU，输出尚未捕获**
#
# 本站的输出在没有 GPU 的机器上捕获。这段代码只能在 NVIDIA GPU 上运行：CPU 上的测试会跳过它并说明原因，CI 的 CUDA 任务才会运行它。在 GPU 上真正运行并捕获输出之前，这里只给出代码——本站不展示没有真实运行过的结果。
#
# **源码在哪里**
#
# - 融合的默认开关：wheel 包里的 `torch/include/torch/csrc/jit/codegen/fuser/interface.h` 第 31–39 行，`overrideCanFuseOnCPU` 的注释写着 CPU 上的融合“disabled by default due to flakiness”，`overrideCanFuseOnGPU` 的注释写着 GPU 上“enabled by default”。Python 里对应 `torch._C._jit_can_fuse_on_cpu()`、`torch._C._jit_can_fuse_on_gpu()`。
# - 四个融合器的名字和开关：`torch/jit/_fuser.py` 的 `fuser()`，`fuser0` 是更早的旧融合器，`fuser1` 是 NNC，`fuser2` 是 nvFuser，`fuser3` 是 oneDNN Graph；`fuser3` 会关掉 GPU 上的融合。
#
#
# 今天想要融合，无论 CPU 还是 GPU，都应该用 `torch.compile`：TorchInductor 在 CPU 上生成 C++/OpenMP 代码，在 GPU 上生成 Triton 内核，见[第 5 章](../../inductor/)。
#
# ### TorchScript 能让模型更快吗
#
# 流传的说法把“性能提升”列为 JIT 的第一条优势：图优化和算子融合减少内核启动和内存访问。本站在 CPU 上实测了 eager、TorchScript（`script` 再 `freeze`，就是上面几节的做法）和 `torch.compile`，数据见[性能实测](../../benchmarks/#cpu-上的结果)：
#
# - MLP 和 Transformer 块上，TorchScript 与 eager 相差无几。
# - 逐元素运算链上，TorchScript 有的尺寸比 eager 还慢；同一条运算链，`torch.compile` 快了好几倍。
#
# 下面几行由测量脚本从最新一次结果算出，不是手写的：
#
# - 逐元素运算链（8 个逐元素运算）：TorchScript 相对 eager 的加速比在 0.61× 到 1.12× 之间。- 逐元素运算链（8 个逐元素运算）：torch.compile 相对 eager 的加速比在 3.51× 到 11.45× 之间。- MLP（3 个 Linear + GELU）：TorchScript 相对 eager 的加速比在 0.95× 到 1.01× 之间。- Transformer 块（注意力 + MLP）：TorchScript 相对 eager 的加速比在 0.94× 到 1.06× 之间。
# 原因就在上一节：CPU 上 TorchScript 不融合，逐元素运算链照样一个算子一个内核，每一步都把整个张量读写一遍。GPU 上 NNC 会融合，结果可能不同，但本站还没有 GPU 上的测量。
#
# ### 并行：fork 与 wait
#
# “图可以更好地利用设备并行性”要打个折扣：TorchScript 不会自动把一张图拆开并行执行。单个算子内部的多线程（intra-op）在 eager 模式下本来就有；图能额外提供的是**算子之间**的并行（inter-op），而这需要你用 `torch.jit.fork` 显式地把一段计算交给线程池，再用 `torch.jit.wait` 取回结果：
#

# %% snippet="torchscript/parallel.py"
import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def branch(x, w):
    return torch.tanh(x @ w)


@torch.jit.script
def two_branches(x, w1, w2):
    future = torch.jit.fork(branch, x, w1)  # 交给 inter-op 线程池异步执行
    b = branch(x, w2)  # 当前线程同时计算另一支
    a = torch.jit.wait(future)
    return a + b


torch.manual_seed(0)
x, w1, w2 = torch.randn(64, 64), torch.randn(64, 64), torch.randn(64, 64)
print(two_branches.graph)
print("与 eager 一致：", torch.allclose(two_branches(x, w1, w2), branch(x, w1) + branch(x, w2)))


# %% [markdown]
# 图里 `prim::fork_0` 是一个子图，返回的是 `Future[Tensor]`；当前线程接着算 `%b.1`，最后 `aten::wait` 等待另一支的结果。
#
# ## 序列化与脱离 Python 运行
#
# ### torch.jit.save 与 torch.jit.load
#
# `torch.jit.save` 把代码（TorchScript）和参数一起写进一个 zip 格式的 `.pt` 文件。加载它不需要定义模型的 Python 类，只需要 `torch`：
#

# %% snippet="torchscript/save_load.py"
import subprocess
import sys
import warnings

import torch
from torch import nn

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 2)

    def forward(self, x):
        y = self.linear(x)
        if x.sum() > 0:  # 依赖数据的分支：script 把它保存在模型文件里
            return y.relu()
        return -y


def show(label, y):
    # 与 run_model.cpp 同样的格式：保留 4 位小数
    print(f"{label} =" + "".join(f" {v:.4f}" for v in y.flatten().tolist()))


torch.manual_seed(0)
model = torch.jit.script(Gate().eval())
torch.jit.save(model, "gate.pt")  # 代码（TorchScript）+ 参数，一个 zip 文件

x = torch.linspace(0, 1, 8).reshape(2, 4)  # x 走 if 分支，-x 走另一支
with torch.no_grad():
    print("--- 保存它的进程")
    show("y(x) ", model(x))
    show("y(-x)", model(-x))

# 另一个 Python 进程：只 import torch，没有 Gate 这个类，照样能加载并运行
loader = """
import torch
m = torch.jit.load("gate.pt")
print(m.code)
"""
print("--- 新进程里 torch.jit.load 得到的代码")
print(subprocess.run([sys.executable, "-c", loader], capture_output=True, text=True, check=True).stdout)


# %% [markdown]
# 新进程里根本没有 `Gate` 这个类，却拿到了完整的 `forward`，包括那个依赖数据的 `if`。读回来的 `.code` 也说明，文件里存的是编译后、还没经过运行时优化的代码。这就是它与 `torch.save(model.state_dict())` 的根本区别：后者只存参数，加载时必须有原来的 Python 代码。
#
# ### 在 C++ 里加载：torch::jit::load
#
# 同一个 `gate.pt` 可以在一个完全没有 Python 的 C++ 程序里运行。PyTorch 的 C++ 库 libtorch 不需要另外下载：pip 安装的 torch wheel 包里就带着它的头文件和共享库，`torch.utils.cpp_extension` 能告诉你它们在哪里。
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
# `snippets/torchscript/CMakeLists.txt`:
#
# ```cmake
# # 用 pip 安装的 torch wheel 包里自带的 libtorch 编译 run_model.cpp。
# # 不用 find_package(Torch)：CUDA 版 wheel 包的 CMake 配置要求机器上有完整的 CUDA 工具包，
# # 而这个程序只在 CPU 上运行，只需要 wheel 包里的头文件和 libtorch、libtorch_cpu、libc10。
# # TORCH_INCLUDE_DIRS、TORCH_LIBRARY_DIR、TORCH_CXX11_ABI 由 build.sh 从 Python 里取得。
# cmake_minimum_required(VERSION 3.18)
# project(run_model LANGUAGES CXX)
#
# add_executable(run_model run_model.cpp)
# target_include_directories(run_model PRIVATE ${TORCH_INCLUDE_DIRS})
# # 必须与 libtorch 编译时的 libstdc++ ABI 一致
# target_compile_definitions(run_model PRIVATE _GLIBCXX_USE_CXX11_ABI=${TORCH_CXX11_ABI})
# target_link_directories(run_model PRIVATE ${TORCH_LIBRARY_DIR})
# target_link_libraries(run_model PRIVATE torch torch_cpu c10)
# set_target_properties(run_model PROPERTIES BUILD_RPATH ${TORCH_LIBRARY_DIR})
# # PyTorch 2.15 的头文件要求 C++20
# target_compile_features(run_model PRIVATE cxx_std_20)
# ```
#
#
# `snippets/torchscript/build.sh`:
#
# ```bash
# #!/usr/bin/env bash
# # 编译 run_model：bash build.sh [构建目录]，之后运行 <构建目录>/run_model gate.pt
# set -euo pipefail
# here="$(cd "$(dirname "$0")" && pwd)"
# build_dir="${1:-$here/build}"
# python="${PYTHON:-python}"
#
# # torch wheel 包里就有 libtorch 的头文件和库；它们的位置、ABI 设置都从 Python 里问
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
# 在 `snippets/torchscript/` 目录下先运行 `python save_load.py` 得到 `gate.pt`，再 `bash build.sh`，然后运行 `build/run_model gate.pt`：
#
# `snippets/torchscript/run_model_output.txt`:
#
# ```text
# y(x)  = 0.0000 0.3185 0.0000 0.5060
# y(-x) = -0.1926 0.0539 -0.4869 0.2414
# ```
#
#
# 与上一节 Python 打印的两行逐字相同，两个分支都对。几点说明：
#
# - `torch::jit::load` 返回一个 `torch::jit::script::Module`，`forward` 接受和返回的都是 `IValue`（TorchScript 里任意类型的值），所以要用 `.toTensor()` 取出张量。
# - `build.sh` 从 Python 里问出三样东西交给 CMake：头文件目录（`cpp_extension.include_paths()`）、库目录（`cpp_extension.library_paths()`）和 libstdc++ 的 ABI 设置（`torch._C._GLIBCXX_USE_CXX11_ABI`）。C++ 程序必须和 libtorch 使用同一种 ABI，所以 `CMakeLists.txt` 用这个值定义 `_GLIBCXX_USE_CXX11_ABI`。2.15 的头文件要求 C++20。
# - wheel 包里也带着 CMake 配置（`torch.utils.cmake_prefix_path`），可以 `find_package(Torch)`。但 PyPI 上 Linux 版的 torch 是 CUDA 版，这份 CMake 配置要求机器上有完整的 CUDA 工具包，在只有 CPU 的机器上配置就会失败（“Your installed Caffe2 version uses CUDA but I cannot find the CUDA libraries”）。这个程序只在 CPU 上运行，只需要 `libtorch`、`libtorch_cpu` 和 `libc10`，所以直接链接它们，CPU 版和 CUDA 版的 wheel 包都能编译。
# - 编译要包含 libtorch 庞大的头文件，在本站 2 核的测试机上冷编译要十几秒到半分钟。测试 `tests/content/test_cpp_runtime.py` 用的就是这里的 `build.sh`：它把编好的程序按源码、torch 版本和编译器的哈希缓存在 `.cache/cpp_runtime/` 下，然后运行 `save_load.py` 和 `run_model`，检查两边的输出逐字相同，也与上面显示的输出相同。
#
# ## 局限
#
# ### 调试难
#

# %% snippet="torchscript/limits_debug.py"
import os
import subprocess
import sys
import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def show(title, fn):
    try:
        fn()
        print(f"--- {title}：没有报错")
    except Exception as e:
        print(f"--- {title}: {type(e).__name__}")
        print(str(e).strip())


# 调试：出错时看到的是 TorchScript 解释器的调用栈，不是 Python 的
@torch.jit.script
def project(x, w):
    h = x + 1
    return h @ w


show("运行时出错", lambda: project(torch.ones(2, 3), torch.ones(2, 3)))


# 也不能在编译过的代码里设断点
def with_breakpoint(x):
    breakpoint()
    return x


show("breakpoint()", lambda: torch.jit.script(with_breakpoint))

# 调试时的办法：PYTORCH_JIT=0 让 torch.jit.script/trace 原样返回 Python 函数，
# 于是 pdb、print、IDE 断点都能用。环境变量要在 import torch 之前设好，所以用子进程演示
demo = "import torch\ndef f(x):\n    return x + 1\nprint(type(torch.jit.script(f)).__name__)"
env = {**os.environ, "PYTORCH_JIT": "0"}
out = subprocess.run([sys.executable, "-c", demo], env=env, capture_output=True, text=True, check=True)
print("默认：torch.jit.script 返回", type(project).__name__)
print("PYTORCH_JIT=0: torch.jit.script 返回", out.stdout.strip())


# %% [markdown]
# 编译后的代码在 TorchScript 解释器里运行，出错时得到的是“The following operation failed in the TorchScript interpreter”加上一段 TorchScript 的调用栈。它能指到源码的行，但没法在那里停下来看变量：`breakpoint()` 和 `pdb` 都不在子集里，`print` 虽然可用，却要改代码、重新编译。
#
# 常用的办法是设置环境变量 `PYTORCH_JIT=0`，让 `torch.jit.script` 和 `torch.jit.trace` 原样返回 Python 函数（输出的最后两行：得到的是 `function` 而不是 `ScriptFunction`），在 eager 模式下调试完再打开。trace 出来的模型更难查：错的结果不会报错（见[上文](../../torchscript/#same-function)和[循环的例子](../../torchscript/#trace-loops)），只能靠和 eager 对比输出发现。
#
# ### 动态结构受限
#

# %% snippet="torchscript/limits_dynamic.py"
import warnings

import torch
from torch import nn

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def show(title, fn):
    try:
        fn()
        print(f"--- {title}：没有报错")
    except Exception as e:
        print(f"--- {title}: {type(e).__name__}")
        print(str(e).strip())


# 动态结构：类型必须在编译期确定
def log_steps(x):
    steps = []
    steps.append(x)
    steps.append("done")  # 列表里混入另一种类型
    return steps


show("混合类型的列表", lambda: torch.jit.script(log_steps))


class Cache(nn.Module):
    def forward(self, x):
        self.last = x  # 运行时才给模块添加属性
        return x


show("运行时添加属性", lambda: torch.jit.script(Cache()))


def depth(n: int) -> int:
    return 0 if n == 0 else 1 + depth(n - 1)


show("递归", lambda: torch.jit.script(depth))


# %% [markdown]
# script 能编译 `if`、`for`、`while`，但要求每个值的类型在编译期就确定：
#
# - 列表、字典里的元素必须是同一种类型，往一个装着 `Tensor` 的列表里追加字符串就会失败；
# - 模块的属性必须在 `__init__` 里创建好，不能在 `forward` 里临时添加；
# - 不支持递归调用，所以树、图这类递归的数据结构很难直接表达。
#
# 这些正是 eager 模式最自然的写法，也是 TorchScript 在研究代码里推广不开的原因。
#
# ## TorchScript 的现状
#
# 一句话：TorchScript 已经弃用，新代码不要再用它；已有的 `.pt` 模型仍然可以加载。弃用不是在某一个版本里一次完成的，下表逐个版本核对了 PyTorch 发布在 PyPI 上的 wheel 包：源码里的运行时警告、文档字符串里的标注，以及发布日期（PyPI 上传日期）。
#
# | 版本 | 发布 | `torch.jit` 入口在运行时 | 文档字符串 |
# | --- | --- | --- | --- |
# | 2.5.0、2.9.0 | 2024 年 10 月、2025 年 10 月 | 不发警告（手工核对源码） | 没有弃用标注 |
# | 2.10.0 | 2026 年 1 月 | 发出 `DeprecationWarning`（默认看不到） | 没有弃用标注 |
# | 2.11.0 | 2026 年 3 月 | 同上 | 出现 `.. deprecated:: 2.5`，把弃用的起点记在 2.5 |
# | 2.12.0、2.13.0 | 2026 年 5 月、7 月 | 同上 | 同上 |
# | 2.14.0 起（2.15.0） | 2026 年 9 月、10 月 | 改为 `FutureWarning`，默认就会打印 | 同上 |
#
# PyTorch 的开发者在 2.11 发布后关闭大批 TorchScript 问题时，给的理由都是“TorchScript 自 2.11 起已经弃用，改用 `torch.export`”（例如 [pytorch/pytorch#149223](https://github.com/pytorch/pytorch/issues/149223)）。所以 `.. deprecated:: 2.5` 是事后补上的标注：2.5 的源码里既没有这句标注，也没有任何运行时警告。
#
# 在 2.15 上，调用任何一个 `torch.jit` 入口都会打印一条 `FutureWarning`，每条都写明了替代方案。下面把常用的入口各调用一遍，先按 Python 默认的过滤规则，再打开全部警告（命令行上是 `python -W always x.py`）：
#

# %% snippet="torchscript/status.py"
import inspect
import warnings

import torch


def double(x):
    return x * 2


def use_torchscript():
    """把 torch.jit 的常用入口各调用一次。"""
    x = torch.ones(2)
    scripted = torch.jit.script(double)
    torch.jit.trace(double, x)
    torch.jit.save(scripted, "double.pt")
    torch.jit.load("double.pt")
    torch.jit.freeze(torch.jit.script(torch.nn.Linear(2, 2).eval()))
    # 移动端的 lite interpreter 格式
    torch.jit.script(torch.nn.Linear(2, 2))._save_for_lite_interpreter("linear.ptl")


def warnings_seen(action=None):
    """调用一遍 torch.jit 的入口，返回出现过的警告（类别，消息），去重并保持顺序。"""
    with warnings.catch_warnings(record=True) as caught:
        if action:
            warnings.simplefilter(action)
        use_torchscript()
    return list(dict.fromkeys((w.category.__name__, " ".join(str(w.message).split())) for w in caught))


# Python 默认的过滤规则：平时 python x.py 看到的就是这些
shown = warnings_seen()
print(f"torch {torch.__version__.split('+')[0]}，默认规则下显示的警告：")
for category, message in shown:
    print(f"  {category}: {message}")

# 打开全部警告（命令行上是 python -W always x.py）后，多出来的就是默认规则隐藏了的
hidden = [w for w in warnings_seen("always") if w not in shown]
print("默认规则隐藏、打开全部警告才看到的：", "无" if not hidden else f"{len(hidden)} 条")
for category, message in hidden:
    print(f"  {category}: {message}")

# 文档里的标注（docstring 就是 API 文档的来源）
doc = inspect.getdoc(torch.jit.freeze).splitlines()
start = next(i for i, line in enumerate(doc) if "deprecated::" in line)
print("torch.jit.freeze 的文档：", " ".join(line.strip() for line in doc[start : start + 2]))


# %% [markdown]
# 最后一行是文档里的标注。lite interpreter 有两条警告，一条 `DeprecationWarning`、一条 `FutureWarning`：它的函数上同时有 `@deprecated` 装饰器和函数体里的 `warnings.warn`，各发一条。
#
# **版本差异：为什么 2.10 到 2.13 上平时看不到这些警告**
#
# 警告的类别决定了读者能不能看到它。Python 默认的过滤规则只显示归属于 `__main__` 的 `DeprecationWarning`，而 `torch.jit` 的警告归属于 torch 内部的模块，所以在 2.10 到 2.13 上平时几乎看不到；`FutureWarning` 则总是显示。
#
# 在 2.15 上，默认规则已经显示了全部警告，“打开全部警告才看到的”一项是“无”。展开输出下方的 2.13.0 对照可以看到，那里默认只显示 lite interpreter 一条（它用 `stacklevel=2` 把警告归到了调用者 `__main__`），其余五条要打开全部警告才出现。
#
# 另外，2.15 的源码里 `torch.jit.script` 在 Python 3.14 上会换一句更严厉的警告：“is not supported in Python 3.14+ and may break”。
#
#
# 按用途对照：
#
# | 过去用 TorchScript 做什么 | 现在用什么 | 说明 |
# | --- | --- | --- |
# | 让训练或推理更快（融合、减少 Python 开销） | `torch.compile` | TorchDynamo 在 Python 字节码层面捕获图，不要求代码属于某个子集，遇到不支持的部分就退回 eager；TorchInductor 负责融合和代码生成。见[第 4 章](../../compile/)和[第 5 章](../../inductor/)。 |
# | 导出模型、在服务器上不带 Python 部署 | `torch.export` + AOTInductor | `torch.export` 得到完整、可序列化的图（`.pt2`）；AOTInductor 把它提前编译成共享库，由 C++ 加载运行。[第 6 章](../../deploy/#aoti-cpp)把本章的 `torch::jit::load` 程序和它的替代者并排放在一起。 |
# | 移动端、嵌入式 | ExecuTorch | 同样以 `torch.export` 的图为输入，取代 lite interpreter（`_save_for_lite_interpreter` 的警告原文就是这么说的）；见[第 6 章](../../deploy/#executorch)。 |
# | 读懂和维护已有的 `.pt` TorchScript 模型 | 仍然是 `torch.jit.load` / `torch::jit::load` | 弃用不等于删除：本章的例子在 2.13 和 2.15 上都能运行，已有模型可以继续加载，但不要再基于它开发新东西。 |
#
# ## 小结
#
# | 流传的说法 | 在 PyTorch 2.15 上的实际情况 | 证据 |
# | --- | --- | --- |
# | trace 用示例输入运行一遍、记录算子，捕获不了依赖数据的控制流 | 对，而且多半不报错：`if` 的分支只留下一条 `TracerWarning`；`for` 循环展开、次数写死，连警告都没有 | [trace 与 script](../../torchscript/#same-function)、[循环](../../torchscript/#trace-loops) |
# | script 解析源码，能捕获所有控制流，但只支持 Python 子集 | 能捕获子集内的 `if`/`for`/`while`；递归、混合类型的容器、运行时添加属性都不行 | [子集](../../torchscript/#subset)、[局限](../../torchscript/#limits) |
# | trace/script 只是获取图，不做优化 | 基本对：它们的任务是获取图，但交出的图已经做过清理（trace 删掉了结果只流向 Python `bool` 的 `x.sum()`，script 做了常量传播和死代码消除）；按形状做的优化在运行时 | [.graph 与 .code](../../torchscript/#graph-code)、[常量传播与死代码消除](../../torchscript/#dce-constprop) |
# | 优化器做算子融合、常量传播、死代码消除 | 常量传播和死代码消除在编译时就做；freeze 还会折叠 BN。融合：CPU 上默认不做（官方 wheel 包没有 LLVM）；CUDA 上 NNC 默认融合（依据源码，尚未在 GPU 上运行）；nvFuser 已移除 | [优化器](../../torchscript/#optimizer)、[融合器](../../torchscript/#fusers) |
# | 图优化和融合带来性能提升 | CPU 上没有：TorchScript 与 eager 相差无几，逐元素运算链上有时更慢；`torch.compile` 在那里快好几倍 | [能更快吗](../../torchscript/#speed)、[性能实测](../../benchmarks/#cpu-上的结果) |
# | 优化后的模型可以在无 Python 的 C++ 运行时执行 | 对，本站用 CMake 和 wheel 包自带的 libtorch 编译并测试了 | [C++](../../torchscript/#cpp) |
# | 支持 GPU、CPU 和移动端 | GPU、CPU 对；移动端的 lite interpreter 已弃用，改用 ExecuTorch | [现状](../../torchscript/#status) |
# | 图优化能更好地利用并行性 | 只有用 `torch.jit.fork`/`wait` 显式写出的算子间并行 | [并行](../../torchscript/#parallel) |
# | 在 PyTorch 2.x 里 JIT 仍在使用 | TorchScript 仍然可用，但整个 `torch.jit` 已经弃用，由 `torch.compile` 和 `torch.export` 取代；`torch.compile` 本身也是一种即时编译 | [现状](../../torchscript/#status) |
#
# ## 练习
#
# 第一题运行代码、解释输出，后三题动手改代码。每题先自己做，再展开参考答案对照；答案里的脚本和本章其他例子一样，输出来自真实的运行。
#
# ### 1. 训练模式下 trace 的 Dropout
#
# `nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))` 刚建好时处于训练模式。直接 `torch.jit.trace` 它，再对模型和 traced 版本都调用 `.eval()`，用同一个输入连续调用两次：eager 的两次结果相同，traced 的却不同。为什么？trace 时其实已经有提示，是哪一句？怎样改？
#
# **参考答案**
#

# %% snippet="torchscript/exercise_trace_dropout.py"
# 练习：在训练模式下 trace 一个带 Dropout 的模型，再切到 eval()。为什么输出还在变？
import warnings

import torch
from torch import nn

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))  # 新建的模块默认处于训练模式
x = torch.ones(1, 4)

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", torch.jit.TracerWarning)
    traced = torch.jit.trace(model, x)
for w in caught:  # trace 默认会用同一个输入再运行一次、比较结果（check_trace）
    print(f"trace 时的警告 {w.category.__name__}：{str(w.message).splitlines()[0]}")

print("Dropout 那一层的代码：", getattr(traced, "1").code.strip().splitlines()[-1].strip())
model.eval()
traced.eval()
with torch.no_grad():
    print(f"eval() 之后连续调用两次，结果相同吗？eager：{torch.equal(model(x), model(x))}，"
          f"traced：{torch.equal(traced(x), traced(x))}")

# 改法：先 eval()，再 trace
traced_eval = torch.jit.trace(model, x)
print("先 eval() 再 trace：", getattr(traced_eval, "1").code.strip().splitlines()[-1].strip())
with torch.no_grad():
    print("与 eager 一致：", torch.equal(traced_eval(x), model(x)))


# %% [markdown]
# - Dropout 按 `self.training` 决定要不要随机置零。`self.training` 是一个普通的 Python 布尔值，trace 把它当常量写进了图：`torch.dropout(argument_1, 0.5, True)` 的最后一个参数就是“训练模式”。之后的 `.eval()` 只改了模块的属性，图不再读它，所以 traced 版本照样随机置零。
# - 提示是第一行的 `TracerWarning`：trace 默认用同一个输入再运行一遍、比较结果（`check_trace`），两次 Dropout 随机置零的位置不同，它就报告输出对不上。
# - 改法：先 `model.eval()` 再 trace，图里成了 `torch.dropout(..., False)`，结果与 eager 一致。用 script 也行：它编译 `forward` 的源码，`self.training` 的判断留在图里（见[冻结](../../torchscript/#freeze)一节）。
#
#
# ### 2. 找出 trace 悄悄算错的输入
#
# `scale_to_unit(x)` 先用 `.item()` 取出 `m = x.abs().max()`，再返回 `x / max(m, 1.0)`：最大绝对值超过 1 时缩放到 1，否则原样返回。用 `[0.5, -0.2]` trace 它。traced 版本在哪些输入上会算错？用 script 修好它。
#
# **参考答案**
#

# %% snippet="torchscript/exercise_trace_item.py"
# 练习：scale_to_unit 把 x 缩放到最大绝对值不超过 1。trace 得到的版本在哪些输入上悄悄算错？
import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def scale_to_unit(x):
    m = x.abs().max().item()  # 一个 Python float
    return x / max(m, 1.0)


traced = torch.jit.trace(scale_to_unit, torch.tensor([0.5, -0.2]))  # 示例输入的最大绝对值不到 1
print(traced.code.strip())

scripted = torch.jit.script(scale_to_unit)  # 改法：script 把 .item() 和 max() 都编译进去
for x in (torch.tensor([0.25, -0.75]), torch.tensor([2.0, -4.0])):
    print(f"x = {x.tolist()}：eager 得 {scale_to_unit(x).tolist()}，"
          f"traced 得 {traced(x).tolist()}，scripted 得 {scripted(x).tolist()}")
print(scripted.code.strip())


# %% [markdown]
# - `.code` 说明了一切：图里只剩 `torch.div(x, CONSTANTS.c0)`。`.item()` 得到的 Python 数和 Python 的 `max()` 都在追踪时算完了，常量 `c0` 就是那一次的结果 `max(0.5, 1.0)`，也就是 1。
# - 所以 traced 版本永远除以 1：最大绝对值不超过 1 的输入碰巧都对（`[0.25, -0.75]`），超过 1 的输入全错（`[2.0, -4.0]` 原样返回，没有缩放）。trace 时的 `TracerWarning` 指出了 `.item()` 那一行，调用时却没有任何报错。
# - `torch.jit.script` 读源码，把 `.item()` 和 `max()` 都编译进图（`ops.prim.max(m, 1.)`），两种输入都对。
#
#
# ### 3. 让 script 编译 topk_mean
#
# `topk_mean(x, k)` 求 `x` 里最大的 `k` 个数的平均值：先 `x.tolist()`，用 `sorted` 从大到小排序，取前 `k` 个求平均。`torch.jit.script` 编译不了它。改写它，让 script 能编译，结果不变。
#
# **参考答案**
#

# %% snippet="torchscript/exercise_script_subset.py"
# 练习：topk_mean 求最大的 k 个数的平均值。改写它，让 torch.jit.script 能编译。
import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def topk_mean(x, k):
    values = sorted(x.tolist(), reverse=True)[:k]  # 转成 Python 列表再排序
    return sum(values) / k


# 第一步：只用张量运算，不离开张量
def topk_mean_tensor(x, k):
    return x.topk(k).values.mean()


# 第二步：给 k 写上类型注解
def topk_mean_typed(x, k: int):
    return x.topk(k).values.mean()


x = torch.tensor([3.0, 1.0, 4.0, 1.0, 5.0])
print("eager 的结果：", topk_mean(x, 2))
for fn in (topk_mean, topk_mean_tensor, topk_mean_typed):
    try:
        scripted = torch.jit.script(fn)
    except RuntimeError as e:
        print(f"{fn.__name__} 编译失败：{str(e).strip().splitlines()[0]}")
        continue
    try:
        print(f"{fn.__name__} 编译成功，调用的结果：{scripted(x, 2)}")
    except RuntimeError as e:
        print(f"{fn.__name__} 编译成功，调用失败：{str(e).strip().splitlines()[0]}")


# %% [markdown]
# - 第一个错误：`Expected type hint for result of tolist()`。script 要在编译时确定每个变量的类型，`tolist()` 的结果可以是任意层数的列表，它推断不出来。与其给它加注解，不如根本不离开张量：`x.topk(k).values.mean()`。
# - 第二个错误：这一版能编译，调用时却说参数 `k` 应该是 `Tensor (inferred)`。没有注解的参数一律当作 `Tensor`（[子集](../../torchscript/#subset)一节的第 1 条），写上 `k: int` 就好。
# - 最后一版编译成功，结果 4.5 与 eager 相同。
#
#
# ### 4. trace 与 script 混用
#
# 模型 `Model` 用 `functools.reduce` 把三个 `Linear` 的输出加起来，再交给本章开头那个依赖数据的 `gate`。script 编译不了 `reduce`，trace 又会把 `gate` 的分支写死。怎样得到一个两个分支都对的 TorchScript 模型？
#
# **参考答案**
#

# %% snippet="torchscript/exercise_mix.py"
# 练习：script 编译不了这个模型，trace 又会把 gate 的分支写死。怎样得到两支都对的 TorchScript 模型？
import functools
import operator
import warnings

import torch
from torch import nn

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def gate(x):
    if x.sum() > 0:  # 依赖数据的控制流
        return x * 2
    return x - 10


class Model(nn.Module):
    def __init__(self, gate_fn):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(2, 2) for _ in range(3))
        self.gate_fn = gate_fn

    def forward(self, x):
        y = functools.reduce(operator.add, [layer(x) for layer in self.layers])  # script 不支持 reduce
        return self.gate_fn(y)


torch.manual_seed(0)
model = Model(gate).eval()
example = torch.ones(1, 2)
try:
    torch.jit.script(model)
except RuntimeError as e:
    print("script 报错：", str(e).strip().splitlines()[0])

with warnings.catch_warnings():
    warnings.simplefilter("ignore", torch.jit.TracerWarning)  # 分支被写死的警告，下面直接比较结果
    plain = torch.jit.trace(model, example)
# 改法：只 script 有分支的 gate，其余部分照常 trace；trace 遇到 script 函数时记下对它的调用
model.gate_fn = torch.jit.script(gate)
mixed = torch.jit.trace(model, example)
print("混用后 forward 的最后一行：", mixed.code.strip().splitlines()[-1].strip())

with torch.no_grad():
    for x in (torch.ones(1, 2) * 5, torch.ones(1, 2) * -5):
        expected = Model.forward(model, x)
        print(f"x = {x.tolist()}：只用 trace 对吗？{torch.allclose(plain(x), expected)}，"
              f"混用对吗？{torch.allclose(mixed(x), expected)}")


# %% [markdown]
# - 只 script 有分支的那一部分：`torch.jit.script(gate)`，再 trace 整个模型。trace 执行到这个 script 函数时，在图里记下一次对它的调用，`forward` 的最后一行是 `__torch__.gate(y, )`。`gate` 本身由 script 编译，`if` 的两支都在它的图里（本章开头 [script 的图](../../torchscript/#same-function)）。
# - 只用 trace 的版本在负输入上算错了；混用的版本两种输入都对。
# - 这就是[什么时候该用 trace](../../torchscript/#when-trace)一节说的混用：结构固定、写法却太“动态”的部分交给 trace，依赖数据的控制流交给 script。
#
