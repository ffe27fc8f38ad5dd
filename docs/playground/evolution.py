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
# [第 1 章](../../paradigms/)的两种范式并不是两个阵营。TensorFlow 从符号式出发，一步步加入命令式；PyTorch 从命令式出发，一步步拿回计算图。到了 TensorFlow 2.x 和 PyTorch 2.x，两者都是**默认命令式、按需切换到图**，只是切换的方式不同。
#
# ## 两条路线，走向同一处
#
# （这里在 [网页版](../../evolution/) 上有一张示意图。）
#
#
# **更正**
#
# 流传较广的一版示意图把“TF 2.x + tf.function”标成“符号式（默认开启）”。这是错的，也与它自己的版本表矛盾：TensorFlow 2.x 中 **Eager Execution 是默认行为**，`@tf.function` 是用户按需加上的装饰器。下面 `tf_function.py` 输出的第一行 `默认是 eager 吗？ True` 就是证据；只有在 `tf.function` 追踪函数的过程中，`tf.executing_eagerly()` 才是 `False`。
#
#
# ## 各版本的范式与设计取向
#
# | 框架版本 | 主要范式 | 设计取向 |
# | --- | --- | --- |
# | TensorFlow 1.x | 符号式 | 性能与部署优先，为生产环境设计，代价是灵活性和易用性。 |
# | PyTorch 1.x | 命令式 | 灵活性优先，为研究和实验设计；早期性能还有优化空间，部署要借助 TorchScript。 |
# | TensorFlow 2.x | 命令式（默认）+ 符号式（`@tf.function`） | 默认 Eager Execution，需要性能或导出时用 `@tf.function` 把函数追踪成图，兼顾灵活与性能。 |
# | PyTorch 2.x | 命令式（默认）+ 符号式（`torch.compile`） | 保持命令式的写法不变，用即时（JIT）编译追回性能：TorchDynamo 在运行时从 Python 字节码里捕获计算图，交给 TorchInductor 等编译器做算子融合等图级优化。一行 `torch.compile(model)` 即可开启，第一次调用时编译，之后复用编译结果。 |
#
# 能快多少因模型和硬件而异，实测数据见[性能实测](../../benchmarks/)。
#
# ## 转折点：每一步由哪个版本带来
#
# 下表只列与“命令式 / 符号式”和本站各章有关的版本。PyTorch 的日期是该版本上传到 PyPI 的月份，内容以各版本的发布说明为准（版本号链接到发布说明）。
#
# | 时间 | 版本 | 带来的 API | 意义 |
# | --- | --- | --- | --- |
# | 2017 年 1 月 | PyTorch 首个公开版本（0.1） | 基于 define-by-run 的自动求导 | 命令式路线的起点 |
# | 2017 年 2 月 | TensorFlow 1.0 | `tf.Session`、`tf.placeholder`（2015 年开源时即有） | 符号式 API 稳定下来：先建图，再用会话运行 |
# | 2018 年 1 月 | [TensorFlow 1.5](https://github.com/tensorflow/tensorflow/releases/tag/v1.5.0) | Eager Execution 预览版（`tf.contrib.eager`） | TensorFlow 开始引入命令式 |
# | 2018 年 3 月 | [TensorFlow 1.7](https://github.com/tensorflow/tensorflow/releases/tag/v1.7.0) | `tf.enable_eager_execution()` 移出 contrib | eager 成为正式功能，但仍需手动开启 |
# | 2018 年 12 月 | PyTorch 1.0 | TorchScript：`torch.jit.trace`、`torch.jit.script` | PyTorch 第一次能把模型变成可优化、可脱离 Python 部署的图（[第 3 章](../../torchscript/)） |
# | 2019 年 9 月 | [TensorFlow 2.0](https://github.com/tensorflow/tensorflow/releases/tag/v2.0.0) | Eager 成为默认；`tf.function` + AutoGraph 取代 `Session.run`；1.x API 移入 `tf.compat.v1` | “Functions, not Sessions”：符号式从默认变成按需 |
# | 2021 年 3 月 | [PyTorch 1.8](https://github.com/pytorch/pytorch/releases/tag/v1.8.0) | `torch.fx`（Beta） | 在 Python 层面表示、改写计算图的工具包 |
# | 2023 年 3 月 | [PyTorch 2.0](https://github.com/pytorch/pytorch/releases/tag/v2.0.0) | `torch.compile`（TorchDynamo + AOTAutograd + TorchInductor） | 不改写法就能拿到计算图并编译（[第 4 章](../../compile/)） |
# | 2023 年 10 月 | [PyTorch 2.1](https://github.com/pytorch/pytorch/releases/tag/v2.1.0) | `torch.export`（原型）；`torch.compile` 自动动态形状 | 完整的整图导出，用于部署（[第 6 章](../../deploy/)） |
# | 2024 年 1 月 | [PyTorch 2.2](https://github.com/pytorch/pytorch/releases/tag/v2.2.0) | AOTInductor | 把导出的图提前编译成共享库，不带 Python 部署（[第 6 章](../../deploy/)） |
# | 2024 年 10 月 | [PyTorch 2.5](https://github.com/pytorch/pytorch/releases/tag/v2.5.0) | 区域编译（regional compilation） | 重复的模块只编译一份，缩短编译时间（[第 5 章](../../inductor/)） |
# | 2025 年 1 月 | [PyTorch 2.6](https://github.com/pytorch/pytorch/releases/tag/v2.6.0) | `torch.compiler.set_stance`；AOTInductor 的 `.pt2` 打包 API | 运行时切换编译策略（[第 4 章](../../compile/)）；部署包的标准格式（[第 6 章](../../deploy/)） |
# | 2025 年 4 月 | [PyTorch 2.7](https://github.com/pytorch/pytorch/releases/tag/v2.7.0) | Mega-Cache（`torch.compiler.save_cache_artifacts` / `load_cache_artifacts`） | 编译缓存可以打包带到另一台机器（[第 5 章](../../inductor/)） |
# | 2025 年 10 月 | [PyTorch 2.9](https://github.com/pytorch/pytorch/releases/tag/v2.9.0) | `torch.onnx.export` 默认 `dynamo=True` | ONNX 导出改走 `torch.export`，不再经过 TorchScript（[第 6 章](../../deploy/)） |
# | 2026 年 1 月 | [PyTorch 2.10](https://github.com/pytorch/pytorch/releases/tag/v2.10.0) | `torch.jit` 的入口在运行时发出 `DeprecationWarning` | TorchScript 进入弃用（[第 3 章](../../torchscript/#status)） |
# | 2026 年 3 月 | [PyTorch 2.11](https://github.com/pytorch/pytorch/releases/tag/v2.11.0) | 文档字符串标注 `.. deprecated:: 2.5` | PyTorch 团队宣布 TorchScript 弃用，改用 `torch.export` |
# | 2026 年 9 月 | [PyTorch 2.14](https://github.com/pytorch/pytorch/releases/tag/v2.14.0) | `torch.jit` 的弃用警告改为 `FutureWarning` | 普通的 `python x.py` 就会打印这些警告 |
# | 2026 年 10 月 | [PyTorch 2.15](https://github.com/pytorch/pytorch/releases/tag/v2.15.0) | 本站的主版本 | 与 2.13 相比，本站各章的输出有哪些不同，见[版本差异](../../versions/) |
#
# TorchScript 的弃用分了几步：2.10 起运行时警告（默认看不到），2.11 起文档标注，2.14 起警告默认可见；2.11 加上的标注把起点记在 2.5，而 2.5 本身既没有标注也不发警告。逐个版本核对的表格、警告原文和迁移对照见[第 3 章](../../torchscript/#status)。
#
# 把这些转折点按年份排成一条时间线：
#
# （这里在 [网页版](../../evolution/) 上有一张示意图。）
#
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


# 而图里拿不到具体的值：在 tf.function 里调用 .numpy（）会直接报错
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
    print(f"调用 f（{x.dtype}，形状 {tuple(x.shape)}）")
    f(x)

print("一共编译了", len(graphs), "张图")


# %% [markdown]
# 从输出可以读出两者的相同与不同：
#
# | | TensorFlow 2:`@tf.function` | PyTorch 2:`torch.compile` |
# | --- | --- | --- |
# | 默认模式 | eager；只有被装饰的函数变成图 | eager；只有被编译的函数变成图 |
# | 怎样得到图 | **追踪**：用符号张量把 Python 函数执行一遍；AutoGraph 先把 Python 的 `if`/`while` 改写成图里的条件和循环（输出里的 `StatelessIf`） | **字节码分析**：TorchDynamo 在 Python 执行函数前分析它的字节码，把张量操作录成一张 `torch.fx` 图，交给后端（默认 TorchInductor） |
# | 什么时候重新来 | 输入签名（形状、类型）与已有的 ConcreteFunction 都不匹配时**重新追踪**；每个签名一张图，`get_concrete_function` 可以取出来看 | guard 检查失败时**重新编译**；日志写明是哪个 guard：`size mismatch`、`dtype mismatch` |
# | 形状变化 | 每个新形状一次追踪（也可以用 `TensorSpec([None])` 或 `reduce_retracing=True` 声明可变维度） | 第一次形状变化后自动把那一维标成符号（输出里的 `s77`），之后再换长度不再重新编译（PyTorch 2.1 起的自动动态形状） |
# | Python 副作用（`print` 等） | 只在追踪时执行一次，之后运行图时不再执行；每次都要执行的要写成图里的操作（`tf.print`） | 在 `print` 处发生**图中断**：`print` 每次都照常执行，前后各编译成一张图（见下一节） |
# | 需要具体值的代码 | 图里没有值：`.numpy()` 直接报错 | 图中断，交回 Python 执行；`fullgraph=True` 时才报错 |
#
# ## 遇到图里表达不了的代码
#
# TensorFlow 的选择是“整个函数必须是一张图”：AutoGraph 能改写的控制流放进图里，其余的 Python 代码只在追踪时执行一次（上面 `[Python print]` 只出现在追踪时），需要具体值的代码则直接报错。TorchDynamo 的选择是“尽量捕获，捕获不了就断开”：
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
# - `f` 被 `print` 切成两张图（`sin` 一张，`cos` 一张）；`print` 在两张图之间由 Python 照常执行，所以第二次调用也打印了——与 `tf.function` 中只在追踪时打印一次正好相反。
# - `g` 里依赖数据的 `if` 也会引起图中断：`sum > 0` 编成一张图，Python 拿到结果后再决定走哪条分支，每条分支各编译一张图。结果总是对的，但图被切碎了，能融合优化的范围也就小了。
# - `torch._dynamo.explain` 能列出图中断的次数和原因；在需要“一整张图”的场合（例如导出部署），用 `fullgraph=True` 把图中断变成报错。[第 4 章](../../compile/#graph-breaks)会完整地展示图中断的报错和每种去掉它的办法；[第 6 章](../../deploy/)讲的 `torch.export` 和 `fullgraph=True` 一样不接受图中断。
#
# 两条路线最终在同一处会合：写代码时是命令式，需要性能或部署时再把它变成图。区别只在于 TensorFlow 要求被装饰的函数能整体变成图（除非用 `tf.py_function` 显式包起一段 Python），而 PyTorch 允许图中断、退回 Python。
#
