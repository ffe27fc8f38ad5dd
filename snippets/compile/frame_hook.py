# TorchDynamo 看到的是什么：函数的字节码，以及它从中抽出的 FX 图。
import dis

import torch

SCALE = 2.0


# 本章的例子：两句张量运算，中间夹一句 Dynamo 放不进图的 print
def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


print("== f 原来的字节码（dis.get_instructions(f)）")
for ins in dis.get_instructions(f):
    line = f"第 {ins.starts_line} 行" if ins.starts_line else ""
    print(f"{line:<7}{ins.offset:4} {ins.opname:<13} {ins.argrepr}")


def show_graph(gm, example_inputs):
    # 自定义后端：Dynamo 每抽出一张图，就把它（torch.fx.GraphModule）交给后端一次
    print("== Dynamo 交给后端的一张图")
    print(gm.code.strip())
    # 追踪时每个张量都是一个假张量：有形状、dtype 和设备，没有数据。看这张图最后一个运算的结果
    last = [node for node in gm.graph.nodes if node.op == "call_function"][-1]
    value = last.meta["example_value"]
    print(f"  {last.name} 在追踪时是：{value!r}，{value.dtype}，{value.device}")
    return gm.forward  # 原样执行这张图


compiled = torch.compile(f, backend=show_graph)
compiled(torch.randn(8))
