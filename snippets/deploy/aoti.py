# AOTInductor：把 torch.export 导出的图提前编译成共享库，和权重一起打包成一个 .pt2 文件。
# 加载它不需要 TorchDynamo，也不需要模型的 Python 代码；C++ 程序 run_aoti.cpp 加载的就是这个文件。
import re
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


def show(label, y):
    # 与 run_aoti.cpp 的 show() 同样的格式：每行一个样本，保留 4 位小数，方便逐行比对
    for i, row in enumerate(y.tolist()):
        print(f"{label}[{i}] =" + "".join(f" {v:.4f}" for v in row))


torch.manual_seed(0)
model = Block().eval()
ep = torch.export.export(model, (torch.randn(2, 16),), dynamic_shapes={"x": {0: Dim("batch", min=1, max=1024)}})

# --8<-- [start:package]
# 提前（ahead of time）编译：Inductor 生成 C++，调用编译器得到 .so，连同权重打包
path = torch._inductor.aoti_compile_and_package(ep, package_path="block_aoti.pt2")
with zipfile.ZipFile(path) as archive:  # .pt2 就是一个 zip 文件
    for info in archive.infolist():
        print(f"{info.file_size:>9,}  {info.filename}")
    sources = [archive.read(n).decode() for n in archive.namelist() if n.endswith(".cpp")]
for text in sources:
    if "AOTI_TORCH_ERROR_CODE_CHECK" in text:  # 包装代码：按顺序调用各个内核
        calls = re.findall(r"^\s+(?:AOTI_TORCH_ERROR_CODE_CHECK\()?(cpp_fused_\w+|aoti_torch_cpu_\w+)\(", text, re.M)
        print("包装代码依次调用：", " → ".join(calls))
    else:  # 生成的内核
        print("内核源码里定义了：", ", ".join(re.findall(r'^extern "C"\s+void\s+(cpp_fused_\w+)', text, re.M)))
# --8<-- [end:package]

# --8<-- [start:load]
runner = torch._inductor.aoti_load_package(path)
print("Python 这一侧的加载器：", type(runner.loader).__name__)
print("包里记下的目标机器：", {k: v for k, v in sorted(runner.get_metadata().items()) if k.startswith("AOTI_")})
print("权重：", ", ".join(sorted(runner.get_constant_fqns())))
for batch in (2, 3):  # 与 run_aoti.cpp 相同的输入；batch 是动态维度
    x = torch.linspace(-1, 1, batch * 16).reshape(batch, 16)
    y = runner(x)
    show(f"y{batch}", y)
    print(f"  与 eager 一致：{torch.allclose(y, model(x), atol=1e-5)}")
# --8<-- [end:load]
