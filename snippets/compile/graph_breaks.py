# 图中断（graph break）：Dynamo 遇到放不进图的代码，就把图切断，交回 Python 执行。
import torch


def f(x):
    y = torch.sin(x)
    print("y 的形状：", y.shape)  # ① print 是 Python 的副作用
    scale = y.abs().max().item()  # ② .item（）把张量变成 Python 数
    if y.sum() > 0:  # ③ 分支取决于张量里的数据
        return y * scale
    return y - scale


def f_fixed(x):
    y = torch.sin(x)
    scale = y.abs().max()  # 保持为张量，不 .item()
    return torch.where(y.sum() > 0, y * scale, y - scale)  # 两边都算，按条件逐元素选


x = torch.linspace(-1, 2, 8)
for fn in (f, f_fixed):
    print(f"== torch._dynamo.explain({fn.__name__})")
    explanation = torch._dynamo.explain(fn)(x)
    print("图的个数：", explanation.graph_count, " 图中断次数：", explanation.graph_break_count)
    for i, reason in enumerate(explanation.break_reasons, 1):
        frame = reason.user_stack[-1]
        print(f"  中断 {i}：第 {frame.lineno} 行 {frame.line.strip()!r}")
        for line in reason.reason.splitlines()[:2]:  # 原因的第一行和 Explanation 行
            print("         ", line.strip())
    torch._dynamo.reset()

# --8<-- [start:fullgraph]
print("== fullgraph=True：不允许中断")
for fn in (f, f_fixed):
    try:
        # backend="eager" 只运行 Dynamo 的图捕获；去掉它就是默认的 Inductor 编译
        out = torch.compile(fn, fullgraph=True, backend="eager")(x)
        print(f"{fn.__name__}：编译成一张图，结果与 eager 一致：{torch.allclose(out, fn(x))}")
    except torch._dynamo.exc.Unsupported as e:
        print(f"{fn.__name__}: {type(e).__name__}: {str(e).splitlines()[0]}")
# --8<-- [end:fullgraph]
