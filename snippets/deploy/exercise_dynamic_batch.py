# 练习：导出的模型换一个 batch 大小就报错。改一处，让它接受 1 到 64 的任意 batch。
import torch
from torch import nn
from torch.export import Dim

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)).eval()

ep = torch.export.export(model, (torch.randn(3, 4),))  # 示例输入的 batch 是 3
try:
    ep.module()(torch.randn(5, 4))
except Exception as e:
    print(f"batch 为 5 时报错 {type(e).__name__}，{str(e).splitlines()[0]}")

# 改法：用 dynamic_shapes 声明第 0 维可以变，并给出范围
batch = Dim("batch", min=1, max=64)
ep = torch.export.export(model, (torch.randn(3, 4),), dynamic_shapes=({0: batch},))
print("范围约束：", ep.range_constraints)
with torch.no_grad():
    for n in (1, 5, 64):
        x = torch.randn(n, 4)
        print(f"batch 为 {n} 时与 eager 一致：{torch.allclose(ep.module()(x), model(x))}")
try:
    ep.module()(torch.randn(65, 4))
except Exception as e:
    print(f"batch 为 65 时报错 {type(e).__name__}，{str(e).splitlines()[0]}")
