# 编译缓存：冷启动与热启动，以及用 mega-cache 把缓存带到一个全新的进程。
# 用法：python caches.py（脚本会以 python caches.py block.cache 的方式再启动自己一次，当作“另一台机器”）
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# 每个进程一个空的缓存目录：第一次编译是真正的冷启动（默认目录是 /tmp/torchinductor_<用户名>）
os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="inductor-")

import torch
import torch.nn.functional as F
from torch import nn
from torch._dynamo.utils import calculate_time_spent, counters
from torch._inductor.cpu_vec_isa import pick_vec_isa


class Block(nn.Module):
    """本章的例子：LayerNorm → Linear → GELU → Linear，再加上残差。"""

    def __init__(self, d=16):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        return x + self.fc2(F.gelu(self.fc1(self.norm(x))))


torch.manual_seed(0)
model = Block().eval()
x = torch.randn(4, 16)


def compile_and_run(label):
    torch._dynamo.reset()  # 清掉进程里的编译结果（也清零了编译耗时的统计），磁盘上的缓存还在
    counters.clear()
    start = time.perf_counter()
    # Inductor 第一次为 CPU 生成代码时要探测向量指令集：用每种候选指令集编译、加载一个小 C++ 程序。
    # 结果在进程里缓存，编出的 .so 存进缓存目录。这里先单独调用它，好把这部分时间分出来
    pick_vec_isa()
    probe = time.perf_counter() - start
    with torch.no_grad():
        torch.compile(model)(x)
    seconds = time.perf_counter() - start
    fx = "命中" if counters["inductor"]["fxgraph_cache_hit"] else "未命中"
    aot = "命中" if counters["aot_autograd"]["autograd_cache_hit"] else "未命中"
    print(f"{label}：{seconds:.2f} s，FX 图缓存{fx}，AOTAutograd 缓存{aot}")
    # 编译各阶段的耗时：dynamo_timed 记下的区间互相嵌套，相减得到各自独占的部分
    t = calculate_time_spent()
    frame, backend = t.get("entire_frame_compile", 0), t.get("backend_compile", 0)
    wait = t.get("async_compile.wait", 0)  # 等 C++ 编译器把内核编成 .so
    parts = {
        "探测指令集": probe,
        "Dynamo": frame - backend,
        "AOTAutograd 与 Inductor": backend - wait,
        "编译内核": wait,
    }
    parts["其他"] = seconds - sum(parts.values())  # 第一次调用 torch.compile 时的导入、启动编译进程池等
    print("    " + "，".join(f"{k} {v:.2f} s" for k, v in parts.items()))


# --8<-- [start:child]
if len(sys.argv) > 1:  # “另一台机器”：空的缓存目录，先装入 mega-cache 再编译
    info = torch.compiler.load_cache_artifacts(Path(sys.argv[1]).read_bytes())
    print(f"新进程装入：{dict(info.artifacts)}".replace("'", ""))
    compile_and_run("新进程（mega-cache）")
    built = list(Path(os.environ["TORCHINDUCTOR_CACHE_DIR"]).rglob("*.so"))
    print(f"新进程仍然调用编译器生成了 {len(built)} 个 .so")
    sys.exit()
# --8<-- [end:child]

# --8<-- [start:parent]
compile_and_run("冷启动")
compile_and_run("热启动")

artifacts, info = torch.compiler.save_cache_artifacts()  # 这个进程产生的全部缓存条目，序列化成 bytes
Path("block.cache").write_bytes(artifacts)
print(f"mega-cache：{len(artifacts) // 1024} KiB，{ {kind: len(keys) for kind, keys in info.artifacts.items()} }")
subprocess.run([sys.executable, __file__, "block.cache"], check=True)
# --8<-- [end:parent]
