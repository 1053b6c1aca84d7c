"""Kernel specs of the GEMM family (runtime: ``runtime_cpp/kernels/ops/gemm_ops.cc``).

Per tile ``t`` of ``TILES`` (preference order; the selector prefers a tile the
target has a SIMD row for: 12x32 on AVX-512, 6x16 on AVX2, 8x8 on NEON, 4x8 on
WASM SIMD; for Conv on AVX-512 the 8x48 tile comes first where ``gemm_tiles``
expects it to be faster):

* ``gemm-<t>`` for ``Conv``: 1x1, stride 1, no padding, dilation 1, group 1,
  constant W -- an NCHW GEMM ``Y[M, HW] = W[M, C] . X[C, HW]``;
* ``igemm-<t>`` (12x32, 6x16: the tiles with igemm rows) for every other
  group-1 ``Conv`` with constant W: a direct conv over phase planes, no im2col
  matrix (``igemm.py``); registered before ``im2col-gemm-<t>``, so preferred;
* ``im2col-gemm-<t>`` for the same convs (the fallback: other tiles, huge planes);
* ``gemm-<t>`` for ``Gemm`` (constant W [N, K]) and for ``MatMul`` with a
  constant rank-2 B (A's batch dims fold into rows);
* ``bmm-<t>`` for ``MatMul`` of two run-time operands (attention: Q.K^T and
  P.V), batch dims broadcast; nothing is packed, the kernel reads B in place.

Packing (layouts in docs/kernels.md, "gemm"; C++ twins in
``runtime_cpp/kernels/ops/gemm_driver.cc``): Conv weights become MR-row panels
("A-panels"), Gemm/MatMul weights NR-column panels ("B-panels"). A packed
constant has exactly the original element count and keeps the original shape;
only the order of the floats changes, so no attribute is added.
"""
from __future__ import annotations

import numpy as np

from ...ir import Graph, Node, Value
from . import KernelSpec, Packed, register
from .gemm_tiles import prefers_8x48
from .pgemm import SPEC as PGEMM_SPEC, SPEC_KXK as PGEMM_KXK_SPEC
from .igemm import IGEMM_TILES, igemm_applies

TILES = ((12, 32), (6, 16), (8, 8), (4, 8))


def pack_a_panels(w: np.ndarray, mr: int) -> np.ndarray:
    """W [M, K] -> panels of ``mr`` rows, each stored [K][rows] (last panel narrower)."""
    m = w.shape[0]
    return np.concatenate([np.ascontiguousarray(w[m0:m0 + mr].T).ravel() for m0 in range(0, m, mr)])


def pack_b_panels(b: np.ndarray, nr: int) -> np.ndarray:
    """B [K, N] -> panels of ``nr`` columns, each stored [K][cols] (last panel narrower)."""
    n = b.shape[1]
    return np.concatenate([np.ascontiguousarray(b[:, n0:n0 + nr]).ravel() for n0 in range(0, n, nr)])


def _const(v: Value | None) -> bool:
    return v is not None and v.is_const


def _ints(node: Node, key: str, default: list[int]) -> list[int]:
    return [int(x) for x in node.attrs.get(key, default)]


def _bias_ok(node: Node, m: int) -> bool:
    return len(node.inputs) < 3 or node.inputs[2] is None or tuple(node.inputs[2].shape) == (m,)


def conv_gemm_kind(node: Node) -> str | None:
    """"gemm" (1x1 NCHW GEMM), "im2col" (k x k) or None for a Conv this family cannot run."""
    if node.op != "Conv" or len(node.inputs) < 2 or node.inputs[0] is None or not _const(node.inputs[1]):
        return None
    x, w = node.inputs[0].shape, node.inputs[1].shape
    if len(x) != 4 or len(w) != 4 or int(node.attrs.get("group", 1)) != 1 or w[1] != x[1]:
        return None
    if not _bias_ok(node, w[0]):
        return None
    pointwise = (w[2], w[3]) == (1, 1) and _ints(node, "strides", [1, 1]) == [1, 1] \
        and _ints(node, "dilations", [1, 1]) == [1, 1] and _ints(node, "pads", [0, 0, 0, 0]) == [0, 0, 0, 0]
    return "gemm" if pointwise else "im2col"


def _gemm_applies(node: Node) -> bool:
    if len(node.inputs) < 2 or node.inputs[0] is None or not _const(node.inputs[1]):
        return False
    x, w = node.inputs[0].shape, node.inputs[1].shape
    return len(x) == 2 and len(w) == 2 and x[1] == w[1] and _bias_ok(node, w[0])


def _matmul_applies(node: Node) -> bool:
    if len(node.inputs) != 2 or node.inputs[0] is None or not _const(node.inputs[1]):
        return False
    a, b = node.inputs[0].shape, node.inputs[1].shape
    return len(a) >= 2 and len(b) == 2 and a[-1] == b[0]


def _bmm_applies(node: Node) -> bool:
    """MatMul of two run-time operands (rank >= 2, batch dims broadcast): B read in place."""
    if len(node.inputs) != 2 or any(v is None for v in node.inputs) or _const(node.inputs[1]):
        return False
    a, b = tuple(node.inputs[0].shape), tuple(node.inputs[1].shape)
    if len(a) < 2 or len(b) < 2 or a[-1] != b[-2] or min(a + b) < 1:
        return False
    try:
        np.broadcast_shapes(a[:-2], b[:-2])
    except ValueError:
        return False
    return True


def _packed_value(graph: Graph, v: Value, flat: np.ndarray, tag: str) -> Value:
    arr = np.ascontiguousarray(flat, dtype=np.float32).reshape(v.shape)
    return Value.constant(graph.unique_name(f"{v.name}.{tag}"), arr)


def _pack_conv(mr: int, nr: int):
    def pack(node: Node, graph: Graph) -> Packed:
        w = node.inputs[1]
        flat = pack_a_panels(np.asarray(w.const, dtype=np.float32).reshape(w.shape[0], -1), mr)
        return Packed([node.inputs[0], _packed_value(graph, w, flat, f"panels{mr}x{nr}"), *node.inputs[2:]])
    return pack


def _pack_gemm(mr: int, nr: int):
    def pack(node: Node, graph: Graph) -> Packed:
        w = node.inputs[1]  # [N, K]: Y = X . W^T
        flat = pack_b_panels(np.asarray(w.const, dtype=np.float32).T, nr)
        return Packed([node.inputs[0], _packed_value(graph, w, flat, f"panels{mr}x{nr}"), *node.inputs[2:]])
    return pack


def _pack_matmul(mr: int, nr: int):
    def pack(node: Node, graph: Graph) -> Packed:
        b = node.inputs[1]  # [K, N]
        flat = pack_b_panels(np.asarray(b.const, dtype=np.float32), nr)
        return Packed([node.inputs[0], _packed_value(graph, b, flat, f"panels{mr}x{nr}")])
    return pack


# pgemm (channels as vectors) for Conv on small planes, ahead of every column tile
register(PGEMM_SPEC)
# 8x48 (AVX-512) for Conv only, ahead of 12x32, where gemm_tiles' model expects it to be at
# least as fast; elsewhere the specs below apply (Gemm/MatMul keep 12x32: batch-1 rows).
register(KernelSpec(name="gemm-8x48", op="Conv", requires=(("gemm", "8x48"),),
                    applies=lambda n: conv_gemm_kind(n) == "gemm" and prefers_8x48(n, "gemm"),
                    pack=_pack_conv(8, 48)))
register(KernelSpec(name="igemm-8x48", op="Conv", requires=(("igemm", "8x48"),),
                    applies=lambda n: igemm_applies(n) and prefers_8x48(n, "igemm"), pack=_pack_conv(8, 48)))
register(KernelSpec(name="im2col-gemm-8x48", op="Conv", requires=(("gemm", "8x48"),),
                    applies=lambda n: conv_gemm_kind(n) == "im2col" and prefers_8x48(n, "im2col"),
                    pack=_pack_conv(8, 48)))

for _mr, _nr in TILES:
    _tile = f"{_mr}x{_nr}"
    _req = (("gemm", _tile),)
    register(KernelSpec(name=f"gemm-{_tile}", op="Conv", requires=_req,
                        applies=lambda n: conv_gemm_kind(n) == "gemm", pack=_pack_conv(_mr, _nr)))
    if _tile == "6x16":  # AVX2: k x k convs with the pixel-broadcast tile (pgemm.py)
        register(PGEMM_KXK_SPEC)
    if (_mr, _nr) in IGEMM_TILES:
        register(KernelSpec(name=f"igemm-{_tile}", op="Conv", requires=(("igemm", _tile),),
                            applies=igemm_applies, pack=_pack_conv(_mr, _nr)))
    register(KernelSpec(name=f"im2col-gemm-{_tile}", op="Conv", requires=_req,
                        applies=lambda n: conv_gemm_kind(n) == "im2col", pack=_pack_conv(_mr, _nr)))
    register(KernelSpec(name=f"gemm-{_tile}", op="Gemm", requires=_req, applies=_gemm_applies,
                        pack=_pack_gemm(_mr, _nr)))
    register(KernelSpec(name=f"gemm-{_tile}", op="MatMul", requires=_req, applies=_matmul_applies,
                        pack=_pack_matmul(_mr, _nr)))
    register(KernelSpec(name=f"bmm-{_tile}", op="MatMul", requires=_req, applies=_bmm_applies))
