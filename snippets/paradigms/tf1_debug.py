# 符号式难调试：构图阶段的 Python print 只执行一次，而且看到的是符号，不是数。
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # 屏蔽 TF 的 C++ INFO 日志（见 tf1_graph.py）
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # 不同 CPU 上输出一致（见 paradigms/tf1_graph.py）

import tensorflow as tf

tf1 = tf.compat.v1
tf1.disable_eager_execution()

graph = tf1.Graph()
with graph.as_default():
    x = tf1.placeholder(tf.float32, shape=[None], name="x")
    y = x * 3.0
    print("[构图时] y =", y)  # 这行 Python 代码只在“画图”时运行一次
    z = tf.reduce_sum(y)

with tf1.Session(graph=graph) as sess:
    for batch in ([1.0, 2.0], [10.0, 20.0, 30.0]):
        # 运行图时，上面那行 print 不会再执行；
        # 想看中间结果 y，只能把它也列进 sess.run 要取回的东西里
        y_val, z_val = sess.run([y, z], feed_dict={x: batch})
        print("[运行时] y =", y_val, " z =", z_val)
