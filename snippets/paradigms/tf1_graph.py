# 符号式（define-and-run）：TensorFlow 1.x 的写法。TF 2.x 里用 tf.compat.v1 仍能真实运行。
import os

# 必须在 import tensorflow 之前设置：屏蔽 TF 的 C++ 层 INFO/WARNING 日志
# （CPU 指令集提示等），它们与本例无关，会淹没真正的输出。
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
# 在支持 AVX-512 VNNI/AMX 等指令的 CPU 上，TF 默认启用 oneDNN 优化，并在 import 时打印
# “oneDNN custom operations are on”；这条日志出现在 TF 初始化日志系统之前，上一行管不到它。
# 关掉 oneDNN 优化，本例在任何 CPU 上的输出都一样（这里的整数运算结果不受影响）。
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1
tf1.disable_eager_execution()  # TF 2.x 默认是 eager，这里切回 1.x 的图模式

# --8<-- [start:build]
# 第 1 步：定义计算图。这里只是在“画蓝图”，没有任何数被计算
graph = tf1.Graph()
with graph.as_default():
    a = tf1.placeholder(tf.float32, shape=[None], name="a")  # 占位符：数据稍后再喂
    b = tf1.placeholder(tf.float32, shape=[None], name="b")
    c = tf.add(a, b, name="c")
    d = tf.multiply(c, 2.0, name="d")
    print("d 是什么？", d)  # 只是图里的一个符号，没有值

print("图里的操作：", [op.name for op in graph.get_operations()])
# --8<-- [end:build]

# --8<-- [start:run]
# 第 2 步：创建会话；第 3 步：喂入数据，运行图
with tf1.Session(graph=graph) as sess:
    out = sess.run(d, feed_dict={a: [1.0, 2.0, 3.0], b: [4.0, 5.0, 6.0]})
    print("sess.run 的结果：", out, type(out).__name__)
    # 同一张图可以反复运行，每次喂不同的数据
    print("换一批数据：", sess.run(d, feed_dict={a: np.ones(2), b: np.zeros(2)}))
# --8<-- [end:run]

# --8<-- [start:serialize]
# 图是一个数据结构（GraphDef，protobuf），可以序列化后交给别的语言/平台的运行时
graph_def = graph.as_graph_def()
print("GraphDef 节点数：", len(graph_def.node), " 序列化后字节数：", len(graph_def.SerializeToString()))
# --8<-- [end:serialize]
