# torch.export 的两种追踪方式，同一个模块的三个变体：
# strict=True 用 TorchDynamo 分析字节码；strict=False（默认）直接运行 forward，在 ATen 层记录运算。
import contextlib
import io
import time

import torch
import torch.nn.functional as F
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


# --8<-- [start:variants]
class Printing(Block):
    def forward(self, x):
        print(f"    （forward 里的 print 执行了，x 的形状 {tuple(x.shape)}）")
        return super().forward(x)


class Timed(Block):
    def forward(self, x):
        start = time.perf_counter()  # 在 forward 里计时，统计耗时的代码常这样写
        y = super().forward(x)
        self.seconds = time.perf_counter() - start
        return y


class Branchy(Block):
    def forward(self, x):
        y = super().forward(x)
        if y.sum() > 0:  # 走哪条路取决于张量里的数值
            return y * 2
        return y - 1
# --8<-- [end:variants]


# --8<-- [start:export]
x = torch.randn(4, 16)
for cls in (Printing, Timed, Branchy):
    print(f"== {cls.__name__}")
    for strict in (True, False):
        stderr = io.StringIO()
        try:
            with contextlib.redirect_stderr(stderr):
                ep = torch.export.export(cls(), (x,), strict=strict)
            ops = sum(node.op == "call_function" for node in ep.graph.nodes)
            print(f"  strict={strict}：成功，图里 {ops} 个算子")
        except Exception as e:
            print(f"  strict={strict}：失败，{type(e).__module__}.{type(e).__name__}")
            print(f"    {str(e).splitlines()[0]}")
            # 追踪到一半失败时，export 还会把已经得到的图打印到 stderr，它的最后一行就是停下的地方
            partial = [line.strip() for line in stderr.getvalue().splitlines() if line.strip()]
            if partial:
                print(f"    追踪到一半的图停在：{partial[-1].split(';')[0]}")
# --8<-- [end:export]
