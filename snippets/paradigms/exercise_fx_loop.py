# 练习：torch.fx 追踪带 for 循环的函数。循环次数是 Python 整数时，循环在追踪时就跑完了。
import torch
from torch import fx


def g(x):
    for _ in range(3):
        x = torch.sin(x) + 1
    return x


gm = fx.symbolic_trace(g)
print(gm.code.strip())
print("图里的运算：", sum(node.op == "call_function" for node in gm.graph.nodes), "个")


# 循环次数换成函数的参数：追踪时 n 也是一个代理对象，range() 要的却是真正的整数
def h(x, n):
    for _ in range(n):
        x = torch.sin(x) + 1
    return x


try:
    fx.symbolic_trace(h)
except TypeError as e:
    print("TypeError:", e)

# concrete_args 把 n 定成 2 再追踪：循环展开成 2 步，图里还多了一条检查 n 的断言
print(fx.symbolic_trace(h, concrete_args={"n": 2}).code.strip())
