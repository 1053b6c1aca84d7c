"""Kernel specs ``pgemm-<PT>x<NR>`` for Conv (runtime: ``runtime_cpp/kernels/ops/pgemm_ops.cc``,
driver ``ops/pgemm_driver.h``): the pixel-broadcast GEMM, output channels as the vector
operand, PT pixels broadcast per tile.

``pgemm-7x48`` (AVX-512) is for convs whose output plane is small. The column tiles
(``gemm-<t>``, ``igemm-<t>``) put pixels in vector lanes: a 7x7 output (49 pixels) fills
64 lanes, and igemm's wide columns of a padded 7x7 plane are 63. ``pgemm`` puts 48
output channels in three vectors and broadcasts 7 pixels, so every lane is a channel
(channel counts are multiples of 16 in these networks) and a 7x7 plane is exactly seven
tiles. On larger planes the column tiles fill their lanes and store rows directly, where
this kernel stores its tile transposed through the stack, so it is used only where the
plane is small (``pgemm_applies``). Measured (single-conv models, this kernel and the one
it replaces forced on the same conv, 300 interleaved runs, 1 thread, AVX-512;
docs/kernels.md, "pgemm"): ResNet-18 layer4 3x3 512 @7 0.84x of igemm-12x32's time,
MobileNet-v1 pw12 / pw13 @7 0.95x / 0.94x of gemm-12x32's, MobileNet-v2 960->160 @7
0.83x but 160->960 1.04x (hence MIN_K); 14x14 planes even or slower (hence MAX_PIXELS).

``pgemm-6x16`` (AVX2) is for every k x k conv with at least MIN_K products per output,
whatever its plane (``pgemm_kxk_applies``). Likely why (from the access pattern, not
measured with counters): igemm-6x16 reads each k step's 16 pixels as two loads from a
window of the phase planes shifted by the tap, mostly splitting a cache line, where this
tile loads one 64-byte line of packed weights and broadcasts six pixels, its k blocks
of weights staying in L1. Measured with bench_gemm (same run, 1 thread, AMD
Zen 4, AVX2; docs/kernels.md, "pgemm"): ResNet-18 3x3 layers 0.72-0.90x of igemm's
time on every plane from 56x56 to 7x7; the stems (K = 27, 147) and the 1x1 convs were
slower than their column tiles, so they keep them.

Weights: B-panels of W^T (NR channels per panel, [K][nq]), W viewed as [M, C*kh*kw];
the packed constant keeps the original shape. ``pgemm-7x48`` is registered by
``gemm.py`` before every column tile's spec, ``pgemm-6x16`` just before igemm-6x16, so
each wins where it applies on a target with its SIMD row; elsewhere (NEON, WASM) only
the scalar rows exist and the gemm tiles are chosen.
"""
from __future__ import annotations

import numpy as np

from ...ir import Graph, Node
from . import KernelSpec, Packed

PT, NR = 7, 48       # the small-plane tile (AVX-512)
MAX_PIXELS = 64      # output planes up to 8x8: where the column tiles waste lanes
MIN_K = 256          # below, the transposed tile store is a visible share (MobileNet-v2 160->960 @7: 1.04x)


def pgemm_applies(node: Node) -> bool:
    """A group-1 Conv with constant W, at most MAX_PIXELS output pixels per image and
    at least MIN_K products per output (phase planes within the igemm limit when it is
    not a plain 1x1)."""
    from .gemm import conv_gemm_kind
    from .igemm import MAX_PLANE_FLOATS, plane_floats

    kind = conv_gemm_kind(node)
    if kind is None:
        return False
    y = node.outputs[0].shape
    if len(y) != 4 or int(y[2]) * int(y[3]) > MAX_PIXELS:
        return False
    w = node.inputs[1].shape
    if int(w[1]) * int(w[2]) * int(w[3]) < MIN_K:
        return False
    return kind == "gemm" or plane_floats(node) <= MAX_PLANE_FLOATS


def pgemm_kxk_applies(node: Node) -> bool:
    """A k x k group-1 Conv igemm can run (phase planes within the limit; not 1x1) with
    at least MIN_K products per output, whatever its output plane."""
    from .igemm import igemm_applies

    if not igemm_applies(node):
        return False
    w = node.inputs[1].shape
    return int(w[1]) * int(w[2]) * int(w[3]) >= MIN_K


def _pack(pt: int, nr: int):
    def pack(node: Node, graph: Graph) -> Packed:
        from .gemm import _packed_value, pack_b_panels

        w = node.inputs[1]
        w2 = np.asarray(w.const, dtype=np.float32).reshape(w.shape[0], -1)
        flat = pack_b_panels(np.ascontiguousarray(w2.T), nr)
        return Packed([node.inputs[0], _packed_value(graph, w, flat, f"pgemm{pt}x{nr}"), *node.inputs[2:]])
    return pack


def _spec(pt: int, nr: int, applies) -> KernelSpec:
    return KernelSpec(name=f"pgemm-{pt}x{nr}", op="Conv", requires=(("pgemm", f"{pt}x{nr}"),),
                      applies=applies, pack=_pack(pt, nr))


SPEC = _spec(PT, NR, pgemm_applies)          # registered by gemm.py, ahead of the column tiles
SPEC_KXK = _spec(6, 16, pgemm_kxk_applies)   # registered by gemm.py, just before igemm-6x16
