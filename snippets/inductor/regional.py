# 区域编译：模型由 n 个相同的块堆成时，只编译块（每个实例 .compile()），而不是整个模型。
# 还有第三种做法：仍然编译整个模型，但用 torch.compiler.nested_compile_region 标出重复的块，
# 块只追踪、编译一次，整张图里各块调用同一份代码。比较三种做法生成的代码和编译耗时。
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


class NestedBlock(Block):
    # 标出重复的区域：编译整个模型时，这个 forward 只编译一次，之后每个块都复用它
    forward = torch.compiler.nested_compile_region(Block.forward)


class Stack(nn.Module):
    def __init__(self, n, block=Block):
        super().__init__()
        self.blocks = nn.ModuleList(block() for _ in range(n))

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


def measure(model, how):
    torch._dynamo.reset()
    counters.clear()
    with torch.no_grad():
        expected = model(x)
        start = time.perf_counter()
        if how == "区域编译":
            for block in model.blocks:
                block.compile()  # 就地编译这个子模块；整个模型仍由 Python 逐块调用
            out = model(x)
        else:  # 整个模型，或者块是 NestedBlock 的整个模型
            out = torch.compile(model)(x)
        seconds = time.perf_counter() - start
    assert torch.allclose(out, expected, atol=1e-5)
    return seconds, counters["stats"]["unique_graphs"]


def kernels(model):
    with torch.no_grad():
        _, codes = run_and_get_code(model, x)
    names = ", ".join(re.findall(r"^(cpp_fused_\w+) = ", codes[0], re.M))
    calls = len(re.findall(r"= repeated_subgraph0\(", codes[0]))  # nested_compile_region 的子图被调用几次
    return names + (f"；call() 调用子图 repeated_subgraph0 {calls} 次" if calls else "")


# 先各编译一次：进程里第一次编译的一次性开销、各做法的 C++ 内核，都不算进下面的比较。
# 顺便看看三种做法生成的内核有什么不同
print("整个模型（2 个块）的内核：", kernels(torch.compile(Stack(2).eval())))
torch._dynamo.reset()
stack = Stack(2).eval()
for block in stack.blocks:
    block.compile()
print("区域编译（每个块）的内核：", kernels(stack))
print("nested_compile_region 的内核：", kernels(torch.compile(Stack(2, NestedBlock).eval())))

for n in (2, 8):
    results = {
        "整个模型": measure(Stack(n).eval(), "整个模型"),
        "区域编译": measure(Stack(n).eval(), "区域编译"),
        "nested_compile_region": measure(Stack(n, NestedBlock).eval(), "nested_compile_region"),
    }
    print(f"{n:>2} 个块：" + "，".join(f"{how} {sec:.2f} s（{graphs} 张图）" for how, (sec, graphs) in results.items()))
    if n == 8:  # 8 个块时区域编译至少快一倍
        assert results["整个模型"][0] > 2 * results["区域编译"][0], results
