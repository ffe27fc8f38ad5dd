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
# 本章的例子只要 CPU。用到 Inductor 的几个例子（[profiler 里的几层](../../compile/#layers)、[第一次调用](../../compile/#first-call)、[tlparse 报告](../../compile/#tlparse)、[排查的阶梯](../../compile/#debugging)）要用 C++ 编译器编译生成的代码，Linux 上是 `g++`。页面上的输出在 PyTorch 2.15.0（CPU 上运行）、Python 3.11、2 核的虚拟机上捕获；2.13.0 打印得不一样的地方，输出下方附有差异。
#
#
# 读完这一章你会知道：
#
# - `torch.compile` 怎样不改你的代码就拿到图：截住字节码，抽出 FX 图，把放不进图的那一句交回 Python；
# - 编译结果在什么前提下复用，什么时候重新编译，形状和全局变量变了会怎样；
# - 遇到图中断、重新编译和算错时，用哪些日志、报告和工具一层层找到原因。
#
# 读这一章要先读过[第 1 章](../../paradigms/)（eager 与图、FX 图），并且知道 Python 函数是编译成字节码再执行的；[第 3 章](../../torchscript/)只在开头用来对比。
#
# [第 3 章](../../torchscript/)的 TorchScript 要么追踪一次执行，要么要求你写 Python 的一个子集。`torch.compile` 换了一条路：它不要求改写代码，而是在 Python 执行到你的函数时截住它，分析它的**字节码**，把其中的张量运算抽成图交给编译器，抽不出来的部分照常由 Python 执行。做这件事的是 TorchDynamo（下文简称 Dynamo）。
#
# 这一章只讲 Dynamo 这一层，并且始终跟着同一个函数走：两句张量运算，中间夹一句 Dynamo 放不进图的 `print`。
#

# %% snippet="compile/example.py"
# 本章的例子：两句张量运算，中间夹一句 Dynamo 放不进图的 print。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


print(f(torch.linspace(-1, 1, 4)))  # 先用 eager 执行一次


# %% [markdown]
# 我们依次看 Dynamo 怎样改写它的字节码，编译结果要在什么前提下才能复用，什么时候重新编译，第一次调用到底要等多久，形状变化时怎样换成符号，在 `print` 处怎样把图切开，最后把这一切做成一份可以点开的 tlparse 报告。图交给后端以后发生的事（AOTAutograd、Inductor 的算子融合与代码生成）是[第 5 章](../../inductor/)的内容；把整个模型导出、带离 Python 是[第 6 章](../../deploy/)的内容。
#
# ## 一行 torch.compile 背后的编译栈
#
# `compiled = torch.compile(f)` 这一行几乎什么都不做，真正的工作发生在第一次调用 `compiled(x)` 时：
#
# （这里在 [网页版](../../compile/) 上有一张示意图。）
#
#
# - **TorchDynamo** 借助 CPython 的帧求值钩子（PEP 523），在函数的字节码真正执行之前逐条“符号执行”它：遇到张量运算就记进一张 [torch.fx](../../paradigms/) 图；遇到它处理不了的东西，就在那里把图切断，这叫**图中断**（graph break）。
# - 每张图都带着一组成立的前提：输入的形状和 dtype、用到的全局变量、全局状态等等。这些前提叫 **guard**（守卫）。最后 Dynamo 生成一份新的字节码：调用编译好的图，执行图中断的那一句，再接着执行后面的代码。
# - 抽出的图交给**后端**。默认的后端先经过 AOTAutograd，再由 TorchInductor 生成融合后的 C++ 或 Triton 代码，见[第 5 章](../../inductor/)。本章多数例子用 `backend="eager"`：Dynamo 照常抽图、记 guard、改写字节码，只是抽出的图原样执行，不编译。这样运行很快，看到的 Dynamo 行为与默认后端相同。
# - 编译好的代码按 guard 缓存在函数的 code 对象上。以后每次调用，Dynamo 先检查 guard：全部通过就直接运行；有一条不通过就**重新编译**。
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


# 本章的例子：两句张量运算，中间夹一句 Dynamo 放不进图的 print
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
    # 追踪时每个张量都是一个假张量：有形状、dtype 和设备，没有数据。看这张图最后一个运算的结果
    last = [node for node in gm.graph.nodes if node.op == "call_function"][-1]
    value = last.meta["example_value"]
    print(f"  {last.name} 在追踪时是：{value!r}，{value.dtype}，{value.device}")
    return gm.forward  # 原样执行这张图


compiled = torch.compile(f, backend=show_graph)
compiled(torch.randn(8))


# %% [markdown]
# 上半段是 `f` 原来的字节码，每条指令前是它在 code 对象里的字节偏移。第 11 行的几条指令算出 `torch.sin(x) * SCALE`，用 `STORE_FAST y` 存进局部变量 `y`；第 12 行调用 `print`，偏移 98 的 `POP_TOP` 扔掉它的返回值；第 13 行算 `torch.cos(y) + 1` 并返回。
#
# Dynamo 像解释器一样从头“执行”这些指令，只是栈上放的不是真实的值，而是描述这些值的对象。张量由**假张量**（FakeTensor）代表：它有形状、dtype 和设备，却没有数据，每个运算在它上面只推出结果的形状和 dtype。
#
# 输出里每张图下面一行打印了这张图最后一个运算的结果在追踪时的样子：`FakeTensor(..., size=(8,))`，dtype 是 `torch.float32`，设备是 `cpu`，但没有一个数值。`SCALE` 这样的 Python 浮点数，第一次编译时被当作常量直接写进图里（第一张图里的 `y = sin * 2.0`）。
#
# 执行到偏移 88 的 `CALL print` 时，Dynamo 发现 `print` 是一个有副作用的内置函数，无法放进图，于是在这里图中断。到此为止的运算成为第一张图（`sin` 与 `mul`）。输出里接着出现了真正执行的 `print`。然后第 13 行的运算成为第二张图，它的输入 `L_y_` 就是中断处的局部变量 `y`。
#
# **Python 3.12 以后的字节码**
#
# 本页的字节码来自 CPython 3.11。3.12 起没有了 `PRECALL` 指令，调用方法也不再用 `LOAD_METHOD`，改用带标志位的 `LOAD_ATTR`（见 Python 文档 `dis` 模块的指令表）。所以在 3.12 以后的版本上，指令名、条数和偏移都和本页不同，续接函数名字里的偏移（下文的 `__resume_at_98_3`）也会跟着变。Dynamo 做的事不变：分析字节码，抽出图，生成新的字节码。
#
#
# ### 改写后的字节码：图中断把函数切成几段
#
# 先说结论：**图中断不会让程序出错，只是把一个函数切成了几段。**Dynamo 用一份新字节码代替 `f` 原来的字节码：它调用第一张图，照原样执行 `print`，再调用一个**续接函数**。续接函数第一次运行时，Dynamo 也编译它，编译后的续接函数调用第二张图：
#
# （这里在 [网页版](../../compile/) 上有一张示意图。）
#
#
# 下面用 `register_bytecode_hook` 取出改写后的字节码（环境变量 `TORCH_LOGS="bytecode"` 会把原来的和改写后的字节码完整地打印出来）：
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
# 改写后的 `f` 有 131 条指令，大多只是在栈上交换、复制、打包数据。脚本只列出其中 20 条：加载名字和常量的、调用的和返回的。对着上图逐段读：
#
# - 偏移 2：`LOAD_GLOBAL __compiled_fn_2_…`。编译好的第一张图放进了 `f` 的全局变量，名字带一串随机的 UUID。
# - 偏移 14–150：profiler 的开关。profiler 开着时（`_is_profiler_enabled`），调用 `record_pregraph_bytecode_enter` 和 `exit`，把两次调用之间准备图输入的指令记成 profiler 里的一行“Pregraph bytecode”。这里要准备的只有偏移 110 的 `LOAD_FAST x`。profiler 关着时，只多做一次判断。
# - 偏移 176、186：用 `x` 调用第一张图，结果存进 `graph_out_0`。
# - 偏移 194–280：照原样执行图中断的那一句。`print` 从 builtins 字典里取出，参数是常量 `'y 的形状：'`、常量 `torch.Size([8])` 和 `graph_out_0[0]`（图算出的 `y`）。形状在编译时已知，所以直接写成了常量。
# - 偏移 418–474：调用 `__resume_at_98_3` 并返回它的结果。这就是续接函数：它的代码是 `f` 的一份拷贝，开头加了几条指令，直接跳到偏移 98 之后；局部变量 `y` 作为参数传进去。它的名字 `torch_dynamo_resume_in_f_at_12` 说明它从第 12 行（`print` 那一行）之后继续。
#
# 续接函数是一个新的 Python 函数。它第一次运行时同样经过帧钩子，Dynamo 把它当作一个新的帧来编译，于是有了输出的下半段：改写后的续接函数只做一件事，用 `y` 调用第二张图 `__compiled_fn_5_…`，返回结果。每一段各有一张图、一份 guard，段与段之间回到 Python；断点两边的运算也就没法融合在一起。
#
# **版本差异**
#
# 2.13 改写后的字节码里没有偏移 14–150 的开关：每次调用都直接调用 `record_pregraph_bytecode_enter` 和 `exit`，不管 profiler 开没开（见输出下方的差异）。
#
#
# ### profiler 里的每一层对应什么
#
# [第 1 章](../../paradigms/#kernels)用 profiler 看编译后的函数时，看到的不是 ATen 算子，而是“Pregraph bytecode”“AOTDispatcher Runtime Wrapper Prologue”“## Call CompiledFxGraph <哈希> ##”这几行。现在可以把它们一一对上号。把本章的例子用默认的 Inductor 后端编译，再在 profiler 里调用一次：
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
# 第二组嵌套在第一组里面。`print` 执行完以后，改写后的 `f` 调用续接函数，帧钩子又做了一次 `TorchDynamo Cache Lookup`，然后进入编译 id 为 `1/0` 的区域。`1/0` 指第 1 帧（续接函数）的第 0 次编译。一个图中断，就让每次调用多走一遍这几层。
#
# ## guard：编译结果在什么前提下复用
#
# 编译好的代码只在 guard 全部成立时才能复用。每个编译缓存条目都带着一棵 guard 树。下面打印本章的例子第一帧（`f` 本身）的那棵。原始的树每行都很长，脚本只留下每条检查的要点，并在下一行的“↑”后面写明它防的是什么。脚本的大半是在做这件修剪的事，所以先折起来：
#
# **脚本：snippets/compile/guards.py**
#

# %% snippet="compile/guards.py"
# guard：编译好的图在什么前提下才能复用。打印本章的例子第一帧的 guard 树（节选，附说明）。
import json
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
# 完整的树见 guards_full.py；这里只留下每条检查的要点，并在下一行“↑”后面写明它防的是什么
entry = torch._dynamo.eval_frame._debug_get_cache_entry_list(f.__code__)[0]
guards = entry.guard_manager

NOTES = {
    "GLOBAL_STATE": "全局状态，一次比较一整组",
    "TORCH_FUNCTION_MODE_STACK": "没有进入任何 TorchFunctionMode",
    "DEFAULT_DEVICE": "没有用 torch.device(...) 设默认设备",
    "LAMBDA_GUARD": "没有装 saved-tensors 钩子",
    "TENSOR_MATCH": "x 的 dtype、设备、requires_grad、大小、步长",
    "DIMENSION_DYNAMIC_MARKING_GUARD": "x 上没有 mark_dynamic 一类的标记",
    "EQUALS_MATCH": "值还是编译时的那个",
    "ID_MATCH": "还是编译时的那个对象（按 id 比较）",
}


def trimmed(line):
    tree, _, body = line.partition("+- ")
    body = body.split("  # ")[0].rstrip()  # 去掉行尾“创建这条 guard 的源码行”
    kind = body.split(":")[0]
    if kind == "GuardManager":  # 取值的节点：只留它取的是哪个值
        return tree + "+- " + body.split(",")[0].removeprefix("GuardManager: "), kind
    if kind == "GLOBAL_STATE":  # 一长串 JSON，只挑两项
        state = json.loads(body.split(" against ")[1])
        body = f"GLOBAL_STATE: grad_mode={state['grad_mode']}, num_threads={state['num_threads']}……共 {len(state)} 项"
    body = body.replace("DispatchKeySet(CPU, BackendSelect, ADInplaceOrView, AutogradCPU)", "DispatchKeySet(…)")
    body = body.split(", type=<class")[0]
    return tree + "+- " + body, kind


print("== f 的 guard 树（节选）")
shown = []  # 每项是 [行，连续出现的同类检查条数]
for line in str(guards).strip().splitlines()[1:]:  # 跳过第一行的标题
    if "DIMENSION_DYNAMIC_MARKING_GUARD" in line and "DIMENSION_DYNAMIC_MARKING_GUARD" in shown[-1][0]:
        shown[-1][1] += 1  # 连续几条同类的检查只列第一条
        continue
    shown.append([line, 1])
explained = set()
for line, repeats in shown:
    text, kind = trimmed(line)
    print(text + (f"（同类共 {repeats} 条）" if repeats > 1 else ""))
    if kind in NOTES and kind not in explained:  # 每类检查只在第一次出现时说明
        explained.add(kind)
        print(line.partition("+- ")[0] + "   ↑ " + NOTES[kind])

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
# **完整的 guard 树**
#
# `TORCH_LOGS="guards"` 在每次编译后打印的也是这样的树，外加一行“Guard eval latency”。每行末尾的注释是创建这条 guard 的源码行，路径被截成了最后若干个字符。
#

# %% snippet="compile/guards_full.py"
# 本章的例子第一帧完整的 guard 树：TORCH_LOGS="guards" 在每次编译后打印的就是这样的树。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


torch.compile(f, backend="eager")(torch.randn(8))
entry = torch._dynamo.eval_frame._debug_get_cache_entry_list(f.__code__)[0]
# 每行末尾的注释是创建这条 guard 的源码行；续接函数也有自己的一棵树，这里不打印
print(str(entry.guard_manager).strip())


# %% [markdown]
# 树里的节点分两种。`source=…` 的节点只负责取出一个值：`L['x']` 是局部变量 `x`，`G['SCALE']` 是全局变量 `SCALE`。它下面的叶子才做检查。逐条看它们防的是什么：
#
# - `GLOBAL_STATE`：编译时的全局状态，一次比较一整组。`grad_mode` 记的是当时在不在 `torch.no_grad()` 里，它决定要不要为反向保存中间结果；`num_threads` 是 `torch.get_num_threads()`，Inductor 生成的并行代码按它切分工作。其余是默认 dtype、autocast、TF32 等开关。它们变了，编译出的代码就可能不对或不合适。
# - `LAMBDA_GUARD`、`TORCH_FUNCTION_MODE_STACK`、`DEFAULT_DEVICE`：没有装 saved-tensors 钩子，没有进入任何 `TorchFunctionMode`，也没有用 `torch.device(...)` 设默认设备。这几样都会改变张量运算的含义。
# - `TENSOR_MATCH`：输入 `x` 的 dispatch key 集合、dtype（`torch.float32`）、设备、`requires_grad=False`、大小 `size=[8]` 与步长 `stride=[1]`。图是按这些性质追踪出来的：换 dtype 要换内核，`requires_grad` 变了要加上反向，形状变了，按固定形状生成的代码就不成立。
# - `DIMENSION_DYNAMIC_MARKING_GUARD`：一共 5 条，检查 `x` 上没有 `mark_dynamic` 一类的标记（见[动态形状](../../compile/#dynamic)）。
# - `EQUALS_MATCH: G['SCALE'] == 2.0`：`SCALE` 作为常量写进了图，所以它必须还是 2.0。
# - `ID_MATCH`：`G['torch']`、`G['torch'].sin` 和 builtins 里的 `print` 必须还是编译时的那个对象。要是有人把 `torch.sin` 换成了别的函数（比如测试里打补丁），图里的 `torch.sin` 就不再代表同一件事。
#
# guard 要在每次调用时检查，它的代价直接加在每次调用上。torch 在编译时量过一次，记在编译指标的 `guard_latency_us` 里；那一次先清空了 CPU 缓存，所以偏大。反复检查同一个输入时缓存是热的，在这台机器上每次只要几微秒。`guards.check` 对 float64 的输入返回 `False`，下一次调用就会因此重新编译。
#
# 最后一段用 `torch.compiler.set_stance("fail_on_recompile")` 把重新编译变成错误，错误信息里写着失败的是哪条 guard。在训练循环或服务里，热身之后打开它，就能保证后面不会再悄悄地花时间编译。
#
# **源码在哪里**
#
# 编译时量 guard 耗时的代码在 `torch/_dynamo/guards.py` 第 5341–5360 行：先清空缓存，只量 1 次（注释说这是为了不拖长编译时间），写进 `guard_latency_us`，并在 `TORCH_LOGS="guards"` 里打印“Guard eval latency”。
#
#
# ### guard_filter_fn：少检查几条 guard 的代价
#
# guard 越多，每次调用检查得越久。`torch.compile` 的 `options` 里可以传一个 `guard_filter_fn`：编译时，它拿到这次编译的全部 guard，每条是一个 `GuardFilterEntry`（带着类型、名字、值、是不是全局变量），为每条返回 `True`（留下）或 `False`（丢掉）。
#
# `torch.compiler` 里有几个现成的过滤函数，名字都以 `_unsafe` 结尾。模块的参数也要检查，所以这个例子换成了一个带 `nn.Linear` 的小模块：
#

# %% snippet="compile/guard_filter.py"
# guard_filter_fn：编译时挑掉一部分 guard，每次调用检查得更快；挑掉了不该挑的，就会悄悄算错。
import timeit

import torch
from torch import nn

SCALE = 2.0


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return torch.relu(self.fc(x)) * SCALE


torch.manual_seed(0)
net = Net()
x = torch.randn(2, 4)
filters = {
    "不过滤（默认）": None,
    "skip_guard_on_inbuilt_nn_modules_unsafe": torch.compiler.skip_guard_on_inbuilt_nn_modules_unsafe,
    "keep_portable_guards_unsafe": torch.compiler.keep_portable_guards_unsafe,
    "skip_all_guards_unsafe": torch.compiler.skip_all_guards_unsafe,
}
for name, keep in filters.items():
    torch._dynamo.reset()
    SCALE = 2.0
    # guard_filter_fn 拿到这次编译的全部 guard（每条是一个 GuardFilterEntry），为每条返回 True（留下）或 False
    options = {"guard_filter_fn": keep} if keep else None
    compiled = torch.compile(net, backend="eager", options=options)
    compiled(x)
    entry = torch._dynamo.eval_frame._debug_get_cache_entry_list(Net.forward.__code__)[0]
    tree = str(entry.guard_manager).splitlines()
    checks = [line.split("+- ")[1].split(":")[0] for line in tree if "+- " in line]
    checks = [c for c in checks if not c.endswith("GuardManager")]  # 只取值、不检查的节点不算
    n = 10_000
    # 取 5 轮里最快的一轮：机器忙时，慢的那几轮量到的是别的程序
    us = min(timeit.repeat(lambda: entry.guard_manager.check({"self": net, "x": x}), number=n, repeat=5)) / n * 1e6
    SCALE = 3.0  # 编译之后改一个全局变量：guard 还在就会重新编译，不在就继续用旧的图
    right = torch.allclose(compiled(x), net(x))
    print(f"== {name}")
    print(f"  guard 树里的检查：{len(checks)} 条，{sorted(set(checks))}")
    print(f"  每次检查：{us:.1f} µs；SCALE 改成 3.0 之后结果还对吗？{right}")


# %% [markdown]
# - `skip_guard_on_inbuilt_nn_modules_unsafe`：丢掉 `nn.Linear` 这类 PyTorch 自带模块上的 guard，这里是 `self.fc` 的类型、属性和两个参数的检查。只要程序运行中不去改这些模块，这样做就是安全的，大多数模型都符合这一点。
# - `keep_portable_guards_unsafe`：只留全局状态和局部张量（包括参数）的检查，其余全部丢掉。
# - `skip_all_guards_unsafe`：一条不留。
#
# 最后一列说明了 `_unsafe` 的意思。编译之后把 `SCALE` 改成 3.0：默认设置下 `SCALE` 的 guard 失败，Dynamo 重新编译，结果正确。后两种过滤丢掉了这条 guard，编译好的图照旧按 2.0 计算，结果悄悄错了，没有任何报错。
#
# 检查的条数少了，每次检查通常也更快。但这里每次调用只省下几微秒，机器忙的时候数字甚至会颠倒。guard 的条数随模块和参数的个数增长（一个 `nn.Linear` 就带来 15 条），模块很多、每次调用又很短时，才值得考虑这些过滤函数。
#
# **源码在哪里**
#
# - 这几个函数在 `torch/compiler/__init__.py` 第 793–915 行，都是对 `GuardFilterEntry` 列表逐条返回 `True` 或 `False` 的普通函数，可以照着写自己的。
# - `torch.compile` 在 `torch/__init__.py` 第 3310–3313 行把 `guard_filter_fn` 从 `options` 里取出来交给 Dynamo，所以它不只对 Inductor 有效，`backend="eager"` 也一样。
#
#
# ### 重新编译：日志写明哪条 guard 失败
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
    "线程数变了": lambda: (torch.set_num_threads(threads + 1), compiled(x)),  # 与核数无关，一定是另一个值
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
# - 线程数变了：`GLOBAL_STATE changed: num_threads`。下文[第一次调用](../../compile/#first-call)一节的计时固定线程数，就是这个原因。
# - 全局变量 `SCALE` 变了：`G['SCALE'] == 2.0` 失败，日志还给出了用到它的那一行源码。续接函数没有用到 `SCALE`，所以它没有重新编译。
#
# 编译 id 里斜线后面的数字是同一帧的第几次编译：`[0/1]` 是 `f` 的第 1 次重新编译，`[1/1]` 是续接函数的。
#
# ### 全局浮点数：重新编译一次，就变成图的输入
#
# `SCALE` 每变一次都要重新编译吗？不会。Python 的浮点数和张量的形状一样是“自动动态”的：第一次按常量编译；值一变，重新编译时就不再把它写成常量，而是作为图的一个输入（形状的情况见下文的[动态形状](../../compile/#dynamic)）。让 `SCALE` 依次取 2.0、3.0、4.0：
#

# %% snippet="compile/float_input.py"
# 全局浮点数变了：重新编译时 Dynamo 把它从常量改成图的一个输入，之后再变就不用重新编译。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


def show_graph(gm, example_inputs):
    # 自定义后端：打印图的参数表、算 y 的那几行，以及每个输入的 dtype 和形状
    lines = gm.code.strip().splitlines()
    print("  编译：", lines[0])
    for line in lines[1:]:
        if "y =" in line or ".item()" in line:
            print("        ", line.split(";")[0].strip())
    print("  输入：", [(t.dtype, tuple(t.shape)) for t in example_inputs])
    return gm.forward


torch._logging.set_logs(recompiles=True)
compiled = torch.compile(f, backend=show_graph)
x = torch.randn(8)
for value in (2.0, 3.0, 4.0):
    SCALE = value
    print(f"== SCALE = {value}")
    compiled(x)
torch._logging.set_logs()

# f 的最新缓存条目在前：看它的 guard 树里与 SCALE 有关的检查
entry = torch._dynamo.eval_frame._debug_get_cache_entry_list(f.__code__)[0]
print("== 新条目里检查 SCALE 的 guard")
for line in str(entry.guard_manager).splitlines():
    check = line.split("  # ")[0].strip(" |+-")
    if "SCALE" in check and not check.startswith("GuardManager"):
        print(check)


# %% [markdown]
# - `SCALE = 2.0`：第一次编译，`SCALE` 作为常量 `2.0` 写进图。
# - `SCALE = 3.0`：`G['SCALE'] == 2.0` 失败，重新编译。新图多了一个参数 `G_SCALE_ : torch.Tensor`，图里先用 `.item()` 取出它的值，再拿去乘。
# - `SCALE = 4.0`：没有任何编译。新条目对 `SCALE` 只检查两件事：它还是 `float`（`TYPE_MATCH`），而且不是 NaN。
#
# 为什么是 `torch.Tensor`？Dynamo 把这个浮点数包成一个 0 维的 float64 张量传进图，也就是输出里的 `(torch.float64, ())`；图里再用 `.item()` 取回一个符号浮点数。这样交给后端的输入全是张量。NaN 要单独检查，是因为符号推理处理不了 NaN，遇到 NaN 仍按常量编译。
#
# **源码在哪里**
#
# - `torch/_dynamo/config.py` 第 162 行：`specialize_float = False`，即浮点数不总是当作常量（2.13 也是如此）。
# - `torch/_dynamo/variables/builder.py` 第 3596 行起的 `wrap_symfloat`：值还没变过时当作常量，加 `EQUALS_MATCH`；变过以后，`torch.tensor(value, dtype=torch.float64)` 成为图的输入，加 `TYPE_MATCH`，再 `.item()` 成符号浮点数。
# - 同一个函数里，值是 NaN 或无穷大时一律当作常量，注释说 ShapeEnv 的 guard 处理不了 NaN。
# - 图里的这次 `.item()` 后来由 AOTAutograd 里的 `tensorify_python_scalars`（`torch/fx/passes/_tensorify_python_scalars.py`）换回张量运算。
#
#
# ### recompile_limit：条目满了以后只运行、不再编译
#
# 重新编译不会无限进行下去。一个函数的缓存条目到了上限，Dynamo 就不再为它编译新的版本。下面把上限设成 2，依次用 5 种 dtype 调用：
#

# %% snippet="compile/recompile_limit.py"
# recompile_limit：同一个函数的缓存条目到了上限之后，Dynamo 不再编译新的版本。
import torch


def f(x):
    return torch.sin(x) + 1


def backend(gm, example_inputs):
    # 自定义后端：编译时说一声，运行编译好的图时也说一声
    dtype = example_inputs[0].dtype
    print(f"  编译了一张图（{dtype}）")

    def run(*args):
        print(f"  运行编译好的图（{dtype}）")
        return gm.forward(*args)

    return run


# 默认上限是 torch._dynamo.config.recompile_limit（8）；这里只给这个函数设成 2
compiled = torch.compile(f, backend=backend, recompile_limit=2)
for dtype in (torch.float32, torch.float64, torch.float16, torch.float32, torch.float16):
    print(f"== 输入 {dtype}")
    compiled(torch.randn(4, dtype=dtype))
entries = torch._dynamo.eval_frame._debug_get_cache_entry_list(f.__code__)
print("f 的缓存条目：", len(entries))

# fullgraph=True 时，到了上限直接报错
torch._dynamo.reset()
strict = torch.compile(f, backend=backend, recompile_limit=2, fullgraph=True)
try:
    for dtype in (torch.float32, torch.float64, torch.float16):
        strict(torch.randn(4, dtype=dtype))
except Exception as e:
    print(f"== 加上 fullgraph=True 以后：{type(e).__name__}：{str(e).splitlines()[0]}")


# %% [markdown]
# - float32、float64：各编译一份，缓存里有了 2 个条目，到了上限。
# - float16：Dynamo 警告 `hit config.recompile_limit (2)`，不再编译。输出里既没有“编译了一张图”，也没有“运行编译好的图”：这次调用按 eager 执行。从此这一帧只运行已有的条目，不再编译新的。
# - 再用 float32 调用：已有的条目照样命中，运行的仍是编译好的图。再用 float16 调用：仍按 eager 执行，也不再警告。
# - `fullgraph=True` 时没有退路：到了上限直接抛出 `FailOnRecompileLimitHit`。
#
# 默认上限是 `torch._dynamo.config.recompile_limit`，值为 8。它数的是缓存条目，不是重新编译的次数：第一次编译也占一个条目，所以上限为 2 时只能再重新编译 1 次。
#
# 如果 guard 按 id 检查了某个局部对象（比如出现图中断时模块的 `self`），条目按这个对象分开数；所有条目加起来另有一个总上限 `accumulated_recompile_limit`（256）。训练中看到这个警告，说明输入的形状或类型变化太多，先用 `TORCH_LOGS="recompiles"` 查原因。
#
# **源码在哪里**
#
# - `torch/_dynamo/config.py` 第 116–124 行：`recompile_limit = 8` 的注释写明，它限制的是“按 id 检查了同一个对象的缓存条目数”；没有这类 guard 时就是条目总数。`accumulated_recompile_limit = 256`。
# - `torch/_dynamo/cache_size.py` 开头的“Note on cache size limit”解释了为什么要两个上限。
# - `torch/_dynamo/convert_frame.py` 第 2053–2105 行：到了上限时打印上面的警告；`fullgraph=True`（或 `fail_on_recompile_limit_hit`）时抛出 `FailOnRecompileLimitHit`，否则把这一帧的执行策略设成 `RUN_ONLY`，只运行已有的缓存条目。
# - `torch.compile` 的 `recompile_limit` 参数只改这一个函数的上限（2.13 与 2.15 都有）。
#
#
# ## 第一次调用要等多久，之后快多少
#
# 常听到的说法是“第一次调用会编译图，后续调用极快”。这句话只对了一半。先说结论：第一次调用要等好几秒；之后快多少取决于负载，一串便宜的逐元素运算快得多，以矩阵乘为主的小 MLP 变化不大。
#
# 下面把这句话拆成三个数字来测：第一次调用（含编译）花多久，稳定之后每次调用花多久，同样的代码用 eager 执行每次花多久。测两种负载：一串便宜的逐元素运算（正是融合最能发挥作用的地方），和一个小 MLP（时间主要花在矩阵乘上）。
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
    # blocked_autorange 先预热，再成块地反复调用至少 0.5 秒，取各块平均耗时的中位数；num_threads 与编译时相同
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
# 脚本把线程数固定为 1，因为线程数是 guard 的一部分（见上文 `GLOBAL_STATE` 的 `num_threads`）。计时期间又用 `fail_on_recompile` 禁止重新编译，输出里的“0 张”说明计时的确实是同一份编译好的代码。从输出里可以读出三件事：
#
# 1. **第一次调用要等几秒。** 脚本开头把 Inductor 的磁盘缓存指向一个空目录，所以第一次调用是真正的冷启动：Dynamo 分析字节码，AOTAutograd 生成图，Inductor 生成 C++ 并调用编译器。进程里第一次用到编译器时，还要导入这些模块、启动编译用的子进程、编译一次公共的头文件。所以第一个例子的首次调用远比第二个慢，第二个例子（小 MLP）只需要编译它自己的图。
# 2. **编译结果会缓存到磁盘。** `torch._dynamo.reset()` 清掉了进程里的一切编译结果。再次调用时 Dynamo 仍要重新分析字节码，但 Inductor 在磁盘缓存里找到了同一张图编译好的代码，第一次调用就快了一到两个数量级。平时缓存默认在 `/tmp/torchinductor_<用户名>`（环境变量 `TORCHINDUCTOR_CACHE_DIR` 可以改），第二次运行同一个脚本时也会命中它。
# 3. **能不能变快取决于负载。** 逐元素运算链是 8 个便宜的运算（乘、加、relu、平方、减、绝对值、截断、乘）。eager 下每个运算都要把四百万个数读一遍、写一遍；编译后融合成一个内核，只读一遍输入、写一遍输出，所以稳定耗时明显短于 eager。
#
# 小 MLP 的时间几乎都花在两个矩阵乘上，而矩阵乘无论 eager 还是编译后都调用同一个库。Inductor 能优化的只有 GELU 和加偏置这一小部分，所以它的加速比远小于逐元素运算链，也更容易被测量噪声左右：换一台机器或换个时刻测，它可能略快也可能略慢。单独一次运行说明不了多少，[性能实测](../../benchmarks/#cpu-上的结果)页对这两类负载在几种尺寸上做了多轮交替计时，加速比见那一节的“要点”。“编译之后极快”不是普遍规律。
#
# **测法**
#
# - 第一次调用只发生一次，用 `time.perf_counter` 计一次，没法取中位数。
# - 稳定耗时用 `torch.utils.benchmark.Timer` 的 `blocked_autorange`：先预热，再成块地反复调用至少 0.5 秒，报告各块平均耗时的中位数（`torch/utils/benchmark/utils/common.py` 的 `Measurement.times` 是每块总时间除以块内调用次数）。
# - `Timer` 默认用 1 个线程计时。如果编译时用的是 2 个线程，计时的第一次调用就会因为 guard 失败而重新编译，把编译时间算进去，测到的也不再是原来那份代码。所以脚本在编译之前就把线程数设成 1，计时也用 1 个线程，并用 `counters["stats"]["unique_graphs"]` 数计时前后新编译了几张图。
# - 这些数字每次运行都不同，测试只比对输出的结构，不比对数字。页面上显示的是捕获这份输出的那一次运行（2 核虚拟机，当时没有别的任务）。即使在同一台空闲的机器上，逐元素运算链的 eager 耗时也能在两次运行之间差好几倍（见输出下方 2.13 那一次的差异）：单次运行的数字不能拿来比较两个版本，要比较请看[性能实测](../../benchmarks/#cpu-上的结果)页的多轮交替计时。
#
#
# ## 动态形状：形状第一次变化时换成符号
#
# 形状变了怎么办？每换一个长度就编译一份，代价太大；一开始就把所有维度当作符号，又会损失优化机会。把一个值当作已知的常量来生成代码，再用 guard 检查它没变，这叫**特化**（specialization）。Dynamo 默认先特化，按具体数值编译；**第一次**发现某一维变了，就把这一维换成符号重新编译。
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

# f 现在有三个缓存条目（长度 8、动态、长度 1 各一份），最新的在前。
# 找出动态的那一份（它的 TENSOR_MATCH 里大小是 None），打印它的 guard 树里与形状有关的几行
entries = torch._dynamo.eval_frame._debug_get_cache_entry_list(f.__code__)
print("f 的缓存条目：", len(entries))
dynamic_entry = next(e for e in entries if "size=[None]" in str(e.guard_manager))
print("== 动态版本的 guard（节选）")
for line in str(dynamic_entry.guard_manager).splitlines():
    if "TENSOR_MATCH" in line or "size()" in line or "s77" in line:
        print(line.split("#")[0].strip(" |+-"))


# %% [markdown]
# - 长度 8：第一次调用，图的参数只有张量 `L_x_`，长度 8 作为常量写进了图和 guard。
# - 长度 16：第一次形状变化。日志写明了 `size mismatch at index 0. expected 8, actual 16`。新图多了一个参数 `s77 : torch.SymInt`，第 0 维成了符号 `s77`。它是一个 backed 符号，也就是有实际值的符号：调用时从输入的形状里读出它的值，传进图。续接函数也一样，它的输入 `y` 的长度成了另一个符号 `s17`。
# - 长度 32：没有任何编译。动态版本的 guard 里，`TENSOR_MATCH` 的大小从 `size=[8]` 变成了 `size=[None]`（这一维不再按数值检查），只多了一条 `2 <= L['x'].size()[0]`。
# - 长度 1：这条 guard 失败，又编译了一个静态版本。原因是 **0/1 特化**：大小为 0 和 1 的维度在广播、连续性等很多地方有特殊含义，所以符号只代表大于等于 2 的值，0 和 1 总是单独编译。日志里的提示说，真要避免这种特化，可以用 `torch._dynamo.decorators.mark_unbacked`。这时 `f` 有 3 个缓存条目：长度 8、动态、长度 1 各一份。
#
# 这是 `torch.compile` 默认（`dynamic=None`）的做法。如果事先就知道哪一维会变，可以提前说；也可以要求永远不要动态：
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
# - `torch._dynamo.mark_dynamic(x, 0)`：第一帧一上来就用了符号 `s77`，长度 16 的新张量也不用重新编译。但续接函数的输入 `y` 是图算出来的新张量，身上没有这个标记。它还是先按 8 编译，长度变成 16 时才自动换成 `s17`：标记只跟着你标的那个张量走。
# - `dynamic=True`：所有维度一开始就是符号。全局变量 `SCALE` 也一开始就是图的输入 `G_SCALE_`，它为什么是 `torch.Tensor` 见[上文](../../compile/#float-input)；默认设置下，要等 `SCALE` 第一次变化才这样。
#
# 动态形状不是免费的：代码生成器不知道具体尺寸，少了一些优化机会，guard 里也多了符号之间的关系要检查。默认的“先静态、第一次变了再动态”通常就够用。
#
# ### 依赖数据的值：unbacked 符号
#
# 上面的 `s77` 是 backed 符号：调用时从输入的形状里就能读出它的值。还有一类值只有真正算过数据才知道，比如 `.item()` 的结果、`nonzero()` 输出的长度。默认情况下 `.item()` 会导致图中断；打开 `capture_scalar_outputs` 后，它留在图里，结果是一个 unbacked 符号，也就是没有实际值的符号，名字以 `u` 开头：
#

# %% snippet="compile/unbacked.py"
# 依赖数据的值：.item() 的结果在编译时没有具体数值（unbacked 符号 u0），用 torch._check 告诉编译器已知的事实。
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
# - `head` 里的 `if n == 0` 需要一个确定的真假，而 `n` 是 `u0`，编译时无从判断。`fullgraph=True` 下报 `Could not guard on data-dependent expression Eq(u0, 0)`，并建议用 `torch._check*()` 加注解。
# - `head_checked` 用 `torch._check(n > 0)` 告诉编译器一个我们知道的事实。编译器由它推出 `n == 0` 为假，整个分支从图里消失了；图里取而代之的是几条 `_assert_scalar`：这个事实在运行时检查。`y[:n]` 这种以 `u0` 为长度的切片，可以直接放进图里。
# - 最后一次调用的输入让 `sin` 全是负数，`n` 为 0，违反了我们的断言，运行时报 `Runtime assertion failed for expression u0 >= 1`。所以 `torch._check` 不是提示，而是断言：事实不成立时程序会报错，而不是悄悄算错。真正需要按数据走不同分支时，要用 `torch.cond` 把两个分支都放进图里（[第 6 章](../../deploy/)）。
#
# ## 图中断（graph break）与对策
#
# Dynamo 遇到放不进图的代码时默认不报错，而是悄悄把图切开。[改写后的字节码](../../compile/#bytecode)已经说明了之后发生的事：中断前后各成一张图，中断的那一句交回 Python，剩下的代码交给续接函数。这一节先读 torch 对图中断给出的完整信息，再看怎样汇总和禁止图中断，最后试几种去掉图中断的办法。
#
# ### 一条中断信息由哪几部分组成
#
# `TORCH_LOGS="graph_breaks"` 在每次中断时打印完整的原因：
#

# %% [markdown]
# > 它要作为独立的脚本运行（在 `import torch` 之前设置环境变量，或者用自己的文件名再启动一次自己），所以把下面的脚本写成文件 `graph_breaks.py`，在一个新的 Python 进程里运行。
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
# 把 `explain` 交回的两张图画出来就是下面这样（由脚本的真实运行生成）。每个框是一张 FX 图，中间的六边形是图中断：`print` 在那里回到 Python 执行，然后第二张图接着算。第二张图的输入不是 `x`，而是第一张图算出的 `y`：它从续接函数传进来。
#
# （这里在 [网页版](../../compile/) 上有一张示意图。）
#
#
# `fullgraph=True` 把“悄悄中断”变成错误，错误信息与日志里的是同一份。`torch._dynamo.error_on_graph_break(True)` 也让图中断报错，区别有两点：它是一个上下文管理器（也可以当装饰器用），可以只在某一段代码里打开、在另一段里关掉；它也不保证整个函数只捕获一张图，被关掉的那一段里照样可以中断。
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
# **源码在哪里**
#
# `error_on_graph_break` 的文档字符串在 `torch/_dynamo/decorators.py` 第 1798–1815 行：设了 `fullgraph=True` 时它不起作用；与 `fullgraph` 的一个关键区别是，它“不保证”只捕获一张图。
#
#
# ### 去掉图中断的几种办法
#
# 下面对本章的例子试几种办法，每种都用 `explain` 数一数之前和之后的图：
#

# %% snippet="compile/graph_break_fixes.py"
# 去掉图中断的几种办法，每种都对照“之前 / 之后”的图个数。
import torch
from torch._dynamo.utils import counters

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


def count(fn, x):
    torch._dynamo.reset()
    counters.clear()  # Dynamo 的计数器：下面用它看切出了哪些续接函数
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
# 两个函数都在 tolist() 处被切开，各有一个续接函数
print("   续接函数：", sorted(counters["resumes"]))

# nonstrict_trace：Dynamo 不进入这个函数，把它当作图里的一次调用；
# 但 Dynamo 自己要用假张量把这次调用推一遍，连 backend="eager" 也不例外
nonstrict_trace = getattr(torch.compiler, "nonstrict_trace", torch._dynamo.nonstrict_trace)  # 2.13 只有后者
traced_clip = nonstrict_trace(clip_q3)
try:
    g_traced = lambda x: torch.cos(traced_clip(torch.sin(x) * SCALE)) + 1  # noqa: E731
    torch.compile(g_traced, backend="eager", fullgraph=True)(x)
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
# 2. **`reorderable_logging_functions`**：把 `print` 加进去，等于告诉 Dynamo 它只是日志，可以挪到图执行完之后再调用。但参数只能是张量、常量或格式化字符串。本章的例子传的是 `torch.Size`，所以仍然中断（原因见输出）；改成 f-string 之后就是 1 张图。注意打印的时机变了：它发生在整张图算完之后，而不是在两句运算之间。
# 3. **`torch.compiler.disable`**：把日志放进一个被禁用的函数。图中断还在（原因是 `Skip calling torch.compiler.disable()d function`），但这是你明确要求的：这个函数总在 Python 里执行，Dynamo 不去追踪它的内部。它适合那些本来就不该编译的代码。
# 4. **不透明的代码**：`clip_q3` 要先把张量转成 Python 列表、排序，才能决定截断到哪个值。Dynamo 在 `tolist()` 处中断，函数被切成 3 张图。
#     - `explain` 报了 2 次中断，却只列出一条原因。两次中断都在 `tolist()`：第一次在 `g` 里，Dynamo 内联 `clip_q3` 时遇到它，就在 `g` 调用 `clip_q3` 的地方切开；然后 `clip_q3` 作为一帧单独编译，又在同一处切开。输出里的两个续接函数就是这两刀留下的。
#     - `clip_q3` 在 `tolist()` 之前没有张量运算，那一段是空图，不编译。`explain` 只为编译了的图记下原因，所以第二次中断没有出现在列表里。
#     - `torch.compiler.nonstrict_trace`（以及 `torch.compiler.allow_in_graph`）让 Dynamo 不进入这个函数，而是把它当作图里的一次调用。但 Dynamo 仍要知道这次调用输出什么，于是用假张量把函数跑一遍。
#     - 假张量没有数值，排序时要比较两个未知的数，就报 `Could not guard on data-dependent expression`。脚本用的是 `backend="eager"`，根本没有经过 AOTAutograd：报错来自 Dynamo 自己。
#     - 所以这两个工具只适合这样的函数：Dynamo 追踪不了它，但它内部的张量运算不依赖数据。`allow_in_graph` 的文档还提醒，它绕过了 Dynamo 的安全检查，用错了会悄悄算错。
#     - `torch.library.custom_op` 把它注册成一个自定义算子：对整个编译栈都是一个黑盒，只需用 `register_fake` 说明输出的形状和 dtype。于是整段是 1 张图，图里出现的是一次 `torch.ops.chapter4.clip_q3` 调用，结果与 eager 一致。
#
# 还有一种常见的中断是 `.item()` 和依赖数据的 `if`：前者可以打开 `capture_scalar_outputs`，后者要改写成张量运算（`torch.where`）或 `torch.cond`，见上一节的 [unbacked 符号](../../compile/#unbacked)。
#
# **源码在哪里**
#
# - `torch/_dynamo/eval_frame.py` 第 1980 行：`explain` 的 `graph_break_count` 就是 `graph_count - 1`；`torch/_dynamo/backends/debugging.py` 的 `_explain_graph_detail` 只在一张图“因中断而编译”时记下它的原因。
# - `torch/_dynamo/config.py` 第 585 行的 `nested_graph_breaks = False`：内联的函数里发生中断时，中断“冒泡”到最外层的帧，也就是 `g` 调用 `clip_q3` 的地方。
# - `torch/_dynamo/variables/torch.py` 第 4184 行：遇到 `nonstrict_trace` 的函数，Dynamo 在图里放一次 `flat_apply` 调用，然后用假张量传播这次调用。
#
#
# **版本差异**
#
# `torch.compiler.nonstrict_trace` 是 2.15 才有的公开名字，2.13 只有 `torch._dynamo.nonstrict_trace`，所以脚本先找前者、找不到再用后者。两个版本的报错相同。
#
#
# ## tlparse：一份可以点开的编译报告
#
# 前面几节用日志一样一样地看：字节码、guard、重新编译、图中断。设置环境变量 `TORCH_TRACE=<目录>` 后，torch 把编译过程中的所有这些产物按结构写进一个日志文件，叫结构化追踪。其中有每个编译 id 的 FX 图、guard、重新编译与图中断的原因、AOTAutograd 的图、Inductor 生成的代码和编译耗时。[tlparse](https://github.com/meta-pytorch/tlparse) 再把这个文件变成一组静态网页。
#

# %% [markdown]
# > 它要作为独立的脚本运行（在 `import torch` 之前设置环境变量，或者用自己的文件名再启动一次自己），所以把下面的脚本写成文件 `trace.py`，在一个新的 Python 进程里运行。
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
# 本章的例子在长度 8、16、32 上各调用一次，留下了 4 个编译 id：`[0/0]` 与 `[1/0]` 是 `f` 和它的续接函数的第一次编译，`[0/1]` 与 `[1/1]` 是长度变成 16 时的重新编译（它们带着 `recompile_reasons`），带 `dynamo_graph_break_reason` 的是在 `print` 处中断的那一帧。
#
# **[打开这次运行的 tlparse 报告](../../compile/tlparse/)**。本站在构建时用 tlparse 0.4.3，从这次运行的追踪文件（仓库里的 `snippets/compile/trace.log`）生成它。提交之前，我们缩短了文件里的机器路径，并删掉了几类记录：Chrome 事件、编译缓存的记录和编译指标里的配置转储。它们带着本机的路径或缓存键，tlparse 也只是把它们原样另存成文件。报告里可以按编译 id 点开：
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
# 2. `pip install tlparse`，然后对目录里生成的那个日志文件运行它：`tlparse /tmp/trace/dedicated_log_torch_trace_*.log -o report --no-browser`，用浏览器打开 `report/index.html`。
#
# tlparse 0.4.3 的参数要求是一个文件：直接给目录会报 `is not a file`，加 `--latest` 又会报 `is not a directory`，所以要写出文件名（目录里只有一个文件时，上面的通配符就够了）。
#
# ## 排查问题的阶梯：从 eager 到 inductor 一层层换后端
#
# `torch.compile` 出了问题（报错、结果不对、太慢），第一步是确定问题出在哪一层。`backend` 参数正好对应编译栈的几层：
#
# | 后端 | 经过的层 | 用它排查 |
# | --- | --- | --- |
# | `"eager"` | 只有 Dynamo：抽图、记 guard、改写字节码，图原样执行 | 图中断、重新编译、Dynamo 自己的报错 |
# | `"aot_eager"` | Dynamo + AOTAutograd：追踪前向、反向，图原样执行 | 反向图、函数化、分解的问题 |
# | `"inductor"`（默认） | 再加上 Inductor 的融合与代码生成 | 生成的代码算错或报错 |
#
# 从上往下一层层换：第一个出问题的后端就指出了出问题的层。下面故意在 Inductor 里埋一个错，让它在 CPU 上生成算错的 `relu`，然后照这个阶梯走一遍。用的开关 `inject_relu_bug_TESTING_ONLY` 是 PyTorch 测试自己的排查工具时用的：
#

# %% snippet="compile/debug_ladder.py"
# 排查的阶梯：同一个函数依次换 eager、aot_eager、inductor 三个后端，看错误从哪一层开始出现；
# 再让 CompilerBisector 自动把范围缩到一个子系统、一个算子。
import torch
import torch._inductor.config as inductor_config
from torch._inductor.compiler_bisector import CompilerBisector

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE  # 本章的例子去掉 print，加一个 relu
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
# 手动的三步已经说明：`eager` 与 `aot_eager` 的结果都对，`inductor` 的不对，问题在 Inductor。`torch._inductor.compiler_bisector.CompilerBisector` 把这件事自动化，还继续往下缩小范围：
#
# 1. 依次尝试 `eager`、`aot_eager`、带分解与分区的 `aot_eager_decomp_partition` 等后端，确认问题在 `inductor`；
# 2. 逐个关掉 Inductor 的子系统（几组图变换、几个配置项、lowering），发现关掉 lowering 时问题消失。lowering 是 Inductor 把 ATen 算子翻译成它自己的循环级 IR 的那一步；
# 3. 对 lowering 逐个二分，停在第 2 个，`debug_info='relu'`：正是我们埋错的那个算子。
#
# 整个过程只需要一个返回“结果对不对”的函数。
#
# 几个值得记住的开关：
#
# - `TORCH_LOGS`：`graph_breaks`、`recompiles`、`guards`、`bytecode` 就是本章用过的几种；`dynamic` 打印符号的创建和 guard 的来由；`output_code` 打印 Inductor 生成的代码；`+dynamo` 打印 Dynamo 的全部调试日志。多个选项用逗号分开，例如 `TORCH_LOGS="graph_breaks,recompiles"`。
# - `TORCH_TRACE=<目录>`：结构化追踪，交给 tlparse，见[上一节](../../compile/#tlparse)。
# - `TORCH_COMPILE_DEBUG=1`：在当前目录的 `torch_compile_debug/` 下为每次运行保存各个阶段的图和生成的代码；没有设置 `TORCH_TRACE` 时，它还会把结构化追踪写到其中的 `tlparse/` 目录里。
# - minifier（最小化工具）：设置 `TORCHDYNAMO_REPRO_AFTER="dynamo"` 或 `"aot"` 后，编译出错时 torch 写出一个 `minifier_launcher.py`。运行它会反复删减图，直到得到一个仍然出错的最小复现脚本，适合附在给 PyTorch 的问题报告里。它要反复编译，比上面的二分慢得多，本站不运行它。
# - `TORCHDYNAMO_REPRO_LEVEL`：默认的 2 只在编译出错时写 minifier 脚本；要查结果不对，得设成 4。设成 4 以后只在结果不对时才写，编译出错反而不写了。
#
# **源码在哪里**
#
# - `TORCHDYNAMO_REPRO_LEVEL` 的四个级别写在 `torch/_dynamo/config.py` 第 333–339 行：1 在编译出错时写出原图（`repro.py`），2（默认）写出 `minifier_launcher.py`，3 总是写，4 只在结果不对时写。
# - 对应的分支在 `torch/_dynamo/repro/after_dynamo.py` 第 120–160 行和 `torch/_dynamo/repro/after_aot.py` 第 334–345、393 行：编译出错只在级别 1、2 时写文件。
#
#
# ## 小结
#
# - `torch.compile` 保留了命令式的写法：TorchDynamo 通过 PEP 523 的帧钩子拿到函数的字节码，用假张量把能放进图的部分追踪成 FX 图，再生成一份新字节码：调用编译好的图，照原样执行放不进图的那一句，把剩下的代码交给一个续接函数。
# - 编译结果靠 guard 复用。guard 检查输入的 dtype、形状和 `requires_grad`，检查 `grad_mode`、线程数这样的全局状态，也检查写成常量的全局变量和用到的模块、函数对象。任何一项变了都会重新编译，`TORCH_LOGS="recompiles"` 写明是哪一条。
# - `set_stance("fail_on_recompile")` 禁止重新编译；`guard_filter_fn` 少检查几条 guard，代价是可能悄悄算错；缓存条目到了 `recompile_limit`，这一帧只运行已有的条目，新的情况按 eager 执行。
# - 形状和全局浮点数都在**第一次**变化时换成符号或图的输入（`s77`、`G_SCALE_`），之后再变不必重新编译；大小 0 和 1 单独特化。依赖数据的值是 unbacked 符号（`u0`），`torch._check` 把已知的事实告诉编译器，并在运行时检查。
# - 第一次调用要等几秒，磁盘缓存能省掉大部分；之后快多少取决于负载，逐元素运算多的代码收益大，矩阵乘为主的代码收益小。
# - 图中断不会出错，只是把函数切成几段。完整的原因、提示和编号在 `TORCH_LOGS="graph_breaks"` 与 `fullgraph=True` 的报错里；去掉它的办法依次是改写代码、`reorderable_logging_functions`、`torch.compiler.disable`、自定义算子。
# - `TORCH_TRACE` 加 tlparse 把这一切做成一份可以点开的报告；出问题时按 `eager` → `aot_eager` → `inductor` 一层层排查，或者交给 `CompilerBisector`。
# - 图交给后端以后的事——AOTAutograd、Inductor 的融合与生成的代码、编译时间——见[第 5 章](../../inductor/)；把模型整个导出、带离 Python 见[第 6 章](../../deploy/)。
#
# ## 练习
#
# 前两题运行代码、解释输出，后两题动手改代码。每题先自己做，再展开参考答案对照；答案里的脚本和本章其他例子一样，输出来自真实的运行。为了跑得快，它们都不调用 Inductor。
#
# ### 1. 两句 print，几张图
#
# `f` 依次做 `torch.sin`、`print`、`torch.cos`、`print`、`+ 1`。先猜 Dynamo 会切出几张图、几次图中断，每张图里有什么，再用 `torch._dynamo.explain` 验证。
#
# **参考答案**
#

# %% snippet="compile/exercise_explain.py"
# 练习：函数里有两句 print。先猜 Dynamo 会切出几张图、几次图中断，再用 explain 验证。
import torch


def f(x):
    x = torch.sin(x)
    print("第一句 print")
    x = torch.cos(x)
    print("第二句 print")
    return x + 1


report = torch._dynamo.explain(f)(torch.ones(4))
print("图的数量：", report.graph_count, " 图中断次数：", report.graph_break_count)
for i, gm in enumerate(report.graphs):
    ops = [node.target.__name__ for node in gm.graph.nodes if node.op == "call_function"]
    print(f"第 {i + 1} 张图：{ops}")


# %% [markdown]
# - 3 张图、2 次图中断：每句 `print` 切一刀，三张图里分别是 `sin`、`cos`、`add`。
# - 和[改写后的字节码](../../compile/#bytecode)一节一样，每次中断都把剩下的代码交给一个续接函数：`f` 调用第一张图，执行第一句 `print`，调用续接函数；续接函数调用第二张图，执行第二句 `print`，再调用下一个续接函数。三段之间都要回到 Python，三个运算也就没法融合在一起（[第 5 章的练习](../../inductor/#ex-break-fusion)数了内核）。
#
#
# ### 2. 哪些调用会重新编译
#
# 编译 `f(x) = torch.sin(x) * 2`，先用一个 4×4 的 float32 张量 `x` 调用一次，然后依次：换一个值不同、形状和 dtype 相同的张量；换一个 `requires_grad=True` 的张量；传入 `x.t()`；在 `torch.no_grad()` 里传入 `x`；最后再传入 `x`。先猜每一次会不会重新编译，再打开 `recompiles` 日志看原因。
#
# **参考答案**
#

# %% snippet="compile/exercise_guards.py"
# 练习：先猜下面每次调用会不会重新编译，再看日志里是哪条 guard 失败了。
import torch

compiles = 0


def count(gm, example_inputs):
    global compiles
    compiles += 1
    return gm.forward


@torch.compile(backend=count)
def f(x):
    return torch.sin(x) * 2


torch._logging.set_logs(recompiles=True)
x = torch.randn(4, 4)
calls = [
    ("x 本身", lambda: f(x)),
    ("值不同、形状和 dtype 相同的新张量", lambda: f(torch.randn(4, 4))),
    ("requires_grad=True 的张量", lambda: f(torch.randn(4, 4, requires_grad=True))),
    ("x 的转置 x.t()", lambda: f(x.t())),
    ("在 torch.no_grad() 里用 x", lambda: torch.no_grad()(f)(x)),
    ("再用 x 本身", lambda: f(x)),
]
for name, call in calls:
    before = compiles
    call()
    print(f"== {name}：{'编译了一张新图' if compiles > before else '复用已有的图'}")


# %% [markdown]
# - 值变了不会重新编译：guard 只检查张量的 dtype、形状、步长、`requires_grad` 这些性质（[guard 树](../../compile/#guards)里的 `TENSOR_MATCH`），不检查里面的数。
# - `requires_grad=True`：`TENSOR_MATCH` 不通过，日志写的是 `requires_grad mismatch`。
# - `x.t()`：形状还是 4×4，但第 0 维的步长从 4 变成了 1，日志写 `stride mismatch at index 0`。日志把已有的每个条目都列了出来，各写一条不通过的原因：条目 `0/1` 不通过是因为 `requires_grad`，条目 `0/0` 才是因为步长。
# - `torch.no_grad()`：全局状态里的 `grad_mode` 变了，已有的三个条目都不通过。
# - 最后再用 `x`：第一个条目仍然成立，直接复用。这时 `f` 已经有 4 个缓存条目。
#
#
# ### 3. 去掉 .item() 造成的图中断
#
# `scale(x, w)` 先算 `s = w.abs().max().item()`，再返回 `torch.relu(x) * s`。它在哪里图中断？改写 `scale`，让它成为一整张图，并用 `fullgraph=True` 检查。不改代码，还有别的办法吗？
#
# **参考答案**
#

# %% snippet="compile/exercise_item_break.py"
# 练习：scale 在 .item() 处图中断。改写它（或打开一个开关），让它成为一整张图。
import torch


def scale(x, w):
    s = w.abs().max().item()  # 取出一个 Python float
    return torch.relu(x) * s


# 改写：不离开张量，直接用 0 维张量去乘
def scale_tensor(x, w):
    return torch.relu(x) * w.abs().max()


x, w = torch.randn(8), torch.randn(8)
for fn in (scale, scale_tensor):
    report = torch._dynamo.explain(fn)(x, w)
    print(f"{fn.__name__}：{report.graph_count} 张图，{report.graph_break_count} 次图中断")
    for reason in report.break_reasons:
        print("  原因：", reason.reason.splitlines()[0])

# 另一种办法：让 .item() 留在图里，结果是一个 unbacked 符号
torch._dynamo.reset()
with torch._dynamo.config.patch(capture_scalar_outputs=True):  # 只在这一段里打开
    report = torch._dynamo.explain(scale)(x, w)
print(f"capture_scalar_outputs=True 时的 scale：{report.graph_count} 张图，{report.graph_break_count} 次图中断")

full = torch.compile(scale_tensor, fullgraph=True, backend="eager")
print("结果与 eager 一致：", torch.allclose(full(x, w), scale(x, w)))


# %% [markdown]
# - 中断在 `.item()`：默认设置下，Dynamo 不把“张量变成 Python 数”这一步放进图。开头的警告已经给出了不改代码的办法：`capture_scalar_outputs = True`。
# - 改写：不调用 `.item()`，直接用 0 维张量 `w.abs().max()` 去乘。`explain` 显示 1 张图、0 次图中断，`fullgraph=True` 编译后的结果与原来的 `scale` 一致。
# - 打开 `capture_scalar_outputs` 也得到 1 张图：`.item()` 留在图里，结果是一个 unbacked 符号（[依赖数据的值](../../compile/#unbacked)）。这里它只用来做乘法，没有问题；要是后面拿它做 `if` 判断，就会碰到那一节的 `Could not guard on data-dependent expression`。能不离开张量，就不离开张量。
#
#
# ### 4. 让学习率不再触发重新编译
#
# 一步参数更新 `step(w, grad, lr)` 返回 `w - lr * grad`，用 `torch.compile(..., dynamic=False)` 编译（输入形状固定，不想要动态形状）。训练循环每一步传入一个新的学习率 `lr`，它是 Python 的 float。跑 10 步，编译了几次？为什么？改一处，让它只编译一次。
#
# **参考答案**
#

# %% snippet="compile/exercise_float_lr.py"
# 练习：用 dynamic=False 编译一步参数更新，学习率 lr 每步都变。为什么每步都重新编译？改一处让它只编译一次。
import torch

compiles = 0


def count(gm, example_inputs):
    global compiles
    compiles += 1
    return gm.forward


def step(w, grad, lr):
    return w - lr * grad


w, grad = torch.ones(4), torch.ones(4)

print("== dynamic=False，lr 是 Python float")
compiled = torch.compile(step, backend=count, dynamic=False)
for i in range(10):
    compiled(w, grad, 0.1 / (i + 1))
print(f"10 步编译了 {compiles} 次")

print("== 默认的 dynamic=None，lr 是 Python float")
torch._dynamo.reset()
compiles = 0
compiled = torch.compile(step, backend=count)
for i in range(10):
    compiled(w, grad, 0.1 / (i + 1))
print(f"10 步编译了 {compiles} 次")

print("== dynamic=False，lr 是 0 维张量")
torch._dynamo.reset()
compiles = 0
compiled = torch.compile(step, backend=count, dynamic=False)
for i in range(10):
    lr = torch.tensor(0.1 / (i + 1))
    out = compiled(w, grad, lr)
    if i == 0:
        torch.compiler.set_stance("fail_on_recompile")  # 之后再重新编译就报错
torch.compiler.set_stance("default")
print(f"10 步编译了 {compiles} 次，最后一步的结果与 eager 一致：{torch.equal(out, step(w, grad, lr))}")


# %% [markdown]
# - `dynamic=False` 时，10 步编译了 8 次，然后警告 `hit config.recompile_limit (8)`，最后一次失败的 guard 是 `lr == 0.0125`。`dynamic=False` 不让任何值变成符号：`lr` 每换一个值都按常量重新编译，直到缓存条目满了，剩下两步按 eager 执行（[recompile_limit](../../compile/#recompile-limit)）。
# - 默认的 `dynamic=None` 好一些：只在 `lr` 第一次变化时重新编译一次，之后它成了图的输入，和[全局浮点数](../../compile/#float-input)一节的 `SCALE` 一样。
# - 改法：把 `lr` 放进一个 0 维张量传进去。guard 只检查张量的元数据，不检查值，所以 10 步只编译 1 次；第一步之后打开 `set_stance("fail_on_recompile")` 也没有报错，说明后面确实没有再编译。
#
