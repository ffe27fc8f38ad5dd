# symbolic_trace 跑 forward 时手里只有符号（Proxy），没有值。
# 所以当 Python 的 if 要根据张量的“值”做决定时，追踪无法进行。
import torch
from torch import fx, nn


class Gate(nn.Module):
    def forward(self, x):
        if x.sum() > 0:  # 依赖数据的控制流：走哪条分支要看 x 的值
            return x * 2
        return -x


try:
    fx.symbolic_trace(Gate())
except fx.proxy.TraceError as e:
    print("TraceError:", e)


# 办法之一：把“选择”本身写成张量运算，两条分支都算，由 torch.where 按值挑选
class GateWhere(nn.Module):
    def forward(self, x):
        return torch.where(x.sum() > 0, x * 2, -x)


gm = fx.symbolic_trace(GateWhere())
print("改写后可以追踪，生成的代码：")
print(gm.code.strip())
for x in (torch.tensor([1.0, 2.0]), torch.tensor([-1.0, -2.0])):
    print(f"x = {x.tolist()} -> 图的结果 {gm(x).tolist()}，原模块 {Gate()(x).tolist()}")
