# 去掉图中断的几种办法，每种都对照“之前 / 之后”的图个数。
import torch
from torch._dynamo.utils import counters

SCALE = 2.0


def f(x):
    y = torch.sin(x) * SCALE
    print("y 的形状：", y.shape)
    return torch.cos(y) + 1


def count(fn, x):
    torch._dynamo.reset()
    counters.clear()  # Dynamo 的计数器：下面用它看切出了哪些续接函数
    e = torch._dynamo.explain(fn)(x)
    reasons = [r.reason.splitlines()[0] for r in e.break_reasons]
    return f"{e.graph_count} 张图，{e.graph_break_count} 次中断 {reasons}"


x = torch.randn(8)
print("之前：", count(f, x))


# ① 改写代码：编译的函数里只留张量运算，打印挪到外面
def f_rewritten(x):
    y = torch.sin(x) * SCALE
    return torch.cos(y) + 1


print("① 改写：", count(f_rewritten, x))

# ② 告诉 Dynamo：print 只是日志，可以挪到图执行完之后再调用。
# 参数只能是张量、常量或格式化字符串：f 里的 y.shape（torch.Size）不行，换成 f-string 就可以
torch._dynamo.config.reorderable_logging_functions.add(print)
print("② reorderable_logging_functions:", count(f, x))


def f_fstring(x):
    y = torch.sin(x) * SCALE
    print(f"y 的形状：{y.shape}")
    return torch.cos(y) + 1


print("② 改用 f-string：", count(f_fstring, x))
torch._dynamo.config.reorderable_logging_functions.discard(print)


# ③ torch.compiler.disable：明确要求这个函数在 Python 里执行，Dynamo 不追踪它的内部
@torch.compiler.disable
def log_shape(y):
    print("y 的形状：", y.shape)


def f_logged(x):
    y = torch.sin(x) * SCALE
    log_shape(y)
    return torch.cos(y) + 1


print("③ torch.compiler.disable:", count(f_logged, x))


# ④ 不透明的代码：要看真实数据才能算（tolist、排序），Dynamo 在这里图中断
def clip_q3(y):
    values = sorted(y.tolist())
    return y.clamp(max=values[len(values) * 3 // 4])  # 截到第 3 个四分位数


def g(x):
    return torch.cos(clip_q3(torch.sin(x) * SCALE)) + 1


print("④ 之前：", count(g, x))
# 两个函数都在 tolist() 处被切开，各有一个续接函数
print("   续接函数：", sorted(counters["resumes"]))

# nonstrict_trace：Dynamo 不进入这个函数，把它当作图里的一次调用；
# 但 Dynamo 自己要用假张量把这次调用推一遍，连 backend="eager" 也不例外
nonstrict_trace = getattr(torch.compiler, "nonstrict_trace", torch._dynamo.nonstrict_trace)  # 2.13 只有后者
traced_clip = nonstrict_trace(clip_q3)
try:
    g_traced = lambda x: torch.cos(traced_clip(torch.sin(x) * SCALE)) + 1  # noqa: E731
    torch.compile(g_traced, backend="eager", fullgraph=True)(x)
except Exception as e:
    print("④ nonstrict_trace:", type(e).__name__, str(e).splitlines()[0])


# 自定义算子：对整个编译栈都是一个黑盒，只需另外说明输出的形状和 dtype
@torch.library.custom_op("chapter4::clip_q3", mutates_args=())
def clip_q3_op(y: torch.Tensor) -> torch.Tensor:
    return clip_q3(y)


@clip_q3_op.register_fake
def _(y):
    return torch.empty_like(y)


def g_op(x):
    return torch.cos(clip_q3_op(torch.sin(x) * SCALE)) + 1


print("④ custom_op:", count(g_op, x))
print("   结果与 eager 一致：", torch.allclose(torch.compile(g_op, backend="aot_eager")(x), g(x)))
