# freezing=True：推理时把权重当作常量编译。Inductor 可以提前把权重重排成 MKL 需要的格式，
# 把偏置加法和 GELU 合进一个内核。在第 4 章 first_call.py 的小 MLP 上比较生成的代码和耗时。
import re

import torch
from torch import nn
from torch._inductor import config
from torch._inductor.utils import run_and_get_code
from torch.utils import benchmark

torch.manual_seed(0)
# 编译和计时用同样的 1 个线程：线程数是 guard 的一部分（第 4 章），不同就会在计时时重新编译
torch.set_num_threads(1)
mlp = nn.Sequential(nn.Linear(256, 1024), nn.GELU(), nn.Linear(1024, 256)).eval()
x = torch.randn(64, 256)
flops = 2 * 64 * (256 * 1024 + 1024 * 256)  # 两个矩阵乘，每次乘加算 2 次浮点运算


def median_us(fn):
    # 1 个线程，blocked_autorange 先预热，再反复运行至少 0.3 秒，取中位数
    timer = benchmark.Timer("fn(x)", globals={"fn": fn, "x": x}, num_threads=1)
    return timer.blocked_autorange(min_run_time=0.3).median * 1e6


with torch.no_grad():
    eager_us = median_us(mlp)
    print(f"eager：每次调用 {eager_us:.0f} µs，{flops / eager_us / 1e3:.1f} GFLOP/s")
    for freezing in (False, True):
        torch._dynamo.reset()
        with config.patch(freezing=freezing):
            compiled = torch.compile(mlp)
            out, (code,) = run_and_get_code(compiled, x)
        call = code[code.index("def call(") :].split("\n\n")[0]
        inputs = re.search(r"^\s+(.*?),? = args$", call, re.M).group(1)
        steps = [l.strip() for l in call.splitlines() if re.match(r"\s+(buf\d+ = torch\.ops|cpp_fused_|extern_kernels)", l)]
        with torch.compiler.set_stance("fail_on_recompile"):  # 计时期间一旦重新编译就报错
            us = median_us(compiled)
        print(f"\nfreezing={freezing}：结果与 eager 一致 {torch.allclose(out, mlp(x), atol=1e-5)}")
        print(f"  call() 的输入：{inputs}")
        print("  依次调用：")
        print("\n".join(f"    {step}" for step in steps))
        print(f"  每次调用 {us:.0f} µs，{flops / us / 1e3:.1f} GFLOP/s")

print("\n_mkl_linear 的签名：", torch.ops.mkl._mkl_linear.default._schema)
