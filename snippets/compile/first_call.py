# 测量 torch.compile 的三个时间：第一次调用（含编译）、稳定后每次调用、eager 每次调用。
import os
import time

import torch
from torch import nn
from torch.utils import benchmark

torch.manual_seed(0)


def pointwise(x):
    # 一串逐元素运算：eager 下每个运算都要把整个张量读一遍、写一遍
    return torch.tanh(torch.sin(x) * 2 + torch.cos(x)) * 0.5 + x


mlp = nn.Sequential(nn.Linear(256, 1024), nn.GELU(), nn.Linear(1024, 256)).eval()

cases = [
    ("逐元素运算链", pointwise, torch.randn(1_000_000)),
    ("小 MLP", mlp, torch.randn(64, 256)),
]


def median_ms(fn, x):
    # blocked_autorange 先预热，再反复运行至少 0.5 秒，取中位数。
    # 计时只用 1 个线程（Timer 的默认值）：eager 和编译后的代码条件相同，也不受机器上其他进程抢核的影响
    timer = benchmark.Timer("fn(x)", globals={"fn": fn, "x": x}, num_threads=1)
    return timer.blocked_autorange(min_run_time=0.5).median * 1e3


print(f"PyTorch {torch.__version__}，机器 {os.cpu_count()} 核，计时用 1 个线程")
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
        eager_ms, compiled_ms = median_ms(fn, x), median_ms(recompiled, x)
        print(f"\n{name}（输入 {tuple(x.shape)}），结果与 eager 一致：{same}")
        print(f"  第一次调用（含编译）：{first:.2f} s")
        print(f"  重新编译（命中磁盘缓存）：{cached:.2f} s")
        print(f"  之后每次调用（中位数）：{compiled_ms:.3f} ms")
        print(f"  eager 每次调用（中位数）：{eager_ms:.3f} ms")
        print(f"  加速比：{eager_ms / compiled_ms:.2f}x")
