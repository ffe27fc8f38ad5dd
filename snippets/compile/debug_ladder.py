# 排查的阶梯：同一个函数依次换 eager、aot_eager、inductor 三个后端，看错误从哪一层开始出现；
# 再让 CompilerBisector 自动把范围缩到一个子系统、一个算子。
import torch
import torch._inductor.config as inductor_config
from torch._inductor.compiler_bisector import CompilerBisector

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE  # 本章的例子去掉 print，加一个 relu
    return torch.cos(torch.relu(y)) + 1


# 故意埋一个错：让 Inductor 在 CPU 上生成算错的 relu（PyTorch 测试自己的排查工具时用的开关）
inductor_config.cpp.inject_relu_bug_TESTING_ONLY = "accuracy"

x = torch.randn(8)
expected = f(x)
print("== 手动：一层一层往下换后端")
for backend in ("eager", "aot_eager", "inductor"):
    torch._dynamo.reset()
    out = torch.compile(f, backend=backend)(x)
    print(f"backend={backend!r:12} 与 eager 一致：{torch.allclose(out, expected)}")


def still_correct():
    torch._dynamo.reset()
    return torch.allclose(torch.compile(f)(x), expected)


print("== 自动：CompilerBisector")
result = CompilerBisector.do_bisect(still_correct)
print(result)
inductor_config.cpp.inject_relu_bug_TESTING_ONLY = None  # 撤销埋下的错
