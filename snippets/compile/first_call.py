# 测量 torch.compile 的三个时间：第一次调用（含编译）、稳定后每次调用、eager 每次调用。
import os
import tempfile
import time

# 用一个空的临时目录做 Inductor 的磁盘缓存，第一次调用就是真正的冷启动
# （平时默认缓存在 /tmp/torchinductor_<用户名>，第二次运行脚本时会命中它）
cache = tempfile.TemporaryDirectory()
os.environ["TORCHINDUCTOR_CACHE_DIR"] = cache.name

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch._dynamo.utils import counters  # noqa: E402
from torch.utils import benchmark  # noqa: E402

torch.manual_seed(0)


def pointwise(x):
    # 8 个便宜的逐元素运算（与“性能实测”页的逐元素运算链相同）：
    # eager 下每个运算都要把整个张量读一遍、写一遍，融合后只读一遍 x、写一遍结果
    y = torch.relu(x * 1.5 + 0.5)
    y = torch.abs(y * y - 1.0)
    return torch.clamp(y, max=4.0) * 0.25


mlp = nn.Sequential(nn.Linear(256, 1024), nn.GELU(), nn.Linear(1024, 256)).eval()

cases = [
    ("逐元素运算链", pointwise, torch.randn(4 * 1024 * 1024)),
    ("小 MLP", mlp, torch.randn(64, 256)),
]
# 编译和计时都只用 1 个线程：在核数少、又有别的进程在跑的机器上更稳定。
# 线程数是 guard 的一部分，编译时和计时时必须相同，否则计时的第一次调用会重新编译
threads = 1
torch.set_num_threads(threads)


def median_ms(fn, x):
    # blocked_autorange 先预热，再成块地反复调用至少 0.5 秒，取各块平均耗时的中位数；num_threads 与编译时相同
    timer = benchmark.Timer("fn(x)", globals={"fn": fn, "x": x}, num_threads=threads)
    return timer.blocked_autorange(min_run_time=0.5).median * 1e3


print(f"PyTorch {torch.__version__}，{threads} 个线程（编译和计时相同）")
with torch.no_grad():
    for name, fn, x in cases:
        compiled = torch.compile(fn)
        t0 = time.perf_counter()
        compiled(x)  # 第一次调用：Dynamo 捕获图，Inductor 生成并编译 C++
        first = time.perf_counter() - t0

        torch._dynamo.reset()  # 清空内存里的编译结果，但磁盘上的 Inductor 缓存还在
        recompiled = torch.compile(fn)
        t0 = time.perf_counter()
        recompiled(x)
        cached = time.perf_counter() - t0

        same = torch.allclose(recompiled(x), fn(x), atol=1e-5)
        graphs = counters["stats"]["unique_graphs"]
        # 计时期间若需要重新编译就直接报错，而不是把编译时间算进去
        with torch.compiler.set_stance("fail_on_recompile"):
            compiled_ms = median_ms(recompiled, x)
        eager_ms = median_ms(fn, x)
        print(f"\n{name}（输入 {tuple(x.shape)}），结果与 eager 一致：{same}")
        print(f"  第一次调用（含编译，缓存为空）：{first:.2f} s")
        print(f"  重新编译（命中磁盘缓存）：{cached:.2f} s")
        print(f"  计时期间新编译的图：{counters['stats']['unique_graphs'] - graphs} 张")
        print(f"  之后每次调用（中位数）：{compiled_ms:.3f} ms")
        print(f"  eager 每次调用（中位数）：{eager_ms:.3f} ms")
        print(f"  加速比（eager ÷ 编译后）：{eager_ms / compiled_ms:.2f}x")
cache.cleanup()
