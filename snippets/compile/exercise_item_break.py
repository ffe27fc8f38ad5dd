# 练习：scale 在 .item() 处图中断。改写它（或打开一个开关），让它成为一整张图。
import torch


def scale(x, w):
    s = w.abs().max().item()  # 取出一个 Python float
    return torch.relu(x) * s


# 改写：不离开张量，直接用 0 维张量去乘
def scale_tensor(x, w):
    return torch.relu(x) * w.abs().max()


x, w = torch.randn(8), torch.randn(8)
for fn in (scale, scale_tensor):
    report = torch._dynamo.explain(fn)(x, w)
    print(f"{fn.__name__}：{report.graph_count} 张图，{report.graph_break_count} 次图中断")
    for reason in report.break_reasons:
        print("  原因：", reason.reason.splitlines()[0])

# 另一种办法：让 .item() 留在图里，结果是一个 unbacked 符号
torch._dynamo.reset()
with torch._dynamo.config.patch(capture_scalar_outputs=True):  # 只在这一段里打开
    report = torch._dynamo.explain(scale)(x, w)
print(f"capture_scalar_outputs=True 时的 scale：{report.graph_count} 张图，{report.graph_break_count} 次图中断")

full = torch.compile(scale_tensor, fullgraph=True, backend="eager")
print("结果与 eager 一致：", torch.allclose(full(x, w), scale(x, w)))
