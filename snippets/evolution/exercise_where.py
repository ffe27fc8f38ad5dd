# 练习：g 里依赖数据的 if 把图切开了。改写它，让 torch.compile 得到一整张图。
import torch


def g(x):
    if x.sum() > 0:
        return x * 2
    return -x


# 改写：两个分支都是张量运算，用 torch.where 在图里按条件挑选
def g_where(x):
    return torch.where(x.sum() > 0, x * 2, -x)


pos, neg = torch.tensor([1.0, 2.0]), torch.tensor([-1.0, -2.0])
for fn in (g, g_where):
    report = torch._dynamo.explain(fn)(pos)
    print(f"{fn.__name__}：{report.graph_count} 张图，{report.graph_break_count} 次图中断")

full = torch.compile(g_where, fullgraph=True, backend="eager")  # 有图中断就会报错
for x in (pos, neg):
    print(f"x = {x.tolist()}：fullgraph 的结果 {full(x).tolist()}，原函数 {g(x).tolist()}")
