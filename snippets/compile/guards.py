# guard：编译好的图在什么前提下才能复用。打印本章的例子第一帧的 guard 树（节选，附说明）。
import json
import timeit

import torch

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


compiled = torch.compile(f, backend="eager")
x = torch.randn(8)
compiled(x)

# f 的 code 对象上挂着它的编译缓存：每个条目是一份字节码加一棵 guard 树。
# 完整的树见 guards_full.py；这里只留下每条检查的要点，并在下一行“↑”后面写明它防的是什么
entry = torch._dynamo.eval_frame._debug_get_cache_entry_list(f.__code__)[0]
guards = entry.guard_manager

NOTES = {
    "GLOBAL_STATE": "全局状态，一次比较一整组",
    "TORCH_FUNCTION_MODE_STACK": "没有进入任何 TorchFunctionMode",
    "DEFAULT_DEVICE": "没有用 torch.device(...) 设默认设备",
    "LAMBDA_GUARD": "没有装 saved-tensors 钩子",
    "TENSOR_MATCH": "x 的 dtype、设备、requires_grad、大小、步长",
    "DIMENSION_DYNAMIC_MARKING_GUARD": "x 上没有 mark_dynamic 一类的标记",
    "EQUALS_MATCH": "值还是编译时的那个",
    "ID_MATCH": "还是编译时的那个对象（按 id 比较）",
}


def trimmed(line):
    tree, _, body = line.partition("+- ")
    body = body.split("  # ")[0].rstrip()  # 去掉行尾“创建这条 guard 的源码行”
    kind = body.split(":")[0]
    if kind == "GuardManager":  # 取值的节点：只留它取的是哪个值
        return tree + "+- " + body.split(",")[0].removeprefix("GuardManager: "), kind
    if kind == "GLOBAL_STATE":  # 一长串 JSON，只挑两项
        state = json.loads(body.split(" against ")[1])
        body = f"GLOBAL_STATE: grad_mode={state['grad_mode']}, num_threads={state['num_threads']}……共 {len(state)} 项"
    body = body.replace("DispatchKeySet(CPU, BackendSelect, ADInplaceOrView, AutogradCPU)", "DispatchKeySet(…)")
    body = body.split(", type=<class")[0]
    return tree + "+- " + body, kind


print("== f 的 guard 树（节选）")
shown = []  # 每项是 [行，连续出现的同类检查条数]
for line in str(guards).strip().splitlines()[1:]:  # 跳过第一行的标题
    if "DIMENSION_DYNAMIC_MARKING_GUARD" in line and "DIMENSION_DYNAMIC_MARKING_GUARD" in shown[-1][0]:
        shown[-1][1] += 1  # 连续几条同类的检查只列第一条
        continue
    shown.append([line, 1])
explained = set()
for line, repeats in shown:
    text, kind = trimmed(line)
    print(text + (f"（同类共 {repeats} 条）" if repeats > 1 else ""))
    if kind in NOTES and kind not in explained:  # 每类检查只在第一次出现时说明
        explained.add(kind)
        print(line.partition("+- ")[0] + "   ↑ " + NOTES[kind])

# torch 在编译时量了一次检查这棵树的耗时（先清空 CPU 缓存），记在编译指标里
metrics = torch._dynamo.utils.get_compilation_metrics()[0]
print(f"\n编译指标里的 guard 检查耗时：{metrics.guard_latency_us} µs（guard_latency_us）")
n = 10_000
warm = timeit.timeit(lambda: guards.check({"x": x}), number=n) / n * 1e6
print(f"反复检查同一个输入时，每次：{warm:.1f} µs")
print("换成 float64 输入，guard 通过吗？", guards.check({"x": x.double()}))

# 不允许重新编译：guard 失败时直接报错，而不是悄悄再编译一次
with torch.compiler.set_stance("fail_on_recompile"):
    try:
        compiled(x.double())
    except RuntimeError as e:
        print(f"\n{type(e).__name__}: {e}")
