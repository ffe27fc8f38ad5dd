# 同一张联合图，两种分区器：default_partition 保存前向的中间结果，
# min_cut_rematerialization_partition（Inductor 用的）少存一些，在反向里重新计算。
from unittest import mock

import torch
import torch._inductor.compile_fx
from functorch.compile import default_partition, make_boxed_func, min_cut_rematerialization_partition
from torch._dynamo.backends.common import aot_autograd


def f(x, w):
    return torch.sin(torch.sin(x @ w)).sum()


def saved_by(fw_graph):
    # 前向图的输出 = 损失 + 为反向保存的张量
    outputs = next(n for n in fw_graph.graph.nodes if n.op == "output").args[0]
    return ", ".join(f"{n.name}{list(n.meta['val'].shape)}" for n in outputs[1:])


def run(backend):
    torch._dynamo.reset()
    torch.manual_seed(0)
    x = torch.randn(4, 8)
    w = torch.randn(8, 3, requires_grad=True)
    torch.compile(f, backend=backend)(x, w).backward()


def nop(gm, example_inputs):
    return make_boxed_func(gm.forward)


# --8<-- [start:both]
captured = {}  # 分区器的名字 → 它切出的前向图和反向图，留着画图用

for partition in (default_partition, min_cut_rematerialization_partition):

    def fw_compiler(gm, example_inputs, name=partition.__name__):
        print(f"{name}：保存 {saved_by(gm)}")
        captured[name] = [gm]
        return make_boxed_func(gm.forward)

    def bw_compiler(gm, example_inputs, name=partition.__name__):
        captured[name].append(gm)
        if name.startswith("min_cut"):
            print("--- min_cut 分区得到的反向图 ---")
            print(gm.code.strip())
        return make_boxed_func(gm.forward)

    run(aot_autograd(fw_compiler=fw_compiler, bw_compiler=bw_compiler, partition_fn=partition))
# --8<-- [end:both]

# --8<-- [start:inductor]
# Inductor 自己用哪个分区器？把它调用的那个函数包一层，记下它被调用、切出的前向图保存了什么
torch._inductor.config.fx_graph_cache = False  # 命中缓存时不会重新分区
torch._functorch.config.enable_autograd_cache = False
real_min_cut = torch._inductor.compile_fx.min_cut_rematerialization_partition


def traced_min_cut(joint, joint_inputs, **kwargs):
    fw, bw = real_min_cut(joint, joint_inputs, **kwargs)
    print(f"Inductor 调用了 {real_min_cut.__name__}：保存 {saved_by(fw)}")
    return fw, bw


with mock.patch("torch._inductor.compile_fx.min_cut_rematerialization_partition", traced_min_cut):
    run("inductor")
# --8<-- [end:inductor]
