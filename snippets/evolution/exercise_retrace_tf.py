# 练习：输入长度一直在变，tf.function 追踪几次？加上 reduce_retracing=True 呢？
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # 屏蔽 TF 的 C++ INFO 日志（CPU 指令集提示等）
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # 不同 CPU 上输出一致（见第 1 章的 tf1_graph.py）

import tensorflow as tf


@tf.function
def f(x):
    return x * 2 + 1


@tf.function(reduce_retracing=True)  # 同样的函数，只多了这个选项
def f_relaxed(x):
    return x * 2 + 1


for fn in (f, f_relaxed):
    for n in (2, 3, 4, 5):
        fn(tf.ones(n))
    print(f"{fn.__name__}：追踪了 {fn.experimental_get_tracing_count()} 次，每次得到一张图，签名是：")
    print(fn.pretty_printed_concrete_signatures(verbose=False))
