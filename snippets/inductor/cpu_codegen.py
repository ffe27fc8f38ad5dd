# CPU 上生成的 C++：循环什么时候用 OpenMP 分给多个线程，一次处理几个 float。
import re

import torch
from torch._inductor import config
from torch._inductor.cpu_vec_isa import pick_vec_isa
from torch._inductor.utils import run_and_get_code


def f(x):
    return torch.relu(torch.sin(x) * 2 + 1)


# --8<-- [start:simd]
isa = pick_vec_isa()  # Inductor 为这台机器选的指令集
print(f"PyTorch 检测到的 CPU 能力：{torch.backends.cpu.get_cpu_capability()}")
if isa:
    print(f"Inductor 选的向量指令集：{isa}，一个向量 {isa.bit_width()} 位 = {isa.nelements(torch.float32)} 个 float")
else:  # 例如 ATEN_CPU_CAPABILITY=default：生成逐个元素计算的标量循环
    print("Inductor 没有可用的向量指令集，生成标量循环")
# --8<-- [end:simd]

# --8<-- [start:omp]
print(f"\ncpp.min_chunk_size = {config.cpp.min_chunk_size}")
for threads, n in ((2, 256), (2, 1024), (1, 1024)):
    torch.set_num_threads(threads)  # 编译时的线程数决定生成的代码
    torch._dynamo.reset()
    _, (code,) = run_and_get_code(torch.compile(f), torch.randn(n))
    cpp = code.split("r'''", 1)[1].split("'''", 1)[0]
    parallel = "#pragma omp parallel" in cpp
    step = re.search(r"x0\+=static_cast<int64_t>\((\d+)L\)", cpp).group(1)
    print(
        f"{threads} 个线程，{n:>4} 个元素：每线程 {n // threads:>4} 个，"
        f"{'有' if parallel else '没有'} #pragma omp parallel，循环步长 {step}"
    )
# --8<-- [end:omp]
