# TF 2.x 的另一面：多数人用 Keras 的 model.fit 训练，而 fit 默认把每一步训练包进 tf.function。
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # 屏蔽 TF 的 C++ INFO 日志（见第 1 章的 tf1_graph.py）
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # 不同 CPU 上输出一致（见第 1 章的 tf1_graph.py）

import keras
import numpy as np
import tensorflow as tf


class Probe(keras.Sequential):
    def train_step(self, data):
        # Python 的 print：走图时只在追踪那一次执行，逐步 eager 时每一步都执行
        print("  train_step：eager 吗？", tf.executing_eagerly())
        return super().train_step(data)


x = np.ones((8, 2), dtype="float32")
y = np.zeros((8, 1), dtype="float32")

for run_eagerly in (False, True):
    model = Probe([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", run_eagerly=run_eagerly)
    print(f"run_eagerly={run_eagerly} 时，jit_compile = {model.jit_compile}")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)  # 8 个样本，每批 4 个：共 2 步
