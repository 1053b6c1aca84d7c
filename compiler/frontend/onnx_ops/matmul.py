"""ONNX Gemm and MatMul -> IR Gemm / MatMul (+ Transpose, Reshape, Mul, Add where needed).

Gemm is normalised to the IR form Y = X·Wᵀ + B with a constant W[N, K]:

- ``transA`` becomes an IR Transpose of A; ``transB`` and ``alpha`` are folded into W;
- a constant C that broadcasts along N only ([N], [1, N], [1], scalar) times
  ``beta`` becomes the bias; any other C becomes an IR Add after the Gemm;
- a non-constant B gives MatMul (then Mul by alpha, Add of beta·C) instead.

MatMul with a 1-D operand is reshaped to 2-D (IR Reshape) and the result back,
following numpy's rules.
"""
from __future__ import annotations

import numpy as np

from ...errors import CompileError
from .registry import converter


def _scalar_const(ctx, node, value: float, what: str):
    return ctx.new_const(f"{node.name}_{what}", np.array([value], dtype=np.float32))


def _gemm_c(ctx, node, c, beta: float, m: int, n: int):
    """(bias value or None, value to Add after the product or None) from Gemm's C and beta."""
    if c is None or beta == 0.0:
        return None, None
    if c.is_const:
        cc = c.const.astype(np.float64) * beta
        try:
            np.broadcast_shapes(cc.shape, (m, n))
        except ValueError:
            raise CompileError(f"Gemm node {node.name!r}: C of shape {list(cc.shape)} does not broadcast "
                               f"to the output [{m}, {n}]") from None
        if cc.ndim <= 2 and cc.size in (1, n) and (cc.ndim < 2 or cc.shape[0] == 1):
            return ctx.new_const(f"{node.name}_bias", np.broadcast_to(cc.reshape(-1), (n,)).astype(np.float32)), None
        return None, ctx.new_const(f"{node.name}_C", cc.astype(np.float32))
    if beta != 1.0:
        c = ctx.emit("Mul", [c, _scalar_const(ctx, node, beta, "beta")], node=node)[0]
    return None, c


@converter("Gemm")
def convert_gemm(ctx, node):
    a, b, c = ctx.input(node, 0), ctx.input(node, 1), ctx.input(node, 2)
    at = ctx.attrs(node)
    alpha, beta = float(at.get("alpha", 1.0)), float(at.get("beta", 1.0))
    trans_a, trans_b = int(at.get("transA", 0)), int(at.get("transB", 0))
    if len(a.shape) != 2 or len(b.shape) != 2:
        raise CompileError(f"Gemm node {node.name!r}: A and B must be 2-D, got {list(a.shape)} and {list(b.shape)}")
    x = ctx.emit("Transpose", [a], {"perm": [1, 0]}, node=node)[0] if trans_a else a
    m, k = x.shape
    n = b.shape[0] if trans_b else b.shape[1]
    k_b = b.shape[1] if trans_b else b.shape[0]
    if k != k_b:
        raise CompileError(f"Gemm node {node.name!r}: inner dims differ: A{'ᵀ' if trans_a else ''} is "
                           f"{list(x.shape)}, B{'ᵀ' if trans_b else ''} has K={k_b}")
    bias, add = _gemm_c(ctx, node, c, beta, m, n)
    if b.is_const:
        wmat = b.const.astype(np.float64)
        w = ctx.new_const(f"{node.name}_W", ((wmat if trans_b else wmat.T) * alpha).astype(np.float32))
        if add is None:
            ctx.emit_for(node, "Gemm", [x, w] + ([bias] if bias is not None else []))
            return
        y = ctx.emit("Gemm", [x, w] + ([bias] if bias is not None else []), node=node)[0]
        ctx.emit_for(node, "Add", [y, add])
        return
    bt = ctx.emit("Transpose", [b], {"perm": [1, 0]}, node=node)[0] if trans_b else b
    steps = []
    if alpha != 1.0:
        steps.append(("Mul", _scalar_const(ctx, node, alpha, "alpha")))
    if bias is not None or add is not None:
        steps.append(("Add", bias if bias is not None else add))
    if not steps:
        ctx.emit_for(node, "MatMul", [x, bt])
        return
    y = ctx.emit("MatMul", [x, bt], node=node)[0]
    for i, (op, operand) in enumerate(steps):
        if i == len(steps) - 1:
            ctx.emit_for(node, op, [y, operand])
        else:
            y = ctx.emit(op, [y, operand], node=node)[0]


@converter("MatMul")
def convert_matmul(ctx, node):
    a, b = ctx.input(node, 0), ctx.input(node, 1)
    ra, rb = len(a.shape), len(b.shape)
    if ra == 0 or rb == 0:
        raise CompileError(f"MatMul node {node.name!r}: operands must have rank >= 1, "
                           f"got {list(a.shape)} and {list(b.shape)}")
    if ra >= 2 and rb >= 2:
        ctx.emit_for(node, "MatMul", [a, b])
        return
    a2 = ctx.emit("Reshape", [a], {"shape": [1, a.shape[0]]}, node=node)[0] if ra == 1 else a
    b2 = ctx.emit("Reshape", [b], {"shape": [b.shape[0], 1]}, node=node)[0] if rb == 1 else b
    y = ctx.emit("MatMul", [a2, b2], node=node)[0]
    shape = list(y.shape)
    if rb == 1:
        shape.pop(-1)
    if ra == 1:
        shape.pop(-1 if rb == 1 else -2)
    ctx.emit_for(node, "Reshape", [y], {"shape": shape})
