import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def show(title, fn):
    try:
        fn()
    except Exception as e:
        print(f"--- {title}: {type(e).__name__}")
        print(str(e).strip())


# 没有类型注解的参数一律当作 Tensor
def scale(x, n):
    return x * n


show("未注解的 int 参数", lambda: torch.jit.script(scale)(torch.ones(2), 3))


def scale_fixed(x: torch.Tensor, n: int) -> torch.Tensor:
    return x * n


print("修正后：", torch.jit.script(scale_fixed)(torch.ones(2), 3))
