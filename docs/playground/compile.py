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
# > 本笔记本由网页 [compile.md](../../compile/) 生成:文字与页面相同,代码格就是页面嵌入的 `snippets/` 脚本。不要直接修改它,修改页面或脚本后运行 `make notebooks`。
#

# %% [markdown]
# # 第 4 章 torch.compile 与 torch.export
#
# **运行环境**
#
# 除了[三种 mode](../../compile/#modes) 和 [Triton 代码](../../compile/#triton) 两个例子需要 NVIDIA GPU 与 CUDA 版 PyTorch 之外,本章的例子只要 CPU。页面上的输出在 PyTorch 2.13.0 CPU 版、2 核的 AMD EPYC 虚拟机上捕获。CPU 上的 `torch.compile` 要用 C++ 编译器(Linux 上是 `g++`)编译生成的代码,所以机器上需要装有它。
#
# 需要 GPU 的两个脚本在 CPU 机器上会带着原因跳过,由 CI 的 CUDA 任务运行;它们的输出还没有在 GPU 上捕获,所以这里只给出代码,不给出输出——我们不编造输出。
#
#
# [第 3 章](../../torchscript/)讲的 TorchScript 是 PyTorch 的第一代“把命令式代码变成图”的办法:要么跟踪(trace)一次执行,要么让你写 Python 的一个子集(script)。PyTorch 2 换了一条路:`torch.compile` 不要求你改写代码,而是在 Python 执行到你的函数时“截住”它,分析它的字节码,把其中的张量运算抽成图交给编译器;抽不出来的部分照常由 Python 执行。`torch.export` 则走另一个方向:要求整个模型都能抽成一张图,换来一个可以保存、可以脱离 Python 部署的程序。
#
# 这一章逐层拆开这套机制,每一个说法都附上在真实 PyTorch 上运行的脚本和它的输出。
#
# ## 一行 torch.compile 背后的编译栈
#
# `compiled = torch.compile(f)` 这一行几乎什么都不做,真正的工作发生在第一次调用 `compiled(x)` 时:
#
# (这里在[网页版](../../compile/)上有一张示意图。)
#
#
# - **TorchDynamo** 借助 CPython 的帧求值钩子(PEP 523),在函数的字节码真正执行之前逐条“符号执行”它:遇到张量运算就记进一张 [torch.fx](../../paradigms/) 图;遇到它处理不了的东西(`print`、`.item()`、取决于张量数值的 `if`……)就在那里**中断图(graph break)**,前半段编译,中间这一句交回 Python,后半段再重新开始捕获。同时它记下这张图成立的前提——输入的形状、dtype、设备、用到的全局变量等等,称为 **guard**。
# - **AOTAutograd** 在编译时(而不是运行时)就把反向传播的图也生成出来,并把高层算子分解成更基础的 ATen 算子,交给后端的是前向、反向两张纯函数式的图([下文](../../compile/#aotautograd)把它们打印出来)。
# - **TorchInductor** 是默认的后端:它把图降低成循环级的中间表示,决定哪些运算可以合并进同一个 kernel(**算子融合**),然后生成代码——CPU 上是带 OpenMP 并行和 SIMD 向量化的 C++,GPU 上是 [Triton](https://triton-lang.org/) kernel;矩阵乘、卷积这类运算默认仍调用 oneDNN、cuBLAS 等现成的库。
# - 编译好的代码按 guard 缓存。以后每次调用,Dynamo 先检查 guard:全部通过就直接运行编译好的代码;有一条不通过就**重新编译**。
#
# 下面几节依次验证这张图上的每一个环节。
#
# ## 第一次调用编译,之后的调用很快
#
# 原博客说“第一次调用会编译图,后续调用极快”。下面把这句话拆成三个数字来测:第一次调用(含编译)花多久、稳定之后每次调用花多久、同样的代码用 eager 执行每次花多久。测两种负载:一串逐元素运算(正是融合最能发挥作用的地方),和一个小 MLP(时间主要花在矩阵乘上)。
#

# %% snippet="compile/first_call.py"
# 测量 torch.compile 的三个时间:第一次调用(含编译)、稳定后每次调用、eager 每次调用。
import os
import time

import torch
from torch import nn
from torch.utils import benchmark

torch.manual_seed(0)


def pointwise(x):
    # 一串逐元素运算:eager 下每个运算都要把整个张量读一遍、写一遍
    return torch.tanh(torch.sin(x) * 2 + torch.cos(x)) * 0.5 + x


mlp = nn.Sequential(nn.Linear(256, 1024), nn.GELU(), nn.Linear(1024, 256)).eval()

cases = [
    ("逐元素运算链", pointwise, torch.randn(1_000_000)),
    ("小 MLP", mlp, torch.randn(64, 256)),
]


def median_ms(fn, x):
    # blocked_autorange 先预热,再反复运行至少 0.5 秒,取中位数。
    # 计时只用 1 个线程(Timer 的默认值):eager 和编译后的代码条件相同,也不受机器上其他进程抢核的影响
    timer = benchmark.Timer("fn(x)", globals={"fn": fn, "x": x}, num_threads=1)
    return timer.blocked_autorange(min_run_time=0.5).median * 1e3


print(f"PyTorch {torch.__version__},机器 {os.cpu_count()} 核,计时用 1 个线程")
with torch.no_grad():
    for name, fn, x in cases:
        compiled = torch.compile(fn)
        t0 = time.perf_counter()
        compiled(x)  # 第一次调用:Dynamo 捕获图,Inductor 生成并编译 C++
        first = time.perf_counter() - t0

        torch._dynamo.reset()  # 清空内存里的编译结果,但磁盘上的 Inductor 缓存还在
        recompiled = torch.compile(fn)
        t0 = time.perf_counter()
        recompiled(x)
        cached = time.perf_counter() - t0

        same = torch.allclose(recompiled(x), fn(x), atol=1e-5)
        eager_ms, compiled_ms = median_ms(fn, x), median_ms(recompiled, x)
        print(f"\n{name}(输入 {tuple(x.shape)}),结果与 eager 一致: {same}")
        print(f"  第一次调用(含编译): {first:.2f} s")
        print(f"  重新编译(命中磁盘缓存): {cached:.2f} s")
        print(f"  之后每次调用(中位数): {compiled_ms:.3f} ms")
        print(f"  eager 每次调用(中位数): {eager_ms:.3f} ms")
        print(f"  加速比: {eager_ms / compiled_ms:.2f}x")


# %% [markdown]
# 测量方法:第一次调用用 `time.perf_counter` 计一次(它只发生一次,没法取中位数);稳定耗时用 `torch.utils.benchmark.Timer` 的 `blocked_autorange`,它先预热,再反复运行至少 0.5 秒,取每次运行的中位数。计时只用 1 个线程(`Timer` 的默认值),eager 与编译后的代码条件相同,在核数少、又有别的进程在跑的机器上也更稳定。这些数字每次运行都不同,测试只比对输出的结构,不比对数字;页面上显示的是捕获这份输出的那一次真实运行(2 核虚拟机,同时还有别的任务在跑),绝对值只能作参考,比例比绝对值更有意义。
#
# 从输出里可以读出三件事:
#
# 1. **第一次调用的代价是秒级的。** 这一次里 Dynamo 分析字节码、AOTAutograd 生成图、Inductor 生成 C++ 并调用编译器;进程里第一次用到编译器时,还要加上导入这些模块、启动编译用的子进程等一次性准备,所以第一个例子的首次调用总是最慢。这份输出是在 Inductor 缓存为空时捕获的。
# 2. **编译结果会缓存到磁盘。** `torch._dynamo.reset()` 清掉了进程里的一切编译结果,再次 `torch.compile` 时 Dynamo 仍要重新分析字节码,但 Inductor 在磁盘缓存(默认在 `/tmp/torchinductor_<用户名>`,可以用环境变量 `TORCHINDUCTOR_CACHE_DIR` 改)里找到了同一张图编译好的代码,第一次调用就快了一个数量级以上。第二次运行同一个脚本也是同样的效果。
# 3. **能不能变快取决于负载。** 逐元素运算链在 eager 下每个运算都要把一百万个数读一遍、写一遍,编译后融合成一个 kernel,稳定耗时只有 eager 的几分之一。小 MLP 的时间主要花在两个矩阵乘上,而矩阵乘无论 eager 还是编译后都调用同一个库,Inductor 能优化的只有 GELU 这类零头,所以它的加速比要小得多,也更容易被测量噪声左右:换一台机器或换个时刻测,它可能略快,也可能比 eager 还慢。“编译之后极快”不是普遍规律。
#
# 更系统的测量(多种尺寸、和 TorchScript 对比、有效带宽)见[性能实测](../../benchmarks/)。
#
# ## guard 与重新编译
#
# 编译好的代码只在 guard 全部成立时才能复用。下面用一个自定义后端来观察 Dynamo 什么时候捕获新图:后端就是一个函数,Dynamo 每捕获一张图就把 FX 图和示例输入交给它一次。这里它只打印输入的形状,然后原样执行这张图,不经过 Inductor,所以运行很快——guard 和重新编译都是 TorchDynamo 这一层的事,与用哪个后端无关。`torch._logging.set_logs(recompiles=True)` 与设置环境变量 `TORCH_LOGS="recompiles"` 效果相同:每次重新编译时,日志会写出是哪一条 guard 失败了。
#

# %% snippet="compile/guards.py"
# guard 与重新编译:形状或 dtype 变了,Dynamo 会重新编译;dynamic=True / mark_dynamic 提前说好“这一维会变”。
import torch
from torch._dynamo.utils import counters

# 与环境变量 TORCH_LOGS="recompiles" 相同:每次重新编译时打印是哪条 guard 失败了
torch._logging.set_logs(recompiles=True)


def report_graph(gm, example_inputs):
    # 自定义后端:Dynamo 每捕获一张图就调用它一次。这里只打印输入,然后原样执行(不用 Inductor)
    shapes = [tuple(t.shape) if isinstance(t, torch.Tensor) else t for t in example_inputs]
    print("  -> 编译一张新图,输入:", shapes)
    return gm.forward


def f(x):
    return torch.sin(x) * 2 + 1


compiled = torch.compile(f, backend=report_graph)
calls = [
    ("float32, 形状 (8,)", torch.randn(8)),
    ("float32, 形状 (8,),换一批数据", torch.randn(8)),
    ("float32, 形状 (16,)", torch.randn(16)),
    ("float32, 形状 (32,)", torch.randn(32)),
    ("float64, 形状 (32,)", torch.randn(32, dtype=torch.float64)),
]
for what, x in calls:
    print("调用:", what)
    compiled(x)
print("捕获的图:", counters["stats"]["unique_graphs"])

torch._dynamo.reset()  # 清空上面编译过的图,重新开始
print("\ndynamic=True:从第一次调用起就把形状当作符号")
dyn = torch.compile(f, backend=report_graph, dynamic=True)
for n in (8, 16, 32):
    dyn(torch.randn(n))

torch._dynamo.reset()
print("\nmark_dynamic:只把某个张量的某一维标成动态")
x = torch.randn(4, 8)
torch._dynamo.mark_dynamic(x, 0)  # 第 0 维(batch)会变,第 1 维固定为 8
marked = torch.compile(f, backend=report_graph)
marked(x)
marked(torch.randn(64, 8))  # batch 变了:不重新编译
marked(torch.randn(64, 9))  # 第 1 维变了:guard 失败,重新编译


# %% [markdown]
# 逐行对照输出:
#
# - 第一次调用捕获了一张图,形状 `(8,)` 被当作常量写进图里(静态形状)。同样形状的第二次调用没有触发任何编译:guard 全部通过。
# - 形状变成 `(16,)` 时,日志写明了原因:`tensor 'x' size mismatch at index 0. expected 8, actual 16`。Dynamo 这次**自动**把第 0 维当作符号 `s77` 重新编译(automatic dynamic shapes),新图的第一个输入就是这个符号。于是形状 `(32,)` 不再需要编译。
# - dtype 变成 `float64` 时又失败了一次:`dtype mismatch. expected Float, actual Double`。dtype 不会变成符号,每种 dtype 各需一张图。
# - 每个函数最多重新编译 `torch._dynamo.config.recompile_limit` 次(2.13 里默认 8 次);超过之后 Dynamo 会给出警告,这个函数退回 eager 执行。训练中若看到这个警告,说明输入的形状或类型变化太多,应该先查重新编译的原因。
#
# ### dynamic=True 与 mark_dynamic
#
# 如果事先就知道某些维度会变,可以让 Dynamo 第一次就按符号编译,省掉那一次“先按常量编译、再重新编译”:`torch.compile(f, dynamic=True)` 把所有维度都当作符号;`torch._dynamo.mark_dynamic(x, 0)` 只标记某个张量的某一维。上面输出的后两段显示:`dynamic=True` 第一次就得到 `s77`,之后 8、16、32 三种长度共用一张图;`mark_dynamic` 只让 batch 维成为符号,第 1 维仍是常量 8,改成 9 时 guard 失败、重新编译,并且这一维也自动变成了符号 `s27`。
#
# 动态形状不是免费的:代码生成器不知道具体尺寸,少了一些优化机会;而且尺寸为 0 和 1 时仍会单独特化。默认的“先静态、变了再动态”通常就够用。
#
# ## 图中断(graph break)
#
# Dynamo 遇到放不进图的代码时不会报错,而是悄悄把图切断。下面的函数里有三种最常见的原因:`print`、`.item()`、取决于张量数值的分支。`torch._dynamo.explain` 运行一次函数,报告一共得到几张图、在哪里中断、为什么中断。
#

# %% snippet="compile/graph_breaks.py"
# 图中断(graph break):Dynamo 遇到放不进图的代码,就把图切断,交回 Python 执行。
import torch


def f(x):
    y = torch.sin(x)
    print("y 的形状:", y.shape)  # ① print 是 Python 的副作用
    scale = y.abs().max().item()  # ② .item() 把张量变成 Python 数
    if y.sum() > 0:  # ③ 分支取决于张量里的数据
        return y * scale
    return y - scale


def f_fixed(x):
    y = torch.sin(x)
    scale = y.abs().max()  # 保持为张量,不 .item()
    return torch.where(y.sum() > 0, y * scale, y - scale)  # 两边都算,按条件逐元素选


x = torch.linspace(-1, 2, 8)
for fn in (f, f_fixed):
    print(f"== torch._dynamo.explain({fn.__name__})")
    explanation = torch._dynamo.explain(fn)(x)
    print("图的个数:", explanation.graph_count, " 图中断次数:", explanation.graph_break_count)
    for i, reason in enumerate(explanation.break_reasons, 1):
        frame = reason.user_stack[-1]
        print(f"  中断 {i}: 第 {frame.lineno} 行 {frame.line.strip()!r}")
        for line in reason.reason.splitlines()[:2]:  # 原因的第一行和 Explanation 行
            print("         ", line.strip())
    torch._dynamo.reset()

print("== fullgraph=True:不允许中断")
for fn in (f, f_fixed):
    try:
        # backend="eager" 只运行 Dynamo 的图捕获;去掉它就是默认的 Inductor 编译
        out = torch.compile(fn, fullgraph=True, backend="eager")(x)
        print(f"{fn.__name__}: 编译成一张图,结果与 eager 一致: {torch.allclose(out, fn(x))}")
    except torch._dynamo.exc.Unsupported as e:
        print(f"{fn.__name__}: {type(e).__name__}: {str(e).splitlines()[0]}")


# %% [markdown]
# `f` 被切成了 4 张图、中断 3 次,原因各不相同:
#
# 1. `print` 是 Python 的副作用,Dynamo 不把它放进图。
# 2. `.item()` 把张量变成 Python 数,之后的计算依赖一个编译时未知的值。日志里的警告也说明了:可以设置 `torch._dynamo.config.capture_scalar_outputs = True`,让它留在图里。
# 3. `if y.sum() > 0` 要先知道张量里的数值才能决定走哪条路,而编译时只知道形状和类型,这就是 `generic_jump TensorVariable()` 的意思。
#
# 警告日志里的函数名 `torch_dynamo_resume_in_f_at_7` 说明了中断后发生的事:Dynamo 把第 7 行之后的代码做成一个“续接函数”,交回 Python 执行完中断的那一句,再从续接函数开始继续捕获。所以有图中断的函数结果仍然正确,只是被切成了多个小图,每个断点都要回到 Python,也少了跨越断点的融合机会。`TORCH_LOGS="graph_breaks"` 可以在正常运行时打印每次中断。
#
# 去掉中断的办法是让计算留在张量里:不调用 `.item()`,直接用张量 `scale` 参与运算;用 `torch.where` 两边都算、逐元素挑选,代替 Python 的 `if`;调试用的 `print` 放到编译的函数之外。改写后的 `f_fixed` 是一张图、零次中断。真正需要两条不同计算路径时,可以用 `torch.cond`([torch.export 一节](../../compile/#export)里有例子)。
#
# `fullgraph=True` 把“悄悄中断”变成错误:`f` 在第一个中断处就抛出 `torch._dynamo.exc.Unsupported`,`f_fixed` 正常编译。需要确定整个模型被编译成一张图时(比如追求最高性能,或为 `torch.export` 做准备),就打开它。
#
# ## AOTAutograd:训练时交给后端的两张图
#
# 推理只需要前向计算,训练还要反向传播。eager 模式下,反向计算由 autograd 在运行时一步步记录下来;`torch.compile` 则让 AOTAutograd 在第一次调用时把前向和反向一起追踪成一张联合图,再切成前向、反向两张图交给后端。下面的后端只打印收到的图,不做任何优化:
#

# %% snippet="compile/aot_autograd.py"
# AOTAutograd 交给后端的是什么:训练时,一张前向图和一张反向图,都由 ATen 算子组成。
# 这里用一个只打印、不优化的后端把两张图显示出来(Inductor 拿到的也是这样的两张图)。
import torch
from functorch.compile import make_boxed_func
from torch._dynamo.backends.common import aot_autograd


def show(name):
    def compiler(gm, example_inputs):
        print(f"[后端收到{name}图]")
        print(gm.code.strip())
        return make_boxed_func(gm.forward)  # 照原样执行这张图

    return compiler


backend = aot_autograd(
    fw_compiler=show("前向"),
    bw_compiler=show("反向"),
    # 把高层算子分解成核心 ATen 算子,Inductor 也做同样的分解
    decompositions=torch._decomp.core_aten_decompositions(),
)


def loss_fn(x, w):
    return torch.nn.functional.silu(x @ w).sum()


torch.manual_seed(0)
x = torch.randn(4, 8)
w = torch.randn(8, 3, requires_grad=True)
compiled = torch.compile(loss_fn, backend=backend)

print("== 第一次前向")
loss = compiled(x, w)
print("== 第一次 backward")
loss.backward()
print("== 与 eager 的梯度一致:", torch.allclose(w.grad, torch.autograd.grad(loss_fn(x, w), w)[0]))


# %% [markdown]
# - 第一次前向时,后端收到的前向图除了损失 `sum_1`,还多返回了 `primals_1`(输入 `x`)和 `mm`:这是反向要用、必须保存下来的张量。前向图此时就知道该存什么,说明反向图已经推导出来了;只是交给后端编译这一步推迟到了第一次 `backward`(`[后端收到反向图]` 出现在 `== 第一次 backward` 之后)。
# - 两张图里全是 `torch.ops.aten.*`,而且是纯函数式的(没有原地修改)。高层的 `silu` 被分解成 `sigmoid` 和 `mul`,后端只要支持一组较小的核心 ATen 算子就够了。分解规则可以配置:本例传入 `core_aten_decompositions()`,Inductor 用的是它自己的一张分解表。
# - 反向图里的 `sigmoid_1` 是重新算出来的:`silu` 的求导公式保存的是它的输入 `mm`,而不是 sigmoid 的结果。接下来的 `sub`、`mul_2`、`add`、`mul_3` 正是 silu 的导数 σ(x)·(1 + x·(1 − σ(x))) 乘上传回的梯度,最后的 `mm` 算出 `w` 的梯度;返回值第一项是 `None`,因为 `x` 不需要梯度。
# - 分解规则会随版本变化:同一个脚本在 PyTorch 2.11 上运行,反向图把 sigmoid 展开成 `reciprocal(1 + exp(-x))`,多出 4 个算子,梯度相同。
#
# 换成 Inductor 后端时,这两张图会各自经过融合和代码生成,所以训练同样能从 `torch.compile` 获益:反向图里这一串逐元素运算也会合并成一个 kernel。
#
# ## TorchInductor 生成了什么:算子融合
#
# 前几章反复说“图编译器能把多个运算融合成一个 kernel,少读写几遍内存”。下面直接看证据:先用一个 `TorchDispatchMode` 记录 eager 执行时真正调用的 ATen 算子,再用 `torch._inductor.utils.run_and_get_code` 取出 Inductor 为同一个函数生成的代码(平时也可以用 `TORCH_LOGS="output_code"` 打印)。
#

# %% snippet="compile/fusion.py"
# 算子融合:eager 为每个运算各跑一个 kernel,Inductor 把整串逐元素运算融合成一个 C++ kernel。
import re

import torch
from torch._inductor.utils import run_and_get_code
from torch.utils._python_dispatch import TorchDispatchMode


def f(x):
    return torch.relu(torch.sin(x) * 2 + 1)


class RecordOps(TorchDispatchMode):
    """记下 eager 执行时真正调用的 ATen 算子:每个算子就是一个 kernel,产出一个新张量。"""

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
print(f"eager:{len(rec.ops)} 个 kernel:", ", ".join(rec.ops))

# run_and_get_code 运行编译后的函数,并返回 Inductor 生成的 Python 包装代码(内含 C++ 源码)
out, (code,) = run_and_get_code(torch.compile(f), x)
# 向量化的 sin 与 eager 的 sin 在最后几位上可能不同,所以比较时给一点容差
print("结果与 eager 一致:", torch.allclose(out, f(x), atol=1e-6))

kernels = re.findall(r"^(cpp_fused_\w+) = async_compile", code, re.M)
print(f"Inductor:{len(kernels)} 个 kernel:", ", ".join(kernels))
# 粗略估算:每个 kernel 把输入读一遍、把输出写一遍
print(f"每个元素的内存读写次数:eager {2 * len(rec.ops)} 次,融合后 {2 * len(kernels)} 次")

# 只打印 kernel 里的循环和计算(其余是每个 kernel 都有的样板代码)
cpp = code.split("r'''", 1)[1].split("'''", 1)[0]
print("\n--- 生成的 C++ kernel(节选) ---")
print(" ".join(re.search(r'extern "C".*?\)', cpp, re.S).group().split()))
for line in cpp.splitlines():
    if "for(" in line or "tmp" in line:
        print(("    " if "for(" in line else "        ") + line.strip())

print("\n--- 调用它的包装代码(节选) ---")
for line in code.splitlines():
    if "empty_strided_cpu(" in line or re.match(r"\s+cpp_fused_\w+\(", line):
        print("    " + line.strip())


# %% [markdown]
# - eager 调用了 4 个 ATen 算子,也就是 4 个 kernel:每一个都把上一个的结果(一个 1024 元素的临时张量)从内存读出来,再把自己的结果写回去。
# - Inductor 只生成了 1 个 kernel,名字 `cpp_fused_add_mul_relu_sin_0` 就列出了被融合的 4 个运算。在它的循环体里,`tmp1` 到 `tmp8` 都是寄存器里的局部变量:每个输入元素只读一次(`loadu`),每个输出元素只写一次(`store`),中间结果从不落到内存。包装代码也只分配了一块缓冲区 `buf0`,就是输出本身。
# - 循环每次处理 8 个 `float`(`Vectorized<float>`,这台机器支持 AVX2;支持 AVX-512 的 CPU 上通常每次 16 个,所以这两个数在测试里按易变处理)。完整的生成代码里,循环外面还有 `#pragma omp parallel` 与 `#pragma omp for`,把循环分给多个线程;上面的节选没有打印这两行。
#
# 按“每个 kernel 读一遍输入、写一遍输出”粗算,每个元素的内存读写从 8 次降到 2 次。对这种每个元素只做几次算术的运算,瓶颈正是内存带宽,这就是上一节逐元素运算链变快的原因。实测的有效带宽见[性能实测](../../benchmarks/)。
#
# ### GPU 上:Triton kernel
#
# 同一个函数放到 CUDA 张量上,Inductor 生成的是 Triton kernel:一个用 `@triton.jit` 装饰的 Python 函数,再由 Triton 编译成 GPU 机器码。这个脚本只能在 NVIDIA GPU 上运行(`snippets.toml` 里声明了 `requires = ["cuda"]`),它的输出由 CI 的 CUDA 任务捕获,目前还没有捕获,所以这里不显示。
#

# %% [markdown]
# > 下一格需要 NVIDIA GPU(CUDA)。在只有 CPU 的环境里它会报错,可以跳过。
#

# %% snippet="compile/triton_code.py" tags=["requires-cuda"]
# 在 CUDA 上,Inductor 为同一串逐元素运算生成的是 Triton kernel,而不是 C++。
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
print("结果与 eager 一致:", torch.allclose(out, f(x), atol=1e-6))

kernels = re.findall(r"^(\w+) = async_compile\.triton\(", code, re.M)
print(f"Inductor:{len(kernels)} 个 kernel:", ", ".join(kernels))

# 打印 Triton kernel 本身:@triton.jit 装饰的 Python 函数,由 Triton 再编译成 GPU 机器码
source = re.search(r"@triton\.jit\n.*?(?=''')", code, re.S).group()
print("\n--- 生成的 Triton kernel ---")
print(source.rstrip())


# %% [markdown]
# ## 三种 mode:default、reduce-overhead、max-autotune
#
# `torch.compile(model, mode=...)` 用不同的编译时间和内存,换不同的运行时间:
#
# | mode | 做了什么 | 代价 | 适合 |
# | --- | --- | --- | --- |
# | `default` | 融合、生成 kernel;矩阵乘调用现成的库 | 编译时间最短 | 大多数情况 |
# | `reduce-overhead` | 在此基础上用 CUDA Graphs:把整张图的 kernel 启动录制一次,之后一次性重放 | 额外占显存;输入输出用固定的缓冲区,输出会被下一次调用覆盖;形状变化要重新录制 | 小 batch、kernel 很短、时间花在启动开销上的推理 |
# | `max-autotune` | 为矩阵乘等运算实际测试多种 Triton 模板和配置,挑最快的;同样启用 CUDA Graphs | 编译时间长得多(分钟级很常见) | 会长期运行、值得花时间调优的模型 |
#
# `torch._inductor.list_mode_options()` 可以列出每个 mode 实际改了哪些配置(还有不用 CUDA Graphs 的 `max-autotune-no-cudagraphs`)。CUDA Graphs 只在 GPU 上有意义,所以下面的对比只能在 GPU 上运行:它测量每种 mode 的首次调用时间和稳定后每次调用的中位数,并检查结果与 eager 一致。和上一个例子一样,它的输出由 CI 的 CUDA 任务捕获,目前还没有捕获,这里不显示数字。
#

# %% [markdown]
# > 下一格需要 NVIDIA GPU(CUDA)。在只有 CPU 的环境里它会报错,可以跳过。
#

# %% snippet="compile/modes.py" tags=["requires-cuda"]
# torch.compile 的三种 mode 在 GPU 上的取舍:编译时间 vs 每次调用的时间。
import time

import torch
from torch import nn
from torch.utils import benchmark

torch.manual_seed(0)
device = "cuda"
# batch 很小:每次调用的时间主要花在启动 kernel 上,reduce-overhead 正是为此而生
model = nn.Sequential(nn.Linear(1024, 1024), nn.GELU(), nn.Linear(1024, 1024), nn.LayerNorm(1024)).to(device).eval()
x = torch.randn(8, 1024, device=device)


def median_us(fn):
    # Timer 在 CUDA 上会先同步再计时;blocked_autorange 先预热,再取多次运行的中位数
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
        out = compiled(x).clone()  # clone:CUDA graph 的输出会被下一次重放覆盖
        torch.cuda.synchronize()
        first = time.perf_counter() - t0
        for _ in range(3):  # reduce-overhead 在最初几次调用中录制 CUDA graph
            compiled(x)
        us = median_us(compiled)
        same = torch.allclose(out, expected, atol=1e-3, rtol=1e-3)
        print(f"{mode:<16} 编译 {first:6.1f} s  每次调用 {us:8.1f} µs  加速 {eager_us / us:5.2f}x  结果一致 {same}")


# %% [markdown]
# ## torch.export:导出整张图
#
# `torch.compile` 是即时(JIT)编译:它依赖 Python 运行你的代码,遇到图中断就退回 Python。部署时往往需要相反的东西——提前(AOT)得到一个完整、自包含、能保存下来的程序。这就是 `torch.export`:
#

# %% snippet="compile/export.py"
# torch.export:把模型整个导出成一张图(ExportedProgram),保存成 .pt2,再加载回来运行。
import torch
from torch import nn
from torch.export import Dim

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 3)

    def forward(self, x):
        return torch.relu(self.lin(x)) * 2


model = Net().eval()
example = (torch.randn(2, 4),)

# 第 0 维(batch)声明为动态,允许 1 到 1024;不声明的维度按示例输入固定
batch = Dim("batch", min=1, max=1024)
ep = torch.export.export(model, example, dynamic_shapes={"x": {0: batch}})
print(ep)

torch.export.save(ep, "net.pt2")
loaded = torch.export.load("net.pt2")
x = torch.randn(5, 4)  # 与示例不同的 batch
print("加载后运行,输出形状:", tuple(loaded.module()(x).shape))
print("与 eager 一致:", torch.allclose(loaded.module()(x), model(x)))

try:
    loaded.module()(torch.randn(5, 6))  # 第 1 维没有声明为动态
except Exception as e:
    print(f"形状不符合导出时的约定 -> {type(e).__name__}: {str(e).splitlines()[0]}")


class WithCond(nn.Module):
    def forward(self, x):
        # 依赖数据的分支写成 torch.cond:两个分支都记进图,运行时按条件选一个
        # (写成 Python 的 if,export 会像 fullgraph=True 一样报错)
        return torch.cond(x.sum() > 0, lambda t: t * 2, lambda t: t - 1, (x,))


cond_ep = torch.export.export(WithCond(), example)
print(cond_ep.graph_module.code.strip())
print("x 全为正:", cond_ep.module()(torch.ones(2, 4))[0].tolist(), " x 全为负:", cond_ep.module()(-torch.ones(2, 4))[0].tolist())


# %% [markdown]
# - 打印出的 `ExportedProgram` 是一张 ATen 算子级别的图。参数被“提升”成了图的输入(`p_lin_weight`、`p_lin_bias`),`Graph signature` 写明每个输入是参数还是用户输入;每个算子上方的注释指出它来自哪一行源码。
# - 用 `torch.export.Dim` 声明的动态维度在图里成了符号 `s77`,`Range constraints` 写明它的取值范围 `[1, 1024]`。没有声明的维度按示例输入固定为常量,所以第 1 维传入 6 时,加载后的程序在运行前就检查出 `x.size()[1] == 4` 不成立并报错——这就是导出版的 guard。
# - `torch.export.save` / `torch.export.load` 存取 `.pt2` 文件;加载回来的 `.module()` 在 batch 为 5 时与 eager 结果一致。
# - `torch.export` 不允许图中断:同一个 `if x.sum() > 0` 写在 `forward` 里会导出失败,效果相当于 `fullgraph=True`。依赖数据的分支要写成 `torch.cond`,它把两个分支都记进图里(`true_graph_0` 与 `false_graph_0`),运行时根据条件挑一个,输出的最后一行验证了两条路径。
#
# 在 2.13 里 `torch.export.export` 默认 `strict=False`:它直接用 Python 执行 `forward` 并在 ATen 层记录运算,而不是像 `torch.compile` 那样分析字节码;传入 `strict=True` 则改用 TorchDynamo 捕获。
#
# ## AOTInductor:不带 Python 部署
#
# `ExportedProgram` 本身并不更快,它是一个交接格式。要把它变成能脱离 Python 运行的高效程序,交给 **AOTInductor**:它用与 `torch.compile` 相同的 Inductor 生成代码,但提前把它编译成共享库,和权重一起打包进一个 `.pt2` 文件。
#

# %% snippet="compile/aoti.py"
# AOTInductor:把 torch.export 导出的图提前编译成共享库,打包成 .pt2;加载它不需要 Dynamo,也不需要模型的 Python 代码。
import os

import torch
from torch import nn
from torch.export import Dim

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 3)

    def forward(self, x):
        return torch.relu(self.lin(x)) * 2


model = Net().eval()
ep = torch.export.export(model, (torch.randn(2, 4),), dynamic_shapes={"x": {0: Dim("batch", min=1, max=1024)}})

# 提前(ahead of time)编译:Inductor 生成 C++,编译成 .so,连同权重一起打包
path = torch._inductor.aoti_compile_and_package(ep, package_path="net_aoti.pt2")
print("打包完成:", path, f"({os.path.getsize(path) // 1024} KiB)")

runner = torch._inductor.aoti_load_package(path)  # 在 C++ 里对应 AOTIModelPackageLoader
x = torch.randn(5, 4)
out = runner(x)
print("输出形状:", tuple(out.shape), " 与 eager 一致:", torch.allclose(out, model(x), atol=1e-6))


# %% [markdown]
# - `torch._inductor.aoti_compile_and_package(ep, package_path=...)` 生成并编译代码,返回包的路径。它和 `torch._inductor.aoti_load_package` 是 PyTorch 文档给出的 AOTInductor 入口(名字带下划线,但是公开用法);对照 2.11 与 2.13 两个版本的源码,两个函数的签名完全相同(本站的输出只在 2.13 上运行过)。编译一个共享库要调用 C++ 编译器,即使是这个只有一个线性层的模型也要花上几十秒。
# - 在 Python 里用 `aoti_load_package` 加载后像函数一样调用,动态的 batch 维照样可用,结果与 eager 一致。加载时不需要模型的 Python 源码,也不经过 Dynamo。
# - 在 C++ 程序里,用 libtorch 的 `torch::inductor::AOTIModelPackageLoader` 加载同一个 `.pt2` 即可运行,完全不需要 Python 解释器,见 PyTorch 文档的 [AOTInductor 一页](https://docs.pytorch.org/docs/stable/torch.compiler_aot_inductor.html)。这正是过去用 TorchScript 加 `torch::jit::load` 做的事。移动端和嵌入式设备则由 ExecuTorch 接手 `torch.export` 的结果。
# - 输出第一行的 `FutureWarning` 来自 PyTorch 自身的内部代码,不影响结果;本站保留 PyTorch 打印的每一条警告。
#
# ## 怎么选:eager、TorchScript、torch.compile、torch.export
#
# | | eager | TorchScript([第 3 章](../../torchscript/)) | `torch.compile` | `torch.export`(+ AOTInductor) |
# | --- | --- | --- | --- | --- |
# | 怎么得到图 | 不建图,逐个运算执行 | trace 记录一次执行,或 script 解析源码 | TorchDynamo 在运行时分析字节码 | 提前把整个模型导出成一张图 |
# | 要改代码吗 | 不用 | trace 丢掉控制流;script 只接受 Python 的一个子集 | 一般不用;放不进图的代码自动交回 Python | 不能有图中断;数据依赖的分支改写成 `torch.cond` |
# | 性能 | 基线 | 有限的融合 | 算子融合、生成 C++/Triton,首次调用要编译 | 由 AOTInductor 提前编译,运行时没有编译开销 |
# | 离开 Python 部署 | 不能 | 能(libtorch) | 不能,运行时需要 Python | 能:AOTInductor 包在 C++ 中加载;移动端用 ExecuTorch |
# | 在 2.13 中的地位 | 默认的执行方式 | 已弃用(`torch.jit.script` 会打印弃用警告),只为维护旧模型 | 训练和 Python 推理提速的首选 | 部署的首选 |
# | 什么时候用 | 开发、调试、研究 | 已有 TorchScript 模型还没迁移时 | 想在不改代码的前提下提速 | 要把模型交给别的运行时或别的语言 |
#
# 经验法则:先用 eager 写对;想提速就加 `torch.compile`,用 `explain` 和 `TORCH_LOGS` 检查图中断与重新编译;要部署就 `torch.export`,再用 AOTInductor 打包。新代码不再需要 TorchScript。
#
# ## 小结
#
# - `torch.compile` 保留了命令式的写法:TorchDynamo 在运行时把能放进图的部分捕获成 FX 图,放不进去的交回 Python(图中断),所以几乎任何代码都能运行,只是被切碎时收益变小。
# - 编译结果靠 guard 复用:形状、dtype 等变了就重新编译,第二次形状变化时 Dynamo 会自动改用动态形状。
# - TorchInductor 的收益主要来自算子融合:一串逐元素运算变成一个 kernel,中间结果留在寄存器里,不再往返内存。以矩阵乘为主的模型在 CPU 上收益有限。
# - 第一次调用的编译是秒级的,磁盘缓存能让下次运行省掉大部分。
# - `torch.export` 要求整张图,换来可保存、可检查的 `ExportedProgram`;AOTInductor 把它编译打包,让模型在没有 Python 的 C++ 程序里运行——这是 TorchScript 部署路线在 PyTorch 2 中的接班人。
#
