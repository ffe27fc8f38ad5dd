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
# 本章所有例子在 CPU 上即可运行，输出来自 PyTorch 2.15.0（CPU）。TensorFlow 的例子需要 `tensorflow-cpu` 2.21（`make test` 会安装）；[GPU 内核计数](../../paradigms/#kernels)一例需要 NVIDIA GPU 和 CUDA，只在 CUDA 任务里运行，输出还没有捕获。
#
#
# 读完这一章你会知道：
#
# - 符号式（静态图）和命令式（动态图）各是什么，为什么 eager 也记下一张图，却不能拿它来优化；
# - 先建图的好处（全图优化、复用内存、部署）和代价（难调试、控制流笨拙），每一条都有可运行的例子；
# - eager 慢在哪里：每个运算单独调用一次，每次都付一笔固定开销。
#
# 读这一章只需要会写 Python、用过 PyTorch 的张量；不需要了解 TensorFlow 或编译器。
#
# 深度学习框架要回答的第一个问题是：用户写下的 `c = a + b`，**什么时候**真正被计算？答案有两种，它们决定了一个框架好不好用、跑得快不快，也是后面几章（TorchScript、`torch.compile`、`torch.export`）一直在处理的矛盾。
#
# - **符号式**（symbolic，也叫声明式，英文常说 *define-and-run*）：先用代码描述一张**计算图**，描述时什么也不算；图建好以后，再把数据喂进去执行。图在运行之前就定下来了，所以中文资料常叫它**静态图**。TensorFlow 1.x 是代表。
# - **命令式**（imperative，英文常说 *define-by-run*，框架里通常叫 **Eager Execution** 或 eager 模式）：每个运算执行到时就立刻算出结果，和普通 Python 代码一样。图是一边运行一边记下的，每次运行都不同，中文资料常叫它**动态图**。PyTorch 从第一版起就是这样。
#
# ## 先看一张真的计算图
#
# 计算图把一次计算画成节点和边：节点是运算，边表示数据从哪里流到哪里。`d = (a + b) * 2` 就是一张最小的图。PyTorch 在 eager 模式下也会记下这张图，只要参与运算的张量设了 `requires_grad=True`（要对它求梯度）：
#

# %% snippet="paradigms/autograd_graph.py"
# eager 也有图：张量 requires_grad=True 时，PyTorch 一边算，一边把每一步记进自动求导的图。
# 这张图在运行时才长出来（define-by-run），它只为反向传播服务，不能拿来优化或导出。
import torch

a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)

c = a + b  # 和 eager_prints.py 一样，值立刻算出来……
d = c * 2  # ……同时记下“d 是怎样从 a、b 算出来的”
print("d =", d)

leaf_names = {id(a): "a", id(b): "b"}


def name(fn):
    # AccumulateGrad 是图的叶子：反向传播走到这里，把梯度累加进 a.grad 或 b.grad
    if type(fn).__name__ == "AccumulateGrad":
        return f"AccumulateGrad → {leaf_names[id(fn.variable)]}.grad"
    return type(fn).__name__


def show(fn, depth=0):
    # 从 d.grad_fn 出发，沿 next_functions 走到叶子，打印记下的每个节点
    print("    " * depth + name(fn))
    for next_fn, _ in fn.next_functions:
        if next_fn is not None:  # None：这个输入不需要梯度（例如常数 2）
            show(next_fn, depth + 1)


print("d.grad_fn 沿 next_functions 展开：")
show(d.grad_fn)

d.sum().backward()  # 反向传播沿着这张图走一遍
print("a.grad =", a.grad)


# 图是每次运行时重新记录的：走哪条 Python 分支，记下的就是哪条
def gate(x):
    if x.sum() > 0:
        return x * 2
    return x - 10


for x in (a, -a):
    print(f"x.sum() = {x.sum().item():+.0f} 时，结果的 grad_fn：{name(gate(x).grad_fn)}")


# %% [markdown]
# 把这张图画出来就是下面这样。它不是手画的：构建网站时，脚本再运行一次，从 `d.grad_fn` 出发沿 `next_functions` 走一遍，把走到的节点和边画成图（箭头就是 `next_functions`，从结果指回它的来源）：
#
# （这里在 [网页版](../../paradigms/) 上有一张示意图。）
#
#
# - `MulBackward0`、`AddBackward0`：`* 2` 和 `+` 这两步各自的反向函数。结果张量的 `grad_fn` 指向最后一步，所以 `d` 打印出来带着 `grad_fn=<MulBackward0>`。
# - 两个 `AccumulateGrad`：图的叶子，分别连着 `a` 和 `b`（图中最下面的 `a.grad`、`b.grad`）。反向传播走到这里，把梯度累加进 `a.grad`、`b.grad`。常数 `2` 不需要梯度，图里没有它。
#
# 这就是 define-by-run 的本意：图在**运行时**长出来，每执行一个运算就添一个节点；下一次运行重新记一遍，走了哪条 Python 分支，记下的就是哪条（输出的最后两行）。“PyTorch 是动态图”说的就是这件事。
#
# 但这张图只为反向传播服务。它在运算**之后**才出现，记下的是已经做完的事：框架没法在运算之前拿它来融合运算、规划内存，也没法把它存成文件、脱离 Python 运行。静态图正好反过来，先有图，后运行。本章后面说“图”，指的都是这种**运行之前**就有的图。
#
# 同一个 `(a + b) * 2` 也可以在运行之前就变成图。PyTorch 自带的 `torch.fx` 用代理对象把函数“走”一遍，只记下每一步要做什么，不做真实计算：
#

# %% snippet="paradigms/fx_graph.py"
# 同一个 `(a + b) * 2`，这次在运行之前就捕获成图：torch.fx 用代理对象把函数“走”一遍，
# 记下每一步要做什么，却不做任何真实计算。图先于数据存在，这正是静态图的样子。
import torch
from torch import fx


def f(a, b):
    return (a + b) * 2


gm = fx.symbolic_trace(f)  # 还没有任何张量，图已经有了
print(gm.graph)
print("由图生成的代码：")
print(gm.code.strip())
print("拿真实数据运行它：", gm(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([4.0, 5.0, 6.0])))


# %% [markdown]
# 画出来是这样（同样由脚本的真实运行生成）：输入 `a`、`b` 在上，常数 `2` 是一个小圆，箭头顺着数据流动的方向。
#
# （这里在 [网页版](../../paradigms/) 上有一张示意图。）
#
#
# 两张图的节点一一对应，方向却相反：自动求导图从结果指回来源，是为反向传播准备的；`torch.fx` 的图从输入指向输出，描述的是前向计算本身，在任何数据出现之前就有了，可以拿来优化、改写、导出。第 4 章的 TorchDynamo 捕获的正是这种图。
#
# ## 一张表看两种范式
#
# 最后一列链接到本章的例子，每个例子都是可以直接运行的脚本，页面上是它真实的输出。
#
# | 特性 | 符号式（静态图） | 命令式（动态图，eager） | 证据 |
# | --- | --- | --- | --- |
# | 核心思想 | 先定义，后执行：先画好整张图，再喂数据运行 | 边定义，边执行：每个运算立刻算出结果 | [TF1 与 PyTorch 对照](../../paradigms/#define-and-run) |
# | 类比 | 像先编译、后运行的 C++（只是类比：TF1 的图由运行时解释执行） | 像 Python 解释器：写一行，跑一行 | [构图时的 print](../../paradigms/#debug-symbolic) |
# | 工作流程 | ① 定义图（占位符、变量、操作）；② 创建会话；③ 喂数据，运行图 | ① 创建张量；② 直接运算（`c = a + b`），马上得到结果 | [TF1 与 PyTorch 对照](../../paradigms/#define-and-run) |
# | 优点 | 能做全图优化（融合、复用内存）；易部署；图与语言无关 | 直观；直接用 Python 的 `if`/`for`/`while`；好调试 | [融合](../../paradigms/#optimize)、[内存](../../paradigms/#memory)、[GraphDef](../../paradigms/#define-and-run)；[控制流](../../paradigms/#control-flow)、[调试](../../paradigms/#debug-eager) |
# | 缺点 | 不直观；难调试；依赖数据的控制流要改写成图里的控制流操作 | 难做全局优化；每个运算单独调用，固定开销大 | [构图时的 print](../../paradigms/#debug-symbolic)、[tf.while_loop](../../paradigms/#control-flow)；[数内核](../../paradigms/#kernels)、[固定开销](../../paradigms/#overhead) |
#
# 性能上的差别到底有多大，取决于模型和硬件；本站在[性能实测](../../benchmarks/)一页给出了测量数据，本章只演示差别**从哪里来**。
#
# ## 两种工作流程
#
# （这里在 [网页版](../../paradigms/) 上有一张示意图。）
#
#
# 符号式一侧，图一旦建好就和 Python 代码脱离，之后只是反复“喂数据、取结果”。命令式一侧没有“先建图”这一步，代码执行到哪里，计算就进行到哪里；求导用的图是顺带记下的（见[上一节](../../paradigms/#graph)）。
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
# 与 tf1_graph.py 是同一个计算：不用先建图，也没有占位符和会话。
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
# - TF1 里 `print(d)` 打印的是 `Tensor("d:0", shape=(None,), dtype=float32)`：图中一个节点的**符号**，只有名字、形状和类型，没有值。值要等 `sess.run` 喂进数据后才出现，而且是一个 NumPy 数组。
# - 图里的 5 个操作 `['a', 'b', 'c', 'd/y', 'd']` 就是上一节那张图的形状：两个输入、加法、常数 2（`d/y`）和乘法。不同的是，它在任何数据出现之前就建好了。
# - PyTorch 里 `c`、`d` 在那一行执行完就有值了；“换一批数据”只是用新张量再算一遍，用不着占位符和会话。
# - TF1 的图可以反复运行，也可以用 `as_graph_def()` 存成一个几百字节的 protobuf（`GraphDef`）。这个格式与 Python 无关，C++、Java 写的运行时都能读。TensorFlow Serving 加载的 SavedModel 格式里装的也是这种图，另加变量的值和输入输出的签名。
#
# 这就是表中“易部署”“与语言无关”的来源。PyTorch 要得到类似的文件，需要[第 3 章](../../torchscript/)的 TorchScript 或[第 6 章](../../deploy/)的 `torch.export`。
#
# **源码在哪里：SavedModel 里有什么**
#
# TensorFlow 2.21 的 `tensorflow/core/protobuf/saved_model.proto` 定义 `SavedModel`：它由若干 `MetaGraphDef` 组成，每个 `MetaGraphDef` 里有一个 `graph_def`（就是上面的 `GraphDef`）、`signature_def`（输入输出的签名）和 `saver_def`（怎样恢复变量）。`tf.saved_model.save` 写出的目录里是 `saved_model.pb` 和存放变量值的 `variables/`。
#
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
    # 循环次数依赖数据本身，事先无法知道
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
# `while` 的次数依赖数据，RNN 的循环次数依赖每条序列的长度，写出来都是普通的 Python 代码。同一个 `collatz_steps` 搬进 TF1 的图模式会怎样？构图时张量还没有值，只能改写成图自己的控制流操作 `tf.cond` 和 `tf.while_loop`：
#

# %% [markdown]
# > TensorFlow 和 `torch.compile` 用到的 Triton 各自带着一份 LLVM，装进同一个进程会直接崩溃，所以把下面的脚本写成文件 `tf1_control_flow.py`，在一个新的 Python 进程里运行。
#

# %% snippet="paradigms/tf1_control_flow.py"
# %%writefile tf1_control_flow.py
# 符号式里的控制流：把 eager_control_flow.py 的 collatz_steps 搬进 TF1 的图模式。
# 构图时张量还没有值，Python 的 if / while 用不上，只能改写成 tf.cond 和 tf.while_loop。
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # 屏蔽 TF 的 C++ INFO 日志（见 tf1_graph.py）
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # 不同 CPU 上输出一致（见 tf1_graph.py）

import tensorflow as tf

tf1 = tf.compat.v1
tf1.disable_eager_execution()

graph = tf1.Graph()
with graph.as_default():
    n = tf1.placeholder(tf.int32, shape=[], name="n")

    # 直接用 Python 的 if：符号张量没有真假可言
    try:
        if n > 1:
            pass
    except TypeError as e:
        print(type(e).__name__ + ":", str(e).split(". ")[0])
    # 更隐蔽的是 ==：它比较的是两个 Python 对象是不是同一个，得到的是普通的 False，不报错
    print("n % 2 == 0 得到：", repr(n % 2 == 0))

    # 只能改写成图里的控制流：循环变量显式地进出循环体，两个分支各写成一个函数
    def not_done(n, steps):
        return tf.not_equal(n, 1)

    def one_step(n, steps):
        n = tf.cond(tf.equal(n % 2, 0), lambda: n // 2, lambda: 3 * n + 1)
        return n, steps + 1

    _, steps = tf1.while_loop(not_done, one_step, [n, tf.constant(0)])

print("图里的循环节点：", [op.type for op in graph.get_operations() if "While" in op.type])
with tf1.Session(graph=graph) as sess:
    for start in [6, 7, 27]:
        print(f"从 {start} 出发，{sess.run(steps, feed_dict={n: start})} 步到达 1")


# %% snippet="paradigms/tf1_control_flow.py" runs="tf1_control_flow.py"
import subprocess, sys
print(subprocess.run([sys.executable, 'tf1_control_flow.py'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout, end="")


# %% [markdown]
# - `if n > 1` 直接报错：符号张量没有真假可言，不能当作 Python 的 `bool`。
# - `n % 2 == 0` 更隐蔽：TF1 的图模式里，张量的 `==` 比较的是两个 Python 对象是不是同一个，得到普通的 `False`，不报错。照这样写 `while n != 1`，条件永远成立，就是死循环。
# - 改写以后结果与 eager 一致（8、16、111 步），代价是写法变了：循环变量要显式地传进传出，两个分支各写成一个函数。整个循环在图里是一个 `StatelessWhile` 节点，条件和循环体是挂在它上面的两个函数。
#
# 这就是表中“依赖数据的控制流要改写成图里的控制流操作”。下面 [torch.fx 的例子](../../paradigms/#fx)会看到，PyTorch 里的符号式追踪碰到这种 `if` 同样过不去。
#
# **源码在哪里：TF1 图模式里的 `==`**
#
# TensorFlow 2.21 的 `tensorflow/python/ops/math_ops.py` 里，`tensor_equals` 只在 eager（或 `tf.function` 里）才调用 `equal` 算子；否则走到注释“In legacy graph mode, tensor equality is object equality”下面的 `return self is other`。`!=` 对应的 `tensor_not_equals` 返回 `self is not other`。
#
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
# 中间结果随时可以打印（这里用 forward hook，不用改模型代码），也可以在任意一行写 `breakpoint()` 进入 pdb。形状不对时，异常在执行到那一层时立刻抛出，调用栈就是普通的 Python 调用栈。
#
# 最后一行是调用栈的最后一帧：torch 自己的 `linear.py` 里 `nn.Linear.forward` 调用矩阵乘法的那一行。它只说明出错的是**某个** `Linear`；是哪一个，要看报错里的形状：`4x8` 是第一层 `Linear(4, 8)` 的权重（转置后），它接不住 5 列的输入。
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
# `print` 只在构图时执行了一次，打印的是符号 `Tensor("mul:0", ...)`；之后两次运行图，它一次也没有执行。要看中间结果 `y`，只能把它也列进 `sess.run` 的取回列表（或者在图里插入专门的打印节点）。这就是表中“难调试”的意思。
#
# ## PyTorch 里的符号式视角：torch.fx
#
# PyTorch 也能在运行之前得到一张计算图。`torch.fx.symbolic_trace` 用代理对象（`Proxy`）代替真实张量把 `forward` 跑一遍，记下调用过的每个运算。这正是“先定义、后执行”里“定义”那一步的做法：
#

# %% snippet="paradigms/fx_trace.py"
# PyTorch 自己的“符号式视角”：torch.fx 用代理对象（Proxy）代替真实张量跑一遍 forward，
# 把调用过的运算记录成一张计算图，而不做任何真正的计算。
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
print("计算图（每行一个节点：节点种类 / 名字 / 目标 / 输入）：")
for node in gm.graph.nodes:
    target = node.target if isinstance(node.target, str) else node.target.__name__
    print(f"  {node.op:<13} {node.name:<7} {target:<10} {list(map(str, node.args))}")

print("\n由图重新生成的 Python 代码：")
print(gm.code.strip())

# 生成的 GraphModule 与原模块共享参数，算出的结果一样
x = torch.randn(2, 4)
print("\n与原模块结果一致：", torch.equal(gm(x), block(x)))


# %% [markdown]
# 追踪时手里只有符号，没有值。所以碰到“根据张量的值决定走哪条分支”的 Python `if`，符号式追踪就进行不下去了。这就是表中“依赖数据的控制流要改写”在 PyTorch 里的样子：
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
# 改写成 `torch.where` 后，两条分支都在图里计算，由数据在运行时挑选，图就完整了。[第 3 章](../../torchscript/)的 TorchScript 和[第 4 章](../../compile/)的 TorchDynamo 给出另外两种办法：把 Python 源码整个翻译成带控制流的图，或者在 `if` 处把图切开（图中断），把判断交还给 Python。
#
# ## 看得到整张图，才能做全局优化
#
# 有了运行之前就有的图，就可以在执行之前改写它。下面对 fx 图做一次真实的优化 pass（对整张图扫描一遍并改写）：推理时把 `Conv2d` 后面的 `BatchNorm2d` 折叠进卷积的权重和偏置，图里少掉一个节点，结果不变：
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
# 这种改写要求事先知道“卷积的输出只被 BN 使用、BN 处于推理模式”，只有看到整张图才知道。逐行执行的 eager 做不到：执行卷积时，框架还不知道下一行是什么。
#
# 本章后面几节要拿 `torch.compile` 的结果和 eager 对照，先用两句话介绍它。`torch.compile(f)` 返回一个新函数：第一次调用时，先由 TorchDynamo 从 `f` 里捕获出一张计算图，再交给编译器 TorchInductor 生成融合后的代码，之后的调用直接运行这份代码；它怎样捕获图、生成的代码长什么样，是[第 4 章](../../compile/)和[第 5 章](../../inductor/)的内容。
#
# 还有三个词后面会反复出现。PyTorch 的张量运算由 C++ 写的 **ATen** 库实现；ATen 里的每一种运算叫一个**算子**，名字写作 `aten::add`、`aten::mm`。一个算子在某种设备上真正干活的那段编译好的代码叫**内核**：同一个 `aten::add`，在 CPU 和 GPU 上调用的是不同的内核。
#
# ### 复用内存
#
# 整张图的另一个好处在内存上。eager 每执行一个运算，都要为结果拿一块新内存；临时结果用完会立刻释放，内存可以再分给后面的运算。但 eager 看不到下一步，不能让结果直接写进已有的缓冲区，也不能把几个运算合成一个不产生临时结果的循环。编译器看着整张图，这两件事都能做：同一个小函数，eager 分配了 8 次内存，编译后只分配 3 次。
#
# **深入：数一数分配了几次内存，以及为什么复用值得**
#
# eager 一侧用 `TorchDispatchMode` 拦下每个 ATen 算子，记下它新分配的结果；编译一侧直接读 Inductor 生成的 Python 包装代码：
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
# Inductor 生成的 Python 包装函数 call() 负责分配缓冲区、调用矩阵乘法库和融合后的 C++ 内核
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
# - 编译后只剩 3 次分配，都是矩阵乘法的输出。`buf1 = buf0; del buf0  # reuse` 是说 ReLU 直接写回矩阵乘法结果所在的那块内存；`sigmoid`、`* 2`、`+ 1` 融合成一个内核 `cpp_fused_add_mul_sigmoid_1`，也是原地计算；`del buf1` 在 `buf1` 最后一次被读之后立刻释放它。这些决定都是编译时看着整张图做出的。
# - 最后三行说明这不只是省内存（结论由脚本里的断言保证，留了余量，不靠某一次计时碰巧的大小）。PyTorch 在 CPU 上没有缓存分配器：不大的块释放后留在进程的堆里，下次分配直接复用；64 MiB 这样的大块，Linux（glibc）释放后直接还给操作系统，下次分配时每一页都要重新缺页、清零，所以写进新分配的内存要慢得多。
# - GPU 上 PyTorch 有缓存分配器，释放的显存留在进程里反复使用，分配本身很便宜；但每个临时结果照样占显存，照样要整个写一遍、再读一遍。[性能实测](../../benchmarks/#memory-cost)里最大尺寸的逐元素运算链离带宽上限很远，主要就是这笔缺页开销。
#
#
# ## 每个运算都是一次内核调用
#
# 命令式的另一个代价：每个运算单独执行，调用一次算子、跑一次内核，各自读一遍输入、写一份中间结果。用 PyTorch 自带的性能分析器 `torch.profiler` 数一数，同一个函数在 eager 下调用了几个算子，`torch.compile` 之后又是几个：
#

# %% snippet="paradigms/kernel_count.py"
# “命令式的每个运算都可能启动一个内核”：用 torch.profiler 数一数，
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
# eager 下 5 个算子依次执行，每个都遍历一次 1 万个元素，写出一个临时张量。编译之后，TorchInductor 把它们融合成**一个** C++ 循环 `cpp_fused_add_cos_mul_sin_sub_0`，运行时一个 ATen 算子也不调用。
#
# profiler 在编译区域里只记下三层包装：Dynamo 改写后的字节码准备图的输入（`Pregraph bytecode`），编译栈里处理求导的 AOTAutograd 在图外包的一层（`AOTDispatcher Runtime Wrapper Prologue`），最后调用 Inductor 编译好的代码（`## Call CompiledFxGraph ##`）。[第 4 章](../../compile/#layers)把这几行一一对上号。第一次调用要花时间捕获和编译（本站 2 核的 CPU 上要几秒到十几秒，见[第 4 章](../../compile/#first-call)），之后才有收益。
#
# 在 GPU 上，每个真正读写数据的算子（`sin`、`mul`、`add`……）都要启动至少一次 CUDA 内核，每次启动有一笔与数据量无关的固定开销，张量很小时它可能比计算本身还大。只改形状、步长这些元数据的算子（`view`、`t`、`transpose`、切片）不碰数据，也不启动内核。这一段在本站还只有 CPU 上的旁证：GPU 版的实验写好了，输出要等借到 GPU 才能捕获。
#
# **GPU 上的同一个实验（输出尚未捕获）**
#
# 函数里特意加了 `view` 和 `t`，分别数出 ATen 算子和 GPU 上真正执行的内核：
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
#
# ### 每个运算都有一笔固定开销
#
# 数内核只说明调用了几次。每次调用本身要花多少时间？eager 执行 `x + 1` 这一行时，Python 先进入 `Tensor.__add__` 的 C++ 绑定、解析参数；**分发器**（dispatcher）再按张量所在的设备、是否需要求导等“分发键”，一层层找到 CPU 上的加法内核；接着推算输出的形状和类型，分配输出张量；最后内核才真正开始算。
#
# 除了最后一步，其余都与张量有多大无关。把同一个 `x + 1` 放在不同大小的张量上计时，就能看出这笔固定开销：
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
# - `torch.compile` 把整串运算编译成一次调用，32 个运算只付一次开销。但编译后的函数每次调用也有自己的固定成本：先检查 guard（编译时记下的前提条件，例如输入的形状和类型），再穿过上一节 profiler 里的那几层 Python 包装，才调用到编译好的 C++ 代码。这比一次 eager 运算还贵，所以只有一个运算时，编译后反而更慢。
# - GPU 上每个内核还要另付一次启动开销。`torch.compile` 的 reduce-overhead 模式用 CUDA Graphs（把一串内核录下来，之后一次提交）把这笔也省掉，见[第 5 章](../../inductor/#modes)。
# - 对真实模型的启示：张量很小、运算很多的代码（小 batch 推理、逐元素的后处理、RNN 的单步）时间主要花在框架开销上，这正是图编译最能发挥作用的地方；大矩阵乘法几乎不受这笔开销影响（[性能实测](../../benchmarks/)里的 MLP 就是例子）。
#
# ## 小结
#
# - 符号式（静态图）先建图再运行：图能被整体优化、序列化和部署，代价是不直观、难调试，依赖数据的控制流要改写成 `tf.cond`、`tf.while_loop` 这样的控制流操作。
# - 命令式（动态图）边写边算：直观、灵活、好调试。它也记下一张图（`grad_fn`），但那张图只为求导服务，运算之后才出现；框架看不到全局，每个运算单独付一次开销。
# - 两者并不互斥。[第 2 章](../../evolution/)讲 TensorFlow 和 PyTorch 怎样从各自的起点走向对方：TensorFlow 2 默认改成了 eager，PyTorch 2 则用 `torch.compile` 在不改变命令式写法的前提下拿到整张图。
#
# ## 练习
#
# 前两题运行代码、解释输出，后三题动手改代码。每题先自己做，再展开参考答案对照；答案里的脚本和本章其他例子一样，输出来自真实的运行。
#
# ### 1. 两次调用，两张求导图
#
# 写一个函数 `f(a, b)`：`a` 的元素之和大于 0 时返回 `a * b`，否则返回 `(a + b) * 2`。分别用 `a = [1, 2]` 和 `a = [-1, -2]` 调用它（`a`、`b` 都设 `requires_grad=True`），从 `d.grad_fn` 出发，沿 `next_functions` 把求导图打印出来。两张图有什么不同？为什么说这张图没法拿来在运算之前做优化？
#
# **参考答案**
#

# %% snippet="paradigms/exercise_grad_fn.py"
# 练习：同一个函数调用两次，走了不同的 Python 分支，eager 记下的求导图也不同。
import torch


def f(a, b):
    if a.sum() > 0:  # 依赖数据的分支
        return a * b
    return (a + b) * 2


def walk(fn, depth=1):
    # 从 grad_fn 出发，沿 next_functions 把求导图打印成一棵缩进的树
    print("  " * depth + type(fn).__name__)
    for child, _ in fn.next_functions:
        if child is not None:
            walk(child, depth + 1)


for values in ([1.0, 2.0], [-1.0, -2.0]):
    a = torch.tensor(values, requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    d = f(a, b)
    print(f"a = {values}：d = {d.tolist()}，求导图：")
    walk(d.grad_fn)
    d.sum().backward()
    print(f"  a.grad = {a.grad.tolist()}，b.grad = {b.grad.tolist()}")


# %% [markdown]
# - 第一次走了 `a * b` 那一支，图里只有 `MulBackward0` 和两个叶子；第二次走了另一支，`MulBackward0` 下面多了一个 `AddBackward0`。图是运行时一个运算一个运算长出来的，走了哪条分支，记下的就是哪条。
# - 梯度也跟着分支走：第一次 `a.grad` 等于 `b` 的值 `[3, 4]`；第二次 `d = 2(a + b)`，`a.grad` 和 `b.grad` 都是 `[2, 2]`。
# - 这张图要等 `d` 算出来才完整，而且只有这一次真正执行的那条分支。框架在运算之前看不到它，也不知道下一次会走哪条分支，所以没法拿它提前融合运算、规划内存（[先看一张真的计算图](../../paradigms/#graph)）。
#
#
# ### 2. torch.fx 怎样对待 for 循环
#
# 函数 `g(x)` 把 `x = torch.sin(x) + 1` 重复 3 次（`for _ in range(3)`）。先猜：`torch.fx.symbolic_trace(g)` 得到的图里有几个运算？如果把次数改成参数 `n`（`for _ in range(n)`），还能追踪吗？
#
# **参考答案**
#

# %% snippet="paradigms/exercise_fx_loop.py"
# 练习：torch.fx 追踪带 for 循环的函数。循环次数是 Python 整数时，循环在追踪时就跑完了。
import torch
from torch import fx


def g(x):
    for _ in range(3):
        x = torch.sin(x) + 1
    return x


gm = fx.symbolic_trace(g)
print(gm.code.strip())
print("图里的运算：", sum(node.op == "call_function" for node in gm.graph.nodes), "个")


# 循环次数换成函数的参数：追踪时 n 也是一个代理对象，range() 要的却是真正的整数
def h(x, n):
    for _ in range(n):
        x = torch.sin(x) + 1
    return x


try:
    fx.symbolic_trace(h)
except TypeError as e:
    print("TypeError:", e)

# concrete_args 把 n 定成 2 再追踪：循环展开成 2 步，图里还多了一条检查 n 的断言
print(fx.symbolic_trace(h, concrete_args={"n": 2}).code.strip())


# %% [markdown]
# - 图里有 6 个运算，`sin` 和 `add` 各 3 个，循环本身不见了。`range(3)` 是普通的 Python 整数，追踪时循环在 Python 里实打实地跑了 3 遍，代理对象每经过一次 `sin` 和 `+ 1`，图里就多两个节点。这叫循环**展开**。
# - 次数成了参数 `n` 以后，追踪时 `n` 也是代理对象，`range()` 却要一个真正的整数，于是报 `'Proxy' object cannot be interpreted as an integer`。
# - `concrete_args={"n": 2}` 把 `n` 定成 2 再追踪：循环展开成 2 步，图的开头多了一条断言，以后传入别的 `n` 就会失败。[第 3 章](../../torchscript/#trace-loops)的 `torch.jit.trace` 也这样展开循环，只是它连断言都不加。
#
#
# ### 3. 让 torch.fx 追踪依赖数据的分支
#
# 模块 `Center` 先算 `m = x.mean()`：`m > 0` 时返回 `x - m`，否则原样返回 `x`。`torch.fx.symbolic_trace` 追踪不了它。改写 `forward`，让它能被追踪，并且对正、负两种输入都与原模块的结果相同。
#
# **参考答案**
#

# %% snippet="paradigms/exercise_fx_where.py"
# 练习：均值为正时把 x 中心化，否则原样返回。改写以后 torch.fx 才能追踪它。
import torch
from torch import fx, nn


class Center(nn.Module):
    def forward(self, x):
        m = x.mean()
        if m > 0:  # 依赖数据的控制流
            return x - m
        return x


try:
    fx.symbolic_trace(Center())
except fx.proxy.TraceError as e:
    print("TraceError:", e)


# 改写：两个分支都算出来，由 torch.where 按条件挑选
class CenterWhere(nn.Module):
    def forward(self, x):
        m = x.mean()
        return torch.where(m > 0, x - m, x)


gm = fx.symbolic_trace(CenterWhere())
print(gm.code.strip())
for x in (torch.tensor([1.0, 3.0]), torch.tensor([-1.0, -3.0])):
    print(f"x = {x.tolist()}：图的结果 {gm(x).tolist()}，原模块 {Center()(x).tolist()}")


# %% [markdown]
# - 原模块报 `TraceError`：`if m > 0` 要把一个代理对象当作 Python 的 `bool`，追踪时它还没有值。
# - 改写的办法和 [torch.fx 一节](../../paradigms/#fx)相同：两个分支都写成张量运算，由 `torch.where(m > 0, x - m, x)` 在图里按条件挑选。生成的代码里没有 `if`，只有 `gt`、`sub` 和 `where`，正、负输入的结果都与原模块一致。
# - 代价是 `x - m` 每次都要算，哪怕最后用不上。分支都很便宜时这不算什么；分支很贵时，可以用[第 6 章](../../deploy/#cond)的 `torch.cond`，它把两个分支都记成子图，运行时按条件选一个执行。
#
#
# ### 4. 在 TF1 的图里插入打印节点
#
# [符号式为什么难调试](../../paradigms/#debug-symbolic)一节里，构图时的 `print` 只执行一次。改用图里的打印节点 `tf.print`，让每次 `sess.run` 都打印中间结果 `y`。只把 `tf.print` 写进图里还不够，为什么？
#
# **参考答案**
#

# %% [markdown]
# > TensorFlow 和 `torch.compile` 用到的 Triton 各自带着一份 LLVM，装进同一个进程会直接崩溃，所以把下面的脚本写成文件 `exercise_tf1_print.py`，在一个新的 Python 进程里运行。
#

# %% snippet="paradigms/exercise_tf1_print.py"
# %%writefile exercise_tf1_print.py
# 练习：在 TF1 的图里插入打印节点，让每次 sess.run 都打印中间结果 y。
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # 屏蔽 TF 的 C++ INFO 日志（见 tf1_graph.py）
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # 不同 CPU 上输出一致（见 tf1_graph.py）

import sys

import tensorflow as tf

tf1 = tf.compat.v1
tf1.disable_eager_execution()

graph = tf1.Graph()
with graph.as_default():
    x = tf1.placeholder(tf.float32, shape=[None], name="x")
    y = x * 3.0
    # tf.print 是图里的一个节点：它和别的节点一样，只在运行图时执行
    show_y = tf.print("  [打印节点] y =", y, output_stream=sys.stdout)
    z = tf.reduce_sum(y)
    # 控制依赖：要算 z_logged，必须先运行 show_y
    with tf1.control_dependencies([show_y]):
        z_logged = tf.reduce_sum(y)

with tf1.Session(graph=graph) as sess:
    for fetch in (z, z_logged):
        print(f"取回 {fetch.name}：")
        for batch in ([1.0, 2.0], [10.0, 20.0, 30.0]):
            print("  z =", sess.run(fetch, feed_dict={x: batch}))


# %% snippet="paradigms/exercise_tf1_print.py" runs="exercise_tf1_print.py"
import subprocess, sys
print(subprocess.run([sys.executable, 'exercise_tf1_print.py'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout, end="")


# %% [markdown]
# - `sess.run` 只执行算出取回结果所需的那部分图。只取 `z` 时，`z` 不依赖打印节点，打印节点一次也没有运行（输出的前三行）。
# - `tf1.control_dependencies([show_y])` 给 `z_logged` 加了一条控制依赖：要算它，先得运行打印节点。于是取回 `z_logged` 时，每次运行都打印出 `y`。
# - 这也是先定义、后执行的一个特点：图里有哪些节点是一回事，这一次运行执行哪些是另一回事，由取回列表决定。[第 2 章](../../evolution/#tf-function-vs-compile)的 `tf.function` 里不用这样手写依赖，`[tf.print]` 每次调用都出现。
#
#
# ### 5. 写一个优化 pass：删掉多余的 relu
#
# `f(x)` 连着调用三次 `torch.relu`，再乘 2。`relu` 的结果已经没有负数，再做一次 `relu` 什么也不改变。用 `torch.fx` 写一个 pass：找到输入本身就是 `relu` 结果的 `relu` 节点，删掉它，让用到它的节点直接用它的输入。比较优化前后的节点和结果。
#
# **参考答案**
#

# %% snippet="paradigms/exercise_fx_pass.py"
# 练习：写一个优化 pass，删掉 fx 图里多余的 relu（relu(relu(x)) 与 relu(x) 相同）。
import torch
from torch import fx


def f(x):
    y = torch.relu(x)
    y = torch.relu(y)  # 多余：y 已经没有负数了
    return torch.relu(y) * 2


def is_relu(node):
    return node.op == "call_function" and node.target is torch.relu


def remove_double_relu(gm: fx.GraphModule) -> fx.GraphModule:
    for node in list(gm.graph.nodes):
        # 输入本身就是 relu 的结果：这个 relu 什么也不做，让它的使用者直接用它的输入
        if is_relu(node) and is_relu(node.args[0]):
            node.replace_all_uses_with(node.args[0])
            gm.graph.erase_node(node)
    gm.recompile()  # 由改过的图重新生成 forward 的代码
    return gm


gm = fx.symbolic_trace(f)
print("优化前：", [node.name for node in gm.graph.nodes])
remove_double_relu(gm)
print("优化后：", [node.name for node in gm.graph.nodes])
print(gm.code.strip())
x = torch.randn(1000)
print("结果与原函数一致：", torch.equal(gm(x), f(x)))


# %% [markdown]
# - 遍历图的节点：`replace_all_uses_with` 把使用者改接到输入上，`erase_node` 删掉节点，最后 `recompile()` 由改过的图重新生成 `forward` 的代码。
# - 三个 `relu` 只剩一个：第二个删掉以后，第三个的输入变成了第一个 `relu`，于是它也被删掉。结果与原函数逐位相同。
# - 这个 pass 能写出来，是因为手里有整张图：删一个节点之前，先看清它的输入从哪来、结果给了谁。和[折叠 BatchNorm](../../paradigms/#optimize) 一样，逐个执行运算的 eager 做不到这种改写。
#
