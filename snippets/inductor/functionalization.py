# 函数化：原地修改（add_、mul_）在 AOTAutograd 里变成纯函数式的运算；
# 对输入的修改在图的末尾用一个 copy_ 写回。不需要梯度时，AOTAutograd 只产出一张推理图。
import torch
from functorch.compile import make_boxed_func
from torch._dynamo.backends.common import aot_autograd


def update(x, running):
    y = x * 2
    y.add_(1)  # 原地修改一个中间结果
    running.mul_(0.9).add_(y.mean(0) * 0.1)  # 原地修改输入，就像 BatchNorm 更新 running_mean
    return torch.relu(y)


def show(title):
    def compiler(gm, example_inputs):
        print(f"--- {title} ---")
        print(gm.code.strip())
        return make_boxed_func(gm.forward)

    return compiler


aot_backend = aot_autograd(
    fw_compiler=show("前向图"),  # 需要梯度时才会用到
    inference_compiler=show("AOTAutograd 之后：推理图"),
    keep_inference_input_mutations=True,  # Inductor 也这样设置：对输入的修改留在图里
)


def backend(gm, example_inputs):
    show("TorchDynamo 捕获的图")(gm, example_inputs)
    return aot_backend(gm, example_inputs)


torch.manual_seed(0)
x = torch.randn(4, 3)
running = torch.zeros(3)
expected = torch.zeros(3)
update(x, expected)  # eager 的结果，用来对照

with torch.no_grad():  # 不需要梯度：只有推理图
    torch.compile(update, backend=backend)(x, running)
print("输入 running 被更新了，与 eager 一致：", torch.allclose(running, expected))
