# ExecuTorch：把 torch.export 导出的图转换成 Edge 方言，交给 XNNPACK 后端，序列化成 .pte，
# 再用 ExecuTorch 的运行时（这里是它的 Python 绑定）加载运行。手机、嵌入式设备上跑的是同一个运行时的 C++ 版。
import torch
import torch.nn.functional as F
from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
from executorch.exir import to_edge_transform_and_lower
from executorch.runtime import Runtime
from torch import nn


class Block(nn.Module):
    """本章的例子（与第 5 章相同）：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


torch.manual_seed(0)
model = Block().eval()
x = torch.linspace(-1, 1, 2 * 16).reshape(2, 16)

# --8<-- [start:lower]
ep = torch.export.export(model, (x,))
# 能交给 XNNPACK 的部分打包成一个“委托”，其余留给 ExecuTorch 自带的可移植内核
program = to_edge_transform_and_lower(ep, partitioner=[XnnpackPartitioner()]).to_executorch()
with open("block.pte", "wb") as f:
    f.write(program.buffer)
print(f"block.pte：{len(program.buffer):,} 字节")
gm = program.exported_program().graph_module
for node in gm.graph.nodes:  # 顶层图：内存分配之外，只剩一个可移植内核和一次委托调用
    if node.op == "call_function" and "alloc" not in str(node.target) and "getitem" not in str(node.target):
        print("  ", node.target)
delegate = gm.lowered_module_0
ops = [n.target.__name__ for n in delegate.original_module.graph.nodes if n.op == "call_function"]
print(f"委托给 {delegate.backend_id} 的子图：{' → '.join(ops)}")
# --8<-- [end:lower]

# --8<-- [start:run]
method = Runtime.get().load_program("block.pte").load_method("forward")
(y,) = method.execute([x])
print("ExecuTorch 与 eager 的最大差：", f"{(y - model(x)).abs().max().item():.1e}")
# --8<-- [end:run]
