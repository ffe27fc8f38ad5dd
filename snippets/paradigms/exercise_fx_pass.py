# 练习：写一个优化 pass，删掉 fx 图里多余的 relu（relu(relu(x)) 与 relu(x) 相同）。
import torch
from torch import fx


def f(x):
    y = torch.relu(x)
    y = torch.relu(y)  # 多余：y 已经没有负数了
    return torch.relu(y) * 2


def is_relu(node):
    return node.op == "call_function" and node.target is torch.relu


def remove_double_relu(gm: fx.GraphModule) -> fx.GraphModule:
    for node in list(gm.graph.nodes):
        # 输入本身就是 relu 的结果：这个 relu 什么也不做，让它的使用者直接用它的输入
        if is_relu(node) and is_relu(node.args[0]):
            node.replace_all_uses_with(node.args[0])
            gm.graph.erase_node(node)
    gm.recompile()  # 由改过的图重新生成 forward 的代码
    return gm


gm = fx.symbolic_trace(f)
print("优化前：", [node.name for node in gm.graph.nodes])
remove_double_relu(gm)
print("优化后：", [node.name for node in gm.graph.nodes])
print(gm.code.strip())
x = torch.randn(1000)
print("结果与原函数一致：", torch.equal(gm(x), f(x)))
