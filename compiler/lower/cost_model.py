"""Per-node dense vs sparse choice: estimated run time of each applicable kernel.

For a node both the dense GEMM family and the sparse family (``spmm-g<G>``)
can run, the estimate is

* dense:  ``2 M C P`` FLOPs at the target's dense GEMM rate;
* sparse: ``2 G P`` FLOPs per nonzero group (the zeros the weights *actually*
  hold, not the pass's attribute) plus a per group row and pixel strip
  overhead (bias load, G x strip stores: about two nonzero groups' work),
  pixels rounded up to whole vectors (tile fill), at a rate relative to the
  dense one: equal when a pixel strip's input (``C x MR x 4`` bytes) fits L1,
  lower when it does not (the loads then come from L2) and again when one strip
  holds every pixel (no reuse of the input across strips), lower for g1/g2
  (fewer output channels share each input load).

For a k x k (or strided / padded) conv, C is the reduction length C*kh*kw
(the sparse kernel's pseudo-channels) and P the output pixels.

The rates are calibrated on measurements (bench/kernels/bench_spmm.cc,
bench_gemm.cc; docs/kernels.md, "spmm"); the L1 size comes from
``targets/<name>.toml`` when the target has a description, else from the
arch. The result is a decision with a one-line reason that lowering stores as
the node's ``kernel_reason`` attribute (shown by ``sparsecc inspect``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..ir import Node
from .kernel_table import kernel_rows

# per arch: fp32 lanes, dense GEMM GFLOP/s (1 thread, measured or estimated), L1 data KiB
LANES = {"avx512": 16, "avx2": 8, "neon": 4, "wasmsimd": 4, "scalar": 1}
DENSE_GFLOPS = {"avx512": 100.0, "avx2": 55.0, "neon": 25.0, "wasmsimd": 10.0, "scalar": 2.5}
L1_KIB = {"avx512": 48, "avx2": 32, "neon": 64, "wasmsimd": 32, "scalar": 32}
# sparse rate / dense rate: input strip in L1, or streamed from L2; x SINGLE_STRIP
# when all pixels fit one strip (7x7 layers: every group row re-reads the whole
# input, no reuse across strips). Calibrated on MobileNet-v1 at 224, AVX-512, 1
# thread (docs/kernels.md, "spmm"; bench_spmm, session 3, after the masked strip
# kept its accumulators in registers and 196-pixel planes got even pixel tiles):
# E ~0.9-1.0 at 50-70 % for 56x56 .. 7x7 layers, 0.77-0.99 for 14x14 (C = 256,
# 512), 0.87-1.07 for 7x7 (C = 512, 1024; 49 of 64 lanes, counted by the tile fill).
SPARSE_RATE_L1, SPARSE_RATE_L2, SINGLE_STRIP = 1.0, 0.9, 1.15
# load reuse per pattern: G output channels share each input vector load
PATTERN_FACTOR = {1: 0.5, 2: 0.75, 4: 1.0, 8: 0.95}
# Per-arch corrections of the two above (AVX-512 calibrations) where an arch was measured
# apart. AVX2 (AMD Zen 4 host, AVX-512 hidden; bench_spmm pw6 256->512 @14 and python -m
# bench.sparsity_sweep, session 5): per-layer E of g4 0.72-0.89 at 50-80 % (sweep median
# 0.88-0.91 at 30-50 %), so sparse runs ~0.9x the dense rate per nonzero FLOP; the g8
# kernel (8x8) is 0.80x g4's rate at 80 % and even at 50 %.
ARCH_SPARSE_RATE = {"avx2": 0.9}
ARCH_PATTERN_FACTOR = {"avx2": {8: 0.85}}
ROW_OVERHEAD_GROUPS = 2.0


@dataclass(frozen=True)
class Estimate:
    kernel: str
    ms: float


@dataclass(frozen=True)
class Decision:
    kernel: str          # the chosen kernel spec name
    reason: str          # e.g. "sparse: 70% g4, est 0.31 ms vs dense 0.92 ms"
    estimates: tuple[Estimate, ...] = ()


def strip_pixels(pattern: int, arch: str) -> int:
    """MR of the spmm kernel of ``pattern`` on ``arch`` (from its function name in kernels.def)."""
    for r in kernel_rows():
        if r.family == "spmm" and r.tile == f"g{pattern}" and r.arch == arch:
            m = re.search(r"_(\d+)x\d+__", r.function)
            if m:
                return int(m.group(1))
    return 4 * LANES.get(arch, 1)


def l1_kib(target_name: str, arch: str) -> int:
    try:
        from .target_desc import get_target_desc

        return get_target_desc(target_name).l1d_kib
    except Exception:  # no description for this target (host, generic): the arch's usual size
        return L1_KIB.get(arch, 32)


def conv_dims(node: Node) -> tuple[int, int, int]:
    """(M, C, P) of a Conv: output channels, reduction length (input channels x taps; a
    k x k conv's pseudo-channels), output pixels per image x batch."""
    m, c, kh, kw = (int(v) for v in node.inputs[1].shape)
    n, _, oh, ow = (int(v) for v in node.outputs[0].shape)
    return m, c * kh * kw, n * oh * ow


def dense_ms(m: int, c: int, p: int, arch: str) -> float:
    return 2.0 * m * c * p / (DENSE_GFLOPS.get(arch, 2.5) * 1e6)


def sparse_ms(m: int, c: int, p: int, nonzero_groups: int, pattern: int, arch: str, l1: int) -> float:
    lanes = LANES.get(arch, 1)
    mr = strip_pixels(pattern, arch)
    p_eff = math.ceil(p / lanes) * lanes                    # tile fill: whole vectors
    rows = math.ceil(m / pattern)
    # per strip of MR pixels every row costs (its nonzeros + the overhead) x 2 G MR
    # FLOPs; summed over the strips that is 2 G p_eff (nonzeros + overhead x rows)
    work_groups = nonzero_groups + ROW_OVERHEAD_GROUPS * rows
    fits = c * mr * 4 <= l1 * 1024
    factor = ARCH_PATTERN_FACTOR.get(arch, {}).get(pattern, PATTERN_FACTOR[pattern])
    rate = (DENSE_GFLOPS.get(arch, 2.5) * (SPARSE_RATE_L1 if fits else SPARSE_RATE_L2) * factor
            * ARCH_SPARSE_RATE.get(arch, 1.0))
    if p <= mr:
        rate *= SINGLE_STRIP
    return 2.0 * pattern * p_eff * work_groups / (rate * 1e6)


def declared_pattern(node: Node) -> int | None:
    """G of the node's ``sparsity_pattern`` attribute ("g4" -> 4), None if absent or unknown."""
    m = re.fullmatch(r"g([1248])", str(node.attrs.get("sparsity_pattern", "")))
    return int(m.group(1)) if m else None


def decide(node: Node, dense_kernel: str | None, sparse_kernels: dict[int, str], arch: str,
           target_name: str) -> Decision | None:
    """Dense vs sparse for a group-1 Conv (k x k: its pseudo-channels), or a Gemm/MatMul of few rows (``spmv_ms``);
    ``sparse_kernels`` maps G -> spec name. None when no sparse kernel applies."""
    from .kernel_specs.spmm import conv_weight_2d, group_nonzero
    from .kernel_specs.spmv import rows_of, weight_2d

    if not sparse_kernels:
        return None
    rows_layer = node.op in ("Gemm", "MatMul")
    if rows_layer:
        w = weight_2d(node)
        (m, c), p = w.shape, rows_of(node)
    else:
        m, c, p = conv_dims(node)
        w = conv_weight_2d(node)
    l1 = l1_kib(target_name, arch)
    td = dense_rows_ms(m, c, p, arch) if rows_layer else dense_ms(m, c, p, arch)
    declared = declared_pattern(node)
    patterns = [declared] if declared in sparse_kernels else sorted(sparse_kernels, reverse=True)
    ests = [Estimate(dense_kernel or "ref", td)]
    best = None
    for g in patterns:
        nz = group_nonzero(w, g)
        zero = 1.0 - float(nz.sum()) / nz.size
        if zero <= 0.0:
            continue
        ts = spmv_ms(m, c, p, int(nz.sum()), g, arch) if rows_layer else sparse_ms(m, c, p, int(nz.sum()), g, arch, l1)
        ests.append(Estimate(sparse_kernels[g], ts))
        if best is None or ts < best[2]:
            best = (g, zero, ts)
    if best is None:
        why = f"g{declared}" if declared else "any pattern"
        return Decision(dense_kernel or "ref", f"dense: no zero groups of {why}", tuple(ests))
    g, zero, ts = best
    if dense_kernel is not None and td <= ts:
        return Decision(dense_kernel, f"dense: {zero:.0%} g{g}, est sparse {ts:.3f} ms vs dense {td:.3f} ms",
                        tuple(ests))
    return Decision(sparse_kernels[g], f"sparse: {zero:.0%} g{g}, est {ts:.3f} ms vs dense {td:.3f} ms", tuple(ests))


# Gemm/MatMul of R rows (a batch-1 classifier: R = 1). The dense GEMM's register
# tile holds DENSE_TILE_ROWS rows, so with fewer rows it does the work of a full
# tile; and the weights (N x K x 4 bytes, read once per call, mostly not in
# cache between inferences) stream at WEIGHT_GBPS. The sparse-rows kernel reads
# per nonzero group G weights + a channel index and does G x R multiply-adds in
# G-lane vectors, about SPMV_NS_PER_GROUP + SPMV_NS_PER_GROUP_ROW x R per group.
# Calibrated on mobilenet_v1's classifier (1024 -> 1000, R = 1), AVX2 build on
# this AVX-512 host (docs/kernels.md, "spmv").
DENSE_TILE_ROWS = {"avx512": 12, "avx2": 6, "neon": 8, "wasmsimd": 4, "scalar": 4}
WEIGHT_GBPS = 8.0
SPMV_NS_PER_GROUP, SPMV_NS_PER_GROUP_ROW = 0.25, 0.35


def dense_rows_ms(n: int, k: int, rows: int, arch: str) -> float:
    """Estimated dense Gemm time for ``rows`` x K times W [N, K]^T."""
    tile = DENSE_TILE_ROWS.get(arch, 4)
    compute = 2.0 * n * k * math.ceil(rows / tile) * tile / (DENSE_GFLOPS.get(arch, 2.5) * 1e6)
    stream = n * k * 4 / (WEIGHT_GBPS * 1e6)
    return max(compute, stream)


def spmv_ms(n: int, k: int, rows: int, nonzero_groups: int, pattern: int, arch: str) -> float:
    """Estimated sparse-rows time: per nonzero group a G-lane vector of weights x ``rows``."""
    lanes = max(1, min(LANES.get(arch, 1), pattern))
    vec_per_group = math.ceil(pattern / lanes)
    groups = nonzero_groups + math.ceil(n / pattern)          # + the bias/store per group row
    compute = groups * vec_per_group * (SPMV_NS_PER_GROUP + SPMV_NS_PER_GROUP_ROW * rows) * 1e-6
    stream = (nonzero_groups * (pattern + 1) + math.ceil(n / pattern) * pattern) * 4 / (WEIGHT_GBPS * 1e6)
    return max(compute, stream)

