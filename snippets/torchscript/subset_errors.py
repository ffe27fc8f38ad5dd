import numpy as np
import torch


def show(title, fn):
    try:
        fn()
    except Exception as e:
        print(f"--- {title}: {type(e).__name__}")
        print(str(e).strip())


# --8<-- [start:annotation]
# 1) 没有类型注解的参数一律当作 Tensor
def scale(x, n):
    return x * n


show("未注解的 int 参数", lambda: torch.jit.script(scale)(torch.ones(2), 3))


def scale_fixed(x: torch.Tensor, n: int) -> torch.Tensor:
    return x * n


print("修正后：", torch.jit.script(scale_fixed)(torch.ones(2), 3))
# --8<-- [end:annotation]


# --8<-- [start:ignore]
# 2) 调用 TorchScript 编译不了的代码（这里是 NumPy）
def log1p_np(x):
    arr = x.numpy()
    return torch.from_numpy(np.log1p(arr))


def model(x):
    return log1p_np(x) * 2


show("调用 NumPy", lambda: torch.jit.script(model))


@torch.jit.ignore  # 不编译，留作一次 Python 调用：能运行，但不能脱离 Python
def log1p_np_ignored(x: torch.Tensor) -> torch.Tensor:
    arr = x.numpy()
    return torch.from_numpy(np.log1p(arr))


def model_ignored(x):
    return log1p_np_ignored(x) * 2


scripted = torch.jit.script(model_ignored)
print("ignore 后：", scripted(torch.ones(2)))
show("保存含 ignore 的函数", lambda: torch.jit.save(scripted, "model_ignored.pt"))


class Model(torch.nn.Module):
    def forward(self, x, debug: bool = False):
        if debug:
            return self.debug_dump(x)
        return torch.log1p(x) * 2

    @torch.jit.unused  # 编译时换成 raise：能保存，但调用到它就报错
    def debug_dump(self, x: torch.Tensor) -> torch.Tensor:
        print(np.asarray(x))
        return x


m = torch.jit.script(Model())
torch.jit.save(m, "model_unused.pt")
print("unused 后可以保存：", m(torch.ones(2)))
show("调用被 unused 的方法", lambda: m(torch.ones(2), True))
# --8<-- [end:ignore]


# --8<-- [start:kwargs]
# 3) 可变参数
def total(x, **weights):
    return x * sum(weights.values())


show("**kwargs", lambda: torch.jit.script(total))


def total_fixed(x: torch.Tensor, weights: dict[str, float]) -> torch.Tensor:
    s = 0.0
    for w in weights.values():
        s += w
    return x * s


print("修正后：", torch.jit.script(total_fixed)(torch.ones(2), {"a": 0.5, "b": 1.0}))
# --8<-- [end:kwargs]
