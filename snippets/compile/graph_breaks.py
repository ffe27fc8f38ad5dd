# 图中断的完整信息：TORCH_LOGS="graph_breaks" 打印的原文，以及 torch._dynamo.explain 的汇总。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


x = torch.randn(8)
torch._logging.set_logs(graph_breaks=True)  # 等同于环境变量 TORCH_LOGS="graph_breaks"
torch.compile(f, backend="eager")(x)
torch._logging.set_logs()  # 关掉日志

torch._dynamo.reset()
explanation = torch._dynamo.explain(f)(x)  # 运行一次 f，汇总捕获到的图与中断
print("图的个数：", explanation.graph_count, " 图中断次数：", explanation.graph_break_count)
for reason in explanation.break_reasons:
    frame = reason.user_stack[-1]
    print(f"第 {frame.lineno} 行 {frame.line.strip()!r}：{reason.reason.splitlines()[0]}")
for i, graph in enumerate(explanation.graphs, 1):
    ops = [node.target.__name__ for node in graph.graph.nodes if node.op == "call_function"]
    print(f"图 {i} 里的运算：{ops}")
