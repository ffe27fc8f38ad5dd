# 练习：函数里给全局计数器加 1。用 torch.compile 调用 3 次，计数器是几？有没有图中断？
import torch

calls = 0


def f(x):
    global calls
    calls += 1  # Python 副作用
    return x * 2


compiled = torch.compile(f, backend="eager")
for _ in range(3):
    compiled(torch.ones(2))
print("调用了 3 次，calls =", calls)

report = torch._dynamo.explain(f)(torch.ones(2))
print("图的数量：", report.graph_count, " 图中断次数：", report.graph_break_count)
print("explain 又运行了一次 f，calls =", calls)
