"""One pre-LayerNorm transformer encoder block (Vaswani et al. 2017) on ``tokens`` [1, S, D].

    h = x + Wo · Attention(LN1(x))          (H heads of size Dh = D / H)
    y = h + W2 · Gelu(W1 · LN2(h) + b1) + b2

Attention is spelled out with plain ops: Q/K/V = MatMul + Add, Reshape [1, S, H, Dh],
Transpose to heads, MatMul Q·Kᵀ, Div by sqrt(Dh), Softmax, MatMul V, Transpose +
Reshape back. Gelu is either the ``Gelu`` op (opset >= 20) or its Erf form
``0.5·x·(1 + Erf(x/√2))`` (any opset >= 17, where LayerNormalization exists).
Output ``output`` [1, S, D].
"""
from __future__ import annotations

import math

import numpy as np
import onnx

from .layers import NetBuilder


def _linear(b: NetBuilder, x: str, din: int, dout: int, name: str, out: str | None = None) -> str:
    """MatMul with a constant [din, dout] weight (fan-in scaled) + Add bias."""
    w = b.he((din, dout), fan_in=din, gain=1.0)
    bias = (b.rng.standard_normal(dout) * 0.02).astype(np.float32)
    y = b.op("MatMul", [x, b.param(f"{name}.weight", w)], f"{name}.matmul")
    return b.op("Add", [y, b.param(f"{name}.bias", bias)], f"{name}.add", out=out)


def _layer_norm(b: NetBuilder, x: str, d: int, name: str) -> str:
    scale = b.rng.uniform(0.8, 1.2, d).astype(np.float32)
    bias = (b.rng.standard_normal(d) * 0.05).astype(np.float32)
    return b.op("LayerNormalization", [x, b.param(f"{name}.weight", scale), b.param(f"{name}.bias", bias)],
                name, axis=-1, epsilon=1e-5)


def _gelu(b: NetBuilder, x: str, form: str, name: str) -> str:
    if form == "op":
        return b.op("Gelu", [x], name)
    t = b.op("Div", [x, b.const(math.sqrt(2.0))], f"{name}.div")
    t = b.op("Erf", [t], f"{name}.erf")
    t = b.op("Add", [t, b.const(1.0)], f"{name}.add")
    t = b.op("Mul", [x, t], f"{name}.mul")
    return b.op("Mul", [t, b.const(0.5)], f"{name}.half")


def build(seq: int = 64, d_model: int = 128, heads: int = 4, mlp_ratio: int = 4, gelu: str = "erf",
          opset: int = 17, seed: int = 0) -> onnx.ModelProto:
    """The block above; ``gelu`` is ``erf`` (the Erf form) or ``op`` (the Gelu op, opset >= 20)."""
    if not 17 <= opset <= 21:
        raise ValueError(f"transformer_block: opset {opset} not supported (LayerNormalization needs 17..21)")
    if gelu not in ("erf", "op"):
        raise ValueError(f"transformer_block: gelu must be 'erf' or 'op', got {gelu!r}")
    if gelu == "op" and opset < 20:
        raise ValueError(f"transformer_block: gelu='op' needs opset >= 20 (the Gelu op), got opset {opset}")
    if seq < 1 or heads < 1 or d_model % heads:
        raise ValueError(f"transformer_block: need seq >= 1 and d_model ({d_model}) divisible by heads ({heads})")
    dh = d_model // heads
    b = NetBuilder("transformer_block", seed)
    x = b.input("tokens", [1, seq, d_model])

    h = _layer_norm(b, x, d_model, "attn.norm")
    to_heads = b.const([1, seq, heads, dh], np.int64)
    q, k, v = (b.op("Reshape", [_linear(b, h, d_model, d_model, f"attn.{p}"), to_heads], f"attn.{p}.split_heads")
               for p in ("q", "k", "v"))
    q = b.op("Transpose", [q], "attn.q.transpose", perm=[0, 2, 1, 3])  # [1, H, S, Dh]
    kt = b.op("Transpose", [k], "attn.k.transpose", perm=[0, 2, 3, 1])  # [1, H, Dh, S]
    v = b.op("Transpose", [v], "attn.v.transpose", perm=[0, 2, 1, 3])  # [1, H, S, Dh]
    s = b.op("MatMul", [q, kt], "attn.scores")
    s = b.op("Div", [s, b.const(math.sqrt(dh))], "attn.scale")
    p = b.op("Softmax", [s], "attn.softmax", axis=-1)
    o = b.op("MatMul", [p, v], "attn.context")  # [1, H, S, Dh]
    o = b.op("Transpose", [o], "attn.merge.transpose", perm=[0, 2, 1, 3])
    o = b.op("Reshape", [o, b.const([1, seq, d_model], np.int64)], "attn.merge_heads")
    o = _linear(b, o, d_model, d_model, "attn.out")
    x = b.op("Add", [x, o], "attn.residual")

    h = _layer_norm(b, x, d_model, "mlp.norm")
    h = _linear(b, h, d_model, d_model * mlp_ratio, "mlp.fc1")
    h = _gelu(b, h, gelu, "mlp.gelu")
    h = _linear(b, h, d_model * mlp_ratio, d_model, "mlp.fc2")
    b.op("Add", [x, h], "mlp.residual", out="output")
    doc = (f"Pre-LN transformer encoder block: seq {seq}, d_model {d_model}, {heads} heads, MLP x{mlp_ratio} "
           f"with Gelu ({'Gelu op' if gelu == 'op' else 'Erf form'}); random weights (seed {seed}).")
    return b.model([("output", [1, seq, d_model])], doc, opset)
