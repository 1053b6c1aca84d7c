"""Pooling, Softmax and LayerNormalization fast kernels end to end: ONNX ->
compile (the fast kernel is chosen, checked by name in the compiled model) ->
C++ runtime -> outputs vs onnxruntime and vs the same model compiled with the
reference kernels; nodes the kernels cannot run stay on "ref"; the zoo models
that use these ops (transformer_block, resnet18). Seeded random data.

Tolerance: rel_err (tests/ort_check.py: max abs error / output scale) <= 1e-5
against onnxruntime and against the reference kernels."""
from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import sparsecc
from sparsecc import zoo
from sparsecc.compiler.frontend.onnx import import_onnx
from tests.ort_check import make_model, ort_run, rel_err

TOL = 1e-5


def _run(model, feeds, kernels, threads=1):
    sess = sparsecc.InferenceSession(sparsecc.compile(model, kernels=kernels), num_threads=threads)
    names = [o.name for o in sess.get_outputs()]
    return {n["name"]: n["kernel"] for n in sess.nodes}, dict(zip(names, sess.run(None, feeds)))


def _check(model, feeds, label, expect_kernel, threads=1):
    """Compile fast and ref, check the chosen kernel, compare fast vs ORT and vs ref."""
    chosen, fast = _run(model, feeds, "fast", threads)
    if expect_kernel is not None:
        assert expect_kernel in chosen.values(), f"{label}: kernel {expect_kernel!r} not chosen, got {chosen}"
    _, ref = _run(model, feeds, "ref")
    expected = ort_run(model, feeds)
    for name, exp in expected.items():
        err = rel_err(fast[name], exp)
        assert err <= TOL, f"{label}: output {name!r} rel_err vs onnxruntime {err:.3g} > {TOL} (threads={threads})"
        err = rel_err(fast[name], ref[name])
        assert err <= TOL, f"{label}: output {name!r} rel_err vs reference kernels {err:.3g} > {TOL}"
    return chosen


def _out_size(n, k, s, p0, p1, d, ceil_mode):
    """ONNX pooling output size; with ceil_mode a window starting in the end pad is dropped."""
    span = n + p0 + p1 - (d * (k - 1) + 1)
    out = (-(-span // s) if ceil_mode else span // s) + 1
    return out - 1 if ceil_mode and (out - 1) * s >= n + p0 else out


def _pool_model(op, c, h, w, k, s, pads, ceil_mode, cip=None, dil=None):
    attrs = dict(kernel_shape=k, strides=s, pads=pads, ceil_mode=ceil_mode)
    if cip is not None:
        attrs["count_include_pad"] = cip
    if dil is not None:
        attrs["dilations"] = dil
    node = helper.make_node(op, ["x"], ["y"], name="pool", **attrs)
    out = [_out_size(n, k[i], s[i], pads[i], pads[i + 2], (dil or [1, 1])[i], ceil_mode)
           for i, n in enumerate((h, w))]
    x_info = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, h, w])
    y_info = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, c, *out])
    return make_model([node], [x_info], [y_info], opset=17)


@pytest.mark.parametrize("op, hw, k, s, pads, ceil_mode, cip, dil", [
    ("MaxPool", (112, 112), [3, 3], [2, 2], [1, 1, 1, 1], 0, None, None),   # ResNet-18 stem
    ("MaxPool", (17, 23), [2, 2], [2, 2], [0, 0, 0, 0], 1, None, None),
    ("MaxPool", (13, 9), [3, 3], [1, 1], [1, 1, 1, 1], 0, None, None),
    ("MaxPool", (15, 16), [3, 2], [3, 1], [2, 0, 1, 1], 1, None, [1, 2]),
    ("AveragePool", (28, 28), [2, 2], [2, 2], [0, 0, 0, 0], 0, 0, None),
    ("AveragePool", (14, 15), [3, 3], [1, 1], [1, 1, 1, 1], 0, 1, None),
    ("AveragePool", (14, 15), [3, 3], [1, 1], [1, 1, 1, 1], 0, 0, None),
    ("AveragePool", (11, 10), [3, 4], [2, 3], [0, 1, 2, 3], 1, 1, None),
    ("AveragePool", (11, 10), [3, 4], [2, 3], [0, 1, 2, 3], 1, 0, None),
    ("AveragePool", (7, 7), [7, 7], [1, 1], [0, 0, 0, 0], 0, 0, None),
])
def test_pools_run_on_pool_kernel_and_match_onnxruntime_and_reference(op, hw, k, s, pads, ceil_mode, cip, dil):
    c = 6
    model = _pool_model(op, c, *hw, k, s, pads, ceil_mode, cip, dil)
    x = np.random.default_rng(hash((op, hw)) % 2**32).standard_normal((1, c, *hw)).astype(np.float32)
    label = f"{op} {hw} k={k} s={s} pads={pads} ceil={ceil_mode} cip={cip} dil={dil}"
    for threads in (1, 2):
        _check(model, {"x": x}, label, "pool", threads)


def _softmax_model(shape, axis, opset=13):
    node = helper.make_node("Softmax", ["x"], ["y"], name="softmax", axis=axis)
    io = [helper.make_tensor_value_info(n, TensorProto.FLOAT, shape) for n in ("x", "y")]
    return make_model([node], [io[0]], [io[1]], opset=opset)


@pytest.mark.parametrize("shape, axis", [([1, 4, 64, 64], -1), ([7, 33], 1), ([3, 1000], -1), ([2, 5, 1], 1), ([5, 1], 1)])
def test_softmax_runs_on_softmax_kernel_and_matches_onnxruntime(shape, axis):
    x = (np.random.default_rng(len(shape) * 100 + shape[-1]).standard_normal(shape) * 5).astype(np.float32)
    for threads in (1, 2):
        _check(_softmax_model(shape, axis), {"x": x}, f"Softmax {shape} axis={axis}", "softmax", threads)


def test_softmax_over_a_non_trailing_axis_stays_on_reference():
    shape = [2, 3, 4]
    x = np.random.default_rng(4).standard_normal(shape).astype(np.float32)
    chosen = _check(_softmax_model(shape, 1), {"x": x}, "Softmax [2,3,4] axis=1", None)
    assert chosen["softmax"] == "ref", f"Softmax over axis 1 of [2,3,4] should stay on ref, got {chosen}"


@pytest.mark.parametrize("shape, axis, bias", [
    ([1, 64, 128], -1, True),   # transformer_block
    ([1, 64, 128], -1, False),
    ([3, 5, 7], 1, True),
    ([4, 9], -1, True),
])
def test_layernorm_runs_on_layernorm_kernel_and_matches_onnxruntime(shape, axis, bias):
    rng = np.random.default_rng(shape[-1] + axis)
    norm = shape[axis:]
    inits = [numpy_helper.from_array(rng.uniform(0.5, 1.5, norm).astype(np.float32), "scale")]
    ins = ["x", "scale"]
    if bias:
        inits.append(numpy_helper.from_array(rng.standard_normal(norm).astype(np.float32), "b"))
        ins.append("b")
    node = helper.make_node("LayerNormalization", ins, ["y"], name="ln", axis=axis, epsilon=1e-5)
    io = [helper.make_tensor_value_info(n, TensorProto.FLOAT, shape) for n in ("x", "y")]
    model = make_model([node], [io[0]], [io[1]], inits, opset=17)
    x = (rng.standard_normal(shape) * 3 + 2).astype(np.float32)
    for threads in (1, 2):
        _check(model, {"x": x}, f"LayerNormalization {shape} axis={axis} bias={bias}", "layernorm", threads)


@pytest.mark.parametrize("name, kw, expect", [
    ("transformer_block", {}, {"softmax", "layernorm"}),
    ("resnet18", {"input_size": 64, "width": 0.25}, {"pool"}),
])
def test_zoo_models_use_pool_and_norm_kernels_and_match_onnxruntime(name, kw, expect):
    model = zoo.build(name, **kw)
    graph = import_onnx(model)
    x = np.random.default_rng(3).standard_normal(list(graph.inputs[0].shape)).astype(np.float32)
    chosen = _check(model, {graph.inputs[0].name: x}, f"zoo {name} {kw}", None)
    missing = expect - set(chosen.values())
    assert not missing, f"zoo {name}: kernels {sorted(missing)} not chosen (got {sorted(set(chosen.values()))})"


def _node(op, in_shapes, attrs):
    from sparsecc.compiler.ir import Node, Value
    ins = [Value(f"in{i}", s) for i, s in enumerate(in_shapes)]
    return Node(op, "n", ins, [Value("out", in_shapes[0])], attrs)


@pytest.mark.parametrize("op, shapes, attrs, expected, why", [
    ("MaxPool", [(1, 2, 8, 8)], {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}, True, "plain 3x3"),
    ("MaxPool", [(1, 2, 8, 8)], {"kernel_shape": [3, 3], "pads": [3, 0, 0, 0]}, False, "pad >= kernel"),
    ("MaxPool", [(1, 2, 8)], {"kernel_shape": [3]}, False, "1-D pool"),
    ("MaxPool", [(1, 2, 2, 2)], {"kernel_shape": [5, 5]}, False, "window larger than the padded input"),
    ("AveragePool", [(1, 2, 8, 8)], {"kernel_shape": [2, 2], "dilations": [2, 2]}, False, "AveragePool dilations"),
    ("AveragePool", [(1, 2, 8, 8)], {"kernel_shape": [2, 2], "count_include_pad": 2}, False, "count_include_pad 2"),
    ("Softmax", [(2, 3, 1)], {"axis": 1}, True, "trailing dims of 1"),
    ("Softmax", [(2, 3, 4)], {"axis": 1}, False, "non-trailing axis"),
    ("LayerNormalization", [(2, 3, 4), (3, 4)], {"axis": 1}, True, "axis 1, Scale [3, 4]"),
    ("LayerNormalization", [(2, 3, 4), (4,)], {"axis": 1}, False, "Scale not X.shape[axis:]"),
])
def test_specs_accept_exactly_what_the_runtime_bindings_run(op, shapes, attrs, expected, why):
    from sparsecc.compiler.lower.kernel_specs import specs_for_op
    spec = next(s for s in specs_for_op(op) if s.name in ("pool", "softmax", "layernorm"))
    assert spec.applies(_node(op, shapes, attrs)) is expected, f"{op} ({why}): applies should be {expected}"
