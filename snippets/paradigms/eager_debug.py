# 命令式好调试：中间结果随时可看，出错时报错就落在出错的那一行 Python 代码上。
import traceback

import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


# 不改模型代码，用 forward hook 查看每一层的中间输出（也可以在这里设断点）
def show(module, inputs, output):
    print(f"{type(module).__name__:<6} 输出形状 {tuple(output.shape)}，非零元素 {int((output != 0).sum())} 个")


for layer in model:
    layer.register_forward_hook(show)

x = torch.randn(3, 4)
model(x)

# 喂入形状不对的数据：异常在执行到出错的那一行时立刻抛出，
# 调用栈就是普通的 Python 调用栈，最后一帧指向具体的层
try:
    model(torch.randn(3, 5))
except RuntimeError as e:
    frame = traceback.extract_tb(e.__traceback__)[-1]
    print("RuntimeError:", e)
    print("出错位置：", frame.name, "in", frame.filename.rsplit("/", 1)[-1])
