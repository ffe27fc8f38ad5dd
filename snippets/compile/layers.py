# 编译后的 f 每次调用时经过哪几层：用 torch.profiler 看调用树。
import os
import re

# 让 profiler 的底层库（kineto）不往 stderr 写它自己的启动日志
os.environ["KINETO_LOG_LEVEL"] = "6"

import torch  # noqa: E402
from torch.profiler import ProfilerActivity, profile  # noqa: E402

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


compiled = torch.compile(f)  # 默认后端 Inductor
x = torch.randn(8)
compiled(x)  # 第一次调用：编译

with profile(activities=[ProfilerActivity.CPU]) as prof:
    compiled(x)


def depth(event):
    d = 0
    while event.cpu_parent is not None:
        event, d = event.cpu_parent, d + 1
    return d


print("== 第二次调用的 profiler 事件（缩进表示嵌套）")
for event in prof.events():
    # Inductor 编译出的每张图以它的哈希命名，这里换成“<哈希>”
    print("  " * depth(event) + re.sub(r"CompiledFxGraph \w+", "CompiledFxGraph <哈希>", event.name))
