import inspect
import warnings

import torch


def double(x):
    return x * 2


def use_torchscript():
    x = torch.ones(2)
    scripted = torch.jit.script(double)
    torch.jit.trace(double, x)
    torch.jit.save(scripted, "double.pt")
    torch.jit.load("double.pt")
    torch.jit.freeze(torch.jit.script(torch.nn.Linear(2, 2).eval()))
    # 移动端的 lite interpreter 格式
    torch.jit.script(torch.nn.Linear(2, 2))._save_for_lite_interpreter("linear.ptl")


# Python 默认只显示归属于 __main__ 的 DeprecationWarning；torch.jit 的这些警告归属于 torch 内部，
# 所以平时几乎看不到（lite interpreter 那条用了 stacklevel=2，归到调用它的 __main__）
with warnings.catch_warnings(record=True) as caught:
    use_torchscript()
print("默认过滤规则下看到的警告：", [str(w.message)[:40] for w in caught])

# 打开 DeprecationWarning（命令行上的等价写法：python -W default::DeprecationWarning ...）
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", DeprecationWarning)
    use_torchscript()
seen = dict.fromkeys(" ".join(str(w.message).split()) for w in caught)  # 去重、保持顺序
for message in seen:
    print("DeprecationWarning:", message)

# 文档里的标注（docstring 就是 API 文档的来源）
doc = inspect.getdoc(torch.jit.freeze).splitlines()
start = next(i for i, line in enumerate(doc) if "deprecated::" in line)
print("torch.jit.freeze 的文档：", " ".join(line.strip() for line in doc[start : start + 2]))
