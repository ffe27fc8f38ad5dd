import os
import subprocess
import sys

import torch
from torch import nn


def show(title, fn):
    try:
        fn()
        print(f"--- {title}：没有报错")
    except Exception as e:
        print(f"--- {title}: {type(e).__name__}")
        print(str(e).strip())


# --8<-- [start:debug]
# 1) 调试：出错时看到的是 TorchScript 解释器的调用栈，不是 Python 的
@torch.jit.script
def project(x, w):
    h = x + 1
    return h @ w


show("运行时出错", lambda: project(torch.ones(2, 3), torch.ones(2, 3)))


# 也不能在编译过的代码里设断点
def with_breakpoint(x):
    breakpoint()
    return x


show("breakpoint()", lambda: torch.jit.script(with_breakpoint))

# 调试时的办法：PYTORCH_JIT=0 让 torch.jit.script/trace 原样返回 Python 函数，
# 于是 pdb、print、IDE 断点都能用。环境变量要在 import torch 之前设好，所以用子进程演示
demo = "import torch\ndef f(x):\n    return x + 1\nprint(type(torch.jit.script(f)).__name__)"
env = {**os.environ, "PYTORCH_JIT": "0"}
out = subprocess.run([sys.executable, "-c", demo], env=env, capture_output=True, text=True, check=True)
print("默认：torch.jit.script 返回", type(project).__name__)
print("PYTORCH_JIT=0: torch.jit.script 返回", out.stdout.strip())
# --8<-- [end:debug]


# --8<-- [start:dynamic]
# 2) 动态结构：类型必须在编译期确定
def log_steps(x):
    steps = []
    steps.append(x)
    steps.append("done")  # 列表里混入另一种类型
    return steps


show("混合类型的列表", lambda: torch.jit.script(log_steps))


class Cache(nn.Module):
    def forward(self, x):
        self.last = x  # 运行时才给模块添加属性
        return x


show("运行时添加属性", lambda: torch.jit.script(Cache()))


def depth(n: int) -> int:
    return 0 if n == 0 else 1 + depth(n - 1)


show("递归", lambda: torch.jit.script(depth))
# --8<-- [end:dynamic]
