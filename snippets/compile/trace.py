# 结构化追踪（TORCH_TRACE）：编译过程中的每一样产物都写进一个日志文件，交给 tlparse 生成报告。
import glob
import json
import os

# torch 在 import 时读这个环境变量；命令行上等同于 TORCH_TRACE=torch_trace python trace.py
os.environ["TORCH_TRACE"] = "torch_trace"

import torch  # noqa: E402

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


compiled = torch.compile(f)  # 默认后端 Inductor：报告里也有它生成的代码
for n in (8, 16, 32):
    compiled(torch.randn(n))

# 追踪文件的每一行是一条 glog 格式的日志，方括号之后是一个 JSON 对象；
# 按编译 id（[帧/第几次编译]）数一数每次编译留下了哪些产物
(path,) = glob.glob("torch_trace/*.log")
by_compile = {}
for line in open(path, encoding="utf-8"):
    if not line.startswith(("V", "I", "W", "E")) or "] {" not in line:
        continue  # 上一条记录的附带内容（图、代码……）
    record = json.loads(line.split("] ", 1)[1])
    if "frame_id" not in record:
        continue
    cid = f"[{record['frame_id']}/{record['frame_compile_id']}]"
    kind = next(k for k in record if k not in {"frame_id", "frame_compile_id", "attempt", "has_payload", "stack"})
    if kind == "artifact":
        kind = record["artifact"]["name"]
    by_compile.setdefault(cid, []).append(kind)

wanted = ["dynamo_output_graph", "dynamo_cpp_guards_str", "recompile_reasons",
          "dynamo_graph_break_reason", "inductor_output_code", "compilation_metrics"]
for cid, kinds in by_compile.items():
    found = [k for k in wanted if k in kinds]
    print(f"{cid}:{', '.join(found)}")
