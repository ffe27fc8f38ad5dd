# 本章的例子第一帧完整的 guard 树：TORCH_LOGS="guards" 在每次编译后打印的就是这样的树。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


torch.compile(f, backend="eager")(torch.randn(8))
entry = torch._dynamo.eval_frame._debug_get_cache_entry_list(f.__code__)[0]
# 每行末尾的注释是创建这条 guard 的源码行；续接函数也有自己的一棵树，这里不打印
print(str(entry.guard_manager).strip())
