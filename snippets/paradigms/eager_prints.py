# 命令式（define-by-run）：每一行执行到时就真正完成计算，结果立刻可以打印、检查。
# 与 tf1_graph.py 是同一个计算：不用先建图，也没有占位符和会话。
import torch

a = torch.tensor([1.0, 2.0, 3.0])
b = torch.tensor([4.0, 5.0, 6.0])

c = a + b  # 这一行执行完，c 里已经是具体的数
print("c =", c)

d = c * 2
print("d 是什么？", d)
print("d 的形状：", d.shape, " 类型：", d.dtype)

# “换一批数据”就是用新的张量再算一遍
print("换一批数据：", (torch.ones(2) + torch.zeros(2)) * 2)
