"""Kernel specs of the sparse family (runtime: ``runtime_cpp/kernels/ops/spmm_ops.cc``).

``spmm-g<G>`` (G in 1, 2, 4, 8) for a group-1 ``Conv`` with constant W and
constant (or absent) bias whose W is sparse in groups of G consecutive output
channels x 1 input channel (x the whole kernel). 1x1, stride 1, no padding,
dilation 1: an NCHW SpMM ``Y[M, HW] = W[M, C] . X[C, HW]``; any other geometry
(k x k, strided, padded, dilated): the same kernel over the direct conv's phase
planes (runtime ``ops/spmm_kxk.h``), W read as ``[M, C*kh*kw]`` -- every
(input channel, tap) a pseudo-channel, so a zeroed group is kh*kw dropped
pseudo-groups and lone zero taps are dropped too. Whether a node runs sparse is not decided
here: ``applies`` only says the kernel *can* run the node; the cost model
(``compiler/lower/cost_model.py``) picks dense or sparse and the pattern.

Packing (docs/kernels.md, "spmm"; C++ twin ``pack_dense`` in
``runtime_cpp/kernels/spmm/spmm-driver.h``): groups whose G weights are all
exactly 0.0 are dropped. The node's inputs become ``[X, values]`` with
``values`` a 1-D constant holding, per group row (output channels
``[r*G, r*G + G)``), G bias values then G weights per nonzero group (channels
past M padded with 0); attributes ``spmm_weight_shape = [M, C, kh, kw]`` and
``spmm_index`` = per group row the nonzero count, then the input-channel
deltas of one running sequence over all rows (first relative to channel 0).
"""
from __future__ import annotations

import numpy as np

from ...ir import Graph, Node, Value
from . import KernelSpec, Packed, register
from .gemm import conv_gemm_kind

PATTERNS = (1, 2, 4, 8)


def conv_weight_2d(node: Node) -> np.ndarray:
    """W [M, C, kh, kw] of a Conv as float32 [M, C*kh*kw] (the pseudo-channels of a k x k conv)."""
    w = node.inputs[1]
    return np.asarray(w.const, dtype=np.float32).reshape(w.shape[0], -1)


def group_nonzero(w2d: np.ndarray, g: int) -> np.ndarray:
    """bool [rows, C]: True where the group (G output channels of row r, input channel c) has a nonzero."""
    m, c = w2d.shape
    rows = -(-m // g)
    padded = np.zeros((rows * g, c), dtype=np.float32)
    padded[:m] = w2d
    return (padded.reshape(rows, g, c) != 0).any(axis=1)


def zero_group_fraction(w2d: np.ndarray, g: int) -> float:
    """Fraction of whole groups of pattern g that are exactly zero."""
    nz = group_nonzero(w2d, g)
    return 1.0 - float(nz.sum()) / nz.size if nz.size else 0.0


def pack_spmm(w2d: np.ndarray, bias: np.ndarray | None, g: int) -> tuple[list[int], np.ndarray]:
    """(index ints, values float32) of W [M, C] (and bias [M]) for pattern g."""
    m, c = w2d.shape
    rows = -(-m // g)
    wp = np.zeros((rows * g, c), dtype=np.float32)
    wp[:m] = w2d
    bp = np.zeros(rows * g, dtype=np.float32)
    if bias is not None:
        bp[:m] = bias
    nz = (wp.reshape(rows, g, c) != 0).any(axis=1)
    index: list[int] = []
    chunks = []
    prev = 0
    for r in range(rows):
        chans = np.flatnonzero(nz[r])
        deltas = np.diff(chans, prepend=prev) if chans.size else chans
        if chans.size:
            prev = int(chans[-1])
        index.append(int(chans.size))
        index.extend(int(d) for d in deltas)
        chunks.append(bp[r * g:(r + 1) * g])
        chunks.append(np.ascontiguousarray(wp[r * g:(r + 1) * g, chans].T).ravel())
    return index, np.concatenate(chunks).astype(np.float32)


def spmm_applies(node: Node) -> bool:
    """A group-1 Conv with constant W and a constant or absent bias: 1x1 stride 1 as an
    NCHW SpMM, any other geometry over the direct conv's phase planes (not huge ones)."""
    from .igemm import MAX_PLANE_FLOATS, plane_floats

    kind = conv_gemm_kind(node)
    if kind is None or (kind == "im2col" and plane_floats(node) > MAX_PLANE_FLOATS):
        return False
    b = node.inputs[2] if len(node.inputs) > 2 else None
    return b is None or b.is_const


def _pack(g: int):
    def pack(node: Node, graph: Graph) -> Packed:
        w = node.inputs[1]
        b = node.inputs[2] if len(node.inputs) > 2 else None
        bias = None if b is None else np.asarray(b.const, dtype=np.float32).ravel()
        index, values = pack_spmm(conv_weight_2d(node), bias, g)
        v = Value.constant(graph.unique_name(f"{w.name}.spmm_g{g}"), values)
        return Packed([node.inputs[0], v], {
            "spmm_weight_shape": ("ints", [int(d) for d in w.shape]),
            "spmm_index": ("ints", index),
        })
    return pack


def is_sparse_spec(spec: KernelSpec) -> bool:
    """True for the specs of this family (the cost model decides between them and dense)."""
    return any(f in ("spmm", "spmv") for f, _ in spec.requires)


def pattern_of(spec: KernelSpec) -> int:
    return int(spec.name.rsplit("-g", 1)[1])


for _g in PATTERNS:
    register(KernelSpec(name=f"spmm-g{_g}", op="Conv", requires=(("spmm", f"g{_g}"),),
                        applies=spmm_applies, pack=_pack(_g)))
