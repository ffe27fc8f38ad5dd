# 练习：在 TF1 的图里插入打印节点，让每次 sess.run 都打印中间结果 y。
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # 屏蔽 TF 的 C++ INFO 日志（见 tf1_graph.py）
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # 不同 CPU 上输出一致（见 tf1_graph.py）

import sys

import tensorflow as tf

tf1 = tf.compat.v1
tf1.disable_eager_execution()

graph = tf1.Graph()
with graph.as_default():
    x = tf1.placeholder(tf.float32, shape=[None], name="x")
    y = x * 3.0
    # tf.print 是图里的一个节点：它和别的节点一样，只在运行图时执行
    show_y = tf.print("  [打印节点] y =", y, output_stream=sys.stdout)
    z = tf.reduce_sum(y)
    # 控制依赖：要算 z_logged，必须先运行 show_y
    with tf1.control_dependencies([show_y]):
        z_logged = tf.reduce_sum(y)

with tf1.Session(graph=graph) as sess:
    for fetch in (z, z_logged):
        print(f"取回 {fetch.name}：")
        for batch in ([1.0, 2.0], [10.0, 20.0, 30.0]):
            print("  z =", sess.run(fetch, feed_dict={x: batch}))
