# 练习：在训练模式下 trace 一个带 Dropout 的模型，再切到 eval()。为什么输出还在变？
import warnings

import torch
from torch import nn

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))  # 新建的模块默认处于训练模式
x = torch.ones(1, 4)

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", torch.jit.TracerWarning)
    traced = torch.jit.trace(model, x)
for w in caught:  # trace 默认会用同一个输入再运行一次、比较结果（check_trace）
    print(f"trace 时的警告 {w.category.__name__}：{str(w.message).splitlines()[0]}")

print("Dropout 那一层的代码：", getattr(traced, "1").code.strip().splitlines()[-1].strip())
model.eval()
traced.eval()
with torch.no_grad():
    print(f"eval() 之后连续调用两次，结果相同吗？eager：{torch.equal(model(x), model(x))}，"
          f"traced：{torch.equal(traced(x), traced(x))}")

# 改法：先 eval()，再 trace
traced_eval = torch.jit.trace(model, x)
print("先 eval() 再 trace：", getattr(traced_eval, "1").code.strip().splitlines()[-1].strip())
with torch.no_grad():
    print("与 eager 一致：", torch.equal(traced_eval(x), model(x)))
