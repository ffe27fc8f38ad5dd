# cpp_wrapper=True：调用各个内核的包装代码也生成成 C++（默认是 Python 的 call()），
# 每次调用少走一些 Python；代价是编译时要多编一个包含 libtorch 头文件的 C++ 文件。
import re
from unittest import mock

import torch
import torch.nn.functional as F
from torch import nn
from torch._dynamo.eval_frame import _debug_get_cache_entry_list
from torch._inductor import config
from torch._inductor.graph import GraphLowering
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


def compile_and_get_code(fn, x):
    # 与 torch._inductor.utils.run_and_get_code 相同：收集这次调用里 Inductor 新生成的代码。
    # 只是不先调用 torch._dynamo.reset()，另一个版本的编译结果要留着
    codes = []
    with mock.patch.object(GraphLowering, "save_output_code", codes.append):
        out = fn(x)
    return out, codes


# 两个编译版本各自编译一次。cpp_wrapper 写进 torch.compile 的 options，
# 它就成了这个版本的编译配置：两个版本的配置不同，Dynamo 不会把一个版本的编译结果拿给另一个用
with torch.no_grad():
    python_wrapped = torch.compile(model)
    cpp_wrapped = torch.compile(model, options={"cpp_wrapper": True})
    # 每次调用都解包出恰好一份新生成的代码，说明两个版本都真的编译了
    out_py, (py_code,) = compile_and_get_code(python_wrapped, x)
    out_cpp, (cpp_code,) = compile_and_get_code(cpp_wrapped, x)
print("两个版本的结果都与 eager 一致：", all(torch.allclose(o, model(x), atol=1e-6) for o in (out_py, out_cpp)))
print("Python 包装的入口：", re.search(r"def call\(.*?\):", py_code).group())
print("C++ 包装的第一个 #include：", re.search(r"#include <.*?>", cpp_code).group())

# --8<-- [start:entry]
# 包装函数现在是 C++：同样先分配缓冲区，再依次调用融合内核和 addmm
entry = cpp_code[cpp_code.index("void inductor_entry_impl(") :]
print("--- inductor_entry_impl（节选）---")
for line in entry.splitlines()[:80]:
    line = line.strip()
    if re.match(r"(cpp_fused_\w+\(|aoti_torch_cpu_addmm_out\(|AOTI_TORCH_ERROR_CODE_CHECK\(aoti_torch_cpu_addmm)", line):
        print("    " + line[:110] + (" …" if len(line) > 110 else ""))
# 但调用它的仍是一小段 Python：把输入张量换成 C 接口的句柄，调用 C++，再把输出句柄换回张量
print("--- Python 这一侧的 call（节选）---")
for line in cpp_code[cpp_code.index("def _wrap_func(") :].splitlines():
    if re.search(r"def g\(|unsafe_alloc_void_ptrs_from_tensors|= f\(|alloc_tensors_by_stealing|^call = ", line):
        print("    " + line.strip())
# --8<-- [end:entry]

# --8<-- [start:timing]
# Block.forward 上挂着两个缓存条目，各属于一个编译版本：计时时各用各的
entries = _debug_get_cache_entry_list(Block.forward)
print(f"\nBlock.forward 的缓存条目：{len(entries)} 个，编译配置分别是", "、".join(str(e.backend.config) for e in entries))
candidates = {"eager": model, "Python 包装": python_wrapped, "C++ 包装": cpp_wrapped}
best = dict.fromkeys(candidates, float("inf"))
with torch.no_grad(), torch.compiler.set_stance("fail_on_recompile"):  # 计时期间一旦重新编译就报错
    for _ in range(3):  # 三者轮流测 3 轮，每个取最好的一轮：机器忙时偶尔的干扰不会只落在某一个身上
        for name, fn in candidates.items():
            timer = benchmark.Timer("fn(x)", globals={"fn": fn, "x": x}, num_threads=1)
            best[name] = min(best[name], timer.blocked_autorange(min_run_time=0.3).median)
for name, seconds in best.items():
    print(f"{name}：每次调用 {seconds * 1e6:.1f} µs")
# --8<-- [end:timing]
