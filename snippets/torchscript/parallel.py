import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def branch(x, w):
    return torch.tanh(x @ w)


@torch.jit.script
def two_branches(x, w1, w2):
    future = torch.jit.fork(branch, x, w1)  # 交给 inter-op 线程池异步执行
    b = branch(x, w2)  # 当前线程同时计算另一支
    a = torch.jit.wait(future)
    return a + b


torch.manual_seed(0)
x, w1, w2 = torch.randn(64, 64), torch.randn(64, 64), torch.randn(64, 64)
print(two_branches.graph)
print("与 eager 一致：", torch.allclose(two_branches(x, w1, w2), branch(x, w1) + branch(x, w2)))
