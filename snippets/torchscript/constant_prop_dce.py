import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


# --8<-- [start:manual]
# 一张手写的 TorchScript IR：2*3 可以在编译期算出，cos 的结果没人用
graph = torch._C.parse_ir(
    """
graph(%x : Tensor):
  %two : int = prim::Constant[value=2]()
  %three : int = prim::Constant[value=3]()
  %scale : int = aten::mul(%two, %three)
  %unused : Tensor = aten::cos(%x)
  %y : Tensor = aten::mul(%x, %scale)
  return (%y)
"""
)
print("=== 优化前 ===")
print(graph)

torch._C._jit_pass_dce(graph)  # 死代码消除：删掉结果没人用、也没有副作用的节点
print("=== 死代码消除之后 ===")
print(graph)

torch._C._jit_pass_constant_propagation(graph)  # 常量传播：输入全是常量的节点在编译期算掉
print("=== 常量传播之后 ===")
print(graph)
# --8<-- [end:manual]


# --8<-- [start:script]
# torch.jit.script 编译时已经跑过这些清理 pass：源码里的常量表达式、
# 永远不成立的分支和无用的计算都不会出现在 .graph 里
@torch.jit.script
def f(x):
    scale = 2 * 3
    unused = x.cos()
    if scale > 10:
        x = x + 100
    return x * scale


print("=== torch.jit.script 的结果 ===")
print(f.graph)
# --8<-- [end:script]
