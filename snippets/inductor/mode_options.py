# torch.compile 的每种 mode 只是一组 Inductor 配置；list_mode_options() 列出每种改了什么。
# 再在 CPU 上看 mode="lite"：默认不生成任何内核，每个算子都退回 ATen 的实现。
import re

import torch
import torch.nn.functional as F
from torch import nn
from torch._inductor.utils import run_and_get_code

# --8<-- [start:options]
for mode, options in torch._inductor.list_mode_options().items():
    changed = ", ".join(f"{key}={value}" for key, value in options.items()) or "（不改任何配置）"
    print(f"{mode} 模式：{changed}")
# --8<-- [end:options]


class Block(nn.Module):
    """本章的例子：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


# --8<-- [start:lite]
torch.manual_seed(0)
model = Block().eval()
x = torch.randn(4, 16)
with torch.no_grad():
    out, (code,) = run_and_get_code(torch.compile(model, mode="lite"), x)
print("\nmode=\"lite\"：结果与 eager 一致", torch.allclose(out, model(x), atol=1e-6))
print("生成的 C++ 内核：", len(re.findall(r"^cpp_fused_\w+ = ", code, re.M)), "个")
call = code[code.index("def call(") :].split("\n\n")[0]
print("call() 依次调用：", " → ".join(re.findall(r"= (torch\.ops\.aten\.\w+)\.", call)))
# --8<-- [end:lite]
