# guard 失败时的重新编译原因：TORCH_LOGS="recompiles" 打印失败的是哪一条。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


torch._logging.set_logs(recompiles=True)  # 等同于环境变量 TORCH_LOGS="recompiles"
compiled = torch.compile(f, backend="eager")
x = torch.randn(8)
threads = torch.get_num_threads()


def set_scale(value):
    global SCALE
    SCALE = value


cases = {
    "dtype 变了": lambda: compiled(x.double()),
    "在 torch.no_grad() 里调用": lambda: torch.no_grad()(compiled)(x),
    "线程数变了": lambda: (torch.set_num_threads(threads + 1), compiled(x)),  # 与核数无关，一定是另一个值
    "全局变量 SCALE 变了": lambda: (set_scale(3.0), compiled(x)),
}
for what, change in cases.items():
    torch._dynamo.reset()  # 每种情况都从空缓存开始：先按原样编译一次
    set_scale(2.0)
    torch.set_num_threads(threads)
    compiled(x)
    print(f"== {what}")
    change()  # 再改一样东西调用一次
torch._logging.set_logs()  # 关掉日志
