# 练习：输入长度一直在变，torch.compile 编译几次？
import torch


def show_graph(gm, example_inputs):
    # 只打印 Dynamo 交来的图的参数表，不编译
    print("  [后端] 编译一张图：", gm.code.strip().splitlines()[0])
    return gm.forward


@torch.compile(backend=show_graph)
def f(x):
    return x * 2 + 1


for n in (2, 3, 4, 5):
    print(f"长度 {n}：")
    f(torch.ones(n))
