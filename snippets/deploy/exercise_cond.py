# 练习：Normalize 在最大绝对值超过 1 时才缩放。它导不出来，用 torch.cond 改写，让导出成功。
import contextlib
import io

import torch
from torch import nn


class Normalize(nn.Module):
    def forward(self, x):
        m = x.abs().max()
        if m > 1:  # 依赖数据的分支
            return x / m
        return x


def try_export(model, x):
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # 失败时 export 还会把半张图打印到 stderr
            ep = torch.export.export(model, (x,))
        print(f"{type(model).__name__}：导出成功")
        return ep
    except Exception as e:
        print(f"{type(model).__name__}：导出失败，{type(e).__name__}")
        for line in str(e).splitlines():
            if line.strip().startswith(("Could not guard", "Explanation", "Hint: Replace")):
                print("   ", line.strip())


# 第一次改写：两个分支写成函数，交给 torch.cond
class NormalizeCond(nn.Module):
    def forward(self, x):
        m = x.abs().max()
        return torch.cond(m > 1, lambda t, m: t / m, lambda t, m: t, (x, m))


# 第二次改写：分支不能直接返回输入本身，要返回一份拷贝
class NormalizeCondClone(nn.Module):
    def forward(self, x):
        m = x.abs().max()
        return torch.cond(m > 1, lambda t, m: t / m, lambda t, m: t.clone(), (x, m))


x = torch.tensor([3.0, -4.0])
for cls in (Normalize, NormalizeCond, NormalizeCondClone):
    ep = try_export(cls(), x)
for name, gm in (("导出的图", ep.graph_module), ("true_graph_0", ep.graph_module.true_graph_0),
                 ("false_graph_0", ep.graph_module.false_graph_0)):
    print(f"--- {name} ---")
    print("\n".join(line.split(";")[0] for line in gm.code.strip().splitlines()))
for inp in (torch.tensor([3.0, -4.0]), torch.tensor([0.5, 0.25])):
    print(f"x = {inp.tolist()}：导出的结果 {ep.module()(inp).tolist()}，eager {Normalize()(inp).tolist()}")
