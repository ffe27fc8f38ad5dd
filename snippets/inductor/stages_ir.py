# 本章的例子在 Inductor 里的下一站：调度器拿到的 IR 节点（融合前）、它做的融合决定、融合后的节点。
# 日志与 `TORCH_LOGS="ir_pre_fusion,fusion,ir_post_fusion"` 相同，这里只挑出每个节点的摘要。
import contextlib
import io
import re

import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    """本章的例子：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


torch._inductor.config.fx_graph_cache = False  # 命中缓存时 Inductor 不再处理这张图，也就没有日志
torch._functorch.config.enable_autograd_cache = False

torch.manual_seed(0)
model = Block().eval()
x = torch.randn(4, 16)

log = io.StringIO()
with contextlib.redirect_stderr(log), torch.no_grad():
    torch._logging.set_logs(ir_pre_fusion=True, fusion=True, ir_post_fusion=True)
    torch.compile(model)(x)
torch._logging.set_logs()


def artifact(name):
    return [m.group(1) for m in re.finditer(rf"\[__{name}\] ?(.*)", log.getvalue())]


# --8<-- [start:pre]
print("=== ir_pre_fusion：融合前的节点 ===")
pre = artifact("ir_pre_fusion")
starts = [i for i, line in enumerate(pre) if re.match(r"op\d+: \w+", line)]
for i, end in zip(starts, starts[1:] + [len(pre)]):
    body = pre[i:end]  # 一个节点的全部日志行
    name, kind = re.match(r"(op\d+): (\w+)", body[0]).groups()
    buf = re.search(r"'(buf\d+)'", next(l for l in body if l.startswith(f"{name}.writes"))).group(1)
    if kind == "ExternKernelSchedulerNode":
        what = next(l.split(" = ")[1] for l in body if l.startswith(f"{name}.node."))  # 调用的库函数
    else:
        sizes = next(l.split(" = ")[1] for l in body if l.startswith(f"{name}.group.iteration"))
        # 循环体里的运算（去掉读写内存、取下标、常量）：lowering 内联进来的逐元素运算都在这里
        ops = []
        for l in body:
            for op in re.findall(r"ops\.(\w+)\(", l):
                if op == "reduction":  # 归约写出它的种类，如 reduction(sum)
                    kind_of = re.search(r"'(\w+)'", l).group(1)
                    ops.append(f"reduction({kind_of})")
                elif op not in ("load", "store", "store_reduction", "constant", "index_expr"):
                    ops.append(op)
        what = f"循环 {sizes}：{' '.join(ops)}"
    print(f"{name:<4} 写 {buf:<5} {kind:<26} {what}")
# --8<-- [end:pre]

# --8<-- [start:fusion]
print("\n=== fusion：调度器的决定 ===")
shown = set()
for line in artifact("fusion"):
    if line.startswith(("fusing ", "cannot fuse ", "completed fusion round")) and line not in shown:
        shown.add(line)  # 每一轮都会重新尝试，同一句只打印一次
        print(line)
# --8<-- [end:fusion]

# --8<-- [start:post]
print("\n=== ir_post_fusion：融合后的节点 ===")
post = artifact("ir_post_fusion")
for i, line in enumerate(post):
    # 融合节点里的成员（“.snodes[0] =”之后的那一行）不单独打印
    if re.match(r"op\d+(_op\d+)*: ", line) and not post[i - 1].endswith("="):
        print(line)
# --8<-- [end:post]
