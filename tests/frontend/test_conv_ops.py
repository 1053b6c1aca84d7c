"""ONNX Conv / ConvTranspose -> IR, checked against onnxruntime.

Every case builds a one-node ONNX model with seeded random input, weights and
bias, imports it, runs the IR's numpy reference and the C++ runtime, and compares both with
onnxruntime. Tolerance: rel_err
<= 1e-5, i.e. max |got - expected| <= 1e-5 * max |expected| (see ort_check).
"""
from __future__ import annotations

import zlib

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from ort_check import assert_matches_ort, make_model
from sparsecc.compiler.errors import CompileError, UnsupportedOpsError

TOL = 1e-5


def _conv_model(op, x_shape, w_shape, bias, attrs, opset, y_rank=4, w_const=True):
    rng = np.random.default_rng(zlib.crc32(repr((op, x_shape, w_shape, sorted(attrs.items()), opset)).encode()))
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)]
    inits = [numpy_helper.from_array(w, "w")] if w_const else []
    feeds = {"x": x}
    if not w_const:
        inputs.append(helper.make_tensor_value_info("w", TensorProto.FLOAT, w_shape))
        feeds["w"] = w
    names = ["x", "w"]
    if bias:
        m = w_shape[0] if op == "Conv" else w_shape[1] * attrs.get("group", 1)
        inits.append(numpy_helper.from_array(rng.standard_normal(m).astype(np.float32), "b"))
        names.append("b")
    node = helper.make_node(op, names, ["y"], name=f"{op.lower()}_node", **attrs)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [f"d{i}" for i in range(y_rank)])
    return make_model([node], inputs, [y], inits, opset=opset), feeds


# (id, x shape, W shape, attrs); W = [M, C/group, kh, kw]
CONV_CASES = [
    ("k1_pointwise", (1, 8, 7, 7), (16, 8, 1, 1), {}),
    ("k3_stride1_pad1", (1, 3, 9, 9), (4, 3, 3, 3), {"pads": [1, 1, 1, 1]}),
    ("k3_stride2_pad1", (2, 3, 11, 10), (5, 3, 3, 3), {"strides": [2, 2], "pads": [1, 1, 1, 1]}),
    ("k5_stride2_pad2", (1, 4, 13, 13), (6, 4, 5, 5), {"strides": [2, 2], "pads": [2, 2, 2, 2]}),
    ("k3_asymmetric_pads", (1, 3, 8, 9), (4, 3, 3, 3), {"pads": [0, 1, 2, 0]}),
    ("k3_no_pad_odd_size", (1, 2, 7, 5), (3, 2, 3, 3), {}),
    ("rect_kernel_rect_stride", (1, 3, 10, 12), (4, 3, 3, 5), {"strides": [1, 2], "pads": [1, 2, 1, 2]}),
    ("dilation2", (1, 3, 12, 12), (4, 3, 3, 3), {"dilations": [2, 2], "pads": [2, 2, 2, 2]}),
    ("dilation_2x3_stride2", (1, 2, 15, 16), (3, 2, 3, 3), {"dilations": [2, 3], "strides": [2, 2]}),
    ("group2", (1, 4, 8, 8), (6, 2, 3, 3), {"group": 2, "pads": [1, 1, 1, 1]}),
    ("depthwise_k3", (1, 8, 9, 9), (8, 1, 3, 3), {"group": 8, "pads": [1, 1, 1, 1]}),
    ("depthwise_k3_stride2", (1, 6, 10, 10), (6, 1, 3, 3), {"group": 6, "strides": [2, 2], "pads": [1, 1, 1, 1]}),
    ("depthwise_k5_stride2", (1, 4, 11, 11), (4, 1, 5, 5), {"group": 4, "strides": [2, 2], "pads": [2, 2, 2, 2]}),
    ("depthwise_channel_multiplier2", (1, 3, 7, 7), (6, 1, 3, 3), {"group": 3, "pads": [1, 1, 1, 1]}),
    ("auto_pad_same_upper_stride2", (1, 3, 10, 11), (4, 3, 3, 3), {"auto_pad": "SAME_UPPER", "strides": [2, 2]}),
    ("auto_pad_same_lower_stride2", (1, 3, 10, 11), (4, 3, 3, 3), {"auto_pad": "SAME_LOWER", "strides": [2, 2]}),
    ("auto_pad_same_upper_k4", (1, 2, 9, 9), (3, 2, 4, 4), {"auto_pad": "SAME_UPPER"}),
    ("auto_pad_same_lower_k4", (1, 2, 9, 9), (3, 2, 4, 4), {"auto_pad": "SAME_LOWER"}),
    ("auto_pad_valid", (1, 3, 9, 8), (4, 3, 3, 3), {"auto_pad": "VALID", "strides": [2, 2]}),
    ("kernel_shape_attr_given", (1, 3, 6, 6), (2, 3, 3, 3), {"kernel_shape": [3, 3]}),
    ("kernel_equals_input", (1, 3, 5, 5), (7, 3, 5, 5), {}),
    ("batch3_stride3", (3, 2, 10, 10), (4, 2, 3, 3), {"strides": [3, 3], "pads": [1, 0, 1, 0]}),
]


@pytest.mark.parametrize("opset", [11, 13, 21])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("case", CONV_CASES, ids=[c[0] for c in CONV_CASES])
def test_conv_matches_onnxruntime(case, bias, opset):
    name, x_shape, w_shape, attrs = case
    model, feeds = _conv_model("Conv", x_shape, w_shape, bias, attrs, opset)
    assert_matches_ort(model, feeds, TOL, label=f"Conv {name} x{list(x_shape)} w{list(w_shape)} {attrs} "
                                                f"bias={bias} opset={opset}")


# (id, x shape, W shape, attrs); W = [C, M/group, kh, kw]
CONVT_CASES = [
    ("k1", (1, 4, 5, 5), (4, 3, 1, 1), {}),
    ("k3_stride1", (1, 3, 5, 6), (3, 4, 3, 3), {}),
    ("k3_stride2_pad1", (1, 3, 5, 6), (3, 4, 3, 3), {"strides": [2, 2], "pads": [1, 1, 1, 1]}),
    ("k4_stride2_pad1", (2, 2, 4, 5), (2, 3, 4, 4), {"strides": [2, 2], "pads": [1, 1, 1, 1]}),
    ("k3_stride2_output_padding", (1, 3, 5, 5), (3, 2, 3, 3),
     {"strides": [2, 2], "pads": [1, 1, 1, 1], "output_padding": [1, 1]}),
    ("asymmetric_pads_stride3", (1, 2, 4, 5), (2, 3, 3, 3),
     {"strides": [3, 3], "pads": [1, 0, 2, 1], "output_padding": [2, 0]}),
    ("dilation2_stride2", (1, 2, 5, 5), (2, 3, 3, 3), {"strides": [2, 2], "dilations": [2, 2]}),
    ("group2", (1, 4, 5, 5), (4, 3, 3, 3), {"group": 2, "strides": [2, 2], "pads": [1, 1, 1, 1]}),
    ("depthwise", (1, 6, 5, 5), (6, 1, 3, 3), {"group": 6, "strides": [2, 2]}),
    ("auto_pad_same_upper_stride2", (1, 3, 5, 6), (3, 2, 3, 3), {"auto_pad": "SAME_UPPER", "strides": [2, 2]}),
    ("auto_pad_same_lower_stride2", (1, 3, 5, 6), (3, 2, 3, 3), {"auto_pad": "SAME_LOWER", "strides": [2, 2]}),
    ("auto_pad_same_upper_k4", (1, 3, 5, 6), (3, 2, 4, 4), {"auto_pad": "SAME_UPPER", "strides": [1, 1]}),
    ("auto_pad_valid", (1, 3, 5, 6), (3, 2, 3, 3), {"auto_pad": "VALID", "strides": [2, 2]}),
    ("output_shape_odd_total_pad", (1, 3, 5, 6), (3, 2, 3, 3), {"strides": [2, 2], "output_shape": [8, 9]}),
    ("output_shape_same_upper", (1, 3, 5, 6), (3, 2, 3, 3),
     {"strides": [2, 2], "output_shape": [8, 9], "auto_pad": "SAME_UPPER"}),
    ("output_shape_same_lower", (1, 3, 5, 6), (3, 2, 3, 3),
     {"strides": [2, 2], "output_shape": [8, 9], "auto_pad": "SAME_LOWER"}),
    ("output_shape_above_natural", (1, 2, 5, 6), (2, 2, 3, 3), {"strides": [3, 3], "output_shape": [16, 19]}),
]


@pytest.mark.parametrize("opset", [11, 17, 21])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
@pytest.mark.parametrize("case", CONVT_CASES, ids=[c[0] for c in CONVT_CASES])
def test_conv_transpose_matches_onnxruntime(case, bias, opset):
    name, x_shape, w_shape, attrs = case
    model, feeds = _conv_model("ConvTranspose", x_shape, w_shape, bias, attrs, opset)
    assert_matches_ort(model, feeds, TOL, label=f"ConvTranspose {name} x{list(x_shape)} w{list(w_shape)} "
                                                f"{attrs} bias={bias} opset={opset}")


@pytest.mark.parametrize("auto_pad", ["SAME_UPPER", "SAME_LOWER"])
@pytest.mark.parametrize("height", [9, 10], ids=["odd_h", "even_h"])
def test_conv_same_auto_pad_with_dilation_matches_onnx_reference(auto_pad, height):
    """onnxruntime rejects dilated SAME convs; onnx's reference evaluator is the oracle here."""
    from onnx.reference import ReferenceEvaluator
    from ort_check import rel_err
    from sparsecc.compiler.ir.evaluate import run_graph

    attrs = {"auto_pad": auto_pad, "dilations": [2, 2], "strides": [1, 2]}
    model, feeds = _conv_model("Conv", (1, 2, height, 10), (3, 2, 3, 3), True, attrs, 17)
    expected = ReferenceEvaluator(model).run(None, feeds)[0]
    got = run_graph(_import(model), feeds)["y"]
    assert got.shape == expected.shape, f"{attrs} H={height}: shape {got.shape} != {expected.shape}"
    assert rel_err(got, expected) <= TOL, f"{attrs} H={height}"


def _import(model):
    from sparsecc.compiler.frontend.onnx import import_onnx
    return import_onnx(model)


@pytest.mark.parametrize("x_shape,w_shape", [((1, 2, 9), (3, 2, 3)), ((1, 2, 4, 5, 6), (3, 2, 3, 3, 3))],
                         ids=["conv1d", "conv3d"])
def test_conv_non_2d_is_listed_as_unsupported(x_shape, w_shape):
    model, _ = _conv_model("Conv", x_shape, w_shape, False, {}, 17, y_rank=len(x_shape))
    with pytest.raises(UnsupportedOpsError) as e:
        _import(model)
    assert "conv_node" in str(e.value) and "only 2-D" in str(e.value), str(e.value)


def test_conv_runtime_weight_is_unsupported():
    model, _ = _conv_model("Conv", (1, 2, 5, 5), (3, 2, 3, 3), False, {}, 17, w_const=False)
    with pytest.raises(UnsupportedOpsError, match="weight W must be a constant"):
        _import(model)


@pytest.mark.parametrize("x_shape,w_shape,attrs,expect", [
    ((1, 4, 5, 5), (6, 2, 3, 3), {"group": 3}, "divide by group"),
    ((1, 4, 5, 5), (6, 3, 3, 3), {"group": 2}, "input channels per group"),
    ((1, 2, 5, 5), (3, 2, 3, 3), {"kernel_shape": [5, 5]}, "disagrees with W"),
    ((1, 2, 2, 2), (3, 2, 3, 3), {}, "larger than the padded input"),
    ((1, 2, 5, 5), (3, 2, 3, 3), {"strides": [1, 1, 1]}, "strides must have 2 values"),
], ids=["group_not_dividing", "wrong_channels_per_group", "kernel_shape_mismatch", "kernel_too_big", "bad_strides"])
def test_conv_bad_shapes_give_clear_errors(x_shape, w_shape, attrs, expect):
    # build the model without onnx's checker/shape inference, which would reject some of these first
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal(w_shape).astype(np.float32), "w")
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="bad_conv", **attrs)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with pytest.raises(CompileError, match=expect) as e:
        _import(model)
    assert "bad_conv" in str(e.value)


def test_conv_transpose_output_shape_too_large_is_rejected():
    model, _ = _conv_model("ConvTranspose", (1, 2, 5, 5), (2, 3, 3, 3), False,
                           {"strides": [2, 2], "output_shape": [13, 11]}, 17)
    with pytest.raises(CompileError, match="output_shape .* inconsistent"):
        _import(model)


def test_conv_fused_activation_attributes_are_applied():
    """The IR epilogue (activation after bias) matches Conv followed by Clip in onnxruntime."""
    from sparsecc.compiler.ir.evaluate import run_graph
    from ort_check import ort_run, rel_err

    model, feeds = _conv_model("Conv", (1, 3, 6, 6), (4, 3, 3, 3), True, {"pads": [1, 1, 1, 1]}, 17)
    graph = _import(model)
    (conv,) = [n for n in graph.nodes if n.op == "Conv"]
    conv.attrs.update(activation="clip", activation_params=[-0.5, 0.75])
    got = run_graph(graph, feeds)["y"]
    expected = np.clip(ort_run(model, feeds)["y"], -0.5, 0.75)
    assert rel_err(got, expected) <= TOL
    assert got.min() == pytest.approx(-0.5) and got.max() == pytest.approx(0.75)


@pytest.mark.parametrize("op,shapes,attrs,expect", [
    ("Conv", [(1, 4, 5, 5), (6, 4, 3, 3), (5,)], {}, r"bias must have shape \[6\]"),
    ("Conv", [(1, 4, 5, 5), (6, 4, 3, 3)], {"pads": [1, 1, 1]}, "pads must have 4 values"),
    ("Conv", [(1, 4, 5, 5), (6, 4, 3, 3)], {"dilations": [0, 1]}, "dilations values must be >= 1"),
    ("Conv", [(1, 4, 5, 5), (6, 4, 3, 3)], {"activation": "swish"}, "unknown activation"),
    ("Conv", [(1, 4, 5, 5), (6, 4, 3, 3)], {"activation": "clip"}, "takes 2 params"),
    ("ConvTranspose", [(1, 4, 5, 5), (3, 2, 3, 3)], {}, r"W must be \[C, M/group, kh, kw\]"),
    ("ConvTranspose", [(1, 4, 2, 2), (4, 2, 3, 3)], {"pads": [2, 2, 2, 2]}, "empty output"),
    ("ConvTranspose", [(1, 4, 5, 5), (4, 2, 3, 3)], {"output_padding": [-1, 0]}, "output_padding values"),
], ids=["conv_bias", "conv_pads_len", "conv_dilation0", "conv_bad_activation", "conv_clip_params",
        "convt_w_channels", "convt_empty_output", "convt_negative_output_padding"])
def test_ir_conv_infer_rejects_inconsistent_nodes(op, shapes, attrs, expect):
    """What the runtime re-checks: the IR's infer rejects it with a readable reason."""
    from sparsecc.compiler.ir.ops import ShapeError, get

    d = get(op)
    with pytest.raises(ShapeError, match=expect):
        d.infer(shapes, d.full_attrs(attrs))
