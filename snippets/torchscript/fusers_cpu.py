import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def kinds(graph):
    """优化后图里的节点种类（去掉常量和 profiling 用的 prim::profile）。"""
    skip = {"prim::Constant", "prim::profile"}
    return [n.kind() for n in graph.nodes() if n.kind() not in skip]


def make_pointwise():
    # 每次返回一个新的函数对象：torch.jit.script 按函数对象缓存编译结果
    def pointwise(x, y):
        return (x * y + 1.0).relu().sigmoid()

    return pointwise


x, y = torch.randn(1000), torch.randn(1000)

# 默认设置：NNC（TensorExpr）融合器开着，但不允许在 CPU 上融合
print("texpr fuser enabled:", torch._C._jit_texpr_fuser_enabled())
print("can fuse on CPU    :", torch._C._jit_can_fuse_on_cpu())

f = torch.jit.script(make_pointwise())
for _ in range(3):  # profiling executor：前几次调用收集形状信息，之后才优化
    f(x, y)
print("默认：", kinds(torch.jit.last_executed_optimized_graph()))

# 强行允许 CPU 融合：官方 wheel 包编译时没带 LLVM，NNC 生成不了 CPU 代码
torch._C._jit_override_can_fuse_on_cpu(True)
g = torch.jit.script(make_pointwise())
try:
    for _ in range(3):
        g(x, y)
except RuntimeError as e:
    print("允许 CPU 融合后：", e)
torch._C._jit_override_can_fuse_on_cpu(False)

# 另一条路：oneDNN Graph 融合器（默认关闭，要显式打开）
torch.jit.enable_onednn_fusion(True)
h = torch.jit.script(make_pointwise())
for _ in range(3):
    h(x, y)
print("=== oneDNN Graph 融合后的图 ===")
print(torch.jit.last_executed_optimized_graph().str(False))
print("结果一致：", torch.allclose(h(x, y), make_pointwise()(x, y)))

# nvFuser 曾是 TorchScript 在 CUDA 上的融合器；现在的 torch 里这个开关只剩一条警告
torch._C._jit_set_nvfuser_enabled(True)
print("nvFuser enabled:", torch._C._jit_nvfuser_enabled())
