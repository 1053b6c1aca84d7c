"""Which AVX-512 GEMM tile runs a Conv: 12x32 (12 rows x 2 vectors) or 8x48 (8 rows x 3 vectors).

Both hold 24 accumulators; they differ in what they waste. A tile computes
whole MR-row panels (M = 32 or 64 output channels fill 36 or 72 rows of 12-row
panels, and exactly 4 or 8 panels of 8 rows) and, per strip of NR columns, as
many 16-float vectors as the strip needs (a 49-column plane: 32 + 17 columns
-> 2 + 2 vectors with 12x32, 48 + 1 -> 3 + 1 with 8x48). A narrow strip of the
8-row tile is load-bound: per k step it issues MR broadcasts + nv loads against
MR x nv FMAs, so ``step_cycles`` charges max(FMAs / 2, loads / 2) (two 512-bit
FMA pipes, two 512-bit loads per cycle).

Measured (bench_gemm, both tiles in one run; docs/kernels.md, "gemm"): 8x48 is
faster where the model says so -- MobileNet-v1 pw1 32->64 @112 +19 %, pw3
128->128 @56 +32 %, stem igemm +15 %, ResNet-18 conv1 7x7 +13 %, l1 3x3 64 @56
+16 % -- and slower on the 7x7 planes (49 or 63 columns: pw13 1024 @7 -10 %,
l4 3x3 512 @7 -10 %), where the model picks 12x32. Ties go to 8x48 (11 loads
per 24 FMAs against 14).
"""
from __future__ import annotations

import math

from ...ir import Node

LANES = 16   # floats per AVX-512 vector


def step_cycles(mr: int, nv: int) -> float:
    """Cycles per k step of one MR-row tile using ``nv`` vectors (FMA- or load-bound)."""
    return max(mr * nv / 2.0, (mr + nv) / 2.0)


def tile_cost(m: int, cols: int, mr: int, nr: int) -> float:
    """Relative time of an M x cols GEMM (per k step) on tile ``mr`` x ``nr``."""
    full, rest = divmod(cols, nr)
    per_panel = full * step_cycles(mr, nr // LANES)
    if rest:
        per_panel += step_cycles(mr, math.ceil(rest / LANES))
    return math.ceil(m / mr) * per_panel


def conv_columns(node: Node, kind: str) -> int:
    """Columns the driver tiles per image: output pixels, or for igemm the wide
    columns OH x Wq (rows of the zero-padded phase plane)."""
    y = node.outputs[0].shape
    oh, ow = int(y[2]), int(y[3])
    if kind != "igemm":
        return oh * ow
    w = int(node.inputs[0].shape[3])
    pads = [int(v) for v in node.attrs.get("pads", [0, 0, 0, 0])]
    pl, pr = pads[1], pads[3]
    sw = int(node.attrs.get("strides", [1, 1])[1])
    return oh * -(-(w + pl + pr) // sw)


def prefers_8x48(node: Node, kind: str) -> bool:
    """True if the 8x48 tile is expected at least as fast as 12x32 on this Conv."""
    m, cols = int(node.inputs[1].shape[0]), conv_columns(node, kind)
    return tile_cost(m, cols, 8, 48) <= tile_cost(m, cols, 12, 32)
