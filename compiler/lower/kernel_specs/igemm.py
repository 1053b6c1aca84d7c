"""Applicability of the direct-conv GEMM kernel ``igemm-<MR>x<NR>`` (runtime:
``prepare_conv`` with ``ConvPath::igemm`` in ``runtime_cpp/kernels/ops/gemm_ops.cc``,
driver ``runtime_cpp/kernels/ops/igemm_driver.{h,cc}``).

A group-1 ``Conv`` that is not the plain 1x1/stride-1/pad-0 case runs as a GEMM
whose B rows are read in place from zero-padded *phase planes* of the input (one
plane per stride phase a tap reads) through a K-entry offset table: no im2col
matrix. The weights are packed exactly as for ``im2col-gemm`` (A-panels of
W [M, C*kh*kw]), so the specs are registered by ``gemm.py``, each ``igemm-<t>``
just before ``im2col-gemm-<t>`` (preferred where it applies). ``im2col-gemm``
stays the fallback: targets without a SIMD igemm row (NEON, WASM SIMD) and convs
whose phase planes would exceed ``MAX_PLANE_FLOATS`` (the runtime's
``igemm::kMaxPlaneFloats``), and 1x1 kernels with strides or pads (measured).
"""
from __future__ import annotations

from ...ir import Node

MAX_PLANE_FLOATS = 1 << 26
# the gemm tiles that have igemm rows in kernels.def (and op bindings in gemm_ops.cc)
IGEMM_TILES = ((12, 32), (6, 16))   # (8, 48) too, registered separately in gemm.py


def plane_floats(node: Node) -> int:
    """Floats of one image's phase planes (the C++ DirectConv::plane_floats)."""
    _, c, h, w = (int(v) for v in node.inputs[0].shape)
    kh, kw = (int(v) for v in node.inputs[1].shape[2:])
    sh, sw = (int(v) for v in node.attrs.get("strides", [1, 1]))
    dh, dw = (int(v) for v in node.attrs.get("dilations", [1, 1]))
    pt, pl, pb, pr = (int(v) for v in node.attrs.get("pads", [0, 0, 0, 0]))
    hq, wq = -(-(h + pt + pb) // sh), -(-(w + pl + pr) // sw)
    nph = len({(ky * dh) % sh for ky in range(kh)})
    npw = len({(kx * dw) % sw for kx in range(kw)})
    return c * nph * npw * hq * wq


def igemm_applies(node: Node) -> bool:
    """True for a k x k group-1 Conv (``gemm.conv_gemm_kind == "im2col"``) with
    reasonably sized phase planes, kernel larger than 1x1. A strided/padded 1x1
    conv stays on im2col-gemm: its "im2col" is a plain gather of K rows, and
    bench_gemm measured it faster there (ResNet-18 downsample 1x1 s2 256->512
    @14: im2col 80-88 GFLOP/s vs igemm 66-77, every run); the runtime's igemm
    binding still runs such convs correctly."""
    from .gemm import conv_gemm_kind

    if conv_gemm_kind(node) != "im2col" or tuple(node.inputs[1].shape[2:]) == (1, 1):
        return False
    return plane_floats(node) <= MAX_PLANE_FLOATS
