# guard 与重新编译：形状或 dtype 变了，Dynamo 会重新编译；dynamic=True / mark_dynamic 提前说好“这一维会变”。
import torch
from torch._dynamo.utils import counters

# 与环境变量 TORCH_LOGS="recompiles" 相同：每次重新编译时打印是哪条 guard 失败了
torch._logging.set_logs(recompiles=True)


def report_graph(gm, example_inputs):
    # 自定义后端：Dynamo 每捕获一张图就调用它一次。这里只打印输入，然后原样执行（不用 Inductor）
    shapes = [tuple(t.shape) if isinstance(t, torch.Tensor) else t for t in example_inputs]
    print("  -> 编译一张新图，输入：", shapes)
    return gm.forward


def f(x):
    return torch.sin(x) * 2 + 1


compiled = torch.compile(f, backend=report_graph)
calls = [
    ("float32，形状（8，）", torch.randn(8)),
    ("float32，形状（8，），换一批数据", torch.randn(8)),
    ("float32，形状（16，）", torch.randn(16)),
    ("float32，形状（32，）", torch.randn(32)),
    ("float64，形状（32，）", torch.randn(32, dtype=torch.float64)),
]
for what, x in calls:
    print("调用：", what)
    compiled(x)
print("捕获的图：", counters["stats"]["unique_graphs"])

# --8<-- [start:dynamic]
torch._dynamo.reset()  # 清空上面编译过的图，重新开始
print("\ndynamic=True：从第一次调用起就把形状当作符号")
dyn = torch.compile(f, backend=report_graph, dynamic=True)
for n in (8, 16, 32):
    dyn(torch.randn(n))

torch._dynamo.reset()
print("\nmark_dynamic：只把某个张量的某一维标成动态")
x = torch.randn(4, 8)
torch._dynamo.mark_dynamic(x, 0)  # 第 0 维（batch）会变，第 1 维固定为 8
marked = torch.compile(f, backend=report_graph)
marked(x)
marked(torch.randn(64, 8))  # batch 变了：不重新编译
marked(torch.randn(64, 9))  # 第 1 维变了：guard 失败，重新编译
# --8<-- [end:dynamic]
