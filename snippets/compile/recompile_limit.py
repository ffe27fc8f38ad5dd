# recompile_limit：同一个函数的缓存条目到了上限之后，Dynamo 不再编译新的版本。
import torch


def f(x):
    return torch.sin(x) + 1


def backend(gm, example_inputs):
    # 自定义后端：编译时说一声，运行编译好的图时也说一声
    dtype = example_inputs[0].dtype
    print(f"  编译了一张图（{dtype}）")

    def run(*args):
        print(f"  运行编译好的图（{dtype}）")
        return gm.forward(*args)

    return run


# 默认上限是 torch._dynamo.config.recompile_limit（8）；这里只给这个函数设成 2
compiled = torch.compile(f, backend=backend, recompile_limit=2)
for dtype in (torch.float32, torch.float64, torch.float16, torch.float32, torch.float16):
    print(f"== 输入 {dtype}")
    compiled(torch.randn(4, dtype=dtype))
entries = torch._dynamo.eval_frame._debug_get_cache_entry_list(f.__code__)
print("f 的缓存条目：", len(entries))

# fullgraph=True 时，到了上限直接报错
torch._dynamo.reset()
strict = torch.compile(f, backend=backend, recompile_limit=2, fullgraph=True)
try:
    for dtype in (torch.float32, torch.float64, torch.float16):
        strict(torch.randn(4, dtype=dtype))
except Exception as e:
    print(f"== 加上 fullgraph=True 以后：{type(e).__name__}：{str(e).splitlines()[0]}")
