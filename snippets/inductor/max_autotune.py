# CPU 上的 max-autotune：冻结权重之后，Inductor 为每个 Linear 生成 C++ GEMM 模板，
# 与 MKL 的实现实际测一遍，留下更快的；选中模板时，偏置与 GELU 直接融合进 GEMM 内核。
import contextlib
import io
import re

import torch
from torch import nn
from torch._inductor import config
from torch._inductor.utils import run_and_get_code

torch.manual_seed(0)
# 只用 1 个线程：多线程的 GEMM 在一台忙碌的 2 核机器上会被别的进程打断，
# 实测耗时能差出几十倍，调优就会按噪声做选择
torch.set_num_threads(1)
# 第 4 章 first_call.py 里的小 MLP
mlp = nn.Sequential(nn.Linear(256, 1024), nn.GELU(), nn.Linear(1024, 256)).eval()
x = torch.randn(64, 256)
config.fx_graph_cache = False  # 命中 FX 图缓存时不会重新调优
config.autotune_local_cache = False  # 调优结果也会缓存在磁盘上；关掉它，每次都真的测一遍

# --8<-- [start:autotune]
print(f"max_autotune_gemm_backends 的默认值：{config.max_autotune_gemm_backends}")
report = io.StringIO()
with torch.no_grad(), config.patch(freezing=True), contextlib.redirect_stderr(report):
    out = torch.compile(mlp, mode="max-autotune")(x)
print("结果与 eager 一致：", torch.allclose(out, mlp(x), atol=1e-4))
# Inductor 把调优报告写到 stderr：每个 GEMM 一段，列出每个候选实现的实测耗时
for block in re.findall(r"AUTOTUNE (\w+)\((\S+),.*?\)\n(.*?)(?=\nSingleProcess)", report.getvalue(), re.S):
    op, shape, rows = block
    timings = dict(re.findall(r"^\s+(\S+) ([\d.]+) ms", rows, re.M))
    listed = "，".join(f"{name} {ms} ms" for name, ms in sorted(timings.items()))
    print(f"{op}（输入 {shape}）：{listed}；选中 {min(timings, key=lambda n: float(timings[n]))}")
# --8<-- [end:autotune]

# --8<-- [start:template]
torch._dynamo.reset()
with torch.no_grad(), config.patch(freezing=True, max_autotune_gemm_backends="CPP"):
    out, (code,) = run_and_get_code(torch.compile(mlp, mode="max-autotune"), x)
print("\n只用 C++ 模板，结果与 eager 一致：", torch.allclose(out, mlp(x), atol=1e-4))
call = code[code.index("def call(") :].split("\n\n")[0]
print("\n".join("    " + l.strip() for l in call.splitlines() if re.match(r"\s+(cpp_fused_|return)", l)))
# 每个内核先做矩阵乘（micro_gemm），再在写出结果之前做 epilogue：看 epilogue 里有没有偏置加法和 GELU 的 erf
for name, source in re.findall(r"^(cpp_fused_\w+) = async_compile\.cpp_pybinding\(.*?r'''(.*?)'''", code, re.S | re.M):
    epilogue = [l for l in source.splitlines() if re.search(r"auto tmp\d+ = ", l)]
    has = {"micro_gemm": "micro_gemm" in source, "偏置加法": any(" + tmp" in l for l in epilogue),
           "erf": any(".erf()" in l for l in epilogue)}
    print(f"内核 {name}：" + "，".join(f"{k} {'有' if v else '无'}" for k, v in has.items()))
# --8<-- [end:template]
