# 练习：scale_to_unit 把 x 缩放到最大绝对值不超过 1。trace 得到的版本在哪些输入上悄悄算错？
import warnings

import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def scale_to_unit(x):
    m = x.abs().max().item()  # 一个 Python float
    return x / max(m, 1.0)


traced = torch.jit.trace(scale_to_unit, torch.tensor([0.5, -0.2]))  # 示例输入的最大绝对值不到 1
print(traced.code.strip())

scripted = torch.jit.script(scale_to_unit)  # 改法：script 把 .item() 和 max() 都编译进去
for x in (torch.tensor([0.25, -0.75]), torch.tensor([2.0, -4.0])):
    print(f"x = {x.tolist()}：eager 得 {scale_to_unit(x).tolist()}，"
          f"traced 得 {traced(x).tolist()}，scripted 得 {scripted(x).tolist()}")
print(scripted.code.strip())
