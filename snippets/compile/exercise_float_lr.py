# 练习：用 dynamic=False 编译一步参数更新，学习率 lr 每步都变。为什么每步都重新编译？改一处让它只编译一次。
import torch

compiles = 0


def count(gm, example_inputs):
    global compiles
    compiles += 1
    return gm.forward


def step(w, grad, lr):
    return w - lr * grad


w, grad = torch.ones(4), torch.ones(4)

print("== dynamic=False，lr 是 Python float")
compiled = torch.compile(step, backend=count, dynamic=False)
for i in range(10):
    compiled(w, grad, 0.1 / (i + 1))
print(f"10 步编译了 {compiles} 次")

print("== 默认的 dynamic=None，lr 是 Python float")
torch._dynamo.reset()
compiles = 0
compiled = torch.compile(step, backend=count)
for i in range(10):
    compiled(w, grad, 0.1 / (i + 1))
print(f"10 步编译了 {compiles} 次")

print("== dynamic=False，lr 是 0 维张量")
torch._dynamo.reset()
compiles = 0
compiled = torch.compile(step, backend=count, dynamic=False)
for i in range(10):
    lr = torch.tensor(0.1 / (i + 1))
    out = compiled(w, grad, lr)
    if i == 0:
        torch.compiler.set_stance("fail_on_recompile")  # 之后再重新编译就报错
torch.compiler.set_stance("default")
print(f"10 步编译了 {compiles} 次，最后一步的结果与 eager 一致：{torch.equal(out, step(w, grad, lr))}")
