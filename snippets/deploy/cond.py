# 依赖数据的分支写成 torch.cond：两个分支都变成子图记进导出的图里，运行时按条件选一个。
import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    """本章的例子（与第 5 章相同）：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


# --8<-- [start:cond]
class WithCond(Block):
    def forward(self, x):
        y = super().forward(x)
        # 代替 export_modes.py 里 Branchy 的 if：条件、两个分支（函数）、传给分支的操作数
        return torch.cond(y.sum() > 0, lambda t: t * 2, lambda t: t - 1, (y,))


torch.manual_seed(0)
model = WithCond().eval()
x = torch.randn(4, 16)
for strict in (True, False):
    ep = torch.export.export(model, (x,), strict=strict)
    print(f"strict={strict}：成功")
for name, gm in (("导出的图", ep.graph_module), ("true_graph_0", ep.graph_module.true_graph_0),
                 ("false_graph_0", ep.graph_module.false_graph_0)):
    print(f"--- {name} ---")
    print("\n".join(line.split(";")[0] for line in gm.code.strip().splitlines() if line.strip()))
for shift in (100, -100):  # 残差让 y ≈ x：输入整体偏正或偏负，y.sum() 的符号就跟着变
    inp = torch.randn(4, 16) + shift
    y = Block.forward(model, inp)
    branch = "t * 2" if y.sum() > 0 else "t - 1"
    print(f"输入约为 {shift}：走 {branch}，与 eager 一致 {torch.allclose(ep.module()(inp), model(inp))}")
# --8<-- [end:cond]
