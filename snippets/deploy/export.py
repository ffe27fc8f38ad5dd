# torch.export：把模型整个导出成一张图（ExportedProgram），保存成 .pt2，再加载回来运行。
import torch
from torch import nn
from torch.export import Dim

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 3)

    def forward(self, x):
        return torch.relu(self.lin(x)) * 2


model = Net().eval()
example = (torch.randn(2, 4),)

# --8<-- [start:export]
# 第 0 维（batch）声明为动态，允许 1 到 1024；不声明的维度按示例输入固定
batch = Dim("batch", min=1, max=1024)
ep = torch.export.export(model, example, dynamic_shapes={"x": {0: batch}})
print(ep)
# --8<-- [end:export]

# --8<-- [start:save]
torch.export.save(ep, "net.pt2")
loaded = torch.export.load("net.pt2")
x = torch.randn(5, 4)  # 与示例不同的 batch
print("加载后运行，输出形状：", tuple(loaded.module()(x).shape))
print("与 eager 一致：", torch.allclose(loaded.module()(x), model(x)))

try:
    loaded.module()(torch.randn(5, 6))  # 第 1 维没有声明为动态
except Exception as e:
    print(f"形状不符合导出时的约定 -> {type(e).__name__}: {str(e).splitlines()[0]}")
# --8<-- [end:save]


# --8<-- [start:cond]
class WithCond(nn.Module):
    def forward(self, x):
        # 依赖数据的分支写成 torch.cond：两个分支都记进图，运行时按条件选一个
        # （写成 Python 的 if，export 会像 fullgraph=True 一样报错）
        return torch.cond(x.sum() > 0, lambda t: t * 2, lambda t: t - 1, (x,))


cond_ep = torch.export.export(WithCond(), example)
print(cond_ep.graph_module.code.strip())
print("x 全为正：", cond_ep.module()(torch.ones(2, 4))[0].tolist(), " x 全为负：", cond_ep.module()(-torch.ones(2, 4))[0].tolist())
# --8<-- [end:cond]
