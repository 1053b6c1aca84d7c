"""Kernel specs of the vector family: kernel ``vector`` for unary activations,
binary elementwise ops and GlobalAveragePool.

Mirrors ``runtime_cpp/kernels/ops/vector_ops.cc``. Binary ops run three
broadcast patterns (:func:`binary_pattern`): same shape, a single-element
operand, and "block" broadcast where the smaller operand's non-1 dims form one
contiguous run equal to the output's (SE-block Mul [N,C,H,W]*[N,C,1,1], bias
Add [N,C,H,W]+[1,C,1,1], row Add [M,N]+[N]); anything else stays on "ref".
No packing. Notes: docs/kernels.md, "vector".
"""
from __future__ import annotations

import math

from ...ir import Node
from . import KernelSpec, register

UNARY_OPS = ("Relu", "Sigmoid", "HardSwish", "Tanh", "Clip", "LeakyRelu", "HardSigmoid", "Gelu")
BINARY_OPS = ("Add", "Sub", "Mul", "Div", "Max", "Min")


def _broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    rank = max(len(a), len(b))
    a = (1,) * (rank - len(a)) + tuple(a)
    b = (1,) * (rank - len(b)) + tuple(b)
    out = []
    for da, db in zip(a, b):
        if da != db and da != 1 and db != 1:
            return None
        out.append(max(da, db))
    return tuple(out)


def binary_pattern(a: tuple[int, ...], b: tuple[int, ...]) -> str | None:
    """"same", "scalar", "block" or None (unsupported): the runtime's rule."""
    y = _broadcast(a, b)
    if y is None:
        return None
    n, na, nb = math.prod(y), math.prod(a), math.prod(b)
    if na == n and nb == n:
        return "same"
    if na != n and nb != n:
        return None
    small = b if na == n else a
    if math.prod(small) == 1:
        return "scalar"
    off = len(y) - len(small)
    idx = [off + i for i, d in enumerate(small) if d != 1]
    p, q = idx[0], idx[-1] + 1
    if all(small[i - off] == y[i] for i in range(p, q)):
        return "block"
    return None


def _binary_applies(node: Node) -> bool:
    if len(node.inputs) != 2 or any(v is None for v in node.inputs):
        return False
    return binary_pattern(tuple(node.inputs[0].shape), tuple(node.inputs[1].shape)) is not None


def _unary_applies(node: Node) -> bool:
    if node.op == "Clip":
        return not any(math.isnan(float(node.attrs[k])) for k in ("min", "max") if k in node.attrs)
    return True


def _gap_applies(node: Node) -> bool:
    return node.inputs[0] is not None and len(node.inputs[0].shape) >= 3


for _op in UNARY_OPS:
    register(KernelSpec(name="vector", op=_op, requires=(("vact", ""),), applies=_unary_applies))
for _op in BINARY_OPS:
    register(KernelSpec(name="vector", op=_op, requires=(("vbinary", ""), ("vbinaryc", "")),
                        applies=_binary_applies))
register(KernelSpec(name="vector", op="GlobalAveragePool", requires=(("vsum", ""),), applies=_gap_applies))
