import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


# 输出取决于输入的“值”：这就是依赖数据的控制流
def gate(x):
    if x.sum() > 0:
        return x * 2
    return x - 10


pos = torch.tensor([1.0, 2.0])
neg = torch.tensor([-1.0, -2.0])

# trace 只运行一次 gate(pos)，记下这一次真正执行了的算子
traced = torch.jit.trace(gate, pos)
# script 读 gate 的源代码，把 if 也编译进去
scripted = torch.jit.script(gate)

print("eager   :", gate(pos), gate(neg))
print("traced  :", traced(pos), traced(neg))
print("scripted:", scripted(pos), scripted(neg))
print("traced(neg) 正确吗？", torch.equal(traced(neg), gate(neg)))

print("=== traced.graph ===")
print(traced.graph)
print("=== traced.code ===")
print(traced.code)
print("=== scripted.graph ===")
print(scripted.graph)
