import functools
import operator
import warnings

import torch
from torch import nn

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


class Branches(nn.Module):
    """三个分支相加：没有依赖数据的 if/for，但用了 script 不认识的 functools.reduce。"""

    def __init__(self):
        super().__init__()
        self.branches = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])

    def forward(self, x):
        return functools.reduce(operator.add, [b(x) for b in self.branches])


torch.manual_seed(0)
model = Branches().eval()

try:
    torch.jit.script(model)
except RuntimeError as e:
    print("script 失败：", e)

# trace 不读源代码，只记录执行了的算子：reduce 和列表推导式在 Python 里跑完，留下三个 linear 和两个 add
traced = torch.jit.trace(model, torch.randn(2, 4))
print(traced.code)

# 结构与数据无关，所以换一个 batch 大小也对
x = torch.randn(5, 4)
print("与 eager 一致：", torch.allclose(traced(x), model(x)))
