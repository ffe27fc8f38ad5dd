# 同一个 `(a + b) * 2`，这次在运行之前就捕获成图：torch.fx 用代理对象把函数“走”一遍，
# 记下每一步要做什么，却不做任何真实计算。图先于数据存在，这正是静态图的样子。
import torch
from torch import fx


def f(a, b):
    return (a + b) * 2


gm = fx.symbolic_trace(f)  # 还没有任何张量，图已经有了
print(gm.graph)
print("由图生成的代码：")
print(gm.code.strip())
print("拿真实数据运行它：", gm(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([4.0, 5.0, 6.0])))
