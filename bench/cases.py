"""The three workloads that `bench/run.py` times: what is computed, and at which sizes.

Each case is an `nn.Module` (so that TorchScript can script *and* freeze it) plus a function
that makes its input. Everything runs in inference (`torch.no_grad()`), float32.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn


# --8<-- [start:pointwise]
class PointwiseChain(nn.Module):
    """8 cheap elementwise ops. In eager, each one reads and writes the whole
    tensor; fused into one loop, a call reads x once and writes y once."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x * 1.5
        y = y + 0.5
        y = torch.relu(y)
        y = y * y
        y = y - 1.0
        y = torch.abs(y)
        y = torch.clamp(y, max=4.0)
        return y * 0.25


POINTWISE_OPS = 8
# --8<-- [end:pointwise]


# --8<-- [start:mlp]
class MLP(nn.Module):
    """Linear -> GELU -> Linear -> GELU -> Linear: mostly matrix multiplies."""

    def __init__(self, width: int):
        super().__init__()
        self.fc1 = nn.Linear(width, 4 * width)
        self.fc2 = nn.Linear(4 * width, 4 * width)
        self.fc3 = nn.Linear(4 * width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc3(F.gelu(self.fc2(F.gelu(self.fc1(x)))))
# --8<-- [end:mlp]


# --8<-- [start:block]
class TransformerBlock(nn.Module):
    """Pre-LayerNorm decoder block: causal self-attention, then a 4x MLP."""

    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        self.n_heads = n_heads
        self.ln1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.ln2 = nn.LayerNorm(d_model)
        self.fc1 = nn.Linear(d_model, 4 * d_model)
        self.fc2 = nn.Linear(4 * d_model, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.size()
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        # (b, t, d) -> (b, heads, t, d/heads)
        q = q.reshape(b, t, self.n_heads, d // self.n_heads).transpose(1, 2)
        k = k.reshape(b, t, self.n_heads, d // self.n_heads).transpose(1, 2)
        v = v.reshape(b, t, self.n_heads, d // self.n_heads).transpose(1, 2)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(a.transpose(1, 2).reshape(b, t, d))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))
# --8<-- [end:block]


@dataclasses.dataclass(frozen=True)
class Case:
    name: str  # "pointwise", "mlp", "block"
    size: str  # a short label of the size, e.g. "16M" or "b64 w512"
    make_module: Callable[[], nn.Module]
    make_input: Callable[[torch.device], torch.Tensor]
    # For the memory-bound pointwise chain: bytes a fused kernel must move per call.
    min_bytes: int | None = None
    # Matmul FLOPs per call (MLP, block), to report achieved FLOP/s.
    flops: int | None = None


def pointwise(numel: int, label: str) -> Case:
    return Case(
        "pointwise",
        label,
        PointwiseChain,
        lambda dev: torch.randn(numel, device=dev),
        min_bytes=2 * numel * 4,  # read x, write y (float32)
    )


def mlp(batch: int, width: int) -> Case:
    # 2 FLOPs per multiply-add: w*4w + 4w*4w + 4w*w weights, each used once per row.
    flops = 2 * batch * (4 * width * width + 16 * width * width + 4 * width * width)
    return Case("mlp", f"b{batch} w{width}", lambda: MLP(width), lambda dev: torch.randn(batch, width, device=dev), flops=flops)


def block(batch: int, seq: int, d_model: int, n_heads: int) -> Case:
    tokens = batch * seq
    linear = 2 * tokens * (3 * d_model * d_model + d_model * d_model + 8 * d_model * d_model)
    attention = 2 * 2 * batch * seq * seq * d_model // 2  # QK^T and PV, causal: about half
    return Case(
        "block",
        f"b{batch} t{seq} d{d_model}",
        lambda: TransformerBlock(d_model, n_heads),
        lambda dev: torch.randn(batch, seq, d_model, device=dev),
        flops=linear + attention,
    )


def suite(kind: str) -> list[Case]:
    """The sizes each suite times. `tiny` exists for the tests: correctness, not speed."""
    if kind == "tiny":
        return [pointwise(1 << 10, "1K"), mlp(4, 16), block(2, 8, 16, 2)]
    if kind == "cpu":
        return [
            pointwise(1 << 18, "256K"),
            pointwise(1 << 22, "4M"),
            pointwise(1 << 24, "16M"),
            mlp(32, 256),
            mlp(128, 512),
            mlp(256, 1024),
            block(8, 64, 256, 4),
            block(4, 256, 512, 8),
        ]
    if kind == "cuda":
        return [
            pointwise(1 << 20, "1M"),
            pointwise(1 << 24, "16M"),
            pointwise(1 << 28, "256M"),
            mlp(32, 512),
            mlp(4096, 2048),
            block(8, 128, 256, 4),
            block(16, 1024, 1024, 16),
        ]
    raise ValueError(f"unknown suite {kind!r}")
