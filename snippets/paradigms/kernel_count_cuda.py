# kernel_count.py 的 GPU 版：数一数 GPU 上真正启动了几个内核。
# 需要 NVIDIA GPU；输出在 CUDA 任务里捕获。
import os

os.environ["KINETO_LOG_LEVEL"] = "6"  # 屏蔽 kineto 的 USDT 启停日志（见 kernel_count.py）

import torch
from torch.autograd import DeviceType
from torch.profiler import ProfilerActivity, profile


def f(x):
    # view 和 t（转置）只改张量的形状、步长这些元数据，不读写数据
    y = torch.sin(x).view(1000, 1000).t()
    return y * 2 + torch.cos(x).view(1000, 1000).t() - 1


def profiled(fn, x):
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        fn(x)
        torch.cuda.synchronize()
    return prof.events()


def gpu_kernels(fn, x):
    # device_type 为 CUDA 的事件就是 GPU 上执行的内核
    return [e.name for e in profiled(fn, x) if e.device_type == DeviceType.CUDA]


torch.manual_seed(0)
x = torch.randn(1_000_000, device="cuda")

events = profiled(f, x)
aten = [e.name for e in events if e.device_type == DeviceType.CPU and e.name.startswith("aten::") and e.cpu_parent is None]
print(f"eager：调用了 {len(aten)} 个 ATen 算子 {aten}")
eager = [e.name for e in events if e.device_type == DeviceType.CUDA]
print(f"eager：启动了 {len(eager)} 个 GPU 内核（view、t 一个也没有启动）")
for name in eager:
    print("   ", name.split("<")[0][:60])  # 内核名是很长的 C++ 模板名，只留开头

compiled = torch.compile(f)  # 在 GPU 上 TorchInductor 生成 Triton 内核
compiled(x)  # 第一次调用：编译
fused = gpu_kernels(compiled, x)
print(f"compiled：启动了 {len(fused)} 个 GPU 内核 {fused}")
print("结果一致：", torch.allclose(f(x), compiled(x), atol=1e-5))
