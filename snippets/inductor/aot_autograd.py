# AOTAutograd：第一次调用时把前向和反向一起追踪成一张联合图，再由分区器切成前向图和反向图。
# 这里的后端只打印收到的图、不做优化；分区器用 aot_autograd 的默认值 default_partition。
import torch
from functorch.compile import default_partition, make_boxed_func
from torch._dynamo.backends.common import aot_autograd


def f(x, w):
    return torch.sin(torch.sin(x @ w)).sum()


def show(title):
    def compiler(gm, example_inputs):
        print(f"--- {title} ---")
        print(gm.code.strip())
        return make_boxed_func(gm.forward)  # 照原样执行这张图

    return compiler


def print_joint_then(partition):
    # 分区器的输入就是联合图：先打印它，再交给真正的分区器
    def partition_fn(joint, joint_inputs, **kwargs):
        print("--- 联合图 ---")
        print(joint.code.strip())
        return partition(joint, joint_inputs, **kwargs)

    return partition_fn


backend = aot_autograd(
    fw_compiler=show("前向图"),
    bw_compiler=show("反向图"),
    partition_fn=print_joint_then(default_partition),
)

torch.manual_seed(0)
x = torch.randn(4, 8)
w = torch.randn(8, 3, requires_grad=True)
compiled = torch.compile(f, backend=backend)

print("== 第一次调用")
loss = compiled(x, w)  # 追踪联合图、分区，编译前向图
print("== 第一次 backward")
loss.backward()  # 反向图这时才交给后端编译
expected = torch.autograd.grad(f(x, w), w)[0]
print("梯度与 eager 一致：", torch.allclose(w.grad, expected))
