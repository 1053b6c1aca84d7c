"""The pixel-broadcast convs (channels as vectors): ``pgemm-7x48`` chosen for group-1
convs with at most 64 output pixels and K >= 256 on a target with its AVX-512 row;
``pgemm-6x16`` for k x k group-1 convs with K >= 256 on any plane on an AVX2 target
without AVX-512; neither on NEON / WASM targets (only their scalar rows exist there).
Both forced on awkward shapes (channels not a multiple of the tile, 1x1 and k x k,
strides, batch 2, 2 threads) against onnxruntime, whatever the CPU (without the SIMD
row the scalar twin runs)."""
from __future__ import annotations

import numpy as np
import pytest
from kernel_run import pgemm_for, run_forced
from ort_check import ort_run, rel_err
from test_igemm_select import _conv, _kernel_for

import sparsecc
from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.lower.kernel_specs.pgemm import MAX_PIXELS, MIN_K, pgemm_applies, pgemm_kxk_applies
from sparsecc.compiler.lower.targets import get_target


def _node(model):
    return next(n for n in import_onnx(model).nodes if n.op == "Conv")


@pytest.mark.parametrize("c,h,m,k,stride,pad,want", [
    (512, 7, 512, 3, 1, 1, True),      # ResNet-18 layer4
    (256, 14, 512, 3, 2, 1, True),     # its first conv (7x7 output)
    (1024, 7, 1024, 1, 1, 0, True),    # MobileNet-v1 pw13
    (256, 8, 16, 1, 1, 0, True),       # 64 pixels: the limit
    (256, 9, 16, 1, 1, 0, False),      # 81 pixels
    (160, 7, 960, 1, 1, 0, False),     # K = 160 < MIN_K (MobileNet-v2 expand @7)
    (29, 7, 16, 3, 1, 1, True),        # K = 261
    (512, 14, 512, 1, 1, 0, False),    # 196 pixels: the column tiles fill their lanes
])
def test_pgemm_applies_only_to_small_output_planes(c, h, m, k, stride, pad, want):
    model, _ = _conv(c, h, h, m, k, stride, pad)
    assert (MAX_PIXELS, MIN_K) == (64, 256)
    assert pgemm_applies(_node(model)) is want


@pytest.mark.parametrize("c,h,m,k,stride,pad,want", [
    (64, 56, 64, 3, 1, 1, True),       # ResNet-18 layer1: any plane
    (512, 7, 512, 3, 1, 1, True),      # layer4
    (64, 56, 128, 3, 2, 1, True),      # stride 2
    (29, 7, 16, 3, 1, 1, True),        # K = 261
    (28, 7, 16, 3, 1, 1, False),       # K = 252 < MIN_K
    (3, 224, 64, 7, 2, 3, False),      # ResNet-18 stem, K = 147
    (1024, 7, 1024, 1, 1, 0, False),   # 1x1: the column tiles were faster
    (256, 14, 512, 1, 2, 0, False),    # strided 1x1 (downsample)
])
def test_pgemm_kxk_applies_to_kxk_convs_with_enough_products(c, h, m, k, stride, pad, want):
    model, _ = _conv(c, h, h, m, k, stride, pad)
    assert pgemm_kxk_applies(_node(model)) is want


@pytest.mark.parametrize("target,want", [("x86_64", "pgemm-6x16"), ("arm64", None), ("wasm32", None)])
def test_only_targets_with_a_pgemm_row_take_it(target, want):
    model, _ = _conv(512, 7, 7, 512, 3)
    got = _kernel_for(model, target)
    assert (got == want) if want else not got.startswith("pgemm"), (target, got)
    assert pgemm_for(model, target) == want


def test_an_avx2_target_keeps_the_column_tiles_for_stems_and_1x1_convs():
    for args in ((3, 224, 224, 64, 7, 2, 3), (1024, 7, 7, 1024, 1, 1, 0)):
        model, _ = _conv(*args)
        assert not _kernel_for(model, "x86_64").startswith("pgemm"), args


def test_host_picks_the_pgemm_tile_of_its_isa():
    model, _ = _conv(512, 7, 7, 512, 3)
    want = pgemm_for(model)
    got = _kernel_for(model, "host")
    assert (got == want) if want else not got.startswith("pgemm"), got
    if "avx512" in get_target("host").archs:
        assert want == "pgemm-7x48"
    elif "avx2" in get_target("host").archs:
        assert want == "pgemm-6x16"


@pytest.mark.parametrize("c,h,m,k,stride,pad", [
    (64, 7, 100, 1, 1, 0), (40, 7, 64, 3, 1, 1), (24, 14, 50, 3, 2, 1), (30, 14, 33, 1, 2, 0), (300, 5, 17, 1, 1, 0),
    (32, 23, 20, 3, 1, 1),
])
@pytest.mark.parametrize("kernel", ["pgemm-7x48", "pgemm-6x16"])
def test_pgemm_forced_matches_onnxruntime(c, h, m, k, stride, pad, kernel):
    model, feeds = _conv(c, h, h, m, k, stride, pad, seed=c + m)
    got = run_forced(import_onnx(model), "conv", kernel, feeds)
    err = rel_err(got, ort_run(model, feeds)["y"])
    assert err <= 1e-5, f"{kernel} conv{k}x{k} s{stride} {c}->{m} @{h}: rel_err {err:.3g}"


@pytest.mark.parametrize("threads", [1, 2])
def test_a_resnet_layer4_conv_compiled_for_host_matches_onnxruntime_with_batch_2(threads):
    model, _ = _conv(128, 7, 7, 96, 3)
    model.graph.input[0].type.tensor_type.shape.dim[0].dim_value = 2
    model.graph.output[0].type.tensor_type.shape.dim[0].dim_value = 2
    feeds = {"x": np.random.default_rng(3).standard_normal((2, 128, 7, 7)).astype(np.float32)}
    compiled = sparsecc.compile(model)
    got = sparsecc.InferenceSession(compiled, num_threads=threads).run(None, feeds)[0]
    err = rel_err(got, ort_run(model, feeds)["y"])
    assert err <= 1e-5, f"threads={threads}: rel_err {err:.3g}"
