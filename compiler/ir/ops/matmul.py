"""Gemm (fully connected layer with constant weights) and MatMul (batched, broadcast).

Gemm is the normalised form: Y[M,N] = X[M,K] · W[N,K]ᵀ + B[N]; the frontend folds
ONNX's transA/transB/alpha/beta/C into it. Both carry the fused activation
epilogue. References accumulate in float64 and return float32.
"""
from __future__ import annotations

import numpy as np

from .activation import apply_activation, check_activation
from .registry import ACTIVATION_ATTRS, SPARSITY_ATTRS, ShapeError, op


@op("Gemm", attrs={**ACTIVATION_ATTRS, **SPARSITY_ATTRS}, n_inputs=(2, 3))
class Gemm:
    @staticmethod
    def infer(in_shapes, attrs):
        x, w = in_shapes[0], in_shapes[1]
        b = in_shapes[2] if len(in_shapes) > 2 else None
        if x is None or len(x) != 2:
            raise ShapeError(f"X must be 2-D [M, K], got {None if x is None else list(x)}")
        if w is None or len(w) != 2:
            raise ShapeError(f"W must be 2-D [N, K], got {None if w is None else list(w)}")
        if x[1] != w[1]:
            raise ShapeError(f"inner dims differ: X is {list(x)} ([M, K]), W is {list(w)} ([N, K])")
        if b is not None and tuple(b) != (w[0],):
            raise ShapeError(f"bias must have shape [{w[0]}], got {list(b)}")
        check_activation(attrs["activation"], attrs["activation_params"])
        return [(int(x[0]), int(w[0]))]

    @staticmethod
    def evaluate(inputs, attrs):
        x = np.asarray(inputs[0], dtype=np.float64)
        w = np.asarray(inputs[1], dtype=np.float64)
        y = x @ w.T
        if len(inputs) > 2 and inputs[2] is not None:
            y = y + np.asarray(inputs[2], dtype=np.float64)
        return [apply_activation(y, attrs["activation"], attrs["activation_params"])]


def matmul_shape(a, b) -> tuple[int, ...]:
    """Output shape of a batched matmul of a[..., M, K] and b[..., K, N] (ranks >= 2)."""
    if a is None or b is None or len(a) < 2 or len(b) < 2:
        raise ShapeError(f"both inputs must have rank >= 2, got {None if a is None else list(a)} and "
                         f"{None if b is None else list(b)}")
    if a[-1] != b[-2]:
        raise ShapeError(f"inner dims differ: A is {list(a)} ([..., M, K]), B is {list(b)} ([..., K, N])")
    try:
        batch = np.broadcast_shapes(tuple(a[:-2]), tuple(b[:-2]))
    except ValueError:
        raise ShapeError(f"batch dims {list(a[:-2])} and {list(b[:-2])} do not broadcast") from None
    return tuple(int(d) for d in batch) + (int(a[-2]), int(b[-1]))


@op("MatMul", attrs={**ACTIVATION_ATTRS, **SPARSITY_ATTRS}, n_inputs=(2, 2))
class MatMul:
    @staticmethod
    def infer(in_shapes, attrs):
        check_activation(attrs["activation"], attrs["activation_params"])
        return [matmul_shape(in_shapes[0], in_shapes[1])]

    @staticmethod
    def evaluate(inputs, attrs):
        a = np.asarray(inputs[0], dtype=np.float64)
        b = np.asarray(inputs[1], dtype=np.float64)
        matmul_shape(a.shape, b.shape)
        return [apply_activation(np.matmul(a, b), attrs["activation"], attrs["activation_params"])]
