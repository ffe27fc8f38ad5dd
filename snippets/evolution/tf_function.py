# TF 2.x：默认就是命令式（Eager Execution）；@tf.function 是按需打开的符号式。
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # 屏蔽 TF 的 C++ INFO 日志（CPU 指令集提示等）
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # 不同 CPU 上输出一致（见第 1 章的 tf1_graph.py）

import sys

import tensorflow as tf

# --8<-- [start:eager]
print("默认是 eager 吗？", tf.executing_eagerly())
print("立刻得到值：", (tf.constant([1.0, 2.0]) * 2).numpy())
# --8<-- [end:eager]


# --8<-- [start:trace]
@tf.function  # 显式打开：第一次调用时追踪 Python 函数，生成一张图
def f(x):
    print("  [Python print] 正在追踪，x =", x)  # Python 副作用：只在追踪时执行
    tf.print("  [tf.print] 运行图，x =", x, output_stream=sys.stdout)  # 图里的节点：每次运行都执行
    print("  追踪时还是 eager 吗？", tf.executing_eagerly())
    return x * 2 + 1


print("第 1 次调用 float32[2]：")
f(tf.constant([1.0, 2.0]))
print("第 2 次调用 float32[2]（签名相同，复用图）：")
f(tf.constant([3.0, 4.0]))
print("第 3 次调用 float32[3]（形状变了，重新追踪）：")
f(tf.constant([1.0, 2.0, 3.0]))
print("第 4 次调用 int32[2]（类型变了，重新追踪）：")
f(tf.constant([1, 2]))
print("一共追踪了", f.experimental_get_tracing_count(), "次")
# --8<-- [end:trace]

# --8<-- [start:concrete]
# 一个输入签名对应一个 ConcreteFunction，里面是一张真正的 tf.Graph
cf = f.get_concrete_function(tf.TensorSpec(shape=[None], dtype=tf.float32))
print("图里的操作：", [op.type for op in cf.graph.get_operations()])
# --8<-- [end:concrete]


# --8<-- [start:autograph]
# AutoGraph 把依赖张量值的 Python if 改写成图里的条件节点，而不是“断开”图
@tf.function
def abs_via_if(x):
    if tf.reduce_sum(x) > 0:
        return x
    return -x


graph = abs_via_if.get_concrete_function(tf.TensorSpec([None], tf.float32)).graph
print("if 变成了：", sorted({op.type for op in graph.get_operations()} & {"If", "StatelessIf"}))
print(abs_via_if(tf.constant([1.0, 2.0])).numpy(), abs_via_if(tf.constant([-1.0, -2.0])).numpy())


# 而图里拿不到具体的值：在 tf.function 里调用 .numpy() 会直接报错
@tf.function
def needs_value(x):
    return float(x.numpy()[0])


try:
    needs_value(tf.constant([1.0]))
except Exception as e:
    print(str(e).strip().splitlines()[-1].strip())  # 报错的最后一行是原因
# --8<-- [end:autograph]
