# 全局浮点数变了：重新编译时 Dynamo 把它从常量改成图的一个输入，之后再变就不用重新编译。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


def show_graph(gm, example_inputs):
    # 自定义后端：打印图的参数表、算 y 的那几行，以及每个输入的 dtype 和形状
    lines = gm.code.strip().splitlines()
    print("  编译：", lines[0])
    for line in lines[1:]:
        if "y =" in line or ".item()" in line:
            print("        ", line.split(";")[0].strip())
    print("  输入：", [(t.dtype, tuple(t.shape)) for t in example_inputs])
    return gm.forward


torch._logging.set_logs(recompiles=True)
compiled = torch.compile(f, backend=show_graph)
x = torch.randn(8)
for value in (2.0, 3.0, 4.0):
    SCALE = value
    print(f"== SCALE = {value}")
    compiled(x)
torch._logging.set_logs()

# f 的最新缓存条目在前：看它的 guard 树里与 SCALE 有关的检查
entry = torch._dynamo.eval_frame._debug_get_cache_entry_list(f.__code__)[0]
print("== 新条目里检查 SCALE 的 guard")
for line in str(entry.guard_manager).splitlines():
    check = line.split("  # ")[0].strip(" |+-")
    if "SCALE" in check and not check.startswith("GuardManager"):
        print(check)
