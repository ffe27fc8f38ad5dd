# fullgraph=True 与 error_on_graph_break：把“悄悄中断”变成错误。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


x = torch.randn(8)
try:
    torch.compile(f, backend="eager", fullgraph=True)(x)
except torch._dynamo.exc.Unsupported as e:
    print(f"== fullgraph=True:{type(e).__module__}.{type(e).__name__}")
    print(e)

torch._dynamo.reset()
# 只在这一段打开：遇到图中断就报错；与 fullgraph 不同，它可以在函数内部再关掉
with torch._dynamo.error_on_graph_break(True):
    try:
        torch.compile(f, backend="eager")(x)
    except torch._dynamo.exc.Unsupported as e:
        print(f"== error_on_graph_break(True):{type(e).__name__}: {str(e).splitlines()[0]}")
