# 练习：先预测 Inductor 会为 f 生成几个 C++ 内核、调用几个外部内核，再运行验证。
import re

import torch
from torch._inductor.utils import run_and_get_code


def f(x, w):
    y = torch.sigmoid(x) * 2
    z = y @ w
    return torch.softmax(z + 1, dim=-1)


torch.manual_seed(0)
x, w = torch.randn(8, 16), torch.randn(16, 32)
out, (code,) = run_and_get_code(torch.compile(f), x, w)
print("结果与 eager 一致：", torch.allclose(out, f(x, w), atol=1e-6))

kernels = re.findall(r"^(cpp_fused_\w+) = async_compile", code, re.M)
externs = re.findall(r"extern_kernels\.\w+(?=\()", code)
print(f"生成的 C++ 内核 {len(kernels)} 个：{kernels}")
print(f"外部内核 {len(externs)} 个：{externs}")
print("--- call() 里的调用和分配 ---")
for line in code.splitlines():
    if re.match(r"\s+(buf\d+ = empty_strided_cpu|cpp_fused_\w+\(|extern_kernels\.\w+\()", line):
        print("    " + line.strip())
