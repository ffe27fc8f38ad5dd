import warnings

import numpy as np
import torch

# 2.14 起，每次调用 torch.jit 的入口都会打印一条 FutureWarning（见本章“TorchScript 的现状”一节）；
# 这里关掉这一类警告，让输出只剩本例要看的内容。
warnings.filterwarnings("ignore", message="`torch.jit.", category=FutureWarning)


def show(title, fn):
    try:
        fn()
    except Exception as e:
        print(f"--- {title}: {type(e).__name__}")
        print(str(e).strip())


# 调用 TorchScript 编译不了的代码（这里是 NumPy）
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
