# AOTAutograd 交给后端的是什么：训练时，一张前向图和一张反向图，都由 ATen 算子组成。
# 这里用一个只打印、不优化的后端把两张图显示出来（Inductor 拿到的也是这样的两张图）。
import torch
from functorch.compile import make_boxed_func
from torch._dynamo.backends.common import aot_autograd


def show(name):
    def compiler(gm, example_inputs):
        print(f"[后端收到{name}图]")
        print(gm.code.strip())
        return make_boxed_func(gm.forward)  # 照原样执行这张图

    return compiler


backend = aot_autograd(
    fw_compiler=show("前向"),
    bw_compiler=show("反向"),
    # 把高层算子分解成核心 ATen 算子，Inductor 也做同样的分解
    decompositions=torch._decomp.core_aten_decompositions(),
)


def loss_fn(x, w):
    return torch.nn.functional.silu(x @ w).sum()


torch.manual_seed(0)
x = torch.randn(4, 8)
w = torch.randn(8, 3, requires_grad=True)
compiled = torch.compile(loss_fn, backend=backend)

print("== 第一次前向")
loss = compiled(x, w)
print("== 第一次 backward")
loss.backward()
print("== 与 eager 的梯度一致：", torch.allclose(w.grad, torch.autograd.grad(loss_fn(x, w), w)[0]))
