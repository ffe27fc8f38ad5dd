import os
import subprocess
import sys
import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def show(title, fn):
    try:
        fn()
        print(f"--- {title}：没有报错")
    except Exception as e:
        print(f"--- {title}: {type(e).__name__}")
        print(str(e).strip())


# 调试：出错时看到的是 TorchScript 解释器的调用栈，不是 Python 的
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
