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
