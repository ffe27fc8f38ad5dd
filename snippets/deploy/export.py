# torch.export 导出本章的例子：默认得到的图（训练用 IR）保留 aten.linear 这样的高层算子，
# run_decompositions() 再把它们分解成核心 ATen 算子；动态维度有三种写法。
import zipfile

import torch
import torch.nn.functional as F
from torch import nn
from torch.export import Dim


class Block(nn.Module):
    """本章的例子（与第 5 章相同）：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


def ops(ep):
    return " → ".join(n.target.__name__ for n in ep.graph.nodes if n.op == "call_function")


torch.manual_seed(0)
model = Block().eval()
x = torch.randn(4, 16)

# --8<-- [start:ir]
ep = torch.export.export(model, (x,))
print("默认的 IR：", ops(ep))
print("输入：", ", ".join(f"{s.arg.name} 是 {s.kind.name}" for s in ep.graph_signature.input_specs))
core = ep.run_decompositions()  # 默认用核心 ATen 的分解表
print("run_decompositions() 之后：", ops(core))
# --8<-- [end:ir]

# --8<-- [start:dims]
batch = Dim("batch", min=1, max=1024)
for name, spec in (("Dim('batch', min=1, max=1024)", batch), ("Dim.AUTO", Dim.AUTO), ("Dim.DYNAMIC", Dim.DYNAMIC)):
    dyn = torch.export.export(model, (x,), dynamic_shapes={"x": {0: spec}})
    shape = list(dyn.graph.find_nodes(op="placeholder")[-1].meta["val"].shape)  # 最后一个输入就是 x
    print(f"第 0 维用 {name}：x 的形状 {shape}，范围 {dyn.range_constraints}")

for name, spec in (("Dim.AUTO", Dim.AUTO), ("Dim.DYNAMIC", Dim.DYNAMIC)):  # 第 1 维：LayerNorm 和 Linear 都要求它是 16
    try:
        dyn = torch.export.export(model, (x,), dynamic_shapes={"x": {1: spec}})
        shape = list(dyn.graph.find_nodes(op="placeholder")[-1].meta["val"].shape)
        print(f"第 1 维用 {name}：导出成功，x 的形状 {shape}")
    except Exception as e:
        print(f"第 1 维用 {name}：{type(e).__name__}")
        print("\n".join("    " + line for line in str(e).strip().splitlines()[:2]))
# --8<-- [end:dims]

# --8<-- [start:save]
dyn = torch.export.export(model, (x,), dynamic_shapes={"x": {0: batch}})
torch.export.save(dyn, "block.pt2")
names = [n.split("/", 1)[1] for n in zipfile.ZipFile("block.pt2").namelist()]  # .pt2 是一个 zip 文件
print("block.pt2 里：", ", ".join(n for n in names if "/" in n and not n.startswith(".data")))
loaded = torch.export.load("block.pt2").module()
x5 = torch.randn(5, 16)  # 与示例不同的 batch
print("加载后运行 batch=5，与 eager 一致：", torch.allclose(loaded(x5), model(x5), atol=1e-6))
try:
    loaded(torch.randn(5, 8))  # 第 1 维没有声明为动态
except Exception as e:
    print(f"形状不符合导出时的约定 -> {type(e).__name__}: {str(e).splitlines()[0]}")
# --8<-- [end:save]
