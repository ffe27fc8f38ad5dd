# 动态形状：第一次形状变化时，Dynamo 就把这一维换成符号重新编译。
import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


def show_signature(gm, example_inputs):
    # 自定义后端：只打印图的参数表，看哪一维成了符号
    print("  编译：", gm.code.strip().splitlines()[0])
    return gm.forward


torch._logging.set_logs(recompiles=True)
compiled = torch.compile(f, backend=show_signature)
for n in (8, 16, 32, 1):
    print(f"== 长度 {n}")
    compiled(torch.randn(n))
torch._logging.set_logs()

# f 现在有三个缓存条目（长度 8、动态、长度 1 各一份），最新的在前。
# 找出动态的那一份（它的 TENSOR_MATCH 里大小是 None），打印它的 guard 树里与形状有关的几行
entries = torch._dynamo.eval_frame._debug_get_cache_entry_list(f.__code__)
print("f 的缓存条目：", len(entries))
dynamic_entry = next(e for e in entries if "size=[None]" in str(e.guard_manager))
print("== 动态版本的 guard（节选）")
for line in str(dynamic_entry.guard_manager).splitlines():
    if "TENSOR_MATCH" in line or "size()" in line or "s77" in line:
        print(line.split("#")[0].strip(" |+-"))
