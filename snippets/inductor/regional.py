# 区域编译：模型由 n 个相同的块堆成时，只编译块（每个实例 .compile()），而不是整个模型。
# 比较两种做法的编译耗时：整个模型的图随 n 变长，块的图只有一份，n 个块共用。
import re
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch._dynamo.utils import counters
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


class Stack(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.blocks = nn.ModuleList(Block() for _ in range(n))

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x


# 关掉 FX 图缓存和 AOTAutograd 缓存，否则第二次测到的是缓存命中；
# 生成的 C++ 内核两种做法完全相同，它们编译出的 .so 仍然从磁盘缓存读取
config.fx_graph_cache = False
torch._functorch.config.enable_autograd_cache = False
torch.manual_seed(0)
x = torch.randn(4, 16)


def measure(model, regional):
    torch._dynamo.reset()
    counters.clear()
    with torch.no_grad():
        expected = model(x)
        start = time.perf_counter()
        if regional:
            for block in model.blocks:
                block.compile()  # 就地编译这个子模块；整个模型仍由 Python 逐块调用
            out = model(x)
        else:
            out = torch.compile(model)(x)
        seconds = time.perf_counter() - start
    assert torch.allclose(out, expected, atol=1e-5)
    return seconds, counters["stats"]["unique_graphs"]


def kernels(model):
    with torch.no_grad():
        _, codes = run_and_get_code(model, x)
    return ", ".join(re.findall(r"^(cpp_fused_\w+) = ", codes[0], re.M))


# 先各编译一次：进程里第一次编译的一次性开销、两种做法各自的 C++ 内核，都不算进下面的比较。
# 顺便看看两种做法生成的内核有什么不同
print("整个模型（2 个块）的内核：", kernels(torch.compile(Stack(2).eval())))
torch._dynamo.reset()
stack = Stack(2).eval()
for block in stack.blocks:
    block.compile()
print("区域编译（每个块）的内核：", kernels(stack))

for n in (2, 8):
    model = Stack(n).eval()
    whole, whole_graphs = measure(model, regional=False)
    region, region_graphs = measure(model, regional=True)
    print(f"{n:>2} 个块：整个模型 {whole:.2f} s（{whole_graphs} 张图），区域编译 {region:.2f} s（{region_graphs} 张图）")
    if n == 8:
        assert whole > 2 * region, (whole, region)  # 8 个块时区域编译至少快一倍
