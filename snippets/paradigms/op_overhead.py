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
