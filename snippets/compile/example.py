# 本章的例子：两句张量运算，中间夹一句 Dynamo 放不进图的 print。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


print(f(torch.linspace(-1, 1, 4)))  # 先用 eager 执行一次
