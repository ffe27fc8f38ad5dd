# PyTorch 2.x：默认仍是命令式；torch.compile 是按需打开的“图模式”。
# 用一个自定义后端把 TorchDynamo 捕获到的每张图打印出来，再打开重新编译日志，
# 看看输入的形状、类型变了会发生什么。
import torch

# 等价于环境变量 TORCH_LOGS="recompiles"：每次重新编译都说明是哪条 guard 失败了
torch._logging.set_logs(recompiles=True)


graphs = []


def show_graph(gm, example_inputs):
    graphs.append(gm)
    # 后端拿到的是一个 torch.fx.GraphModule；这里只打印它，然后照原样执行
    values = [n.meta.get("example_value") for n in gm.graph.nodes if n.op == "placeholder"]
    shapes = [tuple(v.shape) for v in values if isinstance(v, torch.Tensor)]
    ops = [n.target.__name__ for n in gm.graph.nodes if n.op == "call_function"]
    print(f"  [后端] 编译一张图：算子 {ops}，张量输入形状 {shapes}")
    return gm.forward


@torch.compile(backend=show_graph)  # 省去 Inductor 生成代码的时间，只看 Dynamo 的捕获
def f(x):
    return x * 2 + 1


for x in [torch.ones(2), torch.ones(2), torch.ones(3), torch.ones(4), torch.ones(2, dtype=torch.int32)]:
    print(f"调用 f：{x.dtype}，形状 {tuple(x.shape)}")
    f(x)

print("一共编译了", len(graphs), "张图")
