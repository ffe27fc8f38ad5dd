import subprocess
import sys
import warnings

import torch
from torch import nn

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 2)

    def forward(self, x):
        y = self.linear(x)
        if x.sum() > 0:  # 依赖数据的分支：script 把它保存在模型文件里
            return y.relu()
        return -y


def show(label, y):
    # 与 run_model.cpp 同样的格式：保留 4 位小数
    print(f"{label} =" + "".join(f" {v:.4f}" for v in y.flatten().tolist()))


torch.manual_seed(0)
model = torch.jit.script(Gate().eval())
torch.jit.save(model, "gate.pt")  # 代码（TorchScript）+ 参数，一个 zip 文件

x = torch.linspace(0, 1, 8).reshape(2, 4)  # x 走 if 分支，-x 走另一支
with torch.no_grad():
    print("--- 保存它的进程")
    show("y(x) ", model(x))
    show("y(-x)", model(-x))

# 另一个 Python 进程：只 import torch，没有 Gate 这个类，照样能加载并运行
loader = """
import torch
m = torch.jit.load("gate.pt")
print(m.code)
"""
print("--- 新进程里 torch.jit.load 得到的代码")
print(subprocess.run([sys.executable, "-c", loader], capture_output=True, text=True, check=True).stdout)
