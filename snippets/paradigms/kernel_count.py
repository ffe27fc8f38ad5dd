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
