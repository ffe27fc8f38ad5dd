# ONNX：torch.onnx.export 先用 torch.export 得到图，再翻译成 ONNX 算子（dynamo=True，2.9 起是默认）；
# 导出的 .onnx 文件交给 onnxruntime 运行，与 eager 的结果比较。最后看一眼旧的 dynamo=False。
import inspect
import warnings

import onnx
import onnxruntime as ort
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


torch.manual_seed(0)
model = Block().eval()

# --8<-- [start:export]
print("torch.onnx.export 的默认值：", inspect.signature(torch.onnx.export).parameters["dynamo"])
program = torch.onnx.export(model, (torch.randn(2, 16),), dynamic_shapes={"x": {0: Dim("batch", min=1, max=1024)}})
program.save("block.onnx")
# --8<-- [end:export]

# --8<-- [start:graph]
graph = onnx.load("block.onnx").graph
print("ONNX 算子：", " → ".join(node.op_type for node in graph.node))
print("ONNX 算子集版本（opset）：", ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in onnx.load("block.onnx").opset_import))
for value in list(graph.input) + list(graph.output):
    dims = [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]
    print(f"{value.name} 的形状：{dims}")
print("权重（initializer）：", ", ".join(sorted(t.name for t in graph.initializer)))
# --8<-- [end:graph]

# --8<-- [start:run]
session = ort.InferenceSession("block.onnx", providers=["CPUExecutionProvider"])
TOLERANCE = 1e-5  # float32 下不同实现的舍入差异远小于这个数
for batch in (2, 5):
    x = torch.linspace(-1, 1, batch * 16).reshape(batch, 16)
    (y,) = session.run(None, {"x": x.numpy()})
    diff = (torch.from_numpy(y) - model(x)).abs().max().item()
    print(f"batch={batch}：onnxruntime 与 eager 的最大差 {diff:.1e}，在 {TOLERANCE:.0e} 以内：{diff < TOLERANCE}")
# --8<-- [end:run]

# --8<-- [start:legacy]
# dynamo=False：旧的、基于 TorchScript 追踪的导出器。它直接写文件、不返回 ONNXProgram，动态维度用 dynamic_axes 声明
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    legacy = torch.onnx.export(
        model, (torch.randn(2, 16),), "block_legacy.onnx", dynamo=False, input_names=["x"], dynamic_axes={"x": {0: "batch"}}
    )
print("\ndynamo=False 的返回值：", legacy)
for w in caught:
    if w.filename == __file__:  # 指向调用者的那条：Python 默认只对 __main__ 显示 DeprecationWarning
        print(f"  {w.category.__name__}: {str(w.message).split('. ')[0]}")  # 只打印第一句
print("ONNX 算子：", " → ".join(node.op_type for node in onnx.load("block_legacy.onnx").graph.node))
# --8<-- [end:legacy]
