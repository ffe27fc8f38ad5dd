# cpp_wrapper=True：调用各个内核的包装代码也生成成 C++（默认是 Python 的 call()），
# 每次调用少走一些 Python；代价是编译时要多编一个包含 libtorch 头文件的 C++ 文件。
import re

import torch
import torch.nn.functional as F
from torch import nn
from torch._inductor import config
from torch._inductor.utils import run_and_get_code
from torch.utils import benchmark


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
# 编译和计时用同样的 1 个线程：线程数是 guard 的一部分（第 4 章），不同就会在计时时重新编译
torch.set_num_threads(1)
model = Block().eval()
x = torch.randn(4, 16)
config.fx_graph_cache = False  # 每次都真的生成代码

with torch.no_grad(), config.patch(cpp_wrapper=True):
    cpp_wrapped = torch.compile(model)
    out, (code,) = run_and_get_code(cpp_wrapped, x)
print("结果与 eager 一致：", torch.allclose(out, model(x), atol=1e-6))
print("包装代码的第一个 #include：", re.search(r"#include <.*?>", code).group())

# 包装函数现在是 C++：同样先分配缓冲区，再依次调用融合内核和 addmm
entry = code[code.index("void inductor_entry_impl(") :]
print("--- inductor_entry_impl（节选）---")
for line in entry.splitlines()[:80]:
    line = line.strip()
    if re.match(r"(cpp_fused_\w+\(|aoti_torch_cpu_addmm_out\(|AOTI_TORCH_ERROR_CODE_CHECK\(aoti_torch_cpu_addmm)", line):
        print("    " + line[:110] + (" …" if len(line) > 110 else ""))

# 这个例子很小，每次调用的时间主要是固定开销：比较 Python 包装与 C++ 包装每次调用的耗时
torch._dynamo.reset()
with torch.no_grad():
    python_wrapped = torch.compile(model)
    python_wrapped(x)
    for name, fn in (("Python 包装", python_wrapped), ("C++ 包装", cpp_wrapped)):
        timer = benchmark.Timer("fn(x)", globals={"fn": fn, "x": x}, num_threads=1)
        with torch.compiler.set_stance("fail_on_recompile"):  # 计时期间一旦重新编译就报错
            print(f"{name}：每次调用 {timer.blocked_autorange(min_run_time=0.3).median * 1e6:.1f} µs")
