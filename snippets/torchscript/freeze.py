import warnings

import torch
from torch import nn

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


class ConvBNReLU(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


def count_nodes(graph):
    return sum(1 for _ in graph.nodes())


torch.manual_seed(0)
model = ConvBNReLU().eval()
x = torch.randn(1, 3, 8, 8)

scripted = torch.jit.script(model)
print("=== script 之后（forward 里只是调用子模块）===")
print(scripted.graph.str(False).rstrip())
# 把子模块的 forward 内联进来，才看得到真正要执行的全部节点
inlined = scripted.graph.copy()
torch._C._jit_pass_inline(inlined)
print("内联后的节点数：", count_nodes(inlined))

# --8<-- [start:freeze]
# freeze：参数和属性变成常量，self.training 的分支被删掉，BN 折叠进卷积
frozen = torch.jit.freeze(scripted)
print("=== torch.jit.freeze 之后 ===")
print(frozen.graph.str(False).rstrip())
print("节点数：", count_nodes(frozen.graph))

# optimize_for_inference：在 freeze 的基础上再做面向推理的改写（CPU 上换成 oneDNN/MKLDNN 卷积）
optimized = torch.jit.optimize_for_inference(torch.jit.script(model))
print("=== torch.jit.optimize_for_inference 之后 ===")
print(optimized.graph.str(False).rstrip())

with torch.no_grad():
    expected = model(x)
    print("freeze 结果一致：", torch.allclose(frozen(x), expected, atol=1e-5))
    print("optimize_for_inference 结果一致：", torch.allclose(optimized(x), expected, atol=1e-5))
# --8<-- [end:freeze]
