# 练习：f 的两句运算之间夹着一句 print。Inductor 能把 sin、mul、cos、add 融合成一个内核吗？
import re

import torch
from torch._inductor.utils import run_and_get_code


def f(x):
    y = torch.sin(x) * 2
    print("y 的形状：", y.shape)  # 图中断
    return torch.cos(y) + 1


def f_no_print(x):
    y = torch.sin(x) * 2
    return torch.cos(y) + 1


x = torch.randn(64)
for fn in (f, f_no_print):
    torch._dynamo.reset()
    out, codes = run_and_get_code(torch.compile(fn), x)  # 每张图生成一份代码
    kernels = [k for code in codes for k in re.findall(r"^(cpp_fused_\w+) = async_compile", code, re.M)]
    print(f"{fn.__name__}：{len(codes)} 张图，{len(kernels)} 个内核 {kernels}")
