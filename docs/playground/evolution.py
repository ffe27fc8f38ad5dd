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
# > 本笔记本由网页 [evolution.md](../../evolution/) 生成：文字与页面相同，代码格就是页面嵌入的 `snippets/` 脚本。不要直接修改它，修改页面或脚本后运行 `make notebooks`。
#

# %% [markdown]
# # 第 2 章 框架的演进
#
# **运行环境**
#
# 本章所有例子在 CPU 上即可运行，输出来自 PyTorch 2.15.0（CPU）和 TensorFlow 2.21（`tensorflow-cpu`，`make test` 会安装）。`torch.compile` 的例子用只打印不编译的自定义后端，几秒钟就能跑完。
#
#
# 读完这一章你会知道：
#
# - TensorFlow 和 PyTorch 怎样从两端走到同一处：默认 eager，需要时再把函数变成图；
# - 哪几个版本带来了转折；
# - `tf.function` 和 `torch.compile` 得到图的办法有什么不同，碰到图里表达不了的代码时各自怎么办。
#
# 读这一章要先读过[第 1 章](../../paradigms/)，知道符号式（静态图）和命令式（动态图）的区别。
#
# [第 1 章](../../paradigms/)的两种范式并不是两个阵营。TensorFlow 从符号式出发，一步步加入命令式；PyTorch 从命令式出发，一步步拿回计算图。到了 TensorFlow 2.x 和 PyTorch 2.x，两者都是**默认命令式、按需切换到图**，只是切换的方式不同。
#
# ## 两条路线，走向同一处
#
# （这里在 [网页版](../../evolution/) 上有一张示意图。）
#
#
# **更正**
#
# 流传较广的一版示意图把“TF 2.x + tf.function”标成“符号式（默认开启）”。就 TensorFlow 本身而言，这是错的，也与那张图自己的版本表矛盾：TensorFlow 2.x 中 **Eager Execution 是默认行为**，`@tf.function` 是用户按需加上的装饰器。下面 `tf_function.py` 输出的第一行 `默认是 eager 吗？ True` 就是证据；只有在 `tf.function` 追踪函数的过程中，`tf.executing_eagerly()` 才是 `False`。
#
# 不过，很多 TF2 用户用 Keras 的 `model.fit` 训练，而 `fit` 默认把每一步训练包进 `tf.function`。对这部分代码，“默认走图”是对的，见下面的例子。
#
#
# ### 例外：Keras 的 fit 默认走图
#

# %% [markdown]
# > TensorFlow 和 `torch.compile` 用到的 Triton 各自带着一份 LLVM，装进同一个进程会直接崩溃，所以把下面的脚本写成文件 `keras_fit.py`，在一个新的 Python 进程里运行。
#

# %% snippet="evolution/keras_fit.py"
# %%writefile keras_fit.py
# TF 2.x 的另一面：多数人用 Keras 的 model.fit 训练，而 fit 默认把每一步训练包进 tf.function。
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # 屏蔽 TF 的 C++ INFO 日志（见第 1 章的 tf1_graph.py）
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # 不同 CPU 上输出一致（见第 1 章的 tf1_graph.py）

import keras
import numpy as np
import tensorflow as tf


class Probe(keras.Sequential):
    def train_step(self, data):
        # Python 的 print：走图时只在追踪那一次执行，逐步 eager 时每一步都执行
        print("  train_step：eager 吗？", tf.executing_eagerly())
        return super().train_step(data)


x = np.ones((8, 2), dtype="float32")
y = np.zeros((8, 1), dtype="float32")

for run_eagerly in (False, True):
    model = Probe([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", run_eagerly=run_eagerly)
    print(f"run_eagerly={run_eagerly} 时，jit_compile = {model.jit_compile}")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)  # 8 个样本，每批 4 个：共 2 步


# %% snippet="evolution/keras_fit.py" runs="keras_fit.py"
import subprocess, sys
print(subprocess.run([sys.executable, 'keras_fit.py'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout, end="")


# %% [markdown]
# - 默认的 `run_eagerly=False`：2 步训练，`train_step` 里的 `print` 只出现一次，而且是 `False`。Keras 用 `tf.function` 追踪了一次，两步都在图里运行。
# - `run_eagerly=True`：每一步都 eager 执行，`print` 出现两次，都是 `True`。调试时才这样设。
# - `jit_compile` 默认是 `"auto"`：机器上有 CPU 以外的设备、模型的每一层都支持 XLA 时，才用 XLA 编译那张图。本站的机器只有 CPU，所以是 `False`。
#
# **源码在哪里**
#
# Keras 3.15.1：`keras/src/trainers/trainer.py` 里 `compile` 的默认参数是 `run_eagerly=False`、`jit_compile="auto"`，`_resolve_auto_jit_compile` 在只有 CPU 的机器上返回 `False`（注释“Disable XLA on CPU-only machines”）；`keras/src/backend/tensorflow/trainer.py` 的 `_make_function` 里，`if not self.run_eagerly:` 就用 `tf.function(..., jit_compile=self.jit_compile)` 包起每一步。
#
#
# ## 各版本的范式与设计取向
#
# | 框架版本 | 主要范式 | 设计取向 |
# | --- | --- | --- |
# | TensorFlow 1.x | 符号式 | 性能与部署优先，为生产环境设计，代价是灵活性和易用性。 |
# | PyTorch 1.x | 命令式 | 灵活性优先，为研究和实验设计；1.0 起可以用 TorchScript 把模型转成图，用来部署。 |
# | TensorFlow 2.x | 命令式（默认）+ 符号式（`@tf.function`） | 默认 Eager Execution，需要性能或导出时用 `@tf.function` 把函数追踪成图（Keras 的 `fit` 默认这样做）。两边的衔接并不“无缝”，[下文](../../evolution/#tf-function-vs-compile)会看到。 |
# | PyTorch 2.x | 命令式（默认）+ 图编译（`torch.compile`） | 写法不变：TorchDynamo 在运行时从 Python 字节码里捕获计算图，交给 TorchInductor 做算子融合。一行 `torch.compile(model)` 就能打开，但打开不等于变快。 |
#
# 流传的说法是，PyTorch 2.x 靠 `torch.compile`“一行代码获得性能提升”“获得接近静态图的性能”。本站在 CPU 上实测了 eager、PyTorch 自己的静态图 TorchScript（`script` 再 `freeze`）和 `torch.compile`（[性能实测](../../benchmarks/#cpu-上的结果)）：
#
# - 逐元素运算链上，`torch.compile` 比 eager 快好几倍；TorchScript 与 eager 差不多，有的尺寸还更慢。
# - 以矩阵乘法为主的 MLP 和 Transformer 块上，三者都与 eager 相差不大。
#
# 所以，`torch.compile` 在融合起作用的地方超过了 PyTorch 自己的静态图；模型的时间主要花在矩阵乘法上时，哪一种都快不了多少。第一次调用还要先花几秒编译（[第 4 章](../../compile/#first-call)）。
#
# ## 转折点：每一步由哪个版本带来
#
# 下表只列与“命令式 / 符号式”和本站各章有关的转折点。PyTorch 的日期是该版本上传到 PyPI 的月份，内容以各版本的发布说明为准（版本号链接到发布说明）。
#
# | 时间 | 版本 | 带来了什么 | 意义 |
# | --- | --- | --- | --- |
# | 2017 年 1 月 | PyTorch 首个公开版本（0.1） | 基于 define-by-run 的自动求导 | 命令式路线的起点 |
# | 2017 年 2 月 | TensorFlow 1.0 | `tf.Session`、`tf.placeholder`（2015 年开源时即有） | 符号式 API 稳定下来：先建图，再用会话运行 |
# | 2018 年 1 月、3 月 | [TensorFlow 1.5](https://github.com/tensorflow/tensorflow/releases/tag/v1.5.0)、[1.7](https://github.com/tensorflow/tensorflow/releases/tag/v1.7.0) | Eager Execution 预览（`tf.contrib.eager`），1.7 移出 contrib | TensorFlow 开始引入命令式，但要手动开启 |
# | 2018 年 12 月 | PyTorch 1.0 | TorchScript：`torch.jit.trace`、`torch.jit.script` | PyTorch 第一次能把模型变成图，脱离 Python 部署（[第 3 章](../../torchscript/)） |
# | 2019 年 9 月 | [TensorFlow 2.0](https://github.com/tensorflow/tensorflow/releases/tag/v2.0.0) | Eager 成为默认；`tf.function` + AutoGraph 取代 `Session.run` | “Functions, not Sessions”：符号式从默认变成按需 |
# | 2021 年 3 月 | [PyTorch 1.8](https://github.com/pytorch/pytorch/releases/tag/v1.8.0) | `torch.fx`（Beta） | 在 Python 层面表示、改写计算图的工具包 |
# | 2023 年 3 月 | [PyTorch 2.0](https://github.com/pytorch/pytorch/releases/tag/v2.0.0) | `torch.compile`（TorchDynamo + AOTAutograd + TorchInductor） | 不改写法就能拿到计算图并编译（[第 4 章](../../compile/)） |
# | 2023 年 10 月、2024 年 1 月 | [PyTorch 2.1](https://github.com/pytorch/pytorch/releases/tag/v2.1.0)、[2.2](https://github.com/pytorch/pytorch/releases/tag/v2.2.0) | `torch.export`（原型）；AOTInductor | 整图导出，再提前编译成共享库，不带 Python 部署（[第 6 章](../../deploy/)） |
# | 2025 年 10 月到 2026 年 9 月 | [PyTorch 2.9](https://github.com/pytorch/pytorch/releases/tag/v2.9.0)、[2.10](https://github.com/pytorch/pytorch/releases/tag/v2.10.0)、[2.14](https://github.com/pytorch/pytorch/releases/tag/v2.14.0) | 2.9：ONNX 导出默认走 `torch.export`；2.10 起 `torch.jit` 发出弃用警告，2.14 起默认可见 | 部署转向 `torch.export`，TorchScript 进入弃用（[第 3 章](../../torchscript/#status)） |
#
# 之后的小版本继续改进 `torch.compile` 和 `torch.export`（区域编译、编译缓存、`set_stance` 等），分别在第 4 到 6 章介绍。TorchScript 的弃用是分几步完成的，逐个版本的核对、警告原文和迁移对照见[第 3 章](../../torchscript/#status)。
#
# ## 按需进入图模式：tf.function 与 torch.compile
#
# 两者都是装饰一个普通的 Python 函数，第一次调用时把它变成图，之后复用；输入的“签名”变了就重新来一遍。下面两个脚本做同样的实验：同一形状调用两次、换形状、换类型。
#
# **TensorFlow**
#

# %% [markdown]
# > TensorFlow 和 `torch.compile` 用到的 Triton 各自带着一份 LLVM，装进同一个进程会直接崩溃，所以把下面的脚本写成文件 `tf_function.py`，在一个新的 Python 进程里运行。
#

# %% snippet="evolution/tf_function.py"
# %%writefile tf_function.py
# TF 2.x：默认就是命令式（Eager Execution）；@tf.function 是按需打开的符号式。
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # 屏蔽 TF 的 C++ INFO 日志（CPU 指令集提示等）
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # 不同 CPU 上输出一致（见第 1 章的 tf1_graph.py）

import sys

import tensorflow as tf

print("默认是 eager 吗？", tf.executing_eagerly())
print("立刻得到值：", (tf.constant([1.0, 2.0]) * 2).numpy())


@tf.function  # 显式打开：第一次调用时追踪 Python 函数，生成一张图
def f(x):
    print("  [Python print] 正在追踪，x =", x)  # Python 副作用：只在追踪时执行
    tf.print("  [tf.print] 运行图，x =", x, output_stream=sys.stdout)  # 图里的节点：每次运行都执行
    print("  追踪时还是 eager 吗？", tf.executing_eagerly())
    return x * 2 + 1


print("第 1 次调用 float32[2]：")
f(tf.constant([1.0, 2.0]))
print("第 2 次调用 float32[2]（签名相同，复用图）：")
f(tf.constant([3.0, 4.0]))
print("第 3 次调用 float32[3]（形状变了，重新追踪）：")
f(tf.constant([1.0, 2.0, 3.0]))
print("第 4 次调用 int32[2]（类型变了，重新追踪）：")
f(tf.constant([1, 2]))
print("一共追踪了", f.experimental_get_tracing_count(), "次")

# 一个输入签名对应一个 ConcreteFunction，里面是一张真正的 tf.Graph
cf = f.get_concrete_function(tf.TensorSpec(shape=[None], dtype=tf.float32))
print("图里的操作：", [op.type for op in cf.graph.get_operations()])


# AutoGraph 把依赖张量值的 Python if 改写成图里的条件节点，而不是“断开”图
@tf.function
def abs_via_if(x):
    if tf.reduce_sum(x) > 0:
        return x
    return -x


graph = abs_via_if.get_concrete_function(tf.TensorSpec([None], tf.float32)).graph
print("if 变成了：", sorted({op.type for op in graph.get_operations()} & {"If", "StatelessIf"}))
print(abs_via_if(tf.constant([1.0, 2.0])).numpy(), abs_via_if(tf.constant([-1.0, -2.0])).numpy())


# 而图里拿不到具体的值：在 tf.function 里调用 .numpy() 会直接报错
@tf.function
def needs_value(x):
    return float(x.numpy()[0])


try:
    needs_value(tf.constant([1.0]))
except Exception as e:
    print(str(e).strip().splitlines()[-1].strip())  # 报错的最后一行是原因


# %% snippet="evolution/tf_function.py" runs="tf_function.py"
import subprocess, sys
print(subprocess.run([sys.executable, 'tf_function.py'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout, end="")


# %% [markdown]
# **PyTorch**
#

# %% snippet="evolution/compile_recompile.py"
# PyTorch 2.x：默认仍是命令式；torch.compile 是按需打开的“图模式”。
# 用一个自定义后端把 TorchDynamo 捕获到的每张图打印出来，再打开重新编译日志，
# 看看输入的形状、类型变了会发生什么。
import torch

# 等价于环境变量 TORCH_LOGS="recompiles"：每次重新编译都说明是哪条 guard 失败了
torch._logging.set_logs(recompiles=True)


graphs = []


def show_graph(gm, example_inputs):
    graphs.append(gm)
    # 后端拿到的是一个 torch.fx.GraphModule；这里只打印它，然后照原样执行
    values = [n.meta.get("example_value") for n in gm.graph.nodes if n.op == "placeholder"]
    shapes = [tuple(v.shape) for v in values if isinstance(v, torch.Tensor)]
    ops = [n.target.__name__ for n in gm.graph.nodes if n.op == "call_function"]
    print(f"  [后端] 编译一张图：算子 {ops}，张量输入形状 {shapes}")
    return gm.forward


@torch.compile(backend=show_graph)  # 省去 Inductor 生成代码的时间，只看 Dynamo 的捕获
def f(x):
    return x * 2 + 1


for x in [torch.ones(2), torch.ones(2), torch.ones(3), torch.ones(4), torch.ones(2, dtype=torch.int32)]:
    print(f"调用 f：{x.dtype}，形状 {tuple(x.shape)}")
    f(x)

print("一共编译了", len(graphs), "张图")


# %% [markdown]
# 怎样读这两段输出：
#
# - TensorFlow 一侧，`[Python print]` 出现在哪里，追踪就发生在哪里。“一共追踪了 3 次”之后还有一次：那是下一段的 `get_concrete_function(tf.TensorSpec(shape=[None]))` 要一张“长度任意”的图，这个签名之前没见过，于是又追踪了一次。
# - PyTorch 一侧，以 `V torch/_dynamo/guards.py]` 开头的是 torch 的日志：`V` 是级别（verbose，调试级），后面是打印它的源文件，`[__recompiles]` 是日志的类别。
# - `[0/1]` 是编译 id：第 0 个被编译的函数（这里是 `f`）的第 1 次重新编译；`[0/2]` 是第 2 次。
# - guard 是 Dynamo 为每张编译好的图记下的前提条件（输入的形状、dtype 等），每次调用先检查，都成立才复用。`- 0/0: tensor 'x' size mismatch ...` 说的是编译 `0/0` 的一条 guard 不成立了。
# - `s77` 是 Dynamo 给“可变长度”起的符号名，数字只是编号。图的输入形状从 `(2,)` 变成 `(s77,)`，说明这一维不再写死。
#
# 从输出可以读出两者的相同与不同：
#
# | | TensorFlow 2：`@tf.function` | PyTorch 2：`torch.compile` |
# | --- | --- | --- |
# | 默认 | eager；只有装饰过的函数变成图 | eager；只有编译过的函数变成图 |
# | 怎样得到图 | **追踪**：用符号张量把 Python 函数执行一遍；AutoGraph 先把 `if`/`while` 改写成图里的条件和循环（输出里的 `StatelessIf`） | **字节码分析**：TorchDynamo 在函数执行前分析它的字节码，把张量运算录成一张 `torch.fx` 图，交给后端（默认 TorchInductor） |
# | 什么时候重来 | 输入签名（形状、类型）与已有的图都不匹配时**重新追踪**；每个签名一张图，`get_concrete_function` 能取出来看 | guard 检查失败时**重新编译**；日志写明是哪条 guard：`size mismatch`、`dtype mismatch` |
# | 形状变化 | 每个新形状追踪一次（也可以用 `TensorSpec([None])` 或 `reduce_retracing=True` 声明可变维度） | 第一次形状变化后，自动把那一维标成符号 `s77`，之后换长度一般不再重新编译（2.1 起的自动动态形状）；长度 0 和 1 例外，仍会单独编译 |
# | Python 副作用（`print` 等） | 只在追踪时执行，运行图时不再执行；每次都要执行的要写成图里的操作（`tf.print`） | 在 `print` 处**图中断**：`print` 每次照常执行，前后各编译成一张图（见下一节） |
# | 需要具体值的代码 | 图里没有值：`.numpy()` 直接报错 | 图中断，交回 Python 执行；`fullgraph=True` 时才报错 |
#
# 长度 0 和 1 为什么例外（0/1 特化），[第 4 章的动态形状](../../compile/#dynamic)一节有实际输出。
#
# ## 遇到图里表达不了的代码
#
# TensorFlow 的选择是“整个函数必须是一张图”：AutoGraph 能改写的控制流放进图里，其余的 Python 代码只在追踪时执行一次（上面的 `[Python print]`），需要具体值的代码直接报错。TorchDynamo 的选择是“尽量捕获，捕获不了就断开”：
#

# %% snippet="evolution/compile_graph_break.py"
# torch.compile 遇到图里表达不了的东西（Python 副作用、依赖数据的分支）时不会报错，
# 而是“图中断”（graph break）：那一段交回 Python 照常执行，前后各编译成一张图。
import torch


def show_graph(gm, example_inputs):
    ops = [n.target if n.op == "call_method" else n.target.__name__ for n in gm.graph.nodes if n.op in ("call_function", "call_method")]
    print("  [后端] 编译一张图：", ops)
    return gm.forward


@torch.compile(backend=show_graph)  # 只看 Dynamo 切出了哪些图，不调用 Inductor
def f(x):
    y = x.sin()
    print("  [Python print] y =", y)  # Python 副作用：图里表达不了，在这里图中断
    return y.cos()


x = torch.tensor([0.5, 1.0])
print("第 1 次调用：")
f(x)
print("第 2 次调用（print 照样执行，因为它在图外）：")
f(x)


@torch.compile(backend=show_graph)
def g(x):
    if x.sum() > 0:  # 依赖数据的分支：Python 拿到真实的值再决定走哪边
        return x * 2
    return -x


print("正数输入：", g(torch.tensor([1.0, 2.0])).tolist())
print("负数输入：", g(torch.tensor([-1.0, -2.0])).tolist())

# torch._dynamo.explain 汇总图中断的次数和原因
report = torch._dynamo.explain(f.__wrapped__)(x)
print("图的数量：", report.graph_count, " 图中断次数：", report.graph_break_count)
for reason in report.break_reasons:
    print("原因：", "\n      ".join(line.strip() for line in reason.reason.splitlines()[:2]))

# 要求“必须是一整张图”时，用 fullgraph=True：图中断变成报错
try:
    torch.compile(f.__wrapped__, fullgraph=True, backend="eager")(x)
except Exception as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])  # 报错信息很长，只取第一行


# %% [markdown]
# - `f` 被 `print` 切成两张图（`sin` 一张，`cos` 一张）；`print` 在两张图之间由 Python 照常执行，所以第二次调用也打印了。这与 `tf.function` 只在追踪时打印一次正好相反。
# - `g` 里依赖数据的 `if` 也会引起图中断：`sum > 0` 编成一张图，Python 拿到结果再决定走哪条分支，每条分支各编译一张图。结果总是对的，但图被切碎了，能融合优化的范围也就小了。
# - “负数输入”之后那行 `[Python print]` 来自 `torch._dynamo.explain`：它为了统计图中断，把 `f` 真正运行了一遍，`print` 照常执行。它用自己的后端收集图，所以这次没有 `[后端]` 行。
# - `explain` 列出图中断的次数和原因。需要“一整张图”的场合（例如导出部署），用 `fullgraph=True` 把图中断变成报错。[第 4 章](../../compile/#graph-breaks)完整地展示报错和去掉图中断的办法；[第 6 章](../../deploy/)的 `torch.export` 也不接受图中断。
#
# ## 小结
#
# - 两个框架最终在同一处会合：写代码时是命令式，需要性能或部署时再把函数变成图。
# - TensorFlow 2 默认 eager，`@tf.function` 按需追踪成图；Keras 的 `fit` 默认就走图。PyTorch 2 默认 eager，`torch.compile` 从字节码里捕获图。
# - 区别在于碰到图里表达不了的代码：`tf.function` 要求整个函数变成一张图（除非用 `tf.py_function` 显式包起一段 Python），Python 副作用只在追踪时执行；`torch.compile` 允许图中断，退回 Python。
# - `torch.compile` 一行就能打开，但能快多少要看模型：融合起作用的地方收益明显，矩阵乘法为主的模型收益很小。
# - 下一章回到 PyTorch 的第一次尝试 TorchScript：它想解决的问题，正是 `torch.compile` 后来换了办法解决的问题。
#
# ## 练习
#
# 前两题运行代码、对照两个框架的输出，后两题动手改代码或调试。每题先自己做，再展开参考答案对照；答案里的脚本和本章其他例子一样，输出来自真实的运行。
#
# ### 1. 长度一直在变：追踪几次，编译几次
#
# 同一个函数 `x * 2 + 1`，依次传入长度为 2、3、4、5 的一维张量。先猜：`@tf.function` 追踪几次？加上 `reduce_retracing=True` 呢？`torch.compile` 编译几次？
#
# **参考答案**
#

# %% [markdown]
# > TensorFlow 和 `torch.compile` 用到的 Triton 各自带着一份 LLVM，装进同一个进程会直接崩溃，所以把下面的脚本写成文件 `exercise_retrace_tf.py`，在一个新的 Python 进程里运行。
#

# %% snippet="evolution/exercise_retrace_tf.py"
# %%writefile exercise_retrace_tf.py
# 练习：输入长度一直在变，tf.function 追踪几次？加上 reduce_retracing=True 呢？
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # 屏蔽 TF 的 C++ INFO 日志（CPU 指令集提示等）
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # 不同 CPU 上输出一致（见第 1 章的 tf1_graph.py）

import tensorflow as tf


@tf.function
def f(x):
    return x * 2 + 1


@tf.function(reduce_retracing=True)  # 同样的函数，只多了这个选项
def f_relaxed(x):
    return x * 2 + 1


for fn in (f, f_relaxed):
    for n in (2, 3, 4, 5):
        fn(tf.ones(n))
    print(f"{fn.__name__}：追踪了 {fn.experimental_get_tracing_count()} 次，每次得到一张图，签名是：")
    print(fn.pretty_printed_concrete_signatures(verbose=False))


# %% snippet="evolution/exercise_retrace_tf.py" runs="exercise_retrace_tf.py"
import subprocess, sys
print(subprocess.run([sys.executable, 'exercise_retrace_tf.py'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout, end="")


# %% snippet="evolution/exercise_retrace_torch.py"
# 练习：输入长度一直在变，torch.compile 编译几次？
import torch


def show_graph(gm, example_inputs):
    # 只打印 Dynamo 交来的图的参数表，不编译
    print("  [后端] 编译一张图：", gm.code.strip().splitlines()[0])
    return gm.forward


@torch.compile(backend=show_graph)
def f(x):
    return x * 2 + 1


for n in (2, 3, 4, 5):
    print(f"长度 {n}：")
    f(torch.ones(n))


# %% [markdown]
# - 默认的 `tf.function` 每遇到一个新形状就追踪一次：4 个长度，4 张图，签名里都是具体的长度。
# - `reduce_retracing=True` 只追踪 2 次：第二次遇到新形状时，它把签名放宽成 `shape=(None,)`（长度任意）再追踪，长度 4、5 都用这张图。
# - `torch.compile` 也是 2 次：长度 2 按常量编译；长度 3 时把第 0 维换成符号 `s77` 重新编译，之后不再编译。
# - 两边的策略其实一样：先按具体的形状，形状第一次变化时放宽成“长度任意”。区别在于 TensorFlow 默认不放宽，要自己打开；`torch.compile` 默认就这样做（[第 4 章的动态形状](../../compile/#dynamic)）。
#
#
# ### 2. 计数器：Python 副作用执行几次
#
# 函数里有一句 `calls += 1`，`calls` 是全局变量。用同样的输入调用 3 次：用 `tf.function` 时 `calls` 最后是几？用 `torch.compile` 呢？`torch.compile` 会不会在这一句图中断？
#
# **参考答案**
#

# %% [markdown]
# > TensorFlow 和 `torch.compile` 用到的 Triton 各自带着一份 LLVM，装进同一个进程会直接崩溃，所以把下面的脚本写成文件 `exercise_side_effect_tf.py`，在一个新的 Python 进程里运行。
#

# %% snippet="evolution/exercise_side_effect_tf.py"
# %%writefile exercise_side_effect_tf.py
# 练习：函数里给全局计数器加 1。用 tf.function 调用 3 次，计数器是几？
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # 屏蔽 TF 的 C++ INFO 日志（CPU 指令集提示等）
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # 不同 CPU 上输出一致（见第 1 章的 tf1_graph.py）

import tensorflow as tf

calls = 0


@tf.function
def f(x):
    global calls
    calls += 1  # Python 副作用
    return x * 2


for _ in range(3):
    f(tf.ones(2))
print("调用了 3 次，calls =", calls, "，追踪次数：", f.experimental_get_tracing_count())


# %% snippet="evolution/exercise_side_effect_tf.py" runs="exercise_side_effect_tf.py"
import subprocess, sys
print(subprocess.run([sys.executable, 'exercise_side_effect_tf.py'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout, end="")


# %% snippet="evolution/exercise_side_effect_torch.py"
# 练习：函数里给全局计数器加 1。用 torch.compile 调用 3 次，计数器是几？有没有图中断？
import torch

calls = 0


def f(x):
    global calls
    calls += 1  # Python 副作用
    return x * 2


compiled = torch.compile(f, backend="eager")
for _ in range(3):
    compiled(torch.ones(2))
print("调用了 3 次，calls =", calls)

report = torch._dynamo.explain(f)(torch.ones(2))
print("图的数量：", report.graph_count, " 图中断次数：", report.graph_break_count)
print("explain 又运行了一次 f，calls =", calls)


# %% [markdown]
# - `tf.function`：`calls` 是 1。`calls += 1` 是 Python 代码，只在追踪时执行了那一次；后两次调用只运行图，图里没有它。
# - `torch.compile`：`calls` 是 3，`explain` 显示 1 张图、0 次图中断。Dynamo 没有把这句放进图，也没有在这里切开图，而是记下对全局变量的修改，由改写后的字节码在每次调用时照样执行。`explain` 为了统计又运行了一次 `f`，所以最后变成 4。
# - 这就是两者对待 Python 副作用的区别：`tf.function` 里的 Python 代码只是“画图的脚本”；`torch.compile` 尽量保持 Python 原来的语义，`print` 这类默认不能挪到图外的副作用，就用图中断来保住（[上文](../../evolution/#graph-breaks)）。
#
#
# ### 3. 去掉依赖数据的 if 造成的图中断
#
# [上文](../../evolution/#graph-breaks)的 `g`：`x.sum() > 0` 时返回 `x * 2`，否则返回 `-x`。在 `torch.compile` 下它被切成了几张图。改写它，让 `fullgraph=True` 也能编译，并且正、负两种输入的结果都不变。
#
# **参考答案**
#

# %% snippet="evolution/exercise_where.py"
# 练习：g 里依赖数据的 if 把图切开了。改写它，让 torch.compile 得到一整张图。
import torch


def g(x):
    if x.sum() > 0:
        return x * 2
    return -x


# 改写：两个分支都是张量运算，用 torch.where 在图里按条件挑选
def g_where(x):
    return torch.where(x.sum() > 0, x * 2, -x)


pos, neg = torch.tensor([1.0, 2.0]), torch.tensor([-1.0, -2.0])
for fn in (g, g_where):
    report = torch._dynamo.explain(fn)(pos)
    print(f"{fn.__name__}：{report.graph_count} 张图，{report.graph_break_count} 次图中断")

full = torch.compile(g_where, fullgraph=True, backend="eager")  # 有图中断就会报错
for x in (pos, neg):
    print(f"x = {x.tolist()}：fullgraph 的结果 {full(x).tolist()}，原函数 {g(x).tolist()}")


# %% [markdown]
# - 改写成 `torch.where(x.sum() > 0, x * 2, -x)`：条件和两个分支都是张量运算，全在图里。`explain` 从 2 张图、1 次图中断变成 1 张图、0 次图中断，`fullgraph=True` 编译后，两种输入的结果都与原函数相同。
# - 对照 TensorFlow：AutoGraph 会自动把 `if` 改写成图里的 `StatelessIf`（上文 `tf_function.py` 的输出）。Dynamo 不改写你的代码，碰到依赖数据的 `if` 要么图中断，要么由你改写成张量运算。[第 1 章](../../paradigms/#fx)的 `torch.fx` 用的也是这个改法。
#
#
# ### 4. 调试 Keras 的训练步
#
# 你在自定义的 `train_step` 里写了一句 `print`，想看每一步的损失。`model.fit` 训练了 100 步，却只看到一行输出，而且打印出来的不是数。为什么？有哪两种办法让每一步都打印出损失的值？
#
# **参考答案**
#
#
# 这一题不用写新代码，本章的两个例子已经给出了答案。
#
# - `fit` 默认 `run_eagerly=False`，用 `tf.function` 把每一步包起来。`print` 是 Python 代码，只在追踪时执行一次（[Keras 的例子](../../evolution/#keras)里 `train_step` 的 `print` 只出现一次，而且是 `False`），打印的是追踪用的符号张量，没有值（`tf_function.py` 输出里的 `Tensor("x:0", ...)`）。
# - 办法一：`model.compile(..., run_eagerly=True)`，每一步都 eager 执行，`print` 每步都出现（Keras 例子的后半段）。代价是没有了图，只在调试时这样设。
# - 办法二：保留图，把 `print` 换成图里的操作 `tf.print`，它每次运行图都执行（[tf.function 的例子](../../evolution/#tf-function-vs-compile)里的 `[tf.print]` 行）。
#
