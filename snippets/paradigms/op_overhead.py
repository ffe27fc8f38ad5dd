# 命令式的固定开销：每个运算都要走一遍 Python 调用 → C++ 分发器 → 选内核 → 分配输出，
# 这笔时间与张量大小无关。张量越小，它在总时间里占得越多。
import torch
from torch.utils import benchmark

torch.set_num_threads(1)  # 单线程计时，结果更稳定


def median_us(fn, x):
    # blocked_autorange：先预热，再成块地反复调用，取每次调用耗时的中位数
    return benchmark.Timer("fn(x)", globals={"fn": fn, "x": x}).blocked_autorange(min_run_time=0.5).median * 1e6


def add_one(x):
    return x + 1


print("eager 下一次 x + 1 的耗时：")
for n in (1, 1_000, 100_000, 1_000_000):
    us = median_us(add_one, torch.randn(n))
    print(f"  {n:>9,} 个元素：{us:8.2f} µs，摊到每个元素 {us * 1e3 / n:9.3f} ns")


def chain(x):  # 32 个逐元素运算
    for _ in range(16):
        x = torch.sin(x) * 0.5
    return x


print("\n只有 1 个元素时，eager 与 torch.compile：")
tiny = torch.randn(1)
for name, fn in (("1 个运算 ", add_one), ("32 个运算", chain)):
    compiled = torch.compile(fn)
    compiled(tiny)  # 第一次调用：编译
    eager_us, compiled_us = median_us(fn, tiny), median_us(compiled, tiny)
    verdict = "编译后更快" if compiled_us < eager_us else "编译后更慢"
    print(f"  {name}:eager {eager_us:6.1f} µs,compiled {compiled_us:6.1f} µs —— {verdict}")
