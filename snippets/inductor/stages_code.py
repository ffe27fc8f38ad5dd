# 本章的例子的最后一站：Inductor 生成的代码（TORCH_LOGS="output_code" 打印的就是它）。
# 先看调用各个内核的包装函数 call()，再看 LayerNorm 的四个节点融合成的那一个 C++ 内核。
import re

import torch
import torch.nn.functional as F
from torch import nn
from torch._inductor.utils import run_and_get_code


class Block(nn.Module):
    """本章的例子：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


torch.manual_seed(0)
model = Block().eval()
x = torch.randn(4, 16)
with torch.no_grad():
    out, (code,) = run_and_get_code(torch.compile(model), x)
    print("结果与 eager 一致：", torch.allclose(out, model(x), atol=1e-6))

# --8<-- [start:call]
print("\n--- call()：分配缓冲区、依次调用内核（节选）---")
call = code[code.index("def call(") :].split("\n\n")[0]
for line in call.splitlines():
    line = line.strip()
    if line.startswith(("buf", "cpp_fused_", "extern_kernels.", "return")):
        print("    " + line)
# --8<-- [end:call]

# --8<-- [start:layernorm]
print("\n--- cpp_fused_native_layer_norm_0 的循环与写出（节选，省略了 static_cast<…>）---")
kernel = re.search(r"cpp_fused_native_layer_norm_0 = .*?r'''(.*?)'''", code, re.S).group(1)
for line in kernel.splitlines():
    if "for(" in line or re.search(r"\.store\(|^\s*(in_out|out)_ptr\d+\[.*\] =", line):
        print(re.sub(r"static_cast<\w+>\(([^()]*)\)", r"\1", line[4:]))
# --8<-- [end:layernorm]
