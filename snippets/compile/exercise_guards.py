# 练习：先猜下面每次调用会不会重新编译，再看日志里是哪条 guard 失败了。
import torch

compiles = 0


def count(gm, example_inputs):
    global compiles
    compiles += 1
    return gm.forward


@torch.compile(backend=count)
def f(x):
    return torch.sin(x) * 2


torch._logging.set_logs(recompiles=True)
x = torch.randn(4, 4)
calls = [
    ("x 本身", lambda: f(x)),
    ("值不同、形状和 dtype 相同的新张量", lambda: f(torch.randn(4, 4))),
    ("requires_grad=True 的张量", lambda: f(torch.randn(4, 4, requires_grad=True))),
    ("x 的转置 x.t()", lambda: f(x.t())),
    ("在 torch.no_grad() 里用 x", lambda: torch.no_grad()(f)(x)),
    ("再用 x 本身", lambda: f(x)),
]
for name, call in calls:
    before = compiles
    call()
    print(f"== {name}：{'编译了一张新图' if compiles > before else '复用已有的图'}")
