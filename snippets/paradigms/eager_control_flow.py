# 命令式：Python 原生的 if / for / while 可以直接根据张量的“值”做决定。
import torch


def collatz_steps(n: torch.Tensor) -> int:
    # 循环次数依赖数据本身，事先无法知道
    steps = 0
    while n.item() != 1:
        if n % 2 == 0:  # 分支取决于张量的值
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


for start in [6, 7, 27]:
    print(f"从 {start} 出发，{collatz_steps(torch.tensor(start))} 步到达 1")


# 变长输入：每个序列长度不同，用普通的 for 循环逐个处理即可（RNN 式的动态结构）
torch.manual_seed(0)
cell = torch.nn.RNNCell(input_size=2, hidden_size=3)
for length in [2, 5]:
    h = torch.zeros(1, 3)
    for x_t in torch.randn(length, 1, 2):  # 循环次数 = 这条序列的长度
        h = cell(x_t, h)
    print(f"长度 {length} 的序列 -> 最终隐状态形状 {tuple(h.shape)}")
