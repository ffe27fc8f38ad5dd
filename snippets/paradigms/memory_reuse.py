# “看得到整张图，就能复用内存”：eager 每执行一个运算都要新分配一块内存放结果；
# 编译器事先知道每个中间结果最后一次在哪里被用到，可以把它的内存直接留给后面的结果。
import re

import torch
from torch._inductor.utils import run_and_get_code
from torch.utils import benchmark
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves


def f(x, w):
    h = torch.relu(x @ w)
    h = torch.sigmoid(h @ w) * 2 + 1
    return torch.tanh(h @ w)


class CountAllocations(TorchDispatchMode):
    """记下每个 ATen 算子新分配的结果张量（视图与原地运算不分配，不计）。"""

    def __init__(self):
        super().__init__()
        self.allocs = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if not func.is_view and not func._schema.is_mutable:
            for t in tree_leaves(out):
                if isinstance(t, torch.Tensor):
                    self.allocs.append((func.__name__, t.untyped_storage().nbytes()))
        return out


torch.manual_seed(0)
x, w = torch.randn(256, 256), torch.randn(256, 256)

with CountAllocations() as mode:
    expected = f(x, w)
print(f"eager：{len(mode.allocs)} 次分配，共 {sum(n for _, n in mode.allocs) // 1024} KiB")
print("  ", " ".join(name for name, _ in mode.allocs))

compiled = torch.compile(f)
out, (code,) = run_and_get_code(compiled, x, w)
# Inductor 生成的 Python 包装函数 call() 负责分配缓冲区、调用矩阵乘法库和融合后的 C++ 内核
body = code[code.index("def call(") :]
body = body[: body.index("return (")]
allocs = re.findall(r"(buf\d+) = empty_strided_cpu\(\((\d+), (\d+)\)", body)
nbytes = sum(int(rows) * int(cols) * 4 for _, rows, cols in allocs)
print(f"torch.compile：{len(allocs)} 次分配，共 {nbytes // 1024} KiB；结果一致：", torch.allclose(out, expected, atol=1e-5))
for line in body.splitlines():
    if re.search(r"empty_strided_cpu|extern_kernels\.mm|cpp_fused_\w+\(|# reuse|del buf", line):
        print("  ", line.strip())

# 复用为什么值得：Linux 上，这么大（64 MiB）的内存块释放后直接还给操作系统，
# 下次分配时每一页都要重新缺页、清零。同样写满 64 MiB，写进新分配的内存要慢得多。
src = torch.randn(16 * 2**20)
reused = torch.empty_like(src)
torch.set_num_threads(1)  # 单线程计时，结果更稳定
ms = {}
for label, stmt in [("每次新分配再写入", "torch.empty_like(src).copy_(src)"), ("写进复用的缓冲区", "reused.copy_(src)")]:
    t = benchmark.Timer(stmt, globals={"torch": torch, "src": src, "reused": reused}).blocked_autorange(min_run_time=1)
    ms[label] = t.median * 1e3
    print(f"{label}，用时 {ms[label]:.1f} ms")
# 结论由断言保证（留了余量），不靠某一次计时碰巧的大小关系
assert ms["每次新分配再写入"] > 1.5 * ms["写进复用的缓冲区"], ms
print("断言成立：写进新分配的内存明显更慢")
