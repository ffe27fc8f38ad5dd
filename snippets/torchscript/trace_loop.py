import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


# --8<-- [start:loop]
# 前缀和：第 i 个输出是 x[0] + ... + x[i]。循环次数取决于输入的长度
def prefix_sum(x):
    total = torch.zeros(())
    out = []
    for i in range(x.size(0)):
        total = total + x[i]
        out.append(total)
    return torch.stack(out)


traced = torch.jit.trace(prefix_sum, torch.tensor([1.0, 2.0, 3.0]))  # 用长度 3 的输入追踪
print(traced.code)

x = torch.ones(5)
print("eager 的结果：", prefix_sum(x))
print("trace 的结果：", traced(x))  # 长度 5 的输入：没有警告，也没有报错
print("script 的结果：", torch.jit.script(prefix_sum)(x))  # script 把 for 循环编译进图
# --8<-- [end:loop]


# --8<-- [start:size]
# 用长度做除数：x.size(0) 会被记成图里的 aten::size，len(x) 却变成一个常量
def mean_by_size(x):
    return x.sum() / x.size(0)


def mean_by_len(x):
    return x.sum() / len(x)


example = torch.tensor([1.0, 2.0, 3.0])
for fn in (mean_by_size, mean_by_len):
    t = torch.jit.trace(fn, example)
    print(t.code.strip())
    print(f"换成长度 6 的输入：eager 得 {fn(torch.ones(6)).item()}，traced 得 {t(torch.ones(6)).item()}")
# --8<-- [end:size]
