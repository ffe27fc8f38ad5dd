# 练习：均值为正时把 x 中心化，否则原样返回。改写以后 torch.fx 才能追踪它。
import torch
from torch import fx, nn


class Center(nn.Module):
    def forward(self, x):
        m = x.mean()
        if m > 0:  # 依赖数据的控制流
            return x - m
        return x


try:
    fx.symbolic_trace(Center())
except fx.proxy.TraceError as e:
    print("TraceError:", e)


# 改写：两个分支都算出来，由 torch.where 按条件挑选
class CenterWhere(nn.Module):
    def forward(self, x):
        m = x.mean()
        return torch.where(m > 0, x - m, x)


gm = fx.symbolic_trace(CenterWhere())
print(gm.code.strip())
for x in (torch.tensor([1.0, 3.0]), torch.tensor([-1.0, -3.0])):
    print(f"x = {x.tolist()}：图的结果 {gm(x).tolist()}，原模块 {Center()(x).tolist()}")
