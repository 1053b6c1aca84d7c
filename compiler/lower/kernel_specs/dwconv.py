"""Kernel specs of the depthwise family: ``dwconv-<K>x<K>s<S>`` for Conv.

Mirrors ``runtime_cpp/kernels/ops/dwconv_ops.cc``: a depthwise Conv (group ==
C == M, W [C, 1, K, K]) with K in {3, 5}, equal strides S in {1, 2},
dilation 1 and every pad in [0, K-1]; any fused epilogue. Weights keep the
ONNX layout (each channel's K*K taps are contiguous, what the micro-kernel
reads), so there is no pack step. Layout notes: docs/kernels.md, "dwconv".
"""
from __future__ import annotations

from ...ir import Node
from . import KernelSpec, register

TILES = ((3, 1), (3, 2), (5, 1), (5, 2))


def depthwise_tile(node: Node) -> tuple[int, int] | None:
    """(K, S) if ``node`` is a Conv one of the dwconv kernels runs, else None."""
    if node.op != "Conv" or len(node.inputs) < 2 or node.inputs[0] is None or node.inputs[1] is None:
        return None
    x, w = node.inputs[0].shape, node.inputs[1].shape
    if len(x) != 4 or len(w) != 4:
        return None
    c = x[1]
    group = int(node.attrs.get("group", 1))
    if group != c or w[0] != c or w[1] != 1 or w[2] != w[3]:
        return None
    k = int(w[2])
    strides = [int(v) for v in node.attrs.get("strides", [1, 1])]
    dilations = [int(v) for v in node.attrs.get("dilations", [1, 1])]
    pads = [int(v) for v in node.attrs.get("pads", [0, 0, 0, 0])]
    if strides[0] != strides[1] or dilations != [1, 1]:
        return None
    if any(p < 0 or p > k - 1 for p in pads):
        return None
    if len(node.inputs) > 2 and node.inputs[2] is not None and tuple(node.inputs[2].shape) != (c,):
        return None
    tile = (k, strides[0])
    return tile if tile in TILES else None


def _applies_for(k: int, s: int):
    return lambda node: depthwise_tile(node) == (k, s)


for _k, _s in TILES:
    _tile = f"{_k}x{_k}s{_s}"
    register(KernelSpec(name=f"dwconv-{_tile}", op="Conv", requires=(("dwconv", _tile),),
                        applies=_applies_for(_k, _s)))
