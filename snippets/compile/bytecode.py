# TorchDynamo 改写后的字节码：调用编译好的图，执行图中断的那一句，再调用续接函数。
import dis

import torch
from torch._dynamo.convert_frame import register_bytecode_hook

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


# Dynamo 每改写一个 code 对象，就把原来的和新的 code 对象交给这个钩子
generated = {}
register_bytecode_hook(lambda old, new: generated.setdefault(old.co_name, new))
compiled = torch.compile(f, backend="eager")  # 只看 Dynamo 这一层，不用 Inductor
compiled(torch.randn(8))

SHOWN = {"LOAD_GLOBAL", "LOAD_ATTR", "LOAD_METHOD", "CALL", "CALL_FUNCTION_EX", "RETURN_VALUE"}


def interesting(ins):
    # 只列出加载名字、有内容的常量、调用和返回；只在栈上搬运数据的指令（SWAP、COPY、BUILD_LIST……）不列
    if ins.opname == "LOAD_CONST":
        return isinstance(ins.argval, (str, torch.Size))
    if ins.opname in {"LOAD_FAST", "STORE_FAST"}:
        return not ins.argval.startswith("tmp_")  # Dynamo 自己的临时变量
    return ins.opname in SHOWN


for name, code in generated.items():
    instructions = list(dis.get_instructions(code))
    shown = [ins for ins in instructions if interesting(ins)]
    print(f"== {name}：共 {len(instructions)} 条指令，列出其中 {len(shown)} 条")
    for ins in shown:
        print(f"{ins.offset:5} {ins.opname:<17} {ins.argrepr}")
