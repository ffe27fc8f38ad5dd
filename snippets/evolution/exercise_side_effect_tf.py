# 练习：函数里给全局计数器加 1。用 tf.function 调用 3 次，计数器是几？
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # 屏蔽 TF 的 C++ INFO 日志（CPU 指令集提示等）
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # 不同 CPU 上输出一致（见第 1 章的 tf1_graph.py）

import tensorflow as tf

calls = 0


@tf.function
def f(x):
    global calls
    calls += 1  # Python 副作用
    return x * 2


for _ in range(3):
    f(tf.ones(2))
print("调用了 3 次，calls =", calls, "，追踪次数：", f.experimental_get_tracing_count())
