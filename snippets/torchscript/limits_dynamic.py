import warnings

import torch
from torch import nn

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


# 动态结构：类型必须在编译期确定
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
