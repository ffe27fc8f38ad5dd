# AOTInductor：把 torch.export 导出的图提前编译成共享库，打包成 .pt2；加载它不需要 Dynamo，也不需要模型的 Python 代码。
import os

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
ep = torch.export.export(model, (torch.randn(2, 4),), dynamic_shapes={"x": {0: Dim("batch", min=1, max=1024)}})

# --8<-- [start:package]
# 提前（ahead of time）编译：Inductor 生成 C++，编译成 .so，连同权重一起打包
path = torch._inductor.aoti_compile_and_package(ep, package_path="net_aoti.pt2")
print("打包完成：", path, f"({os.path.getsize(path) // 1024} KiB)")

runner = torch._inductor.aoti_load_package(path)  # 在 C++ 里对应 AOTIModelPackageLoader
x = torch.randn(5, 4)
out = runner(x)
print("输出形状：", tuple(out.shape), " 与 eager 一致：", torch.allclose(out, model(x), atol=1e-6))
# --8<-- [end:package]
