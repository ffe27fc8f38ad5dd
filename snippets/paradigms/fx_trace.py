# PyTorch 自己的“符号式视角”：torch.fx 用代理对象（Proxy）代替真实张量跑一遍 forward，
# 把调用过的运算记录成一张计算图，而不做任何真正的计算。
import torch
from torch import fx, nn

torch.manual_seed(0)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 4)

    def forward(self, x):
        y = self.linear(x)
        return torch.relu(y) + x


block = Block()
gm = fx.symbolic_trace(block)
print("计算图（每行一个节点：节点种类 / 名字 / 目标 / 输入）：")
for node in gm.graph.nodes:
    target = node.target if isinstance(node.target, str) else node.target.__name__
    print(f"  {node.op:<13} {node.name:<7} {target:<10} {list(map(str, node.args))}")

print("\n由图重新生成的 Python 代码：")
print(gm.code.strip())

# 生成的 GraphModule 与原模块共享参数，算出的结果一样
x = torch.randn(2, 4)
print("\n与原模块结果一致：", torch.equal(gm(x), block(x)))
