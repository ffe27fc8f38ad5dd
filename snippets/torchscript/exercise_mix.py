# 练习：script 编译不了这个模型，trace 又会把 gate 的分支写死。怎样得到两支都对的 TorchScript 模型？
import functools
import operator
import warnings

import torch
from torch import nn

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def gate(x):
    if x.sum() > 0:  # 依赖数据的控制流
        return x * 2
    return x - 10


class Model(nn.Module):
    def __init__(self, gate_fn):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(2, 2) for _ in range(3))
        self.gate_fn = gate_fn

    def forward(self, x):
        y = functools.reduce(operator.add, [layer(x) for layer in self.layers])  # script 不支持 reduce
        return self.gate_fn(y)


torch.manual_seed(0)
model = Model(gate).eval()
example = torch.ones(1, 2)
try:
    torch.jit.script(model)
except RuntimeError as e:
    print("script 报错：", str(e).strip().splitlines()[0])

with warnings.catch_warnings():
    warnings.simplefilter("ignore", torch.jit.TracerWarning)  # 分支被写死的警告，下面直接比较结果
    plain = torch.jit.trace(model, example)
# 改法：只 script 有分支的 gate，其余部分照常 trace；trace 遇到 script 函数时记下对它的调用
model.gate_fn = torch.jit.script(gate)
mixed = torch.jit.trace(model, example)
print("混用后 forward 的最后一行：", mixed.code.strip().splitlines()[-1].strip())

with torch.no_grad():
    for x in (torch.ones(1, 2) * 5, torch.ones(1, 2) * -5):
        expected = Model.forward(model, x)
        print(f"x = {x.tolist()}：只用 trace 对吗？{torch.allclose(plain(x), expected)}，"
              f"混用对吗？{torch.allclose(mixed(x), expected)}")
