# 练习：forward 按全局变量 USE_RELU 选激活函数。导出以后把它改成 False，导出的程序会跟着变吗？
import torch
from torch import nn

USE_RELU = True


class Act(nn.Module):
    def forward(self, x):
        if USE_RELU:  # 普通的 Python 布尔值，不是张量
            return torch.relu(x)
        return torch.tanh(x)


x = torch.tensor([-1.0, 2.0])
ep = torch.export.export(Act(), (x,))
compiled = torch.compile(Act(), backend="eager")
print("导出的图：", [node.name for node in ep.graph.nodes if node.op == "call_function"])



def show(t):
    return [round(v, 4) for v in t.tolist()]


for flag in (True, False):
    USE_RELU = flag
    print(f"USE_RELU 为 {flag} 时：eager 得 {show(Act()(x))}，"
          f"导出的程序得 {show(ep.module()(x))}，torch.compile 得 {show(compiled(x))}")
