# 练习：topk_mean 求最大的 k 个数的平均值。改写它，让 torch.jit.script 能编译。
import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def topk_mean(x, k):
    values = sorted(x.tolist(), reverse=True)[:k]  # 转成 Python 列表再排序
    return sum(values) / k


# 第一步：只用张量运算，不离开张量
def topk_mean_tensor(x, k):
    return x.topk(k).values.mean()


# 第二步：给 k 写上类型注解
def topk_mean_typed(x, k: int):
    return x.topk(k).values.mean()


x = torch.tensor([3.0, 1.0, 4.0, 1.0, 5.0])
print("eager 的结果：", topk_mean(x, 2))
for fn in (topk_mean, topk_mean_tensor, topk_mean_typed):
    try:
        scripted = torch.jit.script(fn)
    except RuntimeError as e:
        print(f"{fn.__name__} 编译失败：{str(e).strip().splitlines()[0]}")
        continue
    try:
        print(f"{fn.__name__} 编译成功，调用的结果：{scripted(x, 2)}")
    except RuntimeError as e:
        print(f"{fn.__name__} 编译成功，调用失败：{str(e).strip().splitlines()[0]}")
