# “框架看得到整张图，所以能做全局优化”：对 fx 图做一次真实的优化 pass——
# 把推理时的 Conv2d + BatchNorm2d 融合成一个 Conv2d，并对比前后的图。
import torch
from torch import fx, nn
from torch.fx.experimental.optimization import fuse

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.bn = nn.BatchNorm2d(8)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


net = Net().eval()  # 融合只对推理（eval）成立：此时 BN 只是一个固定的仿射变换
net.bn.running_mean.uniform_(-1, 1)  # 给 BN 一些非平凡的统计量
net.bn.running_var.uniform_(0.5, 2)


def ops(gm):
    return [n.target for n in gm.graph.nodes if n.op in ("call_module", "call_function")]


before = fx.symbolic_trace(net)
after = fuse(net)  # 在 fx 图上改写：把 bn 的参数折叠进 conv 的权重和偏置
print("优化前：", [str(t) if isinstance(t, str) else t.__name__ for t in ops(before)])
print("优化后：", [str(t) if isinstance(t, str) else t.__name__ for t in ops(after)])

x = torch.randn(2, 3, 16, 16)
print("结果相同（误差内）：", torch.allclose(net(x), after(x), atol=1e-5))
