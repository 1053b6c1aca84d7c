"""Depthwise and vector fast kernels end to end: ONNX -> compile (the fast kernel
is chosen, checked by name in the compiled model) -> C++ runtime -> outputs vs
onnxruntime, for single ops and zoo models; and the selection rule (which nodes
stay on the reference kernel). Seeded random data."""
from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import sparsecc
from sparsecc import zoo
from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.lower.kernel_specs.vector import binary_pattern
from tests.ort_check import make_model, ort_run, rel_err

TOL = 2e-5


def _compile_and_check(model, feeds, label, expect_kernels, threads=1):
    """Compile, check the chosen kernels, run, compare with onnxruntime."""
    compiled = sparsecc.compile(model)
    sess = sparsecc.InferenceSession(compiled, num_threads=threads)
    kernels = {n["kernel"] for n in sess.nodes}
    missing = set(expect_kernels) - kernels
    assert not missing, f"{label}: expected kernels {sorted(missing)} to be chosen, got {sorted(kernels)}"
    expected = ort_run(model, feeds)
    names = [o.name for o in sess.get_outputs()]
    got = dict(zip(names, sess.run(None, feeds)))
    for name, exp in expected.items():
        err = rel_err(got[name], exp)
        assert err <= TOL, f"{label}: output {name!r} rel_err {err:.3g} > {TOL} (threads={threads})"
    return kernels


def _dw_model(c, h, w, k, s, pads, act, bias=True, seed=0):
    rng = np.random.default_rng(seed)
    wt = numpy_helper.from_array(rng.standard_normal((c, 1, k, k)).astype(np.float32), "w")
    inits = [wt]
    ins = ["x", "w"]
    if bias:
        inits.append(numpy_helper.from_array(rng.standard_normal(c).astype(np.float32), "b"))
        ins.append("b")
    nodes = [helper.make_node("Conv", ins, ["conv"], name="dw", group=c, kernel_shape=[k, k],
                              strides=[s, s], pads=pads)]
    last = "conv"
    if act == "relu6":
        nodes.append(helper.make_node("Clip", [last, "lo", "hi"], ["y"], name="act"))
        inits += [numpy_helper.from_array(np.array(0, np.float32), "lo"),
                  numpy_helper.from_array(np.array(6, np.float32), "hi")]
    elif act:
        nodes.append(helper.make_node(act, [last], ["y"], name="act"))
    else:
        nodes[0].output[0] = "y"
    oh = (h + pads[0] + pads[2] - k) // s + 1
    ow = (w + pads[1] + pads[3] - k) // s + 1
    return make_model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, h, w])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, c, oh, ow])], inits)


@pytest.mark.parametrize("k, s, h, w, pads, act", [
    (3, 1, 28, 28, [1, 1, 1, 1], "relu6"),
    (3, 2, 29, 17, [1, 1, 1, 1], "Relu"),
    (3, 2, 32, 32, [0, 0, 1, 1], None),
    (5, 1, 14, 9, [2, 2, 2, 2], "HardSwish"),
    (5, 2, 23, 23, [2, 2, 2, 2], "Sigmoid"),
    (3, 1, 7, 7, [0, 2, 1, 0], "Tanh"),
])
def test_depthwise_conv_runs_on_dwconv_kernel_and_matches_onnxruntime(k, s, h, w, pads, act):
    c = 11
    model = _dw_model(c, h, w, k, s, pads, act, seed=k * 10 + s)
    x = np.random.default_rng(1).standard_normal((1, c, h, w)).astype(np.float32)
    label = f"dwconv {k}x{k}s{s} {h}x{w} pads={pads} act={act}"
    for threads in (1, 2):
        _compile_and_check(model, {"x": x}, label, {f"dwconv-{k}x{k}s{s}"}, threads)


@pytest.mark.parametrize("k, s, pads, group_mult, why", [
    (3, 1, [1, 1, 1, 1], 2, "channel multiplier 2"),
    (7, 1, [3, 3, 3, 3], 1, "7x7 kernel"),
    (3, 3, [1, 1, 1, 1], 1, "stride 3"),
])
def test_depthwise_like_convs_the_kernels_cannot_run_stay_on_reference(k, s, pads, group_mult, why):
    c, h = 4, 12
    rng = np.random.default_rng(3)
    wt = numpy_helper.from_array(rng.standard_normal((c * group_mult, 1, k, k)).astype(np.float32), "w")
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="dw", group=c, kernel_shape=[k, k],
                            strides=[s, s], pads=pads)
    oh = (h + pads[0] + pads[2] - k) // s + 1
    model = make_model([node], [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, h, h])],
                       [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, c * group_mult, oh, oh])], [wt])
    x = rng.standard_normal((1, c, h, h)).astype(np.float32)
    kernels = _compile_and_check(model, {"x": x}, why, set())
    assert not any(kname.startswith("dwconv") for kname in kernels), f"{why}: chose {kernels}"


@pytest.mark.parametrize("a_shape, b_shape", [
    ([2, 8, 5, 5], [2, 8, 5, 5]),
    ([1, 16, 7, 7], [1, 16, 1, 1]),
    ([1, 16, 7, 7], [16, 1, 1]),
    ([6, 33], [33]),
    ([3, 17], [1]),
])
@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div", "Max", "Min"])
def test_binary_ops_run_on_vector_kernel_and_match_onnxruntime(op, a_shape, b_shape):
    rng = np.random.default_rng(len(a_shape) * 7 + len(b_shape))
    out = list(np.broadcast_shapes(tuple(a_shape), tuple(b_shape)))
    node = helper.make_node(op, ["a", "b"], ["y"], name="bin")
    model = make_model([node], [helper.make_tensor_value_info("a", TensorProto.FLOAT, a_shape),
                                helper.make_tensor_value_info("b", TensorProto.FLOAT, b_shape)],
                       [helper.make_tensor_value_info("y", TensorProto.FLOAT, out)])
    feeds = {"a": rng.standard_normal(a_shape).astype(np.float32),
             "b": rng.uniform(0.5, 2.0, b_shape).astype(np.float32)}
    _compile_and_check(model, feeds, f"{op} {a_shape} with {b_shape}", {"vector"})


def test_binary_broadcast_outside_the_supported_patterns_stays_on_reference():
    assert binary_pattern((2, 3, 4), (2, 1, 4)) is None
    node = helper.make_node("Add", ["a", "b"], ["y"], name="bin")
    model = make_model([node], [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 3, 4]),
                                helper.make_tensor_value_info("b", TensorProto.FLOAT, [2, 1, 4])],
                       [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3, 4])])
    rng = np.random.default_rng(0)
    feeds = {"a": rng.standard_normal((2, 3, 4)).astype(np.float32),
             "b": rng.standard_normal((2, 1, 4)).astype(np.float32)}
    kernels = _compile_and_check(model, feeds, "Add [2,3,4]+[2,1,4]", {"ref"})
    assert kernels == {"ref"}


@pytest.mark.parametrize("op, attrs", [
    ("Relu", {}), ("Sigmoid", {}), ("HardSwish", {}), ("Tanh", {}), ("LeakyRelu", {"alpha": 0.2}),
    ("HardSigmoid", {"alpha": 0.3, "beta": 0.4}),
])
def test_unary_ops_and_global_average_pool_run_on_vector_kernel(op, attrs):
    rng = np.random.default_rng(9)
    nodes = [helper.make_node(op, ["x"], ["t"], name="un", **attrs),
             helper.make_node("GlobalAveragePool", ["t"], ["y"], name="gap")]
    model = make_model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 24, 9, 13])],
                       [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 24, 1, 1])])
    x = (rng.standard_normal((1, 24, 9, 13)) * 4).astype(np.float32)
    _compile_and_check(model, {"x": x}, f"{op} + GlobalAveragePool", {"vector"})


@pytest.mark.parametrize("name, kw, expect", [
    ("mobilenet_v1", {"input_size": 96, "width": 0.25}, {"dwconv-3x3s1", "dwconv-3x3s2"}),
    ("mobilenet_v2", {"input_size": 96, "width": 0.35}, {"dwconv-3x3s1", "dwconv-3x3s2"}),
    ("mobilenet_v3_block", {}, {"vector"}),
])
def test_zoo_models_with_depthwise_and_vector_kernels_match_onnxruntime(name, kw, expect):
    model = zoo.build(name, **kw)
    graph = import_onnx(model)
    shape = list(graph.inputs[0].shape)
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    _compile_and_check(model, {graph.inputs[0].name: x}, f"zoo {name} {kw}", expect)
