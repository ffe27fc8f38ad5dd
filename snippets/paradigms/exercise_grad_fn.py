# 练习：同一个函数调用两次，走了不同的 Python 分支，eager 记下的求导图也不同。
import torch


def f(a, b):
    if a.sum() > 0:  # 依赖数据的分支
        return a * b
    return (a + b) * 2


def walk(fn, depth=1):
    # 从 grad_fn 出发，沿 next_functions 把求导图打印成一棵缩进的树
    print("  " * depth + type(fn).__name__)
    for child, _ in fn.next_functions:
        if child is not None:
            walk(child, depth + 1)


for values in ([1.0, 2.0], [-1.0, -2.0]):
    a = torch.tensor(values, requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    d = f(a, b)
    print(f"a = {values}：d = {d.tolist()}，求导图：")
    walk(d.grad_fn)
    d.sum().backward()
    print(f"  a.grad = {a.grad.tolist()}，b.grad = {b.grad.tolist()}")
