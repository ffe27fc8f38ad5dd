# 打印运行本站代码的环境：PyTorch 版本、可用设备和 CPU 线程数。
import platform

import torch

device = "cuda" if torch.cuda.is_available() else "cpu"
print("Python  :", platform.python_version())
print("PyTorch :", torch.__version__)
print("设备    :", device, torch.cuda.get_device_name() if device == "cuda" else "")
# --8<-- [start:tensor]
x = torch.arange(6, dtype=torch.float32, device=device).reshape(2, 3)
print(x * 2)
# --8<-- [end:tensor]
