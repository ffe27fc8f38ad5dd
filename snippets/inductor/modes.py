# torch.compile 的三种 mode 在 GPU 上的取舍：编译时间 vs 每次调用的时间。
import time

import torch
from torch import nn
from torch.utils import benchmark

torch.manual_seed(0)
device = "cuda"
# batch 很小：每次调用的时间主要花在启动内核上，reduce-overhead 正是为此而生
model = nn.Sequential(nn.Linear(1024, 1024), nn.GELU(), nn.Linear(1024, 1024), nn.LayerNorm(1024)).to(device).eval()
x = torch.randn(8, 1024, device=device)


def median_us(fn):
    # Timer 在 CUDA 上会先同步再计时；blocked_autorange 先预热，再取多次运行的中位数
    return benchmark.Timer("fn(x)", globals={"fn": fn, "x": x}).blocked_autorange(min_run_time=0.5).median * 1e6


print("GPU:", torch.cuda.get_device_name(), " PyTorch", torch.__version__)
with torch.no_grad():
    expected = model(x)
    eager_us = median_us(model)
    print(f"{'eager':<16} 编译      -    每次调用 {eager_us:8.1f} µs")
    for mode in ("default", "reduce-overhead", "max-autotune"):
        torch._dynamo.reset()
        compiled = torch.compile(model, mode=mode)
        t0 = time.perf_counter()
        out = compiled(x).clone()  # clone：CUDA graph 的输出会被下一次重放覆盖
        torch.cuda.synchronize()
        first = time.perf_counter() - t0
        for _ in range(3):  # reduce-overhead 在最初几次调用中录制 CUDA graph
            compiled(x)
        us = median_us(compiled)
        same = torch.allclose(out, expected, atol=1e-3, rtol=1e-3)
        print(f"{mode:<16} 编译 {first:6.1f} s  每次调用 {us:8.1f} µs  加速 {eager_us / us:5.2f}x  结果一致 {same}")
