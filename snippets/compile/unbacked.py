# 依赖数据的值：.item() 的结果在编译时没有具体数值（unbacked 符号 u0），用 torch._check 告诉编译器已知的事实。
import torch

SCALE = 2.0


def head(x):
    y = torch.sin(x) * SCALE
    n = (y > 0).sum().item()  # 有几个正数：要看数据才知道
    if n == 0:  # Python 分支要一个确定的真假
        return y
    return torch.cos(y[:n]) + 1


def head_checked(x):
    y = torch.sin(x) * SCALE
    n = (y > 0).sum().item()
    torch._check(n > 0)  # 我们知道：输入里总有正数
    if n == 0:  # 编译器由 n > 0 推出这个分支永远不走
        return y
    return torch.cos(y[:n]) + 1


def show_graph(gm, example_inputs):
    print(gm.code.strip())
    return gm.forward


x = torch.linspace(-1, 2, 8)
# 让 .item() 留在图里（默认在这里图中断），它的结果在图里是一个符号；只在 with 块里有效
with torch._dynamo.config.patch(capture_scalar_outputs=True):
    try:
        torch.compile(head, backend="eager", fullgraph=True)(x)
    except Exception as e:
        print(f"{type(e).__name__}: {str(e).splitlines()[0]}")

    print("== 加上 torch._check(n > 0)")
    out = torch.compile(head_checked, backend=show_graph, fullgraph=True)(x)
    print("结果与 eager 一致：", torch.allclose(out, head_checked(x)))
    try:
        torch.compile(head_checked, backend="eager", fullgraph=True)(-x.abs() - 0.5)  # sin 全是负数：违反断言
    except RuntimeError as e:
        print(f"{type(e).__name__}: {str(e).splitlines()[0]}")
