# 符号式里的控制流：把 eager_control_flow.py 的 collatz_steps 搬进 TF1 的图模式。
# 构图时张量还没有值，Python 的 if / while 用不上，只能改写成 tf.cond 和 tf.while_loop。
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # 屏蔽 TF 的 C++ INFO 日志（见 tf1_graph.py）
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # 不同 CPU 上输出一致（见 tf1_graph.py）

import tensorflow as tf

tf1 = tf.compat.v1
tf1.disable_eager_execution()

graph = tf1.Graph()
with graph.as_default():
    n = tf1.placeholder(tf.int32, shape=[], name="n")

    # 直接用 Python 的 if：符号张量没有真假可言
    try:
        if n > 1:
            pass
    except TypeError as e:
        print(type(e).__name__ + ":", str(e).split(". ")[0])
    # 更隐蔽的是 ==：它比较的是两个 Python 对象是不是同一个，得到的是普通的 False，不报错
    print("n % 2 == 0 得到：", repr(n % 2 == 0))

    # 只能改写成图里的控制流：循环变量显式地进出循环体，两个分支各写成一个函数
    def not_done(n, steps):
        return tf.not_equal(n, 1)

    def one_step(n, steps):
        n = tf.cond(tf.equal(n % 2, 0), lambda: n // 2, lambda: 3 * n + 1)
        return n, steps + 1

    _, steps = tf1.while_loop(not_done, one_step, [n, tf.constant(0)])

print("图里的循环节点：", [op.type for op in graph.get_operations() if "While" in op.type])
with tf1.Session(graph=graph) as sess:
    for start in [6, 7, 27]:
        print(f"从 {start} 出发，{sess.run(steps, feed_dict={n: start})} 步到达 1")
