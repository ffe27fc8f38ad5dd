# 本章的例子从 TorchDynamo 走到 Inductor 的前两站：Dynamo 捕获的 FX 图（torch 层的调用），
# AOTAutograd 交给 Inductor 的 ATen 图（函数化、分解之后）。
# 日志与 `TORCH_LOGS="graph_code,aot_graphs"` 相同，这里收进一个字符串，只打印每行的正文。
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
    torch._logging.set_logs(graph_code=True, aot_graphs=True)
    torch.compile(model)(x)
torch._logging.set_logs()  # 恢复默认


def artifact(name):
    """日志里属于某一类（artifact）的行，去掉时间、进程号等前缀。"""
    return [m.group(1) for m in re.finditer(rf"\[__{name}\] ?(.*)", log.getvalue())]


def inputs(lines):
    # forward 的参数和它们的形状
    signature = next(l for l in lines if "def forward(" in l)
    return ", ".join(f"{name} {shape}" for name, shape in re.findall(r'(\w+): "(\w+\[[^\]]*\])', signature))


def code_lines(lines):
    # 只留下 forward 的函数体：去掉注释、空行、给参数改名的赋值，以及类型标注里的步长与设备
    body = [l for l in lines if re.match(r"\s{8}\S", l) and not l.strip().startswith("#")]
    body = [l for l in body if not re.match(r"\s+l_\w+ = L_\w+$", l)]
    return [re.sub(r'"(\w+\[[^\]]*\])\[[^\]]*\]cpu"', r'"\1"', l.split(";  ")[0])[4:] for l in body]


print("=== graph_code：TorchDynamo 捕获的 FX 图 ===")
print("输入：", inputs(artifact("graph_code")))
print("\n".join(code_lines(artifact("graph_code"))))
print("\n=== aot_graphs：AOTAutograd 交给 Inductor 的 ATen 图 ===")
print("输入：", inputs(artifact("aot_graphs")))
print("\n".join(code_lines(artifact("aot_graphs"))))
