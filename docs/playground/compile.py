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
# > 本笔记本由网页 [compile.md](../../compile/) 生成：文字与页面相同，代码格就是页面嵌入的 `snippets/` 脚本。不要直接修改它，修改页面或脚本后运行 `make notebooks`。
#

# %% [markdown]
# # 第 4 章 TorchDynamo：torch.compile 怎样拿到图
#
# **运行环境**
#
# 本章的例子只要 CPU。用到 Inductor 的几个例子（[第一次调用](../../compile/#first-call)、[profiler 里的几层](../../compile/#layers)、[tlparse 报告](../../compile/#tlparse)、[排查的阶梯](../../compile/#debugging)）要用 C++ 编译器编译生成的代码，Linux 上是 `g++`。页面上的输出在 PyTorch 2.15.0（CPU 上运行）、Python 3.11、2 核的虚拟机上捕获；2.13.0 打印得不一样的地方，输出下方附有差异。字节码是 CPython 3.11 的：别的 Python 版本指令名和条数都不同，但 Dynamo 做的事一样。
#
#
# [第 3 章](../../torchscript/)的 TorchScript 要么追踪一次执行，要么要求你写 Python 的一个子集。`torch.compile` 换了一条路：它不要求改写代码，而是在 Python 执行到你的函数时截住它，分析它的**字节码**，把其中的张量运算抽成图交给编译器，抽不出来的部分照常由 Python 执行。做这件事的是 TorchDynamo（下文简称 Dynamo）。
#
# 这一章只讲 Dynamo 这一层，并且始终跟着同一个函数走：两句张量运算，中间夹一句 Dynamo 放不进图的 `print`。
#

# %% snippet="compile/example.py"
# 全章的运行示例：两句张量运算，中间夹一句 Dynamo 放不进图的 print。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


print(f(torch.linspace(-1, 1, 4)))  # 先用 eager 执行一次


# %% [markdown]
# 我们依次看 Dynamo 怎样改写它的字节码、为编译结果记下哪些 guard、形状变化时怎样换成符号、在 `print` 处怎样把图切开，再把这一切做成一份可以点开的 tlparse 报告。图交给后端以后发生的事（AOTAutograd、Inductor 的算子融合与代码生成）是[第 5 章](../../inductor/)的内容；把整个模型导出、带离 Python 是[第 6 章](../../deploy/)的内容。
#
# ## 一行 torch.compile 背后的编译栈
#
# `compiled = torch.compile(f)` 这一行几乎什么都不做，真正的工作发生在第一次调用 `compiled(x)` 时：
#
# （这里在 [网页版](../../compile/) 上有一张示意图。）
#
#
# - **TorchDynamo** 借助 CPython 的帧求值钩子（PEP 523），在函数的字节码真正执行之前逐条“符号执行”它：遇到张量运算就记进一张 [torch.fx](../../paradigms/) 图；遇到它处理不了的东西就在那里把图切断，这叫**图中断**（graph break）。同时它记下这张图成立的前提——输入的形状、dtype、用到的全局变量、全局状态等等，称为 **guard**。最后它生成一份新的字节码：调用编译好的图，执行图中断的那一句，再接着执行后面的代码。
# - 抽出的图交给**后端**。默认的后端先经过 AOTAutograd，再由 TorchInductor 生成融合后的 C++ 或 Triton 代码，见[第 5 章](../../inductor/)。本章多数例子用 `backend="eager"`：Dynamo 照常抽图、记 guard、改写字节码，只是抽出的图原样执行，不编译，所以运行很快，看到的 Dynamo 行为与默认后端相同。
# - 编译好的代码按 guard 缓存在函数的 code 对象上。以后每次调用，Dynamo 先检查 guard：全部通过就直接运行；有一条不通过就**重新编译**。
#
# ## 第一次调用编译，之后的调用很快
#
# 常听到的说法是“第一次调用会编译图，后续调用极快”。下面把它拆成三个数字来测：第一次调用（含编译）花多久、稳定之后每次调用花多久、同样的代码用 eager 执行每次花多久。测两种负载：一串便宜的逐元素运算（正是融合最能发挥作用的地方），和一个小 MLP（时间主要花在矩阵乘上）。
#

# %% snippet="compile/first_call.py"
# 测量 torch.compile 的三个时间：第一次调用（含编译）、稳定后每次调用、eager 每次调用。
import os
import tempfile
import time

# 用一个空的临时目录做 Inductor 的磁盘缓存，第一次调用就是真正的冷启动
# （平时默认缓存在 /tmp/torchinductor_<用户名>，第二次运行脚本时会命中它）
cache = tempfile.TemporaryDirectory()
os.environ["TORCHINDUCTOR_CACHE_DIR"] = cache.name

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch._dynamo.utils import counters  # noqa: E402
from torch.utils import benchmark  # noqa: E402

torch.manual_seed(0)


def pointwise(x):
    # 8 个便宜的逐元素运算（与“性能实测”页的逐元素运算链相同）：
    # eager 下每个运算都要把整个张量读一遍、写一遍，融合后只读一遍 x、写一遍结果
    y = torch.relu(x * 1.5 + 0.5)
    y = torch.abs(y * y - 1.0)
    return torch.clamp(y, max=4.0) * 0.25


mlp = nn.Sequential(nn.Linear(256, 1024), nn.GELU(), nn.Linear(1024, 256)).eval()

cases = [
    ("逐元素运算链", pointwise, torch.randn(4 * 1024 * 1024)),
    ("小 MLP", mlp, torch.randn(64, 256)),
]
# 编译和计时都只用 1 个线程：在核数少、又有别的进程在跑的机器上更稳定。
# 线程数是 guard 的一部分，编译时和计时时必须相同，否则计时的第一次调用会重新编译
threads = 1
torch.set_num_threads(threads)


def median_ms(fn, x):
    # blocked_autorange 先预热，再反复运行至少 0.5 秒，取中位数；num_threads 与编译时相同
    timer = benchmark.Timer("fn(x)", globals={"fn": fn, "x": x}, num_threads=threads)
    return timer.blocked_autorange(min_run_time=0.5).median * 1e3


print(f"PyTorch {torch.__version__}，{threads} 个线程（编译和计时相同）")
with torch.no_grad():
    for name, fn, x in cases:
        compiled = torch.compile(fn)
        t0 = time.perf_counter()
        compiled(x)  # 第一次调用：Dynamo 捕获图，Inductor 生成并编译 C++
        first = time.perf_counter() - t0

        torch._dynamo.reset()  # 清空内存里的编译结果，但磁盘上的 Inductor 缓存还在
        recompiled = torch.compile(fn)
        t0 = time.perf_counter()
        recompiled(x)
        cached = time.perf_counter() - t0

        same = torch.allclose(recompiled(x), fn(x), atol=1e-5)
        graphs = counters["stats"]["unique_graphs"]
        # 计时期间若需要重新编译就直接报错，而不是把编译时间算进去
        with torch.compiler.set_stance("fail_on_recompile"):
            compiled_ms = median_ms(recompiled, x)
        eager_ms = median_ms(fn, x)
        print(f"\n{name}（输入 {tuple(x.shape)}），结果与 eager 一致：{same}")
        print(f"  第一次调用（含编译，缓存为空）：{first:.2f} s")
        print(f"  重新编译（命中磁盘缓存）：{cached:.2f} s")
        print(f"  计时期间新编译的图：{counters['stats']['unique_graphs'] - graphs} 张")
        print(f"  之后每次调用（中位数）：{compiled_ms:.3f} ms")
        print(f"  eager 每次调用（中位数）：{eager_ms:.3f} ms")
        print(f"  加速比（eager ÷ 编译后）：{eager_ms / compiled_ms:.2f}x")
cache.cleanup()


# %% [markdown]
# 测量方法：第一次调用用 `time.perf_counter` 计一次（它只发生一次，没法取中位数）；稳定耗时用 `torch.utils.benchmark.Timer` 的 `blocked_autorange`，它先预热，再反复运行至少 0.5 秒，取每次运行的中位数。这些数字每次运行都不同，测试只比对输出的结构，不比对数字；页面上显示的是捕获这份输出的那一次运行（2 核虚拟机，同时还有别的任务在跑）。
#
# 这里有一个容易踩的坑：**线程数是 guard 的一部分**（见[下文的 guard 树](../../compile/#guards)里 `GLOBAL_STATE` 的 `num_threads`）。`Timer` 默认用 1 个线程计时，如果编译时用的是 2 个线程，计时的第一次调用就会因为 guard 失败而重新编译，把编译时间算进去，测到的也不再是原来那份代码。所以脚本在编译之前就把线程数设成 1，计时也用 1 个线程；计时期间用 `torch.compiler.set_stance("fail_on_recompile")` 禁止重新编译（一旦发生就报错），并用 `counters["stats"]["unique_graphs"]` 数计时前后新编译了几张图，输出里的“0 张”就是证据。
#
# 从输出里可以读出三件事：
#
# 1. **第一次调用的代价是秒级的。** 脚本开头把 Inductor 的磁盘缓存指向一个空目录，所以第一次调用是真正的冷启动：Dynamo 分析字节码，AOTAutograd 生成图，Inductor 生成 C++ 并调用编译器；进程里第一次用到编译器时，还要导入这些模块、启动编译用的子进程、编译一次公共的头文件。所以第一个例子的首次调用远比第二个慢，第二个例子（小 MLP）只付它自己那份编译的钱。
# 2. **编译结果会缓存到磁盘。** `torch._dynamo.reset()` 清掉了进程里的一切编译结果，再次调用时 Dynamo 仍要重新分析字节码，但 Inductor 在磁盘缓存里找到了同一张图编译好的代码，第一次调用就快了一到两个数量级。平时缓存默认在 `/tmp/torchinductor_<用户名>`（环境变量 `TORCHINDUCTOR_CACHE_DIR` 可以改），第二次运行同一个脚本时也会命中它。
# 3. **能不能变快取决于负载。** 逐元素运算链是 8 个便宜的运算（乘、加、relu、平方、减、绝对值、截断、乘），eager 下每个运算都要把四百万个数读一遍、写一遍，编译后融合成一个内核，只读一遍输入、写一遍输出，所以稳定耗时明显短于 eager。小 MLP 的时间几乎都花在两个矩阵乘上，而矩阵乘无论 eager 还是编译后都调用同一个库，Inductor 能优化的只有 GELU 和加偏置这点零头，所以它的加速比远小于逐元素运算链，也更容易被测量噪声左右：换一台机器或换个时刻测，它可能略快也可能略慢。[性能实测](../../benchmarks/)页对这两类负载做了多轮交替计时：同样这串逐元素运算，`torch.compile` 在三种尺寸上快 2.9 到 11.9 倍；MLP 的加速比在 0.93× 到 1.01× 之间。“编译之后极快”不是普遍规律。
#
# ## 帧钩子：Dynamo 截住的是字节码
#
# CPython 执行一个函数时，先为它建一个帧（frame），再逐条解释执行它的字节码。PEP 523 允许在“建好帧、还没开始执行”这一刻插入一个自己的求值函数。`torch.compile` 返回的函数在调用时打开这个钩子：对于被编译的函数，Dynamo 拿到的不是源代码，而是这一帧和它的字节码。
#

# %% snippet="compile/frame_hook.py"
# TorchDynamo 看到的是什么：函数的字节码，以及它从中抽出的 FX 图。
import dis

import torch

SCALE = 2.0


# 全章的运行示例：两句张量运算，中间夹一句 Dynamo 放不进图的 print
def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


print("== f 原来的字节码（dis.get_instructions(f)）")
for ins in dis.get_instructions(f):
    line = f"第 {ins.starts_line} 行" if ins.starts_line else ""
    print(f"{line:<7}{ins.offset:4} {ins.opname:<13} {ins.argrepr}")


def show_graph(gm, example_inputs):
    # 自定义后端：Dynamo 每抽出一张图，就把它（torch.fx.GraphModule）交给后端一次
    print("== Dynamo 交给后端的一张图")
    print(gm.code.strip())
    return gm.forward  # 原样执行这张图


compiled = torch.compile(f, backend=show_graph)
compiled(torch.randn(8))


# %% [markdown]
# 上半段是 `f` 原来的字节码，每条指令前是它在 code 对象里的字节偏移。第 11 行的 `LOAD_GLOBAL torch`、`LOAD_ATTR sin`、`LOAD_FAST x`、`CALL` 就是 `torch.sin(x)`，`LOAD_GLOBAL SCALE` 与 `BINARY_OP *` 是乘法，`STORE_FAST y` 存进局部变量 `y`；第 12 行是 `print` 调用，偏移 98 的 `POP_TOP` 扔掉它的返回值；第 13 行算 `torch.cos(y) + 1` 并返回。
#
# Dynamo 像解释器一样从头“执行”这些指令，只是栈上放的不是真实的值，而是描述这些值的对象：张量运算被记进 FX 图，`SCALE` 这样的 Python 浮点数被当作常量直接写进图里（第一张图里的 `y = sin * 2.0`）。执行到偏移 88 的 `CALL print` 时，它发现 `print` 是一个有副作用的内置函数，无法放进图，于是在这里**图中断**：到此为止的运算成为第一张图（`sin` 与 `mul`），输出里接着出现了真正执行的 `print`，然后第 13 行的运算成为第二张图，它的输入是 `L_y_`——中断处的局部变量 `y`。
#
# ### 改写后的字节码
#
# 抽出图之后，Dynamo 生成一份新的字节码代替 `f` 原来的字节码。下面用 `register_bytecode_hook` 取出它（环境变量 `TORCH_LOGS="bytecode"` 会把原来的和改写后的字节码完整地打印出来）：
#

# %% snippet="compile/bytecode.py"
# TorchDynamo 改写后的字节码：调用编译好的图，执行图中断的那一句，再调用续接函数。
import dis

import torch
from torch._dynamo.convert_frame import register_bytecode_hook

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


# Dynamo 每改写一个 code 对象，就把原来的和新的 code 对象交给这个钩子
generated = {}
register_bytecode_hook(lambda old, new: generated.setdefault(old.co_name, new))
compiled = torch.compile(f, backend="eager")  # 只看 Dynamo 这一层，不用 Inductor
compiled(torch.randn(8))

SHOWN = {"LOAD_GLOBAL", "LOAD_ATTR", "LOAD_METHOD", "CALL", "CALL_FUNCTION_EX", "RETURN_VALUE"}


def interesting(ins):
    # 只列出加载名字、有内容的常量、调用和返回；只在栈上搬运数据的指令（SWAP、COPY、BUILD_LIST……）不列
    if ins.opname == "LOAD_CONST":
        return isinstance(ins.argval, (str, torch.Size))
    if ins.opname in {"LOAD_FAST", "STORE_FAST"}:
        return not ins.argval.startswith("tmp_")  # Dynamo 自己的临时变量
    return ins.opname in SHOWN


for name, code in generated.items():
    instructions = list(dis.get_instructions(code))
    shown = [ins for ins in instructions if interesting(ins)]
    print(f"== {name}：共 {len(instructions)} 条指令，列出其中 {len(shown)} 条")
    for ins in shown:
        print(f"{ins.offset:5} {ins.opname:<17} {ins.argrepr}")


# %% [markdown]
# 改写后的 `f` 有 131 条指令，绝大多数只是在栈上交换、复制、打包数据；脚本只列出加载名字和常量、调用与返回的 20 条。逐段读：
#
# - 偏移 2：`LOAD_GLOBAL __compiled_fn_2_…`。编译好的第一张图被放进了 `f` 的全局变量里，名字带一串随机的 UUID。
# - 偏移 14–150：一段开关。如果 profiler 开着（`_is_profiler_enabled`），就调用 `record_pregraph_bytecode_enter`/`exit`，把中间准备图输入的那几条指令（这里只有偏移 110 的 `LOAD_FAST x`）记成 profiler 里的一行“Pregraph bytecode”；profiler 关着时只多做一次判断。2.13 没有这个开关，每次调用都直接调用这两个函数（见输出下方的版本差异）。
# - 偏移 176、186：用 `x` 调用第一张图，结果存进 `graph_out_0`。
# - 偏移 194–280：照原样执行图中断的那一句。`print` 从 builtins 字典里取出，参数是常量 `'y 的形状：'`、常量 `torch.Size([8])`（形状在编译时已知，直接写成了常量）和 `graph_out_0[0]`，也就是图算出的 `y`。
# - 偏移 418–474：调用 `__resume_at_98_3` 并返回它的结果。这是一个**续接函数**：它的代码是 `f` 的一份拷贝，开头加了一段直接跳到偏移 98 之后的指令，局部变量 `y` 作为参数传进去。它的名字 `torch_dynamo_resume_in_f_at_12` 说明它从第 12 行（`print` 那一行）之后继续。
#
# 续接函数是一个新的 Python 函数，第一次被调用时同样经过帧钩子，被 Dynamo 当作一帧新的代码来编译，于是有了下半段：它的改写版本只做一件事，用 `y` 调用第二张图 `__compiled_fn_5_…`，返回结果。所以**图中断不会让程序出错，只是把一个函数切成了几段**：每段各自是一张图、一份 guard，段与段之间回到 Python，也失去了跨越断点做算子融合的机会。
#
# ### profiler 里的几层
#
# [第 1 章](../../paradigms/#kernels)用 profiler 看编译后的函数时，看到的不是 ATen 算子，而是“Pregraph bytecode”“AOTDispatcher Runtime Wrapper Prologue”“## Call CompiledFxGraph <哈希> ##”这几行。现在可以把它们一一对上号。同一个运行示例，用默认的 Inductor 后端编译，再在 profiler 里调用一次：
#

# %% snippet="compile/layers.py"
# 编译后的 f 每次调用时经过哪几层：用 torch.profiler 看调用树。
import os
import re

# 让 profiler 的底层库（kineto）不往 stderr 写它自己的启动日志
os.environ["KINETO_LOG_LEVEL"] = "6"

import torch  # noqa: E402
from torch.profiler import ProfilerActivity, profile  # noqa: E402

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


compiled = torch.compile(f)  # 默认后端 Inductor
x = torch.randn(8)
compiled(x)  # 第一次调用：编译

with profile(activities=[ProfilerActivity.CPU]) as prof:
    compiled(x)


def depth(event):
    d = 0
    while event.cpu_parent is not None:
        event, d = event.cpu_parent, d + 1
    return d


print("== 第二次调用的 profiler 事件（缩进表示嵌套）")
for event in prof.events():
    # Inductor 编译出的每张图以它的哈希命名，这里换成“<哈希>”
    print("  " * depth(event) + re.sub(r"CompiledFxGraph \w+", "CompiledFxGraph <哈希>", event.name))


# %% [markdown]
# | profiler 里的一行 | 对应的层 |
# | --- | --- |
# | `TorchDynamo Cache Lookup` | 帧钩子：在 `f` 的编译缓存里逐个条目检查 guard，找到能用的那一份 |
# | `Torch-Compiled Region: 0/0` | 改写后的字节码在运行；`0/0` 是编译 id：第 0 帧（`f`）的第 0 次编译 |
# | `Pregraph bytecode` | 改写后的字节码里准备图输入的那一段，就是上一节偏移 14–150 的开关记下的 |
# | `AOTDispatcher Runtime Wrapper Prologue` | AOTAutograd 在运行时包在图外面的一层（处理输入、别名、是否需要梯度），见[第 5 章](../../inductor/) |
# | `## Call CompiledFxGraph <哈希> ##` | 调用 Inductor 编译好的那张图；哈希标识这份生成的代码 |
#
# 第二组嵌套在第一组里面：`print` 执行完以后，改写后的 `f` 调用续接函数，帧钩子又做了一次 `TorchDynamo Cache Lookup`，进入编译 id 为 `1/0` 的区域（第 1 帧，也就是续接函数，的第 0 次编译）。一个图中断就让每次调用多走一遍这几层。
#
# ## guard 与重新编译
#
# 编译好的代码只在 guard 全部成立时才能复用。每个编译缓存条目都带着一棵 guard 树，下面把运行示例第一帧（`f` 本身）的那棵打印出来：
#

# %% snippet="compile/guards.py"
# guard：编译好的图在什么前提下才能复用。打印运行示例第一帧的 guard 树。
import timeit

import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


compiled = torch.compile(f, backend="eager")
x = torch.randn(8)
compiled(x)

# f 的 code 对象上挂着它的编译缓存：每个条目是一份字节码加一棵 guard 树。
# TORCH_LOGS="guards" 会在每次编译后打印同样的树（图中断后的续接函数也有自己的一棵）
entry = torch._dynamo.eval_frame._debug_get_cache_entry_list(f.__code__)[0]
guards = entry.guard_manager
print(str(guards).strip())

# torch 在编译时量了一次检查这棵树的耗时（先清空 CPU 缓存），记在编译指标里
metrics = torch._dynamo.utils.get_compilation_metrics()[0]
print(f"\n编译指标里的 guard 检查耗时：{metrics.guard_latency_us} µs（guard_latency_us）")
n = 10_000
warm = timeit.timeit(lambda: guards.check({"x": x}), number=n) / n * 1e6
print(f"反复检查同一个输入时，每次：{warm:.1f} µs")
print("换成 float64 输入，guard 通过吗？", guards.check({"x": x.double()}))

# 不允许重新编译：guard 失败时直接报错，而不是悄悄再编译一次
with torch.compiler.set_stance("fail_on_recompile"):
    try:
        compiled(x.double())
    except RuntimeError as e:
        print(f"\n{type(e).__name__}: {e}")


# %% [markdown]
# 树的每个节点先取出一个值（`source=L['x']` 是局部变量 `x`，`G['SCALE']` 是全局变量 `SCALE`），再对它做检查。逐条看它们防的是什么：
#
# - `GLOBAL_STATE`：编译时的全局状态，一次比较一整组。其中 `grad_mode` 是否处于 `torch.no_grad()` 里（决定要不要为反向保存中间结果），`num_threads` 是 `torch.get_num_threads()`（Inductor 生成的并行代码按它来切分工作），还有默认 dtype、autocast、确定性算法、TF32 等开关。它们变了，同一张图编译出的代码就可能不对或不合适。
# - `TORCH_FUNCTION_MODE_STACK`、`DEFAULT_DEVICE`、`LAMBDA_GUARD … top_saved_tensors_hooks`：没有进入任何 `TorchFunctionMode`、没有用 `torch.device(...)` 设默认设备、没有装 saved-tensors 钩子。这几样都会改变张量运算的含义。
# - `TENSOR_MATCH`：输入 `x` 的 dispatch key 集合、dtype（`torch.float32`）、设备、`requires_grad=False`、大小 `size=[8]` 与步长 `stride=[1]`。图是按这些性质追踪出来的：换 dtype 要换内核，`requires_grad` 变了要加上反向，形状变了静态形状的代码就不成立。下面五条 `DIMENSION_DYNAMIC_MARKING_GUARD` 检查 `x` 上没有 `mark_dynamic` 一类的标记（见[动态形状](../../compile/#dynamic)）。
# - `EQUALS_MATCH: G['SCALE'] == 2.0`：`SCALE` 是被当作常量写进图里的，所以它的值必须还是 2.0。
# - `ID_MATCH`：`G['torch']`、`G['torch'].sin` 和 builtins 里的 `print` 必须还是编译时的那个对象（按 `id` 比较）。有人把 `torch.sin` 换成了别的函数（比如测试里打补丁），或者把全局名 `torch` 指向了别的模块，图里的 `torch.sin` 就不再代表同一件事。
# - 每行末尾的注释是创建这条 guard 的源码行；路径被截成了最后若干个字符。
#
# guard 要在每次调用时检查，所以它的代价直接加在每次调用上。torch 在编译时量过一次（先清空 CPU 缓存，只测一次），记在编译指标的 `guard_latency_us` 里；反复检查同一个输入时缓存是热的，在这台机器上每次只要几微秒。`TORCH_LOGS="guards"` 打印的也是这棵树，并附上同一个“Guard eval latency”。`guards.check` 对 float64 的输入返回 `False`：这就是下一次调用会重新编译的原因。
#
# 最后一段用 `torch.compiler.set_stance("fail_on_recompile")` 把重新编译变成错误，错误信息里写着失败的是哪条 guard。在训练循环或服务里，热身之后打开它，就能保证后面不会再悄悄地花时间编译。
#
# ### 重新编译的原因
#
# `torch._logging.set_logs(recompiles=True)` 与环境变量 `TORCH_LOGS="recompiles"` 效果相同：每次重新编译时，日志写出是哪一条 guard 失败了。下面每种情况都从空缓存开始，先按原样调用一次，再改一样东西调用一次：
#

# %% snippet="compile/recompiles.py"
# guard 失败时的重新编译原因：TORCH_LOGS="recompiles" 打印失败的是哪一条。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


torch._logging.set_logs(recompiles=True)  # 等同于环境变量 TORCH_LOGS="recompiles"
compiled = torch.compile(f, backend="eager")
x = torch.randn(8)
threads = torch.get_num_threads()


def set_scale(value):
    global SCALE
    SCALE = value


cases = {
    "dtype 变了": lambda: compiled(x.double()),
    "在 torch.no_grad() 里调用": lambda: torch.no_grad()(compiled)(x),
    "线程数变了": lambda: (torch.set_num_threads(1), compiled(x)),
    "全局变量 SCALE 变了": lambda: (set_scale(3.0), compiled(x)),
}
for what, change in cases.items():
    torch._dynamo.reset()  # 每种情况都从空缓存开始：先按原样编译一次
    set_scale(2.0)
    torch.set_num_threads(threads)
    compiled(x)
    print(f"== {what}")
    change()  # 再改一样东西调用一次
torch._logging.set_logs()  # 关掉日志


# %% [markdown]
# - dtype 变了：`tensor 'x' dtype mismatch. expected Float, actual Double`。续接函数也随之重新编译，因为它的输入 `y` 也变成了 float64。
# - 在 `torch.no_grad()` 里调用：`GLOBAL_STATE changed: grad_mode`。
# - 线程数变了：`GLOBAL_STATE changed: num_threads`。这正是[第一次调用](../../compile/#first-call)一节的计时要固定线程数的原因。
# - 全局变量 `SCALE` 变了：`G['SCALE'] == 2.0` 失败，日志还给出了用到它的那一行源码。续接函数没有用到 `SCALE`，所以它没有重新编译。
#
# 编译 id 里斜线后面的数字是同一帧的第几次编译：`[0/1]` 是 `f` 的第 1 次重新编译，`[1/1]` 是续接函数的。每个函数最多重新编译 `torch._dynamo.config.recompile_limit` 次（2.13 与 2.15 默认都是 8），超过之后 Dynamo 发出警告，这个函数退回 eager 执行。训练中看到这个警告，说明输入的形状或类型变化太多，先用 `TORCH_LOGS="recompiles"` 查原因。
#
# ## 动态形状
#
# 形状变了怎么办？每换一个长度就编译一份，代价太大；一开始就把所有维度当作符号，又会损失优化机会。Dynamo 默认的做法是：先按具体数值编译，**第一次**发现某一维变了，就把这一维换成符号重新编译。
#

# %% snippet="compile/dynamic.py"
# 动态形状：第一次形状变化时，Dynamo 就把这一维换成符号重新编译。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


def show_signature(gm, example_inputs):
    # 自定义后端：只打印图的参数表，看哪一维成了符号
    print("  编译：", gm.code.strip().splitlines()[0])
    return gm.forward


torch._logging.set_logs(recompiles=True)
compiled = torch.compile(f, backend=show_signature)
for n in (8, 16, 32, 1):
    print(f"== 长度 {n}")
    compiled(torch.randn(n))
torch._logging.set_logs()

# f 现在有两个缓存条目：最新的在前。打印动态那一份 guard 树里与形状有关的几行
entries = torch._dynamo.eval_frame._debug_get_cache_entry_list(f.__code__)
dynamic_entry = entries[1]
print("== 动态版本的 guard（节选）")
for line in str(dynamic_entry.guard_manager).splitlines():
    if "TENSOR_MATCH" in line or "size()" in line or "s77" in line:
        print(line.split("#")[0].strip(" |+-"))


# %% [markdown]
# - 长度 8：第一次调用，图的参数只有张量 `L_x_`，长度 8 作为常量写进了图和 guard。
# - 长度 16：第一次形状变化。日志写明了 `size mismatch at index 0. expected 8, actual 16`，新编译的图多了一个参数 `s77 : torch.SymInt`：第 0 维成了符号 `s77`，它的实际值在调用时从输入的形状里取出来传进图。续接函数也经历了同样的事，它的输入 `y` 的长度成了另一个符号 `s17`。
# - 长度 32：没有任何编译。动态版本的 guard 里，`TENSOR_MATCH` 的大小从 `size=[8]` 变成了 `size=[None]`（这一维不再按数值检查），只多了一条 `2 <= L['x'].size()[0]`。
# - 长度 1：这条 guard 失败，又编译了一个静态版本。原因是 **0/1 特化**：大小为 0 和 1 的维度在广播、连续性等很多地方有特殊含义，所以符号只代表大于等于 2 的值，0 和 1 总是单独编译。日志里的提示说，真要避免这种特化，可以用 `torch._dynamo.decorators.mark_unbacked`。
#
# 这个默认行为（`torch.compile` 的 `dynamic=None`）在 2.13 与 2.15 里相同。如果事先就知道哪一维会变，可以提前说；也可以要求永远不要动态：
#

# %% snippet="compile/dynamic_options.py"
# 事先说好哪一维会变（mark_dynamic、dynamic=True），或者永远不要动态（dynamic=False）。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


def show_signature(gm, example_inputs):
    print("  编译：", gm.code.strip().splitlines()[0])
    return gm.forward


print("== dynamic=False：每种长度各编译一次，永远按常量")
static = torch.compile(f, backend=show_signature, dynamic=False)
for n in (8, 16):
    static(torch.randn(n))

torch._dynamo.reset()
print("== mark_dynamic(x, 0)：第一次就把第 0 维当作符号")
x = torch.randn(8)
torch._dynamo.mark_dynamic(x, 0)
marked = torch.compile(f, backend=show_signature)
marked(x)
marked(torch.randn(16))  # 没有标记的新张量：形状落在已有的符号范围内，不重新编译

torch._dynamo.reset()
print("== dynamic=True：所有维度一开始就是符号")
dyn = torch.compile(f, backend=show_signature, dynamic=True)
for n in (8, 16):
    dyn(torch.randn(n))


# %% [markdown]
# - `dynamic=False`：永远按具体数值编译，长度 16 时两帧都重新编译了一个静态版本。输入形状真的只有少数几种时，这样生成的代码最快。
# - `torch._dynamo.mark_dynamic(x, 0)`：第一帧一上来就用了符号 `s77`，长度 16 的新张量也不用重新编译。但续接函数的输入 `y` 是图算出来的新张量，身上没有这个标记，它还是先按 8 编译，长度变成 16 时才自动换成 `s17`：标记只跟着你标的那个张量走。
# - `dynamic=True`：所有维度一开始就是符号。连全局变量 `SCALE` 也不再作为常量写进图，而成了图的一个输入 `G_SCALE_`，改变它不必重新编译。
#
# 动态形状不是免费的：代码生成器不知道具体尺寸，少了一些优化机会，guard 里也多了符号之间的关系要检查。默认的“先静态、第一次变了再动态”通常就够用。
#
# ### 由数据决定的值：unbacked 符号
#
# 上面的 `s77` 有一个“后备”（backed）的实际值：调用时从输入的形状里就能读出来，编译时也知道它这次是 8 还是 16。还有一类值只有真正算过数据才知道，比如 `.item()` 的结果、`nonzero()` 输出的长度。默认情况下 `.item()` 会导致图中断；打开 `capture_scalar_outputs` 后，它留在图里，结果是一个没有后备值的符号（unbacked symbol），名字以 `u` 开头：
#

# %% snippet="compile/unbacked.py"
# 由数据决定的值：.item() 的结果在编译时没有具体数值（unbacked 符号 u0），用 torch._check 告诉编译器已知的事实。
import torch

SCALE = 2.0


def head(x):
    y = torch.sin(x) * SCALE
    n = (y > 0).sum().item()  # 有几个正数：要看数据才知道
    if n == 0:  # Python 分支要一个确定的真假
        return y
    return torch.cos(y[:n]) + 1


def head_checked(x):
    y = torch.sin(x) * SCALE
    n = (y > 0).sum().item()
    torch._check(n > 0)  # 我们知道：输入里总有正数
    if n == 0:  # 编译器由 n > 0 推出这个分支永远不走
        return y
    return torch.cos(y[:n]) + 1


def show_graph(gm, example_inputs):
    print(gm.code.strip())
    return gm.forward


x = torch.linspace(-1, 2, 8)
# 让 .item() 留在图里（默认在这里图中断），它的结果在图里是一个符号；只在 with 块里有效
with torch._dynamo.config.patch(capture_scalar_outputs=True):
    try:
        torch.compile(head, backend="eager", fullgraph=True)(x)
    except Exception as e:
        print(f"{type(e).__name__}: {str(e).splitlines()[0]}")

    print("== 加上 torch._check(n > 0)")
    out = torch.compile(head_checked, backend=show_graph, fullgraph=True)(x)
    print("结果与 eager 一致：", torch.allclose(out, head_checked(x)))
    try:
        torch.compile(head_checked, backend="eager", fullgraph=True)(-x.abs() - 0.5)  # sin 全是负数：违反断言
    except RuntimeError as e:
        print(f"{type(e).__name__}: {str(e).splitlines()[0]}")


# %% [markdown]
# - `head` 里的 `if n == 0` 需要一个确定的真假，而 `n` 是 `u0`，编译时无从判断，`fullgraph=True` 下报 `Could not guard on data-dependent expression Eq(u0, 0)`，并建议用 `torch._check*()` 加注解。
# - `head_checked` 用 `torch._check(n > 0)` 告诉编译器一个我们知道的事实。编译器由它推出 `n == 0` 为假，整个分支从图里消失了；图里取而代之的是几条 `_assert_scalar`：这个事实在运行时检查。`y[:n]` 这种以 `u0` 为长度的切片，2.13 与 2.15 都能直接放进图里。
# - 最后一次调用的输入让 `sin` 全是负数，`n` 为 0，违反了我们的断言，运行时报 `Runtime assertion failed for expression u0 >= 1`。所以 `torch._check` 不是提示，而是断言：事实不成立时程序会报错，而不是悄悄算错。真正需要按数据走不同分支时，要用 `torch.cond` 把两个分支都放进图里（[第 6 章](../../deploy/)）。
#
# ## 图中断（graph break）与对策
#
# Dynamo 遇到放不进图的代码时默认不报错，而是悄悄把图切开，这就是图中断（graph break）。[改写后的字节码](../../compile/#bytecode)已经说明了图中断之后发生的事：中断前后各成一张图，中断的那一句交回 Python，剩下的代码交给续接函数。这一节先读 torch 对图中断给出的完整信息，再看怎样汇总和禁止图中断，最后试几种去掉图中断的办法。
#
# ### 完整的中断信息
#
# `TORCH_LOGS="graph_breaks"` 在每次中断时打印完整的原因：
#

# %% [markdown]
# > 它要在 `import torch` 之前设置环境变量，所以把下面的脚本写成文件 `graph_breaks.py`，在一个新的 Python 进程里运行。
#

# %% snippet="compile/graph_breaks.py"
# %%writefile graph_breaks.py
# 图中断的完整信息：TORCH_LOGS="graph_breaks" 打印的原文，以及 torch._dynamo.explain 的汇总。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


x = torch.randn(8)
torch._logging.set_logs(graph_breaks=True)  # 等同于环境变量 TORCH_LOGS="graph_breaks"
torch.compile(f, backend="eager")(x)
torch._logging.set_logs()  # 关掉日志

torch._dynamo.reset()
explanation = torch._dynamo.explain(f)(x)  # 运行一次 f，汇总捕获到的图与中断
print("图的个数：", explanation.graph_count, " 图中断次数：", explanation.graph_break_count)
for reason in explanation.break_reasons:
    frame = reason.user_stack[-1]
    print(f"第 {frame.lineno} 行 {frame.line.strip()!r}：{reason.reason.splitlines()[0]}")
for i, graph in enumerate(explanation.graphs, 1):
    ops = [node.target.__name__ for node in graph.graph.nodes if node.op == "call_function"]
    print(f"图 {i} 里的运算：{ops}")


# %% snippet="compile/graph_breaks.py" runs="graph_breaks.py"
import subprocess, sys
print(subprocess.run([sys.executable, 'graph_breaks.py'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout, end="")


# %% [markdown]
# 一条中断信息由这几部分组成：
#
# - `Graph break in user code at graph_breaks.py:9`：在哪一行。
# - `Graph Break Reason`：Dynamo 当时在追踪哪一类指令（这里是 `CALL`，一次函数调用）。
# - 第一行 `Failed to trace builtin operator` 是这类中断的名字；`Explanation` 说明原因：不知道怎样追踪参数为 `str` 和 `Size` 的内置函数 `print`。
# - `Hint` 给出可以做的事，第二条正是下文要试的 `reorderable_logging_functions`。
# - `Developer debug context` 是给 PyTorch 开发者看的内部细节（Dynamo 内部表示这两个参数用的类型）。
# - 链接里的 `gb0059` 是这类中断的编号，页面上有更长的说明和例子。
# - `User code traceback`：从你的调用处到出问题那一行的调用栈。
#
# `torch._dynamo.explain` 运行一次函数，把所有中断汇总起来：2 张图、1 次中断，中断在第 9 行的 `print`；第一张图里是 `sin` 和 `mul`，第二张图里是 `cos` 和 `add`。
#
# `fullgraph=True` 把“悄悄中断”变成错误，错误信息与日志里的是同一份；`torch._dynamo.error_on_graph_break(True)` 也让图中断报错，区别在于它是一个上下文管理器（也可以当装饰器用），可以只在某一段代码里打开、在另一段里关掉，2.13 与 2.15 都有：
#

# %% snippet="compile/fullgraph.py"
# fullgraph=True 与 error_on_graph_break：把“悄悄中断”变成错误。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


x = torch.randn(8)
try:
    torch.compile(f, backend="eager", fullgraph=True)(x)
except torch._dynamo.exc.Unsupported as e:
    print(f"== fullgraph=True:{type(e).__module__}.{type(e).__name__}")
    print(e)

torch._dynamo.reset()
# 只在这一段打开：遇到图中断就报错；与 fullgraph 不同，它可以在函数内部再关掉
with torch._dynamo.error_on_graph_break(True):
    try:
        torch.compile(f, backend="eager")(x)
    except torch._dynamo.exc.Unsupported as e:
        print(f"== error_on_graph_break(True):{type(e).__name__}: {str(e).splitlines()[0]}")


# %% [markdown]
# 需要确定整个模型被编译成一张图时（比如追求最高性能，或者要用 [`torch.export`](../../deploy/) 导出，它同样不接受图中断），就打开 `fullgraph=True`。
#
# ### 去掉图中断
#
# 下面对同一个运行示例试几种办法，每种都用 `explain` 数一数之前和之后的图：
#

# %% snippet="compile/graph_break_fixes.py"
# 去掉图中断的几种办法，每种都对照“之前 / 之后”的图个数。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


def count(fn, x):
    torch._dynamo.reset()
    e = torch._dynamo.explain(fn)(x)
    reasons = [r.reason.splitlines()[0] for r in e.break_reasons]
    return f"{e.graph_count} 张图，{e.graph_break_count} 次中断 {reasons}"


x = torch.randn(8)
print("之前：", count(f, x))


# ① 改写代码：编译的函数里只留张量运算，打印挪到外面
def f_rewritten(x):
    y = torch.sin(x) * SCALE
    return torch.cos(y) + 1


print("① 改写：", count(f_rewritten, x))

# ② 告诉 Dynamo：print 只是日志，可以挪到图执行完之后再调用。
# 参数只能是张量、常量或格式化字符串：f 里的 y.shape（torch.Size）不行，换成 f-string 就可以
torch._dynamo.config.reorderable_logging_functions.add(print)
print("② reorderable_logging_functions:", count(f, x))


def f_fstring(x):
    y = torch.sin(x) * SCALE
    print(f"y 的形状：{y.shape}")
    return torch.cos(y) + 1


print("② 改用 f-string：", count(f_fstring, x))
torch._dynamo.config.reorderable_logging_functions.discard(print)


# ③ torch.compiler.disable：明确要求这个函数在 Python 里执行，Dynamo 不追踪它的内部
@torch.compiler.disable
def log_shape(y):
    print("y 的形状：", y.shape)


def f_logged(x):
    y = torch.sin(x) * SCALE
    log_shape(y)
    return torch.cos(y) + 1


print("③ torch.compiler.disable:", count(f_logged, x))


# ④ 不透明的代码：要看真实数据才能算（tolist、排序），Dynamo 在这里图中断
def clip_q3(y):
    values = sorted(y.tolist())
    return y.clamp(max=values[len(values) * 3 // 4])  # 截到第 3 个四分位数


def g(x):
    return torch.cos(clip_q3(torch.sin(x) * SCALE)) + 1


print("④ 之前：", count(g, x))

# nonstrict_trace：Dynamo 不进入这个函数，但 AOTAutograd 仍要用没有数值的假张量追踪它的内部
traced_clip = torch._dynamo.nonstrict_trace(clip_q3)
try:
    g_traced = lambda x: torch.cos(traced_clip(torch.sin(x) * SCALE)) + 1  # noqa: E731
    torch.compile(g_traced, backend="aot_eager", fullgraph=True)(x)
except Exception as e:
    print("④ nonstrict_trace:", type(e).__name__, str(e).splitlines()[0])


# 自定义算子：对整个编译栈都是一个黑盒，只需另外说明输出的形状和 dtype
@torch.library.custom_op("chapter4::clip_q3", mutates_args=())
def clip_q3_op(y: torch.Tensor) -> torch.Tensor:
    return clip_q3(y)


@clip_q3_op.register_fake
def _(y):
    return torch.empty_like(y)


def g_op(x):
    return torch.cos(clip_q3_op(torch.sin(x) * SCALE)) + 1


print("④ custom_op:", count(g_op, x))
print("   结果与 eager 一致：", torch.allclose(torch.compile(g_op, backend="aot_eager")(x), g(x)))


# %% [markdown]
# 1. **改写代码**最直接：编译的函数里只留张量运算，打印放到编译区域之外。`f_rewritten` 是 1 张图、0 次中断。
# 2. **`reorderable_logging_functions`**：把 `print` 加进去，等于告诉 Dynamo 它只是日志，可以挪到图执行完之后再调用。但它对参数有要求：只接受张量、常量和格式化字符串。运行示例传的是 `torch.Size`，所以仍然中断，原因写着 `attempted to reorder a debugging function that can't actually be reordered`；改成 f-string 之后就是 1 张图。注意打印的时机变了：它发生在整张图算完之后，而不是在两句运算之间。
# 3. **`torch.compiler.disable`**：把日志放进一个被禁用的函数。图中断还在（原因是 `Skip calling torch.compiler.disable()d function`），但这是你明确要求的：这个函数总在 Python 里执行，Dynamo 不去追踪它的内部。它适合那些本来就不该编译的代码。
# 4. **不透明的代码**：`clip_q3` 要先把张量转成 Python 列表、排序，才能决定截断到哪个值，Dynamo 在 `tolist()` 处中断，函数被切成 3 张图。
#     - `torch._dynamo.nonstrict_trace`（以及 `torch.compiler.allow_in_graph`）让 Dynamo 不进入这个函数，把它当作图里的一次调用；但后面的 AOTAutograd 仍要用没有真实数值的假张量追踪它的内部，排序时要比较两个未知的数，于是报 `Could not guard on data-dependent expression`。这两个工具适合的是 Dynamo 处理不了、但内部只有与数据无关的张量运算的函数（PyTorch 的文档称 `allow_in_graph` 为一把容易伤到自己的工具）。2.15 在 `torch.compiler` 下也提供了 `nonstrict_trace`，2.13 只有 `torch._dynamo.nonstrict_trace`。
#     - `torch.library.custom_op` 把它注册成一个自定义算子：对整个编译栈都是一个黑盒，只需用 `register_fake` 说明输出的形状和 dtype。于是整段是 1 张图，图里出现的是一次 `torch.ops.chapter4.clip_q3` 调用，结果与 eager 一致。
#
# 还有一种常见的中断是 `.item()` 和依赖数据的 `if`：前者可以打开 `capture_scalar_outputs`，后者要改写成张量运算（`torch.where`）或 `torch.cond`，见上一节的 [unbacked 符号](../../compile/#unbacked)。
#
# ## tlparse：一份可以点开的编译报告
#
# 前面几节用日志一样一样地看：字节码、guard、重新编译、图中断。设置环境变量 `TORCH_TRACE=<目录>` 后，torch 会把编译过程中的所有这些产物（每个编译 id 的 FX 图、guard、重新编译与图中断的原因、AOTAutograd 的图、Inductor 生成的代码、编译耗时）按结构写进一个日志文件，叫结构化追踪。[tlparse](https://github.com/meta-pytorch/tlparse) 再把这个文件变成一组静态网页。
#

# %% [markdown]
# > 它要在 `import torch` 之前设置环境变量，所以把下面的脚本写成文件 `trace.py`，在一个新的 Python 进程里运行。
#

# %% snippet="compile/trace.py"
# %%writefile trace.py
# 结构化追踪（TORCH_TRACE）：编译过程中的每一样产物都写进一个日志文件，交给 tlparse 生成报告。
import glob
import json
import os

# torch 在 import 时读这个环境变量；命令行上等同于 TORCH_TRACE=torch_trace python trace.py
os.environ["TORCH_TRACE"] = "torch_trace"

import torch  # noqa: E402

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


compiled = torch.compile(f)  # 默认后端 Inductor：报告里也有它生成的代码
for n in (8, 16, 32):
    compiled(torch.randn(n))

# 追踪文件的每一行是一条 glog 格式的日志，方括号之后是一个 JSON 对象；
# 按编译 id（[帧/第几次编译]）数一数每次编译留下了哪些产物
(path,) = glob.glob("torch_trace/*.log")
by_compile = {}
for line in open(path, encoding="utf-8"):
    if not line.startswith(("V", "I", "W", "E")) or "] {" not in line:
        continue  # 上一条记录的附带内容（图、代码……）
    record = json.loads(line.split("] ", 1)[1])
    if "frame_id" not in record:
        continue
    cid = f"[{record['frame_id']}/{record['frame_compile_id']}]"
    kind = next(k for k in record if k not in {"frame_id", "frame_compile_id", "attempt", "has_payload", "stack"})
    if kind == "artifact":
        kind = record["artifact"]["name"]
    by_compile.setdefault(cid, []).append(kind)

wanted = ["dynamo_output_graph", "dynamo_cpp_guards_str", "recompile_reasons",
          "dynamo_graph_break_reason", "inductor_output_code", "compilation_metrics"]
for cid, kinds in by_compile.items():
    found = [k for k in wanted if k in kinds]
    print(f"{cid}:{', '.join(found)}")


# %% snippet="compile/trace.py" runs="trace.py"
import subprocess, sys
print(subprocess.run([sys.executable, 'trace.py'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout, end="")


# %% [markdown]
# 运行示例在长度 8、16、32 上各调用一次，留下了 4 个编译 id：`[0/0]` 与 `[1/0]` 是 `f` 和它的续接函数的第一次编译，`[0/1]` 与 `[1/1]` 是长度变成 16 时的重新编译（它们带着 `recompile_reasons`），带 `dynamo_graph_break_reason` 的是在 `print` 处中断的那一帧。
#
# **[打开这次运行的 tlparse 报告](../../compile/tlparse/)**。本站在构建时用 tlparse 0.4.3 从这次运行的追踪文件（仓库里的 `snippets/compile/trace.log`）生成它；提交前，文件里的机器路径已经缩短，tlparse 只会原样另存的几类大记录（Chrome 事件、编译缓存的记录、配置转储）已经去掉。报告里可以按编译 id 点开：
#
# - `dynamo_output_graph`：Dynamo 抽出的 FX 图；
# - `dynamo_cpp_guards_str`：这次编译的 guard 树，与[上文](../../compile/#guards)打印的是同一棵；
# - `recompile_reasons` 与“Failures and Restarts”：重新编译和图中断的原因；
# - `inductor_output_code`：Inductor 生成的代码（[第 5 章](../../inductor/)细讲）；
# - `compilation_metrics`：每一阶段花的时间、guard 的个数。
#
# 为自己的模型做一份报告只要两步：
#
# 1. 运行时设置环境变量：`TORCH_TRACE=/tmp/trace python train.py`。
# 2. `pip install tlparse`，然后对目录里生成的那个日志文件运行它：`tlparse /tmp/trace/dedicated_log_torch_trace_*.log -o report --no-browser`，用浏览器打开 `report/index.html`。tlparse 0.4.3 的参数要求是一个文件：直接给目录会报 `is not a file`，加 `--latest` 又会报 `is not a directory`，所以要写出文件名（目录里只有一个文件时，上面的通配符就够了）。
#
# ## 排查问题的阶梯
#
# `torch.compile` 出了问题（报错、结果不对、太慢），第一步是确定问题出在哪一层。`backend` 参数正好对应编译栈的几层：
#
# | 后端 | 经过的层 | 用它排查 |
# | --- | --- | --- |
# | `"eager"` | 只有 Dynamo：抽图、记 guard、改写字节码，图原样执行 | 图中断、重新编译、Dynamo 自己的报错 |
# | `"aot_eager"` | Dynamo + AOTAutograd：追踪前向、反向，图原样执行 | 反向图、函数化、分解的问题 |
# | `"inductor"`（默认） | 再加上 Inductor 的融合与代码生成 | 生成的代码算错或报错 |
#
# 从上往下一层层换：第一个出问题的后端就指出了出问题的层。下面故意在 Inductor 里埋一个错（PyTorch 测试自己的排查工具时用的开关 `inject_relu_bug_TESTING_ONLY`，2.13 与 2.15 的源码里都有），让它在 CPU 上生成算错的 `relu`，然后照这个阶梯走一遍：
#

# %% snippet="compile/debug_ladder.py"
# 排查的阶梯：同一个函数依次换 eager、aot_eager、inductor 三个后端，看错误从哪一层开始出现；
# 再让 CompilerBisector 自动把范围缩到一个子系统、一个算子。
import torch
import torch._inductor.config as inductor_config
from torch._inductor.compiler_bisector import CompilerBisector

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE  # 运行示例去掉 print，加一个 relu
    return torch.cos(torch.relu(y)) + 1


# 故意埋一个错：让 Inductor 在 CPU 上生成算错的 relu（PyTorch 测试自己的排查工具时用的开关）
inductor_config.cpp.inject_relu_bug_TESTING_ONLY = "accuracy"

x = torch.randn(8)
expected = f(x)
print("== 手动：一层一层往下换后端")
for backend in ("eager", "aot_eager", "inductor"):
    torch._dynamo.reset()
    out = torch.compile(f, backend=backend)(x)
    print(f"backend={backend!r:12} 与 eager 一致：{torch.allclose(out, expected)}")


def still_correct():
    torch._dynamo.reset()
    return torch.allclose(torch.compile(f)(x), expected)


print("== 自动：CompilerBisector")
result = CompilerBisector.do_bisect(still_correct)
print(result)
inductor_config.cpp.inject_relu_bug_TESTING_ONLY = None  # 撤销埋下的错


# %% [markdown]
# 手动的三步已经说明：`eager` 与 `aot_eager` 的结果都对，`inductor` 的不对，问题在 Inductor。`torch._inductor.compiler_bisector.CompilerBisector` 把这件事自动化，并继续往下缩小：它依次尝试 `eager`、`aot_eager`、带分解与分区的 `aot_eager_decomp_partition` 等后端，确认问题在 `inductor`；再逐个关掉 Inductor 的子系统（各组图变换、几个配置项、降低到 Inductor IR 的 lowering），发现关掉 lowering 时问题消失；最后对 lowering 二分，停在第 2 个，`debug_info='relu'`：正是我们埋错的那个算子。整个过程只需要一个返回“结果对不对”的函数。
#
# 几个值得记住的开关：
#
# - `TORCH_LOGS`：`graph_breaks`、`recompiles`、`guards`、`bytecode` 就是本章用过的几种；`dynamic` 打印符号的创建和 guard 的来由；`output_code` 打印 Inductor 生成的代码；`+dynamo` 打印 Dynamo 的全部调试日志。多个选项用逗号分开，例如 `TORCH_LOGS="graph_breaks,recompiles"`。
# - `TORCH_TRACE=<目录>`：结构化追踪，交给 tlparse，见[上一节](../../compile/#tlparse)。
# - `TORCH_COMPILE_DEBUG=1`：在当前目录的 `torch_compile_debug/` 下为每次运行保存各个阶段的图和生成的代码；没有设置 `TORCH_TRACE` 时，它还会把结构化追踪写到其中的 `tlparse/` 目录里（2.13 与 2.15 都如此）。
# - 小化工具（minifier）：设置 `TORCHDYNAMO_REPRO_AFTER="dynamo"` 或 `"aot"` 后，编译失败时 torch 会写出一个 `minifier_launcher.py`（`TORCHDYNAMO_REPRO_LEVEL=4` 时结果不对也会写），运行它会反复删减图，直到得到一个仍然出错的最小复现脚本，适合附在给 PyTorch 的问题报告里。它要反复编译，比上面的二分慢得多，本站不运行它。
#
# ## 小结
#
# - `torch.compile` 保留了命令式的写法：TorchDynamo 通过 PEP 523 的帧钩子拿到函数的字节码，把能放进图的部分抽成 FX 图，再生成一份新字节码：调用编译好的图、照原样执行放不进图的那一句、把剩下的代码交给一个续接函数。
# - 编译结果靠 guard 复用：输入的 dtype、形状、`requires_grad`，`grad_mode`、线程数这样的全局状态，被写成常量的全局变量，用到的模块和函数对象，任何一样变了都会重新编译，`TORCH_LOGS="recompiles"` 写明是哪一条；`set_stance("fail_on_recompile")` 可以禁止它。
# - 形状在**第一次**变化时就换成符号（`s77`），之后同一维再变不必重新编译；大小 0 和 1 单独特化。由数据决定的值是 unbacked 符号（`u0`），`torch._check` 把已知的事实告诉编译器，并在运行时检查。
# - 图中断不会出错，只是把函数切成几段。完整的原因、提示和编号在 `TORCH_LOGS="graph_breaks"` 与 `fullgraph=True` 的报错里；去掉它的办法依次是改写代码、`reorderable_logging_functions`、`torch.compiler.disable`、自定义算子。
# - `TORCH_TRACE` 加 tlparse 把这一切做成一份可以点开的报告；出问题时按 `eager` → `aot_eager` → `inductor` 一层层排查，或者交给 `CompilerBisector`。
# - 图交给后端以后的事——AOTAutograd、Inductor 的融合与生成的代码、编译时间——见[第 5 章](../../inductor/)；把模型整个导出、带离 Python 见[第 6 章](../../deploy/)。
#
