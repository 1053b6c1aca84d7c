"""The AVX-512 tile choice for Conv (``kernel_specs/gemm_tiles.py``): 8x48 where its
model expects it at least as fast as 12x32 (channel counts that are multiples of 8,
wide planes), 12x32 on the 7x7 planes where bench_gemm measured 8x48 slower; both
tiles, forced on the same conv, against onnxruntime (whatever the CPU: without
AVX-512 the scalar twin of the tile runs)."""
from __future__ import annotations

import pytest
from ort_check import ort_run, rel_err
from kernel_run import run_forced
from test_igemm_select import _conv

from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.lower.kernel_specs.gemm_tiles import conv_columns, prefers_8x48, step_cycles, tile_cost


def _node(c, h, m, k, stride=1, pad=1):
    model, _ = _conv(c, h, h, m, k, stride, pad)
    return next(n for n in import_onnx(model).nodes if n.op == "Conv")


def test_step_cycles_is_fma_bound_for_full_tiles_and_load_bound_for_one_vector_of_8_rows():
    assert step_cycles(12, 2) == step_cycles(8, 3) == 12.0
    assert step_cycles(8, 1) == 4.5 and step_cycles(12, 1) == 6.5


def test_tile_cost_counts_whole_panels_and_vectors():
    # M = 64: six 12-row panels (72 rows) against eight 8-row panels
    assert tile_cost(64, 96, 12, 32) == 6 * 3 * 12.0
    assert tile_cost(64, 96, 8, 48) == 8 * 2 * 12.0
    # 49 columns: 32 + 17 (2 + 2 vectors) against 48 + 1 (3 + 1 vectors)
    assert tile_cost(1024, 49, 12, 32) == 86 * 24.0
    assert tile_cost(1024, 49, 8, 48) == 128 * 16.5


def test_igemm_columns_are_the_wide_rows_of_the_padded_plane():
    assert conv_columns(_node(512, 7, 512, 3), "igemm") == 7 * 9
    assert conv_columns(_node(512, 7, 512, 3), "im2col") == 49
    assert conv_columns(_node(3, 224, 32, 3, stride=2), "igemm") == 112 * 113


@pytest.mark.parametrize("c,h,m,k,stride,kind,want", [
    (32, 112, 64, 1, 1, "gemm", True),      # MobileNet-v1 pw1: 64 channels fill 8-row panels
    (128, 56, 128, 1, 1, "gemm", True),     # pw3
    (512, 14, 512, 1, 1, "gemm", True),     # 196 columns: even
    (1024, 7, 1024, 1, 1, "gemm", False),   # pw13: 49 columns, measured 10 % slower on 8x48
    (512, 7, 512, 3, 1, "igemm", False),    # ResNet-18 layer4: 63 wide columns
    (64, 56, 64, 3, 1, "igemm", True),      # ResNet-18 layer1
    (3, 224, 32, 3, 2, "igemm", True),      # MobileNet-v1 stem
])
def test_prefers_8x48_where_bench_gemm_measured_it_faster(c, h, m, k, stride, kind, want):
    assert prefers_8x48(_node(c, h, m, k, stride, pad=k // 2), kind) is want


@pytest.mark.parametrize("c,h,m,k,stride,pad", [(17, 9, 13, 1, 1, 0), (24, 7, 40, 3, 1, 1), (5, 15, 33, 3, 2, 1)])
@pytest.mark.parametrize("tile", ["8x48", "12x32"])
def test_both_avx512_tiles_match_onnxruntime_on_edge_shapes(c, h, m, k, stride, pad, tile):
    model, feeds = _conv(c, h, h, m, k, stride, pad, seed=c + m)
    kernel = ("gemm-" if k == 1 else "igemm-") + tile
    got = run_forced(import_onnx(model), "conv", kernel, feeds)
    err = rel_err(got, ort_run(model, feeds)["y"])
    assert err <= 1e-5, f"{kernel} conv{k}x{k} s{stride} {c}->{m} @{h}: rel_err {err:.3g}"
