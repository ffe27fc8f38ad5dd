# 在 CUDA 上，Inductor 为同一串逐元素运算生成的是 Triton 内核，而不是 C++。
import re

import torch
from torch._inductor.utils import run_and_get_code


def f(x):
    return torch.relu(torch.sin(x) * 2 + 1)


torch.manual_seed(0)
x = torch.randn(1024, device="cuda")
out, (code,) = run_and_get_code(torch.compile(f), x)
torch.cuda.synchronize()
print("GPU:", torch.cuda.get_device_name())
print("结果与 eager 一致：", torch.allclose(out, f(x), atol=1e-6))

kernels = re.findall(r"^(\w+) = async_compile\.triton\(", code, re.M)
print(f"Inductor：{len(kernels)} 个内核：", ", ".join(kernels))

# 打印 Triton 内核本身：@triton.jit 装饰的 Python 函数，由 Triton 再编译成 GPU 机器码
source = re.search(r"@triton\.jit\n.*?(?=''')", code, re.S).group()
print("\n--- 生成的 Triton 内核 ---")
print(source.rstrip())
