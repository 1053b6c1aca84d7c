"""GEMM family end to end: ONNX -> compile (the fast GEMM kernels chosen, weights
packed) -> C++ runtime, outputs against onnxruntime. Single Conv/Gemm/MatMul
ops over tile edges, strides, pads and fused activations, then zoo models on 1
and 2 threads. The chosen kernel of each node is checked too, so a test cannot
pass on the reference kernel by accident. Error measure: ``ort_check.rel_err``.
"""
from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper
from kernel_run import pgemm_for
from ort_check import make_model, ort_run, rel_err

import sparsecc
from sparsecc import zoo
from sparsecc.compiler.lower.kernel_specs.gemm import pack_a_panels, pack_b_panels

TOL = 1e-5


def _run(model, threads: int = 1, input_shapes=None):
    compiled = sparsecc.compile(model, input_shapes=input_shapes)
    sess = sparsecc.InferenceSession(compiled, num_threads=threads)
    return compiled, sess


def _check(model, feeds, threads: int = 1, label: str = "") -> dict[str, str]:
    """Runs through sparsecc and onnxruntime, asserts the outputs match; returns node -> kernel."""
    expected = ort_run(model, feeds)
    compiled, sess = _run(model, threads)
    names = [o.name for o in sess.get_outputs()]
    got = dict(zip(names, sess.run(None, feeds)))
    for name, exp in expected.items():
        err = rel_err(got[name], exp)
        assert err <= TOL, f"{label} threads={threads}: output {name!r} rel_err {err:.3g} > {TOL}"
    return {n.name: n.kernel for n in compiled.plan.nodes}


def _conv_model(n, c, h, w, m, k, stride=1, pads=(0, 0, 0, 0), dil=1, bias=True, act=None, seed=0):
    rng = np.random.default_rng(seed)
    inits = [numpy_helper.from_array((rng.standard_normal((m, c, k, k)) / np.sqrt(c * k * k)).astype(np.float32), "W")]
    ins = ["x", "W"]
    if bias:
        inits.append(numpy_helper.from_array(rng.standard_normal(m).astype(np.float32), "B"))
        ins.append("B")
    nodes = [helper.make_node("Conv", ins, ["y" if act is None else "z"], name="conv", kernel_shape=[k, k],
                              strides=[stride, stride], pads=list(pads), dilations=[dil, dil])]
    if act == "Relu":
        nodes.append(helper.make_node("Relu", ["z"], ["y"], name="act"))
    elif act == "Clip6":
        inits += [numpy_helper.from_array(np.float32(0.0), "lo"), numpy_helper.from_array(np.float32(6.0), "hi")]
        nodes.append(helper.make_node("Clip", ["z", "lo", "hi"], ["y"], name="act"))
    elif act == "HardSwish":
        nodes.append(helper.make_node("HardSwish", ["z"], ["y"], name="act"))
    elif act == "Sigmoid":
        nodes.append(helper.make_node("Sigmoid", ["z"], ["y"], name="act"))
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [n, c, h, w])
    oh = (h + pads[0] + pads[2] - dil * (k - 1) - 1) // stride + 1
    ow = (w + pads[1] + pads[3] - dil * (k - 1) - 1) // stride + 1
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [n, m, oh, ow])
    feeds = {"x": rng.standard_normal((n, c, h, w)).astype(np.float32)}
    return make_model(nodes, [x], [y], inits), feeds


@pytest.mark.parametrize("n,c,h,w,m", [
    (1, 32, 14, 14, 64), (1, 3, 5, 7, 1), (1, 17, 9, 11, 13), (2, 8, 4, 4, 6), (1, 64, 7, 7, 100),
])
@pytest.mark.parametrize("act", [None, "Relu", "Clip6", "HardSwish", "Sigmoid"])
def test_pointwise_conv_runs_the_gemm_kernel_and_matches_onnxruntime(n, c, h, w, m, act):
    model, feeds = _conv_model(n, c, h, w, m, 1, act=act, seed=c + m)
    kernels = _check(model, feeds, label=f"conv1x1 {n}x{c}x{h}x{w} -> {m} {act}")
    assert kernels["conv"].startswith("pgemm-" if pgemm_for(model) else "gemm-"), kernels


@pytest.mark.parametrize("c,h,w,m,k,stride,pads,dil", [
    (3, 16, 16, 8, 3, 1, (1, 1, 1, 1), 1),
    (3, 17, 15, 12, 3, 2, (1, 1, 1, 1), 1),
    (8, 10, 10, 7, 5, 1, (2, 2, 2, 2), 1),
    (3, 32, 32, 16, 7, 2, (3, 3, 3, 3), 1),
    (5, 9, 9, 6, 3, 1, (0, 1, 2, 0), 1),
    (4, 12, 12, 9, 3, 1, (2, 2, 2, 2), 2),
    (16, 8, 8, 32, 1, 2, (0, 0, 0, 0), 1),
])
@pytest.mark.parametrize("threads", [1, 2])
def test_kxk_conv_runs_igemm_or_im2col_gemm_and_matches_onnxruntime(c, h, w, m, k, stride, pads, dil, threads):
    model, feeds = _conv_model(1, c, h, w, m, k, stride, pads, dil, act="Relu", seed=k * 10 + c)
    kernels = _check(model, feeds, threads, label=f"conv{k}x{k} s{stride} pads{pads} d{dil} {c}->{m}")
    want = (pgemm_for(model),) if pgemm_for(model) else ("igemm-", "im2col-gemm-")
    assert kernels["conv"].startswith(want), kernels


@pytest.mark.parametrize("m,k,n,trans_b,bias", [
    (1, 1024, 1000, 1, True), (5, 33, 17, 1, True), (7, 16, 40, 0, False), (13, 9, 1, 1, True),
])
def test_gemm_with_constant_weights_runs_the_gemm_kernel(m, k, n, trans_b, bias):
    rng = np.random.default_rng(m + n)
    wshape = (n, k) if trans_b else (k, n)
    inits = [numpy_helper.from_array((rng.standard_normal(wshape) / np.sqrt(k)).astype(np.float32), "W")]
    ins = ["x", "W"]
    if bias:
        inits.append(numpy_helper.from_array(rng.standard_normal(n).astype(np.float32), "B"))
        ins.append("B")
    node = helper.make_node("Gemm", ins, ["y"], name="gemm", transB=trans_b)
    model = make_model([node], [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
                       [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])], inits)
    kernels = _check(model, {"x": rng.standard_normal((m, k)).astype(np.float32)}, label=f"gemm {m}x{k}x{n}")
    assert kernels["gemm"].startswith("gemm-"), kernels


@pytest.mark.parametrize("a_shape,n", [((2, 7, 24), 19), ((16, 64), 64), ((1, 3, 5, 8), 33)])
def test_matmul_with_constant_b_runs_the_gemm_kernel(a_shape, n):
    rng = np.random.default_rng(n)
    k = a_shape[-1]
    inits = [numpy_helper.from_array(rng.standard_normal((k, n)).astype(np.float32), "B")]
    node = helper.make_node("MatMul", ["a", "B"], ["y"], name="mm")
    model = make_model([node], [helper.make_tensor_value_info("a", TensorProto.FLOAT, list(a_shape))],
                       [helper.make_tensor_value_info("y", TensorProto.FLOAT, [*a_shape[:-1], n])], inits)
    for threads in (1, 2):
        kernels = _check(model, {"a": rng.standard_normal(a_shape).astype(np.float32)}, threads,
                         label=f"matmul {a_shape} x [{k}, {n}]")
        assert kernels["mm"].startswith("gemm-"), kernels


@pytest.mark.parametrize("a_shape,b_shape", [((3, 4), (4, 5)), ((2, 4, 9, 16), (2, 4, 16, 9)),
                                             ((1, 3, 7, 5), (5, 33)), ((2, 1, 6, 8), (3, 8, 4))])
def test_matmul_of_two_runtime_operands_runs_the_batched_kernel(a_shape, b_shape):
    node = helper.make_node("MatMul", ["a", "b"], ["y"], name="mm")
    y_shape = list(np.broadcast_shapes(a_shape[:-2], b_shape[:-2])) + [a_shape[-2], b_shape[-1]]
    model = make_model([node], [helper.make_tensor_value_info("a", TensorProto.FLOAT, list(a_shape)),
                                helper.make_tensor_value_info("b", TensorProto.FLOAT, list(b_shape))],
                       [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)])
    rng = np.random.default_rng(1)
    for threads in (1, 2):
        kernels = _check(model, {"a": rng.standard_normal(a_shape).astype(np.float32),
                                 "b": rng.standard_normal(b_shape).astype(np.float32)}, threads,
                         label=f"matmul {a_shape} x {b_shape}")
        assert kernels["mm"].startswith("bmm-"), kernels


def test_python_packing_matches_the_documented_panel_layout():
    w = np.arange(13 * 5, dtype=np.float32).reshape(13, 5)  # M=13, K=5, MR=6
    pa = pack_a_panels(w, 6)
    assert pa.size == w.size
    assert pa[6 * 5 + 3 * 6 + 1] == w[7, 3]      # panel 1 (rows 6..11), k=3, lane 1
    assert list(pa[12 * 5:]) == list(w[12])       # last panel: one row, stored [K][1]
    b = np.arange(5 * 17, dtype=np.float32).reshape(5, 17)  # K=5, N=17, NR=16
    pb = pack_b_panels(b, 16)
    assert pb[2 * 16 + 5] == b[2, 5] and pb[16 * 5 + 4] == b[4, 16]


@pytest.mark.parametrize("name,kw,threads", [
    ("mobilenet_v1", {"input_size": 224}, 1),
    ("resnet18", {"input_size": 128}, 1),
    ("resnet18", {"input_size": 96}, 2),
    ("mobilenet_v2", {"input_size": 128}, 2),
    ("transformer_block", {}, 1),
])
def test_zoo_model_with_gemm_kernels_matches_onnxruntime(name, kw, threads):
    model = zoo.build(name, **kw)
    rng = np.random.default_rng(0)
    feeds = {vi.name: rng.standard_normal([d.dim_value for d in vi.type.tensor_type.shape.dim]).astype(np.float32)
             for vi in model.graph.input}
    expected = ort_run(model, feeds)
    compiled, sess = _run(model, threads)
    got = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, feeds)))
    for out, exp in expected.items():
        err = rel_err(got[out], exp)
        assert err <= 1e-4, f"{name} {kw} threads={threads}: output {out!r} rel_err {err:.3g}"
    gemm_nodes = [n for n in compiled.plan.nodes if "gemm-" in n.kernel]
    assert gemm_nodes, f"{name}: no node uses a GEMM kernel"
