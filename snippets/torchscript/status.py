import inspect
import warnings

import torch


def double(x):
    return x * 2


def use_torchscript():
    """把 torch.jit 的常用入口各调用一次。"""
    x = torch.ones(2)
    scripted = torch.jit.script(double)
    torch.jit.trace(double, x)
    torch.jit.save(scripted, "double.pt")
    torch.jit.load("double.pt")
    torch.jit.freeze(torch.jit.script(torch.nn.Linear(2, 2).eval()))
    # 移动端的 lite interpreter 格式
    torch.jit.script(torch.nn.Linear(2, 2))._save_for_lite_interpreter("linear.ptl")


def warnings_seen(action=None):
    """调用一遍 torch.jit 的入口，返回出现过的警告（类别，消息），去重并保持顺序。"""
    with warnings.catch_warnings(record=True) as caught:
        if action:
            warnings.simplefilter(action)
        use_torchscript()
    return list(dict.fromkeys((w.category.__name__, " ".join(str(w.message).split())) for w in caught))


# Python 默认的过滤规则：平时 python x.py 看到的就是这些
shown = warnings_seen()
print(f"torch {torch.__version__.split('+')[0]}，默认规则下显示的警告：")
for category, message in shown:
    print(f"  {category}: {message}")

# 打开全部警告（命令行上是 python -W always x.py）后，多出来的就是默认规则隐藏了的
hidden = [w for w in warnings_seen("always") if w not in shown]
print("默认规则隐藏、打开全部警告才看到的：", "无" if not hidden else f"{len(hidden)} 条")
for category, message in hidden:
    print(f"  {category}: {message}")

# 文档里的标注（docstring 就是 API 文档的来源）
doc = inspect.getdoc(torch.jit.freeze).splitlines()
start = next(i for i, line in enumerate(doc) if "deprecated::" in line)
print("torch.jit.freeze 的文档：", " ".join(line.strip() for line in doc[start : start + 2]))
