# eager 也有图：张量 requires_grad=True 时，PyTorch 一边算，一边把每一步记进自动求导的图。
# 这张图在运行时才长出来（define-by-run），它只为反向传播服务，不能拿来优化或导出。
import torch

a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)

c = a + b  # 和 eager_prints.py 一样，值立刻算出来……
d = c * 2  # ……同时记下“d 是怎样从 a、b 算出来的”
print("d =", d)

leaf_names = {id(a): "a", id(b): "b"}


def name(fn):
    # AccumulateGrad 是图的叶子：反向传播走到这里，把梯度累加进 a.grad 或 b.grad
    if type(fn).__name__ == "AccumulateGrad":
        return f"AccumulateGrad → {leaf_names[id(fn.variable)]}.grad"
    return type(fn).__name__


def show(fn, depth=0):
    # 从 d.grad_fn 出发，沿 next_functions 走到叶子，打印记下的每个节点
    print("    " * depth + name(fn))
    for next_fn, _ in fn.next_functions:
        if next_fn is not None:  # None：这个输入不需要梯度（例如常数 2）
            show(next_fn, depth + 1)


print("d.grad_fn 沿 next_functions 展开：")
show(d.grad_fn)

d.sum().backward()  # 反向传播沿着这张图走一遍
print("a.grad =", a.grad)


# 图是每次运行时重新记录的：走哪条 Python 分支，记下的就是哪条
def gate(x):
    if x.sum() > 0:
        return x * 2
    return x - 10


for x in (a, -a):
    print(f"x.sum() = {x.sum().item():+.0f} 时，结果的 grad_fn：{name(gate(x).grad_fn)}")
