"""Kernel spec ``pgemm-7x48`` for Conv (runtime: ``runtime_cpp/kernels/ops/pgemm_ops.cc``,
driver ``ops/pgemm_driver.h``): the pixel-broadcast GEMM, output channels as the vector
operand, for convs whose output plane is small.

The column tiles (``gemm-<t>``, ``igemm-<t>``) put pixels in vector lanes: a 7x7 output
(49 pixels) fills 64 lanes, and igemm's wide columns of a padded 7x7 plane are 63.
``pgemm`` puts 48 output channels in three vectors and broadcasts 7 pixels, so every
lane is a channel (channel counts are multiples of 16 in these networks) and a 7x7
plane is exactly seven tiles. On larger planes the column tiles fill their lanes and
store rows directly, where this kernel stores its tile transposed through the stack,
so it is used only where the plane is small (``applies``).

Measured (single-conv models, this kernel and the one it replaces forced on the same
conv, 300 interleaved runs, 1 thread, AVX-512; docs/kernels.md, "pgemm"): ResNet-18
layer4 3x3 512 @7 0.84x of igemm-12x32's time, MobileNet-v1 pw12 / pw13 @7 0.95x /
0.94x of gemm-12x32's, MobileNet-v2 960->160 @7 0.83x but 160->960 1.04x (hence
MIN_K); 14x14 planes even or slower (hence MAX_PIXELS).

Weights: B-panels of W^T (48 channels per panel, [K][nq]), W viewed as [M, C*kh*kw];
the packed constant keeps the original shape. Registered by ``gemm.py`` before the
column tiles' specs, so it wins where it applies on a target with its SIMD row;
elsewhere (AVX2, NEON, WASM) only its scalar row exists and the gemm tiles are chosen.
"""
from __future__ import annotations

import numpy as np

from ...ir import Graph, Node
from . import KernelSpec, Packed

PT, NR = 7, 48
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


def _pack(node: Node, graph: Graph) -> Packed:
    from .gemm import _packed_value, pack_b_panels

    w = node.inputs[1]
    w2 = np.asarray(w.const, dtype=np.float32).reshape(w.shape[0], -1)
    flat = pack_b_panels(np.ascontiguousarray(w2.T), NR)
    return Packed([node.inputs[0], _packed_value(graph, w, flat, f"pgemm{PT}x{NR}"), *node.inputs[2:]])


SPEC = KernelSpec(name=f"pgemm-{PT}x{NR}", op="Conv", requires=(("pgemm", f"{PT}x{NR}"),),
                  applies=pgemm_applies, pack=_pack)   # registered by gemm.py, ahead of the column tiles
