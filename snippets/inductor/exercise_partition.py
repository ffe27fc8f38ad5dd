# 练习：对 f(x) = cos(sin(x)).sum() 求导。先猜两种分区器各让前向保存哪些张量，再运行验证。
import torch
from functorch.compile import default_partition, make_boxed_func, min_cut_rematerialization_partition
from torch._dynamo.backends.common import aot_autograd


def f(x):
    return torch.cos(torch.sin(x)).sum()


def saved_by(fw_graph):
    # 前向图的输出 = 损失 + 为反向保存的张量
    outputs = next(n for n in fw_graph.graph.nodes if n.op == "output").args[0]
    return [n.name for n in outputs[1:]]


for partition in (default_partition, min_cut_rematerialization_partition):

    def fw_compiler(gm, example_inputs, name=partition.__name__):
        print(f"== {name}：前向保存 {saved_by(gm)}")
        return make_boxed_func(gm.forward)

    def bw_compiler(gm, example_inputs):
        print("反向图：")
        print(gm.code.strip())
        return make_boxed_func(gm.forward)

    torch._dynamo.reset()
    x = torch.randn(5, requires_grad=True)
    backend = aot_autograd(fw_compiler=fw_compiler, bw_compiler=bw_compiler, partition_fn=partition)
    torch.compile(f, backend=backend)(x).backward()
    # cos(sin(x)) 的导数是 -sin(sin(x)) * cos(x)
    print("梯度正确：", torch.allclose(x.grad, -torch.sin(torch.sin(x)) * torch.cos(x)))
