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
# > 本笔记本由网页 [paradigms.md](../../paradigms/) 生成：文字与页面相同，代码格就是页面嵌入的 `snippets/` 脚本。不要直接修改它，修改页面或脚本后运行 `make notebooks`。
#

# %% [markdown]
# # 第 1 章 符号式与命令式
#
# **运行环境**
#
# 本章所有例子在 CPU 上即可运行，输出来自 PyTorch 2.15.0（CPU）。TensorFlow 的例子需要 `tensorflow-cpu` 2.21（`make test` 会安装）；[GPU 内核计数](../../paradigms/#kernels)一例需要 NVIDIA GPU 和 CUDA，只在 CUDA 任务里运行。
#
#
# 深度学习框架要回答的第一个问题是：用户写下的 `c = a + b`，**什么时候**真正被计算？答案有两种，它们决定了一个框架好不好用、跑得快不快，也是后面几章（TorchScript、`torch.compile`、`torch.export`）一直在处理的矛盾。
#
# - **符号式**（symbolic，也叫声明式，英文常说 *define-and-run*）：先用代码描述一张**计算图**，描述时什么也不算；图建好以后，再把数据喂进去执行。TensorFlow 1.x 是代表。
# - **命令式**（imperative，英文常说 *define-by-run*，框架里通常叫 **Eager Execution** 或 eager 模式）：每个操作执行到时就立刻算出结果，和普通 Python 代码一样。PyTorch 从第一版起就是这样。
#
# ## 一张表看两种范式
#
# 最后一列链接到本章证明该行说法的例子，每个例子都是可以直接运行的脚本，下面显示的是它真实的输出。
#
# | 特性 | 符号式（define-and-run） | 命令式（define-by-run / eager） | 证明 |
# | --- | --- | --- | --- |
# | 核心思想 | 先定义，后执行。像先画蓝图：先声明整个计算流程（计算图），再喂入数据运行。 | 边定义，边执行。像捏黏土：每条操作立刻执行并返回结果。 | [TF1 与 PyTorch 对照](../../paradigms/#define-and-run) |
# | 类比 | 像 C++ 这类先编译、后运行的语言：程序先整体变成可执行的形式，再运行。（只是类比：TF1 的图交给运行时解释执行，并不一定编译成机器码。） | 像 Python 解释器：写一行，执行一行，立刻看到结果。 | [构图时的 print](../../paradigms/#debug-symbolic) |
# | 工作流程 | ① 定义计算图（占位符 placeholder、变量 Variable、操作 operation）；② 创建会话 Session;③ 在会话里喂入数据、运行图。 | ① 创建张量；② 直接运算（如 `c = a + b`），立即得到结果。 | [TF1 与 PyTorch 对照](../../paradigms/#define-and-run) |
# | 优点 | **可做全图优化**：框架看得到整张图，可以融合算子、复用内存；**易部署**：图是一个数据结构，可序列化、导出，交给服务器或移动端的运行时；**与语言无关**：图是中间表示，后端可以用任何语言实现。 | **直观灵活**：就是普通 Python，易学易读；**动态控制流**：直接用 Python 的 `if`/`for`/`while`，适合变长输入、RNN 这类动态结构；**易调试**：随时打印、检查中间结果，像调试普通 Python 一样。 | [融合 pass](../../paradigms/#optimize)、[内存复用](../../paradigms/#memory)、[GraphDef](../../paradigms/#define-and-run)；[控制流](../../paradigms/#control-flow)、[调试](../../paradigms/#debug-eager) |
# | 缺点 | **不直观**：定义和执行分开，像“隔着墙操作”，学习曲线陡；**难调试**：构图时打印不出中间值，只能通过 `Session.run()` 取回；**动态结构笨拙**：变长输入和依赖数据的控制流要改写成图自己的控制流算子。 | **难做全局优化**：一行一行执行，框架不知道后面还有什么操作；**额外开销**：每个操作都是一次独立的调用，往往对应一次内核启动（GPU 上尤其明显）。 | [构图时的 print](../../paradigms/#debug-symbolic)、[fx 追踪遇到 if](../../paradigms/#fx)；[数内核](../../paradigms/#kernels)、[固定开销](../../paradigms/#overhead) |
#
# 性能上的差别到底有多大，取决于模型和硬件；本站在[性能实测](../../benchmarks/)一页给出了测量数据，本章只演示差别**从哪里来**。
#
# ## 两种工作流程
#
# （这里在 [网页版](../../paradigms/) 上有一张示意图。）
#
#
# 符号式一侧，图一旦建好就和 Python 代码脱离，之后只是反复“喂数据、取结果”；命令式一侧没有“建图”这个阶段，代码执行到哪里，计算就进行到哪里。
#
# ## 先定义，后执行：TF1 的计算图与 PyTorch 的对照
#
# 同一个计算 `d = (a + b) * 2`，两种写法。TensorFlow 2.x 默认也是命令式（见[第 2 章](../../evolution/)），这里用 `tf.compat.v1` 关掉 eager，真实地运行 1.x 的图模式。
#
# **TensorFlow 1.x（符号式）**
#

# %% [markdown]
# > TensorFlow 和 `torch.compile` 用到的 Triton 各自带着一份 LLVM，装进同一个进程会直接崩溃，所以把下面的脚本写成文件 `tf1_graph.py`，在一个新的 Python 进程里运行。
#

# %% snippet="paradigms/tf1_graph.py"
# %%writefile tf1_graph.py
# 符号式（define-and-run）：TensorFlow 1.x 的写法。TF 2.x 里用 tf.compat.v1 仍能真实运行。
import os

# 必须在 import tensorflow 之前设置：屏蔽 TF 的 C++ 层 INFO/WARNING 日志
# （CPU 指令集提示等），它们与本例无关，会淹没真正的输出。
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
# 在支持 AVX-512 VNNI/AMX 等指令的 CPU 上，TF 默认启用 oneDNN 优化，并在 import 时打印
# “oneDNN custom operations are on”；这条日志出现在 TF 初始化日志系统之前，上一行管不到它。
# 关掉 oneDNN 优化，本例在任何 CPU 上的输出都一样（这里的整数运算结果不受影响）。
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1
tf1.disable_eager_execution()  # TF 2.x 默认是 eager，这里切回 1.x 的图模式

# 第 1 步：定义计算图。这里只是在“画蓝图”，没有任何数被计算
graph = tf1.Graph()
with graph.as_default():
    a = tf1.placeholder(tf.float32, shape=[None], name="a")  # 占位符：数据稍后再喂
    b = tf1.placeholder(tf.float32, shape=[None], name="b")
    c = tf.add(a, b, name="c")
    d = tf.multiply(c, 2.0, name="d")
    print("d 是什么？", d)  # 只是图里的一个符号，没有值

print("图里的操作：", [op.name for op in graph.get_operations()])

# 第 2 步：创建会话；第 3 步：喂入数据，运行图
with tf1.Session(graph=graph) as sess:
    out = sess.run(d, feed_dict={a: [1.0, 2.0, 3.0], b: [4.0, 5.0, 6.0]})
    print("sess.run 的结果：", out, type(out).__name__)
    # 同一张图可以反复运行，每次喂不同的数据
    print("换一批数据：", sess.run(d, feed_dict={a: np.ones(2), b: np.zeros(2)}))

# 图是一个数据结构（GraphDef，protobuf），可以序列化后交给别的语言/平台的运行时
graph_def = graph.as_graph_def()
print("GraphDef 节点数：", len(graph_def.node), " 序列化后字节数：", len(graph_def.SerializeToString()))


# %% snippet="paradigms/tf1_graph.py" runs="tf1_graph.py"
import subprocess, sys
print(subprocess.run([sys.executable, 'tf1_graph.py'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout, end="")


# %% [markdown]
# **PyTorch（命令式）**
#

# %% snippet="paradigms/eager_prints.py"
# 命令式（define-by-run）：每一行执行到时就真正完成计算，结果立刻可以打印、检查。
# 与 tf1_graph.py 是同一个计算：没有占位符、没有图、没有会话。
import torch

a = torch.tensor([1.0, 2.0, 3.0])
b = torch.tensor([4.0, 5.0, 6.0])

c = a + b  # 这一行执行完，c 里已经是具体的数
print("c =", c)

d = c * 2
print("d 是什么？", d)
print("d 的形状：", d.shape, " 类型：", d.dtype)

# “换一批数据”就是用新的张量再算一遍
print("换一批数据：", (torch.ones(2) + torch.zeros(2)) * 2)


# %% [markdown]
# 对照两份输出：
#
# - TF1 里 `print(d)` 打印的是 `Tensor("d:0", shape=(None,), dtype=float32)`：一个图中节点的**符号**，只有名字、形状和类型，没有值。连常数 `2.0` 都成了图里的一个节点 `d/y`。值要等 `sess.run` 喂进数据后才出现，而且是一个 NumPy 数组。
# - PyTorch 里 `c`、`d` 在那一行执行完就有值了；“换一批数据”只是用新张量再算一遍，没有图、占位符和会话。
# - TF1 的图可以反复运行，也可以用 `as_graph_def()` 变成一个 protobuf（几百字节的 `GraphDef`）。它与 Python 无关：C++、Java 写的运行时、TensorFlow Serving 都读同一个格式——这就是表中“易部署”“与语言无关”的来源。PyTorch 要得到类似的东西，需要第 3、4 章的 TorchScript 和 `torch.export`。
#
# ## 边定义，边执行：命令式的好处
#
# ### Python 控制流直接可用
#
# 命令式里张量就是有值的对象，Python 的 `if`、`for`、`while` 可以直接根据张量的值做决定；循环多少次、走哪个分支，每次运行都可以不同。
#

# %% snippet="paradigms/eager_control_flow.py"
# 命令式：Python 原生的 if / for / while 可以直接根据张量的“值”做决定。
import torch


def collatz_steps(n: torch.Tensor) -> int:
    # 循环次数取决于数据本身，事先无法知道
    steps = 0
    while n.item() != 1:
        if n % 2 == 0:  # 分支取决于张量的值
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


for start in [6, 7, 27]:
    print(f"从 {start} 出发，{collatz_steps(torch.tensor(start))} 步到达 1")


# 变长输入：每个序列长度不同，用普通的 for 循环逐个处理即可（RNN 式的动态结构）
torch.manual_seed(0)
cell = torch.nn.RNNCell(input_size=2, hidden_size=3)
for length in [2, 5]:
    h = torch.zeros(1, 3)
    for x_t in torch.randn(length, 1, 2):  # 循环次数 = 这条序列的长度
        h = cell(x_t, h)
    print(f"长度 {length} 的序列 -> 最终隐状态形状 {tuple(h.shape)}")


# %% [markdown]
# `while` 的次数取决于数据，RNN 的循环次数取决于每条序列的长度，都是普通的 Python 代码。在符号式里，同样的逻辑要写成图自己的控制流算子（TF1 的 `tf.cond`、`tf.while_loop`），下面 [torch.fx 的例子](../../paradigms/#fx)会看到符号式追踪碰到这种 `if` 时会怎样。
#
# ### 像调试普通 Python 一样调试
#

# %% snippet="paradigms/eager_debug.py"
# 命令式好调试：中间结果随时可看，出错时报错就落在出错的那一行 Python 代码上。
import traceback

import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


# 不改模型代码，用 forward hook 查看每一层的中间输出（也可以在这里设断点）
def show(module, inputs, output):
    print(f"{type(module).__name__:<6} 输出形状 {tuple(output.shape)}，非零元素 {int((output != 0).sum())} 个")


for layer in model:
    layer.register_forward_hook(show)

x = torch.randn(3, 4)
model(x)

# 喂入形状不对的数据：异常在执行到出错的那一行时立刻抛出，
# 调用栈就是普通的 Python 调用栈，最后一帧指向具体的层
try:
    model(torch.randn(3, 5))
except RuntimeError as e:
    frame = traceback.extract_tb(e.__traceback__)[-1]
    print("RuntimeError:", e)
    print("出错位置：", frame.name, "in", frame.filename.rsplit("/", 1)[-1])


# %% [markdown]
# 中间结果随时可以打印（这里用 forward hook，不用改模型代码），也可以在任意一行 `breakpoint()` 进入 pdb。形状错了，异常在执行到出错的那一层时立刻抛出：调用栈是普通的 Python 调用栈，从你的代码一路指到出错的地方。上面最后一行打印的是最后一帧——它在 torch 自己的 `linear.py` 里，也就是 `nn.Linear.forward` 调用矩阵乘法的那一行，所以报错说的是哪一层、两个形状各是多少，一目了然。
#
# ## 符号式为什么难调试
#
# 在图模式下，“写代码”和“运行计算”是两个阶段。夹在构图代码里的 Python `print` 属于第一个阶段：
#

# %% [markdown]
# > TensorFlow 和 `torch.compile` 用到的 Triton 各自带着一份 LLVM，装进同一个进程会直接崩溃，所以把下面的脚本写成文件 `tf1_debug.py`，在一个新的 Python 进程里运行。
#

# %% snippet="paradigms/tf1_debug.py"
# %%writefile tf1_debug.py
# 符号式难调试：构图阶段的 Python print 只执行一次，而且看到的是符号，不是数。
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # 屏蔽 TF 的 C++ INFO 日志（见 tf1_graph.py）
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # 不同 CPU 上输出一致（见 paradigms/tf1_graph.py）

import tensorflow as tf

tf1 = tf.compat.v1
tf1.disable_eager_execution()

graph = tf1.Graph()
with graph.as_default():
    x = tf1.placeholder(tf.float32, shape=[None], name="x")
    y = x * 3.0
    print("[构图时] y =", y)  # 这行 Python 代码只在“画图”时运行一次
    z = tf.reduce_sum(y)

with tf1.Session(graph=graph) as sess:
    for batch in ([1.0, 2.0], [10.0, 20.0, 30.0]):
        # 运行图时，上面那行 print 不会再执行；
        # 想看中间结果 y，只能把它也列进 sess.run 要取回的东西里
        y_val, z_val = sess.run([y, z], feed_dict={x: batch})
        print("[运行时] y =", y_val, " z =", z_val)


# %% snippet="paradigms/tf1_debug.py" runs="tf1_debug.py"
import subprocess, sys
print(subprocess.run([sys.executable, 'tf1_debug.py'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout, end="")


# %% [markdown]
# `print` 只在构图时执行了一次，打印的是符号 `Tensor("mul:0", ...)`；之后两次运行图，它一次也没有执行。要看中间结果 `y`，只能把它也列进 `sess.run` 的取回列表（或者在图里插入专门的打印节点）。这就是表中“无法在定义图时直接打印中间结果，需要 `Session.run()`”的意思。
#
# ## PyTorch 里的符号式视角：torch.fx
#
# PyTorch 也能得到一张计算图。`torch.fx.symbolic_trace` 用代理对象（`Proxy`）代替真实张量把 `forward` 跑一遍，记录下调用过的每个操作——这正是“先定义、后执行”里“定义”那一步的做法：
#

# %% snippet="paradigms/fx_trace.py"
# PyTorch 自己的“符号式视角”：torch.fx 用代理对象（Proxy）代替真实张量跑一遍 forward，
# 把调用过的操作记录成一张计算图，而不做任何真正的计算。
import torch
from torch import fx, nn

torch.manual_seed(0)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 4)

    def forward(self, x):
        y = self.linear(x)
        return torch.relu(y) + x


block = Block()
gm = fx.symbolic_trace(block)
print("计算图（每行一个节点：操作种类 / 名字 / 目标 / 输入）：")
for node in gm.graph.nodes:
    target = node.target if isinstance(node.target, str) else node.target.__name__
    print(f"  {node.op:<13} {node.name:<7} {target:<10} {list(map(str, node.args))}")

print("\n由图重新生成的 Python 代码：")
print(gm.code.strip())

# 生成的 GraphModule 与原模块共享参数，算出的结果一样
x = torch.randn(2, 4)
print("\n与原模块结果一致：", torch.equal(gm(x), block(x)))


# %% [markdown]
# 追踪时手里只有符号，没有值。所以碰到“根据张量的值决定走哪条分支”的 Python `if`，符号式追踪就无法进行——这就是表中“动态结构支持差”在 PyTorch 里的样子：
#

# %% snippet="paradigms/fx_control_flow.py"
# symbolic_trace 跑 forward 时手里只有符号（Proxy），没有值。
# 所以当 Python 的 if 要根据张量的“值”做决定时，追踪无法进行。
import torch
from torch import fx, nn


class Gate(nn.Module):
    def forward(self, x):
        if x.sum() > 0:  # 依赖数据的控制流：走哪条分支要看 x 的值
            return x * 2
        return -x


try:
    fx.symbolic_trace(Gate())
except fx.proxy.TraceError as e:
    print("TraceError:", e)


# 办法之一：把“选择”本身写成张量运算，两条分支都算，由 torch.where 按值挑选
class GateWhere(nn.Module):
    def forward(self, x):
        return torch.where(x.sum() > 0, x * 2, -x)


gm = fx.symbolic_trace(GateWhere())
print("改写后可以追踪，生成的代码：")
print(gm.code.strip())
for x in (torch.tensor([1.0, 2.0]), torch.tensor([-1.0, -2.0])):
    print(f"x = {x.tolist()} -> 图的结果 {gm(x).tolist()}，原模块 {Gate()(x).tolist()}")


# %% [markdown]
# 改写成 `torch.where` 后两条分支都在图里计算，由数据在运行时挑选，图就完整了。第 3 章的 TorchScript 和第 4 章的 TorchDynamo 会给出另外两种处理方法：把 Python 源码整个翻译成带控制流的图，或者在 `if` 处把图切开（图中断）、把判断交还给 Python。
#
# ## 看得到整张图，才能做全局优化
#
# 有了图，就可以在执行之前改写它。下面对 fx 图做一次真实的优化 pass：推理时把 `Conv2d` 后面的 `BatchNorm2d` 折叠进卷积的权重和偏置，图里少掉一个操作，结果不变：
#

# %% snippet="paradigms/fx_fuse.py"
# “框架看得到整张图，所以能做全局优化”：对 fx 图做一次真实的优化 pass——
# 把推理时的 Conv2d + BatchNorm2d 融合成一个 Conv2d，并对比前后的图。
import torch
from torch import fx, nn
from torch.fx.experimental.optimization import fuse

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.bn = nn.BatchNorm2d(8)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


net = Net().eval()  # 融合只对推理（eval）成立：此时 BN 只是一个固定的仿射变换
net.bn.running_mean.uniform_(-1, 1)  # 给 BN 一些非平凡的统计量
net.bn.running_var.uniform_(0.5, 2)


def ops(gm):
    return [n.target for n in gm.graph.nodes if n.op in ("call_module", "call_function")]


before = fx.symbolic_trace(net)
after = fuse(net)  # 在 fx 图上改写：把 bn 的参数折叠进 conv 的权重和偏置
print("优化前：", [str(t) if isinstance(t, str) else t.__name__ for t in ops(before)])
print("优化后：", [str(t) if isinstance(t, str) else t.__name__ for t in ops(after)])

x = torch.randn(2, 3, 16, 16)
print("结果相同（误差内）：", torch.allclose(net(x), after(x), atol=1e-5))


# %% [markdown]
# 这种改写要求事先知道“卷积的输出只被 BN 使用、BN 处于推理模式”——只有看到整张图才知道。逐行执行的 eager 模式做不到：执行卷积时，框架还不知道下一行是什么。
#
# ### 复用内存
#
# 整张图带来的另一个好处在内存上。eager 执行到一个运算时，只能为它的结果新开一块内存：框架不知道这个结果后面还会不会被读，也不知道下一步要做什么。编译器拿到整张图后，知道每个中间结果最后一次在哪里被读取——过了那一点，它的内存就可以让给别的结果；逐元素运算还可以直接在输入所在的内存上原地计算。下面数一数同一个函数在两种方式下各分配了几次内存（eager 一侧用 `TorchDispatchMode` 拦下每个 ATen 算子，编译一侧直接读 Inductor 生成的包装代码）：
#

# %% snippet="paradigms/memory_reuse.py"
# “看得到整张图，就能复用内存”：eager 每执行一个运算都要新分配一块内存放结果；
# 编译器事先知道每个中间结果最后一次在哪里被用到，可以把它的内存直接留给后面的结果。
import re

import torch
from torch._inductor.utils import run_and_get_code
from torch.utils import benchmark
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves


def f(x, w):
    h = torch.relu(x @ w)
    h = torch.sigmoid(h @ w) * 2 + 1
    return torch.tanh(h @ w)


class CountAllocations(TorchDispatchMode):
    """记下每个 ATen 算子新分配的结果张量（视图与原地运算不分配，不计）。"""

    def __init__(self):
        super().__init__()
        self.allocs = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if not func.is_view and not func._schema.is_mutable:
            for t in tree_leaves(out):
                if isinstance(t, torch.Tensor):
                    self.allocs.append((func.__name__, t.untyped_storage().nbytes()))
        return out


torch.manual_seed(0)
x, w = torch.randn(256, 256), torch.randn(256, 256)

with CountAllocations() as mode:
    expected = f(x, w)
print(f"eager：{len(mode.allocs)} 次分配，共 {sum(n for _, n in mode.allocs) // 1024} KiB")
print("  ", " ".join(name for name, _ in mode.allocs))

compiled = torch.compile(f)
out, (code,) = run_and_get_code(compiled, x, w)
# Inductor 生成的 Python 包装函数 call（）负责分配缓冲区、调用矩阵乘法库和融合后的 C++ 内核
body = code[code.index("def call(") :]
body = body[: body.index("return (")]
allocs = re.findall(r"(buf\d+) = empty_strided_cpu\(\((\d+), (\d+)\)", body)
nbytes = sum(int(rows) * int(cols) * 4 for _, rows, cols in allocs)
print(f"torch.compile：{len(allocs)} 次分配，共 {nbytes // 1024} KiB；结果一致：", torch.allclose(out, expected, atol=1e-5))
for line in body.splitlines():
    if re.search(r"empty_strided_cpu|extern_kernels\.mm|cpp_fused_\w+\(|# reuse|del buf", line):
        print("  ", line.strip())

# 复用为什么值得：Linux 上，这么大（64 MiB）的内存块释放后直接还给操作系统，
# 下次分配时每一页都要重新缺页、清零。同样写满 64 MiB，写进新分配的内存要慢得多。
src = torch.randn(16 * 2**20)
reused = torch.empty_like(src)
torch.set_num_threads(1)  # 单线程计时，结果更稳定
ms = {}
for label, stmt in [("每次新分配再写入", "torch.empty_like(src).copy_(src)"), ("写进复用的缓冲区", "reused.copy_(src)")]:
    t = benchmark.Timer(stmt, globals={"torch": torch, "src": src, "reused": reused}).blocked_autorange(min_run_time=1)
    ms[label] = t.median * 1e3
    print(f"{label}，用时 {ms[label]:.1f} ms")
# 结论由断言保证（留了余量），不靠某一次计时碰巧的大小关系
assert ms["每次新分配再写入"] > 1.5 * ms["写进复用的缓冲区"], ms
print("断言成立：写进新分配的内存明显更慢")


# %% [markdown]
# - eager 下 8 个算子各分配一块 256 KiB 的结果，其中 7 块是用过一次就丢的临时张量。
# - 编译后只剩 3 次分配，都是矩阵乘法的输出。`buf1 = buf0; del buf0  # reuse` 是说 ReLU 直接写回矩阵乘法结果所在的那块内存；`sigmoid`、`* 2`、`+ 1` 融合成一个内核 `cpp_fused_add_mul_sigmoid_1`，也是原地计算；`del buf1` 在 `buf1` 最后一次被读之后立刻释放它。这些决定都是编译时看着整张图做出的，运行时不再花任何心思。
# - 最后三行说明这不只是省内存（最后一行的结论由脚本里的断言保证，留了余量，不靠某一次计时碰巧的大小）。PyTorch 在 CPU 上没有缓存分配器，Linux（glibc）把 64 MiB 这样的大块内存释放后直接还给操作系统，下次分配时每一页都要重新缺页、清零，所以写进新分配的内存比写进已有的缓冲区慢得多。GPU 上 PyTorch 有缓存分配器，释放的显存留在进程里反复使用，分配本身很便宜；但每个临时结果照样占显存，照样要整个写一遍、再读一遍。[性能实测](../../benchmarks/#memory-cost)里最大尺寸的逐元素运算链离带宽上限很远，主要就是这笔缺页开销。
#
# ## 每个操作都是一次内核调用
#
# 命令式的另一个代价：每个操作单独执行，各自读一遍输入、写一份中间结果。用 `torch.profiler` 数一数同一个函数在 eager 下调用了几个算子，以及 `torch.compile` 把它编译成图之后又是几个：
#

# %% snippet="paradigms/kernel_count.py"
# “命令式的每个操作都可能启动一个内核”：用 torch.profiler 数一数，
# 同一个函数在 eager 下执行了几个 ATen 算子，torch.compile 之后又是几个。
import os
import re

# torch 2.13 的 profiler（kineto）每次启动/停止都会往 stderr 写一行带时间戳的
# “USDT: ... profiler_start/stop”日志；把它的日志级别调到最高，只留下我们要看的结果。
os.environ["KINETO_LOG_LEVEL"] = "6"

import torch
from torch._inductor.utils import run_and_get_code
from torch.profiler import ProfilerActivity, profile


def f(x):
    return torch.sin(x) * 2 + torch.cos(x) - 1


def profiled_events(fn, x):
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fn(x)
    return prof.events()


torch.manual_seed(0)
x = torch.randn(10_000)

# 只数最外层的 aten:: 事件：每个都是一次独立的算子调用——一个内核、一趟完整的内存读写
# （内层还有把标量 2、1 包装成张量的辅助算子，这里不计）
eager_ops = [e.name for e in profiled_events(f, x) if e.cpu_parent is None and e.name.startswith("aten::")]
print(f"eager：{len(eager_ops)} 个 ATen 算子 {eager_ops}")

compiled = torch.compile(f)  # 默认后端 TorchInductor，在 CPU 上生成并编译 C++ 代码
# 第一次调用：捕获计算图并编译（慢，只发生一次）；顺便取回 Inductor 生成的源代码
_, sources = run_and_get_code(compiled, x)
kernels = sorted({k for src in sources for k in re.findall(r"cpp_fused_\w+", src)})
print(f"Inductor 生成的内核：{kernels}")
events = profiled_events(compiled, x)
print(f"compiled：{sum(e.name.startswith('aten::') for e in events)} 个 ATen 算子；编译区域里执行的是：")
for e in events:
    if e.cpu_parent is not None:
        print("   ", re.sub(r"CompiledFxGraph \w+", "CompiledFxGraph <哈希>", e.name))
print("结果一致：", torch.allclose(f(x), compiled(x), atol=1e-6))


# %% [markdown]
# eager 下 5 个算子依次执行，每个都遍历一次 1 万个元素并写出一个临时张量；编译之后，TorchInductor 把它们融合成**一个** C++ 循环 `cpp_fused_add_cos_mul_sin_sub_0`，运行时一个 ATen 算子也不调用。`torch.compile` 的第一次调用要花时间捕获和编译（在本站 2 核的 CPU 上要等几秒到十几秒，见[第 4 章](../../compile/#first-call)），之后才有收益。
#
# 在 GPU 上，每个真正读写数据的算子（`sin`、`mul`、`add`……）都要启动至少一次 CUDA 内核，每次启动都有一笔与数据量无关的固定开销，张量很小时这笔开销可能比计算本身还大。只改形状、步长这些元数据的算子（`view`、`t`、`transpose`、切片）不碰数据，也不启动内核。下面是同一个实验的 GPU 版，函数里特意加了 `view` 和 `t`，分别数出 ATen 算子和 GPU 上真正执行的内核：
#

# %% [markdown]
# > 下一格需要 NVIDIA GPU（CUDA）。在只有 CPU 的环境里它会报错，可以跳过。
#

# %% snippet="paradigms/kernel_count_cuda.py" tags=["requires-cuda"]
# kernel_count.py 的 GPU 版：数一数 GPU 上真正启动了几个内核。
# 需要 NVIDIA GPU；输出在 CUDA 任务里捕获。
import os

os.environ["KINETO_LOG_LEVEL"] = "6"  # 屏蔽 kineto 的 USDT 启停日志（见 kernel_count.py）

import torch
from torch.autograd import DeviceType
from torch.profiler import ProfilerActivity, profile


def f(x):
    # view 和 t（转置）只改张量的形状、步长这些元数据，不读写数据
    y = torch.sin(x).view(1000, 1000).t()
    return y * 2 + torch.cos(x).view(1000, 1000).t() - 1


def profiled(fn, x):
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        fn(x)
        torch.cuda.synchronize()
    return prof.events()


def gpu_kernels(fn, x):
    # device_type 为 CUDA 的事件就是 GPU 上执行的内核
    return [e.name for e in profiled(fn, x) if e.device_type == DeviceType.CUDA]


torch.manual_seed(0)
x = torch.randn(1_000_000, device="cuda")

events = profiled(f, x)
aten = [e.name for e in events if e.device_type == DeviceType.CPU and e.name.startswith("aten::") and e.cpu_parent is None]
print(f"eager：调用了 {len(aten)} 个 ATen 算子 {aten}")
eager = [e.name for e in events if e.device_type == DeviceType.CUDA]
print(f"eager：启动了 {len(eager)} 个 GPU 内核（view、t 一个也没有启动）")
for name in eager:
    print("   ", name.split("<")[0][:60])  # 内核名是很长的 C++ 模板名，只留开头

compiled = torch.compile(f)  # 在 GPU 上 TorchInductor 生成 Triton 内核
compiled(x)  # 第一次调用：编译
fused = gpu_kernels(compiled, x)
print(f"compiled：启动了 {len(fused)} 个 GPU 内核 {fused}")
print("结果一致：", torch.allclose(f(x), compiled(x), atol=1e-5))


# %% [markdown]
# **这段代码需要 GPU，输出尚未捕获**
#
# 本站的输出在没有 GPU 的机器上捕获。这段代码只能在 NVIDIA GPU 上运行：CPU 上的测试会跳过它并说明原因，CI 的 CUDA 任务才会运行它。在 GPU 上真正运行并捕获输出之前，这里只给出代码——本站不展示没有真实运行过的结果。
#
# ### 每个操作都有一笔固定开销
#
# 数内核只说明调用了几次。每次调用本身要花多少时间？eager 执行 `x + 1` 这一行时，Python 先进入 `Tensor.__add__` 的 C++ 绑定、解析参数；分发器（dispatcher）再按张量所在的设备、是否需要求导等“分发键”一层层找到 CPU 上的加法内核；TensorIterator 推算输出的形状和类型，分配输出张量；最后内核才真正开始算。除了最后一步，其余都与张量有多大无关。把同一个 `x + 1` 放在不同大小的张量上计时，就能看出这笔固定开销：
#

# %% snippet="paradigms/op_overhead.py"
# 命令式的固定开销：每个运算都要走一遍 Python 调用 → C++ 分发器 → 选内核 → 分配输出，
# 这笔时间与张量大小无关。张量越小，它在总时间里占得越多。
import torch
from torch.utils import benchmark

torch.set_num_threads(1)  # 单线程计时，结果更稳定


def best_us(fn, x):
    # blocked_autorange：先预热，再成块地反复调用。取各块里每次调用的最短耗时：
    # 机器上别的进程抢核只会让耗时变长，最短的那一块最接近这次调用本身的开销
    return min(benchmark.Timer("fn(x)", globals={"fn": fn, "x": x}).blocked_autorange(min_run_time=0.5).times) * 1e6


def add_one(x):
    return x + 1


print("eager 下一次 x + 1 的耗时：")
for n in (1, 1_000, 100_000, 1_000_000):
    us = best_us(add_one, torch.randn(n))
    print(f"  {n:>9,} 个元素：{us:8.2f} µs，摊到每个元素 {us * 1e3 / n:9.3f} ns")


def chain(x):  # 32 个逐元素运算
    for _ in range(16):
        x = torch.sin(x) * 0.5
    return x


print("\n只有 1 个元素时，eager 与 torch.compile：")
tiny = torch.randn(1)
ratio = {}
for name, fn in (("1 个运算 ", add_one), ("32 个运算", chain)):
    compiled = torch.compile(fn)
    compiled(tiny)  # 第一次调用：编译
    eager_us, compiled_us = best_us(fn, tiny), best_us(compiled, tiny)
    ratio[name] = compiled_us / eager_us
    print(f"  {name}：eager 用时 {eager_us:6.1f} µs，编译后用时 {compiled_us:6.1f} µs，两者之比 = {ratio[name]:.2f}")

# 结论由断言保证（留了余量），不靠某一次计时碰巧的大小关系
assert ratio["1 个运算 "] > 1.2, "1 个运算时，编译后的函数应当比 eager 慢"
assert ratio["32 个运算"] < 0.5, "32 个运算时，编译后的函数应当至少快一倍"
print("断言成立：1 个运算时编译后更慢；32 个运算时编译后至少快一倍")


# %% [markdown]
# - 1 个元素和 1000 个元素的 `x + 1` 耗时几乎一样：这几微秒就是一次运算的固定开销，与计算量无关。要到 10 万个元素，计算本身才明显超过它；摊到每个元素上，小张量比大张量贵上万倍。
# - `torch.compile` 把整串运算编译成一次调用，32 个运算只付一次开销。但编译后的函数每次调用也有自己的固定成本：先检查 guard，再穿过 AOTAutograd 和 Inductor 的几层 Python 包装，才调用到编译好的 C++ 内核，这比一次 eager 运算还贵。所以只有一个运算时，编译后反而更慢；运算一多，省下的分发开销就远远超过它。GPU 上每个内核还要另付一次启动开销，`reduce-overhead` 模式用 CUDA Graphs 把这笔也省掉（[第 4 章](../../inductor/#modes)）。
# - 对真实模型的启示：张量很小、运算很多的代码（小 batch 推理、逐元素的后处理、RNN 的单步）时间主要花在框架开销上，这正是图编译最能发挥作用的地方；而大矩阵乘法几乎不受这笔开销影响（[性能实测](../../benchmarks/)里的 MLP 就是例子）。
#
#
# ## 小结
#
# - 符号式先建图再运行：图能被整体优化、序列化和部署，代价是不直观、难调试、动态结构笨拙。
# - 命令式边写边算：直观、灵活、好调试，代价是框架看不到全局，每个操作单独付一次开销。
# - 两者并不互斥。[第 2 章](../../evolution/)讲 TensorFlow 和 PyTorch 怎样从各自的起点走向对方：TensorFlow 2 默认改成了 eager，PyTorch 2 则用 `torch.compile` 在不改变命令式写法的前提下拿到整张图。
#
