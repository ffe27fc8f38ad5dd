# torch.compile 遇到图里表达不了的东西（Python 副作用、依赖数据的分支）时不会报错，
# 而是“图中断”（graph break）：那一段交回 Python 照常执行，前后各编译成一张图。
import torch


def show_graph(gm, example_inputs):
    ops = [n.target if n.op == "call_method" else n.target.__name__ for n in gm.graph.nodes if n.op in ("call_function", "call_method")]
    print("  [后端] 编译一张图：", ops)
    return gm.forward


# --8<-- [start:print]
@torch.compile(backend=show_graph)  # 只看 Dynamo 切出了哪些图，不调用 Inductor
def f(x):
    y = x.sin()
    print("  [Python print] y =", y)  # Python 副作用：图里表达不了，在这里图中断
    return y.cos()


x = torch.tensor([0.5, 1.0])
print("第 1 次调用：")
f(x)
print("第 2 次调用（print 照样执行，因为它在图外）：")
f(x)
# --8<-- [end:print]


# --8<-- [start:branch]
@torch.compile(backend=show_graph)
def g(x):
    if x.sum() > 0:  # 依赖数据的分支：Python 拿到真实的值再决定走哪边
        return x * 2
    return -x


print("正数输入：", g(torch.tensor([1.0, 2.0])).tolist())
print("负数输入：", g(torch.tensor([-1.0, -2.0])).tolist())
# --8<-- [end:branch]

# --8<-- [start:explain]
# torch._dynamo.explain 汇总图中断的次数和原因
report = torch._dynamo.explain(f.__wrapped__)(x)
print("图的数量：", report.graph_count, " 图中断次数：", report.graph_break_count)
for reason in report.break_reasons:
    print("原因：", "\n      ".join(line.strip() for line in reason.reason.splitlines()[:2]))

# 要求“必须是一整张图”时，用 fullgraph=True：图中断变成报错
try:
    torch.compile(f.__wrapped__, fullgraph=True, backend="eager")(x)
except Exception as e:
    print(type(e).__name__ + ":", str(e).splitlines()[0])  # 报错信息很长，只取第一行
# --8<-- [end:explain]
