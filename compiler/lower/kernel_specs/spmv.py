"""Kernel specs of the sparse-rows family (runtime: ``runtime_cpp/kernels/ops/spmv_ops.cc``).

``spmm-g<G>`` (G in 1, 2, 4, 8) for ``Gemm`` (constant W [N, K], constant or
absent bias) and for ``MatMul`` with a constant rank-2 B (the weight is then
``W = B^T`` [N, K]): the weight sparse in groups of G consecutive output
features x 1 input feature -- the same groups ``group_sparsity`` zeroes. The
same kernel name as the sparse 1x1 Conv, so a model reads "spmm-g4" wherever
a layer runs sparse; the micro-kernel family differs (``spmv``: a group's G
weights are one vector, the rows of X are broadcast), because a classifier at
batch 1 has a single "pixel" and the Conv kernel's pixel vectors would be
one lane wide. As with ``spmm``, ``applies`` only says the kernel can run the
node; the cost model picks dense or sparse.

Packing: the spmm layout (``spmm.pack_spmm``): inputs become ``[X, values]``,
attributes ``spmm_weight_shape = [N, K]`` and ``spmm_index``.
"""
from __future__ import annotations

import numpy as np

from ...ir import Graph, Node, Value
from . import KernelSpec, Packed, register
from .spmm import PATTERNS, pack_spmm

MAX_ROWS = 64   # beyond this many rows the dense GEMM's register tiles win (and the rows are not a GEMV)


def _const(v) -> bool:
    return v is not None and v.is_const


def weight_2d(node: Node) -> np.ndarray:
    """The weight as W [N, K] float32: Gemm's W, MatMul's B transposed."""
    w = np.asarray(node.inputs[1].const, dtype=np.float32)
    return w if node.op == "Gemm" else np.ascontiguousarray(w.T)


def rows_of(node: Node) -> int:
    """Rows of X the layer multiplies (MatMul: the batch dims folded in)."""
    x = node.inputs[0].shape
    return int(np.prod(x[:-1])) if len(x) >= 2 else 0


def spmv_applies(node: Node) -> bool:
    if len(node.inputs) < 2 or node.inputs[0] is None or not _const(node.inputs[1]):
        return False
    x, w = tuple(node.inputs[0].shape), tuple(node.inputs[1].shape)
    if node.op == "Gemm":
        b = node.inputs[2] if len(node.inputs) > 2 else None
        if len(x) != 2 or len(w) != 2 or x[1] != w[1] or not (b is None or (b.is_const and tuple(b.shape) == (w[0],))):
            return False
    elif node.op == "MatMul":
        if len(node.inputs) != 2 or len(x) < 2 or len(w) != 2 or x[-1] != w[0]:
            return False
    else:
        return False
    return 1 <= rows_of(node) <= MAX_ROWS and min(w) >= 1


def _pack(g: int):
    def pack(node: Node, graph: Graph) -> Packed:
        w2d = weight_2d(node)
        b = node.inputs[2] if node.op == "Gemm" and len(node.inputs) > 2 else None
        bias = None if b is None else np.asarray(b.const, dtype=np.float32).ravel()
        index, values = pack_spmm(w2d, bias, g)
        v = Value.constant(graph.unique_name(f"{node.inputs[1].name}.spmv_g{g}"), values)
        return Packed([node.inputs[0], v], {
            "spmm_weight_shape": ("ints", [int(d) for d in w2d.shape]),
            "spmm_index": ("ints", index),
        })
    return pack


for _g in PATTERNS:
    for _op in ("Gemm", "MatMul"):
        register(KernelSpec(name=f"spmm-g{_g}", op=_op, requires=(("spmv", f"g{_g}"),),
                            applies=spmv_applies, pack=_pack(_g)))
