import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


assert torch.cuda.is_available(), "这个例子需要 NVIDIA GPU"


def pointwise(x, y):
    return (x * y + 1.0).relu().sigmoid()


print("can fuse on GPU:", torch._C._jit_can_fuse_on_gpu())
f = torch.jit.script(pointwise)
x, y = torch.randn(1000, device="cuda"), torch.randn(1000, device="cuda")
for _ in range(3):  # profiling executor：前几次调用收集形状信息，之后才优化
    f(x, y)
graph = torch.jit.last_executed_optimized_graph()
print("节点种类：", sorted({n.kind() for n in graph.nodes()} - {"prim::Constant"}))
print(graph.str(False))
print("结果一致：", torch.allclose(f(x, y), pointwise(x, y)))
