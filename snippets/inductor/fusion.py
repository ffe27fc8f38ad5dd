# 算子融合：eager 为每个运算各跑一个内核，Inductor 把整串逐元素运算融合成一个 C++ 内核。
import re

import torch
from torch._inductor.utils import run_and_get_code
from torch.utils._python_dispatch import TorchDispatchMode


def f(x):
    return torch.relu(torch.sin(x) * 2 + 1)


class RecordOps(TorchDispatchMode):
    """记下 eager 执行时真正调用的 ATen 算子：每个算子就是一个内核，产出一个新张量。"""

    def __init__(self):
        super().__init__()
        self.ops = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.ops.append(str(func))
        return func(*args, **(kwargs or {}))


torch.manual_seed(0)
x = torch.randn(1024)

with RecordOps() as rec:
    f(x)
print(f"eager：{len(rec.ops)} 个内核：", ", ".join(rec.ops))

# run_and_get_code 运行编译后的函数，并返回 Inductor 生成的 Python 包装代码（内含 C++ 源码）
out, (code,) = run_and_get_code(torch.compile(f), x)
# 向量化的 sin 与 eager 的 sin 在最后几位上可能不同，所以比较时给一点容差
print("结果与 eager 一致：", torch.allclose(out, f(x), atol=1e-6))

kernels = re.findall(r"^(cpp_fused_\w+) = async_compile", code, re.M)
print(f"Inductor：{len(kernels)} 个内核：", ", ".join(kernels))
# 粗略估算：每个内核把输入读一遍、把输出写一遍
print(f"每个元素的内存读写次数：eager {2 * len(rec.ops)} 次，融合后 {2 * len(kernels)} 次")

# --8<-- [start:show]
# 只打印内核里的循环和计算（其余是每个内核都有的样板代码）
cpp = code.split("r'''", 1)[1].split("'''", 1)[0]
print("\n--- 生成的 C++ 内核（节选）---")
print(" ".join(re.search(r'extern "C".*?\)', cpp, re.S).group().split()))
for line in cpp.splitlines():
    if "for(" in line or "tmp" in line:
        print(("    " if "for(" in line else "        ") + line.strip())

print("\n--- 调用它的包装代码（节选）---")
for line in code.splitlines():
    if "empty_strided_cpu(" in line or re.match(r"\s+cpp_fused_\w+\(", line):
        print("    " + line.strip())
# --8<-- [end:show]
