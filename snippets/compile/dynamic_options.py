# 事先说好哪一维会变（mark_dynamic、dynamic=True），或者永远不要动态（dynamic=False）。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


def show_signature(gm, example_inputs):
    print("  编译：", gm.code.strip().splitlines()[0])
    return gm.forward


print("== dynamic=False：每种长度各编译一次，永远按常量")
static = torch.compile(f, backend=show_signature, dynamic=False)
for n in (8, 16):
    static(torch.randn(n))

torch._dynamo.reset()
print("== mark_dynamic(x, 0)：第一次就把第 0 维当作符号")
x = torch.randn(8)
torch._dynamo.mark_dynamic(x, 0)
marked = torch.compile(f, backend=show_signature)
marked(x)
marked(torch.randn(16))  # 没有标记的新张量：形状落在已有的符号范围内，不重新编译

torch._dynamo.reset()
print("== dynamic=True：所有维度一开始就是符号")
dyn = torch.compile(f, backend=show_signature, dynamic=True)
for n in (8, 16):
    dyn(torch.randn(n))
