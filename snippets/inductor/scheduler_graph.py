# 调度器融合前后的节点：Inductor 在融合之前、之后各留了一个钩子（两个下划线开头的配置项，
# 是内部接口），拿到的就是调度器手里真实的节点对象。本站用它们画出下面那张图。
import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    """本章的例子：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


before, after = [], []  # 融合前、融合后的调度器节点


def keep(into):
    def hook(nodes):
        into.extend(nodes)
        return nodes  # 原样交回：只看，不改

    return hook


torch.manual_seed(0)
torch._inductor.config.fx_graph_cache = False  # 命中缓存时调度器不会运行
torch._functorch.config.enable_autograd_cache = False
with torch._inductor.config.patch(_pre_fusion_custom_pass=keep(before), _post_fusion_custom_pass=keep(after)):
    with torch.no_grad():
        torch.compile(Block().eval())(torch.randn(4, 16))

print(f"融合前 {len(before)} 个节点：")
for node in before:
    reads = ", ".join(sorted(dep.name for dep in node.read_writes.reads))
    print(f"  {node.get_name()} {type(node).__name__:<26} 读 {reads}")
print(f"融合后 {len(after)} 个节点，每个生成一个内核或一次库调用：")
for node in after:
    print(f"  {type(node).__name__:<28} {[n.get_name() for n in node.get_nodes()]}")
