# 练习：函数里有两句 print。先猜 Dynamo 会切出几张图、几次图中断，再用 explain 验证。
import torch


def f(x):
    x = torch.sin(x)
    print("第一句 print")
    x = torch.cos(x)
    print("第二句 print")
    return x + 1


report = torch._dynamo.explain(f)(torch.ones(4))
print("图的数量：", report.graph_count, " 图中断次数：", report.graph_break_count)
for i, gm in enumerate(report.graphs):
    ops = [node.target.__name__ for node in gm.graph.nodes if node.op == "call_function"]
    print(f"第 {i + 1} 张图：{ops}")
