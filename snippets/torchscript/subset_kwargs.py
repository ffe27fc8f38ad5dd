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


# 可变参数
def total(x, **weights):
    return x * sum(weights.values())


show("**kwargs", lambda: torch.jit.script(total))


def total_fixed(x: torch.Tensor, weights: dict[str, float]) -> torch.Tensor:
    s = 0.0
    for w in weights.values():
        s += w
    return x * s


print("修正后：", torch.jit.script(total_fixed)(torch.ones(2), {"a": 0.5, "b": 1.0}))
