# 练习：g 原地修改了它的输入。编译以后，生成的代码怎样既返回结果、又把新值写回输入？
import re

import torch
from torch._inductor.utils import run_and_get_code


def g(x):
    x.mul_(2)  # 原地修改输入
    return x.sin()


x = torch.randn(64)
expected_x, expected_out = x.clone().mul_(2), x.clone().mul_(2).sin()
out, (code,) = run_and_get_code(torch.compile(g), x)
print("输出与 eager 一致：", torch.allclose(out, expected_out), " 输入也被改了：", torch.equal(x, expected_x))

print("--- call() ---")
for line in code.splitlines():
    if re.match(r"\s+(buf\d+ = empty_strided_cpu|cpp_fused_\w+\(|return \()", line):
        print("    " + line.strip())
cpp = code.split("r'''", 1)[1].split("'''", 1)[0]
print("--- 内核的参数 ---")
print(" ".join(re.search(r'extern "C".*?\)', cpp, re.S).group().split()))
