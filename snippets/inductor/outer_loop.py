# LayerNorm 的四个节点在调度器里合成了一个 OuterLoopFusedSchedulerNode（共享“对每一行”的外循环），
# 但生成的 C++ 是否真有一个共同的外循环，要看代码生成：向量化时它退回成四个并列的循环，
# 关掉向量化（cpp.simdlen=1，生成标量代码）时才是一个外循环里套四段。
import re

import torch
import torch.nn.functional as F
from torch import nn
from torch._inductor import config
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


def layer_norm_kernel(simdlen):
    with torch.no_grad(), config.patch({"cpp.simdlen": simdlen}):  # None：按这台机器的指令集
        out, (code,) = run_and_get_code(torch.compile(model), x)
    assert torch.allclose(out, model(x), atol=1e-6)
    return re.search(r"cpp_fused_native_layer_norm_0 = .*?r'''(.*?)'''", code, re.S).group(1)


for simdlen, label in ((None, "向量化（默认）"), (1, "标量（cpp.simdlen=1）")):
    kernel = layer_norm_kernel(simdlen)
    loops = [l for l in kernel.splitlines() if "for(" in l]
    outer = min(len(l) - len(l.lstrip()) for l in loops)  # 最外层循环的缩进
    print(f"{label}：{sum(len(l) - len(l.lstrip()) == outer for l in loops)} 个最外层循环")

# --8<-- [start:scalar]
# 标量版本的循环与写出：一个 x0（行）循环里，依次是求和、除以 16、求平方和、归一化
print("\n--- 标量版本的 cpp_fused_native_layer_norm_0（节选，省略了 static_cast<…>）---")
for line in kernel.splitlines():
    if "for(" in line or re.search(r"^\s*(in_out|out)_ptr\d+\[.*\] =", line):
        print(re.sub(r"static_cast<\w+>\(([^()]*)\)", r"\1", line[4:]))
# --8<-- [end:scalar]
