# torch.compile 也能提前编译（2.15 里都还是原型 API）：在一个进程里编译、存成文件，在另一个进程里加载，
# 加载后第一次调用就不再经过 Dynamo。两条路：
#   torch.compile(fn, fullgraph=True).aot_compile(...) → save_compiled_function → torch.compiler.load_compiled_function
#   torch.compiler.precompile.capture(...) → 两个文件 → torch.compiler.precompile.load
# 用法：python precompile.py（脚本会以 python precompile.py aot_compile|precompile 的方式再启动自己，当作“另一台机器”）
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# 每个进程一个空的 Inductor 缓存目录：新进程里编译过什么，全看加载的文件带了什么
os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="inductor-")

import torch
import torch.nn.functional as F
from torch import nn
from torch._dynamo.utils import counters


class Block(nn.Module):
    """本章的例子（与第 5 章相同）：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


def run(model, x):  # 要提前编译的函数：模型作为参数传进来，加载的一方自己提供模型
    return model(x)


torch.manual_seed(0)
model = Block().eval()
x = torch.randn(4, 16)


def built_so():
    return len(list(Path(os.environ["TORCHINDUCTOR_CACHE_DIR"]).rglob("*.so")))


# --8<-- [start:child]
if len(sys.argv) > 1:  # “另一台机器”：加载文件，调用一次
    with torch.no_grad():
        if sys.argv[1] == "aot_compile":
            with open("block.aot", "rb") as f:
                fn = torch.compiler.load_compiled_function(f)
        else:
            fn = torch.compiler.precompile.load("block.precompile", "block.precompile.cache")
        y = fn(model, x)
    print(f"  新进程：结果与 eager 一致 {torch.allclose(y, model(x), atol=1e-6)}，"
          f"Dynamo 编译了 {counters['stats']['unique_graphs']} 张图，C++ 编译器生成了 {built_so()} 个 .so")
    sys.exit()
# --8<-- [end:child]

# --8<-- [start:aot_compile]
with torch.no_grad():
    compiled = torch.compile(run, fullgraph=True).aot_compile(((model, x), {}))  # 参数：(args, kwargs)
compiled.save_compiled_function("block.aot")
print(f"aot_compile：{type(compiled).__name__}，存成 block.aot（共 {Path('block.aot').stat().st_size // 1024} KiB）")
subprocess.run([sys.executable, __file__, "aot_compile"], check=True)
# --8<-- [end:aot_compile]

# --8<-- [start:precompile]
if hasattr(torch.compiler, "precompile"):
    with torch.no_grad(), torch.compiler.precompile.capture(
        run, artifact_path="block.precompile", cache_path="block.precompile.cache"
    ) as cap:
        cap(model, x)  # 照常调用一次：这次调用真的运行，同时被记录下来
    # block.precompile 是一份可以独立运行的 Python 源码（图、内核源码、调用约定），.cache 是加速加载用的缓存
    sizes = "，".join(f"{name}（共 {Path(name).stat().st_size // 1024} KiB）" for name in ("block.precompile", "block.precompile.cache"))
    print(f"precompile.capture：写出 {sizes}")
    subprocess.run([sys.executable, __file__, "precompile"], check=True)
else:
    print("这个版本没有 torch.compiler.precompile")
# --8<-- [end:precompile]
