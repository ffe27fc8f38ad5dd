# guard_filter_fn：编译时挑掉一部分 guard，每次调用检查得更快；挑掉了不该挑的，就会悄悄算错。
import timeit

import torch
from torch import nn

SCALE = 2.0


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        return torch.relu(self.fc(x)) * SCALE


torch.manual_seed(0)
net = Net()
x = torch.randn(2, 4)
filters = {
    "不过滤（默认）": None,
    "skip_guard_on_inbuilt_nn_modules_unsafe": torch.compiler.skip_guard_on_inbuilt_nn_modules_unsafe,
    "keep_portable_guards_unsafe": torch.compiler.keep_portable_guards_unsafe,
    "skip_all_guards_unsafe": torch.compiler.skip_all_guards_unsafe,
}
for name, keep in filters.items():
    torch._dynamo.reset()
    SCALE = 2.0
    # guard_filter_fn 拿到这次编译的全部 guard（每条是一个 GuardFilterEntry），为每条返回 True（留下）或 False
    options = {"guard_filter_fn": keep} if keep else None
    compiled = torch.compile(net, backend="eager", options=options)
    compiled(x)
    entry = torch._dynamo.eval_frame._debug_get_cache_entry_list(Net.forward.__code__)[0]
    tree = str(entry.guard_manager).splitlines()
    checks = [line.split("+- ")[1].split(":")[0] for line in tree if "+- " in line]
    checks = [c for c in checks if not c.endswith("GuardManager")]  # 只取值、不检查的节点不算
    n = 10_000
    # 取 5 轮里最快的一轮：机器忙时，慢的那几轮量到的是别的程序
    us = min(timeit.repeat(lambda: entry.guard_manager.check({"self": net, "x": x}), number=n, repeat=5)) / n * 1e6
    SCALE = 3.0  # 编译之后改一个全局变量：guard 还在就会重新编译，不在就继续用旧的图
    right = torch.allclose(compiled(x), net(x))
    print(f"== {name}")
    print(f"  guard 树里的检查：{len(checks)} 条，{sorted(set(checks))}")
    print(f"  每次检查：{us:.1f} µs；SCALE 改成 3.0 之后结果还对吗？{right}")
