"""Kernel choice for k x k convs: the direct-conv kernel ``igemm-<tile>`` where a
SIMD igemm row exists for the target (x86-64), ``im2col-gemm-<tile>`` elsewhere
(NEON, WASM SIMD) and where the phase planes would be too large. Then a
ResNet-style conv and stem end to end through the runtime against onnxruntime
(needs a runtime build that has igemm, as every build from this tree does).
"""
from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper
from kernel_run import pgemm_for
from ort_check import make_model, ort_run, rel_err

import sparsecc
from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.lower.kernel_select import select_kernel
from sparsecc.compiler.lower.kernel_specs.igemm import MAX_PLANE_FLOATS, plane_floats
from sparsecc.compiler.lower.targets import get_target


def _conv(c, h, w, m, k, stride=1, pad=1, dil=1, seed=0):
    rng = np.random.default_rng(seed)
    wt = (rng.standard_normal((m, c, k, k)) / np.sqrt(c * k * k)).astype(np.float32)
    b = rng.standard_normal(m).astype(np.float32)
    node = helper.make_node("Conv", ["x", "W", "B"], ["z"], name="conv", kernel_shape=[k, k],
                            strides=[stride, stride], pads=[pad] * 4, dilations=[dil, dil])
    relu = helper.make_node("Relu", ["z"], ["y"], name="relu")
    oh = (h + 2 * pad - dil * (k - 1) - 1) // stride + 1
    ow = (w + 2 * pad - dil * (k - 1) - 1) // stride + 1
    model = make_model([node, relu], [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, h, w])],
                       [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, m, oh, ow])],
                       [numpy_helper.from_array(wt, "W"), numpy_helper.from_array(b, "B")])
    feeds = {"x": rng.standard_normal((1, c, h, w)).astype(np.float32)}
    return model, feeds


def _kernel_for(model, target: str) -> str:
    graph = import_onnx(model)
    node = next(n for n in graph.nodes if n.op == "Conv")
    return select_kernel(node, graph, get_target(target))[0]


@pytest.mark.parametrize("target,want", [("x86_64", "igemm-6x16"), ("arm64", "im2col-gemm-8x8"),
                                         ("wasm32", "im2col-gemm-4x8")])
def test_3x3_conv_picks_igemm_only_where_a_simd_igemm_row_exists(target, want):
    # K = 16 x 9 = 144 < pgemm's MIN_K: on AVX2 a k x k conv with K >= 256 goes to pgemm-6x16
    model, _ = _conv(16, 56, 56, 64, 3)
    assert _kernel_for(model, target) == want, f"target {target}"


def test_a_stem_conv_compiles_to_igemm_on_host():
    model, _ = _conv(3, 56, 56, 64, 7, stride=2, pad=3)   # ResNet-18's stem: K = 147
    kernel = _kernel_for(model, "host")
    assert kernel in ("igemm-12x32", "igemm-8x48", "igemm-6x16"), kernel


def test_pointwise_conv_stays_on_the_gemm_kernel_and_strided_1x1_on_im2col_gemm():
    model, _ = _conv(32, 14, 14, 64, 1, pad=0)
    assert _kernel_for(model, "x86_64") == "gemm-6x16"
    model, _ = _conv(32, 14, 14, 64, 1, stride=2, pad=0)  # ResNet downsample: im2col measured faster
    assert _kernel_for(model, "x86_64") == "im2col-gemm-6x16"


def test_conv_with_huge_phase_planes_falls_back_to_im2col_gemm():
    # pads of 5000 on a 3x3 dilation-5000 kernel: a 4x4 output from 4 x 10004^2-float planes
    model, _ = _conv(4, 4, 4, 8, 3, pad=5000, dil=5000)
    graph = import_onnx(model)
    node = next(n for n in graph.nodes if n.op == "Conv")
    assert plane_floats(node) > MAX_PLANE_FLOATS
    assert _kernel_for(model, "x86_64") == "im2col-gemm-6x16"


def test_plane_floats_counts_only_the_phases_a_tap_reads():
    # 1x1 stride 2: one of four phases; 3x3 stride 2: all four; 3x3 stride 3: all nine
    for k, s, pad, phases in ((1, 2, 0, 1), (3, 2, 1, 4), (3, 3, 1, 9)):
        model, _ = _conv(5, 12, 12, 4, k, stride=s, pad=pad)
        node = next(n for n in import_onnx(model).nodes if n.op == "Conv")
        hq = -(-(12 + 2 * pad) // s)
        assert plane_floats(node) == 5 * phases * hq * hq, (k, s)


@pytest.mark.parametrize("c,h,m,k,stride,pad,dil", [
    (64, 14, 64, 3, 1, 1, 1), (3, 40, 16, 7, 2, 3, 1), (8, 17, 12, 3, 2, 1, 1), (5, 11, 7, 3, 1, 2, 2),
    (6, 9, 13, 5, 3, 0, 1),
])
@pytest.mark.parametrize("threads", [1, 2])
def test_igemm_conv_matches_onnxruntime(c, h, m, k, stride, pad, dil, threads):
    model, feeds = _conv(c, h, h, m, k, stride, pad, dil, seed=c + k)
    compiled = sparsecc.compile(model)
    kernels = {n.name: n.kernel for n in compiled.plan.nodes}
    # where the host has a pgemm row for this conv (pgemm.py), that tile runs it
    assert kernels["conv"].startswith(pgemm_for(model) or "igemm-"), kernels
    sess = sparsecc.InferenceSession(compiled, num_threads=threads)
    got = sess.run(None, feeds)[0]
    err = rel_err(got, ort_run(model, feeds)["y"])
    assert err <= 1e-5, f"conv{k}x{k} s{stride} p{pad} d{dil} {c}->{m} threads={threads}: rel_err {err:.3g}"
